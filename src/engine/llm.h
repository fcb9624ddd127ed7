// The Llm interface: how every layer above engine/ asks a language model for text. The llama.cpp
// backend (in-process, continuous batching) and upstream OpenAI-compatible providers implement
// it; tests use the fake in tests/fakes/. Implementations are thread-safe: Generate() may be
// called from any thread and returns at once; output arrives through the TokenSink.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace parley::engine {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant", "tool"
  std::string content;
};

struct SamplingParams {
  float temperature = 0.8f;  // 0 = greedy
  int top_k = 40;
  float top_p = 0.95f;
  float min_p = 0.05f;
  float repeat_penalty = 1.0f;
  int repeat_last_n = 64;
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  uint32_t seed = 0xFFFFFFFF;                         // 0xFFFFFFFF = random
  std::vector<std::pair<int32_t, float>> logit_bias;  // token id -> bias
};

struct GenerateRequest {
  std::string model;                  // "" = the default model
  std::vector<ChatMessage> messages;  // a chat, formatted with the model's template; or
  std::string prompt;                 // raw text completion when messages is empty
  int max_tokens = 256;
  std::vector<std::string> stop;
  SamplingParams sampling;
  std::string session_id;   // keeps the KV cache of this conversation between turns ("" = none)
  bool ignore_eos = false;  // generate max_tokens even past end-of-turn (benchmarks)
};

enum class FinishReason { kStop, kLength, kCancelled };

struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int cached_prompt_tokens = 0;  // prompt tokens reused from the KV cache, not decoded again
};

// Receives one generation's output. Called on the engine's thread, in order: any number of
// OnDelta, then exactly one of OnDone or OnError. Implementations must not block for long
// (post to the connection's thread instead).
class TokenSink {
 public:
  virtual ~TokenSink() = default;
  virtual void OnDelta(std::string_view text) = 0;  // always whole UTF-8 characters
  virtual void OnDone(FinishReason reason, const Usage& usage) = 0;
  virtual void OnError(const Error& error) = 0;
  // Polled at every scheduler step; true frees the sequence (client gone or cancelled).
  virtual bool Cancelled() const { return false; }
};

struct ModelInfo {
  std::string id;
  int context_size = 0;
  bool embeddings = false;
  bool loaded = false;
};

class Llm {
 public:
  virtual ~Llm() = default;
  // Validates and queues the request. Errors: kNotFound (unknown model), kInvalidArgument (bad
  // parameters, prompt too long: reason "context_length_exceeded"), kUnavailable (queue full).
  virtual Status Generate(GenerateRequest request, std::shared_ptr<TokenSink> sink) = 0;
  virtual std::vector<ModelInfo> Models() const = 0;
};

}  // namespace parley::engine
