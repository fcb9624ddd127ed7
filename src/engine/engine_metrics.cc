#include "engine/engine_metrics.h"

namespace parley::engine {
EngineFamilies::EngineFamilies(obs::Registry& r) {
  const std::vector<std::string> L = {"model"};
  const auto token_buckets = obs::ExponentialBuckets(0.005, 2, 14);  // 5 ms .. 41 s
  ttft = r.AddHistogram("parley_llm_time_to_first_token_seconds",
                        "Time from request queued to first generated token.", L,
                        obs::LatencyBuckets());
  inter_token =
      r.AddHistogram("parley_llm_inter_token_seconds",
                     "Time between consecutive generated tokens of one request.", L, token_buckets);
  queue_wait =
      r.AddHistogram("parley_llm_queue_wait_seconds", "Time a request waited for a free sequence.",
                     L, obs::LatencyBuckets());
  prompt_tokens = r.AddCounter("parley_llm_prompt_tokens_total", "Prompt tokens received.", L);
  cached_prompt_tokens =
      r.AddCounter("parley_llm_prompt_tokens_cached_total",
                   "Prompt tokens reused from the KV cache, not decoded again.", L);
  shared_prefix_tokens =
      r.AddCounter("parley_llm_prompt_tokens_shared_total",
                   "Cached prompt tokens copied from another sequence holding the same prefix.", L);
  generated_tokens = r.AddCounter("parley_llm_generated_tokens_total", "Tokens generated.", L);
  embeddings = r.AddCounter("parley_llm_embeddings_total", "Texts embedded.", L);
  decode_rate = r.AddGauge("parley_llm_decode_tokens_per_second",
                           "Decode speed of the most recently finished request.", L);
  queue_depth = r.AddGauge("parley_llm_queue_depth", "Requests waiting for a sequence.", L);
  active_sequences =
      r.AddGauge("parley_llm_active_sequences", "Sequences prompting or generating.", L);
  kv_used = r.AddGauge("parley_llm_kv_cache_used_tokens", "Tokens held in the KV cache.", L);
  kv_capacity = r.AddGauge("parley_llm_kv_cache_capacity_tokens", "KV cache size in tokens.", L);
  sessions = r.AddCounter("parley_llm_session_lookups_total",
                          "Requests with a session id, by where its KV state was found.",
                          {"model", "result"});
  session_evicted =
      r.AddCounter("parley_llm_session_evictions_total",
                   "Session states saved to the host/disk cache to free a sequence.", L);
  session_memory_bytes = r.AddGauge("parley_llm_session_cache_memory_bytes",
                                    "Host memory holding evicted session state.", L);
  session_disk_bytes = r.AddGauge("parley_llm_session_cache_disk_bytes",
                                  "Disk space holding evicted session state.", L);
  finished = r.AddCounter("parley_llm_requests_total", "Generations finished, by finish reason.",
                          {"model", "finish_reason"});
  preemptions =
      r.AddCounter("parley_llm_preemptions_total",
                   "Generating requests parked so that a waiting request could start.", L);
  rejected =
      r.AddCounter("parley_llm_rejected_total", "Requests rejected because the queue was full.", L);
}

EngineMetrics::EngineMetrics(EngineFamilies& f, const std::string& m)
    : ttft(f.ttft->With({m})),
      inter_token(f.inter_token->With({m})),
      queue_wait(f.queue_wait->With({m})),
      prompt_tokens(f.prompt_tokens->With({m})),
      cached_prompt_tokens(f.cached_prompt_tokens->With({m})),
      shared_prefix_tokens(f.shared_prefix_tokens->With({m})),
      generated_tokens(f.generated_tokens->With({m})),
      embeddings(f.embeddings->With({m})),
      decode_rate(f.decode_rate->With({m})),
      queue_depth(f.queue_depth->With({m})),
      active_sequences(f.active_sequences->With({m})),
      kv_used(f.kv_used->With({m})),
      kv_capacity(f.kv_capacity->With({m})),
      session_in_sequence(f.sessions->With({m, "in_sequence"})),
      session_restored(f.sessions->With({m, "restored"})),
      session_miss(f.sessions->With({m, "miss"})),
      session_evicted(f.session_evicted->With({m})),
      preemptions(f.preemptions->With({m})),
      session_memory_bytes(f.session_memory_bytes->With({m})),
      session_disk_bytes(f.session_disk_bytes->With({m})),
      finished(f.finished),
      rejected_queue_full(f.rejected->With({m})),
      model(m) {}

}  // namespace parley::engine
