#include "app/security_wiring.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "security/crypto.h"
#include "util/text.h"

namespace parley::app {
namespace {

Result<std::vector<std::string>> ReadLines(const std::string& path) {
  auto text = ReadFileText(path, false);
  if (!text.ok()) return text.error();
  std::vector<std::string> out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    const auto t = text::Trim(line);
    if (!t.empty() && t.front() != '#') out.emplace_back(t);
  }
  return out;
}

// The audit HMAC key: read it, or create a random one (mode 0600) on first use.
Result<std::string> AuditKey(const std::string& path) {
  if (path.empty()) return std::string();
  if (!std::filesystem::exists(path)) {
    std::error_code ec;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    const std::string key = security::Hex(security::RandomBytes(32));
    const mode_t old = umask(077);
    std::ofstream out(path, std::ios::trunc);
    out << key << '\n';
    umask(old);
    if (!out) return MakeError(ErrorCode::kInternal, "cannot create audit key " + path);
  }
  return ReadFileText(path, true);
}

ip::CidrSet Cidrs(const std::vector<std::string>& items) {
  std::vector<ip::Cidr> ranges;
  for (const auto& t : items) {
    if (auto c = ip::ParseCidr(t)) ranges.push_back(*c);
  }
  return ip::CidrSet(std::move(ranges));
}

security::Scopes ScopesOf(const std::vector<std::string>& names) {
  return security::ParseScopeList(names).value_or(0);
}

}  // namespace

std::string ExposureProblem(const config::Config& cfg, const security::SecurityOptions& o) {
  if (cfg.tls.enabled && (cfg.tls.cert_file.empty() || cfg.tls.key_file.empty())) {
    return "tls.enabled needs tls.cert_file and tls.key_file";
  }
  if (cfg.security.enabled) {
    std::string why = security::CheckExposure(cfg.server.host, o);
    if (why.empty() && cfg.tls.enabled) why = security::CheckExposure(cfg.tls.host, o);
    return why;
  }
  const bool exposed = !security::IsLoopback(cfg.server.host) ||
                       (cfg.tls.enabled && !security::IsLoopback(cfg.tls.host));
  if (!exposed) return {};
  return "refusing to listen on " + cfg.server.host +
         " with security.enabled: false; it exists only for measurements on loopback";
}

Result<std::string> ReadFileText(const std::string& path, bool trim) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (trim) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  }
  return s;
}

std::optional<int64_t> ParseSeconds(const std::string& t) {
  return security::ParseLifetimeSeconds(t);
}

Result<security::SecurityOptions> SecurityOptionsFrom(const config::Config& cfg) {
  security::SecurityOptions o;
  o.api_keys = cfg.auth.api_keys;
  o.keys_db = cfg.auth.keys_db;
  o.allow_anonymous = cfg.auth.allow_anonymous;
  o.anonymous_scopes = ScopesOf(cfg.auth.anonymous_scopes);
  o.metrics_path = cfg.metrics.enabled ? cfg.metrics.path : "";
  o.public_metrics = cfg.auth.public_metrics;

  auto& j = o.jwt;
  j.algorithms = cfg.jwt.algorithms;
  j.secret = cfg.jwt.secret;
  if (!cfg.jwt.secret_file.empty()) {
    auto s = ReadFileText(cfg.jwt.secret_file, true);
    if (!s.ok())
      return MakeError(ErrorCode::kInvalidArgument, "jwt.secret_file: " + s.error().message);
    j.secret = *s;
  }
  if (!cfg.jwt.public_key_file.empty()) {
    auto s = ReadFileText(cfg.jwt.public_key_file, false);
    if (!s.ok())
      return MakeError(ErrorCode::kInvalidArgument, "jwt.public_key_file: " + s.error().message);
    j.public_key_pem = *s;
  }
  j.issuer = cfg.jwt.issuer;
  j.audience = cfg.jwt.audience;
  j.max_lifetime_s = cfg.jwt.max_lifetime.count() / 1000;
  j.leeway_s = cfg.jwt.leeway.count() / 1000;
  j.scope_claim = cfg.jwt.scope_claim;
  j.principal_claim = cfg.jwt.principal_claim;

  o.trusted_proxies = Cidrs(cfg.server.trusted_proxies);
  o.allow = Cidrs(cfg.network.allow);
  o.deny = Cidrs(cfg.network.deny);
  o.max_connections_per_ip = static_cast<int>(cfg.network.max_connections_per_ip);

  o.limits.key_requests_per_minute = cfg.ratelimit.requests_per_minute_per_key;
  o.limits.ip_requests_per_minute = cfg.ratelimit.requests_per_minute_per_ip;
  o.limits.key_tokens_per_minute = cfg.ratelimit.tokens_per_minute_per_key;
  o.limits.key_concurrent_streams = cfg.ratelimit.concurrent_streams_per_key;

  o.guard_enabled = cfg.guard.enabled;
  auto& g = o.guard;
  g.max_input_chars = static_cast<size_t>(cfg.guard.max_input_chars);
  g.words = cfg.guard.words;
  if (!cfg.guard.words_file.empty()) {
    auto w = ReadLines(cfg.guard.words_file);
    if (!w.ok())
      return MakeError(ErrorCode::kInvalidArgument, "guard.words_file: " + w.error().message);
    g.words.insert(g.words.end(), w->begin(), w->end());
  }
  g.words_action = cfg.guard.words_action == "block" ? security::RuleAction::kBlock
                                                     : security::RuleAction::kMask;
  if (!cfg.guard.regex_file.empty()) {
    auto r = ReadLines(cfg.guard.regex_file);
    if (!r.ok())
      return MakeError(ErrorCode::kInvalidArgument, "guard.regex_file: " + r.error().message);
    g.regex = *r;
  }
  g.regex_action =
      cfg.guard.regex_action == "mask" ? security::RuleAction::kMask : security::RuleAction::kBlock;
  const std::string& inj = cfg.guard.injection;
  g.injection = inj == "off"     ? security::InjectionAction::kOff
                : inj == "flag"  ? security::InjectionAction::kFlag
                : inj == "strip" ? security::InjectionAction::kStrip
                                 : security::InjectionAction::kBlock;
  g.output_pii = cfg.guard.output_pii;
  g.output_words = cfg.guard.output_words;
  g.blocked_reply = cfg.guard.blocked_reply;

  o.audit_enabled = cfg.audit.enabled;
  o.audit_public_routes = cfg.audit.public_routes;
  o.audit.path = cfg.audit.file;
  o.audit.max_bytes = cfg.audit.max_bytes;
  o.audit.max_age_s = cfg.audit.max_age.count() / 1000;
  if (cfg.audit.enabled) {
    auto key = AuditKey(cfg.audit.key_file);
    if (!key.ok())
      return MakeError(ErrorCode::kInvalidArgument, "audit.key_file: " + key.error().message);
    o.audit.hmac_key = *key;
  }
  o.cors_origins = cfg.cors.origins;
  o.cors_max_age_s = cfg.cors.max_age.count() / 1000;
  o.max_json_depth = static_cast<int>(cfg.server.max_json_depth);
  return o;
}

}  // namespace parley::app
