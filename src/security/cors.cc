#include "security/cors.h"

#include <algorithm>

namespace parley::security {

bool CorsPolicy::Allows(std::string_view origin) const {
  return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::IsPreflight(const http::Request& r) {
  return r.method == "OPTIONS" && r.HasHeader("Origin") &&
         r.HasHeader("Access-Control-Request-Method");
}

http::Headers CorsPolicy::HeadersFor(std::string_view origin, bool preflight) const {
  http::Headers h;
  h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  h.emplace_back("Vary", "Origin");
  if (preflight) {
    h.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    h.emplace_back("Access-Control-Allow-Headers",
                   "Authorization, Content-Type, X-API-Key, X-Request-Id");
    h.emplace_back("Access-Control-Max-Age", std::to_string(max_age_s_));
  } else {
    h.emplace_back("Access-Control-Expose-Headers",
                   "X-Request-Id, Retry-After, x-ratelimit-limit, x-ratelimit-remaining, "
                   "x-ratelimit-reset");
  }
  return h;
}

}  // namespace parley::security
