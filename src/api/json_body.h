// Turns a request body into JSON with every check a client-controlled body needs: content type,
// valid UTF-8, a nesting cap enforced before parsing (so no input can exhaust the stack), and
// parse errors that say where the problem is. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "http/message.h"
#include "util/result.h"

namespace parley::api {

using Json = nlohmann::json;

Result<Json> ParseJsonBody(const http::Request& request, int max_depth);
Result<Json> ParseJsonText(std::string_view body, int max_depth);

// Serialises for a response body; invalid UTF-8 in strings is replaced, never thrown on.
std::string Dump(const Json& j);

}  // namespace parley::api
