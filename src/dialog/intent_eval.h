// Intent evaluation: runs the classifier over labelled utterances and computes accuracy,
// macro-F1, per-intent precision/recall, confusions, out-of-scope precision/recall and a sweep
// of the confidence threshold. Backs `parley eval intents`. Pure computation; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dialog/nlu.h"

namespace parley::dialog {

inline constexpr char kOutOfScope[] = "out_of_scope";

struct LabelledUtterance {
  std::string text;
  std::string intent;  // an intent name or "out_of_scope"
};

struct ClassMetrics {
  int support = 0, predicted = 0, correct = 0;
  double precision() const { return predicted ? double(correct) / predicted : 0; }
  double recall() const { return support ? double(correct) / support : 0; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};

struct SweepPoint {
  double threshold = 0;
  double accuracy = 0, in_scope_accuracy = 0, oos_recall = 0, oos_precision = 0;
};

struct EvalError {  // one utterance given the wrong answer
  std::string text, gold, got;
  IntentScore top, runner_up;
  std::string other_domain;  // Classification::other_domain
};

struct EvalReport {
  int total = 0, in_scope = 0, out_of_scope = 0;
  double accuracy = 0;           // over everything, out_of_scope as a class
  double in_scope_accuracy = 0;  // in-scope utterances given their right intent
  double macro_f1 = 0;           // over intents plus out_of_scope
  ClassMetrics oos;
  std::map<std::string, ClassMetrics> per_intent;
  std::vector<std::pair<std::pair<std::string, std::string>, int>> confusions;  // (gold, got)
  std::vector<SweepPoint> sweep;
  double threshold = 0;
  std::vector<std::string> unknown_labels;  // labels naming no intent of the flow
  std::vector<EvalError> errors;            // in input order
};

// An utterance's top intent and the evidence the learned confidence weighs for it.
struct LineEvidence {
  std::string top;
  bool exact = false;  // the message equals a pattern
  IntentClassifier::Evidence evidence;
};

// `evidence` (optional): set to each utterance's LineEvidence, in input order.
EvalReport EvaluateIntents(const Nlu& nlu, const Flow& flow,
                           const std::vector<LabelledUtterance>& data,
                           std::vector<LineEvidence>* evidence = nullptr);
std::string FormatReport(const EvalReport& r, size_t max_confusions = 15);
// Each wrong answer: text, expected, got, and the classifier's top two with confidences.
std::string FormatErrors(const EvalReport& r);

}  // namespace parley::dialog
