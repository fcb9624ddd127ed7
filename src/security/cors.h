// CORS with an explicit origin allowlist (default: none). Only origins in the list are ever
// echoed back; there is no wildcard and no reflection of arbitrary origins. Immutable;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace parley::security {

class CorsPolicy {
 public:
  CorsPolicy() = default;
  CorsPolicy(std::vector<std::string> origins, int64_t max_age_s)
      : origins_(std::move(origins)), max_age_s_(max_age_s) {}

  bool Allows(std::string_view origin) const;
  static bool IsPreflight(const http::Request& r);
  // Headers for a request from an allowed origin (actual request or preflight).
  http::Headers HeadersFor(std::string_view origin, bool preflight) const;

 private:
  std::vector<std::string> origins_;
  int64_t max_age_s_ = 600;
};

}  // namespace parley::security
