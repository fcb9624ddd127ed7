#include "api/upload.h"

#include "api/json_body.h"
#include "util/text.h"

namespace parley::api {
namespace {

Error BadUpload(std::string message, std::string param = {}) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), "invalid_upload",
                   std::move(param));
}

// The value of `key` in a header like `form-data; name="file"; filename="a.md"`.
bool HeaderParam(std::string_view header, std::string_view key, std::string* out) {
  size_t pos = 0;
  while ((pos = header.find(key, pos)) != std::string_view::npos) {
    const bool start = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ';';
    const size_t eq = pos + key.size();
    if (!start || eq >= header.size() || header[eq] != '=') {
      pos = eq;
      continue;
    }
    std::string_view rest = header.substr(eq + 1);
    if (!rest.empty() && rest[0] == '"') {
      std::string v;
      for (size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) {
          v += rest[++i];
        } else if (rest[i] == '"') {
          *out = v;
          return true;
        } else {
          v += rest[i];
        }
      }
      return false;  // unterminated quote
    }
    *out = std::string(text::Trim(rest.substr(0, rest.find(';'))));
    return true;
  }
  return false;
}

Result<Upload> FromMultipart(const http::Request& req) {
  auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
  if (!parts.ok()) return parts.error();
  Upload up;
  bool have_file = false;
  for (auto& p : *parts) {
    if (p.name == "file" && p.has_filename) {
      if (have_file) return BadUpload("send one file per request", "file");
      have_file = true;
      up.name = std::move(p.filename);
      up.bytes = std::move(p.content);
    } else if (p.name == "title") {
      up.title = std::move(p.content);
    } else if (p.name == "type") {
      up.type = std::move(p.content);
    }
  }
  if (!have_file) {
    return BadUpload("expected a multipart part named 'file' with a filename", "file");
  }
  return up;
}

Result<Upload> FromJson(const http::Request& req, int max_depth) {
  auto body = ParseJsonBody(req, max_depth);
  if (!body.ok()) return body.error();
  const Json& j = *body;
  if (!j.is_object()) {
    return BadUpload(R"(expected a JSON object like {"name":"policy.md","content":"..."})");
  }
  Upload up;
  bool content = false, b64 = false;
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "content" && key != "content_base64" && key != "title" &&
        key != "type") {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "unknown field '" + key + "' (expected name, content or content_base64, title, type)",
          "unknown_field", key);
    }
    if (!value.is_string()) {
      return MakeError(ErrorCode::kInvalidArgument, "'" + key + "' must be a string",
                       "invalid_type", key);
    }
    const std::string s = value.get<std::string>();
    if (key == "name") up.name = s;
    if (key == "title") up.title = s;
    if (key == "type") up.type = s;
    if (key == "content") up.bytes = s, content = true;
    if (key == "content_base64") {
      auto decoded = DecodeBase64(s);
      if (!decoded.ok()) return decoded.error();
      up.bytes = std::move(*decoded);
      b64 = true;
    }
  }
  if (!j.contains("name")) {
    return MakeError(ErrorCode::kInvalidArgument, "'name' is required", "missing_field", "name");
  }
  if (content == b64) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "give exactly one of 'content' (text) or 'content_base64' (any file)",
                     "missing_field", "content");
  }
  return up;
}

}  // namespace

Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body) {
  std::string boundary;
  if (!HeaderParam(content_type, "boundary", &boundary) || boundary.empty() ||
      boundary.size() > 200) {
    return BadUpload("multipart/form-data without a boundary");
  }
  const std::string delim = "--" + boundary;
  std::vector<FormPart> parts;
  size_t pos = body.find(delim);
  if (pos == std::string_view::npos) return BadUpload("multipart body has no parts");
  for (;;) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return BadUpload("malformed multipart delimiter line");
    pos += 2;
    const size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return BadUpload("multipart part without headers end");
    const std::string_view head = body.substr(pos, head_end - pos);
    const size_t next = body.find("\r\n" + delim, head_end + 4);
    if (next == std::string_view::npos) return BadUpload("multipart body is not terminated");
    FormPart part;
    size_t line_start = 0;
    while (line_start <= head.size()) {
      size_t line_end = head.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = head.size();
      const std::string_view line = head.substr(line_start, line_end - line_start);
      const size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          text::EqualsIgnoreCase(text::Trim(line.substr(0, colon)), "content-disposition")) {
        const std::string_view value = line.substr(colon + 1);
        HeaderParam(value, "name", &part.name);
        part.has_filename = HeaderParam(value, "filename", &part.filename);
      }
      line_start = line_end + 2;
    }
    part.content = std::string(body.substr(head_end + 4, next - head_end - 4));
    parts.push_back(std::move(part));
    pos = next + 2;
  }
  return parts;
}

Result<std::string> DecodeBase64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    const int v = value(c);
    if (v < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "content_base64 is not valid base64",
                       "invalid_base64", "content_base64");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

Result<Upload> ParseUpload(const http::Request& req, int max_json_depth) {
  const std::string type = text::ToLower(req.Header("Content-Type"));
  if (type.rfind("multipart/form-data", 0) == 0) return FromMultipart(req);
  return FromJson(req, max_json_depth);
}

}  // namespace parley::api
