#include "security/network.h"

#include <optional>
#include <vector>

#include "util/text.h"

namespace parley::security {
namespace {

// Splits every instance of a header on commas (a list may span several header lines).
std::vector<std::string_view> HeaderList(const http::Request& r, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : r.headers) {
    if (!text::EqualsIgnoreCase(k, name)) continue;
    std::string_view rest = v;
    while (true) {
      const size_t comma = rest.find(',');
      out.push_back(text::Trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return out;
}

// The address of one XFF hop: "1.2.3.4", "2001:db8::1", "[2001:db8::1]:443" or "1.2.3.4:80".
std::optional<ip::Address> ParseHop(std::string_view hop) {
  if (hop.empty()) return std::nullopt;
  if (hop.front() == '[') {
    const size_t close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = hop.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !text::ParseInt(rest.substr(1)))) {
      return std::nullopt;
    }
    return ip::ParseAddress(hop.substr(1, close - 1));
  }
  if (auto a = ip::ParseAddress(hop)) return a;
  const size_t colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos &&
      text::ParseInt(hop.substr(colon + 1))) {
    return ip::ParseAddress(hop.substr(0, colon));
  }
  return std::nullopt;
}

// The for= value of one Forwarded element ("for=192.0.2.1;proto=https", "for=\"[::1]:80\"").
std::optional<ip::Address> ForwardedFor(std::string_view element) {
  std::optional<ip::Address> found;
  bool seen = false;
  while (!element.empty()) {
    const size_t semi = element.find(';');
    const auto pair = text::Trim(element.substr(0, semi));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && text::EqualsIgnoreCase(pair.substr(0, eq), "for")) {
      if (seen) return std::nullopt;  // two for= in one element is malformed
      seen = true;
      auto v = pair.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      found = ParseHop(v);
    }
    if (semi == std::string_view::npos) break;
    element = element.substr(semi + 1);
  }
  return found;
}

}  // namespace

std::string ClientIp(const http::Request& r, const ip::CidrSet& trusted) {
  const auto peer = ip::ParseAddress(r.peer_ip);
  if (!peer || !trusted.Contains(*peer)) return r.peer_ip;
  const bool forwarded = r.HasHeader("Forwarded");
  if (!forwarded && !r.HasHeader("X-Forwarded-For")) return r.peer_ip;
  const auto hops = HeaderList(r, forwarded ? "Forwarded" : "X-Forwarded-For");
  std::vector<ip::Address> addrs;
  addrs.reserve(hops.size());
  for (const auto hop : hops) {
    auto a = forwarded ? ForwardedFor(hop) : ParseHop(hop);
    if (!a) return r.peer_ip;  // one bad hop: nothing in the header can be trusted
    addrs.push_back(*a);
  }
  for (auto it = addrs.rbegin(); it != addrs.rend(); ++it) {
    if (!trusted.Contains(*it)) return it->ToString();
  }
  // Every hop is a trusted proxy: the left-most is the furthest one we know.
  return addrs.empty() ? r.peer_ip : addrs.front().ToString();
}

bool NetworkPolicy::Allows(std::string_view address) const {
  const auto a = ip::ParseAddress(address);
  if (!a) return allow_.empty() && deny_.empty();
  if (deny_.Contains(*a)) return false;
  return allow_.empty() || allow_.Contains(*a);
}

bool ConnectionLimiter::Admit(const std::string& ip) {
  if (max_ <= 0) return true;
  std::lock_guard lock(mu_);
  int& n = open_[ip];
  if (n >= max_) return false;
  ++n;
  return true;
}

void ConnectionLimiter::Release(const std::string& ip) {
  if (max_ <= 0) return;
  std::lock_guard lock(mu_);
  const auto it = open_.find(ip);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

int ConnectionLimiter::Open(const std::string& ip) {
  std::lock_guard lock(mu_);
  const auto it = open_.find(ip);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace parley::security
