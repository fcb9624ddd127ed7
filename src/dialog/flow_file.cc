// Reading flow files: format detection, YAML to JSON, and the file-level errors; the content
// is validated by ParseFlow (flow_loader.cc).
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dialog/flow_loader.h"
#include "util/text.h"

namespace parley::dialog {

namespace {

using Json = nlohmann::json;

// YAML scalars become strings; readers below accept "0.5"/"true" where numbers/bools are due.
Json YamlToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    Json o = Json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = YamlToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    Json a = Json::array();
    for (const auto& item : n) a.push_back(YamlToJson(item));
    return a;
  }
  if (n.IsScalar()) return n.Scalar();
  return nullptr;
}

}  // namespace

std::string FlowIssue::ToString() const {
  return (warning ? "warning: " : "") + where + (field.empty() ? "" : ": field \"" + field + "\"") +
         ": " + message;
}

const IntentSpec* Flow::Find(const std::string& name) const {
  for (const auto& i : intents) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

LoadedFlow LoadFlowText(const std::string& text, const std::string& name) {
  if (!text::IsValidUtf8(text)) {
    LoadedFlow out;
    out.issues.push_back({name, "", "not valid UTF-8", false});
    return out;
  }
  Json root;
  const bool json = name.size() >= 5 && name.substr(name.size() - 5) == ".json";
  try {
    root = json ? Json::parse(text) : YamlToJson(YAML::Load(text));
  } catch (const Json::parse_error& e) {
    LoadedFlow out;
    out.issues.push_back({name, "", std::string("not valid JSON: ") + e.what(), false});
    return out;
  } catch (const YAML::Exception& e) {
    LoadedFlow out;
    out.issues.push_back(
        {name + ":" + std::to_string(e.mark.line + 1), "", "not valid YAML: " + e.msg, false});
    return out;
  }
  return ParseFlow(root, name);
}

LoadedFlow LoadFlowFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedFlow out;
    out.issues.push_back({path, "", "cannot read the flow file", false});
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadFlowText(ss.str(), path);
}

}  // namespace parley::dialog
