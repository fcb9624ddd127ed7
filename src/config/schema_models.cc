// The `models:` list: one entry per GGUF model the engine loads.
#include <filesystem>

#include "config/schema.h"

namespace parley::config {
namespace {

ModelSection& Item(Config& c) { return c.models.back(); }

std::string CheckGguf(const Value& v) {
  if (v.text.empty()) return "expected the path of a .gguf file";
  return {};
}

}  // namespace

void AddModelFields(std::vector<Field>& f) {
  using K = Kind;
  auto add = [&f](Field x) {
    x.section = "models";
    f.push_back(std::move(x));
  };
  const int64_t kMax = INT64_MAX;
  add({"",
       "path",
       K::kPath,
       "",
       "GGUF model file (loaded with mmap). Required.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).path = v.text; },
       CheckGguf});
  add({"",
       "id",
       K::kString,
       "",
       "Model id clients use; defaults to the file name without `.gguf`.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).id = v.text; }});
  add({"",
       "context",
       K::kInt,
       "4096",
       "Total context (KV cache) in tokens, shared by the parallel sequences.",
       128,
       1 << 20,
       {},
       [](Config& c, const Value& v) { Item(c).context = v.number; }});
  add({"",
       "parallel",
       K::kInt,
       "4",
       "Sequences decoded together (continuous batching slots).",
       1,
       256,
       {},
       [](Config& c, const Value& v) { Item(c).parallel = v.number; }});
  add({"",
       "threads",
       K::kInt,
       "0",
       "Threads for generation; 0 = all cores.",
       0,
       1024,
       {},
       [](Config& c, const Value& v) { Item(c).threads = v.number; }});
  add({"",
       "threads_batch",
       K::kInt,
       "0",
       "Threads for prompt processing; 0 = same as `threads`.",
       0,
       1024,
       {},
       [](Config& c, const Value& v) { Item(c).threads_batch = v.number; }});
  add({"",
       "batch",
       K::kInt,
       "512",
       "Most tokens in one decode step (n_batch).",
       16,
       65536,
       {},
       [](Config& c, const Value& v) { Item(c).batch = v.number; }});
  add({"",
       "prefill_chunk",
       K::kInt,
       "256",
       "Prompt tokens decoded per step, oldest request first (chunked prefill): smaller gives "
       "generating sequences a steadier pace, larger finishes long prompts in fewer steps.",
       16,
       65536,
       {},
       [](Config& c, const Value& v) { Item(c).prefill_chunk = v.number; }});
  add({"",
       "ubatch",
       K::kInt,
       "512",
       "Physical micro-batch size (n_ubatch).",
       16,
       65536,
       {},
       [](Config& c, const Value& v) { Item(c).ubatch = v.number; }});
  add({"",
       "cache_type",
       K::kEnum,
       "f16",
       "KV cache element type.",
       0,
       kMax,
       {"f32", "f16", "q8_0", "q4_0"},
       [](Config& c, const Value& v) { Item(c).cache_type = v.text; }});
  add({"",
       "temperature",
       K::kNumber,
       "0.8",
       "Default sampling temperature (0 = greedy).",
       0,
       2,
       {},
       [](Config& c, const Value& v) { Item(c).temperature = v.real; }});
  add({"",
       "top_k",
       K::kInt,
       "40",
       "Default top-k (0 = off).",
       0,
       100000,
       {},
       [](Config& c, const Value& v) { Item(c).top_k = v.number; }});
  add({"",
       "top_p",
       K::kNumber,
       "0.95",
       "Default nucleus sampling threshold (1 = off).",
       0,
       1,
       {},
       [](Config& c, const Value& v) { Item(c).top_p = v.real; }});
  add({"",
       "min_p",
       K::kNumber,
       "0.05",
       "Default min-p threshold (0 = off).",
       0,
       1,
       {},
       [](Config& c, const Value& v) { Item(c).min_p = v.real; }});
  add({"",
       "repeat_penalty",
       K::kNumber,
       "1.0",
       "Default repetition penalty (1 = off).",
       0,
       10,
       {},
       [](Config& c, const Value& v) { Item(c).repeat_penalty = v.real; }});
  add({"",
       "max_tokens",
       K::kInt,
       "512",
       "Tokens generated when a request does not say.",
       1,
       1 << 20,
       {},
       [](Config& c, const Value& v) { Item(c).max_tokens = v.number; }});
  add({"",
       "max_tokens_cap",
       K::kInt,
       "0",
       "The most tokens a request may ask for; 0 = the context of one sequence.",
       0,
       1 << 20,
       {},
       [](Config& c, const Value& v) { Item(c).max_tokens_cap = v.number; }});
  add({"",
       "chat_template",
       K::kString,
       "",
       "Chat template override: a llama.cpp built-in name (chatml, llama3, ...) or a template "
       "text; empty = the model's own.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).chat_template = v.text; }});
  add({"",
       "system_prompt",
       K::kString,
       "",
       "System message prepended to chats that have none.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).system_prompt = v.text; }});
  add({"",
       "embeddings",
       K::kBool,
       "false",
       "Serve /v1/embeddings from this model.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).embeddings = v.flag; }});
  add({"",
       "queue_size",
       K::kInt,
       "64",
       "Requests that may wait for a free sequence; more get 503 with Retry-After.",
       0,
       100000,
       {},
       [](Config& c, const Value& v) { Item(c).queue_size = v.number; }});
  add({"",
       "preempt",
       K::kBool,
       "true",
       "When every sequence is busy, park a generating request (its state kept in memory) so a "
       "waiting request can start; it resumes when a sequence frees up.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).preempt = v.flag; }});
  add({"",
       "session_memory",
       K::kSize,
       "256MiB",
       "Host memory for KV state of sessions evicted from their sequence.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { Item(c).session_memory_bytes = v.number; }});
  add({"",
       "session_dir",
       K::kPath,
       "data/kv",
       "Folder for session KV state spilled from memory to disk.",
       0,
       kMax,
       {},
       [](Config& c, const Value& v) { Item(c).session_dir = v.text; }});
  add({"",
       "session_disk",
       K::kSize,
       "2GiB",
       "Disk space for spilled session state; 0 = none.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { Item(c).session_disk_bytes = v.number; }});
}

}  // namespace parley::config
