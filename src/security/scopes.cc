#include "security/scopes.h"

namespace parley::security {
namespace {

struct Named {
  std::string_view name;
  Scope scope;
};
constexpr Named kNames[] = {{"chat", kScopeChat},
                            {"kb:read", kScopeKbRead},
                            {"kb:write", kScopeKbWrite},
                            {"admin", kScopeAdmin},
                            {"metrics", kScopeMetrics}};

std::optional<Scope> Lookup(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.name == name) return n.scope;
  }
  return std::nullopt;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<Scopes> ParseScopes(std::string_view text, std::string* bad) {
  Scopes out = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t j = text.find_first_of(", ", i);
    const auto word = text.substr(i, j == std::string_view::npos ? text.npos : j - i);
    if (!word.empty()) {
      const auto s = Lookup(word);
      if (!s) {
        if (bad) *bad = std::string(word);
        return std::nullopt;
      }
      out |= *s;
    }
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

std::optional<Scopes> ParseScopeList(const std::vector<std::string>& names, std::string* bad) {
  Scopes out = 0;
  for (const auto& n : names) {
    const auto s = ParseScopes(n, bad);
    if (!s) return std::nullopt;
    out |= *s;
  }
  return out;
}

std::string ScopeNames(Scopes scopes) {
  std::string out;
  for (const auto& n : kNames) {
    if (scopes & n.scope) {
      if (!out.empty()) out += ',';
      out += n.name;
    }
  }
  return out;
}

RoutePolicy::RoutePolicy(std::string metrics_path, bool public_metrics)
    : metrics_path_(std::move(metrics_path)), public_metrics_(public_metrics) {}

Requirement RoutePolicy::For(std::string_view method, std::string_view p) const {
  if (p == "/health" || p == "/ready") return {Access::kPublic, 0};
  if (!metrics_path_.empty() && p == metrics_path_) {
    return public_metrics_ ? Requirement{Access::kPublic, 0}
                           : Requirement{Access::kScoped, kScopeMetrics};
  }
  if (StartsWith(p, "/admin/") || p == "/admin") return {Access::kScoped, kScopeAdmin};
  if (StartsWith(p, "/v1/kb/") || p == "/v1/kb") {
    const bool read = method == "GET" || method == "HEAD";
    return {Access::kScoped, read ? kScopeKbRead : kScopeKbWrite};
  }
  if (StartsWith(p, "/v1/chat/") || p == "/v1/completions" || p == "/v1/dialog" ||
      StartsWith(p, "/v1/dialog/") || p == "/v1/models" || StartsWith(p, "/v1/models/") ||
      p == "/v1/embeddings" || StartsWith(p, "/ws")) {
    return {Access::kScoped, kScopeChat};
  }
  return {Access::kAuthenticated, 0};
}

}  // namespace parley::security
