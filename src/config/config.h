// The parsed configuration of one Parley process: typed settings per section of parley.yaml.
// Loaded once at start-up (and again on reload) by LoadConfig(); a plain value afterwards.
// Defaults, documentation and validation of every key come from the schema in schema.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config_security.h"

namespace parley::config {

using Millis = std::chrono::milliseconds;

struct ServerSection {
  std::string listen;  // "host:port"
  std::string host;    // split from listen
  uint16_t port = 0;
  int io_threads = 0;
  Millis header_timeout{0}, body_timeout{0}, write_timeout{0}, shutdown_grace{0};
  uint64_t max_header_bytes = 0;
  int64_t max_header_count = 0;
  uint64_t max_body_bytes = 0;
  int64_t max_json_depth = 0;
  int64_t max_connections = 0;
  std::vector<std::string> trusted_proxies;
  std::string port_file;
};

struct LogSection {
  std::string level;
  bool access = true;
  bool to_stdout = true;
  std::string file;
  uint64_t file_max_bytes = 0;
  int64_t file_keep = 0;
};

struct MetricsSection {
  bool enabled = true;
  std::string path;
};

// One entry of the `models:` list; the first is the default model.
struct ModelSection {
  std::string id;    // defaults to the file name without .gguf
  std::string path;  // GGUF file
  int64_t context = 0;
  int64_t parallel = 0;
  int64_t threads = 0;
  int64_t threads_batch = 0;
  int64_t batch = 0;
  int64_t prefill_chunk = 0;
  int64_t ubatch = 0;
  std::string cache_type;
  double temperature = 0, top_p = 0, min_p = 0, repeat_penalty = 0;
  int64_t top_k = 0;
  int64_t max_tokens = 0;      // default when a request gives none
  int64_t max_tokens_cap = 0;  // the most a request may ask for
  std::string chat_template;
  std::string system_prompt;
  bool embeddings = false;
  int64_t queue_size = 0;
  bool preempt = true;
  uint64_t session_memory_bytes = 0;
  std::string session_dir;
  uint64_t session_disk_bytes = 0;
};

struct DialogSection {
  std::string flow;   // flow file; "" = no dialog engine
  std::string store;  // SQLite path or ":memory:"
  Millis session_idle_timeout{0};
  std::string intent_threshold;  // "" = the flow's own
  int64_t max_message_chars = 0;
  int64_t max_turns = 0;
  int64_t history_turns = 0;
  int64_t llm_max_tokens = 0;
  int64_t workers = 0;
  std::string model_id;
  int64_t seed = 0;
  std::string embedding_model;  // "" = lexical intent classification only
  double embedding_weight = 0;  // share of the embedding cosine in intent scores
};

struct KnowledgeSection {
  bool enabled = true;
  std::string dir;                 // kb.db and vectors.hnsw
  std::vector<std::string> paths;  // files or folders ingested at start
  Millis rescan_interval{0};       // 0: paths are read at start only
  int64_t chunk_tokens = 0;
  int64_t chunk_overlap = 0;
  int64_t top_k = 0;
  double score_threshold = 0;
  double faq_threshold = 0;
  double answer_threshold = 0;
  uint64_t max_document_bytes = 0;
  int64_t max_query_chars = 0;
  std::string embedding_model;  // "" = lexical retrieval only
  int64_t workers = 0;
};

struct Config {
  ServerSection server;
  LogSection log;
  MetricsSection metrics;
  std::vector<ModelSection> models;
  DialogSection dialog;
  KnowledgeSection knowledge;
  SecuritySection security;
  AuthSection auth;
  JwtSection jwt;
  NetworkSection network;
  RateLimitSection ratelimit;
  GuardSection guard;
  AuditSection audit;
  TlsSection tls;
  CorsSection cors;
  std::string source;  // the file it came from, or "" for built-in defaults
};

}  // namespace parley::config
