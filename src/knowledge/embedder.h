// How the knowledge base turns text into vectors: an embedding model behind the engine (a GGUF
// model with `embeddings: true`), adapted to this interface where the process is wired (app/).
// Implementations are thread-safe; Embed blocks until the vector is ready.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace parley::knowledge {

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual std::string model() const = 0;  // identifies the vector space (stored with vectors)
  virtual Result<std::vector<float>> Embed(std::string_view text) = 0;
};

}  // namespace parley::knowledge
