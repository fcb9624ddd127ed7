// Per-request cost of the security chain: the same requests dispatched through a Pipeline with
// and without SecurityLayer (API key auth, route scopes, rate limits, input guard with a
// 5,000-word list and the injection heuristics, audit record with PII masking), answered by a
// trivial handler through an in-memory channel, so only the chain's own work is measured.
// Prints a Markdown table of p50/p99 per request kind and the difference.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "http/router.h"
#include "security/security_layer.h"

using namespace parley;
using Clock = std::chrono::steady_clock;

namespace {

class NullChannel : public http::ResponseChannel {
 public:
  void Send(http::Response&& r) override { status = r.status; }
  void StartStream(http::Response&&) override {}
  void StreamWrite(std::string&&) override {}
  void StreamEnd() override {}
  int status = 0;
};

struct Kind {
  const char* name;
  std::string method, path, body;
};

struct Stats {
  double p50_us, p99_us;
};

Stats Measure(const http::Pipeline& p, const Kind& k, const http::Headers& headers, int n) {
  std::vector<double> us;
  us.reserve(n);
  for (int i = 0; i < n; ++i) {
    http::Request r;
    r.method = k.method;
    r.path = r.target = k.path;
    r.body = k.body;
    r.headers = headers;
    r.peer_ip = "10.1.2.3";
    r.request_id = "bench";
    auto ch = std::make_shared<NullChannel>();
    const auto t0 = Clock::now();
    auto ex = std::make_shared<http::Exchange>(std::move(r), ch);
    p.Dispatch(ex);
    ex->Finish({ch->status, 2, true});
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (ch->status != 200) {
      std::fprintf(stderr, "security_bench: %s answered %d\n", k.name, ch->status);
      std::exit(1);
    }
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  const auto dir = std::filesystem::temp_directory_path() / "parley-security-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  security::SecurityOptions o;
  o.allow_anonymous = false;
  o.keys_db = (dir / "keys.db").string();
  o.audit.path = (dir / "audit.jsonl").string();
  o.limits = {1'000'000'000, 1'000'000'000, 0, 1000};
  for (int i = 0; i < 5000; ++i) o.guard.words.push_back("敏感" + std::to_string(i * 7919));
  auto layer = security::SecurityLayer::Create(o, nullptr, nullptr);
  if (!layer.ok()) {
    std::fprintf(stderr, "security_bench: %s\n", layer.error().message.c_str());
    return 1;
  }
  const auto key = (*layer)->keys()->Create("bench", security::kAllScopes, 0, 1'700'000'000);

  http::Router router;
  const auto ok = [](const http::Request&) { return http::Response::Json(200, "{}"); };
  router.AddSync("POST", "/v1/chat/completions", ok);
  router.AddSync("GET", "/v1/kb/documents/{id}", ok);
  http::Pipeline off(&router), on(&router);
  off.Seal();
  on.Use((*layer)->Middleware());
  on.Seal();

  const std::string chat =
      R"({"model":"parley","messages":[{"role":"system","content":"You are a helpful assistant."},)"
      R"({"role":"user","content":"你好，我想查询一下我的订单状态，订单号是 20261121-0042，)"
      R"(另外请问退货政策是什么？Thanks a lot for your help with this request."}],"max_tokens":256})";
  const std::vector<Kind> kinds = {
      {"GET /v1/kb/documents/{id}", "GET", "/v1/kb/documents/7", ""},
      {"POST /v1/chat/completions (guarded)", "POST", "/v1/chat/completions", chat}};
  const http::Headers headers = {{"Authorization", "Bearer " + key->key},
                                 {"Content-Type", "application/json"}};
  std::printf("| request | p50 off (µs) | p50 on (µs) | p50 cost (µs) | p99 off | p99 on |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& k : kinds) {
    Measure(off, k, headers, n / 10);  // warm-up
    Measure(on, k, headers, n / 10);
    const Stats a = Measure(off, k, headers, n), b = Measure(on, k, headers, n);
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", k.name, a.p50_us, b.p50_us,
                b.p50_us - a.p50_us, a.p99_us, b.p99_us);
  }
  (*layer)->audit()->Flush();
  layer->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
