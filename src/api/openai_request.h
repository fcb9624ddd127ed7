// Parsing and validating the bodies of the OpenAI-compatible generation routes
// (/v1/chat/completions, /v1/completions) into an engine::GenerateRequest. Every field a client
// controls is checked for type and range; errors name the field (`param`) in the OpenAI style.
// Pure functions, thread-safe.
#pragma once

#include "api/json_body.h"
#include "engine/llm.h"
#include "engine/options.h"
#include "http/message.h"

namespace parley::api {

struct ModelLimits {
  int max_tokens_cap = 0;                         // the most tokens a request may ask for
  int n_vocab = 0;                                // logit_bias token ids must be below this
  const engine::ModelOptions* options = nullptr;  // for default sampling and max_tokens
};

struct ParsedGenerate {
  engine::GenerateRequest request;
  bool stream = false;
  bool include_usage = false;
};

// The "model" field ("" when absent); an error when it is present but not a string.
Result<std::string> ModelField(const Json& body);

// chat = true: `messages` (chat completions); false: `prompt` (text completions).
Result<ParsedGenerate> ParseGenerate(const Json& body, bool chat, const http::Request& request,
                                     const ModelLimits& limits);

// The `messages` array of a chat request.
Result<std::vector<engine::ChatMessage>> ParseMessages(const Json& body);

// The conversation's session: the X-Session-Id header, else the `user` field; "" when neither.
Result<std::string> SessionField(const Json& body, const http::Request& request);

// Session ids (X-Session-Id, `user`): 1-128 characters of [A-Za-z0-9._:@-].
bool IsValidSessionId(std::string_view id);

}  // namespace parley::api
