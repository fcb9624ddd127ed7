// libFuzzer harness: a dialog flow file through the flow loader (YAML or JSON parsing, every
// field's validation, regexes compiled by RE2, templates parsed) and, when it loads, the NLU
// built from it analysing one message. The intent library is switched off here: training its
// classifier takes tens of milliseconds, far too slow per input.
#include "dialog/flow_loader.h"
#include "dialog/nlu.h"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto normalizer = *nlp::Normalizer::Create();
  const std::string text(reinterpret_cast<const char*>(data), size);
  // A file that starts as a JSON object goes to the JSON parser, anything else to YAML.
  const bool json = size > 0 && data[0] == '{';
  auto loaded = dialog::LoadFlowText(text, json ? "fuzz.json" : "fuzz.yaml");
  for (const auto& issue : loaded.issues) issue.ToString();
  if (!loaded.ok()) return 0;
  loaded.flow->intent_library = false;
  auto nlu = dialog::Nlu::Create(*loaded.flow, normalizer);
  if (!nlu.ok()) return 0;
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  (*nlu)->Analyze("我想查一下订单 12345678, where is my order?", today);
  return 0;
}
