#include "nlp/concepts.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "nlp/tokenizer.h"
#include "util/aho_corasick.h"

namespace parley::nlp {
namespace {

struct Concept {
  const char* id;
  std::vector<std::string_view> zh;  // matched as substrings
  std::vector<std::string_view> en;  // matched as whole (stemmed) words or word sequences
};

// Every match counts: a longer term does not hide a shorter one inside it, and only the few
// phrases of NotConcepts() (below) hide a term. So a term must mean its concept in (nearly) every
// message containing it;
// where a word is also common in other senses it is written as the phrases that do mean the
// concept: not bare 人工 (人工费), 机器人 (扫地机器人), 收到 (好的收到), 态度 (态度很好), 有问题
// (我有问题想问), 不对 (对不对), 最近的 (最近的订单), 在线 / 线上 (在线支付), 直播 (直播间), 保险
// (保险柜), 防水 (防水吗 asks about a spec), 测试, 试用 (试用期); not bare open / close / hour /
// online (the app won't open, close to the station, waited two hours, pay online), charge /
// charged (won't charge), free (gluten free), member (staff member), point (at this point),
// interest (interested), rate, phone / number (order number), transfer (airport transfer),
// package (a parcel, not a plan), missing (stems to "miss": missed my flight), train (training),
// table (furniture), key (license key), rent (the rent is due), visa (pay with visa). Where a
// common term has a rarer other sense that a phrase pins down (积分 in 微积分, order in "in order
// to"), the term stays and NotConcepts() (below) lists the phrase. Still matching where no phrase
// can tell the senses apart: plan (planning and plane, which stem to "plan"), temperature.
const std::vector<Concept>& Table() {
  static const std::vector<Concept> kTable = {
      {"order", {"订单", "单子", "下单", "下的单", "买的东西", "订的"}, {"order", "purchase"}},
      {"track",
       {"到哪", "物流", "进度", "状态", "跟踪", "追踪", "单号"},
       {"track", "status", "progress", "whereabout"}},
      {"where", {"在哪", "什么地方", "哪里", "哪儿"}, {"where"}},
      {"return",
       {"退货", "退回", "退掉", "寄回", "想退了", "要退了", "想退的", "要退的", "想退这", "要退这",
        "想退一", "要退一", "想退怎么", "要退怎么"},
       {"return", "send back"}},
      {"refund",
       {"退款", "退钱", "钱退", "返款", "到账", "退的钱"},
       {"refund", "money back", "reimburse"}},
      {"cancel", {"取消", "撤销", "撤掉", "撤单", "不要了", "不想买"}, {"cancel", "call off"}},
      {"address", {"地址", "住址"}, {"address", "where it ship"}},
      {"change",
       {"修改", "更改", "改成", "改下", "改一下", "换成", "换个", "改地址"},
       {"change", "update", "modify", "edit"}},
      {"ship",
       {"发货",     "配送",     "送货",     "快递",     "运送",     "到货",     "送到",
        "寄到",     "包裹",     "邮寄",     "顺丰",     "派送",     "收到货",   "收到快递",
        "收到包裹", "收到东西", "收到的货", "收到商品", "能收到",   "几天收到", "多久收到",
        "能到吗",   "几天能到", "多久能到", "哪天能到", "明天能到", "今天能到", "什么时候能到",
        "东西收到", "货收到",   "快递收到", "包裹收到"},
       {"ship", "deliver", "delivery", "dispatch", "arrive", "shipment", "package", "parcel",
        "courier", "by post", "in the post", "post it", "post office"}},
      {"cost",
       {"运费", "邮费", "费用", "多少钱", "收费", "价格", "价钱", "加钱", "要钱", "另收", "花多少"},
       {"cost", "fee", "price", "how much", "pay for", "charge for", "do you charge", "charge me",
        "pay extra", "cost extra", "charge extra", "extra cost", "extra fee", "extra for",
        "anything extra", "extra money"}},
      {"free",
       {"免费", "包邮"},
       {"for free",          "free of charge",    "free shipping",     "free delivery",
        "free postage",      "shipping free",     "delivery free",     "postage free",
        "is it free",        "is this free",      "is that free",      "it's free",
        "is free",           "are free",          "totally free",      "completely free",
        "no charge",         "at no cost",        "free installation", "free install",
        "free parking",      "free wifi",         "free breakfast",    "free entry",
        "free admission",    "free upgrade",      "free gift",         "free sample",
        "free class",        "free lesson",       "free session",      "free trial",
        "free consultation", "free cancellation", "free replacement",  "free repair",
        "free return",       "free of cost",      "free to use",       "free to join",
        "free to enter",     "free for kids",     "free for children", "free for members",
        "free for students", "wifi free",         "parking free",      "breakfast free",
        "entry free"}},
      {"pay",
       {"支付", "付款", "付钱", "结账", "货到付款", "扣款", "扣了", "信用卡", "银行卡", "花呗",
        "支付宝", "微信支付", "分期"},
       {"pay", "payment", "paypal", "credit card", "debit card", "alipay", "apple pay",
        "installment", "charged me", "been charged", "was charged", "got charged",
        "charged my card", "charged my account", "charged my credit card", "you charged me"}},
      {"fail",
       {"失败", "不成功", "出错", "报错", "付不了", "不上去"},
       {"fail", "failed", "error", "declin", "didn't go through", "not working", "isn't working"}},
      {"invoice",
       {"发票", "收据", "开票", "报销", "税号"},
       {"invoice", "receipt", "vat", "billing"}},
      {"stock",
       {"库存", "有货", "缺货", "补货", "现货", "卖完", "还有吗", "到货通知"},
       {"in stock", "out of stock", "sold out", "restock", "available", "availability"}},
      {"size",
       {"尺码", "码数", "尺寸", "几码", "多大码", "大码", "小码", "合脚"},
       {"size", "fit", "too small", "too big", "medium"}},
      {"warranty",
       {"保修", "质保", "维修", "修理", "保障", "免费修"},
       {"warranty", "guarantee", "repair"}},
      {"discount",
       {"优惠", "折扣", "打折", "便宜", "活动", "促销", "优惠码", "优惠券"},
       {"coupon", "discount", "promo", "voucher", "cheaper", "good deal", "great deal", "best deal",
        "any deal", "special deal", "deal on", "bundle deal", "daily deal"}},
      {"member",
       {"会员", "积分", "等级权益", "升等级", "等级怎么升"},
       {"membership",       "loyalty",        "reward",         "become a member", "member card",
        "member discount",  "member benefit", "member perk",    "member account",  "member id",
        "member number",    "member login",   "member rate",    "for members",     "members get",
        "existing member",  "new member",     "premium member", "silver member",   "vip member",
        "club member",      "reward point",   "loyalty point",  "bonus point",     "point balance",
        "earn points",      "redeem points",  "use my points",  "how many points", "points expire",
        "collect points",   "am a member",    "i'm a member",   "be a member",     "not a member",
        "already a member", "you a member",   "re a member"}},
      {"account",
       {"账号", "账户", "登录", "登陆", "登不", "密码", "验证码", "注册"},
       {"account", "login", "log in", "sign in", "password", "pasword", "verification"}},
      {"complaint",
       {"投诉",     "不满",     "差评",     "太差",     "很差",      "举报",
        "抱怨",     "糟糕",     "失望",     "差劲",     "气死",      "不像话",
        "态度不好", "什么态度", "态度恶劣", "这态度",   "态度极差",  "垃圾服务",
        "垃圾产品", "垃圾东西", "什么垃圾", "太垃圾",   "真垃圾",    "好垃圾",
        "垃圾客服", "垃圾平台", "垃圾店",   "垃圾商家", "态度有问题"},
       {"complain", "complaint", "terrible", "awful", "unacceptable", "unhappy", "worst",
        "horrible", "disappointed", "ridiculous", "furious", "angry"}},
      {"human",
       {"真人",     "转接",       "客服人员",   "人工服务",   "找个人",       "自动回复",
        "小姐姐",   "转人工",     "人工客服",   "找人工",     "要人工",       "接人工",
        "叫人工",   "人工呢",     "人工坐席",   "你是机器人", "是不是机器人", "是机器人吧",
        "跟机器人", "和机器人聊", "不要机器人", "别用机器人", "机器人客服",   "机器人回复",
        "人工吗",   "人工在"},
       {"human", "agent", "real person", "representative", "someone real", "operator",
        "live person", "staff member", "actual human", "a real human", "speak with someone",
        "talk with someone"}},
      {"hours",
       {"营业时间", "上班", "下班", "几点", "工作时间", "开门", "关门", "周末", "晚上", "节假日",
        "在线时间", "几点在线", "在线吗", "还在线", "不在线"},
       {"weekend",           "sunday",
        "saturday",          "business hour",
        "are you open",      "you guys open",
        "open today",        "open tomorrow",
        "still open",        "open until",
        "open till",         "open tonight",
        "is it open",        "store open",
        "shop open",         "office open",
        "when do you open",  "what time do you open",
        "when are you open", "opening hour",
        "do you close",      "what time do you close",
        "when do you close", "are you closed",
        "closed on",         "closed today",
        "closed tomorrow",   "close early",
        "closed for",        "closed now",
        "are you online",    "online now",
        "anyone online",     "still online",
        "public holiday",    "national holiday",
        "holiday opening",   "holiday closure",
        "over the holidays", "during the holidays",
        "your hours",        "what are the hours",
        "hours today",       "hours of operation",
        "office hour",       "working hour",
        "store hour",        "shop hour",
        "the park open",     "park open",
        "museum open",       "gym open",
        "pool open",         "restaurant open",
        "clinic open",       "bank open",
        "branch open",       "library open",
        "you guys close"}},
      {"contact",
       {"电话", "联系", "邮箱", "热线", "号码"},
       {"contact", "email", "hotline", "call", "reach", "your number", "number to call",
        "customer service number", "support number", "contact number", "phone number", "phone you",
        "phone me", "by phone", "phone call", "phone support", "phone line", "telephone"}},
      {"greet",
       {"你好", "您好", "哈喽", "哈罗", "早上好", "晚上好", "下午好", "在吗", "嗨", "有人吗",
        "有人在", "在不在", "喂喂", "人呢"},
       {"hello", "helo", "hallo", "hi", "hey", "heya", "hiya", "good morning", "good afternoon",
        "good evening", "anyone here", "anybody there", "anyone there", "greeting"}},
      {"bye",
       {"再见",       "拜拜",     "先拜了",       "那拜了",     "拜了哈", "拜咯",     "回见",
        "先走了",     "下次见",   "先这样",       "就这样吧",   "再会",   "下次再聊", "回头聊",
        "没别的了",   "没别的事", "没有其他问题", "没其他问题", "晚安",   "告辞",     "先下线",
        "那我先下了", "先下了哈", "拜了个拜",     "回头再联系"},
       {"bye",
        "byee",
        "goodbye",
        "see you",
        "see ya",
        "cya",
        "see you later",
        "talk later",
        "catch you later",
        "later then",
        "ttyl",
        "that's all",
        "that is all",
        "that's everything",
        "nothing else",
        "i'm done",
        "all set",
        "good night",
        "have a good day",
        "have a nice day",
        "have a good one",
        "take care now",
        "you take care",
        "take care bye",
        "thanks take care",
        "ok take care",
        "take care then",
        "bye take care"}},
      {"thanks",
       {"谢谢", "感谢", "多谢", "谢了", "谢啦", "辛苦了", "麻烦你了", "感恩感恩", "帮大忙了"},
       {"thank", "thanks", "thx", "ty", "appreciate", "cheer"}},
      {"broken",
       {"坏了", "破损", "损坏", "质量问题", "坏的", "质量有问题", "东西有问题", "货有问题",
        "产品有问题", "商品有问题", "机器有问题", "出问题了", "出了问题"},
       {"broken", "damaged", "defective", "faulty"}},
      {"wrong",
       {"发错", "错了", "下错", "不对吧", "颜色不对", "尺码不对", "码数不对", "数量不对",
        "型号不对", "款式不对", "规格不对", "金额不对", "价格不对", "地址不对", "大小不对"},
       {"wrong", "incorrect", "mistake"}},
      {"missing",
       {"少了", "漏发", "缺件", "没收到", "少发", "丢了", "丢件"},
       {"lost",           "never arrived",     "not received",
        "didn't receive", "didn't get",        "is missing",
        "are missing",    "was missing",       "were missing",
        "missing from",   "still missing",     "go missing",
        "gone missing",   "went missing",      "part missing",
        "piece missing",  "something missing", "anything missing",
        "missing screw",  "missing accessory", "missing package",
        "missing parcel", "missing order",     "it's missing"}},
      {"exchange",
       {"换货", "调换", "换一个", "换一件", "换个新"},
       {"swap", "replacement", "replace", "exchange it", "exchange this", "exchange the",
        "exchange for", "an exchange", "exchange or refund", "exchange or return",
        "exchange an item", "do an exchange", "make an exchange"}},
      // Other service domains: telecom, banking, travel.
      {"balance",
       {"余额", "还剩多少", "剩多少钱", "剩余话费"},
       {"balance", "remaining credit", "credit left"}},
      {"topup",
       {"充值", "充话费", "充钱", "缴费", "交费", "交钱", "欠费"},
       {"top up", "topup", "recharge", "add credit"}},
      {"data",
       {"流量", "加油包"},
       {"mobile data", "data plan", "data allowance", "data usage", "data bundle", "data package",
        "data limit", "data cap", "data roaming", "data left", "out of data", "more data",
        "extra data", "data top up", "gb left", "gb of data", "how much data",
        "data is running out", "data running low"}},
      {"plan",
       {"套餐", "月租", "资费"},
       {"plan",
        "tariff",
        "monthly fee",
        "data package",
        "mobile package",
        "phone package",
        "broadband package",
        "internet package",
        "tv package",
        "monthly package",
        "annual package",
        "basic package",
        "premium package",
        "standard package",
        "family package",
        "which package",
        "package upgrade",
        "upgrade my package",
        "current package",
        "holiday package",
        "travel package",
        "spa package",
        "wedding package",
        "party package",
        "birthday package",
        "package am i on",
        "package i'm on"}},
      {"signal",
       {"信号", "掉线", "断线", "没服务", "无服务", "打不出", "打不通"},
       {"signal", "no service", "dropped call", "calls drop", "network coverage", "mobile coverage",
        "signal coverage", "coverage map", "poor coverage", "bad coverage", "phone reception",
        "poor reception", "bad reception", "no reception", "mobile reception", "cell reception"}},
      {"internet",
       {"宽带", "光纤", "网络", "网速", "上网", "连不上网"},
       {"broadband", "fibre", "fiber", "internet", "wifi", "wi-fi", "internet connection",
        "wifi connection", "network connection", "slow connection", "bad connection",
        "connection speed", "connection is slow", "connection keeps dropping", "wireless network",
        "wireless internet", "wireless router"}},
      {"sim", {"手机卡", "电话卡", "补卡", "sim"}, {"sim", "sim card"}},
      {"abroad",
       {"漫游", "出国", "国外", "境外", "海外"},
       {"roaming", "abroad", "overseas", "international", "travel"}},
      {"close_account",
       {"注销", "销号", "销户", "停机", "销卡"},
       {"terminate", "deactivate", "close my account", "close account", "disconnect my service",
        "disconnect the service", "disconnect service", "disconnect my line", "disconnect the line",
        "disconnect my internet", "disconnect my broadband", "disconnect my phone line"}},
      {"transfer",
       {"转账", "汇款", "打钱", "转钱"},
       {"send money",
        "remit",
        "bank transfer",
        "money transfer",
        "transfer money",
        "transfer funds",
        "transfer the money",
        "transfer to my account",
        "transfer from my account",
        "transfer to another account",
        "transfer between accounts",
        "make a transfer",
        "international transfer",
        "instant transfer",
        "interbank transfer",
        "i transferred",
        "transfer pending",
        "transfer failed",
        "wire transfer",
        "wire money",
        "bank wire",
        "wire the money",
        "wire payment"}},
      {"lost_card",
       {"挂失", "卡丢了", "卡被偷", "卡掉了", "卡被冻结", "卡冻结", "冻结银行卡", "把卡冻结",
        "冻结我的卡"},
       {"lost card", "freeze my card", "block my card", "lost my card", "card stolen",
        "card was stolen", "stolen card", "card got stolen", "wallet stolen", "stolen wallet",
        "purse stolen", "wallet was stolen", "purse was stolen", "cards were stolen"}},
      {"loan",
       {"贷款", "借钱", "房贷", "车贷"},
       {"loan", "mortgage", "credit line", "borrow money", "borrow some money",
        "how much can i borrow", "borrowing limit", "lend me money", "lend money"}},
      {"interest",
       {"利率", "利息", "年化"},
       {"apr", "interest rate", "interest charge", "pay interest", "earn interest", "interest on",
        "how much interest", "interest fee", "accrued interest", "charged interest",
        "interest payment", "no interest", "rate of interest", "loan rate", "mortgage rate",
        "savings rate", "deposit rate", "fixed rate", "variable rate"}},
      {"flight", {"机票", "航班", "飞机", "登机", "值机"}, {"flight", "airplane"}},
      {"checkin", {"值机", "办理入住"}, {"check in", "checkin"}},
      {"reschedule",
       {"改签", "改期", "改日期", "换日期", "推迟"},
       {"reschedule", "change the date", "postpone", "rebook"}},
      {"luggage", {"行李", "托运", "箱子"}, {"luggage", "baggage", "suitcase"}},
      {"booking", {"预订", "预定", "订房", "订票"}, {"book", "booking", "reserve", "reservation"}},
      {"nearby",
       {"附近", "离我近", "哪里有", "离我最近", "最近的店", "最近的门店", "最近的网点",
        "最近的分店", "最近的营业厅", "最近的地铁"},
       {"near", "nearby", "nearest", "closest", "near me", "location"}},
      {"product",
       {"参数", "规格", "材质", "颜色", "型号", "功能", "尺寸多大"},
       {"spec", "specification", "material", "colour", "color", "model", "feature"}},
#include "nlp/concepts_aftersales.inc"
#include "nlp/concepts_bookings.inc"
#include "nlp/concepts_chat_accounts.inc"
#include "nlp/concepts_chat_en.inc"
#include "nlp/concepts_chat_services.inc"
#include "nlp/concepts_chat_zh.inc"
#include "nlp/concepts_colloquial.inc"
#include "nlp/concepts_digital.inc"
#include "nlp/concepts_general.inc"
#include "nlp/concepts_lifestyle.inc"
#include "nlp/concepts_logistics_mobility.inc"
#include "nlp/concepts_orders.inc"
#include "nlp/concepts_postsales.inc"
#include "nlp/concepts_retail.inc"
#include "nlp/concepts_services.inc"
#include "nlp/concepts_shopping.inc"
#include "nlp/concepts_travel_food.inc"
  };
  return kTable;
}

// Other businesses, services, institutions and topics (src/nlp/domains.inc): a message naming
// one that the flow never mentions is about something else. Their ids get a leading '@'.
const std::vector<Concept>& DomainTable() {
  static const std::vector<Concept> kTable = {
#include "nlp/domains.inc"
  };
  return kTable;
}

// Phrases in which a term means something else, common enough in customer chat to matter: inside
// the phrase that one term does not count (the phrase's other terms still do: "return flight"
// is still a flight). Domains' terms too: a charge from the shop "on my credit card statement"
// (信用卡账单上) is the shop's business, the bank's bill is not.
struct NotATerm {
  std::string_view phrase, term;
};
struct Blockers {
  std::vector<NotATerm> zh, en;
};
const Blockers& NotConcepts() {
  static const Blockers kBlockers = {{{"微积分", "积分"},
                                      {"你好像", "你好"},
                                      {"你好好", "你好"},
                                      {"现在吗", "在吗"},
                                      {"实在吗", "在吗"},
                                      {"不错了", "错了"},
                                      {"多少了", "少了"},
                                      {"几天到账", "几天到"},
                                      {"多久能到账", "多久能到"},
                                      {"几天能到账", "几天能到"},
                                      {"货到付款", "到付"},
                                      {"多少东西", "少东西"},
                                      {"有没有效果", "没有效果"},
                                      {"值不值", "不值"},
                                      {"大约明天", "约明天"},
                                      {"大约后天", "约后天"},
                                      {"大约今天", "约今天"},
                                      {"最多住", "多住"},
                                      {"不再续", "再续"},
                                      {"改签收", "签收"},
                                      {"充值到账", "到账"},
                                      {"充值没到账", "到账"},
                                      {"充值未到账", "到账"},
                                      {"充值还没到账", "到账"},
                                      {"充值没有到账", "到账"},
                                      {"充值不到账", "到账"},
                                      {"充值一直没到账", "到账"},
                                      {"充值多久到账", "到账"},
                                      {"充值什么时候到账", "到账"},
                                      {"充的钱没到账", "到账"},
                                      {"充的钱还没到账", "到账"},
                                      {"充了没到账", "到账"},
                                      {"充了还没到账", "到账"},
                                      {"话费到账", "到账"},
                                      {"话费没到账", "到账"},
                                      {"话费还没到账", "到账"},
                                      {"转账到账", "到账"},
                                      {"转账没到账", "到账"},
                                      {"转账还没到账", "到账"},
                                      {"工资到账", "到账"},
                                      {"工资没到账", "到账"},
                                      {"工资还没到账", "到账"},
                                      {"请求超时", "超时"},
                                      {"连接超时", "超时"},
                                      {"网络超时", "超时"},
                                      {"加载超时", "超时"},
                                      {"响应超时", "超时"},
                                      {"登录超时", "超时"},
                                      {"年费用", "年费"},
                                      {"月费用", "月费"},
                                      {"信用卡账单上", "信用卡账单"},
                                      {"信用卡账单里", "信用卡账单"}},
                                     {{"on my credit card statement", "credit card statement"},
                                      {"in order to", "order"},
                                      {"in order for", "order"},
                                      {"return flight", "return"},
                                      {"return trip", "return"},
                                      {"business class", "class"},
                                      {"first class", "class"},
                                      {"economy class", "class"},
                                      {"world class", "class"},
                                      {"support ticket", "ticket"},
                                      {"any update", "update"},
                                      {"an update", "update"},
                                      {"update on", "update"},
                                      {"restocking fee", "restock"},
                                      {"call it off", "call"},
                                      {"call off", "call"},
                                      {"house call", "call"},
                                      {"rain check", "rain"},
                                      {"won't be coming back", "won't be coming"},
                                      {"wont be coming back", "wont be coming"},
                                      {"can't make it work", "can't make it"},
                                      {"cant make it work", "cant make it"},
                                      {"return my deposit", "return"},
                                      {"return the deposit", "return"},
                                      {"deposit returned", "return"},
                                      {"membership runs out", "run out"},
                                      {"pass runs out", "run out"},
                                      {"membership ran out", "ran out"},
                                      {"pass ran out", "ran out"},
                                      {"carry on with", "carry on"},
                                      {"carry on using", "carry on"},
                                      {"how much luggage", "how much"},
                                      {"how much baggage", "how much"},
                                      {"how much can i bring", "how much"},
                                      {"just checking in", "check in"},
                                      {"checking in to see", "check in"},
                                      {"checking in about", "check in"},
                                      {"disable auto", "disabled"},
                                      {"disable notification", "disabled"},
                                      {"disable the notification", "disabled"},
                                      {"disable push", "disabled"},
                                      {"disable my account", "disabled"},
                                      {"disable the account", "disabled"},
                                      {"account disabled", "disabled"},
                                      {"account was disabled", "disabled"},
                                      {"account is disabled", "disabled"},
                                      {"account has been disabled", "disabled"},
                                      {"account got disabled", "disabled"},
                                      {"disable two factor", "disabled"},
                                      {"disable 2fa", "disabled"},
                                      {"stop charging me", "stopped charging"},
                                      {"stop charging my card", "stopped charging"},
                                      {"stop charging my account", "stopped charging"},
                                      {"stop charging us", "stopped charging"}}};
  return kBlockers;
}

// The stemmed ASCII words of the message, space-padded: " where s my order ".
std::string StemmedLine(const std::vector<std::string>& words) {
  std::string line = " ";
  for (const auto& w : words) {
    if (HasHan(w)) continue;
    line += w;
    line += ' ';
  }
  return line;
}

std::string StemPhrase(std::string_view raw) {
  // The normalizer turns ASCII punctuation into spaces ("didn't" -> "didn t", "wi-fi" ->
  // "wi fi"); a term must be split the same way to match.
  std::string phrase(raw);
  for (char& c : phrase) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u)) c = ' ';
  }
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= phrase.size()) {
    const size_t sp = phrase.find(' ', start);
    const std::string_view w =
        std::string_view(phrase).substr(start, sp == std::string::npos ? sp : sp - start);
    if (!w.empty()) words.emplace_back(w);
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  // As Words() does to messages: "didn't", "didnt" and "did not" are one phrase.
  std::string out = " ";
  for (const auto& w : ExpandNegations(std::move(words))) out += Stem(w) + ' ';
  return out;
}

}  // namespace

namespace {

// Every term of every concept in two automata (Chinese terms over the normalised text, stemmed
// English phrases over the space-padded line of stemmed words), so a message is scanned once
// instead of once per term.
struct ConceptIndex {
  AhoCorasick zh, en;
  std::vector<std::vector<uint16_t>> zh_concepts, en_concepts;  // by automaton word index
  // By automaton word index: for a blocking phrase, the word index of the term it hides; else -1.
  std::vector<int32_t> zh_blocks, en_blocks;
  std::vector<std::string_view> ids;     // by concept; table entries with the same id are one
  std::vector<std::string_view> unused;  // blocking phrases whose term is no term
  std::vector<std::string> domain_ids;   // "@" + id, what `ids` shows of the domains
};

// The terms of one automaton (Chinese or English), each once, with what each means.
struct Terms {
  std::vector<std::string> text;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::vector<uint16_t>>* concepts;
  std::vector<int32_t>* blocks;

  size_t Intern(std::string term) {
    auto [it, fresh] = index.emplace(term, text.size());
    if (fresh) {
      text.push_back(std::move(term));
      concepts->emplace_back();
      blocks->push_back(-1);
    }
    return it->second;
  }
  void Add(std::string term, uint16_t concept_index) {
    auto& list = (*concepts)[Intern(std::move(term))];
    if (std::find(list.begin(), list.end(), concept_index) == list.end()) {
      list.push_back(concept_index);
    }
  }
  // False when `term` is no term: the pair is a mistake in NotConcepts().
  bool Block(std::string phrase, const std::string& term) {
    const auto hidden = index.find(term);
    if (hidden == index.end()) return false;
    const auto hidden_index = static_cast<int32_t>(hidden->second);
    (*blocks)[Intern(std::move(phrase))] = hidden_index;
    return true;
  }
};

const ConceptIndex& Index() {
  static const ConceptIndex kIndex = [] {
    ConceptIndex idx;
    Terms zh{{}, {}, &idx.zh_concepts, &idx.zh_blocks};
    Terms en{{}, {}, &idx.en_concepts, &idx.en_blocks};
    std::unordered_map<std::string_view, uint16_t> by_id;
    const auto add = [&](const Concept& entry, std::string_view id) {
      const auto [it, fresh] = by_id.emplace(id, static_cast<uint16_t>(idx.ids.size()));
      if (fresh) idx.ids.push_back(id);
      const uint16_t c = it->second;
      for (auto t : entry.zh) zh.Add(std::string(t), c);
      for (auto t : entry.en) en.Add(StemPhrase(t), c);
    };
    for (const auto& entry : Table()) add(entry, entry.id);
    idx.domain_ids.reserve(DomainTable().size());
    for (const auto& domain : DomainTable()) {
      idx.domain_ids.push_back(std::string(1, kDomainPrefix) + domain.id);
      add(domain, idx.domain_ids.back());
    }
    for (const auto& b : NotConcepts().zh) {
      if (!zh.Block(std::string(b.phrase), std::string(b.term))) idx.unused.push_back(b.phrase);
    }
    for (const auto& b : NotConcepts().en) {
      if (!en.Block(StemPhrase(b.phrase), StemPhrase(b.term))) idx.unused.push_back(b.phrase);
    }
    idx.zh.Build(zh.text);
    idx.en.Build(en.text);
    return idx;
  }();
  return kIndex;
}

}  // namespace

std::vector<ConceptTerm> ConceptTerms() {
  std::vector<ConceptTerm> out;
  for (const auto& c : Table()) {
    for (auto t : c.zh) out.push_back({c.id, t, true});
    for (auto t : c.en) out.push_back({c.id, t, false});
  }
  const auto& domain_ids = Index().domain_ids;  // in DomainTable()'s order
  for (size_t i = 0; i < DomainTable().size(); ++i) {
    for (auto t : DomainTable()[i].zh) out.push_back({domain_ids[i], t, true});
    for (auto t : DomainTable()[i].en) out.push_back({domain_ids[i], t, false});
  }
  return out;
}

std::vector<std::string_view> UnusedBlockingPhrases() { return Index().unused; }

std::vector<std::string> Concepts(std::string_view normalized,
                                  const std::vector<std::string>& words) {
  const ConceptIndex& idx = Index();
  // Matches are kept until the scan ends, so that a blocking phrase can hide its term; the
  // buffers are the thread's own, reused from message to message. The concepts found are
  // listed rather than flagged in a table of every concept: a message finds a handful of the
  // thousands, and a table that size was a trip into malloc's arenas per message.
  thread_local std::vector<AhoCorasick::Match> matches, blocks;
  thread_local std::vector<uint16_t> hit;
  hit.clear();
  auto scan = [&](const AhoCorasick& automaton, std::string_view text,
                  const std::vector<std::vector<uint16_t>>& concepts,
                  const std::vector<int32_t>& blocking) {
    matches.clear();
    blocks.clear();
    automaton.ForEachMatch(text, [&](const AhoCorasick::Match& m) {
      matches.push_back(m);
      if (blocking[m.word] >= 0) blocks.push_back(m);
    });
    for (const auto& m : matches) {
      const bool hidden = std::any_of(blocks.begin(), blocks.end(), [&](const auto& b) {
        return blocking[b.word] == static_cast<int32_t>(m.word) && b.begin <= m.begin &&
               m.end <= b.end;
      });
      if (hidden) continue;
      hit.insert(hit.end(), concepts[m.word].begin(), concepts[m.word].end());
    }
  };
  scan(idx.zh, normalized, idx.zh_concepts, idx.zh_blocks);
  scan(idx.en, StemmedLine(words), idx.en_concepts, idx.en_blocks);
  std::sort(hit.begin(), hit.end());
  hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
  std::vector<std::string> found;
  found.reserve(hit.size());
  for (uint16_t c : hit) found.emplace_back(idx.ids[c]);
  return found;
}

}  // namespace parley::nlp
