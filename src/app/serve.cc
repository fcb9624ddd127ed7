#include "app/serve.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/ops_routes.h"
#include "api/security_routes.h"
#include "app/build_info.h"
#include "app/security_wiring.h"
#include "config/loader.h"
#include "config/schema.h"
#include "http/router.h"
#include "obs/process_metrics.h"
#include "obs/readiness.h"
#include "security/pii.h"
#include "security/security_layer.h"
#include "server/http_server.h"
#include "server/middleware.h"
#include "server/tls_frontend.h"

namespace parley::app {
namespace {

// Command-line flags win over file and environment; they go through the same validation.
void ApplyFlag(const std::string& section, const std::string& key, const std::string& value,
               config::Loaded* loaded) {
  if (value.empty()) return;
  const config::Field* f = config::FindField(section, key);
  std::string why;
  if (auto v = config::ParseScalar(*f, value, &why)) {
    f->store(loaded->config, *v);
  } else {
    loaded->issues.push_back({"--" + key, section + "." + key, why});
  }
}

bool WritePortFile(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << port << '\n')) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

server::ServerOptions ToServerOptions(const config::ServerSection& s) {
  server::ServerOptions o;
  o.host = s.host;
  o.port = s.port;
  o.io_threads = s.io_threads;
  o.header_timeout = s.header_timeout;
  o.body_timeout = s.body_timeout;
  o.write_timeout = s.write_timeout;
  o.shutdown_grace = s.shutdown_grace;
  o.max_header_bytes = static_cast<uint32_t>(s.max_header_bytes);
  o.max_header_count = static_cast<uint32_t>(s.max_header_count);
  o.max_body_bytes = s.max_body_bytes;
  o.max_connections = static_cast<uint32_t>(s.max_connections);
  std::vector<ip::Cidr> ranges;
  for (const auto& t : s.trusted_proxies) ranges.push_back(*ip::ParseCidr(t));
  o.trusted_proxies = ip::CidrSet(std::move(ranges));
  return o;
}

obs::LoggerOptions ToLoggerOptions(const config::LogSection& l) {
  obs::LoggerOptions o;
  obs::ParseLevel(l.level, &o.level);
  o.to_stdout = l.to_stdout;
  o.file = l.file;
  o.file_max_bytes = l.file_max_bytes;
  o.file_keep = static_cast<int>(l.file_keep);
  return o;
}

}  // namespace

std::string DefaultConfigPath() {
  if (const char* env = std::getenv("PARLEY_CONFIG"); env && *env) return env;
  if (std::filesystem::exists("parley.yaml")) return "parley.yaml";
  return {};
}

int RunServe(const ServeFlags& flags) {
  const std::string path = flags.config.empty() ? DefaultConfigPath() : flags.config;
  auto loaded = config::LoadFile(path, config::ProcessEnvironment());
  ApplyFlag("server", "listen", flags.listen, &loaded);
  ApplyFlag("server", "port_file", flags.port_file, &loaded);
  ApplyFlag("log", "level", flags.log_level, &loaded);
  if (!loaded.ok()) {
    for (const auto& issue : loaded.issues) std::cerr << issue.ToString() << '\n';
    std::cerr << "parley: configuration invalid (" << loaded.issues.size() << " problem"
              << (loaded.issues.size() == 1 ? "" : "s") << ")\n";
    return kExitConfig;
  }
  const config::Config& cfg = loaded.config;
  auto security_options = SecurityOptionsFrom(cfg);
  if (!security_options.ok()) {
    std::cerr << "parley: " << security_options.error().message << '\n';
    return kExitConfig;
  }
  if (const std::string why = ExposureProblem(cfg, *security_options); !why.empty()) {
    std::cerr << "parley: " << why << '\n';
    return kExitConfig;
  }

  auto logger_options = ToLoggerOptions(cfg.log);
  logger_options.redact = [](std::string_view s) { return security::MaskPii(s); };
  obs::Logger log(logger_options);
  obs::Registry metrics;
  obs::RegisterProcessMetrics(metrics, {build::kVersion, build::kCommit, build::kCompiler,
                                        build::kBuildType});
  obs::Readiness readiness;
  readiness.Set("server", false, "starting");
  std::unique_ptr<security::SecurityLayer> security_layer;
  if (cfg.security.enabled) {
    auto layer = security::SecurityLayer::Create(std::move(*security_options), &log, &metrics);
    if (!layer.ok()) {
      log.Error("cannot start the security layer", {{"error", layer.error().message}});
      log.Flush();
      return 1;
    }
    security_layer = std::move(*layer);
  }

  http::Router router;
  api::AddOpsRoutes(router, {&metrics, &readiness, &log,
                             cfg.metrics.enabled ? cfg.metrics.path : std::string(),
                             static_cast<int>(cfg.server.max_json_depth)});

  auto server_options = ToServerOptions(cfg.server);
  std::unique_ptr<server::TlsFrontend> tls;
  if (cfg.tls.enabled) {
    tls = std::make_unique<server::TlsFrontend>(
        server::TlsOptions{cfg.tls.host, cfg.tls.port, cfg.tls.cert_file, cfg.tls.key_file,
                           cfg.tls.min_version == "1.3"},
        &log);
    server_options.resolve_peer = [fe = tls.get()](const std::string& ip, uint16_t port) {
      return ip == "127.0.0.1" ? fe->ClientOf(port) : std::nullopt;
    };
  }
  api::AddSecurityRoutes(router, {security_layer ? security_layer->keys() : nullptr, &cfg,
                                  static_cast<int>(cfg.server.max_json_depth),
                                  [fe = tls.get()] { return fe ? fe->Reload() : Status::Ok(); }});
  if (security_layer) {
    auto* conns = &security_layer->connections();
    server_options.admit_connection = [conns](const std::string& ip) { return conns->Admit(ip); };
    server_options.connection_closed = [conns](const std::string& ip) { conns->Release(ip); };
  }
  http::Pipeline pipeline(&router);
  pipeline.Use(server::RequestIdMiddleware(server_options.trusted_proxies));
  pipeline.Use(server::MetricsMiddleware(router, metrics));
  if (cfg.log.access) pipeline.Use(server::AccessLogMiddleware(&log));
  if (security_layer) pipeline.Use(security_layer->Middleware());
  pipeline.Seal();

  server::HttpServer server(server_options, &pipeline, &log, &metrics);
  if (Status s = server.Start(); !s.ok()) {
    log.Error("cannot start", {{"error", s.error().message}});
    log.Flush();
    return 1;
  }
  const uint16_t port = server.port();
  if (!cfg.server.port_file.empty() && !WritePortFile(cfg.server.port_file, port)) {
    log.Error("cannot write port file", {{"path", cfg.server.port_file}});
    log.Flush();
    return 1;
  }
  if (tls) {
    if (Status s = tls->Start(port); !s.ok()) {
      log.Error("cannot start the HTTPS listener", {{"error", s.error().message}});
      log.Flush();
      return 1;
    }
    if (!cfg.tls.port_file.empty() && !WritePortFile(cfg.tls.port_file, tls->port())) {
      log.Error("cannot write port file", {{"path", cfg.tls.port_file}});
      log.Flush();
      return 1;
    }
    log.Info("listening (https)",
             {{"address", cfg.tls.host}, {"port", static_cast<int>(tls->port())}});
  }
  readiness.Set("server", true, "listening");
  log.Info("listening", {{"address", cfg.server.host},
                         {"port", static_cast<int>(port)},
                         {"config", path.empty() ? std::string("(defaults)") : path},
                         {"version", build::kVersion}});
  server.HandleSignals();
  server.Run();
  log.Info("stopped");
  log.Flush();
  return 0;
}

}  // namespace parley::app
