// GET /admin/config: the effective configuration, secrets redacted.
#include "api/json_body.h"
#include "api/security_routes.h"

namespace parley::api {
namespace {

std::string Redact(const std::string& secret) { return secret.empty() ? "" : "[redacted]"; }
int64_t Ms(std::chrono::milliseconds d) { return d.count(); }

}  // namespace

std::string ConfigJson(const config::Config& c) {
  Json j;
  j["server"] = {{"listen", c.server.listen},
                 {"io_threads", c.server.io_threads},
                 {"max_body_bytes", c.server.max_body_bytes},
                 {"max_connections", c.server.max_connections},
                 {"trusted_proxies", c.server.trusted_proxies}};
  j["log"] = {{"level", c.log.level}, {"access", c.log.access}, {"file", c.log.file}};
  j["metrics"] = {{"enabled", c.metrics.enabled}, {"path", c.metrics.path}};
  j["security"] = {{"enabled", c.security.enabled}};
  j["auth"] = {{"api_keys", c.auth.api_keys},
               {"keys_db", c.auth.keys_db},
               {"allow_anonymous", c.auth.allow_anonymous},
               {"anonymous_scopes", c.auth.anonymous_scopes},
               {"public_metrics", c.auth.public_metrics}};
  j["jwt"] = {{"algorithms", c.jwt.algorithms},
              {"secret", Redact(c.jwt.secret)},
              {"secret_file", c.jwt.secret_file},
              {"public_key_file", c.jwt.public_key_file},
              {"issuer", c.jwt.issuer},
              {"audience", c.jwt.audience},
              {"max_lifetime_ms", Ms(c.jwt.max_lifetime)},
              {"leeway_ms", Ms(c.jwt.leeway)}};
  j["network"] = {{"allow", c.network.allow},
                  {"deny", c.network.deny},
                  {"max_connections_per_ip", c.network.max_connections_per_ip}};
  j["ratelimit"] = {{"requests_per_minute_per_key", c.ratelimit.requests_per_minute_per_key},
                    {"requests_per_minute_per_ip", c.ratelimit.requests_per_minute_per_ip},
                    {"tokens_per_minute_per_key", c.ratelimit.tokens_per_minute_per_key},
                    {"concurrent_streams_per_key", c.ratelimit.concurrent_streams_per_key}};
  j["guard"] = {{"enabled", c.guard.enabled},
                {"max_input_chars", c.guard.max_input_chars},
                {"words", Json::array()},  // the word list itself is sensitive
                {"words_count", c.guard.words.size()},
                {"words_file", c.guard.words_file},
                {"words_action", c.guard.words_action},
                {"regex_file", c.guard.regex_file},
                {"injection", c.guard.injection},
                {"output_pii", c.guard.output_pii}};
  j["audit"] = {{"enabled", c.audit.enabled},
                {"file", c.audit.file},
                {"key_file", c.audit.key_file},
                {"max_bytes", c.audit.max_bytes},
                {"max_age_ms", Ms(c.audit.max_age)}};
  j["cors"] = {{"origins", c.cors.origins}, {"max_age_ms", Ms(c.cors.max_age)}};
  return Dump(j);
}

}  // namespace parley::api
