// Reads a document upload for POST /v1/kb/documents from either body shape: multipart/form-data
// (a `file` part with a filename, optional `title` and `type` fields) or JSON
// ({"name", "content" | "content_base64", "title"?, "type"?}). Only parsing and shape checks;
// the knowledge base checks names, sizes and content. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"
#include "util/result.h"

namespace parley::api {

struct Upload {
  std::string name;
  std::string bytes;
  std::string title;  // "" = from the document
  std::string type;   // "" = from the name's extension
};

Result<Upload> ParseUpload(const http::Request& request, int max_json_depth);

// The parts of a multipart/form-data body: (name, filename, content) in order.
struct FormPart {
  std::string name;
  std::string filename;
  bool has_filename = false;
  std::string content;
};
Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body);

// Standard base64 (padding optional, whitespace ignored); nullopt-like error on bad input.
Result<std::string> DecodeBase64(std::string_view in);

}  // namespace parley::api
