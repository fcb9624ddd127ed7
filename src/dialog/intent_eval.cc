#include "dialog/intent_eval.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace parley::dialog {
namespace {

struct Scored {
  std::string gold;
  Classification c;
};

std::string Predict(const Classification& c, double threshold, double margin) {
  return InScope(c, threshold, margin) ? c.top.name : kOutOfScope;
}

SweepPoint Measure(const std::vector<Scored>& scored, double threshold, double margin) {
  SweepPoint p;
  p.threshold = threshold;
  int right = 0, in = 0, in_right = 0, oos = 0, oos_right = 0, oos_pred = 0;
  for (const auto& s : scored) {
    const std::string got = Predict(s.c, threshold, margin);
    right += got == s.gold;
    if (s.gold == kOutOfScope) {
      ++oos;
      oos_right += got == kOutOfScope;
    } else {
      ++in;
      in_right += got == s.gold;
    }
    oos_pred += got == kOutOfScope;
  }
  p.accuracy = scored.empty() ? 0 : double(right) / scored.size();
  p.in_scope_accuracy = in ? double(in_right) / in : 0;
  p.oos_recall = oos ? double(oos_right) / oos : 0;
  p.oos_precision = oos_pred ? double(oos_right) / oos_pred : 0;
  return p;
}

}  // namespace

EvalReport EvaluateIntents(const Nlu& nlu, const Flow& flow,
                           const std::vector<LabelledUtterance>& data,
                           std::vector<LineEvidence>* evidence) {
  EvalReport r;
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const double threshold = nlu.classifier().threshold(), margin = nlu.classifier().margin();
  r.threshold = threshold;
  std::vector<Scored> scored;
  std::set<std::string> unknown;
  std::map<std::pair<std::string, std::string>, int> confusions;
  for (const auto& u : data) {
    if (u.intent != kOutOfScope && !flow.Find(u.intent)) unknown.insert(u.intent);
    IntentClassifier::Evidence e;
    scored.push_back({u.intent, nlu.Analyze(u.text, today, evidence ? &e : nullptr).intent});
    if (evidence) evidence->push_back({scored.back().c.top.name, scored.back().c.exact, e});
    const std::string got = Predict(scored.back().c, threshold, margin);
    auto& gold = u.intent == kOutOfScope ? r.oos : r.per_intent[u.intent];
    ++gold.support;
    auto& pred = got == kOutOfScope ? r.oos : r.per_intent[got];
    ++pred.predicted;
    if (got == u.intent) ++gold.correct;
    if (got != u.intent) {
      ++confusions[{u.intent, got}];
      const auto& c = scored.back().c;
      r.errors.push_back({u.text, u.intent, got, c.top, c.runner_up, c.other_domain});
    }
    ++(u.intent == kOutOfScope ? r.out_of_scope : r.in_scope);
  }
  r.total = static_cast<int>(data.size());
  r.unknown_labels.assign(unknown.begin(), unknown.end());
  const SweepPoint at = Measure(scored, threshold, margin);
  r.accuracy = at.accuracy;
  r.in_scope_accuracy = at.in_scope_accuracy;
  double f1 = 0;
  int classes = 0;
  for (const auto& [name, m] : r.per_intent) {
    if (m.support == 0) continue;
    f1 += m.f1();
    ++classes;
  }
  if (r.oos.support) f1 += r.oos.f1(), ++classes;
  r.macro_f1 = classes ? f1 / classes : 0;
  r.confusions.assign(confusions.begin(), confusions.end());
  std::stable_sort(r.confusions.begin(), r.confusions.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (int i = 1; i <= 19; ++i) r.sweep.push_back(Measure(scored, i * 0.05, margin));
  return r;
}

std::string FormatReport(const EvalReport& r, size_t max_confusions) {
  std::string out;
  char buf[256];
  auto line = [&](const char* fmt, auto... args) {
    std::snprintf(buf, sizeof buf, fmt, args...);
    out += buf;
  };
  line("utterances: %d (in scope %d, out of scope %d); threshold %.2f\n", r.total, r.in_scope,
       r.out_of_scope, r.threshold);
  line("accuracy: %.3f   in-scope accuracy: %.3f   macro-F1: %.3f\n", r.accuracy,
       r.in_scope_accuracy, r.macro_f1);
  line("out of scope: precision %.3f  recall %.3f  (support %d)\n", r.oos.precision(),
       r.oos.recall(), r.oos.support);
  for (const auto& l : r.unknown_labels)
    out += "warning: label '" + l + "' is not an intent of the flow\n";
  out += "\nper intent:              precision  recall     f1  support\n";
  for (const auto& [name, m] : r.per_intent) {
    line("  %-24s %6.3f  %6.3f  %6.3f  %5d\n", name.c_str(), m.precision(), m.recall(), m.f1(),
         m.support);
  }
  out += "\nmost common confusions (expected -> got):\n";
  for (size_t i = 0; i < r.confusions.size() && i < max_confusions; ++i) {
    const auto& [pair, n] = r.confusions[i];
    line("  %3d  %s -> %s\n", n, pair.first.c_str(), pair.second.c_str());
  }
  out += "\nthreshold sweep:  threshold  accuracy  in-scope acc  oos recall  oos precision\n";
  for (const auto& p : r.sweep) {
    line("                  %9.2f  %8.3f  %12.3f  %10.3f  %13.3f\n", p.threshold, p.accuracy,
         p.in_scope_accuracy, p.oos_recall, p.oos_precision);
  }
  return out;
}

std::string FormatErrors(const EvalReport& r) {
  std::string out = "errors (expected -> got | top, runner-up):\n";
  char buf[160];
  for (const auto& e : r.errors) {
    std::snprintf(buf, sizeof buf, "  %s -> %s | %s %.2f, %s %.2f | ", e.gold.c_str(),
                  e.got.c_str(), e.top.name.empty() ? "-" : e.top.name.c_str(), e.top.confidence,
                  e.runner_up.name.empty() ? "-" : e.runner_up.name.c_str(),
                  e.runner_up.confidence);
    out += buf;
    out += e.text;
    // An in-scope message sent away for naming a domain: the operator may name it in the flow.
    if (!e.other_domain.empty()) out += "   [names another business: " + e.other_domain + "]";
    out += '\n';
  }
  return out;
}

}  // namespace parley::dialog
