// The OpenAI-compatible API over the in-process engine: POST /v1/chat/completions and
// /v1/completions (streamed as SSE or not), GET /v1/models, POST /v1/embeddings, and
// llama-server-style POST /tokenize and /detokenize.
#pragma once

#include "engine/llama_engine.h"
#include "http/router.h"

namespace parley::api {

struct OpenAiDeps {
  engine::LlamaEngine* engine = nullptr;
  int max_json_depth = 64;
};

// All of the above.
void AddOpenAiRoutes(http::Router& router, const OpenAiDeps& deps);
// Just models, embeddings, tokenize and detokenize (model_routes.cc).
void AddModelRoutes(http::Router& router, const OpenAiDeps& deps);

}  // namespace parley::api
