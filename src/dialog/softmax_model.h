// A softmax (multinomial logistic) regression over message features: given a message's features
// (nlp::Features), how likely each of its classes is. Where the classifier's similarity asks
// "which messages does this one look like", a regression learns from all the examples at once
// which words and concepts tell neighbouring classes apart (锁 for a locked account rather than a
// forgotten password, 便宜了 for a price drop rather than a coupon).
//
// Two are used (IntentClassifier): one over the intent library's messages, trained once per
// process on first use and kept (LibraryModel()), and one per flow over its intents (their
// patterns and borrowed messages) beside the library intents it does not borrow from, which
// stand for what the flow does not cover. Training is plain stochastic gradient descent with a
// fixed seed, half of each example's features dropped at random on every pass (so no class leans
// on one word), and a model is the same on every start; only the weights that matter are kept (a
// small part of the dense matrix: whole rows for the features most classes weigh, single
// weights for the rest). Immutable after training; Probabilities() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nlp/normalizer.h"
#include "nlp/tokenizer.h"

namespace parley::dialog {

class SoftmaxModel {
 public:
  using Examples = std::vector<std::pair<int, std::vector<nlp::Feature>>>;  // (class, features)

  static constexpr size_t kMaxClasses = 65535;
  // The share of an example's features each pass leaves out at random (softmax_model.cc).
  static constexpr double kDropout = 0.5;
  // A model of classes 0..classes-1 (at most kMaxClasses) trained on the examples in `passes`
  // passes, dropping features at the rate `dropout` (from 0, none, to below 1).
  static std::unique_ptr<SoftmaxModel> Fit(Examples examples, int classes, int passes,
                                           double dropout = kDropout);

  // The probability of each class for a message with these features, into `out`.
  void Probabilities(const std::vector<nlp::Feature>& features, std::vector<double>* out) const;
  // The same for a message whose distinct features are these rows (ForEachFeature).
  void RowProbabilities(const std::vector<int>& rows, std::vector<double>* out) const;
  // Frees the feature keys of a model whose user keeps its own map to the rows (ForEachFeature
  // first); Probabilities() then knows no feature.
  void DropVocabulary() { std::unordered_map<std::string, int>().swap(vocabulary_); }
  // Calls f(feature key, row) for every feature the model has a row for.
  template <typename F>
  void ForEachFeature(F f) const {
    for (const auto& [key, row] : vocabulary_) f(key, row);
  }

  size_t weights() const { return entries_.size() + dense_.size(); }

 private:
  struct Entry {
    uint16_t klass;
    float weight;
  };
  SoftmaxModel() = default;
  void Train(Examples examples, int classes, int passes, double dropout);

  int classes_ = 0;
  std::unordered_map<std::string, int> vocabulary_;  // feature key -> row
  std::vector<uint32_t> row_begin_;                  // by row: its first entry; then the count
  std::vector<Entry> entries_;
  std::vector<int32_t> dense_at_;  // by row: where its weights start in dense_, or -1 (entries)
  std::vector<float> dense_;
  std::vector<float> bias_;  // by class
};

// The process's model over IntentLibrary() (classes: library intents in order), trained on the
// first call (about 0.1 s of CPU). Every Normalizer folds text the same way, so one serves all.
const SoftmaxModel& LibraryModel(const nlp::Normalizer& normalizer);

// The library messages' features, by library intent (nlp::Features of ForMatching).
std::vector<std::vector<std::vector<nlp::Feature>>> LibraryFeatures(
    const nlp::Normalizer& normalizer);

}  // namespace parley::dialog
