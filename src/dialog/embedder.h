// Sentence embeddings as an extra signal for the intent classifier: when an embedding model is
// configured, the engine layer provides one (the app wires it); without one the classifier is
// purely lexical. Implementations must be thread-safe; Embed() may block briefly.
#pragma once

#include <string_view>
#include <vector>

#include "util/result.h"

namespace parley::dialog {

class Embedder {
 public:
  virtual ~Embedder() = default;
  // A vector for the text; every call returns vectors of the same dimension.
  virtual Result<std::vector<float>> Embed(std::string_view text) = 0;
};

}  // namespace parley::dialog
