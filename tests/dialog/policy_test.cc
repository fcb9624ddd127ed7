// Multi-turn policy behaviour through the Assistant (memory store, no LLM): rule answers,
// forms with slot filling, re-asking, topic changes, cancel, handoff and fallback.
#include <gtest/gtest.h>

#include "dialog/assistant.h"
#include "store/memory_store.h"
#include "test_flow.h"

namespace parley::dialog {
namespace {

class PolicyTest : public ::testing::Test {
 protected:
  TurnReply Say(const std::string& message) {
    auto r = assistant_.HandleTurn({"s1", "u1", "test", message});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : TurnReply{};
  }

  std::shared_ptr<const Flow> flow_ = FlowFromYaml(kShopFlow);
  store::MemoryStore store_;
  std::vector<std::pair<std::string, store::Event>> events_;
  Assistant assistant_{flow_, NluFor(*flow_), &store_, nullptr, nullptr, [this] {
                         AssistantOptions o;
                         o.on_event = [this](const std::string& s, const store::Event& e) {
                           events_.emplace_back(s, e);
                         };
                         return o;
                       }()};
};

TEST_F(PolicyTest, ConfidentIntentGetsItsRuleAnswer) {
  const auto r = Say("运费多少？");
  EXPECT_EQ(r.source, Source::kRule);
  EXPECT_EQ(r.intent, "shipping_fee");
  EXPECT_EQ(r.reply, "满99包邮");
  EXPECT_GT(r.confidence, 0.5);
}

TEST_F(PolicyTest, FormAsksForEachMissingSlotThenAnswers) {
  auto r = Say("我要退货");
  EXPECT_EQ(r.source, Source::kForm);
  EXPECT_EQ(r.reply, "退哪个订单？");
  r = Say("订单号 20241103");
  EXPECT_EQ(r.source, Source::kForm);
  EXPECT_EQ(r.reply, "退货原因？");
  EXPECT_EQ(r.slots.at("order_id"), "20241103");
  r = Say("东西坏了");
  EXPECT_EQ(r.source, Source::kForm);
  EXPECT_EQ(r.reply, "订单 20241103 退货已受理（damaged）");
  EXPECT_EQ(r.intent, "return_request");
  // The form is over: the next message is routed normally.
  EXPECT_EQ(Say("运费多少").intent, "shipping_fee");
}

TEST_F(PolicyTest, SlotsInTheFirstMessageSkipTheirQuestions) {
  const auto r = Say("申请退货，订单12345678，尺码不对");
  EXPECT_EQ(r.reply, "订单 12345678 退货已受理（size）");
}

TEST_F(PolicyTest, ReasksWithTheInvalidMessageUntilTheSlotFits) {
  Say("查一下订单状态");
  auto r = Say("呃，我不记得了");
  EXPECT_EQ(r.source, Source::kForm);
  EXPECT_EQ(r.reply, "请提供订单号");
  r = Say("就是 12345678");
  EXPECT_EQ(r.reply, "订单 12345678 运输中");
}

TEST_F(PolicyTest, TopicChangeMidFormIsAnsweredThenTheFormResumes) {
  Say("我要退货");
  auto r = Say("包邮吗");
  EXPECT_EQ(r.intent, "shipping_fee");
  EXPECT_EQ(r.reply, "满99包邮\n退哪个订单？");
  r = Say("87654321");
  EXPECT_EQ(r.reply, "退货原因？");
  EXPECT_EQ(r.slots.at("order_id"), "87654321");
}

TEST_F(PolicyTest, CancelEndsTheForm) {
  Say("我要退货");
  auto r = Say("算了");
  EXPECT_EQ(r.source, Source::kRule);
  EXPECT_NE(r.reply.find("取消"), std::string::npos) << r.reply;
  EXPECT_EQ(Say("87654321").source, Source::kFallback);  // no form waits for it any more
}

TEST_F(PolicyTest, HandoffFlagsTheSessionAndEmitsAnEvent) {
  const auto r = Say("转人工");
  EXPECT_TRUE(r.handoff);
  EXPECT_EQ(r.reply, "转人工中");
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].first, "s1");
  EXPECT_EQ(events_[0].second.type, "handoff");
  EXPECT_EQ(store_.Events("s1")->size(), 1u);
  EXPECT_TRUE(store_.Load("s1")->value().handoff);
  EXPECT_TRUE(Say("你好").handoff);  // stays waiting for a human
}

TEST_F(PolicyTest, OutOfScopeGetsTheFallbackWithoutAModel) {
  const auto r = Say("今天天气怎么样");
  EXPECT_EQ(r.source, Source::kFallback);
  EXPECT_EQ(r.reply, "没听懂");
  EXPECT_TRUE(r.intent.empty());
}

TEST_F(PolicyTest, ConditionsOnEmotionChooseTheResponse) {
  EXPECT_EQ(Say("退款进度").reply, "退款1-3天到账");
  const auto r = Say("退款什么时候到，气死我了");
  EXPECT_EQ(r.emotion, "anger");
  EXPECT_EQ(r.reply, "别着急，退款1-3天到账");
}

TEST_F(PolicyTest, SeveralResponsesVaryAcrossSessionsButReplayTheSame) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto r = assistant_.HandleTurn({"greet-" + std::to_string(i), "", "", "你好"});
    ASSERT_TRUE(r.ok());
    seen.insert(r->reply);
  }
  EXPECT_GT(seen.size(), 1u);
  store::MemoryStore other;
  Assistant again(flow_, NluFor(*flow_), &other, nullptr, nullptr, {});
  auto a = assistant_.HandleTurn({"replay", "", "", "你好"});
  auto b = again.HandleTurn({"replay", "", "", "你好"});
  EXPECT_EQ(a->reply, b->reply);  // same seed, session and turn: same choice
}

}  // namespace
}  // namespace parley::dialog
