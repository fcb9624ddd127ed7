// The security sections of the configuration schema: auth, jwt, network, ratelimit, guard,
// audit, cors. docs/security.md explains how they fit together.
#include <algorithm>

#include "config/schema.h"
#include "util/ip.h"

namespace parley::config {
namespace {

using K = Kind;

std::string CheckCidrList(const Value& v) {
  for (const auto& item : v.items) {
    if (!ip::ParseCidr(item)) return "'" + item + "' is not an IP address or CIDR range";
  }
  return {};
}

std::string CheckScopes(const Value& v) {
  static const std::vector<std::string> kKnown = {"chat", "kb:read", "kb:write", "admin",
                                                  "metrics"};
  for (const auto& item : v.items) {
    if (std::find(kKnown.begin(), kKnown.end(), item) == kKnown.end()) {
      return "unknown scope '" + item + "' (scopes: chat, kb:read, kb:write, admin, metrics)";
    }
  }
  return {};
}

std::string CheckAlgorithms(const Value& v) {
  for (const auto& item : v.items) {
    if (item == "none" || item == "None" || item == "NONE") {
      return "'none' is never accepted: unsigned tokens would let anyone in";
    }
    if (item != "HS256" && item != "RS256" && item != "ES256") {
      return "unsupported JWT algorithm '" + item + "' (HS256, RS256, ES256)";
    }
  }
  return {};
}

std::string CheckOrigins(const Value& v) {
  for (const auto& item : v.items) {
    if (item == "*" || item == "null") return "'" + item + "' is not allowed: list exact origins";
    if (item.rfind("http://", 0) != 0 && item.rfind("https://", 0) != 0) {
      return "'" + item + "' is not an origin like https://chat.example.com";
    }
    if (item.back() == '/') return "'" + item + "': an origin has no trailing '/'";
  }
  return {};
}

const std::string kCidrs = "a list of IP addresses or CIDR ranges";
const std::string kStrings = "a list of strings";

void AddSecuritySection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"security",
       "enabled",
       K::kBool,
       "true",
       "Run the security layer (auth, IP policy, rate limits, guards, audit, CORS). `false` "
       "exists to measure its cost; start-up refuses it on a non-loopback address.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.security.enabled = v.flag; }});
}

void AddAuthSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"auth",
       "api_keys",
       K::kBool,
       "true",
       "Accept API keys (`Authorization: Bearer pk_...` or `X-API-Key`) from the key store.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.auth.api_keys = v.flag; }});
  add({"auth",
       "keys_db",
       K::kPath,
       "data/keys.db",
       "SQLite file holding API key hashes (`parley keys ...` manages it).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.auth.keys_db = v.text; }});
  add({"auth",
       "allow_anonymous",
       K::kBool,
       "true",
       "Let requests without credentials through when the client address is loopback, with "
       "`anonymous_scopes`. Start-up refuses a non-loopback `server.listen` while this is true.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.auth.allow_anonymous = v.flag; }});
  add({"auth",
       "anonymous_scopes",
       K::kList,
       "[chat, kb:read, kb:write, admin, metrics]",
       "Scopes of anonymous loopback callers.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.auth.anonymous_scopes = v.items; },
       CheckScopes,
       "a list of scopes: chat, kb:read, kb:write, admin, metrics"});
  add({"auth",
       "public_metrics",
       K::kBool,
       "false",
       "Serve the Prometheus endpoint without credentials (else it needs `metrics` or `admin`).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.auth.public_metrics = v.flag; }});
}

void AddJwtSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  const int64_t kDay = 86400000;
  add({"jwt",
       "algorithms",
       K::kList,
       "[]",
       "Accepted JWT algorithms (HS256, RS256, ES256); empty disables JWT. `none` is rejected.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.algorithms = v.items; },
       CheckAlgorithms,
       "a list of HS256, RS256, ES256"});
  add({"jwt",
       "secret",
       K::kString,
       "",
       "HS256 shared secret (32+ bytes); prefer `secret_file` or `PARLEY_JWT_SECRET`.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.secret = v.text; }});
  add({"jwt",
       "secret_file",
       K::kPath,
       "",
       "File holding the HS256 secret (trailing newline "
       "ignored).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.secret_file = v.text; }});
  add({"jwt",
       "public_key_file",
       K::kPath,
       "",
       "PEM public key for RS256 (RSA, 2048+ bits) or ES256 (P-256).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.public_key_file = v.text; }});
  add({"jwt",
       "private_key_file",
       K::kPath,
       "",
       "PEM private key `parley token` signs RS256/ES256 tokens with (not used by the server).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.private_key_file = v.text; }});
  add({"jwt",
       "issuer",
       K::kString,
       "",
       "Required `iss` claim (empty: not checked).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.issuer = v.text; }});
  add({"jwt",
       "audience",
       K::kString,
       "",
       "Required member of the `aud` claim (empty: not "
       "checked).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.audience = v.text; }});
  add({"jwt",
       "max_lifetime",
       K::kDuration,
       "1h",
       "Longest accepted token lifetime (`exp` - `iat`); longer-lived tokens are refused.",
       1000,
       30 * kDay,
       {},
       [](Config& c, const Value& v) { c.jwt.max_lifetime = Millis(v.number); }});
  add({"jwt",
       "leeway",
       K::kDuration,
       "30s",
       "Clock skew allowed on `exp`, `nbf` and `iat`.",
       0,
       300000,
       {},
       [](Config& c, const Value& v) { c.jwt.leeway = Millis(v.number); }});
  add({"jwt",
       "scope_claim",
       K::kString,
       "scope",
       "Claim holding scopes (space-separated string or array).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.scope_claim = v.text; }});
  add({"jwt",
       "principal_claim",
       K::kString,
       "sub",
       "Claim naming the caller.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.jwt.principal_claim = v.text; }});
}

void AddNetworkSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"network",
       "allow",
       K::kList,
       "[]",
       "Client addresses allowed (empty: all). Checked on the client address, which is taken "
       "from `X-Forwarded-For`/`Forwarded` only when the peer is in `server.trusted_proxies`.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.network.allow = v.items; },
       CheckCidrList,
       kCidrs});
  add({"network",
       "deny",
       K::kList,
       "[]",
       "Client addresses refused (403); wins over `allow`.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.network.deny = v.items; },
       CheckCidrList,
       kCidrs});
  add({"network",
       "max_connections_per_ip",
       K::kInt,
       "256",
       "Open connections one peer address may hold; more are closed at once (0: no cap).",
       0,
       1000000,
       {},
       [](Config& c, const Value& v) { c.network.max_connections_per_ip = v.number; }});
}

void AddRateLimitSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"ratelimit",
       "requests_per_minute_per_key",
       K::kInt,
       "600",
       "Requests per minute per API key or JWT subject (token bucket; 0: unlimited).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.ratelimit.requests_per_minute_per_key = v.number; }});
  add({"ratelimit",
       "requests_per_minute_per_ip",
       K::kInt,
       "1200",
       "Requests per minute per client address (0: unlimited). Public routes are not limited.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.ratelimit.requests_per_minute_per_ip = v.number; }});
  add({"ratelimit",
       "tokens_per_minute_per_key",
       K::kInt,
       "200000",
       "LLM tokens (prompt + max_tokens, reserved up front, unused part refunded) per minute "
       "per key (0: unlimited).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.ratelimit.tokens_per_minute_per_key = v.number; }});
  add({"ratelimit",
       "concurrent_streams_per_key",
       K::kInt,
       "16",
       "Chat requests (streamed or not) one key may have in flight (0: unlimited).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.ratelimit.concurrent_streams_per_key = v.number; }});
}

void AddGuardSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"guard",
       "enabled",
       K::kBool,
       "true",
       "Check chat input (and output) with the rules below.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.enabled = v.flag; }});
  add({"guard",
       "max_input_chars",
       K::kInt,
       "32000",
       "Most characters of user text in one request (0: no limit); more gets 400.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.max_input_chars = v.number; }});
  add({"guard",
       "words",
       K::kList,
       "[]",
       "Sensitive words (added to `words_file`).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.words = v.items; },
       nullptr,
       kStrings});
  add({"guard",
       "words_file",
       K::kPath,
       "",
       "File of sensitive words, one per line (`#` starts a comment).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.words_file = v.text; }});
  add({"guard",
       "words_action",
       K::kEnum,
       "mask",
       "What a sensitive word does.",
       0,
       INT64_MAX,
       {"mask", "block"},
       [](Config& c, const Value& v) { c.guard.words_action = v.text; }});
  add({"guard",
       "regex_file",
       K::kPath,
       "",
       "File of RE2 regular expressions, one per line (linear-time matching).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.regex_file = v.text; }});
  add({"guard",
       "regex_action",
       K::kEnum,
       "block",
       "What a regex match does.",
       0,
       INT64_MAX,
       {"block", "mask"},
       [](Config& c, const Value& v) { c.guard.regex_action = v.text; }});
  add({"guard",
       "injection",
       K::kEnum,
       "block",
       "Prompt-injection heuristics (zh/en role overrides, forged role markers, system-prompt "
       "extraction): block the request, flag it in the audit log, strip the phrase, or off.",
       0,
       INT64_MAX,
       {"block", "flag", "strip", "off"},
       [](Config& c, const Value& v) { c.guard.injection = v.text; }});
  add({"guard",
       "output_pii",
       K::kBool,
       "true",
       "Mask PII in generated text, also when streamed.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.output_pii = v.flag; }});
  add({"guard",
       "output_words",
       K::kBool,
       "true",
       "Apply the word list to generated text.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.output_words = v.flag; }});
  add({"guard",
       "blocked_reply",
       K::kString,
       "Sorry, I can't help with that request.",
       "The message a blocked request or answer gets.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.guard.blocked_reply = v.text; }});
}

void AddAuditSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  const int64_t kDay = 86400000;
  add({"audit",
       "enabled",
       K::kBool,
       "true",
       "Write the hash-chained audit log.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.audit.enabled = v.flag; }});
  add({"audit",
       "file",
       K::kPath,
       "data/audit.jsonl",
       "The active audit file; rotated files are `FILE.<UTC time>`.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.audit.file = v.text; }});
  add({"audit",
       "key_file",
       K::kPath,
       "",
       "HMAC key for the chain (created with a random key when missing); without it the chain "
       "is plain SHA-256, which someone able to edit the file could recompute.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.audit.key_file = v.text; }});
  add({"audit",
       "max_bytes",
       K::kSize,
       "100MiB",
       "Rotate the audit file before it passes this.",
       4096,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.audit.max_bytes = v.number; }});
  add({"audit",
       "max_age",
       K::kDuration,
       "24h",
       "Rotate the audit file once its first record is "
       "this old.",
       1000,
       365 * kDay,
       {},
       [](Config& c, const Value& v) { c.audit.max_age = Millis(v.number); }});
  add({"audit",
       "public_routes",
       K::kBool,
       "false",
       "Also audit requests to public routes (/health, /ready); refusals are always audited.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.audit.public_routes = v.flag; }});
}

void AddTlsSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"tls",
       "enabled",
       K::kBool,
       "false",
       "Serve HTTPS on `tls.listen` as well (TLS 1.2 minimum, ECDHE + AEAD ciphers). SIGHUP "
       "reloads the certificate without dropping connections.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.tls.enabled = v.flag; }});
  add({"tls",
       "listen",
       K::kListen,
       "127.0.0.1:18790",
       "Address and port of the HTTPS listener.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) {
         c.tls.listen = v.text;
         const auto colon = v.text.rfind(':');
         std::string host = v.text.substr(0, colon);
         if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
         c.tls.host = host;
         c.tls.port = static_cast<uint16_t>(std::stoi(v.text.substr(colon + 1)));
       }});
  add({"tls",
       "cert_file",
       K::kPath,
       "",
       "PEM certificate (chain) for HTTPS.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.tls.cert_file = v.text; }});
  add({"tls",
       "key_file",
       K::kPath,
       "",
       "PEM private key of the certificate.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.tls.key_file = v.text; }});
  add({"tls",
       "min_version",
       K::kEnum,
       "1.2",
       "Oldest TLS version accepted.",
       0,
       INT64_MAX,
       {"1.2", "1.3"},
       [](Config& c, const Value& v) { c.tls.min_version = v.text; }});
  add({"tls",
       "port_file",
       K::kPath,
       "",
       "If set, the bound HTTPS port is written here once listening (useful with port 0).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.tls.port_file = v.text; }});
  add({"tls",
       "redirect_http",
       K::kBool,
       "false",
       "With TLS on, answer plain-HTTP requests (other than /health and /ready) with a 308 "
       "redirect to the HTTPS address instead of serving them.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.tls.redirect_http = v.flag; }});
}

void AddCorsSection(std::vector<Field>& f) {
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  const int64_t kDay = 86400000;
  add({"cors",
       "origins",
       K::kList,
       "[]",
       "Browser origins allowed to call the API (exact matches, e.g. https://chat.example.com); "
       "default none. Origins are never reflected.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.cors.origins = v.items; },
       CheckOrigins,
       "a list of origins"});
  add({"cors",
       "max_age",
       K::kDuration,
       "10m",
       "How long browsers may cache a preflight answer.",
       0,
       kDay,
       {},
       [](Config& c, const Value& v) { c.cors.max_age = Millis(v.number); }});
}

}  // namespace

void AddSecurityFields(std::vector<Field>& f) {
  AddSecuritySection(f);
  AddAuthSection(f);
  AddJwtSection(f);
  AddNetworkSection(f);
  AddRateLimitSection(f);
  AddGuardSection(f);
  AddAuditSection(f);
  AddTlsSection(f);
  AddCorsSection(f);
}

}  // namespace parley::config
