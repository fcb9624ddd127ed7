#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/schema.h"
#include "util/text.h"

extern char** environ;

namespace parley::config {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Suggest(const std::string& word, const std::vector<std::string>& options) {
  std::string best;
  size_t best_d = 3;
  for (const auto& o : options) {
    const size_t d = EditDistance(word, o);
    if (d < best_d) best_d = d, best = o;
  }
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

std::vector<std::string> KeysOf(const std::string& section) {
  std::vector<std::string> keys;
  for (const auto& f : Schema()) {
    if (f.section == section) keys.push_back(f.key);
  }
  return keys;
}

std::string Where(const std::string& name, const YAML::Mark& m) {
  if (m.line < 0) return name;
  return name + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// Applies one parsed value, or records why it was rejected.
void Apply(const Field& f, const std::string& text, const std::string& where, Loaded* out) {
  std::string why;
  if (auto v = ParseScalar(f, text, &why)) {
    f.store(out->config, *v);
  } else {
    out->issues.push_back({where, f.section + "." + f.key, why});
  }
}

void ApplyNode(const Field& f, const YAML::Node& node, const std::string& where, Loaded* out) {
  const std::string key = f.section + "." + f.key;
  if (f.kind == Kind::kList && node.IsSequence()) {
    std::string joined;
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        out->issues.push_back({where, key, "expected " + Expected(f) + ", got a nested item"});
        return;
      }
      if (!joined.empty()) joined += ',';
      joined += item.Scalar();
    }
    Apply(f, joined, where, out);
    return;
  }
  if (node.IsNull() && (f.kind == Kind::kString || f.kind == Kind::kPath)) {
    Apply(f, "", where, out);
    return;
  }
  if (!node.IsScalar()) {
    const char* got = node.IsMap() ? "a mapping" : node.IsSequence() ? "a list" : "nothing";
    out->issues.push_back({where, key, std::string("expected ") + Expected(f) + ", got " + got});
    return;
  }
  Apply(f, node.Scalar(), where, out);
}

void ApplyYaml(const YAML::Node& root, const std::string& name, Loaded* out) {
  if (root.IsNull()) return;  // an empty file is all defaults
  if (!root.IsMap()) {
    out->issues.push_back({Where(name, root.Mark()), "", "expected a mapping of sections at the top level"});
    return;
  }
  const auto sections = Sections();
  for (const auto& entry : root) {
    const std::string section = entry.first.as<std::string>();
    const std::string where = Where(name, entry.first.Mark());
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      std::string all;
      for (const auto& s : sections) all += (all.empty() ? "" : ", ") + s;
      out->issues.push_back({where, section, "unknown section '" + section + "'" +
                                                 Suggest(section, sections) +
                                                 " (sections: " + all + ")"});
      continue;
    }
    if (entry.second.IsNull()) continue;
    if (!entry.second.IsMap()) {
      out->issues.push_back({where, section, "expected a mapping of keys under '" + section + "'"});
      continue;
    }
    for (const auto& kv : entry.second) {
      const std::string key = kv.first.as<std::string>();
      const std::string kwhere = Where(name, kv.first.Mark());
      const Field* f = FindField(section, key);
      if (!f) {
        out->issues.push_back({kwhere, section + "." + key,
                               "unknown key '" + key + "' in section '" + section + "'" +
                                   Suggest(key, KeysOf(section))});
        continue;
      }
      ApplyNode(*f, kv.second, Where(name, kv.second.Mark()), out);
    }
  }
}

void ApplyEnvironment(const Environment& env, Loaded* out) {
  const auto sections = Sections();
  for (const auto& [name, value] : env) {
    if (name.rfind("PARLEY_", 0) != 0) continue;
    const std::string rest = text::ToLower(name.substr(7));
    for (const auto& section : sections) {
      if (rest.rfind(section + "_", 0) != 0) continue;
      const std::string key = rest.substr(section.size() + 1);
      if (const Field* f = FindField(section, key)) {
        Apply(*f, value, name, out);
      } else {
        out->issues.push_back({name, section + "." + key,
                               "unknown key '" + key + "' in section '" + section + "'" +
                                   Suggest(key, KeysOf(section))});
      }
      break;
    }
  }
}

}  // namespace

std::string Issue::ToString() const {
  return where + ": " + (key.empty() ? "" : key + ": ") + message;
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

Config Defaults() {
  Loaded l;
  for (const auto& f : Schema()) Apply(f, f.default_text, "(default)", &l);
  // A default that does not parse is a bug in schema.cc; tests check there are none.
  return l.config;
}

Loaded LoadText(const std::string& yaml, const std::string& name, const Environment& env) {
  Loaded out;
  out.config = Defaults();
  out.config.source = name;
  try {
    ApplyYaml(YAML::Load(yaml), name, &out);
  } catch (const YAML::Exception& e) {
    out.issues.push_back({Where(name, e.mark), "", "not valid YAML: " + e.msg});
  }
  ApplyEnvironment(env, &out);
  return out;
}

Loaded LoadFile(const std::string& path, const Environment& env) {
  if (path.empty()) {
    Loaded out;
    out.config = Defaults();
    ApplyEnvironment(env, &out);
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Loaded out;
    out.config = Defaults();
    out.issues.push_back({path, "", "cannot read the file"});
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadText(ss.str(), path, env);
}

}  // namespace parley::config
