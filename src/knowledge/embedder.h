// How the knowledge base turns text into vectors: an embedding model behind the engine (a GGUF
// model with `embeddings: true`), adapted to this interface where the process is wired (app/).
// Implementations are thread-safe; Embed blocks until the vector is ready.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/embedder.h"
#include "util/result.h"

namespace parley::knowledge {

// The dialog layer's embedder (Embed), plus the model that names the vector space, which the
// knowledge base stores with its vectors. So one engine-backed embedder serves both.
class Embedder : public dialog::Embedder {
 public:
  virtual std::string model() const = 0;
};

// Adapts an asynchronous embedding call, such as the engine's
// `LlamaEngine::Embed(model, text, done)`, to the blocking Embedder interface: Embed() starts the
// call and waits for its callback (on any thread) up to `timeout`. A late callback after a
// timeout is dropped safely. Thread-safe when `start` is.
class AsyncEmbedder : public Embedder {
 public:
  using Done = std::function<void(Result<std::vector<float>>)>;
  using Start = std::function<Status(const std::string& text, Done done)>;

  AsyncEmbedder(std::string model, Start start,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::string model() const override { return model_; }
  Result<std::vector<float>> Embed(std::string_view text) override;

 private:
  std::string model_;
  Start start_;
  std::chrono::milliseconds timeout_;
};

}  // namespace parley::knowledge
