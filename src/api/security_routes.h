// Admin routes of the security layer (all under /admin/, so the route policy requires the
// `admin` scope): API key management and a view of the effective configuration with secrets
// redacted. Handlers are thread-safe; the key store and config must outlive the router.
#pragma once

#include <functional>

#include "config/config.h"
#include "http/router.h"
#include "security/api_keys.h"

namespace parley::api {

struct SecurityRoutesDeps {
  security::KeyStore* keys = nullptr;  // null: key routes answer 501
  const config::Config* config = nullptr;
  int max_json_depth = 64;
  // POST /admin/reload: re-reads what can change without a restart (the TLS certificate);
  // empty: nothing to reload.
  std::function<Status()> reload;
};

// GET/POST /admin/keys, DELETE /admin/keys/{id}, POST /admin/keys/{id}/rotate, GET /admin/config,
// POST /admin/reload.
void AddSecurityRoutes(http::Router& router, const SecurityRoutesDeps& deps);

// The configuration as JSON; secret values (jwt.secret) appear as "[redacted]".
std::string ConfigJson(const config::Config& config);

}  // namespace parley::api
