// libFuzzer harness: request bodies through the JSON body parser (depth cap, UTF-8 checks) and
// the input guard's extraction/rewriting of user text.
#include "api/json_body.h"
#include "security/guard.h"
#include "security/request_text.h"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto j = api::ParseJsonText(body, 64);
  if (j.ok()) api::Dump(*j);
  static const auto guard = [] {
    security::GuardOptions o;
    o.words = {"badword", "敏感词"};
    o.regex = {R"(\d{3}-\d{4})"};
    o.regex_action = security::RuleAction::kMask;
    o.injection = security::InjectionAction::kStrip;
    return security::ContentGuard::Create(o).value();
  }();
  auto out = security::GuardRequestBody(*guard, body, 64);
  // A rewritten body must itself be valid JSON.
  if (!out.body.empty() && !api::ParseJsonText(out.body, 64).ok()) __builtin_trap();
  return 0;
}
