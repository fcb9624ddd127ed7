// The in-process llama.cpp engine: the models of the `models:` config, each with its own
// Scheduler thread, behind the Llm interface. Construction is cheap; LoadAll() (normally on a
// background thread at start-up) loads the weights and flips each model's readiness. All public
// methods are thread-safe; a model that is still loading answers kUnavailable.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine_metrics.h"
#include "engine/llama_model.h"
#include "engine/llm.h"
#include "engine/options.h"
#include "engine/scheduler.h"
#include "obs/logger.h"
#include "obs/readiness.h"

namespace parley::engine {

class LlamaEngine : public Llm {
 public:
  // `log` (optional) receives llama.cpp's warnings and errors; its chatter below that is dropped.
  LlamaEngine(std::vector<ModelOptions> models, obs::Registry& registry, obs::Readiness* readiness,
              obs::Logger* log = nullptr);
  ~LlamaEngine() override;

  // Quick checks that need no loading (file present, GGUF magic); for start-up errors.
  Status CheckFiles() const;
  // Loads every model and starts its scheduler; returns the first failure.
  Status LoadAll();

  Status Generate(GenerateRequest request, std::shared_ptr<TokenSink> sink) override;
  std::vector<ModelInfo> Models() const override;

  // What the API needs besides generation. `model` "" means the default model.
  struct ModelView {
    const LlamaModel* model;
    Scheduler* scheduler;
    const ModelOptions* options;
  };
  Result<ModelView> Find(const std::string& model) const;
  int MaxTokensCap(const ModelView& m) const;
  Status Embed(const std::string& model, const std::string& text,
               std::function<void(Result<std::vector<float>>, int tokens)> done);

 private:
  struct Entry {
    ModelOptions options;
    std::shared_ptr<LlamaModel> model;
    std::unique_ptr<Scheduler> scheduler;
    std::unique_ptr<EngineMetrics> metrics;
    std::atomic<bool> ready{false};
  };
  Result<std::vector<Token>> Prompt(const ModelView& m, const GenerateRequest& r) const;

  std::vector<std::unique_ptr<Entry>> entries_;
  EngineFamilies families_;
  obs::Readiness* readiness_;
};

// "model_name.gguf" -> its options with defaults, for `parley serve --model` and tests.
ModelOptions DefaultModelOptions(const std::string& path);

}  // namespace parley::engine
