// A softmax (multinomial logistic) regression over the intent library's messages: given a
// message's features, how likely each library intent is. Where the classifier's similarity asks
// "which messages does this one look like", the regression has learnt which words and concepts
// tell neighbouring library intents apart (锁 for a locked account rather than a forgotten
// password, 便宜了 for a price drop rather than a coupon), from every message of every intent at
// once. The classifier uses it to weigh the intents that borrow from the library
// (IntentClassifier).
//
// Trained once per process, on first use, from the library alone (about 0.2 s of CPU), and kept:
// the weights that matter are a few percent of the dense matrix, so only those are stored (about
// 1 MB). Immutable after training; Probabilities() is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "nlp/normalizer.h"
#include "nlp/tokenizer.h"

namespace parley::dialog {

class LibraryModel {
 public:
  // The process's model over IntentLibrary(), trained on the first call.
  static const LibraryModel& Get(const nlp::Normalizer& normalizer);

  // The probability of each library intent (indexes into IntentLibrary()) for a message with
  // these features (nlp::Features of its normalised text), into `out`.
  void Probabilities(const std::vector<nlp::Feature>& features, std::vector<double>* out) const;

  size_t weights() const { return entries_.size(); }

 private:
  struct Entry {
    uint16_t intent;
    float weight;
  };
  void Train(const nlp::Normalizer& normalizer);

  int intents_ = 0;
  std::unordered_map<std::string, int> vocabulary_;  // feature key -> row
  std::vector<uint32_t> row_begin_;                  // by row: its first entry; then the count
  std::vector<Entry> entries_;
  std::vector<float> bias_;  // by intent
};

}  // namespace parley::dialog
