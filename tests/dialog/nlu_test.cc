#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "dialog/entities.h"
#include "dialog/flow_loader.h"
#include "dialog/intent_eval.h"
#include "fakes/fake_embedder.h"
#include "test_flow.h"

namespace parley::dialog {
namespace {

class EntityTest : public ::testing::Test {
 protected:
  std::vector<Entity> Extract(const std::string& text,
                              std::chrono::sys_days today = Day(2026, 11, 21)) {
    return nlu_->Analyze(text, today).entities;
  }
  std::string ValueOf(const std::string& text, const std::string& type) {
    for (const auto& e : Extract(text)) {
      if (e.type == type) return e.value;
    }
    return "(none)";
  }
  std::shared_ptr<const Flow> flow_ = FlowFromYaml(kShopFlow);
  std::shared_ptr<const Nlu> nlu_ = NluFor(*flow_);
};

TEST_F(EntityTest, ResolvesRelativeAndAbsoluteDates) {
  // 2026-11-21 is a Saturday.
  EXPECT_EQ(ValueOf("今天", "date"), "2026-11-21");
  EXPECT_EQ(ValueOf("明天送到", "date"), "2026-11-22");
  EXPECT_EQ(ValueOf("昨天下的单", "date"), "2026-11-20");
  EXPECT_EQ(ValueOf("11月3日到货", "date"), "2026-11-03");
  EXPECT_EQ(ValueOf("2025年2月1日", "date"), "2025-02-01");
  EXPECT_EQ(ValueOf("deliver next Monday", "date"), "2026-11-23");
  EXPECT_EQ(ValueOf("下周一", "date"), "2026-11-23");
  EXPECT_EQ(ValueOf("tomorrow please", "date"), "2026-11-22");
  EXPECT_EQ(ValueOf("on Nov 3rd", "date"), "2026-11-03");
  EXPECT_EQ(ValueOf("2月30日", "date"), "(none)");  // not a real day
}

TEST_F(EntityTest, FindsMoneyInEveryForm) {
  EXPECT_EQ(ValueOf("退我¥100", "money"), "100.00 CNY");
  EXPECT_EQ(ValueOf("退我￥１００", "money"), "100.00 CNY");  // full-width
  EXPECT_EQ(ValueOf("花了50元", "money"), "50.00 CNY");
  EXPECT_EQ(ValueOf("30块钱", "money"), "30.00 CNY");
  EXPECT_EQ(ValueOf("it cost $19.99", "money"), "19.99 USD");
  EXPECT_EQ(ValueOf("20 dollars", "money"), "20.00 USD");
}

TEST_F(EntityTest, FindsPhonesEmailsAndNumbers) {
  EXPECT_EQ(ValueOf("电话138 1234 5678", "phone"), "13812345678");
  EXPECT_EQ(ValueOf("call +86 138-1234-5678", "phone"), "13812345678");
  EXPECT_EQ(ValueOf("12345678901234", "phone"), "(none)");  // longer digit run: not a phone
  EXPECT_EQ(ValueOf("mail me at Bob.Smith@Example.com", "email"), "bob.smith@example.com");
  EXPECT_EQ(ValueOf("买3件", "number"), "3");
  EXPECT_EQ(ValueOf("三百五十个", "number"), "350");
  EXPECT_EQ(ValueOf("两千", "number"), "2000");
}

TEST_F(EntityTest, FindsFlowRegexAndLookupEntitiesWithSynonyms) {
  EXPECT_EQ(ValueOf("订单12345678坏了", "order_id"), "12345678");
  EXPECT_EQ(ValueOf("订单12345678坏了", "reason"), "damaged");
  EXPECT_EQ(ValueOf("it's too small", "reason"), "size");
  EXPECT_EQ(ValueOf("it's BROKEN", "reason"), "damaged");
  EXPECT_EQ(ValueOf("unbroken", "reason"), "(none)");  // whole words only for English
}

TEST_F(EntityTest, LongerMatchWinsOverlaps) {
  const auto es = Extract("¥100");
  ASSERT_EQ(es.size(), 1u);
  EXPECT_EQ(es[0].type, "money");
}

TEST(ChineseNumberTest, Parses) {
  EXPECT_EQ(ParseChineseNumber("十二"), 12);
  EXPECT_EQ(ParseChineseNumber("二十"), 20);
  EXPECT_EQ(ParseChineseNumber("一万两千"), 12000);
  EXPECT_FALSE(ParseChineseNumber("一").has_value());
}

class ClassifierTest : public ::testing::Test {
 protected:
  Classification Classify(const std::string& text) {
    return nlu_->Analyze(text, Day(2026, 11, 21)).intent;
  }
  std::shared_ptr<const Flow> flow_ = FlowFromYaml(kShopFlow);
  std::shared_ptr<const Nlu> nlu_ = NluFor(*flow_);
};

TEST_F(ClassifierTest, ExactPatternIsCertain) {
  const auto c = Classify("你好！");
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.top.name, "greet");
  EXPECT_DOUBLE_EQ(c.top.confidence, 1.0);
  EXPECT_TRUE(c.in_scope);
}

TEST_F(ClassifierTest, MatchesParaphrasesTyposAndWordOrder) {
  for (auto [text, intent] : std::vector<std::pair<std::string, std::string>>{
           {"帮我查查订单到哪了", "order_status"},
           {"wher is my ordr", "order_status"},
           {"my order, where is it", "order_status"},
           {"退貨", "return_request"},  // traditional characters
           {"shipping how much", "shipping_fee"},
           {"请问包邮吗？", "shipping_fee"},
           {"I'd like to return this item", "return_request"}}) {
    const auto c = Classify(text);
    EXPECT_EQ(c.top.name, intent) << text;
    EXPECT_TRUE(c.in_scope) << text << " confidence " << c.top.confidence;
  }
}

TEST_F(ClassifierTest, OutOfScopeInputsFallBelowTheThreshold) {
  for (const char* text : {"今天天气怎么样", "tell me a joke", "量子力学是什么", "asdfgh"}) {
    const auto c = Classify(text);
    EXPECT_FALSE(c.in_scope) << text << " -> " << c.top.name << " " << c.top.confidence;
  }
  EXPECT_FALSE(Classify("").in_scope);
}

TEST_F(ClassifierTest, ReportsARunnerUpAndMonotoneConfidence) {
  const auto c = Classify("退款进度怎么样");
  EXPECT_EQ(c.top.name, "refund");
  EXPECT_FALSE(c.runner_up.name.empty());
  EXPECT_NE(c.runner_up.name, c.top.name);
  EXPECT_GE(c.top.confidence, c.runner_up.confidence);
  EXPECT_GT(nlu_->classifier().calibration_a(), 0);
}

TEST_F(ClassifierTest, MarginSendsAmbiguousInputsOutOfScope) {
  auto flow = FlowFromYaml(R"(
margin: 0.5
intents:
  - {name: a, patterns: [订单查询], response: a}
  - {name: b, patterns: [订单退货], response: b}
)");
  const auto nlu = NluFor(*flow);
  const auto c = nlu->Analyze("订单", Day(2026, 1, 1)).intent;
  EXPECT_FALSE(c.in_scope) << c.top.confidence << " vs " << c.runner_up.confidence;
}

TEST_F(ClassifierTest, KeywordsAreStrongEvidence) {
  auto flow = FlowFromYaml(R"(
intents:
  - {name: invoice, patterns: [怎么开票], keywords: [发票], response: a}
  - {name: other, patterns: [别的事情], response: b}
)");
  const auto nlu = NluFor(*flow);
  const auto with = nlu->Analyze("我需要一张发票给公司报销", Day(2026, 1, 1)).intent;
  EXPECT_EQ(with.top.name, "invoice");
  EXPECT_TRUE(with.in_scope) << with.top.confidence;
}

// A flow whose intents borrow from the intent library has both softmax models, and its
// confidence is the learned one (intent_calibration.cc); without the models, the Platt curve.
TEST(LearnedConfidenceTest, WeighsTheEvidenceOfFlowsWithBothModels) {
  constexpr char kFlow[] = R"(
intents:
  - {name: shipping_fee, patterns: [运费多少, 包邮吗, how much is shipping], response: a}
  - {name: refund_status, patterns: [退款到哪了, 钱什么时候退回来, where is my refund], response: b}
  - {name: greet, patterns: [你好, 在吗, hello], response: c}
  - {name: strap_sizing, patterns: [表带怎么调, 表带太长了, how do i resize the strap], response: d}
)";
  const auto nlu = NluFor(*FlowFromYaml(kFlow));
  ASSERT_TRUE(nlu->classifier().learned_confidence());
  const auto classify = [&](const char* text) {
    return nlu->Analyze(text, Day(2026, 1, 1)).intent;
  };
  const auto in = classify("请问这个要运费吗");
  EXPECT_EQ(in.top.name, "shipping_fee");
  EXPECT_TRUE(in.in_scope) << in.top.confidence;
  EXPECT_GE(in.top.confidence, in.runner_up.confidence);
  const auto out = classify("明天会下雨吗");
  EXPECT_FALSE(out.in_scope) << out.top.name << " " << out.top.confidence;
  // The same words about another business (a food-delivery app) are much less likely this
  // flow's.
  const auto own = classify("退款什么时候到账");
  const auto foreign = classify("美团外卖的退款什么时候到账");
  EXPECT_EQ(own.top.name, "refund_status");
  EXPECT_TRUE(own.in_scope) << own.top.confidence;
  EXPECT_LT(foreign.top.confidence, own.top.confidence);
  EXPECT_FALSE(foreign.in_scope) << foreign.top.confidence;

  auto off = FlowFromYaml(std::string(kFlow) + "intent_models: false\n");
  EXPECT_FALSE(NluFor(*off)->classifier().learned_confidence());
}

// The flow's model outweighs a product's name that an intent of the business's own shares with
// the message, and the library's messages on the borders between its intents carry a request
// that begins with another intent's words.
TEST(LearnedConfidenceTest, TheRequestDecidesNotTheProductNameOrTheContext) {
  const auto flow = FlowFromYaml(R"(
intents:
  - {name: order_status, patterns: [我的订单到哪了, 查物流, 订单发货了吗, track my order], response: a}
  - {name: delivery_time, patterns: [几天能到, 什么时候发货, 今天能发吗, how long does shipping take], response: b}
  - {name: cancel_order, patterns: [取消订单, 不想要了能取消吗, 拍错了取消一下, cancel my order], response: c}
  - {name: return_policy, patterns: [怎么退货, 支持七天无理由吗, 退货地址发我, how do i return it], response: d}
  - {name: refund_status, patterns: [退款到哪了, 退款什么时候到账, 钱什么时候退回来, where is my refund], response: e}
  - {name: pharmacist_consult, patterns: [咨询药师, 感冒吃什么药好, 这两个药能一起吃吗, 孩子发烧吃什么药], response: f}
  - {name: prescription_drugs, patterns: [处方药怎么买, 买处方药要上传处方吗, 这个药需要处方吗, do i need a prescription], response: g}
  - {name: dosage, patterns: [这个药一天吃几次, 饭前吃还是饭后吃, 药怎么吃, how many pills a day], response: h}
  - {name: greeting, patterns: [你好, 在吗, hello], response: i}
)");
  const auto nlu = NluFor(*flow);
  ASSERT_TRUE(nlu->classifier().learned_confidence());
  const auto top = [&](const char* text) {
    return nlu->Analyze(text, Day(2026, 1, 1)).intent.top.name;
  };
  EXPECT_EQ(top("我的药寄出来了没"), "order_status");
  EXPECT_EQ(top("孩子咳嗽吃什么药"), "pharmacist_consult");
  EXPECT_EQ(top("退货早就寄回去了，钱呢"), "refund_status");
  EXPECT_EQ(top("趁还没发货把这单撤了吧"), "cancel_order");
}

TEST(LearnedConfidenceTest, RisesWithTheEvidenceForAnIntentAndFallsWithItsRival) {
  IntentClassifier::Evidence e{.score = 0.5,
                               .similarity = 0.4,
                               .flow_odds = 0.5,
                               .library_odds = 0.5,
                               .other = 0.2,
                               .known = 0.8};
  const double base = IntentClassifier::LearnedConfidence(e);
  EXPECT_GT(base, 0);
  EXPECT_LT(base, 1);
  const auto with = [&](auto change) {
    auto x = e;
    change(x);
    return IntentClassifier::LearnedConfidence(x);
  };
  EXPECT_GT(with([](auto& x) { x.similarity = 0.7; }), base);
  EXPECT_GT(with([](auto& x) { x.flow_odds = 0.9; }), base);
  EXPECT_GT(with([](auto& x) { x.library_odds = 0.9; }), base);
  EXPECT_GT(with([](auto& x) { x.known = 1.0; }), base);
  EXPECT_LT(with([](auto& x) { x.other = 0.45; }), base);
  EXPECT_LT(with([](auto& x) { x.foreign = true; }), base);
  // A message sharing almost nothing with the flow is almost surely not its (below the default
  // threshold even for an intent of the business's own, which borrows nothing); one that
  // matches an intent well, clear of the rest, almost surely is.
  EXPECT_LT(
      IntentClassifier::LearnedConfidence({.score = 0.05, .similarity = 0.05, .library_odds = 0}),
      0.1);
  EXPECT_LT(IntentClassifier::LearnedConfidence({.score = 0.05, .similarity = 0.05}), 0.3);
  EXPECT_GT(IntentClassifier::LearnedConfidence({.score = 1.2,
                                                 .similarity = 0.8,
                                                 .flow_odds = 0.95,
                                                 .library_odds = 0.95,
                                                 .other = 0.1,
                                                 .known = 1}),
            0.9);
}

TEST(EmbeddingSignalTest, EmbeddingsRescueParaphrasesWithNoWordInCommon) {
  auto flow = FlowFromYaml(R"(
intents:
  - {name: thanks, patterns: [谢谢, thank you, thanks a lot], response: a}
  - {name: weather, patterns: [天气预报, weather forecast, 天气怎么样], response: b}
  - {name: shipping, patterns: [运费多少, how much is shipping, 包邮吗], response: c}
)");
  const auto lexical = NluFor(*flow);
  auto embedder = std::make_shared<testing::FakeEmbedder>();
  auto normalizer = nlp::Normalizer::Create();
  auto with = Nlu::Create(*flow, *normalizer, embedder, 0.5);
  ASSERT_TRUE(with.ok());
  EXPECT_GT(embedder->calls.load(), 8);  // every pattern was embedded at load
  // The learned confidence was fitted without embeddings: with them, the Platt curve.
  EXPECT_TRUE(lexical->classifier().learned_confidence());
  EXPECT_FALSE((*with)->classifier().learned_confidence());
  const auto day = Day(2026, 1, 1);
  // "umbrella" shares no word with any weather pattern; its embedding is close to them.
  const auto alone = lexical->Analyze("do i need an umbrella tomorrow", day).intent;
  EXPECT_FALSE(alone.top.name == "weather" && alone.in_scope) << alone.top.confidence;
  const auto c = (*with)->Analyze("do i need an umbrella tomorrow", day).intent;
  EXPECT_EQ(c.top.name, "weather");
  EXPECT_TRUE(c.in_scope) << c.top.confidence;
  // A failing model leaves the lexical classifier working.
  embedder->fail = true;
  EXPECT_EQ((*with)->Analyze("运费多少", day).intent.top.name, "shipping");
}

TEST(ConceptSignalTest, EnglishMessagesMatchChineseOnlyPatterns) {
  auto flow = FlowFromYaml(R"(
intents:
  - {name: refund, patterns: [退款进度, 退款什么时候到账], response: a}
  - {name: shipping_fee, patterns: [运费多少, 包邮吗], response: b}
  - {name: invoice, patterns: [怎么开发票], response: c}
)");
  const auto nlu = NluFor(*flow);
  const auto day = Day(2026, 1, 1);
  EXPECT_EQ(nlu->Analyze("where is my refund", day).intent.top.name, "refund");
  EXPECT_EQ(nlu->Analyze("is shipping free?", day).intent.top.name, "shipping_fee");
  EXPECT_EQ(nlu->Analyze("can I get a receipt", day).intent.top.name, "invoice");
}

// A question about something the flow never mentions (a bank account, a train ticket, a
// courier's parcel), asked with the flow's own words (change, lost, 查), belongs to another
// business: it goes to the fallback, while the flow's own questions still match. The airline
// flow and its lines were written by someone who never saw the classifier (eval/).
TEST(ConceptSignalTest, AThingTheFlowNeverMentionsSendsTheMessageOutOfScope) {
  auto loaded = LoadFlowFile(std::string(PARLEY_SOURCE_DIR) + "/eval/airline.yaml");
  ASSERT_TRUE(loaded.ok()) << (loaded.issues.empty() ? "" : loaded.issues[0].ToString());
  Flow flow = *loaded.flow;
  flow.intent_library = false;  // the signal on its own (the library lends known words)
  const auto nlu = NluFor(flow);
  const auto day = Day(2026, 1, 1);
  for (const char* text :
       {"i want to change my phone number on my bank account",
        "my package was lost by the courier, what should i do", "帮我查一下火车票"}) {
    const auto c = nlu->Analyze(text, day).intent;
    EXPECT_FALSE(c.in_scope) << text << " -> " << c.top.name << " " << c.top.confidence;
  }
  for (auto [text, intent] : std::vector<std::pair<std::string, std::string>>{
           {"my suitcase never came off the belt", "lost_baggage"},
           {"我想改签到明天的航班", "change_flight"}}) {
    const auto c = nlu->Analyze(text, day).intent;
    EXPECT_EQ(c.top.name, intent) << text;
    EXPECT_TRUE(c.in_scope) << text << " " << c.top.confidence;
  }
}

// Another business or topic (src/nlp/domains.inc) that the flow never names sends a message to
// the fallback even when the rest of it is the flow's own words; a domain the responses name is
// the business's own, so its customers may name it.
TEST(ConceptSignalTest, AnotherBusinessTheFlowNeverNamesSendsTheMessageOutOfScope) {
  const char* const kFlow = R"(
intents:
  - {name: cancel_order, patterns: [取消订单, 我不想要了能取消吗, cancel my order, I want to cancel the order], response: a}
  - {name: coupon, patterns: [有优惠券吗, 有什么优惠活动, any discount codes, do you have coupons], keywords: [优惠券], response: b}
  - {name: room, patterns: [还有空房吗, 我想订一间房, any rooms available, book a room], response: ROOM}
)";
  const auto shop = FlowFromYamlWith(kFlow, "ROOM", "c");
  const auto hotel = FlowFromYamlWith(kFlow, "ROOM", "欢迎入住本酒店 / Welcome to our hotel");
  ASSERT_TRUE(shop && hotel);
  const auto day = Day(2026, 1, 1);
  for (const auto& flow : {shop, hotel}) {
    const auto nlu = NluFor(*flow);
    for (const char* text :
         {"cancel my netflix subscription", "肯德基今天有什么优惠券", "帮我取消外卖订单"}) {
      const auto c = nlu->Analyze(text, day).intent;
      EXPECT_FALSE(c.in_scope) << text << " -> " << c.top.name << " " << c.top.confidence;
    }
    for (auto [text, intent] : std::vector<std::pair<std::string, std::string>>{
             {"please cancel my order", "cancel_order"}, {"有没有优惠券呀", "coupon"}}) {
      const auto c = nlu->Analyze(text, day).intent;
      EXPECT_EQ(c.top.name, intent) << text;
      EXPECT_TRUE(c.in_scope) << text << " " << c.top.confidence;
    }
  }
  const auto at_shop = NluFor(*shop)->Analyze("酒店还有空房吗", day).intent;
  EXPECT_FALSE(at_shop.in_scope) << at_shop.top.name << " " << at_shop.top.confidence;
  const auto at_hotel = NluFor(*hotel)->Analyze("酒店还有空房吗", day).intent;
  EXPECT_EQ(at_hotel.top.name, "room");
  EXPECT_TRUE(at_hotel.in_scope) << at_hotel.top.confidence;
  // `other_domains: false`: the names are words like any other.
  const auto off = FlowFromYaml("other_domains: false\n" + std::string(kFlow));
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->other_domains);
  const auto kfc = NluFor(*off)->Analyze("肯德基今天有什么优惠券", day).intent;
  EXPECT_EQ(kfc.top.name, "coupon");
  EXPECT_TRUE(kfc.in_scope) << kfc.top.confidence;
}

// An order on another shopping platform is no business of this shop's, unless the shop sells on
// that platform and its responses say so; the platform's courier and credit stay plain words.
TEST(ConceptSignalTest, AnotherShoppingPlatformIsForeignUnlessTheShopSellsThere) {
  const char* const kFlow = R"(
intents:
  - {name: track, patterns: [我的订单到哪了, 查一下物流, 怎么还没发货, where is my order, track my package], response: TRACK}
  - {name: refund, patterns: [退款什么时候到, 退款进度, when will i get my refund, refund status], response: 1-3天到账}
  - {name: pay, patterns: [可以分期吗, 支持哪些付款方式, what payment methods do you accept], response: 支持微信和支付宝}
)";
  const auto shop = FlowFromYamlWith(kFlow, "TRACK", "请提供订单号 / Send me the order number");
  const auto jd_store = FlowFromYamlWith(
      kFlow, "TRACK", "请在京东App我的订单中查看物流 / See tracking under My Orders in the JD app");
  ASSERT_TRUE(shop && jd_store);
  const auto day = Day(2026, 1, 1);
  const auto at_shop = NluFor(*shop);
  for (const char* text : {"我在拼多多买的东西还没发货", "my Temu order hasn't arrived yet",
                           "京东上买的手机什么时候到"}) {
    const auto c = at_shop->Analyze(text, day).intent;
    EXPECT_FALSE(c.in_scope) << text << " -> " << c.top.name << " " << c.top.confidence;
  }
  for (auto [text, intent] : std::vector<std::pair<std::string, std::string>>{
           {"我的订单怎么还没发货啊", "track"}, {"能用京东白条分期吗", "pay"}}) {
    const auto c = at_shop->Analyze(text, day).intent;
    EXPECT_EQ(c.top.name, intent) << text;
    EXPECT_TRUE(c.in_scope) << text << " " << c.top.confidence;
  }
  const auto at_jd = NluFor(*jd_store)->Analyze("京东上买的东西怎么还没发货", day).intent;
  EXPECT_EQ(at_jd.top.name, "track");
  EXPECT_TRUE(at_jd.in_scope) << at_jd.top.confidence;
}

TEST(ConceptSignalTest, WhatAResponseTalksOfCountsForItsIntent) {
  // The patterns never say "credit card"; the response does. A customer asking whether cards
  // are taken is asking this intent, in either language.
  const char* const kFlow = R"(
intent_library: false
intents:
  - {name: pay, patterns: [可以用花呗吗, 支持分期付款吗, what payment methods do you accept, can I pay in installments], response: "RESPONSE"}
  - {name: ship, patterns: [运费多少, 包邮吗, how much is shipping, is shipping free], response: 满99包邮}
  - {name: track, patterns: [我的订单到哪了, 查一下物流, where is my order, track my package], response: 请提供订单号}
  - {name: refund, patterns: [退款什么时候到, 退款进度, when will i get my refund, refund status], response: 1-3天到账}
)";
  const auto silent =
      FlowFromYamlWith(kFlow, "RESPONSE", "支持支付宝和微信 / Alipay and WeChat Pay");
  const auto cards = FlowFromYamlWith(
      kFlow, "RESPONSE", "支持支付宝、微信和信用卡 / Alipay, WeChat Pay and credit cards");
  ASSERT_TRUE(silent && cards);
  const auto day = Day(2026, 1, 1);
  for (const char* text : {"do you take credit cards", "信用卡可以付吗"}) {
    const auto before = NluFor(*silent)->Analyze(text, day).intent;
    const auto after = NluFor(*cards)->Analyze(text, day).intent;
    EXPECT_EQ(after.top.name, "pay") << text;
    EXPECT_TRUE(after.in_scope) << text << " " << after.top.confidence;
    EXPECT_GT(after.top.confidence, before.top.confidence + 0.1) << text;
  }
  // It is weaker evidence than a pattern: a response's concept alone does not take a message
  // that another intent's patterns say.
  const auto refund = NluFor(*cards)->Analyze("我的退款到哪了", day).intent;
  EXPECT_EQ(refund.top.name, "refund");
}

TEST(CompoundWordTest, OneWordAndTwoWordsMatchEachOther) {
  auto flow = FlowFromYaml(R"(
intents:
  - {name: checkin, patterns: [what time is check-in, can i check in early], response: a}
  - {name: checkout, patterns: [what time is checkout, late checkout], response: b}
  - {name: account, patterns: [i cannot login, reset my password], response: c}
)");
  const auto nlu = NluFor(*flow);
  const auto day = Day(2026, 1, 1);
  // Two words the patterns write as one, and one word they write as two.
  const auto out = nlu->Analyze("when do we have to check out", day).intent;
  EXPECT_EQ(out.top.name, "checkout");
  EXPECT_EQ(nlu->Analyze("is checkin possible before noon", day).intent.top.name, "checkin");
  EXPECT_EQ(nlu->Analyze("i can't log in to the app", day).intent.top.name, "account");
}

TEST_F(ClassifierTest, SentimentRidesAlong) {
  const auto r = nlu_->Analyze("退款还没到，气死我了", Day(2026, 1, 1));
  EXPECT_EQ(r.sentiment.emotion, "anger");
  EXPECT_EQ(r.intent.top.name, "refund");
}

}  // namespace
}  // namespace parley::dialog

namespace parley::dialog {
namespace {

// A guard on the classifier as a whole: four generic customer-service flows of eval/ (written
// blind, in the learned confidence's fit) keep their in-scope accuracy and out-of-scope recall.
// The floors sit about three points under the figures of 2026-12-08 (0.934 / 0.823, after the
// other shopping platforms and the product-question thesaurus; 0.932 / 0.781 before): the
// classifier trains with fixed seeds, so a fall below them is a change to the classifier, not
// chance. The held-out figures are in bench/results/intents.md (bench/intent_eval.sh).
TEST(IntentAccuracyTest, GenericCustomerServiceFlowsKeepTheirAccuracy) {
  double in_scope = 0, out_of_scope = 0;
  const std::vector<std::string> names = {"general_store_cs", "online_retail_cs",
                                          "platform_store_cs", "electronics_online_cs"};
  for (const auto& name : names) {
    const std::string base = std::string(PARLEY_SOURCE_DIR) + "/eval/" + name;
    auto loaded = LoadFlowFile(base + ".yaml");
    ASSERT_TRUE(loaded.ok()) << name;
    std::ifstream in(base + "_test.jsonl");
    std::vector<LabelledUtterance> data;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const auto j = nlohmann::json::parse(line);
      data.push_back({j.at("text").get<std::string>(), j.at("intent").get<std::string>()});
    }
    ASSERT_EQ(data.size(), 240u) << name;
    const auto report = EvaluateIntents(*NluFor(*loaded.flow), *loaded.flow, data);
    in_scope += report.in_scope_accuracy / names.size();
    out_of_scope += report.oos.recall() / names.size();
  }
  EXPECT_GE(in_scope, 0.90);
  EXPECT_GE(out_of_scope, 0.79);
}

}  // namespace
}  // namespace parley::dialog
