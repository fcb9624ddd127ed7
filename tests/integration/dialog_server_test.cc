// Integration tests of the dialog engine: the real parley binary serving the example flow,
// spoken to over real sockets; kill -9 durability; concurrent turns on one session; the
// command-line tools (serve --flow, config check, eval intents, chat).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/server_process.h"

namespace parley::testing {
namespace {

using Json = nlohmann::json;

std::string ExampleFlow() { return SourceDir() + "/examples/customer_service.yaml"; }

// `dialog_extra`: more lines of the dialog section, each "  key: value\n".
std::string Config(const std::string& store, const std::string& dialog_extra = "") {
  return "dialog:\n  flow: " + ExampleFlow() + "\n  store: " + store +
         "\n  max_message_chars: 200\n" + dialog_extra + "log:\n  level: warn\n";
}

HttpReply Turn(uint16_t port, const Json& body) {
  return Send(port, "POST", "/v1/dialog", body.dump());
}

Json Body(const HttpReply& r) { return Json::parse(r.body, nullptr, false); }

class DialogServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()) << server_.Output(); }

  void ExpectError(const HttpReply& r, int status, const std::string& code,
                   const std::string& param = "") {
    EXPECT_EQ(r.status, status) << r.raw;
    const Json j = Body(r);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r.raw;
    EXPECT_EQ(j["error"]["code"], code) << r.raw;
    if (!param.empty()) {
      EXPECT_EQ(j["error"]["param"], param) << r.raw;
    }
    EXPECT_EQ(Get(server_.port(), "/health").status, 200);  // still serving
  }

  TempDir dir_;
  ServerProcess server_{Config(dir_.File("parley.db"))};
};

TEST_F(DialogServerTest, AnswersARuleIntentWithEveryField) {
  const auto r = Turn(server_.port(), {{"message", "你好"}, {"user_id", "u1"}, {"channel", "web"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json j = Body(r);
  EXPECT_EQ(j["source"], "rule");
  EXPECT_EQ(j["intent"]["name"], "greet");
  EXPECT_GT(j["intent"]["confidence"].get<double>(), 0.5);
  EXPECT_EQ(j["session_id"].get<std::string>().size(), 32u);
  EXPECT_TRUE(j["entities"].is_array());
  EXPECT_TRUE(j["slots"].is_object());
  EXPECT_FALSE(j["reply"].get<std::string>().empty());
  const auto m = Get(server_.port(), "/metrics");
  EXPECT_NE(m.body.find("parley_dialog_turns_total{source=\"rule\"} 1"), std::string::npos)
      << m.body;
}

TEST_F(DialogServerTest, RunsAMultiTurnFormAndShowsTheSession) {
  const uint16_t p = server_.port();
  auto j = Body(Turn(p, {{"session_id", "form-1"}, {"message", "我要退货"}}));
  EXPECT_EQ(j["source"], "form");
  j = Body(Turn(p, {{"session_id", "form-1"}, {"message", "订单号是2024110301"}}));
  EXPECT_EQ(j["slots"]["order_id"], "2024110301");
  j = Body(Turn(p, {{"session_id", "form-1"}, {"message", "收到的时候就坏了"}}));
  EXPECT_EQ(j["source"], "form");
  EXPECT_NE(j["reply"].get<std::string>().find("2024110301"), std::string::npos) << j.dump();
  const auto s = Get(p, "/v1/sessions/form-1");
  ASSERT_EQ(s.status, 200) << s.raw;
  const Json v = Body(s);
  EXPECT_EQ(v["turns"], 3);
  ASSERT_EQ(v["history"].size(), 3u);
  EXPECT_EQ(v["history"][0]["message"], "我要退货");
  EXPECT_EQ(v["state"]["slots"]["reason"], "damaged");
  EXPECT_EQ(Body(Get(p, "/v1/sessions/form-1?limit=1"))["history"].size(), 1u);
  EXPECT_EQ(Send(p, "DELETE", "/v1/sessions/form-1", "").status, 200);
  ExpectError(Get(p, "/v1/sessions/form-1"), 404, "session_not_found");
  ExpectError(Send(p, "DELETE", "/v1/sessions/form-1", ""), 404, "session_not_found");
}

TEST_F(DialogServerTest, HandoffIsFlaggedAndRecorded) {
  const auto j = Body(Turn(server_.port(), {{"session_id", "h1"}, {"message", "转人工"}}));
  EXPECT_TRUE(j["handoff"].get<bool>());
  const Json v = Body(Get(server_.port(), "/v1/sessions/h1"));
  EXPECT_TRUE(v["handoff"].get<bool>());
  ASSERT_EQ(v["events"].size(), 1u);
  EXPECT_EQ(v["events"][0]["type"], "handoff");
}

TEST_F(DialogServerTest, FallbackSpeaksTheLanguageOfTheMessage) {
  const auto zh = Body(Turn(server_.port(), {{"message", "今天天气怎么样"}}));
  EXPECT_EQ(zh["source"], "fallback");
  EXPECT_NE(zh["reply"].get<std::string>().find("抱歉"), std::string::npos) << zh.dump();
  const auto en = Body(Turn(server_.port(), {{"message", "what is the capital of france"}}));
  EXPECT_EQ(en["source"], "fallback");
  EXPECT_EQ(en["reply"].get<std::string>().rfind("Sorry", 0), 0u) << en.dump();
}

TEST(DialogLimitsTest, ASessionPastItsTurnLimitGets429) {
  TempDir dir;
  ServerProcess server(Config(dir.File("p.db"), "  max_turns_per_session: 3\n"));
  ASSERT_TRUE(server.started()) << server.Output();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Turn(server.port(), {{"session_id", "full"}, {"message", "你好"}}).status, 200);
  }
  const auto r = Turn(server.port(), {{"session_id", "full"}, {"message", "你好"}});
  EXPECT_EQ(r.status, 429) << r.raw;
  EXPECT_EQ(Body(r)["error"]["code"], "session_turn_limit");
  EXPECT_EQ(Turn(server.port(), {{"session_id", "other"}, {"message", "你好"}}).status, 200);
}

TEST_F(DialogServerTest, StreamsAsServerSentEvents) {
  const auto r = Turn(server_.port(), {{"message", "运费多少"}, {"stream", true}});
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.headers.at("content-type"), "text/event-stream");
  EXPECT_NE(r.raw.find("data: {\"text\":"), std::string::npos) << r.raw;
  EXPECT_NE(r.raw.find("\"type\":\"reply\""), std::string::npos) << r.raw;
  EXPECT_NE(r.raw.find("data: [DONE]"), std::string::npos) << r.raw;
}

TEST_F(DialogServerTest, BadInputGetsNamedErrorsAndTheServerKeepsServing) {
  const uint16_t p = server_.port();
  ExpectError(Turn(p, {{"message", ""}}), 400, "empty_message", "message");
  ExpectError(Turn(p, {{"message", "   \n\t "}}), 400, "empty_message", "message");
  ExpectError(Turn(p, {{"message", std::string(201, 'a')}}), 400, "message_too_long", "message");
  ExpectError(Turn(p, {{"message", "a\u0001b"}}), 400, "control_characters", "message");
  ExpectError(Send(p, "POST", "/v1/dialog", "{\"message\":\"\xff\xfe\"}"), 400, "invalid_utf8");
  ExpectError(Turn(p, {{"message", "hi"}, {"session_id", "../../etc"}}), 400, "invalid_session_id",
              "session_id");
  ExpectError(Turn(p, {{"message", "hi"}, {"session_id", ""}}), 400, "invalid_session_id");
  ExpectError(Turn(p, {{"message", 42}}), 400, "invalid_type", "message");
  ExpectError(Turn(p, {{"message", "hi"}, {"stream", "yes"}}), 400, "invalid_type", "stream");
  ExpectError(Turn(p, {{"msg", "hi"}}), 400, "unknown_field", "msg");
  ExpectError(Turn(p, Json::object()), 400, "missing_field", "message");
  ExpectError(Turn(p, Json::array({1})), 400, "invalid_body");
  ExpectError(Send(p, "POST", "/v1/dialog", "{\"message\": "), 400, "invalid_json");
  ExpectError(Get(p, "/v1/sessions/bad%20id"), 400, "invalid_session_id");
  ExpectError(Get(p, "/v1/sessions/x?limit=0"), 400, "invalid_value", "limit");
}

TEST_F(DialogServerTest, ConcurrentRequestsOnOneSessionAreAllKeptInOrder) {
  constexpr int kThreads = 6, kEach = 8;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto r =
            Turn(server_.port(), {{"session_id", "busy"},
                                  {"message", "t" + std::to_string(t) + " m" + std::to_string(i)}});
        if (r.status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  const Json v = Body(Get(server_.port(), "/v1/sessions/busy?limit=1000"));
  ASSERT_EQ(v["history"].size(), size_t(kThreads * kEach));
  std::map<int, int> next;
  for (size_t i = 0; i < v["history"].size(); ++i) {
    EXPECT_EQ(v["history"][i]["turn"], int(i + 1));
    int t = 0, m = 0;
    std::sscanf(v["history"][i]["message"].get<std::string>().c_str(), "t%d m%d", &t, &m);
    EXPECT_EQ(m, next[t]++);
  }
}

// Acknowledged turns (200 received) must all be there after kill -9 and a restart.
TEST(DialogDurabilityTest, KillNineLosesNoAcknowledgedTurn) {
  TempDir dir;
  const std::string db = dir.File("parley.db");
  std::vector<std::string> acknowledged;
  std::mutex mu;
  {
    ServerProcess server(Config(db));
    ASSERT_TRUE(server.started()) << server.Output();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; !stop; ++i) {
          const std::string msg = "c" + std::to_string(c) + " 运费多少 " + std::to_string(i);
          const auto r = Turn(server.port(), {{"session_id", "durable"}, {"message", msg}});
          if (r.status != 200) break;  // the server is gone
          std::lock_guard lock(mu);
          acknowledged.push_back(msg);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ASSERT_EQ(::kill(server.pid(), SIGKILL), 0);
    stop = true;
    for (auto& t : clients) t.join();
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  }
  ASSERT_GT(acknowledged.size(), 5u);
  ServerProcess again(Config(db));
  ASSERT_TRUE(again.started()) << again.Output();
  std::set<std::string> saved;  // paged: the whole history is megabytes
  for (int64_t before = 0;;) {
    const auto r = Get(again.port(), "/v1/sessions/durable?limit=500" +
                                         (before ? "&before=" + std::to_string(before) : ""));
    ASSERT_EQ(r.status, 200) << r.raw.substr(0, 500);
    const Json page = Body(r);
    ASSERT_TRUE(page.is_object());
    for (const auto& t : page["history"]) saved.insert(t["message"].get<std::string>());
    if (page["history"].empty() || page["history"][0]["turn"] == 1) break;
    before = page["history"][0]["turn"].get<int64_t>();
  }
  for (const auto& m : acknowledged) EXPECT_TRUE(saved.count(m)) << "lost acknowledged turn: " << m;
}

TEST(DialogCliTest, ServeFlowNeedsNoConfigFile) {
  TempDir dir;
  dir.Write(
      "min.json",
      R"({"intents":[{"name":"greet","patterns":["你好","嗨"],"response":"今天想聊些什么呢?"},)"
      R"({"name":"mood_check","patterns":["你心情怎么样","今天开心吗"],"response_template":"作为AI,我没有真实情绪,但很乐意倾听你的心情~"}]})");
  ServerProcess server("", {"--flow", dir.File("min.json")},
                       {{"PARLEY_DIALOG_STORE", dir.File("p.db")}});
  ASSERT_TRUE(server.started()) << server.Output();
  const Json j = Body(Turn(server.port(), {{"message", "今天开心吗？"}}));
  EXPECT_EQ(j["reply"], "作为AI,我没有真实情绪,但很乐意倾听你的心情~");
  EXPECT_EQ(Body(Turn(server.port(), {{"message", "嗨"}}))["reply"], "今天想聊些什么呢?");
  // The start-up log says which intents borrowed from the intent library.
  EXPECT_NE(server.Output().find(R"("intent_library":"greet <- greet")"), std::string::npos)
      << server.Output();
}

TEST(DialogCliTest, FlowErrorsNameIntentAndFieldAtStartupAndInConfigCheck) {
  TempDir dir;
  dir.Write("bad.json", R"({"intents":[{"name":"refund","patterns":[],"response":"x"}]})");
  dir.Write("parley.yaml", "dialog:\n  flow: bad.json\n");
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "config", "check", dir.File("parley.yaml")}, &out), 78);
  EXPECT_NE(out.find(R"(intents[0] "refund": field "patterns")"), std::string::npos) << out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "serve", "--flow", dir.File("bad.json"), "--listen",
                        "127.0.0.1:0"},
                       &out),
            78);
  EXPECT_NE(out.find(R"(intents[0] "refund": field "patterns")"), std::string::npos) << out;
  EXPECT_EQ(
      RunCommand({ParleyBinary(), "config", "check", SourceDir() + "/examples/parley.yaml"}, &out),
      0)
      << out;
}

TEST(DialogCliTest, EvalIntentsPrintsTheMetrics) {
  std::string out;
  ASSERT_EQ(RunCommand({ParleyBinary(), "eval", "intents", "--flow", ExampleFlow(), "--data",
                        SourceDir() + "/eval/customer_service_dev.jsonl"},
                       &out),
            0)
      << out;
  for (const char* want :
       {"accuracy:", "in-scope accuracy:", "macro-F1:", "out of scope: precision",
        "per intent:", "most common confusions", "threshold sweep",
        // which of the example flow's intents borrowed from the intent library
        "intent library: ", "refund_status <- refund_status"}) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
  }
  TempDir dir;
  dir.Write("bad.jsonl", "{\"text\":\"hi\"}\n");
  EXPECT_NE(RunCommand({ParleyBinary(), "eval", "intents", "--flow", ExampleFlow(), "--data",
                        dir.File("bad.jsonl")},
                       &out),
            0);
  EXPECT_NE(out.find("bad.jsonl:1"), std::string::npos) << out;
  // --errors lists every wrong answer; one sent away for naming another business says which.
  dir.Write("lines.jsonl",
            "{\"text\":\"肯德基有什么优惠券\",\"intent\":\"coupon\"}\n"
            "{\"text\":\"运费多少\",\"intent\":\"shipping_fee\"}\n");
  ASSERT_EQ(RunCommand({ParleyBinary(), "eval", "intents", "--flow", ExampleFlow(), "--data",
                        dir.File("lines.jsonl"), "--errors"},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("coupon -> out_of_scope"), std::string::npos) << out;
  EXPECT_NE(out.find("肯德基有什么优惠券   [names another business: fast_food_chain]"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("运费多少"), std::string::npos) << out;  // right, so not listed
  // --evidence writes, per line, what the learned confidence weighs (bench/fit_confidence.mjs).
  ASSERT_EQ(RunCommand({ParleyBinary(), "eval", "intents", "--flow", ExampleFlow(), "--data",
                        dir.File("lines.jsonl"), "--evidence", dir.File("evidence.jsonl")},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("confidence: learned"), std::string::npos) << out;
  std::vector<Json> lines;
  std::ifstream evidence(dir.File("evidence.jsonl"));
  for (std::string line; std::getline(evidence, line);) lines.push_back(Json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["intent"], "coupon");
  EXPECT_TRUE(lines[0]["foreign"].get<bool>());  // names a fast-food chain
  EXPECT_TRUE(lines[1]["exact"].get<bool>());    // 运费多少 is a pattern
  EXPECT_EQ(lines[1]["top"], "shipping_fee");
  for (const auto& l : lines) {
    for (const char* key : {"score", "similarity", "flow_odds", "library_odds", "other", "known"}) {
      EXPECT_TRUE(l[key].is_number()) << key << " " << l.dump();
    }
  }
  EXPECT_NE(RunCommand({ParleyBinary(), "eval", "intents", "--flow", ExampleFlow(), "--data",
                        dir.File("lines.jsonl"), "--evidence", dir.File("no/such/dir/e.jsonl")},
                       &out),
            0);
  EXPECT_NE(out.find("cannot write"), std::string::npos) << out;
}

TEST(DialogCliTest, ChatRunsThePipelineInTheTerminal) {
  TempDir dir;
  std::string out;
  const int rc = RunCommand({"sh", "-c",
                             "printf '我要退货\\n2024110301\\n坏了\\n' | " + ParleyBinary() +
                                 " chat --flow " + ExampleFlow() + " --json"},
                            &out, {{"PARLEY_DIALOG_STORE", dir.File("c.db")}});
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"source\":\"form\""), std::string::npos) << out;
  EXPECT_NE(out.find("2024110301"), std::string::npos) << out;
  EXPECT_NE(out.find("damaged"), std::string::npos) << out;
}

}  // namespace
}  // namespace parley::testing
