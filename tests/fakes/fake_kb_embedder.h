// A fake knowledge::Embedder (FakeKbEmbedder) for tests: a deterministic bag of hashed character
// bigrams (and words), L2-normalised, so texts sharing wording are close. Counts its calls.
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "knowledge/embedder.h"

namespace parley::testing {

class FakeKbEmbedder : public knowledge::Embedder {
 public:
  explicit FakeKbEmbedder(int dim = 64, std::string model = "fake-embed")
      : dim_(dim), model_(model) {}
  std::string model() const override { return model_; }
  Result<std::vector<float>> Embed(std::string_view text) override {
    ++calls;
    if (fail) return MakeError(ErrorCode::kUnavailable, "embedding model busy");
    std::vector<float> v(dim_, 0.0f);
    std::string prev;
    for (size_t i = 0; i < text.size();) {
      size_t n = static_cast<unsigned char>(text[i]) >= 0xE0 ? 3 : 1;
      std::string cur(text.substr(i, n));
      for (char& c : cur) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      v[std::hash<std::string>{}(prev + cur) % dim_] += 1.0f;
      prev = cur;
      i += n;
    }
    return v;
  }
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};

 private:
  int dim_;
  std::string model_;
};

}  // namespace parley::testing
