// Reads a dialog flow file (JSON or YAML) into a Flow and validates it. Every problem is
// collected with the intent (or entity) it is in and the field, e.g.
//   intents[3] "order_status": field "responses[1]": unknown variable {order_no}
// so `parley config check` and start-up can list them all. Start-up only; reentrant.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dialog/flow.h"

namespace parley::dialog {

struct FlowIssue {
  std::string where;  // "flow.yaml", "intents[3] \"order_status\"", "entities[0] \"city\""
  std::string field;  // "patterns", "slots[0].pattern", "" for file-level problems
  std::string message;
  bool warning = false;  // reported, but the flow still loads
  std::string ToString() const;
};

struct LoadedFlow {
  std::optional<Flow> flow;  // set when there are no errors (warnings allowed)
  std::vector<FlowIssue> issues;
  bool ok() const { return flow.has_value(); }
};

LoadedFlow LoadFlowFile(const std::string& path);
// `name` decides the format: ".json" is JSON, anything else YAML (which also reads most JSON).
LoadedFlow LoadFlowText(const std::string& text, const std::string& name);
// The flow already parsed into JSON (YAML scalars as strings); `name` is used in messages.
LoadedFlow ParseFlow(const nlohmann::json& root, const std::string& name);

}  // namespace parley::dialog
