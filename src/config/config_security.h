// Settings of the security layer (sections security, auth, jwt, network, ratelimit, guard,
// audit, tls, cors);
// part of Config, documented in schema_security.cc and docs/security.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::config {

struct SecuritySection {
  bool enabled = true;
};

struct AuthSection {
  bool api_keys = true;
  std::string keys_db;
  bool allow_anonymous = true;
  std::vector<std::string> anonymous_scopes;
  bool public_metrics = false;
};

struct JwtSection {
  std::vector<std::string> algorithms;
  std::string secret, secret_file, public_key_file, private_key_file;
  std::string issuer, audience;
  std::chrono::milliseconds max_lifetime{0}, leeway{0};
  std::string scope_claim, principal_claim;
};

struct NetworkSection {
  std::vector<std::string> allow, deny;
  int64_t max_connections_per_ip = 0;
};

struct RateLimitSection {
  int64_t requests_per_minute_per_key = 0;
  int64_t requests_per_minute_per_ip = 0;
  int64_t tokens_per_minute_per_key = 0;
  int64_t concurrent_streams_per_key = 0;
};

struct GuardSection {
  bool enabled = true;
  int64_t max_input_chars = 0;
  std::vector<std::string> words;
  std::string words_file, words_action, regex_file, regex_action, injection;
  bool output_pii = true, output_words = true;
  std::string blocked_reply;
};

struct AuditSection {
  bool enabled = true;
  std::string file, key_file;
  uint64_t max_bytes = 0;
  std::chrono::milliseconds max_age{0};
  bool public_routes = false;
};

struct TlsSection {
  bool redirect_http = false;  // plain-HTTP requests (not through the TLS front end) get 308
  bool enabled = false;
  std::string listen, host;  // host split from listen
  uint16_t port = 0;
  std::string cert_file, key_file, min_version, port_file;
};

struct CorsSection {
  std::vector<std::string> origins;
  std::chrono::milliseconds max_age{0};
};

}  // namespace parley::config
