// Lexicon-based sentiment and emotion tags for one message, Chinese and English. Used by
// templates ({emotion}) and by the persona prompt, so a companion can answer a sad user gently.
// Pure function over folded text (Normalizer::Fold keeps emoji, which carry sentiment);
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace parley::nlp {

struct Sentiment {
  double score = 0;                 // -1 (very negative) .. 1 (very positive)
  std::string label = "neutral";    // "positive", "negative" or "neutral"
  std::string emotion = "neutral";  // joy, sadness, anger, fear, gratitude, neutral
};

Sentiment AnalyzeSentiment(std::string_view folded);

}  // namespace parley::nlp
