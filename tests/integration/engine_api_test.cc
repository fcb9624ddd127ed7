// The OpenAI-compatible API of the real binary on the tiny test model: bad input, overload,
// disconnects, model-file errors. (The happy paths run through the official SDK in tests/node.)
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/server_process.h"

namespace parley::testing {
namespace {

std::string ModelYaml(int parallel, int queue) {
  return std::string("models:\n  - path: ") + PARLEY_TINY_MODEL +
         "\n    context: " + std::to_string(2048 * parallel) +
         "\n    parallel: " + std::to_string(parallel) +
         "\n    threads: 2\n    queue_size: " + std::to_string(queue) + "\n    session_dir: kv\n";
}

bool WaitReady(uint16_t port) {
  for (int i = 0; i < 600; ++i) {
    if (Get(port, "/ready").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

constexpr char kMsg[] = R"("messages":[{"role":"user","content":"hi"}])";

class EngineApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started()) << server_.Output();
    ASSERT_TRUE(WaitReady(server_.port())) << server_.Output();
  }
  HttpReply Chat(const std::string& body, std::vector<std::string> headers = {}) {
    headers.push_back("Content-Type: application/json");
    return Send(server_.port(), "POST", "/v1/chat/completions", body, headers);
  }
  void ExpectError(const HttpReply& r, int status, const std::string& code,
                   const std::string& param = "") {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_NE(r.body.find("\"code\":\"" + code + "\""), std::string::npos) << r.body;
    if (!param.empty()) {
      EXPECT_NE(r.body.find("\"param\":\"" + param + "\""), std::string::npos) << r.body;
    }
    EXPECT_EQ(Get(server_.port(), "/health").status, 200);
  }
  // Sends a long completion (kMsg + `rest` of the body), closes the connection 300 ms later,
  // then expects the one sequence to be free again and the request counted as cancelled.
  void HangUpMidwayThenExpectTheSequenceFreed(const std::string& rest) {
    {
      Connection c(server_.port());
      const std::string body = std::string("{") + kMsg + rest;
      ASSERT_TRUE(c.Write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    // With one sequence and no queue, this only succeeds once the abandoned one was freed.
    HttpReply r;
    for (int i = 0; i < 40 && r.status != 200; ++i) {
      r = Chat(std::string("{") + kMsg + R"(,"max_tokens":2})");
      if (r.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(r.status, 200) << r.raw;
    const auto m = Get(server_.port(), "/metrics").body;
    EXPECT_NE(m.find("parley_llm_requests_total{model=\"tiny\",finish_reason=\"cancelled\"} 1"),
              std::string::npos)
        << m;
  }
  ServerProcess server_{ModelYaml(1, 0)};
};

TEST_F(EngineApiTest, RejectsEveryBadFieldByName) {
  ExpectError(Chat(std::string("{") + kMsg + R"(,"temperature":"hot"})"), 400, "invalid_type",
              "temperature");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"temperature":-0.5})"), 400, "invalid_value",
              "temperature");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"top_p":1.5})"), 400, "invalid_value", "top_p");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"frequency_penalty":3})"), 400, "invalid_value",
              "frequency_penalty");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"max_tokens":-1})"), 400, "invalid_value",
              "max_tokens");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"max_tokens":2.5})"), 400, "invalid_type",
              "max_tokens");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"n":2})"), 400, "invalid_value", "n");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"stream":"yes"})"), 400, "invalid_type", "stream");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"stop":7})"), 400, "invalid_type", "stop");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"logit_bias":{"999999999":5}})"), 400,
              "invalid_value", "logit_bias");
  ExpectError(Chat(std::string("{") + kMsg + R"(,"logit_bias":{"5":500}})"), 400, "invalid_value",
              "logit_bias");
  ExpectError(Chat(R"({"messages":"hi"})"), 400, "invalid_type", "messages");
  ExpectError(Chat(R"({"messages":[{"role":"user"}]})"), 400, "invalid_value",
              "messages[0].content");
  ExpectError(Chat(R"({"model":7,"messages":[]})"), 400, "invalid_type", "model");
  ExpectError(Chat("[1,2]"), 400, "invalid_type");
  // A number JSON cannot hold as a double is not a temperature.
  const auto huge = Chat(std::string("{") + kMsg + R"(,"temperature":1e999})");
  EXPECT_EQ(huge.status, 400) << huge.raw;
  ExpectError(Chat(std::string("{") + kMsg + "}", {"X-Session-Id: has spaces"}), 400,
              "invalid_value", "user");
}

TEST_F(EngineApiTest, BusyModelAnswers503WithRetryAfter) {
  Connection slow(server_.port());
  const std::string body =
      std::string("{") + kMsg + R"(,"max_tokens":2000,"ignore_eos":true,"stream":true})";
  ASSERT_TRUE(slow.Write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // One sequence, no queue: the next request is refused at once rather than waiting.
  const auto r = Chat(std::string("{") + kMsg + R"(,"max_tokens":4})");
  ExpectError(r, 503, "queue_full");
  EXPECT_EQ(r.headers.at("retry-after"), "1");
}

TEST_F(EngineApiTest, ClientThatHangsUpFreesItsSequence) {
  // Streamed: the hang-up shows when a token cannot be written.
  HangUpMidwayThenExpectTheSequenceFreed(R"(,"max_tokens":2000,"ignore_eos":true,"stream":true})");
}

TEST_F(EngineApiTest, ClientThatHangsUpBeforeAnAnswerIsWholeFreesItsSequence) {
  // Not streamed: nothing is written before the end, so only watching the socket notices.
  HangUpMidwayThenExpectTheSequenceFreed(R"(,"max_tokens":2000,"ignore_eos":true})");
}

TEST_F(EngineApiTest, EngineMetricsPassPromtool) {
  EXPECT_EQ(Chat(std::string("{") + kMsg + R"(,"max_tokens":3})").status, 200);
  TempDir dir;
  const auto m = Get(server_.port(), "/metrics").body;
  for (const char* name :
       {"parley_llm_time_to_first_token_seconds_bucket", "parley_llm_inter_token_seconds",
        "parley_llm_generated_tokens_total{model=\"tiny\"} 3", "parley_llm_queue_depth",
        "parley_llm_kv_cache_used_tokens", "parley_llm_session_lookups_total"}) {
    EXPECT_NE(m.find(name), std::string::npos) << name;
  }
  dir.Write("m.txt", m);
  std::string out;
  EXPECT_EQ(RunCommand({"sh", "-c", "promtool check metrics < " + dir.File("m.txt")}, &out), 0)
      << out;
}

TEST(EngineStartupTest, MissingModelFileIsAStartupErrorNamingIt) {
  ServerProcess s("models:\n  - path: /nonexistent/model.gguf\n");
  EXPECT_FALSE(s.started());
  EXPECT_EQ(s.Stop(0), 78);
  EXPECT_NE(s.Output().find("model file /nonexistent/model.gguf: cannot open it"),
            std::string::npos)
      << s.Output();
}

TEST(EngineStartupTest, MalformedModelFileFailsCleanlyNamingIt) {
  TempDir dir;
  dir.Write("broken.gguf", std::string("GGUF") + std::string(64, '\x07'));
  ServerProcess s("models:\n  - path: " + dir.File("broken.gguf") + "\n");
  // It may come up first (loading happens in the background) but must exit with an error.
  for (int i = 0; i < 200 && s.Running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(s.Stop(0), 1);
  EXPECT_NE(s.Output().find("broken.gguf"), std::string::npos) << s.Output();
  EXPECT_NE(s.Output().find("could not load"), std::string::npos) << s.Output();
}

TEST(EngineStartupTest, KnowledgeBaseEmbedsWithTheEngineForHybridSearch) {
  TempDir dir;
  ServerProcess s(
      std::string("models:\n  - id: embed\n    path: ") + PARLEY_TINY_MODEL +
      "\n    context: 1024\n    parallel: 1\n    threads: 2\n    embeddings: true\n"
      "    session_dir: kv\nknowledge:\n  dir: kb\n  embedding_model: embed\n  paths: [" +
      SourceDir() + "/examples/kb]\n");
  ASSERT_TRUE(s.started()) << s.Output();
  ASSERT_TRUE(WaitReady(s.port())) << s.Output();
  const auto r = Get(s.port(), "/v1/kb/search?q=%E9%80%80%E8%B4%A7&k=3");  // 退货
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_NE(r.body.find("\"mode\":\"hybrid\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"hits\":[{"), std::string::npos) << r.body;
  const auto m = Get(s.port(), "/metrics").body;
  EXPECT_EQ(m.find("parley_llm_requests_total{model=\"embed\""), std::string::npos);
}

// The value of the first sample of `name` in a /metrics page (0 when absent).
double Sample(const std::string& metrics, const std::string& name) {
  const size_t at = metrics.find("\n" + name);
  if (at == std::string::npos) return 0;
  const size_t space = metrics.find(' ', at + 1);
  return std::stod(metrics.substr(space + 1));
}

TEST(EngineStartupTest, IntentClassifierUsesTheEmbeddingModel) {
  TempDir dir;
  ServerProcess s(std::string("models:\n  - id: embed\n    path: ") + PARLEY_TINY_MODEL +
                  "\n    context: 1024\n    parallel: 1\n    threads: 2\n    embeddings: true\n"
                  "    session_dir: " +
                  dir.File("kv") + "\ndialog:\n  flow: " + SourceDir() +
                  "/examples/customer_service.yaml\n  store: memory\n  embedding_model: embed\n"
                  "knowledge:\n  enabled: false\n");
  ASSERT_TRUE(s.started()) << s.Output();
  ASSERT_TRUE(WaitReady(s.port())) << s.Output();
  const std::string metric = "parley_llm_embeddings_total{model=\"embed\"}";
  const double at_start = Sample(Get(s.port(), "/metrics").body, metric);
  EXPECT_GT(at_start, 100) << "every pattern of the flow is embedded at start-up";
  const auto r = Send(s.port(), "POST", "/v1/dialog", R"({"message":"运费多少"})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_NE(r.body.find("\"source\":\"rule\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("shipping_fee"), std::string::npos) << r.body;
  EXPECT_EQ(Sample(Get(s.port(), "/metrics").body, metric), at_start + 1) << "and each message";
}

TEST(EngineStartupTest, EmbeddingModelForIntentsMustExistAndEmbed) {
  TempDir dir;
  ServerProcess s(std::string("models:\n  - id: chat\n    path: ") + PARLEY_TINY_MODEL +
                  "\n    context: 512\n    threads: 2\n    session_dir: " + dir.File("kv") +
                  "\ndialog:\n  flow: " + SourceDir() +
                  "/examples/customer_service.yaml\n  store: memory\n  embedding_model: chat\n"
                  "knowledge:\n  enabled: false\n");
  for (int i = 0; i < 200 && s.Running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(s.Stop(0), 0);
  EXPECT_NE(s.Output().find("dialog.embedding_model 'chat': this model is not loaded with"),
            std::string::npos)
      << s.Output();
}

// The first word (ASCII letters) of what the model answers to `body`, with no guard.
// 24 tokens take well under a second alone, but several seconds beside a parallel test run.
constexpr std::chrono::seconds kGenerationWait(60);

std::string FirstWordOfReply(const std::string& body) {
  ServerProcess plain(ModelYaml(1, 4));
  EXPECT_TRUE(plain.started() && WaitReady(plain.port()));
  const auto r = Send(plain.port(), "POST", "/v1/chat/completions", body, {}, kGenerationWait);
  const auto at = r.body.find("\"content\":\"");
  std::string word;
  for (size_t i = at + 11; at != std::string::npos && i < r.body.size(); ++i) {
    const char c = r.body[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word += c;
    } else if (word.size() >= 3) {
      break;
    } else {
      word.clear();
    }
  }
  return word;
}

TEST(EngineSecurityTest, OutputGuardMasksGeneratedWordsAcrossStreamedChunks) {
  const std::string body = std::string("{") + kMsg + R"(,"max_tokens":24,"temperature":0})";
  const std::string word = FirstWordOfReply(body);
  ASSERT_GE(word.size(), 3u) << "the model's reply had no word to guard";
  // A queue, so a request that arrives while the last one is still being cleaned up waits.
  ServerProcess s(ModelYaml(1, 4) + "guard:\n  words: [" + word + "]\n  words_action: mask\n");
  ASSERT_TRUE(s.started() && WaitReady(s.port())) << s.Output();
  const auto whole = Send(s.port(), "POST", "/v1/chat/completions", body, {}, kGenerationWait);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body.find(word), std::string::npos) << whole.body;
  const std::string streamed_body =
      std::string("{") + kMsg + R"(,"max_tokens":24,"temperature":0,"stream":true})";
  const auto streamed =
      Send(s.port(), "POST", "/v1/chat/completions", streamed_body, {}, kGenerationWait);
  EXPECT_NE(streamed.body.find("[DONE]"), std::string::npos) << streamed.raw;
  // Tokens arrive one by one, so the word is split across chunks; it must still not appear.
  std::string joined;
  for (size_t p = 0; (p = streamed.body.find("\"content\":\"", p)) != std::string::npos;) {
    p += 11;
    joined += streamed.body.substr(p, streamed.body.find('"', p) - p);
  }
  EXPECT_EQ(joined.find(word), std::string::npos) << joined;
}

TEST(EngineSecurityTest, TokensPerMinuteAreReservedUpFront) {
  ServerProcess s(ModelYaml(1, 4) + "ratelimit:\n  tokens_per_minute_per_key: 300\n");
  ASSERT_TRUE(s.started() && WaitReady(s.port())) << s.Output();
  // All 100 tokens are generated (no early end of text), so all 100 stay used, not refunded.
  const auto ok = Send(s.port(), "POST", "/v1/chat/completions",
                       std::string("{") + kMsg + R"(,"max_tokens":100,"ignore_eos":true})", {},
                       std::chrono::seconds(60));  // 100 tokens take over 5 s on a loaded machine
  EXPECT_EQ(ok.status, 200) << ok.raw;
  // 100 used of 300; asking for 250 more cannot be reserved.
  const auto refused = Send(s.port(), "POST", "/v1/chat/completions",
                            std::string("{") + kMsg + R"(,"max_tokens":250})");
  EXPECT_EQ(refused.status, 429) << refused.raw;
  EXPECT_TRUE(refused.headers.count("retry-after")) << refused.raw;
}

TEST(EngineStartupTest, ServesWithoutAnyModel) {
  ServerProcess s("");
  ASSERT_TRUE(s.started());
  EXPECT_EQ(Get(s.port(), "/ready").status, 200);
  EXPECT_EQ(Get(s.port(), "/v1/models").body, R"({"data":[],"object":"list"})");
  const auto r = Send(s.port(), "POST", "/v1/chat/completions", std::string("{") + kMsg + "}");
  EXPECT_EQ(r.status, 404) << r.raw;
}

}  // namespace
}  // namespace parley::testing
