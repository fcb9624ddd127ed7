#include "app/kb_setup.h"

#include <algorithm>
#include <filesystem>

#include "app/dialog_setup.h"
#include "knowledge/parsers.h"

namespace parley::app {

knowledge::KbOptions KnowledgeOptions(const config::KnowledgeSection& cfg) {
  knowledge::KbOptions o;
  o.dir = cfg.dir;
  o.chunking.max_tokens = static_cast<int>(cfg.chunk_tokens);
  o.chunking.overlap_tokens = static_cast<int>(std::min(cfg.chunk_overlap, cfg.chunk_tokens / 2));
  o.top_k = static_cast<size_t>(cfg.top_k);
  o.score_threshold = cfg.score_threshold;
  o.max_document_bytes = static_cast<int64_t>(cfg.max_document_bytes);
  o.max_query_chars = cfg.max_query_chars;
  return o;
}

Result<std::unique_ptr<knowledge::AsyncEmbedder>> EngineEmbedder(engine::LlamaEngine* engine,
                                                                 const std::string& model,
                                                                 const std::string& setting) {
  if (!engine) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        setting + " '" + model + "' needs the model engine, which only `parley serve` runs");
  }
  const auto models = engine->Models();
  const auto it = std::find_if(models.begin(), models.end(),
                               [&](const engine::ModelInfo& m) { return m.id == model; });
  if (it == models.end() || !it->embeddings) {
    return MakeError(ErrorCode::kInvalidArgument,
                     setting + " '" + model + "': " +
                         (it == models.end() ? "no model in `models` has this id"
                                             : "this model is not loaded with `embeddings: true`"));
  }
  return std::make_unique<knowledge::AsyncEmbedder>(
      model, [engine, model](const std::string& text, knowledge::AsyncEmbedder::Done done) {
        return engine->Embed(
            model, text,
            [done = std::move(done)](Result<std::vector<float>> r, int) { done(std::move(r)); });
      });
}

Result<KnowledgeStack> BuildKnowledgeStack(const config::Config& cfg, engine::Llm* llm,
                                           const std::string& dir_override,
                                           engine::LlamaEngine* engine) {
  KnowledgeStack stack;
  if (!cfg.knowledge.enabled) return stack;
  knowledge::KbOptions o = KnowledgeOptions(cfg.knowledge);
  if (const std::string& model = cfg.knowledge.embedding_model; !model.empty()) {
    // Only the server runs models; refusing is clearer than a lexical-only index that the
    // configuration says should be hybrid.
    auto embedder = EngineEmbedder(engine, model, "knowledge.embedding_model");
    if (!embedder.ok()) return embedder.error();
    stack.embedder = std::move(*embedder);
    o.embedder = stack.embedder.get();
  }
  if (!dir_override.empty()) o.dir = dir_override == ":memory:" ? "" : dir_override;
  auto kb = knowledge::KnowledgeBase::Open(std::move(o));
  if (!kb.ok()) return kb.error();
  stack.kb = std::move(*kb);
  knowledge::AnswerOptions a;
  a.faq_threshold = cfg.knowledge.faq_threshold;
  a.answer_threshold = cfg.knowledge.answer_threshold;
  a.max_tokens = static_cast<int>(cfg.dialog.llm_max_tokens);
  stack.answerer = std::make_unique<knowledge::KbAnswerer>(stack.kb.get(), llm, a);
  stack.workers = std::make_unique<ThreadPool>(static_cast<int>(cfg.knowledge.workers), 1024);
  return stack;
}

namespace {

// Removes documents whose source lies under one of `roots` and no longer exists.
int PruneDeleted(knowledge::KnowledgeBase& kb, const std::vector<std::string>& roots,
                 const std::function<void(const std::string&)>& progress) {
  auto docs = kb.List();
  if (!docs.ok()) return 0;
  int removed = 0;
  for (const auto& d : *docs) {
    if (d.source.empty()) continue;
    const bool under = std::any_of(roots.begin(), roots.end(), [&d](const std::string& r) {
      return d.source == r || d.source.rfind(r + "/", 0) == 0;
    });
    std::error_code ec;
    if (!under || std::filesystem::exists(d.source, ec)) continue;
    if (kb.Remove(d.id).ok()) {
      ++removed;
      progress("removed " + d.source + " (file deleted): document " + std::to_string(d.id));
    }
  }
  return removed;
}

}  // namespace

IngestSummary IngestPaths(knowledge::KnowledgeBase& kb, const std::vector<std::string>& paths,
                          const std::string& config_source,
                          const std::function<void(const std::string&)>& progress,
                          IngestOptions options) {
  namespace fs = std::filesystem;
  IngestSummary sum;
  std::vector<std::string> files, roots;
  for (const auto& p : paths) {
    const std::string path = ResolveFlowPath(p, config_source);
    std::error_code abs_ec;
    roots.push_back(fs::absolute(path, abs_ec).lexically_normal().string());
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && knowledge::KindFromName(it->path().filename().string())) {
          found.push_back(it->path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    std::string n = "[";
    n += std::to_string(i + 1);
    n += '/';
    n += std::to_string(files.size());
    n += "] ";
    std::error_code ec;
    const auto mtime = fs::last_write_time(files[i], ec);
    if (options.seen && !ec) {
      auto it = options.seen->find(files[i]);
      if (it != options.seen->end() && it->second == mtime) {
        ++sum.unchanged;
        continue;
      }
    }
    auto r = kb.AddFile(files[i]);
    if (options.seen && !ec && r.ok()) (*options.seen)[files[i]] = mtime;
    if (!r.ok()) {
      ++sum.failed;
      progress(n + "failed " + files[i] + ": " + r.error().message);
      continue;
    }
    const auto& d = r->document;
    if (r->duplicate) {
      ++sum.unchanged;
      progress(n + "unchanged " + files[i] + " (document " + std::to_string(d.id) + ")");
    } else {
      ++(r->replaced ? sum.replaced : sum.added);
      progress(n + (r->replaced ? "updated " : "added ") + files[i] + ": document " +
               std::to_string(d.id) + ", " + std::to_string(d.chunks) + " chunks");
    }
  }
  if (options.prune) sum.removed = PruneDeleted(kb, roots, progress);
  return sum;
}

KnowledgeWatcher::KnowledgeWatcher(knowledge::KnowledgeBase* kb, std::vector<std::string> paths,
                                   std::string config_source, std::chrono::milliseconds interval,
                                   std::function<void(const std::string&)> progress)
    : kb_(kb),
      paths_(std::move(paths)),
      config_source_(std::move(config_source)),
      interval_(interval),
      progress_(std::move(progress)) {
  thread_ = std::thread([this] { Run(); });
}

KnowledgeWatcher::~KnowledgeWatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void KnowledgeWatcher::Run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, interval_, [this] { return stop_; })) return;
    }
    // Only changes are worth a line: unchanged files are skipped by modification time.
    IngestPaths(*kb_, paths_, config_source_, progress_, {true, &seen_});
  }
}

}  // namespace parley::app
