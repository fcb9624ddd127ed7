#include "api/json_body.h"

#include "util/text.h"

namespace parley::api {
namespace {

// Depth of the deepest array/object outside strings; stops early once past `cap`.
int MaxDepth(std::string_view s, int cap) {
  int depth = 0, max = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max && (max = depth) > cap) return max;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max;
}

}  // namespace

Result<Json> ParseJsonText(std::string_view body, int max_depth) {
  if (const size_t bad = text::FindInvalidUtf8(body); bad != std::string_view::npos) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "request body is not valid UTF-8 (first bad byte at offset " + std::to_string(bad) + ")",
        "invalid_utf8");
  }
  if (text::Trim(body).empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "request body is empty; expected a JSON object",
                     "invalid_json");
  }
  if (MaxDepth(body, max_depth) > max_depth) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "JSON nested deeper than " + std::to_string(max_depth) + " levels",
                     "json_too_deep");
  }
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only on the failure path, for a message with the position.
    try {
      const Json unused = Json::parse(body);
      (void)unused;
    } catch (const Json::exception& e) {  // parse_error, or out_of_range for 1e999
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("request body is not valid JSON: ") + e.what(), "invalid_json");
    }
    return MakeError(ErrorCode::kInvalidArgument, "request body is not valid JSON", "invalid_json");
  }
  return j;
}

Result<Json> ParseJsonBody(const http::Request& request, int max_depth) {
  const auto type = request.Header("Content-Type");
  if (!type.empty()) {
    const auto semi = type.find(';');
    const auto mime = text::Trim(type.substr(0, semi));
    // curl -d sends form-urlencoded by default; its body is still the JSON the user typed.
    const std::string lower = text::ToLower(mime);
    const bool json_like = lower == "application/json" || lower.ends_with("+json") ||
                           lower == "application/x-www-form-urlencoded" || lower == "text/plain";
    if (!json_like) {
      return MakeError(ErrorCode::kUnsupportedMedia,
                       "Content-Type must be application/json, got '" + std::string(mime) + "'");
    }
  }
  return ParseJsonText(request.body, max_depth);
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace parley::api
