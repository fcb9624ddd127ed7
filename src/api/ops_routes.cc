#include "api/ops_routes.h"

#include "api/json_body.h"
#include "http/error_response.h"

namespace parley::api {
namespace {

http::Response Ready(const obs::Readiness& readiness) {
  Json checks = Json::object();
  bool all = true;
  for (const auto& [name, c] : readiness.Snapshot()) {
    checks[name] = {{"ready", c.ready}, {"detail", c.detail}};
    if (!c.ready) all = false;
  }
  if (all) return http::Response::Json(200, Dump({{"status", "ready"}, {"checks", checks}}));
  std::string waiting;
  for (const auto& [name, c] : checks.items()) {
    if (!c["ready"].get<bool>()) waiting += (waiting.empty() ? "" : ", ") + name;
  }
  Json body = Json::parse(http::ErrorBody(
      MakeError(ErrorCode::kUnavailable, "not ready: waiting for " + waiting, "not_ready")));
  body["checks"] = checks;
  auto r = http::Response::Json(503, Dump(body));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

http::Response SetLogLevel(const http::Request& req, const OpsDeps& deps) {
  auto body = ParseJsonBody(req, deps.max_json_depth);
  if (!body.ok()) return http::ErrorResponse(body.error());
  const Json& j = *body;
  if (!j.is_object()) {
    return http::ErrorResponse(MakeError(ErrorCode::kInvalidArgument,
                                         "expected a JSON object like {\"level\":\"debug\"}"));
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "level") {
      return http::ErrorResponse(MakeError(ErrorCode::kInvalidArgument,
                                           "unknown field '" + key + "'", "unknown_field", key));
    }
  }
  const auto it = j.find("level");
  obs::Level level;
  if (it == j.end() || !it->is_string() || !obs::ParseLevel(it->get<std::string>(), &level)) {
    return http::ErrorResponse(MakeError(ErrorCode::kInvalidArgument,
                                         "'level' must be one of: debug, info, warn, error",
                                         "invalid_value", "level"));
  }
  deps.log->SetLevel(level);
  deps.log->Warn("log level changed",
                 {{"new_level", obs::LevelName(level)}, {"request_id", req.request_id}});
  return http::Response::Json(200, Dump({{"level", obs::LevelName(level)}}));
}

}  // namespace

void AddOpsRoutes(http::Router& router, const OpsDeps& deps) {
  router.AddSync("GET", "/health", [](const http::Request&) {
    return http::Response::Json(200, R"({"status":"ok"})");
  });
  router.AddSync("GET", "/ready", [r = deps.readiness](const http::Request&) { return Ready(*r); });
  if (!deps.metrics_path.empty()) {
    router.AddSync("GET", deps.metrics_path, [m = deps.metrics](const http::Request&) {
      return http::Response::Text(200, m->Render(), "text/plain; version=0.0.4; charset=utf-8");
    });
  }
  router.AddSync("GET", "/admin/log_level", [log = deps.log](const http::Request&) {
    return http::Response::Json(200, Dump({{"level", obs::LevelName(log->level())}}));
  });
  router.AddSync("PUT", "/admin/log_level",
                 [deps](const http::Request& req) { return SetLogLevel(req, deps); });
}

}  // namespace parley::api
