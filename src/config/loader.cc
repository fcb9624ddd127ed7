#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
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

// Starts a new item of a list section with every field at its default.
void BeginListItem(const std::string& section, Loaded* out) {
  if (section == "models") out->config.models.emplace_back();
  for (const auto& f : Schema()) {
    // Empty defaults (path, id) stay empty; EndListItem checks or derives them.
    if (f.section == section && !f.default_text.empty()) Apply(f, f.default_text, "(default)", out);
  }
}

// Checks one finished item: required keys and derived defaults.
void EndListItem(const std::string& section, const std::string& where, Loaded* out) {
  if (section != "models") return;
  auto& m = out->config.models.back();
  if (m.path.empty()) {
    out->issues.push_back({where, "models.path", "each model needs a 'path' to a .gguf file"});
  }
  if (m.id.empty()) m.id = std::filesystem::path(m.path).stem().string();
  for (size_t i = 0; i + 1 < out->config.models.size(); ++i) {
    if (out->config.models[i].id == m.id) {
      out->issues.push_back({where, "models.id", "duplicate model id '" + m.id + "'"});
    }
  }
}

void ApplyListSection(const std::string& section, const YAML::Node& node, const std::string& name,
                      Loaded* out) {
  if (!node.IsSequence()) {
    out->issues.push_back(
        {Where(name, node.Mark()), section, "expected a list of mappings under '" + section + "'"});
    return;
  }
  for (const auto& item : node) {
    const std::string where = Where(name, item.Mark());
    if (!item.IsMap()) {
      out->issues.push_back(
          {where, section, "expected a mapping for each item of '" + section + "'"});
      continue;
    }
    BeginListItem(section, out);
    for (const auto& kv : item) {
      const std::string key = kv.first.as<std::string>();
      const Field* f = FindField(section, key);
      if (!f) {
        out->issues.push_back(
            {Where(name, kv.first.Mark()), section + "." + key,
             "unknown key '" + key + "' in '" + section + "'" + Suggest(key, KeysOf(section))});
        continue;
      }
      ApplyNode(*f, kv.second, Where(name, kv.second.Mark()), out);
    }
    EndListItem(section, where, out);
  }
}

void ApplyYaml(const YAML::Node& root, const std::string& name, Loaded* out) {
  if (root.IsNull()) return;  // an empty file is all defaults
  if (!root.IsMap()) {
    out->issues.push_back(
        {Where(name, root.Mark()), "", "expected a mapping of sections at the top level"});
    return;
  }
  const auto sections = Sections();
  for (const auto& entry : root) {
    const std::string section = entry.first.as<std::string>();
    const std::string where = Where(name, entry.first.Mark());
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      std::string all;
      for (const auto& s : sections) all += (all.empty() ? "" : ", ") + s;
      out->issues.push_back({where, section,
                             "unknown section '" + section + "'" + Suggest(section, sections) +
                                 " (sections: " + all + ")"});
      continue;
    }
    if (entry.second.IsNull()) continue;
    if (IsListSection(section)) {
      ApplyListSection(section, entry.second, name, out);
      continue;
    }
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
      const std::string prefix = EnvPrefix(section);
      if (rest.rfind(prefix + "_", 0) != 0) continue;
      const std::string key = rest.substr(prefix.size() + 1);
      if (const Field* f = FindField(section, key)) {
        // List sections: the override applies to the first item, when there is one.
        if (IsListSection(section) && out->config.models.empty()) break;
        if (IsListSection(section)) {
          // Field::store writes to the last item; make the first item last for the moment.
          std::swap(out->config.models.front(), out->config.models.back());
          Apply(*f, value, name, out);
          std::swap(out->config.models.front(), out->config.models.back());
          break;
        }
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
  for (const auto& f : Schema()) {
    if (!IsListSection(f.section)) Apply(f, f.default_text, "(default)", &l);
  }
  // A default that does not parse is a bug in schema.cc; tests check there are none.
  return l.config;
}

void ApplyOverrides(const Overrides& o, Loaded* out) {
  if (o.model_path.empty()) return;
  if (out->config.models.empty()) {
    BeginListItem("models", out);
    out->config.models.back().path = o.model_path;
    EndListItem("models", "--model", out);
  } else {
    auto& m = out->config.models.front();
    m.path = o.model_path;
    m.id = std::filesystem::path(m.path).stem().string();
  }
}

Loaded LoadText(const std::string& yaml, const std::string& name, const Environment& env,
                const Overrides& o) {
  Loaded out;
  out.config = Defaults();
  out.config.source = name;
  try {
    ApplyYaml(YAML::Load(yaml), name, &out);
  } catch (const YAML::Exception& e) {
    out.issues.push_back({Where(name, e.mark), "", "not valid YAML: " + e.msg});
  }
  ApplyOverrides(o, &out);
  ApplyEnvironment(env, &out);
  return out;
}

Loaded LoadFile(const std::string& path, const Environment& env, const Overrides& o) {
  if (path.empty()) {
    Loaded out;
    out.config = Defaults();
    ApplyOverrides(o, &out);
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
  return LoadText(ss.str(), path, env, o);
}

}  // namespace parley::config
