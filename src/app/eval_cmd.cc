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
  const auto report = dialog::EvaluateIntents(**nlu, *flow, data);
  std::printf("calibration: confidence = 1 / (1 + exp(-(%.2f * score %+.2f)))\n",
              (*nlu)->classifier().calibration_a(), (*nlu)->classifier().calibration_b());
  const std::string links = (*nlu)->LibraryLinksText();
  std::printf("intent library: %zu of %zu intents extended%s%s\n", (*nlu)->library_links().size(),
              flow->intents.size(), links.empty() ? "" : ": ", links.c_str());
  std::cout << "flow: " << flags.flow << " (" << flow->intents.size() << " intents)\n"
            << "data: " << flags.data << '\n'
            << dialog::FormatReport(report);
  if (flags.errors) std::cout << '\n' << dialog::FormatErrors(report);
  return 0;
}

}  // namespace parley::app
