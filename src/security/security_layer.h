// The security layer as one middleware: client address, CORS, IP policy, authentication (API
// keys, JWT, or anonymous loopback callers when allowed), per-route scopes, rate limits,
// the input guard, and the audit record of every request and security event. It is added to
// the Pipeline after the request id/metrics/access-log middleware, so it applies to every
// route, including routes added later (unknown routes need an authenticated caller).
//
// Owns the key store, JWT verifier, limiter, guard and audit log; they outlive the pipeline.
// The middleware is thread-safe. Accessors hand the engine/dialog layers the parts they call
// themselves (token reservations, the output StreamGuard).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/router.h"
#include "obs/logger.h"
#include "obs/metrics.h"
#include "security/api_keys.h"
#include "security/audit.h"
#include "security/cors.h"
#include "security/guard.h"
#include "security/jwt.h"
#include "security/network.h"
#include "security/rate_limit.h"
#include "security/scopes.h"
#include "util/ip.h"

namespace parley::security {

struct SecurityOptions {
  // Authentication.
  bool api_keys = true;
  std::string keys_db = "data/keys.db";
  bool allow_anonymous = true;  // callers without credentials, from loopback addresses only
  Scopes anonymous_scopes = kAllScopes;
  std::string metrics_path = "/metrics";
  bool public_metrics = false;
  JwtOptions jwt;  // enabled when jwt.algorithms is non-empty
  // Network.
  ip::CidrSet trusted_proxies, allow, deny;
  int max_connections_per_ip = 0;
  // Limits, guards, audit, CORS.
  RateLimitOptions limits;
  bool guard_enabled = true;
  GuardOptions guard;
  bool audit_enabled = true;
  bool audit_public_routes = false;  // also audit /health, /ready, public metrics
  AuditOptions audit;
  std::vector<std::string> cors_origins;
  int64_t cors_max_age_s = 600;
  int max_json_depth = 64;
};

bool IsLoopback(std::string_view address);  // 127.0.0.0/8 or ::1

// Start-up rule: a server reachable beyond loopback must require credentials. Returns "" when
// fine, else the message to print before exiting with 78.
std::string CheckExposure(const std::string& bind_host, const SecurityOptions& options);

class SecurityLayer {
 public:
  static Result<std::unique_ptr<SecurityLayer>> Create(SecurityOptions options, obs::Logger* log,
                                                       obs::Registry* metrics);
  ~SecurityLayer();

  http::Middleware Middleware();

  KeyStore* keys() { return keys_.get(); }  // null when API keys are off
  RateLimiter& limiter() { return *limiter_; }
  const ContentGuard* guard() const { return guard_.get(); }  // null when guards are off
  AuditLog* audit() { return audit_.get(); }                  // null when audit is off
  ConnectionLimiter& connections() { return *connections_; }
  const SecurityOptions& options() const { return opt_; }

  struct RequestState;  // per-request data shared with the finish hook

 private:
  explicit SecurityLayer(SecurityOptions o);
  void Handle(const http::ExchangePtr& ex, const http::Handler& next);
  bool Authenticate(const http::ExchangePtr& ex, RequestState& st, const Requirement& need);
  bool ApplyLimits(const http::ExchangePtr& ex, RequestState& st, const Requirement& need);
  bool GuardInput(const http::ExchangePtr& ex, RequestState& st);
  void Refuse(const http::ExchangePtr& ex, RequestState& st, const Error& e, std::string event);
  void Audit(const http::Exchange& e, const RequestState& st, const http::FinishInfo& info);

  SecurityOptions opt_;
  obs::Logger* log_ = nullptr;
  RoutePolicy policy_;
  NetworkPolicy network_;
  CorsPolicy cors_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<JwtVerifier> jwt_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<ContentGuard> guard_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ConnectionLimiter> connections_;
  obs::Family<obs::Counter>* events_ = nullptr;
};

}  // namespace parley::security
