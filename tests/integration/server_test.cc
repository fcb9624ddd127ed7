// Integration tests: the real parley binary on 127.0.0.1:0, spoken to over real sockets.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/server_process.h"

namespace parley::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Tight limits so the bad-input cases are quick to provoke.
constexpr char kSmallLimits[] = R"(server:
  header_timeout: 1s
  body_timeout: 1s
  max_header_bytes: 4KiB
  max_header_count: 20
  max_body_bytes: 2KiB
  max_json_depth: 16
)";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()) << server_.Output(); }

  // After every bad input the server must still answer a normal request.
  void ExpectStillServing() {
    const auto r = Get(server_.port(), "/health");
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body, R"({"status":"ok"})");
  }

  static void ExpectJsonError(const HttpReply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
              "application/json");
    EXPECT_NE(r.body.find("\"error\":{\"message\":"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"code\":\"" + code + "\""), std::string::npos) << r.body;
  }

  ServerProcess server_{kSmallLimits};
};

TEST_F(ServerTest, HealthReadyAndMetricsAnswer) {
  const auto h = Get(server_.port(), "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, R"({"status":"ok"})");
  EXPECT_EQ(h.headers.at("x-request-id").size(), 32u);

  const auto r = Get(server_.port(), "/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"status\":\"ready\""), std::string::npos);

  const auto m = Get(server_.port(), "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.headers.at("content-type").find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* name :
       {"parley_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1",
        "parley_http_request_duration_seconds_bucket{route=\"/health\",method=\"GET\",le=\"+Inf\"} "
        "1",
        "parley_http_requests_in_flight 1", "process_resident_memory_bytes ",
        "parley_uptime_seconds ", "parley_build_info{version="}) {
    EXPECT_NE(m.body.find(name), std::string::npos) << name;
  }
}

TEST_F(ServerTest, MetricsPassPromtool) {
  Get(server_.port(), "/nope");
  Send(server_.port(), "POST", "/health", "");
  const auto m = Get(server_.port(), "/metrics");
  ASSERT_EQ(m.status, 200);
  TempDir dir;
  dir.Write("metrics.txt", m.body);
  std::string out;
  const int rc =
      RunCommand({"sh", "-c", "promtool check metrics < " + dir.File("metrics.txt")}, &out);
  EXPECT_EQ(rc, 0) << out;
}

TEST_F(ServerTest, KeepsConnectionAliveAcrossRequests) {
  Connection c(server_.port());
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto r = c.ReadReply();
    EXPECT_EQ(r.status, 200) << i;
  }
}

TEST_F(ServerTest, UnknownRouteIs404AndWrongMethodIs405) {
  ExpectJsonError(Get(server_.port(), "/no/such/route"), 404, "route_not_found");
  const auto r = Send(server_.port(), "DELETE", "/health", "");
  ExpectJsonError(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers.at("allow"), "GET");
  ExpectStillServing();
}

TEST_F(ServerTest, MalformedRequestLineIs400) {
  const auto r = ParseReply(RawExchange(server_.port(), "GARBAGE\r\n\r\n"));
  ExpectJsonError(r, 400, "bad_request");
  ExpectStillServing();
}

TEST_F(ServerTest, HeaderWithoutColonIs400) {
  const auto r = ParseReply(
      RawExchange(server_.port(), "GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"));
  ExpectJsonError(r, 400, "bad_request");
  ExpectStillServing();
}

TEST_F(ServerTest, TooManyHeadersIs431) {
  std::string req = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 30; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
  const auto r = ParseReply(RawExchange(server_.port(), req + "\r\n"));
  ExpectJsonError(r, 431, "header_too_large");
  ExpectStillServing();
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  const std::string req =
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n";
  ExpectJsonError(ParseReply(RawExchange(server_.port(), req)), 431, "header_too_large");
  ExpectStillServing();
}

TEST_F(ServerTest, ContentLengthOverLimitIs413BeforeTheBodyIsSent) {
  Connection c(server_.port());
  ASSERT_TRUE(
      c.Write("PUT /admin/log_level HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"));
  const auto r = c.ReadReply(seconds(3));  // no body sent: the answer must not wait for it
  ExpectJsonError(r, 413, "body_too_large");
  EXPECT_TRUE(c.WaitClosed(seconds(5)));
  ExpectStillServing();
}

TEST_F(ServerTest, ContentLengthWithTransferEncodingIs400AndCloses) {
  Connection c(server_.port());
  ASSERT_TRUE(
      c.Write("PUT /admin/log_level HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  const auto r = c.ReadReply(seconds(3));
  ExpectJsonError(r, 400, "bad_framing");
  EXPECT_EQ(r.headers.at("connection"), "close");
  EXPECT_TRUE(c.WaitClosed(seconds(5)));
  ExpectStillServing();
}

TEST_F(ServerTest, ChunkedBodyPastLimitIs413) {
  std::string req =
      "PUT /admin/log_level HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += "400\r\n" + std::string(1024, 'x') + "\r\n";
  req += "0\r\n\r\n";
  ExpectJsonError(ParseReply(RawExchange(server_.port(), req)), 413, "body_too_large");
  ExpectStillServing();
}

TEST_F(ServerTest, SlowClientIsTimedOutWithoutBlockingOthers) {
  Connection slow(server_.port());
  ASSERT_TRUE(slow.Write("GET /health HTTP/1.1\r\n"));
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 10 && !closed; ++i) {
    slow.Write("X");  // one byte at a time, never finishing the header
    ExpectStillServing();
    closed = slow.WaitClosed(milliseconds(400));
  }
  EXPECT_TRUE(closed) << "server kept a trickling client beyond its header timeout";
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(4));
  ExpectStillServing();
}

TEST_F(ServerTest, InvalidUtf8BodyIs400) {
  const auto r = Send(server_.port(), "PUT", "/admin/log_level", "{\"level\":\"\xff\xfe\"}",
                      {"Content-Type: application/json"});
  ExpectJsonError(r, 400, "invalid_utf8");
  EXPECT_NE(r.body.find("offset 10"), std::string::npos) << r.body;
  ExpectStillServing();
}

TEST_F(ServerTest, InvalidJsonIs400NamingTheProblem) {
  const auto r = Send(server_.port(), "PUT", "/admin/log_level", "{\"level\": debug}",
                      {"Content-Type: application/json"});
  ExpectJsonError(r, 400, "invalid_json");
  EXPECT_NE(r.body.find("column"), std::string::npos) << r.body;
  ExpectStillServing();
}

TEST_F(ServerTest, DeeplyNestedJsonIs400WithoutCrashing) {
  // Within the 2 KiB body limit but far past the depth cap of 16.
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  ExpectJsonError(Send(server_.port(), "PUT", "/admin/log_level", deep), 400, "json_too_deep");
  EXPECT_TRUE(server_.Running());
  ExpectStillServing();
}

TEST_F(ServerTest, WrongFieldValueNamesTheField) {
  const auto r = Send(server_.port(), "PUT", "/admin/log_level", R"({"level":"loud"})");
  ExpectJsonError(r, 400, "invalid_value");
  EXPECT_NE(r.body.find("\"param\":\"level\""), std::string::npos);
  const auto ok = Send(server_.port(), "PUT", "/admin/log_level", R"({"level":"debug"})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(Get(server_.port(), "/admin/log_level").body, R"({"level":"debug"})");
}

TEST_F(ServerTest, AcceptsRequestIdFromTrustedPeer) {
  const auto r = Get(server_.port(), "/health", {"X-Request-Id: trace-abc.123"});
  EXPECT_EQ(r.headers.at("x-request-id"), "trace-abc.123");
  const auto bad = Get(server_.port(), "/health", {"X-Request-Id: has spaces{}"});
  EXPECT_NE(bad.headers.at("x-request-id"), "has spaces{}");
}

TEST_F(ServerTest, WritesOneJsonAccessLogLinePerRequest) {
  Get(server_.port(), "/health?secret=1", {"X-Request-Id: log-check-1"});
  EXPECT_EQ(server_.Stop(SIGTERM), 0);
  const std::string out = server_.Output();
  const auto pos = out.find("\"request_id\":\"log-check-1\"");
  ASSERT_NE(pos, std::string::npos) << out;
  const auto begin = out.rfind('\n', pos) + 1;
  const std::string line = out.substr(begin, out.find('\n', pos) - begin);
  for (const char* field : {"\"ts\":\"", "\"level\":\"info\"", "\"route\":\"/health\"",
                            "\"status\":200", "\"duration_ms\":", "\"bytes\":15"}) {
    EXPECT_NE(line.find(field), std::string::npos) << field << " in " << line;
  }
  EXPECT_EQ(line.find("secret"), std::string::npos) << "query strings must not be logged";
}

TEST_F(ServerTest, DrainsInFlightRequestOnSigterm) {
  Connection busy(server_.port());
  const std::string body = R"({"level":"info"})";
  ASSERT_TRUE(busy.Write("PUT /admin/log_level HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n{\"lev"));
  Connection idle(server_.port());
  ASSERT_TRUE(idle.Write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(idle.ReadReply().status, 200);
  std::this_thread::sleep_for(milliseconds(100));

  ::kill(server_.pid(), SIGTERM);
  EXPECT_TRUE(idle.WaitClosed(seconds(2))) << "idle keep-alive connection not closed";
  ASSERT_TRUE(busy.Write(body.substr(5)));
  const auto r = busy.ReadReply();
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.headers.at("connection"), "close");
  EXPECT_EQ(server_.Stop(0), 0);  // signal 0: just wait for the exit
  EXPECT_NE(server_.Output().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST(ServerConfigTest, RequestIdFromUntrustedPeerIsReplaced) {
  ServerProcess s("server:\n  trusted_proxies: []\n");
  ASSERT_TRUE(s.started()) << s.Output();
  const auto r = Get(s.port(), "/health", {"X-Request-Id: spoofed-id"});
  EXPECT_NE(r.headers.at("x-request-id"), "spoofed-id");
}

TEST(ServerConfigTest, ServeRefusesInvalidConfigWithExit78) {
  ServerProcess s("server:\n  max_body_bytes: lots\n  colour: blue\n");
  EXPECT_FALSE(s.started());
  const std::string out = s.Output();
  EXPECT_NE(out.find("parley.yaml:2:19: server.max_body_bytes: expected a size"), std::string::npos)
      << out;
  EXPECT_NE(out.find("parley.yaml:3:3: server.colour: unknown key 'colour'"), std::string::npos)
      << out;
  EXPECT_EQ(s.Stop(0), 78);
}

TEST(ServerConfigTest, EnvironmentOverridesTheFile) {
  ServerProcess s("metrics:\n  path: /metrics\n", {}, {{"PARLEY_METRICS_PATH", "/prom"}});
  ASSERT_TRUE(s.started()) << s.Output();
  EXPECT_EQ(Get(s.port(), "/prom").status, 200);
  EXPECT_EQ(Get(s.port(), "/metrics").status, 404);
}

TEST(ServerConfigTest, AnswersOnIpv6Loopback) {
  ServerProcess s("", {"--listen", "[::1]:0"});
  ASSERT_TRUE(s.started()) << s.Output();
  // The log is written by its own thread: the line may land just after the port file.
  for (int i = 0; i < 100 && s.Output().find("\"listening\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(s.Output().find("\"address\":\"::1\""), std::string::npos) << s.Output();
}

}  // namespace
}  // namespace parley::testing
