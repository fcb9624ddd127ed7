// The request path of SecurityLayer: one pass per request, refusing as early as possible.
#include <chrono>

#include "http/error_response.h"
#include "security/crypto.h"
#include "security/pii.h"
#include "security/request_text.h"
#include "security/security_layer.h"
#include "util/clock.h"
#include "util/text.h"

namespace parley::security {

struct SecurityLayer::RequestState {
  std::string client_ip;
  std::string principal;
  Scopes scopes = 0;
  bool anonymous = false;
  bool is_public = false;
  std::string event, detail, digest;
  std::string output;  // response body seen so far, capped (for the audit's output digest)
  std::vector<std::string> findings;
  std::shared_ptr<StreamLease> lease;
};

namespace {

Error InvalidCredentials() {
  return MakeError(ErrorCode::kUnauthenticated, "invalid API key or token", "invalid_api_key");
}

}  // namespace

void SecurityLayer::Refuse(const http::ExchangePtr& ex, RequestState& st, const Error& e,
                           std::string event) {
  st.event = std::move(event);
  if (events_) events_->With({st.event})->Inc();
  if (log_ && log_->Enabled(obs::Level::kInfo)) {
    log_->Info("request refused", {{"request_id", ex->request().request_id},
                                   {"event", st.event},
                                   {"client_ip", st.client_ip},
                                   {"detail", st.detail.empty() ? e.message : st.detail}});
  }
  ex->RespondError(e);
}

void SecurityLayer::Handle(const http::ExchangePtr& ex, const http::Handler& next) {
  auto st = std::make_shared<RequestState>();
  http::Request& req = ex->request();
  st->client_ip = ClientIp(req, opt_.trusted_proxies);
  req.client_ip = st->client_ip;
  const Requirement need =
      policy_.For(req.method, ex->route() ? std::string_view(ex->route()->pattern) : "");
  st->is_public = need.access == Access::kPublic;
  if (audit_ && !st->is_public) {
    ex->ObserveBody([st](std::string_view chunk) {
      constexpr size_t kMaxOutput = 256 << 10;
      if (st->output.size() < kMaxOutput) {
        st->output.append(chunk.substr(0, kMaxOutput - st->output.size()));
      }
    });
  }
  ex->OnFinish([this, st](const http::Exchange& e, const http::FinishInfo& info) {
    if (st->lease) st->lease->Release();
    if (audit_ && (!st->is_public || !st->event.empty() || opt_.audit_public_routes)) {
      Audit(e, *st, info);
    }
  });

  const std::string_view origin = req.Header("Origin");
  const bool preflight = CorsPolicy::IsPreflight(req);
  if (cors_.Allows(origin)) {
    if (preflight) {
      http::Response r;
      r.status = 204;
      r.content_type = "text/plain";
      r.headers = cors_.HeadersFor(origin, true);
      ex->Respond(std::move(r));
      return;
    }
    for (auto& [k, v] : cors_.HeadersFor(origin, false)) ex->AddResponseHeader(k, v);
  } else if (preflight) {
    st->is_public = false;
    return Refuse(
        ex, *st,
        MakeError(ErrorCode::kPermissionDenied, "origin not allowed", "cors_origin_denied"),
        "cors_denied");
  }
  if (!network_.Allows(st->client_ip)) {
    return Refuse(
        ex, *st, MakeError(ErrorCode::kPermissionDenied, "client address not allowed", "ip_denied"),
        "ip_denied");
  }
  if (need.access == Access::kPublic) return next(ex);
  // A request the transport already refused (bad framing, headers or body too large) gets
  // that answer: its headers may be incomplete, and no handler will run. Unknown routes
  // (404/405) still need credentials, so strangers cannot enumerate routes.
  if (const Error* e = ex->pending_error();
      e && e->code != ErrorCode::kNotFound && e->code != ErrorCode::kMethodNotAllowed) {
    return next(ex);
  }
  if (!Authenticate(ex, *st, need)) return;
  if (!ApplyLimits(ex, *st, need)) return;
  if (guard_ && need.scope == kScopeChat && req.method == "POST" && !ex->pending_error() &&
      !GuardInput(ex, *st)) {
    return;
  }
  next(ex);
}

bool SecurityLayer::Authenticate(const http::ExchangePtr& ex, RequestState& st,
                                 const Requirement& need) {
  http::Request& req = ex->request();
  std::string_view cred;
  bool bad_scheme = false;
  if (const auto authz = req.Header("Authorization"); !authz.empty()) {
    if (authz.size() > 7 && text::EqualsIgnoreCase(authz.substr(0, 7), "Bearer ")) {
      cred = text::Trim(authz.substr(7));
    } else {
      bad_scheme = true;
    }
  } else {
    cred = text::Trim(req.Header("X-API-Key"));
  }
  const int64_t now = UnixSeconds();
  const bool anonymous_ok = opt_.allow_anonymous && IsLoopback(st.client_ip);
  // OpenAI SDKs insist on sending some key; on a loopback server that allows anonymous use,
  // a placeholder ("Bearer none", "sk-local") that is neither a Parley key nor a JWT counts as
  // no credential. Anything shaped like a key or token is still verified.
  if (anonymous_ok && !bad_scheme && !cred.empty() && !KeyStore::LooksLikeKey(cred) &&
      !JwtVerifier::LooksLikeJwt(cred) && cred.substr(0, 3) != "pk_") {
    cred = {};
  }
  if (cred.empty() && !bad_scheme) {
    if (anonymous_ok) {
      st.principal = "anonymous";
      st.scopes = opt_.anonymous_scopes;
      st.anonymous = true;
    } else {
      ex->AddResponseHeader("WWW-Authenticate", "Bearer");
      Refuse(ex, st,
             MakeError(ErrorCode::kUnauthenticated,
                       "missing credentials: send Authorization: Bearer <key or token>, or "
                       "X-API-Key",
                       "missing_credentials"),
             "auth_missing");
      return false;
    }
  } else if (!bad_scheme && keys_ && KeyStore::LooksLikeKey(cred)) {
    auto k = keys_->Verify(cred, now);
    if (k.ok()) {
      st.principal = "key:" + k->id;
      st.scopes = k->scopes;
    } else {
      st.detail = "api key rejected";
    }
  } else if (!bad_scheme && jwt_ && JwtVerifier::LooksLikeJwt(cred)) {
    auto c = jwt_->Verify(cred, now);
    if (c.ok()) {
      st.principal = "jwt:" + c->subject;
      st.scopes = c->scopes;
    } else {
      st.detail = c.error().message;
    }
  } else {
    st.detail = bad_scheme ? "unsupported Authorization scheme" : "unrecognised credential";
  }
  if (st.principal.empty()) {
    ex->AddResponseHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    Refuse(ex, st, InvalidCredentials(), "auth_failed");
    return false;
  }
  req.principal = st.principal;
  if (need.access == Access::kScoped && !Grants(st.scopes, need.scope)) {
    Refuse(ex, st,
           MakeError(ErrorCode::kPermissionDenied,
                     "this credential lacks the '" + ScopeNames(need.scope) + "' scope",
                     "insufficient_scope"),
           "forbidden");
    return false;
  }
  return true;
}

bool SecurityLayer::ApplyLimits(const http::ExchangePtr& ex, RequestState& st,
                                const Requirement& need) {
  const Decision d = limiter_->CheckRequest(st.anonymous ? "" : st.principal, st.client_ip);
  if (d.limit > 0) {
    ex->AddResponseHeader("x-ratelimit-limit", std::to_string(d.limit));
    ex->AddResponseHeader("x-ratelimit-remaining", std::to_string(d.remaining));
    ex->AddResponseHeader("x-ratelimit-reset", std::to_string(d.reset_s));
  }
  if (!d.allowed) {
    ex->AddResponseHeader("Retry-After", std::to_string(d.retry_after_s));
    Refuse(ex, st, RateLimitError(d, "requests per minute"), "rate_limited");
    return false;
  }
  if (need.scope == kScopeChat) {
    auto lease = limiter_->AcquireStream(st.anonymous ? "anon:" + st.client_ip : st.principal);
    if (!lease.ok()) {
      ex->AddResponseHeader("Retry-After", "1");
      Refuse(ex, st, lease.error(), "concurrency_limited");
      return false;
    }
    st.lease = std::move(*lease);
  }
  return true;
}

bool SecurityLayer::GuardInput(const http::ExchangePtr& ex, RequestState& st) {
  http::Request& req = ex->request();
  auto out = GuardRequestBody(*guard_, req.body, opt_.max_json_depth);
  if (!out.inspected) return true;
  st.digest = out.digest;
  st.findings = out.result.findings;
  const bool too_long =
      std::find(st.findings.begin(), st.findings.end(), "length") != st.findings.end();
  if (out.result.verdict == Verdict::kBlock) {
    Refuse(ex, st,
           too_long
               ? MakeError(ErrorCode::kInvalidArgument,
                           "input longer than " +
                               std::to_string(guard_->options().max_input_chars) + " characters",
                           "input_too_long")
               : MakeError(ErrorCode::kInvalidArgument, guard_->options().blocked_reply,
                           "content_blocked"),
           "guard_block");
    return false;
  }
  if (!out.body.empty()) req.body = std::move(out.body);
  if (out.result.verdict == Verdict::kModified || out.result.verdict == Verdict::kFlagged) {
    st.event = out.result.verdict == Verdict::kFlagged ? "guard_flagged" : "guard_modified";
    if (events_) events_->With({st.event})->Inc();
  }
  return true;
}

void SecurityLayer::Audit(const http::Exchange& e, const RequestState& st,
                          const http::FinishInfo& info) {
  const auto& r = e.request();
  AuditRecord rec;
  rec.type = st.event.empty() ? "request" : "security";
  rec.event = st.event;
  rec.request_id = r.request_id;
  rec.principal = st.principal;
  rec.client_ip = st.client_ip;
  rec.method = r.method;
  rec.route = r.route.empty() ? "-" : r.route;
  rec.path = r.path;
  rec.status = info.status;
  rec.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - e.start())
                        .count();
  rec.input_digest = st.digest;
  if (!st.output.empty()) rec.output_digest = Sha256Hex(MaskPii(st.output)).substr(0, 16);
  rec.guard = st.findings;
  rec.detail = st.detail;
  audit_->Append(rec);
}

}  // namespace parley::security
