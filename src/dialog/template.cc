#include "dialog/template.h"

#include "util/text.h"

namespace parley::dialog {
namespace {

bool IsVarChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

bool IsVarName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsVarChar(c)) return false;
  }
  return true;
}

}  // namespace

std::optional<Condition> ParseCondition(std::string_view text, std::string* error) {
  const std::string_view t = text::Trim(text);
  Condition c;
  for (auto [op, kind] : {std::pair{"==", Condition::Op::kEq}, {"!=", Condition::Op::kNe}}) {
    const auto pos = t.find(op);
    if (pos == std::string_view::npos) continue;
    c.var = std::string(text::Trim(t.substr(0, pos)));
    c.op = kind;
    std::string_view v = text::Trim(t.substr(pos + 2));
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    c.value = std::string(v);
    if (!IsVarName(c.var)) {
      *error = "condition '" + std::string(t) + "': expected a variable name before " + op;
      return std::nullopt;
    }
    return c;
  }
  std::string_view name = t;
  if (!name.empty() && name.front() == '!') {
    c.op = Condition::Op::kUnset;
    name = text::Trim(name.substr(1));
  }
  if (!IsVarName(name)) {
    *error = "condition '" + std::string(t) +
             "': expected 'name', '!name', 'name == value' or 'name != value'";
    return std::nullopt;
  }
  c.var = std::string(name);
  return c;
}

bool Holds(const Condition& c, const Vars& vars) {
  const auto it = vars.find(c.var);
  const bool set = it != vars.end() && !it->second.empty();
  switch (c.op) {
    case Condition::Op::kSet:
      return set;
    case Condition::Op::kUnset:
      return !set;
    case Condition::Op::kEq:
      return set && text::EqualsIgnoreCase(it->second, c.value);
    case Condition::Op::kNe:
      return !set || !text::EqualsIgnoreCase(it->second, c.value);
  }
  return false;
}

std::vector<std::string> TemplateVars(std::string_view t, std::string* error) {
  std::vector<std::string> out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      ++i;
      continue;
    }
    if (t[i] != '{') continue;
    const size_t close = t.find('}', i + 1);
    if (close == std::string_view::npos) {
      *error = "unclosed '{' (write '{{' for a literal brace)";
      return out;
    }
    const std::string_view name = text::Trim(t.substr(i + 1, close - i - 1));
    if (!IsVarName(name)) {
      // Not a placeholder (e.g. a JSON example or an emoticon): rendered literally.
      continue;
    }
    out.emplace_back(name);
    i = close;
  }
  return out;
}

std::string Render(std::string_view t, const Vars& vars) {
  std::string out;
  out.reserve(t.size() + 16);
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if ((c == '{' || c == '}') && i + 1 < t.size() && t[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c == '{') {
      const size_t close = t.find('}', i + 1);
      if (close != std::string_view::npos) {
        const std::string_view name = text::Trim(t.substr(i + 1, close - i - 1));
        if (IsVarName(name)) {
          if (auto it = vars.find(std::string(name)); it != vars.end()) out += it->second;
          i = close;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

const ResponseVariant* Choose(const std::vector<ResponseVariant>& variants, const Vars& vars,
                              uint64_t seed) {
  std::vector<const ResponseVariant*> conditional, plain;
  for (const auto& v : variants) {
    bool ok = true;
    for (const auto& c : v.when) ok = ok && Holds(c, vars);
    if (!ok) continue;
    (v.when.empty() ? plain : conditional).push_back(&v);
  }
  const auto& pool = conditional.empty() ? plain : conditional;
  if (pool.empty()) return nullptr;
  return pool[seed % pool.size()];
}

}  // namespace parley::dialog
