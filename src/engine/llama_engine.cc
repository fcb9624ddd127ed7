#include "engine/llama_engine.h"

#include <filesystem>
#include <fstream>

#include "llama.h"

namespace parley::engine {
namespace {

Error ContextExceeded(size_t tokens, int limit, bool estimated) {
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string("the prompt is ") + (estimated ? "at least " : "") +
                       std::to_string(tokens) + " tokens; this model's context per sequence is " +
                       std::to_string(limit) + " tokens",
                   "context_length_exceeded", "messages");
}

void LlamaLog(ggml_log_level level, const char* text, void* user) {
  if (level != GGML_LOG_LEVEL_WARN && level != GGML_LOG_LEVEL_ERROR) return;
  std::string_view t(text);
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
  if (t.empty() || !user) return;
  auto* log = static_cast<obs::Logger*>(user);
  log->Log(level == GGML_LOG_LEVEL_ERROR ? obs::Level::kError : obs::Level::kWarn, t,
           {{"source", "llama.cpp"}});
}

}  // namespace

ModelOptions DefaultModelOptions(const std::string& path) {
  ModelOptions o;
  o.path = path;
  o.id = std::filesystem::path(path).stem().string();
  return o;
}

LlamaEngine::LlamaEngine(std::vector<ModelOptions> models, obs::Registry& registry,
                         obs::Readiness* readiness, obs::Logger* log)
    : families_(registry), readiness_(readiness) {
  llama_log_set(LlamaLog, log);
  for (auto& o : models) {
    auto e = std::make_unique<Entry>();
    e->options = std::move(o);
    e->metrics = std::make_unique<EngineMetrics>(families_, e->options.id);
    if (readiness_) readiness_->Set("model:" + e->options.id, false, "loading");
    entries_.push_back(std::move(e));
  }
}

LlamaEngine::~LlamaEngine() {
  for (auto& e : entries_) e->scheduler.reset();  // joins the threads before models go
}

Status LlamaEngine::CheckFiles() const {
  for (const auto& e : entries_) {
    if (Status s = CheckModelFile(e->options.path); !s.ok()) return s;
  }
  return Status::Ok();
}

Status LlamaEngine::LoadAll() {
  for (auto& e : entries_) {
    auto model = LlamaModel::Load(e->options);
    if (!model.ok()) {
      if (readiness_) readiness_->Set("model:" + e->options.id, false, model.error().message);
      return model.error();
    }
    e->model = std::shared_ptr<LlamaModel>(std::move(*model));
    e->scheduler = std::make_unique<Scheduler>(e->model, e->metrics.get());
    if (Status s = e->scheduler->Start(); !s.ok()) return s;
    e->ready.store(true, std::memory_order_release);
    if (readiness_) readiness_->Set("model:" + e->options.id, true, "loaded");
  }
  return Status::Ok();
}

std::vector<ModelInfo> LlamaEngine::Models() const {
  std::vector<ModelInfo> out;
  for (const auto& e : entries_) {
    const bool ready = e->ready.load(std::memory_order_acquire);
    out.push_back({e->options.id, ready ? e->scheduler->sequence_context() : e->options.context,
                   e->options.embeddings, ready});
  }
  return out;
}

Result<LlamaEngine::ModelView> LlamaEngine::Find(const std::string& model) const {
  for (const auto& e : entries_) {
    if (!model.empty() && e->options.id != model) continue;
    if (!e->ready.load(std::memory_order_acquire)) {
      return MakeError(ErrorCode::kUnavailable, "model '" + e->options.id + "' is still loading",
                       "model_loading");
    }
    return ModelView{e->model.get(), e->scheduler.get(), &e->options};
  }
  if (entries_.empty()) {
    return MakeError(ErrorCode::kNotFound, "no model is configured", "model_not_found", "model");
  }
  return MakeError(ErrorCode::kNotFound, "model '" + model + "' does not exist", "model_not_found",
                   "model");
}

int LlamaEngine::MaxTokensCap(const ModelView& m) const {
  const int ctx = m.scheduler->sequence_context();
  return m.options->max_tokens_cap > 0 ? std::min(m.options->max_tokens_cap, ctx) : ctx;
}

// Tokenises the request's chat or raw prompt on the caller's thread, rejecting prompts that
// cannot fit before doing the work where the size alone proves it.
Result<std::vector<Token>> LlamaEngine::Prompt(const ModelView& m, const GenerateRequest& r) const {
  const int limit = m.scheduler->sequence_context();
  size_t bytes = r.prompt.size();
  for (const auto& msg : r.messages) bytes += msg.content.size();
  const size_t at_least = bytes / static_cast<size_t>(m.model->max_token_bytes());
  if (at_least >= static_cast<size_t>(limit)) return ContextExceeded(at_least, limit, true);
  std::vector<Token> tokens;
  if (!r.messages.empty()) {
    auto t = m.model->TokenizeChat(r.messages);
    if (!t.ok()) return t.error();
    tokens = std::move(*t);
  } else {
    tokens = m.model->Tokenize(r.prompt, true, false);
  }
  if (tokens.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "the prompt is empty", "invalid_value", "prompt");
  }
  if (tokens.size() + 1 > static_cast<size_t>(limit))
    return ContextExceeded(tokens.size(), limit, false);
  return tokens;
}

Status LlamaEngine::Generate(GenerateRequest request, std::shared_ptr<TokenSink> sink) {
  auto m = Find(request.model);
  if (!m.ok()) return m.error();
  const int cap = MaxTokensCap(*m);
  if (request.max_tokens <= 0) request.max_tokens = std::min(m->options->max_tokens, cap);
  if (request.max_tokens > cap) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "max_tokens is " + std::to_string(request.max_tokens) +
                         "; this model allows at most " + std::to_string(cap),
                     "invalid_value", "max_tokens");
  }
  auto prompt = Prompt(*m, request);
  if (!prompt.ok()) return prompt.error();
  auto task = std::make_unique<Task>();
  task->prompt = std::move(*prompt);
  task->request = std::move(request);
  task->sink = std::move(sink);
  return m->scheduler->Submit(std::move(task));
}

Status LlamaEngine::Embed(const std::string& model, const std::string& text,
                          std::function<void(Result<std::vector<float>>, int)> done) {
  auto m = Find(model);
  if (!m.ok()) return m.error();
  if (!m->options->embeddings) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "model '" + m->options->id + "' is not loaded with embeddings enabled",
                     "model_not_embedding", "model");
  }
  auto tokens = m->model->Tokenize(text, true, false);
  if (tokens.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "input is empty", "invalid_value", "input");
  }
  const int limit = m->scheduler->sequence_context();
  if (tokens.size() > static_cast<size_t>(limit)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "input is " + std::to_string(tokens.size()) + " tokens; the limit is " +
                         std::to_string(limit),
                     "context_length_exceeded", "input");
  }
  auto task = std::make_unique<Task>();
  const int n = static_cast<int>(tokens.size());
  task->prompt = std::move(tokens);
  task->on_embedding = [done = std::move(done), n](Result<std::vector<float>> r) {
    done(std::move(r), n);
  };
  return m->scheduler->Submit(std::move(task));
}

}  // namespace parley::engine
