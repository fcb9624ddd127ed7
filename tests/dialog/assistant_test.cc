// The Assistant service: LLM and knowledge fallbacks, streaming, persona prompt, session
// expiry, limits, bad input and concurrent turns on one session.
#include "dialog/assistant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <thread>

#include "fakes/fake_embedder.h"
#include "fakes/fake_llm.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "support/server_process.h"
#include "test_flow.h"

namespace parley::dialog {
namespace {

class FixedKnowledge : public KnowledgeSource {
 public:
  std::optional<KnowledgeAnswer> Answer(const KnowledgeQuery& q) override {
    if (q.normalized.find("保修") == std::string::npos) return std::nullopt;
    return KnowledgeAnswer{
        "保修一年（见售后政策）[1]", {{7, "policy.md", "售后政策", 0, 3.5, "保修一年"}}, 0.9};
  }
};

class Collect : public ReplyListener {
 public:
  void OnDelta(std::string_view t) override {
    std::lock_guard lock(mu);
    text += t;
    ++deltas;
  }
  std::mutex mu;
  std::string text;
  int deltas = 0;
};

class AssistantTest : public ::testing::Test {
 protected:
  // On the fixture's memory store unless `store` is given.
  std::unique_ptr<Assistant> Make(engine::Llm* llm, KnowledgeSource* kb = nullptr,
                                  AssistantOptions o = {}, store::SessionStore* store = nullptr) {
    o.now_ms = [this] { return now_.load(); };
    return std::make_unique<Assistant>(flow_, nlu_, store ? store : &store_, llm, kb, std::move(o));
  }
  std::shared_ptr<const Flow> flow_ = FlowFromYaml(kShopFlow);
  std::shared_ptr<const Nlu> nlu_ = NluFor(*flow_);
  store::MemoryStore store_;
  std::atomic<int64_t> now_{1'795'000'000'000};
  testing::FakeLlm llm_;
};

TEST_F(AssistantTest, OutOfScopeGoesToTheLlmWithPersonaHistoryAndSlots) {
  auto a = Make(&llm_);
  ASSERT_TRUE(a->HandleTurn({"s", "", "", "申请退货，订单12345678，尺码不对"}).ok());
  Collect sink;
  auto r = a->HandleTurn({"s", "", "", "你觉得人生的意义是什么"}, &sink);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source, Source::kLlm);
  EXPECT_EQ(r->reply, llm_.reply);
  EXPECT_EQ(sink.text, llm_.reply);
  EXPECT_GT(sink.deltas, 1);  // streamed, not one blob
  const auto reqs = llm_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& m = reqs[0].messages;
  ASSERT_GE(m.size(), 3u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_NE(m[0].content.find("You help shoppers."), std::string::npos) << m[0].content;
  EXPECT_NE(m[0].content.find("Ada"), std::string::npos);
  EXPECT_NE(m[0].content.find("order_id=12345678"), std::string::npos) << m[0].content;
  EXPECT_EQ(m[1].content, "申请退货，订单12345678，尺码不对");  // the earlier turn
  EXPECT_EQ(m.back().content, "你觉得人生的意义是什么");
  EXPECT_EQ(reqs[0].session_id, "s");
}

TEST_F(AssistantTest, AfterARestartTheLlmStillSeesTheConversationSoFar) {
  testing::TempDir dir;
  {
    auto db = store::SqliteStore::Open(dir.File("s.db"));
    ASSERT_TRUE(db.ok());
    auto before = Make(&llm_, nullptr, {}, db->get());
    ASSERT_TRUE(before->HandleTurn({"s", "", "", "申请退货，订单12345678，尺码不对"}).ok());
    ASSERT_TRUE(before->HandleTurn({"s", "", "", "你好"}).ok());
  }
  auto db = store::SqliteStore::Open(dir.File("s.db"));  // a new process, an empty cache
  ASSERT_TRUE(db.ok());
  auto after = Make(&llm_, nullptr, {}, db->get());
  auto r = after->HandleTurn({"s", "", "", "你觉得人生的意义是什么"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->turn, 3);
  EXPECT_EQ(r->slots.count("order_id"), 1u);  // the state came back
  const auto reqs = llm_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& m = reqs[0].messages;
  ASSERT_GE(m.size(), 6u);  // system, two earlier exchanges, the message
  EXPECT_EQ(m[1].content, "申请退货，订单12345678，尺码不对");
  EXPECT_EQ(m[3].content, "你好");
  EXPECT_EQ(m.back().content, "你觉得人生的意义是什么");
}

TEST_F(AssistantTest, SadUsersAreMentionedToTheLlm) {
  auto a = Make(&llm_);
  ASSERT_TRUE(a->HandleTurn({"s", "", "", "我今天好难过，什么都不想做"}).ok());
  EXPECT_NE(llm_.requests().at(0).messages[0].content.find("sadness"), std::string::npos);
}

TEST_F(AssistantTest, RuleAnswersNeverCallTheLlmUnlessTheIntentAsks) {
  auto a = Make(&llm_);
  EXPECT_EQ(a->HandleTurn({"s", "", "", "运费多少"})->source, Source::kRule);
  EXPECT_TRUE(llm_.requests().empty());
  EXPECT_EQ(a->HandleTurn({"s", "", "", "陪我聊聊天"})->source, Source::kLlm);
  auto none = Make(nullptr);
  const auto r = none->HandleTurn({"t", "", "", "陪我聊聊天"});
  EXPECT_EQ(r->source, Source::kRule);  // no model: the intent's own response
  EXPECT_EQ(r->reply, "好呀");
}

TEST_F(AssistantTest, LlmFailureFallsBackToTheFallbackText) {
  llm_.fail = true;
  auto a = Make(&llm_);
  auto r = a->HandleTurn({"s", "", "", "今天天气怎么样"});
  EXPECT_EQ(r->source, Source::kFallback);
  EXPECT_EQ(r->reply, "没听懂");
  llm_.fail = false;
  llm_.refuse = true;
  EXPECT_EQ(a->HandleTurn({"s", "", "", "今天天气怎么样"})->source, Source::kFallback);
}

TEST_F(AssistantTest, KnowledgeAnswersBeforeTheLlm) {
  FixedKnowledge kb;
  auto a = Make(&llm_, &kb);
  auto r = a->HandleTurn({"s", "", "", "电视机保修多久"});
  EXPECT_EQ(r->source, Source::kKnowledge);
  EXPECT_EQ(r->reply, "保修一年（见售后政策）[1]");
  ASSERT_EQ(r->citations.size(), 1u);
  EXPECT_EQ(r->citations[0].name, "policy.md");
  EXPECT_EQ(r->citations[0].doc, 7);
  EXPECT_TRUE(llm_.requests().empty());
  EXPECT_EQ(a->HandleTurn({"s", "", "", "讲个笑话"})->source, Source::kLlm);
}

TEST_F(AssistantTest, IdleSessionStartsFreshButKeepsItsHistory) {
  AssistantOptions o;
  o.idle_timeout = std::chrono::minutes(30);
  auto a = Make(nullptr, nullptr, o);
  EXPECT_TRUE(a->HandleTurn({"s", "", "", "我要退货"})->new_conversation);
  EXPECT_FALSE(a->HandleTurn({"s", "", "", "12345678"})->new_conversation);
  now_ += 31 * 60 * 1000;
  auto view = a->GetSession("s", 100);
  EXPECT_TRUE(view->expired);
  auto r = a->HandleTurn({"s", "", "", "damaged"});
  EXPECT_TRUE(r->new_conversation);
  EXPECT_EQ(r->source, Source::kFallback);  // the old form did not survive the expiry
  EXPECT_TRUE(r->slots.empty());
  view = a->GetSession("s", 100);
  ASSERT_EQ(view->history.size(), 3u);
  EXPECT_EQ(view->history[0].epoch, 1);
  EXPECT_EQ(view->history[2].epoch, 2);
  EXPECT_EQ(view->history[2].seq, 3);
}

TEST_F(AssistantTest, RejectsBadInputNamingTheProblem) {
  AssistantOptions o;
  o.max_message_chars = 10;
  auto a = Make(nullptr, nullptr, o);
  auto reason = [&](const std::string& session, const std::string& msg) {
    auto r = a->HandleTurn({session, "", "", msg});
    return r.ok() ? std::string("ok") : r.error().reason;
  };
  EXPECT_EQ(reason("s", ""), "empty_message");
  EXPECT_EQ(reason("s", " \t\n "), "empty_message");
  EXPECT_EQ(reason("s", "一二三四五六七八九十"), "ok");  // 10 characters, 30 bytes
  EXPECT_EQ(reason("s", "一二三四五六七八九十一"), "message_too_long");
  EXPECT_EQ(reason("s", "bad\xff"), "invalid_utf8");
  EXPECT_EQ(reason("s", std::string("a\0b", 3)), "control_characters");
  EXPECT_EQ(reason("s", "a\x1b[2Jb"), "control_characters");
  EXPECT_EQ(reason("s", "line\nbreak"), "ok");
  EXPECT_EQ(reason("../etc/passwd", "hi"), "invalid_session_id");
  EXPECT_EQ(reason(std::string(65, 'a'), "hi"), "invalid_session_id");
  EXPECT_EQ(a->GetSession("nope", 10).error().code, ErrorCode::kNotFound);
}

TEST_F(AssistantTest, TurnLimitPerSessionIsEnforced) {
  AssistantOptions o;
  o.max_turns = 3;
  auto a = Make(nullptr, nullptr, o);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a->HandleTurn({"s", "", "", "你好"}).ok());
  auto r = a->HandleTurn({"s", "", "", "你好"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(a->HandleTurn({"other", "", "", "你好"}).ok());
}

TEST_F(AssistantTest, TenThousandMessagesInOneSessionStayBounded) {
  auto db = store::SqliteStore::Open(":memory:");
  ASSERT_TRUE(db.ok());
  Assistant a(flow_, nlu_, db->get(), nullptr, nullptr, {});
  for (int i = 0; i < 10000; ++i) {
    auto r = a.HandleTurn({"big", "", "", i % 2 ? "运费多少" : "今天天气怎么样"});
    ASSERT_TRUE(r.ok()) << i;
  }
  auto rec = (*db)->Load("big");
  EXPECT_EQ(rec->value().turn_count, 10000);
  // The state blob keeps a bounded window, not 10,000 messages.
  EXPECT_LT(rec->value().state.size(), 4096u);
  EXPECT_EQ(a.GetSession("big", 50)->history.size(), 50u);
}

// The message thread t sends as its i-th turn.
std::string Msg(int t, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "t%d m%d", t, i);
  return buf;
}

// Turns from `first` on were sent as "t<thread> m<index>": numbered without gaps, and each
// thread's messages in the order it sent them.
void ExpectEachThreadInOrder(const std::vector<store::TurnRecord>& history, size_t first) {
  std::map<int, int> next;
  for (size_t i = first; i < history.size(); ++i) {
    const auto& turn = history[i];
    EXPECT_EQ(turn.seq, int64_t(i + 1));
    int t = 0, m = 0;
    ASSERT_EQ(std::sscanf(turn.user_text.c_str(), "t%d m%d", &t, &m), 2);
    EXPECT_EQ(m, next[t]++) << turn.user_text;
  }
}

TEST_F(AssistantTest, ConcurrentTurnsOnOneSessionAreAllKeptInOrder) {
  auto a = Make(nullptr);
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = a->HandleTurn({"shared", "", "", Msg(t, i)});
        ASSERT_TRUE(r.ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto history = store_.History("shared", 1000, 0);
  ASSERT_EQ(history->size(), size_t(kThreads * kEach));
  ExpectEachThreadInOrder(*history, 0);
}

// Waits for the replies of TryQuickTurn, which arrive on the store's writer thread.
class QuickReplies {
 public:
  Assistant::TurnDone Done() {
    return [this](Result<TurnReply> r) {
      std::lock_guard lock(mu_);
      replies_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  std::vector<Result<TurnReply>> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return replies_.size() >= n; });
    return replies_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Result<TurnReply>> replies_;
};

TEST_F(AssistantTest, QuickTurnsAnswerRulesAndLeaveTheRestToHandleTurn) {
  auto a = Make(&llm_);
  QuickReplies quick;
  // A new session answered by a rule: done here.
  ASSERT_TRUE(a->TryQuickTurn({"", "", "", "运费多少"}, quick.Done()));
  auto got = quick.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].ok());
  EXPECT_EQ(got[0]->source, Source::kRule);
  EXPECT_EQ(got[0]->turn, 1);
  EXPECT_EQ(store_.History(got[0]->session_id, 10, 0)->size(), 1u);  // saved before the reply
  // A session known only to the store would need a read: not here.
  ASSERT_TRUE(store_
                  .SaveTurn({"cold", "", "", 1, 1, 1, 1, false, ""},
                            {1, 1, 1, "你好", "hi", "rule", "greet", 1, "{}"}, {})
                  .ok());
  EXPECT_FALSE(a->TryQuickTurn({"cold", "", "", "运费多少"}, quick.Done()));
  // A message for the LLM is not answered here and leaves the session as it was.
  ASSERT_TRUE(a->HandleTurn({"s", "", "", "你好"}).ok());
  const size_t calls = llm_.requests().size();
  EXPECT_FALSE(a->TryQuickTurn({"s", "", "", "陪我聊聊天"}, quick.Done()));
  EXPECT_EQ(llm_.requests().size(), calls);
  auto r = a->HandleTurn({"s", "", "", "陪我聊聊天"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source, Source::kLlm);
  EXPECT_EQ(r->turn, 2);
  // The conversation so far survived the quick attempt: the earlier turn is in the prompt.
  const auto reqs = llm_.requests();
  const auto& m = reqs.back().messages;
  EXPECT_TRUE(std::any_of(m.begin(), m.end(), [](const auto& x) { return x.content == "你好"; }));
  EXPECT_EQ(quick.WaitFor(1).size(), 1u);  // only the first turn was quick
}

// A store whose writes can be made to fail, as with a full disk.
class FailingStore : public store::MemoryStore {
 public:
  Status SaveTurn(const store::SessionRecord& s, const store::TurnRecord& t,
                  const std::vector<store::Event>& e) override {
    if (fail) return MakeError(ErrorCode::kUnavailable, "disk full", "store_error");
    return MemoryStore::SaveTurn(s, t, e);
  }
  std::atomic<bool> fail{false};
};

TEST_F(AssistantTest, ATurnThatCouldNotBeSavedIsAnErrorAndLeavesNoTrace) {
  FailingStore store;
  auto made = Make(nullptr, nullptr, {}, &store);
  Assistant& a = *made;
  ASSERT_EQ(a.HandleTurn({"s", "", "", "申请退货"})->turn, 1);  // starts the return form
  store.fail = true;
  auto failed = a.HandleTurn({"s", "", "", "12345678"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  QuickReplies quick;
  ASSERT_TRUE(a.TryQuickTurn({"", "", "", "你好"}, quick.Done()));  // a new session
  EXPECT_FALSE(quick.WaitFor(1)[0].ok());
  store.fail = false;
  // The session goes on from what was saved: turn 2, still asking for the order number.
  auto r = a.HandleTurn({"s", "", "", "12345678"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->turn, 2);
  EXPECT_EQ(r->slots.count("order_id"), 1u);
  EXPECT_EQ(store.History("s", 10, 0)->size(), 2u);
}

TEST_F(AssistantTest, QuickTurnsStepAsideWhenTheNluEmbedsWithAModel) {
  auto normalizer = nlp::Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  auto nlu = Nlu::Create(*flow_, *normalizer, std::make_shared<testing::FakeEmbedder>(), 0.4);
  ASSERT_TRUE(nlu.ok());
  Assistant a(flow_, *nlu, &store_, nullptr, nullptr, {});
  QuickReplies quick;
  EXPECT_FALSE(a.TryQuickTurn({"", "", "", "运费多少"}, quick.Done()));  // would wait on the model
  EXPECT_EQ(a.HandleTurn({"", "", "", "运费多少"})->source, Source::kRule);
}

TEST_F(AssistantTest, QuickAndWorkerTurnsOnOneSessionAreAllSavedInOrder) {
  testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("s.db"));
  ASSERT_TRUE(db.ok());
  auto made = Make(nullptr, nullptr, {}, db->get());
  Assistant& a = *made;
  ASSERT_TRUE(a.HandleTurn({"shared", "", "", "你好"}).ok());  // now in memory
  constexpr int kThreads = 4, kEach = 50;
  QuickReplies quick;
  std::atomic<int> quick_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const TurnInput in{"shared", "", "", Msg(t, i)};
        if (a.TryQuickTurn(in, quick.Done())) {
          ++quick_count;
        } else {
          ASSERT_TRUE(a.HandleTurn(in).ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto replies = quick.WaitFor(static_cast<size_t>(quick_count.load()));
  EXPECT_GT(quick_count.load(), 0);
  for (const auto& r : replies) EXPECT_TRUE(r.ok());
  const auto history = (*db)->History("shared", 1000, 0);
  ASSERT_EQ(history->size(), size_t(kThreads * kEach + 1));
  ExpectEachThreadInOrder(*history, 1);
}

TEST_F(AssistantTest, DeleteRemovesTheSession) {
  auto a = Make(nullptr);
  ASSERT_TRUE(a->HandleTurn({"gone", "", "", "你好"}).ok());
  EXPECT_TRUE(*a->DeleteSession("gone"));
  EXPECT_FALSE(*a->DeleteSession("gone"));
  EXPECT_EQ(a->GetSession("gone", 10).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(a->HandleTurn({"gone", "", "", "你好"})->new_conversation);
}

TEST_F(AssistantTest, NewSessionIdsAreGeneratedAndValid) {
  auto a = Make(nullptr);
  auto r = a->HandleTurn({"", "", "", "你好"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->session_id.size(), 32u);
  EXPECT_TRUE(Assistant::CheckSessionId(r->session_id).ok());
  EXPECT_NE(Assistant::NewSessionId(), Assistant::NewSessionId());
}

}  // namespace
}  // namespace parley::dialog
