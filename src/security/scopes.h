// Scopes (what a credential may do) and the route policy (which scope each route needs).
// The policy is decided from the route the router matched, so routes added later are covered:
// anything the table does not name needs an authenticated caller. Immutable after
// construction; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::security {

enum Scope : uint32_t {
  kScopeChat = 1u << 0,     // /v1/chat/*, /v1/completions, /v1/dialog, /v1/models ...
  kScopeKbRead = 1u << 1,   // GET /v1/kb/*
  kScopeKbWrite = 1u << 2,  // POST/PUT/PATCH/DELETE /v1/kb/*
  kScopeAdmin = 1u << 3,    // /admin/* (and everything else: admin implies every scope)
  kScopeMetrics = 1u << 4,  // the Prometheus endpoint when it is not public
};
using Scopes = uint32_t;
inline constexpr Scopes kAllScopes =
    kScopeChat | kScopeKbRead | kScopeKbWrite | kScopeAdmin | kScopeMetrics;

// "chat,kb:read" or "chat kb:read" (JWT style). Unknown names make it fail: *bad is set.
std::optional<Scopes> ParseScopes(std::string_view text, std::string* bad = nullptr);
std::optional<Scopes> ParseScopeList(const std::vector<std::string>& names,
                                     std::string* bad = nullptr);
std::string ScopeNames(Scopes scopes);  // "chat,kb:read"

// True when `held` grants `needed`; admin grants everything.
inline bool Grants(Scopes held, Scopes needed) {
  return (held & kScopeAdmin) != 0 || (held & needed) == needed;
}

enum class Access {
  kPublic,         // no credentials needed (/health, /ready, CORS preflight)
  kAuthenticated,  // any valid credential
  kScoped,         // a valid credential holding `scope`
};

struct Requirement {
  Access access = Access::kAuthenticated;
  Scopes scope = 0;
};

class RoutePolicy {
 public:
  // metrics_path: the Prometheus route; public_metrics makes it kPublic, else it needs metrics.
  RoutePolicy(std::string metrics_path, bool public_metrics);
  // pattern: the matched route pattern, or "" when no route matched (404/405).
  Requirement For(std::string_view method, std::string_view pattern) const;

 private:
  std::string metrics_path_;
  bool public_metrics_;
};

}  // namespace parley::security
