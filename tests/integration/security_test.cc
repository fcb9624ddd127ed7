// Integration tests of the security layer: the real parley binary, real sockets, the real CLI.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/server_process.h"

namespace parley::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `parley keys create` and returns the printed key.
std::string CreateKey(const std::string& db, const std::string& scopes,
                      const std::string& expires = "90d") {
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "keys", "--db", db, "create", "--name", "it", "--scopes",
                        scopes, "--expires", expires},
                       &out),
            0)
      << out;
  const size_t at = out.find("pk_");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

std::string KeyId(const std::string& key) { return key.substr(3, 12); }

class SecuredServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = CreateKey(dir_.File("keys.db"), "chat,kb:read");
    admin_ = CreateKey(dir_.File("keys.db"), "admin");
    ASSERT_FALSE(key_.empty());
    server_ = std::make_unique<ServerProcess>(
        "auth:\n  allow_anonymous: false\n  keys_db: " + dir_.File("keys.db") +
        "\naudit:\n  file: " + dir_.File("audit.jsonl") + "\n  key_file: " +
        dir_.File("audit.key") + "\nratelimit:\n  requests_per_minute_per_key: 10\n");
    ASSERT_TRUE(server_->started()) << server_->Output();
  }
  HttpReply AdminGet(const std::string& key) {
    return Get(server_->port(), "/admin/log_level", {"Authorization: Bearer " + key});
  }
  TempDir dir_;
  std::string key_, admin_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SecuredServerTest, KeysFromTheCliAuthenticateByBearerAndXApiKey) {
  EXPECT_EQ(AdminGet(admin_).status, 200);
  EXPECT_EQ(Get(server_->port(), "/admin/log_level", {"X-API-Key: " + admin_}).status, 200);
  EXPECT_EQ(Get(server_->port(), "/admin/log_level").status, 401);
  const auto forbidden = AdminGet(key_);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_NE(forbidden.body.find("insufficient_scope"), std::string::npos);
  EXPECT_EQ(Get(server_->port(), "/health").status, 200) << "health stays public";
  EXPECT_EQ(Get(server_->port(), "/metrics").status, 401) << "metrics need a scope by default";
  const auto metrics = Get(server_->port(), "/metrics", {"X-API-Key: " + admin_});
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body.find("pk_"), std::string::npos) << "keys never become metric labels";
  EXPECT_NE(metrics.body.find("parley_security_events_total{event=\"forbidden\"} 1"),
            std::string::npos)
      << metrics.body;
}

TEST_F(SecuredServerTest, RevokedExpiredAndBadKeysGetOneUniform401Body) {
  const std::string expired = CreateKey(dir_.File("keys.db"), "admin", "1s");
  std::string out;
  ASSERT_EQ(
      RunCommand({ParleyBinary(), "keys", "--db", dir_.File("keys.db"), "revoke", KeyId(admin_)},
                 &out),
      0)
      << out;
  std::this_thread::sleep_for(milliseconds(2100));  // the store re-reads within a second
  const auto revoked = AdminGet(admin_);
  const auto exp = AdminGet(expired);
  const auto garbage = AdminGet(admin_.substr(0, 40) + std::string(19, 'A'));
  const auto padded = Get(server_->port(), "/admin/log_level", {"X-API-Key: x" + key_});
  for (const auto* r : {&revoked, &exp, &garbage, &padded}) {
    EXPECT_EQ(r->status, 401) << r->raw;
    EXPECT_EQ(r->body, revoked.body);
    EXPECT_EQ(r->body.find("pk_"), std::string::npos);
  }
  EXPECT_NE(revoked.body.find("invalid_api_key"), std::string::npos);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string logs = server_->Output();
  for (const auto& k : {key_, admin_, expired}) {
    EXPECT_EQ(logs.find(k.substr(16)), std::string::npos) << "a key secret reached the logs";
    EXPECT_EQ(Slurp(dir_.File("audit.jsonl")).find(k.substr(16)), std::string::npos);
  }
}

TEST_F(SecuredServerTest, FiftyConcurrentRequestsAgainstALimitOfTenAdmitExactlyTen) {
  std::atomic<int> ok{0}, limited{0};
  std::atomic<bool> headers_ok{true};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      const auto r = Get(server_->port(), "/admin/log_level", {"X-API-Key: " + admin_});
      if (r.status == 200) ok.fetch_add(1);
      if (r.status == 429) {
        limited.fetch_add(1);
        if (!r.headers.count("retry-after") || r.headers.at("x-ratelimit-limit") != "10" ||
            r.headers.at("x-ratelimit-remaining") != "0" || !r.headers.count("x-ratelimit-reset")) {
          headers_ok = false;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(limited.load(), 40);
  EXPECT_TRUE(headers_ok.load());
}

TEST_F(SecuredServerTest, AuditLogVerifiesAndReportsTampering) {
  AdminGet(admin_);
  AdminGet(key_);
  AdminGet("pk_bogus");
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string audit = dir_.File("audit.jsonl");
  const std::string text = Slurp(audit);
  EXPECT_NE(text.find("\"event\":\"forbidden\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"event\":\"auth_failed\""), std::string::npos);
  EXPECT_NE(text.find("\"principal\":\"key:" + KeyId(admin_) + "\""), std::string::npos);
  // Every answered request leaves a digest of what it sent back (errors included).
  EXPECT_NE(text.find("\"output_digest\":\""), std::string::npos) << text;
  std::string out;
  EXPECT_EQ(
      RunCommand({ParleyBinary(), "audit", "verify", "--key-file", dir_.File("audit.key"), audit},
                 &out),
      0)
      << out;
  EXPECT_NE(out.find("OK: 3 records"), std::string::npos) << out;
  std::string changed = text;
  changed[changed.find("\"status\":403") + 9] = '5';  // 403 -> 503
  std::ofstream(audit, std::ios::trunc) << changed;
  EXPECT_EQ(
      RunCommand({ParleyBinary(), "audit", "verify", "--key-file", dir_.File("audit.key"), audit},
                 &out),
      1);
  EXPECT_NE(out.find("audit.jsonl:2: record seq 2 altered"), std::string::npos) << out;
}

TEST_F(SecuredServerTest, AdminRoutesManageKeysAndNeedTheAdminScope) {
  const std::vector<std::string> admin = {"X-API-Key: " + admin_};
  EXPECT_EQ(Send(server_->port(), "POST", "/admin/keys", R"({"name":"x"})", {"X-API-Key: " + key_})
                .status,
            403);
  const auto created = Send(server_->port(), "POST", "/admin/keys",
                            R"({"name":"bot","scopes":"kb:read","expires_in":"7d"})", admin);
  ASSERT_EQ(created.status, 201) << created.raw;
  const size_t at = created.body.find("\"key\":\"pk_");
  ASSERT_NE(at, std::string::npos);
  const std::string key = created.body.substr(at + 7, 59);
  const auto list = Get(server_->port(), "/admin/keys", admin);
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("\"name\":\"bot\""), std::string::npos);
  EXPECT_EQ(list.body.find("pk_"), std::string::npos) << "listings never show keys";
  EXPECT_EQ(Get(server_->port(), "/metrics", {"X-API-Key: " + key}).status, 403);
  const auto revoked = Send(server_->port(), "DELETE", "/admin/keys/" + KeyId(key), "", admin);
  EXPECT_EQ(revoked.status, 200) << revoked.raw;
  EXPECT_EQ(Get(server_->port(), "/no/route", {"X-API-Key: " + key}).status, 401)
      << "revoked through the API: refused at once";
  const auto rotated =
      Send(server_->port(), "POST", "/admin/keys/" + KeyId(key_) + "/rotate", "{}", admin);
  EXPECT_EQ(rotated.status, 201) << rotated.raw;
  EXPECT_NE(rotated.body.find("\"rotated_from\":\"" + KeyId(key_) + "\""), std::string::npos);
}

TEST(SecurityStartupTest, NonLoopbackBindWithoutAuthIsRefusedWith78) {
  ServerProcess s("", {"--listen", "0.0.0.0:0"});
  EXPECT_FALSE(s.started());
  EXPECT_EQ(s.Stop(0), 78);
  EXPECT_NE(s.Output().find("refusing to listen on 0.0.0.0 without authentication"),
            std::string::npos)
      << s.Output();
  ServerProcess off("security:\n  enabled: false\nauth:\n  allow_anonymous: false\n",
                    {"--listen", "0.0.0.0:0"});
  EXPECT_FALSE(off.started());
  EXPECT_EQ(off.Stop(0), 78);
}

TEST(SecurityStartupTest, NonLoopbackBindWithKeysStartsAndRequiresThem) {
  TempDir dir;
  ServerProcess s("auth:\n  allow_anonymous: false\n  keys_db: " + dir.File("k.db") +
                      "\naudit:\n  enabled: false\n",
                  {"--listen", "0.0.0.0:0"});
  ASSERT_TRUE(s.started()) << s.Output();
  EXPECT_EQ(Get(s.port(), "/admin/log_level").status, 401);
}

TEST(SecurityStartupTest, JwtFromTheTokenCommandIsAcceptedAndForgeriesAreNot) {
  TempDir dir;
  const std::string yaml =
      "jwt:\n  algorithms: [HS256]\n  secret: 0123456789abcdef0123456789abcdef\n"
      "  audience: parley\nauth:\n  allow_anonymous: false\n  api_keys: false\n"
      "audit:\n  file: " +
      dir.File("a.jsonl") + "\n";
  dir.Write("p.yaml", yaml);
  std::string token;
  ASSERT_EQ(RunCommand({ParleyBinary(), "token", "--config", dir.File("p.yaml"), "--sub", "alice",
                        "--scopes", "admin", "--ttl", "10m"},
                       &token),
            0)
      << token;
  token = token.substr(0, token.find('\n'));
  ServerProcess s(yaml);
  ASSERT_TRUE(s.started()) << s.Output();
  EXPECT_EQ(Get(s.port(), "/admin/log_level", {"Authorization: Bearer " + token}).status, 200);
  const auto cfg = Get(s.port(), "/admin/config", {"Authorization: Bearer " + token});
  EXPECT_EQ(cfg.status, 200);
  EXPECT_NE(cfg.body.find("\"secret\":\"[redacted]\""), std::string::npos) << cfg.body;
  EXPECT_EQ(cfg.body.find("0123456789abcdef0123456789abcdef"), std::string::npos);
  // alg none: header {"alg":"none"}, same payload, no signature.
  const std::string payload =
      token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  const std::string none = "eyJhbGciOiJub25lIn0." + payload + ".";
  EXPECT_EQ(Get(s.port(), "/admin/log_level", {"Authorization: Bearer " + none}).status, 401);
  const auto huge = Get(s.port(), "/admin/log_level",
                        {"Authorization: Bearer " + token + std::string(64 * 1024, 'A')});
  EXPECT_EQ(huge.status, 431) << "a 64 KB token is refused before any parsing";
  EXPECT_EQ(Get(s.port(), "/health").status, 200);
  std::string wrong_aud;
  RunCommand({ParleyBinary(), "token", "--config", dir.File("p.yaml"), "--sub", "alice", "--scopes",
              "admin", "--aud", "other"},
             &wrong_aud);
  wrong_aud = wrong_aud.substr(0, wrong_aud.find('\n'));
  EXPECT_EQ(Get(s.port(), "/admin/log_level", {"Authorization: Bearer " + wrong_aud}).status, 401);
  std::string too_long;
  EXPECT_NE(RunCommand({ParleyBinary(), "token", "--config", dir.File("p.yaml"), "--sub", "a",
                        "--ttl", "2h"},
                       &too_long),
            0)
      << "minting past jwt.max_lifetime is refused";
}

TEST(SecurityNetworkTest, ForwardedForCountsOnlyFromTrustedProxies) {
  ServerProcess trusting("network:\n  deny: [198.51.100.0/24]\n");
  ASSERT_TRUE(trusting.started()) << trusting.Output();
  EXPECT_EQ(Get(trusting.port(), "/health", {"X-Forwarded-For: 198.51.100.7"}).status, 403);
  EXPECT_EQ(Get(trusting.port(), "/health", {"X-Forwarded-For: 6.6.6.6, 198.51.100.7"}).status,
            403);
  EXPECT_EQ(Get(trusting.port(), "/health", {"X-Forwarded-For: 198.51.100.7, 203.0.113.1"}).status,
            200)
      << "the right-most untrusted hop is the client; a spoofed left entry is ignored";
  EXPECT_EQ(Get(trusting.port(), "/health", {"X-Forwarded-For: 198.51.100.7, garbage"}).status, 200)
      << "malformed: fall back to the peer";
  // Anonymous access is for loopback clients, not for clients behind a local proxy.
  EXPECT_EQ(Get(trusting.port(), "/admin/log_level", {"X-Forwarded-For: 203.0.113.1"}).status, 401);

  ServerProcess untrusting("server:\n  trusted_proxies: []\nnetwork:\n  deny: [198.51.100.0/24]\n");
  ASSERT_TRUE(untrusting.started()) << untrusting.Output();
  EXPECT_EQ(Get(untrusting.port(), "/health", {"X-Forwarded-For: 198.51.100.7"}).status, 200)
      << "an untrusted peer cannot spoof its address";
  EXPECT_EQ(Get(untrusting.port(), "/admin/log_level", {"X-Forwarded-For: 203.0.113.1"}).status,
            200);
}

TEST(SecurityNetworkTest, PerIpConnectionCapClosesExtraConnections) {
  ServerProcess s("network:\n  max_connections_per_ip: 2\n");
  ASSERT_TRUE(s.started()) << s.Output();
  auto a = std::make_unique<Connection>(s.port());
  Connection b(s.port());
  ASSERT_TRUE(a->Write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.Write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(a->ReadReply().status, 200);
  EXPECT_EQ(b.ReadReply().status, 200);
  Connection c(s.port());
  EXPECT_TRUE(c.WaitClosed(seconds(2))) << "third connection from one address must be closed";
  {
    Connection gone(s.port());  // also closed at once; does not count
  }
  a.reset();  // the client hangs up
  std::this_thread::sleep_for(milliseconds(300));
  Connection d(s.port());
  ASSERT_TRUE(d.Write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(d.ReadReply().status, 200) << "a slot frees when a connection closes";
}

TEST(SecurityCorsTest, PreflightOnlyForListedOrigins) {
  ServerProcess s("cors:\n  origins: [https://chat.example.com]\n");
  ASSERT_TRUE(s.started()) << s.Output();
  const auto ok = Send(s.port(), "OPTIONS", "/admin/log_level", "",
                       {"Origin: https://chat.example.com", "Access-Control-Request-Method: PUT"});
  EXPECT_EQ(ok.status, 204) << ok.raw;
  EXPECT_EQ(ok.headers.at("access-control-allow-origin"), "https://chat.example.com");
  const auto evil = Send(s.port(), "OPTIONS", "/admin/log_level", "",
                         {"Origin: https://evil.example", "Access-Control-Request-Method: PUT"});
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(evil.headers.count("access-control-allow-origin"), 0u);
}

TEST(SecurityLogTest, PiiIsMaskedInTheAccessLog) {
  ServerProcess s("");
  ASSERT_TRUE(s.started()) << s.Output();
  Get(s.port(), "/v1/kb/documents/13812345678");
  Get(s.port(), "/u/zhang.san@example.com");
  ASSERT_EQ(s.Stop(SIGTERM), 0);
  const std::string out = s.Output();
  EXPECT_EQ(out.find("13812345678"), std::string::npos) << out;
  EXPECT_EQ(out.find("zhang.san@example.com"), std::string::npos);
  EXPECT_NE(out.find("/v1/kb/documents/[mobile]"), std::string::npos);
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

std::string MakeCert(const TempDir& dir, const std::string& cn) {
  std::string out;
  RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-nodes", "-keyout", dir.File("key.pem"), "-out", dir.File("cert.pem"), "-days", "2",
              "-subj", "/CN=" + cn},
             &out);
  return out;
}

uint16_t WaitPort(const std::string& file) {
  for (int i = 0; i < 200; ++i) {
    const std::string p = Slurp(file);
    if (!p.empty() && p.back() == '\n') return static_cast<uint16_t>(std::stoi(p));
    std::this_thread::sleep_for(milliseconds(20));
  }
  return 0;
}

TEST(SecurityTlsTest, ServesHttpsWithTls12MinimumAndReloadsOnSighup) {
  TempDir dir;
  MakeCert(dir, "first");
  ServerProcess s(
      "tls:\n  enabled: true\n  listen: 127.0.0.1:0\n  cert_file: " + dir.File("cert.pem") +
      "\n  key_file: " + dir.File("key.pem") + "\n  port_file: " + dir.File("tls.port") + "\n");
  ASSERT_TRUE(s.started()) << s.Output();
  const uint16_t port = WaitPort(dir.File("tls.port"));
  ASSERT_NE(port, 0) << s.Output();
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  std::string out;
  EXPECT_EQ(RunCommand({"curl", "-sk", url + "/health"}, &out), 0) << out;
  EXPECT_EQ(out, R"({"status":"ok"})");
  EXPECT_NE(RunCommand({"curl", "-sk", "--tls-max", "1.1", url + "/health"}, &out), 0)
      << "TLS 1.1 must be refused";
  // The relay passes the real client on: behind TLS, a forwarded client is not loopback.
  RunCommand({"curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "-H",
              "X-Forwarded-For: 203.0.113.9", url + "/admin/log_level"},
             &out);
  EXPECT_EQ(out, "401");

  MakeCert(dir, "second");
  ::kill(s.pid(), SIGHUP);
  std::string subject;
  for (int i = 0; i < 50 && subject.find("second") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    RunCommand({"sh", "-c",
                "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                    " 2>/dev/null | grep subject="},
               &subject);
  }
  EXPECT_NE(subject.find("CN = second"), std::string::npos) << subject;
  EXPECT_TRUE(s.Running()) << "SIGHUP must not stop the server";
  EXPECT_EQ(RunCommand({"curl", "-sk", url + "/health"}, &out), 0);

  MakeCert(dir, "third");  // the admin route reloads too
  EXPECT_EQ(Send(s.port(), "POST", "/admin/reload", "").status, 200);
  RunCommand({"sh", "-c",
              "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                  " 2>/dev/null | grep subject="},
             &subject);
  EXPECT_NE(subject.find("CN = third"), std::string::npos) << subject;
}

TEST(SecurityTlsTest, PlainHttpIsRedirectedToHttpsWhenAsked) {
  TempDir dir;
  MakeCert(dir, "redirect");
  ServerProcess s(
      "tls:\n  enabled: true\n  redirect_http: true\n  listen: 127.0.0.1:0\n  cert_file: " +
      dir.File("cert.pem") + "\n  key_file: " + dir.File("key.pem") +
      "\n  port_file: " + dir.File("tls.port") + "\n");
  ASSERT_TRUE(s.started()) << s.Output();
  const uint16_t port = WaitPort(dir.File("tls.port"));
  ASSERT_NE(port, 0) << s.Output();
  // Same host as the client used (the test client sends Host: 127.0.0.1), the HTTPS port.
  const auto plain = Get(s.port(), "/v1/models?x=1");
  EXPECT_EQ(plain.status, 308) << plain.raw;
  EXPECT_EQ(plain.headers.at("location"),
            "https://127.0.0.1:" + std::to_string(port) + "/v1/models?x=1");
  EXPECT_EQ(Get(s.port(), "/health").status, 200) << "probes stay on plain HTTP";
  std::string out;
  RunCommand({"curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
              "https://127.0.0.1:" + std::to_string(port) + "/v1/models"},
             &out);
  EXPECT_EQ(out, "200") << "through TLS the request is served";
}

TEST(SecurityTlsTest, TlsWithoutCertificateIsAConfigError) {
  ServerProcess s("tls:\n  enabled: true\n");
  EXPECT_FALSE(s.started());
  EXPECT_EQ(s.Stop(0), 78);
  EXPECT_NE(s.Output().find("tls.enabled needs tls.cert_file"), std::string::npos);
}

}  // namespace
}  // namespace parley::testing
