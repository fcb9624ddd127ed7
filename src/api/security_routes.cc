#include "api/security_routes.h"

#include <chrono>

#include "api/json_body.h"
#include "http/error_response.h"
#include "util/clock.h"

namespace parley::api {
namespace {

Json KeyJson(const security::KeyInfo& k, int64_t now) {
  return {{"id", k.id},
          {"name", k.name},
          {"scopes", security::ScopeNames(k.scopes)},
          {"created_at", k.created_at},
          {"expires_at", k.expires_at},
          {"revoked_at", k.revoked_at},
          {"last_used_at", k.last_used_at},
          {"rotated_from", k.rotated_from},
          {"live", k.LiveAt(now)}};
}

http::Response Created(const security::CreatedKey& c) {
  Json j = KeyJson(c.info, UnixSeconds());
  j["key"] = c.key;  // shown once; the store keeps only its hash
  return http::Response::Json(201, Dump(j));
}

// Reads an optional string field of an object body.
Result<std::string> StringField(const Json& j, const char* name, std::string fallback) {
  const auto it = j.find(name);
  if (it == j.end()) return fallback;
  if (!it->is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("'") + name + "' must be a string",
                     "invalid_value", name);
  }
  return it->get<std::string>();
}

http::Response CreateKey(const http::Request& req, const SecurityRoutesDeps& d) {
  auto body = ParseJsonBody(req, d.max_json_depth);
  if (!body.ok()) return http::ErrorResponse(body.error());
  if (!body->is_object()) {
    return http::ErrorResponse(MakeError(ErrorCode::kInvalidArgument, "expected a JSON object"));
  }
  auto name = StringField(*body, "name", "");
  auto scopes = StringField(*body, "scopes", "chat");
  auto expires = StringField(*body, "expires_in", "90d");
  for (const auto* r : {&name, &scopes, &expires}) {
    if (!r->ok()) return http::ErrorResponse(r->error());
  }
  std::string bad;
  const auto parsed = security::ParseScopes(*scopes, &bad);
  if (!parsed) {
    return http::ErrorResponse(MakeError(ErrorCode::kInvalidArgument, "unknown scope '" + bad + "'",
                                         "invalid_value", "scopes"));
  }
  const auto ttl = security::ParseLifetimeSeconds(*expires);
  if (!ttl) {
    return http::ErrorResponse(MakeError(ErrorCode::kInvalidArgument,
                                         "expires_in: expected e.g. 90d, 12h or never",
                                         "invalid_value", "expires_in"));
  }
  auto created = d.keys->Create(*name, *parsed, *ttl, UnixSeconds());
  return created.ok() ? Created(*created) : http::ErrorResponse(created.error());
}

http::Response RotateKey(const http::Request& req, const SecurityRoutesDeps& d) {
  std::string grace = "24h";
  if (!req.body.empty()) {
    auto body = ParseJsonBody(req, d.max_json_depth);
    if (!body.ok()) return http::ErrorResponse(body.error());
    auto g = body->is_object() ? StringField(*body, "grace", grace) : Result<std::string>(grace);
    if (!g.ok()) return http::ErrorResponse(g.error());
    grace = *g;
  }
  const auto seconds = security::ParseLifetimeSeconds(grace);
  if (!seconds) {
    return http::ErrorResponse(MakeError(
        ErrorCode::kInvalidArgument, "grace: expected e.g. 24h or 0", "invalid_value", "grace"));
  }
  auto created = d.keys->Rotate(std::string(req.Param("id")), *seconds, UnixSeconds());
  return created.ok() ? Created(*created) : http::ErrorResponse(created.error());
}

template <typename F>
http::SyncHandler WithKeys(const SecurityRoutesDeps& d, F f) {
  return [d, f](const http::Request& req) {
    if (!d.keys) {
      return http::ErrorResponse(
          MakeError(ErrorCode::kUnimplemented, "API keys are disabled (auth.api_keys: false)"));
    }
    return f(req, d);
  };
}

}  // namespace

void AddSecurityRoutes(http::Router& router, const SecurityRoutesDeps& deps) {
  router.AddSync("GET", "/admin/keys",
                 WithKeys(deps, [](const http::Request&, const SecurityRoutesDeps& d) {
                   auto keys = d.keys->List();
                   if (!keys.ok()) return http::ErrorResponse(keys.error());
                   Json list = Json::array();
                   const int64_t now = UnixSeconds();
                   for (const auto& k : *keys) list.push_back(KeyJson(k, now));
                   return http::Response::Json(200, Dump({{"keys", list}}));
                 }));
  router.AddSync("POST", "/admin/keys", WithKeys(deps, CreateKey));
  router.AddSync("POST", "/admin/keys/{id}/rotate", WithKeys(deps, RotateKey));
  router.AddSync("DELETE", "/admin/keys/{id}",
                 WithKeys(deps, [](const http::Request& req, const SecurityRoutesDeps& d) {
                   const std::string id(req.Param("id"));
                   if (Status s = d.keys->Revoke(id, UnixSeconds()); !s.ok()) {
                     return http::ErrorResponse(s.error());
                   }
                   return http::Response::Json(200, Dump({{"revoked", id}}));
                 }));
  router.AddSync("POST", "/admin/reload", [reload = deps.reload](const http::Request&) {
    if (reload) {
      if (Status s = reload(); !s.ok()) return http::ErrorResponse(s.error());
    }
    return http::Response::Json(200, Dump({{"reloaded", static_cast<bool>(reload)}}));
  });
  if (deps.config) {
    router.AddSync("GET", "/admin/config", [c = deps.config](const http::Request&) {
      return http::Response::Json(200, ConfigJson(*c));
    });
  }
}

}  // namespace parley::api
