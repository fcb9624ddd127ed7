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

const std::vector<Concept>& Table() {
  static const std::vector<Concept> kTable = {
      {"order", {"订单", "单子", "下单", "下的单", "买的东西", "订的"}, {"order", "purchase"}},
      {"track",
       {"到哪", "物流", "进度", "状态", "跟踪", "追踪", "单号"},
       {"track", "status", "progress", "whereabout"}},
      {"where", {"在哪", "什么地方", "哪里", "哪儿"}, {"where"}},
      {"return", {"退货", "退回", "退掉", "寄回", "想退", "要退"}, {"return", "send back"}},
      {"refund",
       {"退款", "退钱", "钱退", "返款", "到账", "退的钱"},
       {"refund", "money back", "reimburse"}},
      {"cancel", {"取消", "撤销", "撤掉", "撤单", "不要了", "不想买"}, {"cancel", "call off"}},
      {"address", {"地址", "住址"}, {"address", "where it ship"}},
      {"change",
       {"修改", "更改", "改成", "改下", "改一下", "换成", "换个", "改地址"},
       {"change", "update", "modify", "edit"}},
      {"ship",
       {"发货", "配送", "送货", "快递", "运送", "到货", "送到", "收到", "能到", "寄到", "包裹",
        "邮寄", "顺丰", "派送"},
       {"ship", "deliver", "delivery", "dispatch", "arrive", "shipment", "package", "parcel",
        "courier", "post"}},
      {"cost",
       {"运费", "邮费", "费用", "多少钱", "收费", "价格", "价钱", "加钱", "要钱", "另收", "花多少"},
       {"cost", "fee", "price", "charge", "how much", "pay for", "extra"}},
      {"free", {"免费", "包邮"}, {"free"}},
      {"pay",
       {"支付", "付款", "付钱", "结账", "货到付款", "扣款", "扣了", "信用卡", "银行卡", "花呗",
        "支付宝", "微信支付", "分期"},
       {"pay", "payment", "paypal", "charged", "credit card", "debit card", "alipay", "apple pay",
        "installment"}},
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
       {"coupon", "discount", "promo", "deal", "voucher", "cheaper"}},
      {"member", {"会员", "积分", "等级"}, {"member", "membership", "loyalty", "point", "reward"}},
      {"account",
       {"账号", "账户", "登录", "登陆", "登不", "密码", "验证码", "注册"},
       {"account", "login", "log in", "sign in", "password", "pasword", "verification"}},
      {"complaint",
       {"投诉", "不满", "差评", "太差", "很差", "举报", "抱怨", "态度", "糟糕", "垃圾", "失望",
        "差劲", "气死", "不像话"},
       {"complain", "complaint", "terrible", "awful", "unacceptable", "unhappy", "worst",
        "horrible", "disappointed", "ridiculous", "furious", "angry"}},
      {"human",
       {"人工", "真人", "转接", "客服人员", "人工服务", "找个人", "机器人", "自动回复", "小姐姐"},
       {"human", "agent", "real person", "representative", "someone real", "operator",
        "live person", "staff member", "actual human", "a real human",
        "speak with someone", "talk with someone"}},
      {"hours",
       {"营业时间", "上班", "下班", "几点", "工作时间", "在线", "开门", "关门", "周末", "晚上",
        "节假日"},
       {"hour", "open", "opening", "weekend", "sunday", "saturday", "business hour", "online",
        "offline", "holiday", "close"}},
      {"contact",
       {"电话", "联系", "邮箱", "热线", "号码"},
       {"phone", "contact", "email", "hotline", "call", "reach", "number"}},
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
        "take care",
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
        "have a good one"}},
      {"thanks",
       {"谢谢", "感谢", "多谢", "谢了", "谢啦", "辛苦了", "麻烦你了", "感恩感恩", "帮大忙了"},
       {"thank", "thanks", "thx", "ty", "appreciate", "cheer"}},
      {"broken",
       {"坏了", "破损", "损坏", "质量问题", "有问题", "坏的"},
       {"broken", "damaged", "defective", "faulty"}},
      {"wrong", {"发错", "错了", "不对", "下错"}, {"wrong", "incorrect", "mistake"}},
      {"missing",
       {"少了", "漏发", "缺件", "没收到", "少发", "丢了", "丢件"},
       {"missing", "lost", "never arrived", "not received", "didn't receive", "didn't get"}},
      {"exchange",
       {"换货", "调换", "换一个", "换一件", "换个新"},
       {"exchange", "swap", "replacement", "replace"}},
      // Other service domains: telecom, banking, travel.
      {"balance",
       {"余额", "还剩多少", "剩多少钱", "剩余话费"},
       {"balance", "remaining credit", "credit left"}},
      {"topup",
       {"充值", "充话费", "充钱", "缴费", "交费", "交钱", "欠费"},
       {"top up", "topup", "recharge", "add credit"}},
      {"data", {"流量", "加油包"}, {"data", "gb", "mobile data"}},
      {"plan", {"套餐", "月租", "资费"}, {"plan", "tariff", "package", "monthly fee"}},
      {"signal",
       {"信号", "掉线", "断线", "没服务", "无服务", "打不出", "打不通"},
       {"signal", "reception", "no service", "dropped call", "calls drop", "coverage"}},
      {"internet",
       {"宽带", "光纤", "网络", "网速", "上网", "连不上网"},
       {"broadband", "fibre", "fiber", "internet", "wifi", "wi-fi", "connection"}},
      {"sim", {"手机卡", "电话卡", "补卡", "sim"}, {"sim", "sim card"}},
      {"abroad",
       {"漫游", "出国", "国外", "境外", "海外"},
       {"roaming", "abroad", "overseas", "international", "travel"}},
      {"close_account",
       {"注销", "销号", "销户", "停机", "销卡"},
       {"terminate", "deactivate", "close my account", "close account", "disconnect"}},
      {"transfer", {"转账", "汇款", "打钱", "转钱"}, {"transfer", "wire", "send money", "remit"}},
      {"lost_card",
       {"挂失", "冻结", "卡丢了", "卡被偷", "卡掉了"},
       {"lost card", "stolen", "freeze my card", "block my card", "lost my card"}},
      {"loan", {"贷款", "借钱", "房贷", "车贷"}, {"loan", "mortgage", "borrow", "credit line"}},
      {"interest", {"利率", "利息", "年化"}, {"interest", "rate", "apr"}},
      {"flight", {"机票", "航班", "飞机", "登机", "值机"}, {"flight", "airplane", "boarding"}},
      {"checkin", {"值机", "办理入住"}, {"check in", "checkin"}},
      {"reschedule",
       {"改签", "改期", "改日期", "换日期", "推迟"},
       {"reschedule", "change the date", "postpone", "rebook"}},
      {"luggage", {"行李", "托运", "箱子"}, {"luggage", "baggage", "suitcase"}},
      {"booking", {"预订", "预定", "订房", "订票"}, {"book", "booking", "reserve", "reservation"}},
      {"nearby",
       {"附近", "最近的", "离我近", "哪里有"},
       {"near", "nearby", "nearest", "closest", "near me", "location"}},
      {"product",
       {"参数", "规格", "材质", "颜色", "型号", "功能", "尺寸多大"},
       {"spec", "specification", "material", "colour", "color", "model", "feature"}},
#include "nlp/concepts_aftersales.inc"
#include "nlp/concepts_bookings.inc"
#include "nlp/concepts_chat_en.inc"
#include "nlp/concepts_chat_zh.inc"
#include "nlp/concepts_colloquial.inc"
#include "nlp/concepts_digital.inc"
#include "nlp/concepts_general.inc"
#include "nlp/concepts_lifestyle.inc"
#include "nlp/concepts_logistics_mobility.inc"
#include "nlp/concepts_orders.inc"
#include "nlp/concepts_retail.inc"
#include "nlp/concepts_services.inc"
#include "nlp/concepts_shopping.inc"
#include "nlp/concepts_travel_food.inc"
  };
  return kTable;
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
  std::string out = " ";
  size_t start = 0;
  while (start <= phrase.size()) {
    const size_t sp = phrase.find(' ', start);
    const std::string_view w =
        std::string_view(phrase).substr(start, sp == std::string::npos ? sp : sp - start);
    if (!w.empty()) out += Stem(w) + ' ';
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
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
  std::vector<std::string_view> ids;  // by concept; table entries with the same id are one
};

void AddTerm(std::string term, uint16_t concept_index, std::vector<std::string>* terms,
             std::vector<std::vector<uint16_t>>* concepts,
             std::unordered_map<std::string, size_t>* seen) {
  auto [it, fresh] = seen->emplace(term, terms->size());
  if (fresh) {
    terms->push_back(std::move(term));
    concepts->emplace_back();
  }
  auto& list = (*concepts)[it->second];
  if (std::find(list.begin(), list.end(), concept_index) == list.end()) {
    list.push_back(concept_index);
  }
}

const ConceptIndex& Index() {
  static const ConceptIndex kIndex = [] {
    ConceptIndex idx;
    std::vector<std::string> zh, en;
    std::unordered_map<std::string, size_t> zh_seen, en_seen;
    std::unordered_map<std::string_view, uint16_t> by_id;
    const auto& table = Table();
    for (size_t i = 0; i < table.size(); ++i) {
      const auto [it, fresh] = by_id.emplace(table[i].id, static_cast<uint16_t>(idx.ids.size()));
      if (fresh) idx.ids.push_back(table[i].id);
      const uint16_t c = it->second;
      for (auto t : table[i].zh) AddTerm(std::string(t), c, &zh, &idx.zh_concepts, &zh_seen);
      for (auto t : table[i].en) AddTerm(StemPhrase(t), c, &en, &idx.en_concepts, &en_seen);
    }
    idx.zh.Build(zh);
    idx.en.Build(en);
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
  return out;
}

std::vector<std::string> Concepts(std::string_view normalized,
                                  const std::vector<std::string>& words) {
  const ConceptIndex& idx = Index();
  std::vector<char> hit(idx.ids.size(), 0);
  idx.zh.ForEachMatch(normalized, [&](const AhoCorasick::Match& m) {
    for (uint16_t c : idx.zh_concepts[m.word]) hit[c] = 1;
  });
  idx.en.ForEachMatch(StemmedLine(words), [&](const AhoCorasick::Match& m) {
    for (uint16_t c : idx.en_concepts[m.word]) hit[c] = 1;
  });
  std::vector<std::string> found;
  for (size_t i = 0; i < hit.size(); ++i) {
    if (hit[i]) found.emplace_back(idx.ids[i]);
  }
  return found;
}

}  // namespace parley::nlp
