// The intent classifier, trained at load time from the flow's patterns alone (no model file):
// exact matches, keyword hits and a TF-IDF cosine similarity over words, Chinese character
// unigrams/bigrams and English character trigrams, scored against each pattern and each
// intent's centroid, and against the messages an intent borrows from the intent library (at a
// discount, and kept out of its centroid). When intents borrow from the library, two softmax
// models (softmax_model.h), one over the library and one over the flow's intents, scale the
// scores, and the top intent's confidence is a logistic regression over the evidence for it
// with weights fitted across many flows (LearnedConfidence); otherwise raw scores are turned
// into confidences by Platt scaling fitted on leave-one-out classification of the patterns
// themselves. With an Embedder, the cosine of sentence embeddings is mixed in as an extra signal
// (and the Platt curve is used). Immutable after Train(); Classify() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialog/embedder.h"
#include "dialog/flow.h"
#include "dialog/softmax_model.h"
#include "nlp/normalizer.h"
#include "nlp/tokenizer.h"

namespace parley::dialog {

struct IntentScore {
  std::string name;       // "" when there is no candidate
  double confidence = 0;  // calibrated: estimated probability the intent is right
  double score = 0;       // raw similarity 0..1
};

struct Classification {
  IntentScore top;
  IntentScore runner_up;
  bool exact = false;  // the message equals a pattern after normalisation
  // Another business or topic the message names and the flow does not (nlp/domains.inc:
  // "food_delivery_app"), which sends it out of scope; "" when none.
  std::string other_domain;
  bool in_scope = false;  // see InScope
};

// The decision: an exact pattern, or a top intent confident enough (calibrated confidence at or
// above `threshold`) and clear of the runner-up by `margin` in raw similarity. The gap is taken
// on the raw scores because calibration saturates: two intents at 0.99 and 0.98 may be 0.06
// apart in similarity, a clear winner.
bool InScope(const Classification& c, double threshold, double margin);

// What an intent borrows from the intent library (intent_library.h): the messages of the library
// intent its patterns match and, when its patterns split between two, of the second one. The
// second's words that nothing else the flow is trained on has stay unknown to it.
struct Borrowed {
  std::vector<std::string> messages;
  std::vector<std::string> second;
  int library = -1, second_library = -1;  // the library intents (IntentLibrary()); -1: none
};

class IntentClassifier {
 public:
  IntentClassifier(std::shared_ptr<const nlp::Normalizer> normalizer, double threshold,
                   double margin);
  // Optional, before Train(): mixes the embedding cosine into every score with this weight.
  void SetEmbedder(std::shared_ptr<Embedder> embedder, double weight);
  // Optional, before Train(): false makes another business or topic the flow never names
  // (nlp/domains.inc) an unknown word like any other instead of a sign of a foreign message.
  void set_other_domains(bool on) { other_domains_ = on; }
  // Which softmax models (softmax_model.h) weigh the scores of a flow whose intents borrow from
  // the library: both (the default), the library's alone (a classifier over the library itself)
  // or none (a flow's `intent_models: false`). Optional, before Train().
  enum class Models { kNone, kLibrary, kBoth };
  void set_models(Models m) { models_ = m; }
  bool has_embedder() const { return embedder_ != nullptr; }
  // `borrowed` (optional, by intent): messages from the intent library, weaker evidence than the
  // intent's own patterns.
  void Train(const std::vector<IntentSpec>& intents, const std::vector<Borrowed>& borrowed = {});

  // The evidence for a candidate intent of a message, which the learned confidence weighs
  // (intent_calibration.cc; bench/fit_confidence.mjs fits its weights).
  struct Evidence {
    double score = 0;          // its score, the models' weighing included
    double similarity = 0;     // its score before the models weighed it
    double flow_odds = 0;      // the flow model's probability of it
    double library_odds = -1;  // the library model's, of its library intents; -1: borrows none
    double other = 0;          // the best score of any other intent
    double known = 0;      // the share of the message (its squared norm) in features the flow knows
    bool foreign = false;  // the message names another business (Classification::other_domain)
  };
  // Confidence from the evidence, by weights fitted across many flows; a flow with both
  // softmax models and no embedder uses it (learned_confidence()), others the Platt curve.
  static double LearnedConfidence(const Evidence& e);

  // `normalized`: Normalizer::ForMatching of the message. `top` (optional): set to the
  // evidence for the top intent (for `parley eval intents --evidence`).
  Classification Classify(std::string_view normalized, Evidence* top = nullptr) const;

  double threshold() const { return threshold_; }
  void set_threshold(double t) { threshold_ = t; }
  double margin() const { return margin_; }
  void set_margin(double m) { margin_ = m; }
  // Platt parameters: confidence = 1 / (1 + exp(-(a * score + b))); fitted only when the
  // confidence is not learned (learned_confidence()).
  double calibration_a() const { return a_; }
  double calibration_b() const { return b_; }
  // The confidence is the learned one: both softmax models, no embedder (it was fitted on scores
  // without embeddings).
  bool learned_confidence() const { return flow_model_ && library_model_ && !embedder_; }

 private:
  using Sparse = std::vector<std::pair<int, float>>;  // feature id -> weight, L2-normalised
  // Term counts of a pattern's features; new features join the vocabulary.
  Sparse Vectorize(const std::vector<nlp::Feature>& features);
  // The rows of a message's distinct features in the flow's and the library's models.
  struct ModelRows {
    std::vector<int> flow, library;
  };
  // `other_domain` (optional): set to the first other business or topic the message names and
  // the flow never does (nlp/domains.inc), without its prefix. `rows` (optional): set to the
  // rows of the message's features in the models. `known` (optional): set to the share of the
  // message's weight (its squared norm) in features the flow knows, 0..1.
  Sparse VectorizeConst(std::string_view normalized, std::string* other_domain = nullptr,
                        ModelRows* rows = nullptr, double* known = nullptr) const;
  // Raw score per intent; `skip_pattern` (>= 0) is left out (for leave-one-out calibration).
  // `keyword_text`: the normalised message, searched for the flow's keywords; empty when none may
  // count (calibration; a message about another business). `embedding`: the message's
  // (L2-normalised) embedding, or empty.
  std::vector<double> Scores(const Sparse& x, std::string_view keyword_text, int skip_pattern,
                             const std::vector<float>& embedding) const;
  std::vector<float> EmbedNormalized(std::string_view text) const;
  // What the models say of each intent (WeighByModels): the flow model's probability, and the
  // library model's for the intent's library intents (-1: it borrows nothing).
  struct ModelOdds {
    std::vector<double> flow, library;
  };
  // Scales each intent's score by how likely the flow's model finds it and, for an intent that
  // borrows from the library, by how likely the library model finds its library intents; only
  // down for a `foreign` message (one naming another business). `odds`: set to those
  // probabilities.
  void WeighByModels(const ModelRows& rows, bool foreign, std::vector<double>* scores,
                     ModelOdds* odds) const;
  void FitCalibration(const std::vector<Sparse>& pattern_vectors);
  void TrainFlowModel(const std::vector<IntentSpec>& intents);
  bool AnyBorrows() const;  // an intent borrows from the library (library_of_)
  double Calibrate(double score) const;

  std::shared_ptr<const nlp::Normalizer> normalizer_;
  double threshold_, margin_;
  std::vector<std::string> intents_;
  // Feature key -> its id in the classifier (-1: none, a feature only the models know) and its
  // rows in the flow's and the library's models (-1: none): one lookup per feature for all three.
  struct FeatureIds {
    int id = -1, flow = -1, library = -1;
  };
  std::unordered_map<std::string, FeatureIds> vocab_;
  int features_ = 0;                             // ids given out
  std::unordered_set<std::string> known_words_;  // the patterns' English words (nlp::Features)
  bool other_domains_ = true;
  std::unordered_set<std::string> home_domains_;  // domain features of the responses' texts
  std::vector<float> idf_, kind_weight_;
  std::vector<char> is_word_;  // by feature: a whole non-stop word
  std::vector<std::vector<std::pair<int, float>>> pattern_postings_;   // by feature
  std::vector<std::vector<std::pair<int, float>>> centroid_postings_;  // by feature
  std::vector<int> pattern_intent_;
  std::vector<int> intent_begin_;  // by intent: its first pattern; then the pattern count
  std::vector<char> borrowed_;     // by pattern: from the intent library
  int own_patterns_ = 0;
  std::vector<int> intent_pattern_count_;
  std::unordered_map<std::string, int> exact_;         // normalised pattern -> intent
  std::vector<std::pair<std::string, int>> keywords_;  // normalised keyword -> intent
  // By intent: the library intents it borrows from (first, second; -1: none). The model over the
  // library that weighs them, and one over this flow's intents and the library intents none of
  // them borrows (class i: intent i); null when no intent borrows or models_ leaves them out.
  std::vector<std::pair<int, int>> library_of_;
  Models models_ = Models::kBoth;
  const SoftmaxModel* library_model_ = nullptr;
  std::shared_ptr<const SoftmaxModel> flow_model_;
  double a_ = 10, b_ = -5;
  std::shared_ptr<Embedder> embedder_;
  double embedding_weight_ = 0;
  std::vector<std::vector<float>> pattern_embeddings_;  // by pattern; empty when unavailable
};

}  // namespace parley::dialog
