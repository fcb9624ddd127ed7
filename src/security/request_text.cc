#include "security/request_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "security/crypto.h"
#include "security/pii.h"

namespace parley::security {
namespace {

using Json = nlohmann::json;

// Nesting depth outside strings, so a deeply nested body is never handed to the parser.
bool DepthWithin(std::string_view s, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

void AddStrings(Json& j, std::vector<Json*>& out) {
  if (j.is_string()) {
    out.push_back(&j);
  } else if (j.is_array()) {
    for (auto& e : j) {
      if (e.is_string())
        out.push_back(&e);
      else if (e.is_object() && e.contains("text") && e["text"].is_string())
        out.push_back(&e["text"]);
    }
  }
}

std::vector<Json*> UserTexts(Json& j) {
  std::vector<Json*> out;
  if (auto it = j.find("messages"); it != j.end() && it->is_array()) {
    for (auto& m : *it) {
      if (!m.is_object()) continue;
      const auto role = m.find("role");
      const bool user = role == m.end() || (role->is_string() && *role == "user");
      if (user && m.contains("content")) AddStrings(m["content"], out);
    }
  }
  for (const char* key : {"message", "prompt", "input", "query"}) {
    if (auto it = j.find(key); it != j.end()) AddStrings(*it, out);
  }
  return out;
}

size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

BodyGuardOutcome GuardRequestBody(const ContentGuard& guard, std::string_view body, int max_depth) {
  BodyGuardOutcome out;
  if (body.empty() || !DepthWithin(body, max_depth)) return out;
  Json j = Json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  auto texts = UserTexts(j);
  if (texts.empty()) return out;
  out.inspected = true;
  size_t total = 0;
  std::string digest_input;
  for (Json* t : texts) {
    total += CodePoints(t->get_ref<const std::string&>());
    digest_input += MaskPii(t->get_ref<const std::string&>());
    digest_input += '\n';
  }
  out.digest = Sha256Hex(digest_input).substr(0, 16);
  const size_t max = guard.options().max_input_chars;
  if (max > 0 && total > max) {
    out.result.verdict = Verdict::kBlock;
    out.result.findings.push_back("length");
    return out;
  }
  bool modified = false;
  for (Json* t : texts) {
    GuardResult r = guard.CheckInput(t->get_ref<const std::string&>());
    for (auto& f : r.findings) {
      if (std::find(out.result.findings.begin(), out.result.findings.end(), f) ==
          out.result.findings.end()) {
        out.result.findings.push_back(f);
      }
    }
    if (static_cast<int>(r.verdict) > static_cast<int>(out.result.verdict)) {
      out.result.verdict = r.verdict;
    }
    if (r.verdict == Verdict::kModified || r.text != t->get_ref<const std::string&>()) {
      *t = std::move(r.text);
      modified = true;
    }
  }
  if (modified && out.result.verdict != Verdict::kBlock) {
    out.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (out.result.verdict == Verdict::kAllow) out.result.verdict = Verdict::kModified;
  }
  return out;
}

}  // namespace parley::security
