#include "server/middleware.h"

#include <array>
#include <random>
#include <unordered_map>

namespace parley::server {
namespace {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t a = rng(), b = rng();
  std::string id(32, '0');
  for (int i = 0; i < 16; ++i, a >>= 4, b >>= 4) {
    id[i] = kHex[a & 0xF];
    id[16 + i] = kHex[b & 0xF];
  }
  return id;
}

// Per-route metric children, created up front so the hot path takes no locks.
struct RouteMetrics {
  obs::Histogram* duration = nullptr;
  std::string method, route;
  obs::Family<obs::Counter>* requests = nullptr;
  std::array<std::atomic<obs::Counter*>, 600> by_status{};

  obs::Counter* ForStatus(int status) {
    if (status < 100 || status >= 600) status = 500;
    obs::Counter* c = by_status[status].load(std::memory_order_acquire);
    if (!c) {
      c = requests->With({route, method, std::to_string(status)});
      by_status[status].store(c, std::memory_order_release);
    }
    return c;
  }
};

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

http::Middleware RequestIdMiddleware(ip::CidrSet trusted) {
  return [trusted = std::move(trusted)](const http::ExchangePtr& ex, const http::Handler& next) {
    auto& req = ex->request();
    const auto given = req.Header("X-Request-Id");
    if (!given.empty() && IsValidRequestId(given) && trusted.Contains(req.peer_ip)) {
      req.request_id = std::string(given);
    } else {
      req.request_id = NewRequestId();
    }
    ex->AddResponseHeader("X-Request-Id", req.request_id);
    next(ex);
  };
}

http::Middleware MetricsMiddleware(const http::Router& router, obs::Registry& registry) {
  auto* requests = registry.AddCounter("parley_http_requests_total",
                                       "HTTP requests answered, by route, method and status.",
                                       {"route", "method", "status"});
  auto* durations = registry.AddHistogram("parley_http_request_duration_seconds",
                                          "Time from request header to response written.",
                                          {"route", "method"}, obs::LatencyBuckets());
  auto* in_flight =
      registry.AddGauge("parley_http_requests_in_flight", "HTTP requests being handled.")->With({});
  auto* bytes =
      registry.AddCounter("parley_http_response_body_bytes_total", "Response body bytes written.")
          ->With({});

  auto make = [&](const std::string& route, const std::string& method) {
    auto m = std::make_shared<RouteMetrics>();
    m->route = route;
    m->method = method;
    m->requests = requests;
    m->duration = durations->With({route, method});
    return m;
  };
  auto table =
      std::make_shared<std::unordered_map<const http::RouteInfo*, std::shared_ptr<RouteMetrics>>>();
  for (const http::RouteInfo* r : router.routes()) (*table)[r] = make(r->pattern, r->method);
  auto unmatched = make("unmatched", "-");

  return [=](const http::ExchangePtr& ex, const http::Handler& next) {
    in_flight->Add(1);
    ex->OnFinish([=](const http::Exchange& e, const http::FinishInfo& info) {
      in_flight->Add(-1);
      RouteMetrics* m = unmatched.get();
      if (e.route()) {
        if (auto it = table->find(e.route()); it != table->end()) m = it->second.get();
      }
      m->ForStatus(info.status)->Inc();
      m->duration->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - e.start()).count());
      bytes->Inc(info.bytes_sent);
    });
    next(ex);
  };
}

http::Middleware AccessLogMiddleware(obs::Logger* log) {
  return [log](const http::ExchangePtr& ex, const http::Handler& next) {
    ex->OnFinish([log](const http::Exchange& e, const http::FinishInfo& info) {
      if (!log->Enabled(obs::Level::kInfo)) return;
      const auto& r = e.request();
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - e.start())
              .count();
      // The path only: query strings may carry secrets.
      log->Info("request", {{"request_id", r.request_id},
                            {"method", r.method},
                            {"route", r.route.empty() ? std::string_view("-") : r.route},
                            {"path", r.path},
                            {"status", info.status},
                            {"duration_ms", ms},
                            {"bytes", static_cast<long>(info.bytes_sent)},
                            {"peer", r.peer_ip},
                            {"completed", info.completed}});
    });
    next(ex);
  };
}

http::Middleware HttpsRedirectMiddleware(std::function<uint16_t()> https_port) {
  return
      [https_port = std::move(https_port)](const http::ExchangePtr& ex, const http::Handler& next) {
        const auto& req = ex->request();
        if (req.tls || req.path == "/health" || req.path == "/ready") return next(ex);
        // The host the client used, without its port ("[::1]:80" -> "[::1]").
        std::string host(req.Header("Host"));
        const auto colon = host.rfind(':');
        if (colon != std::string::npos && host.find(']', colon) == std::string::npos)
          host.resize(colon);
        if (host.empty()) host = "localhost";
        http::Response r;
        r.status = 308;
        r.headers.emplace_back("Location",
                               "https://" + host + ":" + std::to_string(https_port()) + req.target);
        r.body = R"({"redirect":"https"})";
        ex->Respond(std::move(r));
      };
}

}  // namespace parley::server
