// Settings of one loaded model (from a `models:` config entry), plain data.
#pragma once

#include <cstdint>
#include <string>

#include "engine/llm.h"

namespace parley::engine {

struct ModelOptions {
  std::string id;
  std::string path;
  int context = 4096;  // total KV tokens, split evenly between the parallel sequences
  int parallel = 4;
  int threads = 0;  // 0: all cores
  int threads_batch = 0;
  int batch = 512;
  int prefill_chunk = 256;  // prompt tokens decoded per scheduler step, oldest request first
  int ubatch = 512;
  std::string cache_type = "f16";
  SamplingParams sampling;  // defaults for requests that do not set a field
  int max_tokens = 512;
  int max_tokens_cap = 0;  // 0: one sequence's context
  std::string chat_template;
  std::string system_prompt;
  bool embeddings = false;
  int queue_size = 64;
  bool preempt = true;  // park a generating request so a waiting one can start (see Scheduler)
  uint64_t session_memory_bytes = 256ull << 20;
  std::string session_dir = "data/kv";
  uint64_t session_disk_bytes = 2ull << 30;
};

}  // namespace parley::engine
