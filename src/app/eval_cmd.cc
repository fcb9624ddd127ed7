#include "app/eval_cmd.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "api/json_body.h"
#include "app/dialog_setup.h"
#include "dialog/intent_eval.h"
#include "util/text.h"

namespace parley::app {
namespace {

bool ReadJsonl(const std::string& path, std::vector<dialog::LabelledUtterance>* out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ": cannot read the file\n";
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (text::Trim(line).empty()) continue;
    auto j = api::ParseJsonText(line, 8);
    if (!j.ok() || !j->is_object() || !(*j)["text"].is_string() || !(*j)["intent"].is_string()) {
      std::cerr << path << ":" << n << ": expected {\"text\": \"...\", \"intent\": \"...\"}"
                << (j.ok() ? "" : " (" + j.error().message + ")") << '\n';
      return false;
    }
    out->push_back({(*j)["text"].get<std::string>(), (*j)["intent"].get<std::string>()});
  }
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
  std::cout << "flow: " << flags.flow << " (" << flow->intents.size() << " intents)\n"
            << "data: " << flags.data << '\n'
            << dialog::FormatReport(report);
  return 0;
}

}  // namespace parley::app
