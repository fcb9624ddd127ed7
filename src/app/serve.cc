#include "app/serve.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/dialog_routes.h"
#include "api/kb_routes.h"
#include "api/openai_routes.h"
#include "api/ops_routes.h"
#include "api/security_routes.h"
#include "app/build_info.h"
#include "app/dialog_setup.h"
#include "app/kb_setup.h"
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

std::vector<engine::ModelOptions> ToModelOptions(const std::vector<config::ModelSection>& models) {
  std::vector<engine::ModelOptions> out;
  for (const auto& m : models) {
    engine::ModelOptions o;
    o.id = m.id;
    o.path = m.path;
    o.context = static_cast<int>(m.context);
    o.parallel = static_cast<int>(m.parallel);
    o.threads = static_cast<int>(m.threads);
    o.threads_batch = static_cast<int>(m.threads_batch);
    o.batch = static_cast<int>(m.batch);
    o.prefill_chunk = static_cast<int>(m.prefill_chunk);
    o.ubatch = static_cast<int>(m.ubatch);
    o.cache_type = m.cache_type;
    o.sampling.temperature = static_cast<float>(m.temperature);
    o.sampling.top_k = static_cast<int>(m.top_k);
    o.sampling.top_p = static_cast<float>(m.top_p);
    o.sampling.min_p = static_cast<float>(m.min_p);
    o.sampling.repeat_penalty = static_cast<float>(m.repeat_penalty);
    o.max_tokens = static_cast<int>(m.max_tokens);
    o.max_tokens_cap = static_cast<int>(m.max_tokens_cap);
    o.chat_template = m.chat_template;
    o.system_prompt = m.system_prompt;
    o.embeddings = m.embeddings;
    o.queue_size = static_cast<int>(m.queue_size);
    o.preempt = m.preempt;
    o.session_memory_bytes = m.session_memory_bytes;
    o.session_dir = m.session_dir;
    o.session_disk_bytes = m.session_disk_bytes;
    out.push_back(std::move(o));
  }
  return out;
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
  auto loaded = config::LoadFile(path, config::ProcessEnvironment(), {flags.model});
  ApplyFlag("server", "listen", flags.listen, &loaded);
  ApplyFlag("server", "port_file", flags.port_file, &loaded);
  ApplyFlag("log", "level", flags.log_level, &loaded);
  ApplyFlag("dialog", "flow", flags.flow, &loaded);
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
  obs::RegisterProcessMetrics(
      metrics, {build::kVersion, build::kCommit, build::kCompiler, build::kBuildType});
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

  auto engine =
      std::make_unique<engine::LlamaEngine>(ToModelOptions(cfg.models), metrics, &readiness, &log);
  if (Status s = engine->CheckFiles(); !s.ok()) {
    std::cerr << "parley: " << s.error().message << '\n';
    return kExitConfig;
  }

  // The dialog engine; the LLM it falls back to is the engine when a model is configured.
  engine::Llm* llm = cfg.models.empty() ? nullptr : engine.get();
  dialog::AssistantOptions dialog_options;
  dialog_options.on_event = [&log](const std::string& session, const store::Event& e) {
    log.Warn("dialog event", {{"type", e.type}, {"session_id", session}, {"data", e.data}});
  };
  // Hybrid retrieval and the intent classifier's embedding signal embed with the engine, so its
  // models load before the knowledge base and the flow; otherwise they load in the background
  // once the server listens.
  const bool load_first =
      !cfg.knowledge.embedding_model.empty() || !cfg.dialog.embedding_model.empty();
  if (load_first) {
    if (Status s = engine->LoadAll(); !s.ok()) {
      std::cerr << "parley: " << s.error().message << '\n';
      return 1;
    }
  }
  // The knowledge base, loaded (and re-indexed where files changed) before serving.
  auto knowledge = BuildKnowledgeStack(cfg, llm, "", engine.get());
  if (!knowledge.ok()) {
    std::cerr << "parley: " << knowledge.error().message << '\n';
    return kExitConfig;
  }
  std::unique_ptr<KnowledgeWatcher> knowledge_watcher;
  if (knowledge->kb && !cfg.knowledge.paths.empty()) {
    auto progress = [&log](const std::string& line) { log.Info("knowledge", {{"ingest", line}}); };
    const auto sum =
        IngestPaths(*knowledge->kb, cfg.knowledge.paths, cfg.source, progress, {true, nullptr});
    if (cfg.knowledge.rescan_interval.count() > 0) {
      knowledge_watcher =
          std::make_unique<KnowledgeWatcher>(knowledge->kb.get(), cfg.knowledge.paths, cfg.source,
                                             cfg.knowledge.rescan_interval, progress);
    }
    log.Info("knowledge loaded", {{"added", sum.added},
                                  {"updated", sum.replaced},
                                  {"unchanged", sum.unchanged},
                                  {"failed", sum.failed},
                                  {"removed", sum.removed},
                                  {"chunks", static_cast<int64_t>(knowledge->kb->chunk_count())}});
  }
  std::vector<std::string> flow_problems;
  auto dialog = BuildDialogStack(cfg, llm, std::move(dialog_options), &flow_problems,
                                 knowledge->answerer.get(), engine.get());
  for (const auto& p : flow_problems) std::cerr << p << '\n';
  if (!dialog.ok()) {
    std::cerr << "parley: " << dialog.error().message << '\n';
    return kExitConfig;
  }
  if (dialog->nlu) {
    const std::string links = dialog->nlu->LibraryLinksText();
    log.Info("dialog flow loaded", {{"intents", std::to_string(dialog->flow->intents.size())},
                                    {"intent_library", links.empty() ? "none" : links}});
  }

  http::Router router;
  api::AddOpsRoutes(
      router, {&metrics, &readiness, &log, cfg.metrics.enabled ? cfg.metrics.path : std::string(),
               static_cast<int>(cfg.server.max_json_depth)});
  api::AddOpenAiRoutes(router, {engine.get(), static_cast<int>(cfg.server.max_json_depth),
                                dialog->assistant.get(), dialog->workers.get(), "parley-assistant",
                                security_layer ? &security_layer->limiter() : nullptr,
                                security_layer ? security_layer->guard() : nullptr});
  api::AddDialogRoutes(
      router,
      {dialog->assistant.get(), dialog->workers.get(), static_cast<int>(cfg.server.max_json_depth),
       metrics.AddCounter("parley_dialog_turns_total",
                          "Dialog turns answered, by where the reply came from.", {"source"}),
       security_layer ? security_layer->guard() : nullptr});
  api::AddKbRoutes(router, {knowledge->kb.get(), knowledge->workers.get(),
                            static_cast<int>(cfg.server.max_json_depth), &metrics});

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
  if (tls && cfg.tls.redirect_http) {
    pipeline.Use(server::HttpsRedirectMiddleware([fe = tls.get()] { return fe->port(); }));
  }
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
  // Start-up (flow, guard automaton, indexes) frees much of what it built; hand those pages
  // back so an idle server's resident memory is what it really uses.
  malloc_trim(0);
  // Models load while the server already answers /health; /ready waits for them.
  std::atomic<bool> load_failed{false};
  std::thread loader([&] {
    if (load_first) return;
    if (Status s = engine->LoadAll(); !s.ok()) {
      log.Error("cannot load model", {{"error", s.error().message}});
      load_failed = true;
      server.Shutdown();
    } else if (!cfg.models.empty()) {
      log.Info("models loaded", {{"count", static_cast<int>(cfg.models.size())}});
    }
  });
  server.Run();
  loader.join();
  // Dialog and knowledge workers call the engine and the engine's threads write to
  // connections: stop them in that order, before the server goes.
  knowledge_watcher.reset();
  dialog->workers.reset();
  knowledge->workers.reset();
  engine.reset();
  log.Info("stopped");
  log.Flush();
  return load_failed ? 1 : 0;
}

}  // namespace parley::app
