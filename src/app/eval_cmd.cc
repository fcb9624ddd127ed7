#include "app/eval_cmd.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "api/json_body.h"
#include "app/dialog_setup.h"
#include "app/jsonl.h"
#include "dialog/intent_eval.h"
#include "util/text.h"

namespace parley::app {
namespace {

bool ReadJsonl(const std::string& path, std::vector<dialog::LabelledUtterance>* out) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (!ReadStringPairs(path, "text", "intent", R"({"text": "...", "intent": "..."})", &rows)) {
    return false;
  }
  for (auto& [text, intent] : rows) out->push_back({std::move(text), std::move(intent)});
  return true;
}

// One JSON line per utterance: its label, the top intent, whether the message equals a pattern,
// and the evidence the learned confidence weighs (IntentClassifier::Evidence). What
// bench/fit_confidence.mjs fits the confidence's weights on.
bool WriteEvidence(const std::string& path, bool learned,
                   const std::vector<dialog::LabelledUtterance>& data,
                   const std::vector<dialog::LineEvidence>& lines) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) {
    std::cerr << path << ": cannot write\n";
    return false;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& e = lines[i].evidence;
    api::Json line = {{"intent", data[i].intent}, {"top", lines[i].top},
                      {"exact", lines[i].exact},  {"learned", learned},
                      {"score", e.score},         {"similarity", e.similarity},
                      {"flow_odds", e.flow_odds}, {"library_odds", e.library_odds},
                      {"other", e.other},         {"known", e.known},
                      {"foreign", e.foreign}};
    out << line.dump() << '\n';
  }
  return static_cast<bool>(out);
}

}  // namespace

int RunEvalIntents(const EvalFlags& flags) {
  std::vector<std::string> problems;
  const auto flow = LoadFlowChecked(flags.flow, &problems);
  for (const auto& p : problems) std::cerr << p << '\n';
  if (!flow) return 78;
  std::vector<dialog::LabelledUtterance> data;
  if (!ReadJsonl(flags.data, &data)) return 1;
  config::DialogSection cfg;
  cfg.intent_threshold = flags.threshold;
  auto nlu = BuildNlu(*flow, cfg);
  if (!nlu.ok()) {
    std::cerr << nlu.error().message << '\n';
    return 1;
  }
  std::vector<dialog::LineEvidence> evidence;
  const auto report =
      dialog::EvaluateIntents(**nlu, *flow, data, flags.evidence.empty() ? nullptr : &evidence);
  if ((*nlu)->classifier().learned_confidence()) {
    std::printf("confidence: learned (both intent models; intent_calibration.cc)\n");
  } else {
    std::printf("calibration: confidence = 1 / (1 + exp(-(%.2f * score %+.2f)))\n",
                (*nlu)->classifier().calibration_a(), (*nlu)->classifier().calibration_b());
  }
  const std::string links = (*nlu)->LibraryLinksText();
  std::printf("intent library: %zu of %zu intents extended%s%s\n", (*nlu)->library_links().size(),
              flow->intents.size(), links.empty() ? "" : ": ", links.c_str());
  std::cout << "flow: " << flags.flow << " (" << flow->intents.size() << " intents)\n"
            << "data: " << flags.data << '\n'
            << dialog::FormatReport(report);
  if (flags.errors) std::cout << '\n' << dialog::FormatErrors(report);
  if (!flags.evidence.empty() &&
      !WriteEvidence(flags.evidence, (*nlu)->classifier().learned_confidence(), data, evidence)) {
    return 1;
  }
  return 0;
}

}  // namespace parley::app
