#include "app/dialog_setup.h"

#include <filesystem>

#include "app/kb_setup.h"
#include "nlp/normalizer.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "util/text.h"

namespace parley::app {

std::string ResolveFlowPath(const std::string& flow, const std::string& config_source) {
  namespace fs = std::filesystem;
  if (flow.empty() || fs::path(flow).is_absolute() || fs::exists(flow) || config_source.empty()) {
    return flow;
  }
  const fs::path beside = fs::path(config_source).parent_path() / flow;
  return fs::exists(beside) ? beside.string() : flow;
}

std::shared_ptr<const dialog::Flow> LoadFlowChecked(const std::string& path,
                                                    std::vector<std::string>* problems) {
  auto loaded = dialog::LoadFlowFile(path);
  for (const auto& issue : loaded.issues) {
    problems->push_back(issue.where.rfind(path, 0) == 0 ? issue.ToString()
                                                        : path + ": " + issue.ToString());
  }
  if (!loaded.ok()) return nullptr;
  return std::make_shared<const dialog::Flow>(std::move(*loaded.flow));
}

Result<std::shared_ptr<const dialog::Nlu>> BuildNlu(const dialog::Flow& flow,
                                                    const config::DialogSection& cfg,
                                                    std::shared_ptr<dialog::Embedder> embedder) {
  auto normalizer = nlp::Normalizer::Create();
  if (!normalizer.ok()) return normalizer.error();
  dialog::Flow tuned = flow;
  if (!cfg.intent_threshold.empty()) {
    tuned.threshold = text::ParseDouble(cfg.intent_threshold).value_or(flow.threshold);
  }
  return dialog::Nlu::Create(tuned, *normalizer, std::move(embedder), cfg.embedding_weight);
}

Result<DialogStack> BuildDialogStack(const config::Config& cfg, engine::Llm* llm,
                                     dialog::AssistantOptions options,
                                     std::vector<std::string>* problems,
                                     dialog::KnowledgeSource* knowledge,
                                     engine::LlamaEngine* engine) {
  DialogStack stack;
  if (cfg.dialog.flow.empty()) return stack;
  const std::string path = ResolveFlowPath(cfg.dialog.flow, cfg.source);
  stack.flow = LoadFlowChecked(path, problems);
  if (!stack.flow) {
    return MakeError(ErrorCode::kInvalidArgument, "dialog flow " + path + " is invalid");
  }
  std::shared_ptr<dialog::Embedder> embedder;
  if (const std::string& model = cfg.dialog.embedding_model; !model.empty()) {
    auto made = EngineEmbedder(engine, model, "dialog.embedding_model");
    if (!made.ok()) return made.error();
    embedder = std::move(*made);
  }
  auto nlu = BuildNlu(*stack.flow, cfg.dialog, std::move(embedder));
  if (!nlu.ok()) return nlu.error();
  stack.nlu = *nlu;
  if (cfg.dialog.store == "memory") {
    stack.store = std::make_unique<store::MemoryStore>();
  } else {
    auto db = store::SqliteStore::Open(cfg.dialog.store);
    if (!db.ok()) return db.error();
    stack.store = std::move(*db);
  }
  options.idle_timeout = cfg.dialog.session_idle_timeout;
  options.max_message_chars = cfg.dialog.max_message_chars;
  options.max_turns = cfg.dialog.max_turns;
  options.history_turns = static_cast<int>(cfg.dialog.history_turns);
  options.llm_max_tokens = static_cast<int>(cfg.dialog.llm_max_tokens);
  options.seed = static_cast<uint64_t>(cfg.dialog.seed);
  stack.assistant = std::make_unique<dialog::Assistant>(stack.flow, stack.nlu, stack.store.get(),
                                                        llm, knowledge, std::move(options));
  stack.workers = std::make_unique<ThreadPool>(static_cast<int>(cfg.dialog.workers), 4096);
  return stack;
}

}  // namespace parley::app
