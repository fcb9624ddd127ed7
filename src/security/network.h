// Who the client is and whether it may connect: the client address behind trusted proxies
// (X-Forwarded-For / Forwarded), allow and deny lists of CIDR ranges, and a cap on open
// connections per client IP. Immutable policies are thread-safe; ConnectionLimiter is
// thread-safe (one mutex).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.h"
#include "util/ip.h"

namespace parley::security {

// The client address of a request. Forwarding headers count only when the TCP peer is in
// `trusted`; then the hops are read right to left (the right-most is the one the nearest proxy
// added) and the first hop that is not itself a trusted proxy is the client. `Forwarded`
// (RFC 7239) is used when present, else `X-Forwarded-For`. A malformed header, or an entry that
// is not an IP address ("unknown", obfuscated names), falls back to the peer address.
std::string ClientIp(const http::Request& request, const ip::CidrSet& trusted);

class NetworkPolicy {
 public:
  NetworkPolicy() = default;
  // allow empty: every address not denied is allowed. Deny wins over allow.
  NetworkPolicy(ip::CidrSet allow, ip::CidrSet deny)
      : allow_(std::move(allow)), deny_(std::move(deny)) {}
  bool Allows(std::string_view address) const;

 private:
  ip::CidrSet allow_, deny_;
};

// Counts open connections per peer address; Admit() fails once an address has `max` open.
class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(int max_per_ip) : max_(max_per_ip) {}
  bool Admit(const std::string& ip);
  void Release(const std::string& ip);
  int Open(const std::string& ip);

 private:
  const int max_;
  std::mutex mu_;
  std::unordered_map<std::string, int> open_;  // guarded by mu_
};

}  // namespace parley::security
