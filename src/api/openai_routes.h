// The OpenAI-compatible API over the in-process engine: POST /v1/chat/completions and
// /v1/completions (streamed as SSE or not), GET /v1/models, POST /v1/embeddings, and
// llama-server-style POST /tokenize and /detokenize.
#pragma once

#include "api/json_body.h"
#include "dialog/assistant.h"
#include "engine/llama_engine.h"
#include "http/router.h"
#include "security/guard.h"
#include "security/rate_limit.h"
#include "util/thread_pool.h"

namespace parley::api {

struct OpenAiDeps {
  engine::LlamaEngine* engine = nullptr;
  int max_json_depth = 64;
  // The whole assistant pipeline as a model id, so OpenAI clients get rules, knowledge and the
  // LLM together. Null assistant: not offered.
  dialog::Assistant* assistant = nullptr;
  ThreadPool* workers = nullptr;
  std::string assistant_model = "parley-assistant";
  // The security layer's pieces that act on generation (both optional): tokens per minute are
  // reserved up front (prompt + max_tokens) and settled with what was used; generated text
  // passes the output guard, also across streamed chunks.
  security::RateLimiter* limiter = nullptr;
  const security::ContentGuard* output_guard = nullptr;
};

// /v1/chat/completions for the assistant model id (assistant_chat.cc).
void AssistantChat(const http::ExchangePtr& ex, const OpenAiDeps& deps, const Json& body);

// All of the above.
void AddOpenAiRoutes(http::Router& router, const OpenAiDeps& deps);
// Just models, embeddings, tokenize and detokenize (model_routes.cc).
void AddModelRoutes(http::Router& router, const OpenAiDeps& deps);

}  // namespace parley::api
