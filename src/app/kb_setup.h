// Builds the knowledge stack (knowledge base, its dialog hook, worker pool) from the
// configuration, and ingests files and folders with progress lines; for `serve`, `kb` and
// `eval retrieval`. Start-up only; the parts are then thread-safe as their headers say.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/llm.h"
#include "knowledge/answerer.h"
#include "knowledge/knowledge_base.h"
#include "util/thread_pool.h"

namespace parley::app {

struct KnowledgeStack {
  std::unique_ptr<knowledge::KnowledgeBase> kb;  // null when knowledge.enabled is false
  std::unique_ptr<knowledge::KbAnswerer> answerer;
  std::unique_ptr<ThreadPool> workers;
};

knowledge::KbOptions KnowledgeOptions(const config::KnowledgeSection& cfg);

// `dir_override`: a folder for the store instead of knowledge.dir ("" keeps it; ":memory:"
// keeps nothing on disk). `llm` may be null.
Result<KnowledgeStack> BuildKnowledgeStack(const config::Config& cfg, engine::Llm* llm,
                                           const std::string& dir_override = "");

struct IngestSummary {
  int added = 0, unchanged = 0, replaced = 0, failed = 0;
};
// Adds files, and folders recursively (supported extensions only, in name order). Each file's
// outcome is reported through `progress` as one line ("[3/30] added policy.md: 12 chunks").
IngestSummary IngestPaths(knowledge::KnowledgeBase& kb, const std::vector<std::string>& paths,
                          const std::string& config_source,
                          const std::function<void(const std::string&)>& progress);

}  // namespace parley::app
