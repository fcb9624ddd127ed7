#include "security/security_layer.h"

namespace parley::security {

bool IsLoopback(std::string_view address) {
  static const ip::CidrSet kLoopback({*ip::ParseCidr("127.0.0.0/8"), *ip::ParseCidr("::1/128")});
  return kLoopback.Contains(address);
}

std::string CheckExposure(const std::string& host, const SecurityOptions& o) {
  if (IsLoopback(host)) return {};
  const bool has_credentials = o.api_keys || !o.jwt.algorithms.empty();
  if (o.allow_anonymous || !has_credentials) {
    return "refusing to listen on " + host +
           " without authentication: every client that can reach this address could use the "
           "assistant. Set auth.allow_anonymous: false and create an API key (parley keys "
           "create --name NAME --scopes chat) or configure jwt.algorithms; or listen on "
           "127.0.0.1 behind a proxy.";
  }
  return {};
}

SecurityLayer::SecurityLayer(SecurityOptions o)
    : opt_(std::move(o)),
      policy_(opt_.metrics_path, opt_.public_metrics),
      network_(opt_.allow, opt_.deny),
      cors_(opt_.cors_origins, opt_.cors_max_age_s) {}

SecurityLayer::~SecurityLayer() {
  if (audit_) audit_->Flush();
}

Result<std::unique_ptr<SecurityLayer>> SecurityLayer::Create(SecurityOptions options,
                                                             obs::Logger* log,
                                                             obs::Registry* metrics) {
  std::unique_ptr<SecurityLayer> s(new SecurityLayer(std::move(options)));
  s->log_ = log;
  const auto& o = s->opt_;
  if (o.api_keys) {
    auto k = KeyStore::Open(o.keys_db);
    if (!k.ok()) return k.error();
    s->keys_ = std::move(*k);
  }
  if (!o.jwt.algorithms.empty()) {
    auto j = JwtVerifier::Create(o.jwt);
    if (!j.ok()) return MakeError(j.error().code, "jwt: " + j.error().message);
    s->jwt_ = std::move(*j);
  }
  s->limiter_ = std::make_unique<RateLimiter>(o.limits, std::make_shared<MemoryRateLimitBackend>());
  if (o.guard_enabled) {
    auto g = ContentGuard::Create(o.guard);
    if (!g.ok()) return g.error();
    s->guard_ = std::move(*g);
  }
  if (o.audit_enabled) {
    auto a = AuditLog::Open(o.audit);
    if (!a.ok()) return a.error();
    s->audit_ = std::move(*a);
  }
  s->connections_ = std::make_unique<ConnectionLimiter>(o.max_connections_per_ip);
  if (metrics) {
    s->events_ = metrics->AddCounter("parley_security_events_total",
                                     "Requests refused or changed by the security layer, by event.",
                                     {"event"});
  }
  return s;
}

http::Middleware SecurityLayer::Middleware() {
  return [this](const http::ExchangePtr& ex, const http::Handler& next) { Handle(ex, next); };
}

}  // namespace parley::security
