#include "dialog/intent_library.h"

#include <gtest/gtest.h>

#include <set>

#include "dialog/softmax_model.h"
#include "nlp/concepts.h"
#include "nlp/normalizer.h"
#include "nlp/tokenizer.h"
#include "test_flow.h"
#include "util/text.h"

namespace parley::dialog {
namespace {

constexpr char kLibraryFlow[] = R"(
intents:
  - name: refund
    patterns: [退款什么时候到, 退款进度查询, when will i get my refund, refund status]
    response: 退款1-3天到账
  - name: shipping_fee
    patterns: [运费多少, 包邮吗, how much is shipping, is shipping free]
    response: 满99包邮
  - name: opening_hours
    patterns: [你们几点开门, 营业时间是几点, what are your opening hours, when do you open]
    response: 9-18
  - name: stop
    patterns: [取消, 算了, cancel, never mind]
    action: cancel
)";

// The refund intent of the flows below; each test adds what it is about.
constexpr char kRefundIntent[] = R"(
intents:
  - name: refund
    patterns: [退款什么时候到, 退款进度查询, when will i get my refund, refund status]
    response: r
)";

std::map<std::string, std::string> Links(const Nlu& nlu) {
  std::map<std::string, std::string> out;
  for (const auto& l : nlu.library_links()) out[l.intent] = l.library;
  return out;
}

std::string Without(const std::string& yaml) { return "intent_library: false\n" + yaml; }

TEST(IntentLibraryTest, AnIntentBorrowsTheMessagesOfTheLibraryIntentItsPatternsMatch) {
  const auto nlu = NluFor(*FlowFromYaml(kLibraryFlow));
  const auto links = Links(*nlu);
  EXPECT_EQ(links.at("refund"), "refund_status");
  EXPECT_EQ(links.at("shipping_fee"), "shipping_cost");
  EXPECT_EQ(links.at("opening_hours"), "opening_hours");
  // A form's cancel command is no cancelled order.
  EXPECT_EQ(links.count("stop"), 0u);
}

// A flow's patterns are its own business: a hotel's patterns that name the hotel still find
// their library intent (other businesses, nlp/domains.inc, count only against messages).
TEST(IntentLibraryTest, PatternsNamingTheirOwnBusinessStillMatchTheLibrary) {
  const auto nlu = NluFor(*FlowFromYaml(R"(
intents:
  - name: hotel_refund
    patterns: [酒店订单退款什么时候到, 酒店退款进度查询, when will i get my hotel refund, hotel refund status]
    response: r
)"));
  EXPECT_EQ(Links(*nlu)["hotel_refund"], "refund_status");
}

TEST(IntentLibraryTest, BorrowedMessagesCatchWordingThePatternsLack) {
  const auto with = NluFor(*FlowFromYaml(kLibraryFlow));
  const auto without = NluFor(*FlowFromYaml(Without(kLibraryFlow)));
  EXPECT_TRUE(without->library_links().empty());
  const auto day = Day(2026, 12, 7);
  // (Not "it's been two weeks and nothing has hit my account" any more: the library model reads
  // "my account" as trouble with an account, and it stays just below the threshold.)
  for (const char* text :
       {"I sent the item back weeks ago, where is my money", "still waiting on my money back"}) {
    const auto w = with->Analyze(text, day).intent;
    const auto wo = without->Analyze(text, day).intent;
    EXPECT_EQ(w.top.name, "refund") << text;
    EXPECT_TRUE(w.in_scope) << text << " " << w.top.confidence;
    EXPECT_GT(w.top.confidence, wo.top.name == "refund" ? wo.top.confidence : 0) << text;
  }
  // Messages about something else stay out of scope.
  for (const char* text : {"今天天气怎么样", "帮我写一首诗"}) {
    EXPECT_FALSE(with->Analyze(text, day).intent.in_scope) << text;
  }
}

TEST(IntentLibraryTest, ABorrowedMessageIsNoExactMatch) {
  const auto nlu = NluFor(*FlowFromYaml(kLibraryFlow));
  const int i = FindLibraryIntent("refund_status");
  ASSERT_GE(i, 0);
  const std::string borrowed = IntentLibrary()[i].en.back();
  ASSERT_NE(borrowed, "refund status");
  const auto c = nlu->Analyze(borrowed, Day(2026, 12, 7)).intent;
  EXPECT_EQ(c.top.name, "refund");
  EXPECT_FALSE(c.exact);
  EXPECT_TRUE(nlu->Analyze("refund status", Day(2026, 12, 7)).intent.exact);
}

TEST(IntentLibraryTest, AFlowNamesOrRefusesTheLibraryIntentOfAnIntent) {
  const auto nlu = NluFor(*FlowFromYaml(std::string(kRefundIntent) + R"(    library: none
  - name: hours
    patterns: [几点, hours]
    response: h
    library: opening_hours
)"));
  const auto links = Links(*nlu);
  EXPECT_EQ(links.count("refund"), 0u);
  EXPECT_EQ(links.at("hours"), "opening_hours");
}

TEST(IntentLibraryTest, ALibraryIntentPinnedByOneIntentIsNotLentToAnother) {
  const auto nlu = NluFor(*FlowFromYaml(std::string(kRefundIntent) + R"(  - name: money
    patterns: [钱, money]
    response: m
    library: refund_status
)"));
  const auto links = Links(*nlu);
  EXPECT_EQ(links.at("money"), "refund_status");
  EXPECT_EQ(links.count("refund"), 0u);
}

TEST(IntentLibraryTest, TwoIntentsClaimingOneLibraryIntentLeaveItToTheSurerOne) {
  const auto nlu = NluFor(*FlowFromYaml(std::string(kRefundIntent) + R"(  - name: money_back
    patterns: [退款进度, where is my refund, 我的退款呢, 退款一直没到, has my refund been processed,
               退款到账了吗]
    response: m
)"));
  const auto links = Links(*nlu);
  EXPECT_EQ(links.size(), 1u);
  EXPECT_EQ(links.at("money_back"), "refund_status");  // six patterns chose it, against four
}

// An intent whose patterns are half a changed address and half a changed order borrows both
// library intents; a second library intent that another intent has stays with that one.
TEST(IntentLibraryTest, AnIntentWhosePatternsSplitBetweenTwoLibraryIntentsBorrowsBoth) {
  constexpr char kChange[] = R"(
intents:
  - name: change_order
    patterns: [修改收货地址, 订单能改地址吗, change my shipping address, 我想改订单里的颜色和尺码,
               modify my order, can I add an item to my order]
    response: c
  - name: refund
    patterns: [退款什么时候到, 退款进度查询, when will i get my refund, refund status]
    response: r
)";
  const auto nlu = NluFor(*FlowFromYaml(kChange));
  ASSERT_EQ(nlu->library_links().size(), 2u);
  std::set<std::string> borrowed;
  for (const auto& l : nlu->library_links()) {
    if (l.intent != "change_order") continue;
    borrowed = {l.library, l.second};
  }
  EXPECT_EQ(borrowed, (std::set<std::string>{"change_address", "modify_order"}));
  const auto day = Day(2026, 12, 7);
  // One of modify_order's messages: 0.29 with change_address's messages alone, out of scope.
  const auto size = nlu->Analyze("wrong size selected at checkout, can you fix it", day).intent;
  EXPECT_EQ(size.top.name, "change_order");
  EXPECT_GT(size.top.confidence, 0.5);
  // The messages of both library intents are the intent's.
  for (const char* id : {"change_address", "modify_order"}) {
    const auto& li = IntentLibrary()[FindLibraryIntent(id)];
    for (const std::string text : {li.zh.back(), li.en.back()}) {
      const auto c = nlu->Analyze(text, day).intent;
      EXPECT_EQ(c.top.name, "change_order") << text;
      EXPECT_TRUE(c.in_scope) << text << " " << c.top.confidence;
    }
  }
  const auto with_address = NluFor(*FlowFromYaml(std::string(kChange) + R"(  - name: address
    patterns: [改地址, 地址写错了, change my address, wrong delivery address]
    response: a
    library: change_address
)"));
  for (const auto& l : with_address->library_links()) {
    if (l.intent == "change_order") {
      EXPECT_NE(l.second, "change_address");
    }
  }
}

// The library model (softmax_model.h) has learnt from all of the library's messages which
// words tell neighbouring intents apart.
TEST(LibraryModelTest, TellsNeighbouringLibraryIntentsApart) {
  const auto normalizer = nlp::Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  const SoftmaxModel& model = LibraryModel(**normalizer);
  EXPECT_EQ(&model, &LibraryModel(**normalizer));  // trained once
  const auto& library = IntentLibrary();
  // Far fewer weights than the dense matrix of features by intents.
  EXPECT_GT(model.weights(), 1000u);
  EXPECT_LT(model.weights(), 200000u);
  for (auto [text, id] : std::vector<std::pair<std::string, std::string>>{
           {"账号被锁了怎么办", "account_login"},
           {"i'm locked out of my account", "account_login"},
           {"忘记密码了怎么重置", "reset_password"},
           {"昨天刚买今天就便宜了50", "price_adjustment"},
           {"有没有满减券可以用", "coupons_discounts"},
           {"tracking says delivered but nothing came", "package_not_received"}}) {
    std::vector<double> p;
    model.Probabilities(nlp::Features((*normalizer)->ForMatching(text)), &p);
    ASSERT_EQ(p.size(), library.size());
    double sum = 0;
    for (double q : p) sum += q;
    EXPECT_NEAR(sum, 1.0, 1e-5);  // computed in float
    const auto top = std::max_element(p.begin(), p.end()) - p.begin();
    EXPECT_EQ(library[top].id, id) << text << ": " << library[top].id << " " << p[top];
  }
  // Nothing the library knows: no intent stands out.
  std::vector<double> p;
  model.Probabilities(nlp::Features("zzzz qqqq"), &p);
  EXPECT_LT(*std::max_element(p.begin(), p.end()), 0.2);
}

// A model fitted on a few examples learns the words that tell its classes apart, gives the same
// weights on every fit, and spreads its probability when it knows none of a message's words.
TEST(SoftmaxModelTest, LearnsWhichWordsTellClassesApartTheSameWayEveryTime) {
  auto features = [](const char* text) { return nlp::Features(text); };
  SoftmaxModel::Examples examples;
  for (const char* t : {"where is my parcel", "track my parcel", "parcel status please"}) {
    examples.emplace_back(0, features(t));
  }
  for (const char* t : {"i want my money back", "refund my money", "money back please"}) {
    examples.emplace_back(1, features(t));
  }
  for (const char* t : {"opening hours", "when do you open", "hours on sunday"}) {
    examples.emplace_back(2, features(t));
  }
  const auto a = SoftmaxModel::Fit(examples, 3, 8), b = SoftmaxModel::Fit(examples, 3, 8);
  std::vector<double> pa, pb;
  for (auto [text, klass] : std::vector<std::pair<const char*, int>>{
           {"is my parcel lost", 0}, {"where is the money", 1}, {"sunday hours", 2}}) {
    a->Probabilities(features(text), &pa);
    b->Probabilities(features(text), &pb);
    ASSERT_EQ(pa.size(), 3u);
    EXPECT_EQ(std::max_element(pa.begin(), pa.end()) - pa.begin(), klass) << text;
    EXPECT_GT(pa[klass], 0.6) << text;
    EXPECT_EQ(pa, pb) << text;
  }
  a->Probabilities(features("zzzz"), &pa);
  EXPECT_LT(*std::max_element(pa.begin(), pa.end()), 0.5);
}

// Dropout: when one word marks every example of a class, a model trained on whole examples
// leans on it; one that must make do with half of each example's words learns the others too,
// so a message with one of those alone is recognised more surely.
TEST(SoftmaxModelTest, DropoutLearnsFromEveryWordNotJustTheOneThatMarksAClass) {
  auto words = [](std::initializer_list<const char*> keys) {
    std::vector<nlp::Feature> out;
    for (const char* k : keys) out.push_back({std::string("w:") + k, nlp::FeatureKind::kWord});
    return out;
  };
  SoftmaxModel::Examples examples;
  for (auto [x, y] : std::vector<std::pair<const char*, const char*>>{
           {"where", "track"}, {"status", "late"}, {"where", "status"}, {"track", "late"}}) {
    examples.emplace_back(0, words({"parcel", x, y}));
  }
  for (auto [x, y] : std::vector<std::pair<const char*, const char*>>{
           {"back", "refund"}, {"owed", "repay"}, {"back", "owed"}, {"refund", "repay"}}) {
    examples.emplace_back(1, words({"money", x, y}));
  }
  const auto whole = SoftmaxModel::Fit(examples, 2, 8, 0);
  const auto dropped = SoftmaxModel::Fit(examples, 2, 8);
  std::vector<double> pw, pd;
  double mean_whole = 0, mean_dropped = 0;
  for (const char* w : {"where", "track", "status", "late"}) {
    whole->Probabilities(words({w}), &pw);
    dropped->Probabilities(words({w}), &pd);
    ASSERT_EQ(pd.size(), 2u);
    EXPECT_GT(pd[0], 0.9) << w;
    mean_whole += pw[0] / 4, mean_dropped += pd[0] / 4;
  }
  EXPECT_GT(mean_dropped, mean_whole + 0.05);
  // The marking word alone still says its class.
  dropped->Probabilities(words({"parcel"}), &pd);
  EXPECT_GT(pd[0], 0.7);
}

// A flow too large for a model of its own (over 400 intents) still loads and classifies, its
// borrowing intents weighed by the library model alone.
TEST(LibraryModelTest, AFlowOfManyIntentsLoadsAndClassifies) {
  std::string yaml = std::string(kRefundIntent);
  for (int i = 0; i < 400; ++i) {
    const std::string n = std::to_string(i);
    yaml += "  - {name: topic" + n + ", patterns: [topic" + n + " question, about topic" + n +
            ", 话题" + n + "], response: t}\n";
  }
  const auto nlu = NluFor(*FlowFromYaml(yaml));
  const auto day = Day(2026, 12, 7);
  EXPECT_EQ(nlu->Analyze("still waiting on my money back", day).intent.top.name, "refund");
  const auto c = nlu->Analyze("a question about topic123", day).intent;
  EXPECT_EQ(c.top.name, "topic123");
  EXPECT_TRUE(c.in_scope);
}

// An intent borrowing two library intents (account_login <- reset_password + account_login)
// meets what only the second's messages say, which the flow's own words lack ("locked"), and
// of two intents that both borrow, the model picks the one whose library intent it finds likely
// where the words of both match.
constexpr char kModelFlow[] = R"(
intents:
  - name: account_login
    patterns: [登录不了, 忘记密码, 收不到验证码, "can't log in", reset password, forgot my password]
    response: a
  - name: price_protection
    patterns: [降价了能补差价吗, 价格保护, 买完就降价了, price protection, price dropped after I bought it, price match]
    response: p
  - name: coupon
    patterns: [有优惠券吗, 优惠码怎么用, 有什么活动, any coupons, how do I use a promo code, any discounts]
    response: c
)";

TEST(LibraryModelTest, WeighsTheIntentsThatBorrow) {
  const auto nlu = NluFor(*FlowFromYaml(kModelFlow));
  const auto day = Day(2026, 12, 7);
  for (auto [text, intent] : std::vector<std::pair<std::string, std::string>>{
           {"账号被锁了", "account_login"},
           {"I'm locked out of my account", "account_login"},
           {"昨天刚买今天便宜了50", "price_protection"},
           {"别家卖得更便宜，你们能跟价吗", "price_protection"}}) {
    const auto c = nlu->Analyze(text, day).intent;
    EXPECT_EQ(c.top.name, intent) << text;
    EXPECT_TRUE(c.in_scope) << text << " " << c.top.confidence;
  }
  // Messages about something else stay out of scope.
  for (const char* text : {"帮我写一首诗", "肯德基今天有什么优惠券", "今天天气怎么样"}) {
    const auto c = nlu->Analyze(text, day).intent;
    EXPECT_FALSE(c.in_scope) << text << " -> " << c.top.name << " " << c.top.confidence;
  }
}

// `intent_models: false` leaves the scores as the similarity gives them: a price drop goes to
// the coupon intent again, whose patterns share more of its words.
TEST(LibraryModelTest, AFlowCanDoWithoutTheModels) {
  const auto flow = FlowFromYaml("intent_models: false\n" + std::string(kModelFlow));
  ASSERT_TRUE(flow);
  EXPECT_FALSE(flow->intent_models);
  const auto off = NluFor(*flow);
  const auto on = NluFor(*FlowFromYaml(kModelFlow));
  const auto day = Day(2026, 12, 7);
  EXPECT_EQ(off->Analyze("昨天刚买今天便宜了50", day).intent.top.name, "coupon");
  EXPECT_EQ(on->Analyze("昨天刚买今天便宜了50", day).intent.top.name, "price_protection");
  // The library still lends its messages without the models.
  EXPECT_EQ(off->library_links().size(), on->library_links().size());
}

TEST(IntentLibraryTest, AnUnknownLibraryIntentIsReportedWithTheIntentAndField) {
  const auto l = LoadFlowText(R"({"intents":[
    {"name":"refund","patterns":["退款"],"response":"r","library":"refunds_please"}]})",
                              "f.json");
  ASSERT_FALSE(l.ok());
  std::string all;
  for (const auto& i : l.issues) all += i.ToString() + "\n";
  // The ids that look like it are named, so the typo is easy to fix.
  EXPECT_NE(all.find(R"(intents[0] "refund": field "library": no library intent "refunds_please" )"
                     R"((refund_status, or none))"),
            std::string::npos)
      << all;
}

TEST(IntentLibraryTest, EveryLibraryIntentHasManyDistinctMessagesInBothLanguages) {
  std::set<std::string> ids, messages;
  for (const auto& li : IntentLibrary()) {
    EXPECT_TRUE(ids.insert(li.id).second) << "duplicate library intent " << li.id;
    EXPECT_GE(li.zh.size(), 20u) << li.id;
    EXPECT_GE(li.en.size(), 20u) << li.id;
    for (const auto* list : {&li.zh, &li.en}) {
      for (const char* m : *list) {
        EXPECT_TRUE(text::IsValidUtf8(m)) << li.id;
        EXPECT_FALSE(text::Trim(m).empty()) << li.id;
        EXPECT_TRUE(messages.insert(m).second) << li.id << ": listed twice: " << m;
      }
    }
  }
  EXPECT_GE(ids.size(), 80u);
}

}  // namespace
}  // namespace parley::dialog

namespace parley::dialog {
namespace {

// A domain of nlp/domains.inc sends a message that names it to the fallback wherever the flow
// never names it, so a domain term inside the library's customer messages, which are questions
// for the business itself, would turn such a customer away. The ones below were reviewed: they
// are service businesses' own messages (a restaurant's group booking, a gym's membership card),
// where that business's flow names its domain. Any new pair is a false friend until reviewed.
TEST(IntentLibraryTest, DomainTermsInTheLibrarysMessagesAreReviewed) {
  auto normalizer = nlp::Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  std::set<std::pair<std::string, std::string>> found;
  for (const auto& li : IntentLibrary()) {
    for (const auto& m : li.Messages()) {
      const std::string norm = (*normalizer)->ForMatching(m);
      for (const auto& c : nlp::Concepts(norm, nlp::Words(norm))) {
        if (c[0] == nlp::kDomainPrefix) found.emplace(li.id, c);
      }
    }
  }
  // Service businesses' own messages: a hotel guest's cancelled flight, a restaurant's table for
  // 25, a gym's membership card, a club's tennis court.
  const std::set<std::pair<std::string, std::string>> reviewed = {
      {"booking_cancellation_policy", "@flight_airline"},
      {"cancel_membership", "@gym_fitness"},
      {"freeze_membership", "@gym_fitness"},
      {"group_booking", "@restaurant"},
      {"membership_signup", "@gym_fitness"},
      {"service_price", "@gym_fitness"},
      {"service_price", "@sports_venue_booking"}};
  for (const auto& [lib, domain] : found) {
    EXPECT_TRUE(reviewed.count({lib, domain})) << lib << " names " << domain;
  }
}

}  // namespace
}  // namespace parley::dialog
