// The engine's Prometheus metrics for one model, created once at start-up. Updated from the
// scheduler thread (and the HTTP threads for rejections); all children are lock-free.
#pragma once

#include <string>

#include "obs/metrics.h"

namespace parley::engine {

// The metric families, registered once per registry and shared by every model (label "model").
struct EngineFamilies {
  explicit EngineFamilies(obs::Registry& registry);
  obs::Family<obs::Histogram>*ttft, *inter_token, *queue_wait;
  obs::Family<obs::Counter>*prompt_tokens, *cached_prompt_tokens, *shared_prefix_tokens,
      *generated_tokens, *embeddings, *sessions, *session_evicted, *finished, *rejected,
      *preemptions;
  obs::Family<obs::Gauge>*decode_rate, *queue_depth, *active_sequences, *kv_used, *kv_capacity,
      *session_memory_bytes, *session_disk_bytes;
};

struct EngineMetrics {
  EngineMetrics(EngineFamilies& families, const std::string& model);

  obs::Histogram* ttft;
  obs::Histogram* inter_token;
  obs::Histogram* queue_wait;
  obs::Counter* prompt_tokens;
  obs::Counter* cached_prompt_tokens;
  obs::Counter* shared_prefix_tokens;  // of those, copied from another sequence's KV
  obs::Counter* generated_tokens;
  obs::Counter* embeddings;  // texts embedded
  obs::Gauge* decode_rate;
  obs::Gauge* queue_depth;
  obs::Gauge* active_sequences;
  obs::Gauge* kv_used;
  obs::Gauge* kv_capacity;
  obs::Counter* session_in_sequence;  // session found still holding its sequence
  obs::Counter* session_restored;     // session state restored from the host/disk cache
  obs::Counter* session_miss;         // session unknown (first turn or expired from cache)
  obs::Counter* session_evicted;      // a session's state saved to make room
  obs::Counter* preemptions;          // generating requests parked for a waiting one
  obs::Gauge* session_memory_bytes;
  obs::Gauge* session_disk_bytes;
  obs::Family<obs::Counter>* finished;  // by finish reason
  obs::Counter* rejected_queue_full;
  std::string model;
};

}  // namespace parley::engine
