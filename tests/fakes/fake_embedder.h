// A fake dialog::Embedder for tests: a tiny "concept" space where words with the same meaning
// (thx / thanks / 谢谢) land on the same axis, as a real sentence-embedding model would place
// them close together. Counts calls; can be told to fail. Thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "dialog/embedder.h"

namespace parley::testing {

class FakeEmbedder : public dialog::Embedder {
 public:
  std::atomic<bool> fail{false};
  std::atomic<int> calls{0};

  Result<std::vector<float>> Embed(std::string_view text) override {
    ++calls;
    if (fail) return MakeError(ErrorCode::kUnavailable, "embedding model not loaded");
    static const std::vector<std::pair<std::string, int>> kConcepts = {
        {"thx", 0},   {"thank", 0},    {"谢", 0},   {"cheers", 0},  {"refund", 1},
        {"money", 1}, {"退款", 1},     {"钱", 1},   {"weather", 2}, {"天气", 2},
        {"rain", 2},  {"umbrella", 2}, {"ship", 3}, {"运费", 3},    {"邮", 3}};
    std::vector<float> v(5, 0.0f);
    for (const auto& [needle, axis] : kConcepts) {
      if (text.find(needle) != std::string_view::npos) v[axis] += 1;
    }
    v[4] = 0.1f;  // never all zero
    return v;
  }
};

}  // namespace parley::testing
