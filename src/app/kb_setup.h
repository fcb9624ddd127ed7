// Builds the knowledge stack (knowledge base, its dialog hook, worker pool) from the
// configuration, and ingests files and folders with progress lines; for `serve`, `kb` and
// `eval retrieval`. Start-up only; the parts are then thread-safe as their headers say.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "engine/llama_engine.h"
#include "engine/llm.h"
#include "knowledge/answerer.h"
#include "knowledge/knowledge_base.h"
#include "util/thread_pool.h"

namespace parley::app {

struct KnowledgeStack {
  std::unique_ptr<knowledge::Embedder> embedder;  // set with knowledge.embedding_model
  std::unique_ptr<knowledge::KnowledgeBase> kb;   // null when knowledge.enabled is false
  std::unique_ptr<knowledge::KbAnswerer> answerer;
  std::unique_ptr<ThreadPool> workers;
};

knowledge::KbOptions KnowledgeOptions(const config::KnowledgeSection& cfg);

// A blocking embedder over the engine's embedding model `model` (loaded by the time it is
// used); for the knowledge base and the intent classifier. An error, naming `setting`, when no
// configured model has that id or it was not loaded with `embeddings: true`.
Result<std::unique_ptr<knowledge::AsyncEmbedder>> EngineEmbedder(engine::LlamaEngine* engine,
                                                                 const std::string& model,
                                                                 const std::string& setting);

// `dir_override`: a folder for the store instead of knowledge.dir ("" keeps it; ":memory:"
// keeps nothing on disk). `llm` may be null. `engine` embeds chunks and queries when
// knowledge.embedding_model is set (its models must be loaded by then).
Result<KnowledgeStack> BuildKnowledgeStack(const config::Config& cfg, engine::Llm* llm,
                                           const std::string& dir_override = "",
                                           engine::LlamaEngine* engine = nullptr);

struct IngestSummary {
  int added = 0, unchanged = 0, replaced = 0, failed = 0, removed = 0;
};

struct IngestOptions {
  // Remove stored documents read from under these paths whose files are gone.
  bool prune = false;
  // Modification times seen by the previous scan: files whose time is unchanged are skipped
  // without being read (and counted unchanged). Null: every file is read and hashed.
  std::map<std::string, std::filesystem::file_time_type>* seen = nullptr;
};

// Adds files, and folders recursively (supported extensions only, in name order). Each file's
// outcome is reported through `progress` as one line ("[3/30] added policy.md: 12 chunks").
IngestSummary IngestPaths(knowledge::KnowledgeBase& kb, const std::vector<std::string>& paths,
                          const std::string& config_source,
                          const std::function<void(const std::string&)>& progress,
                          IngestOptions options = {});

// Re-scans knowledge.paths every `interval` on its own thread (changed files re-indexed, new
// ones added, deleted ones removed) until destroyed. The knowledge base must outlive it.
class KnowledgeWatcher {
 public:
  KnowledgeWatcher(knowledge::KnowledgeBase* kb, std::vector<std::string> paths,
                   std::string config_source, std::chrono::milliseconds interval,
                   std::function<void(const std::string&)> progress);
  ~KnowledgeWatcher();
  KnowledgeWatcher(const KnowledgeWatcher&) = delete;
  KnowledgeWatcher& operator=(const KnowledgeWatcher&) = delete;

 private:
  void Run();

  knowledge::KnowledgeBase* kb_;
  std::vector<std::string> paths_;
  std::string config_source_;
  std::chrono::milliseconds interval_;
  std::function<void(const std::string&)> progress_;
  std::map<std::string, std::filesystem::file_time_type> seen_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace parley::app
