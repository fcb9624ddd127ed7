// Text normalisation for Chinese and English input, shared by intent matching, entities and
// sentiment: Unicode NFKC with case folding (which also turns full-width ASCII into half-width),
// traditional to simplified Chinese (OpenCC t2s), and removal of punctuation and emoji for
// matching. A Normalizer is immutable after Create() and safe to use from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace parley::nlp {

class Normalizer {
 public:
  // Loads the ICU normaliser and the OpenCC t2s dictionaries; fails when they are missing.
  static Result<std::shared_ptr<const Normalizer>> Create();
  ~Normalizer();

  // NFKC + case fold + traditional→simplified; keeps punctuation and symbols (entities such as
  // emails and ¥ amounts need them). Invalid UTF-8 is replaced by U+FFFD first.
  std::string Fold(std::string_view text) const;
  // Fold(), then punctuation, symbols, emoji and control characters become spaces, runs of
  // whitespace collapse to one space, and the ends are trimmed: the form patterns are matched in.
  std::string ForMatching(std::string_view text) const;
  // Only the symbol stripping of ForMatching, for text that is already folded.
  static std::string StripSymbols(std::string_view folded);

 private:
  struct Impl;
  explicit Normalizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::nlp
