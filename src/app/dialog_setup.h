// Builds the dialog stack (flow, NLU, session store, assistant, worker pool) from the
// configuration, for `serve`, `chat` and `eval`. Start-up only; the stack's parts are then
// owned by the DialogStack and thread-safe as documented in their headers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "dialog/assistant.h"
#include "dialog/flow_loader.h"
#include "engine/llama_engine.h"
#include "store/session_store.h"
#include "util/thread_pool.h"

namespace parley::app {

struct DialogStack {
  std::shared_ptr<const dialog::Flow> flow;
  std::shared_ptr<const dialog::Nlu> nlu;
  std::unique_ptr<store::SessionStore> store;
  std::unique_ptr<dialog::Assistant> assistant;
  std::unique_ptr<ThreadPool> workers;
};

// The flow file as given, or next to the config file when it is not found from the working
// directory.
std::string ResolveFlowPath(const std::string& flow, const std::string& config_source);

// Loads and validates a flow; problems (errors and warnings) are appended as lines naming the
// intent and field. Null when there are errors.
std::shared_ptr<const dialog::Flow> LoadFlowChecked(const std::string& path,
                                                    std::vector<std::string>* problems);

// NLU for a flow, with the config's threshold override applied. `embedder` (optional) adds
// embedding similarity to intent scores with cfg.embedding_weight.
Result<std::shared_ptr<const dialog::Nlu>> BuildNlu(
    const dialog::Flow& flow, const config::DialogSection& cfg,
    std::shared_ptr<dialog::Embedder> embedder = nullptr);

// The whole stack. `llm` and `knowledge` may be null (`knowledge` must outlive the stack). An
// empty cfg.flow yields an empty stack (no assistant). dialog.embedding_model needs `engine`,
// with its models loaded.
Result<DialogStack> BuildDialogStack(const config::Config& cfg, engine::Llm* llm,
                                     dialog::AssistantOptions options,
                                     std::vector<std::string>* problems,
                                     dialog::KnowledgeSource* knowledge = nullptr,
                                     engine::LlamaEngine* engine = nullptr);

}  // namespace parley::app
