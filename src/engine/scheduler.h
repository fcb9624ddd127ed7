// The continuous-batching scheduler of one model. One thread owns the llama context: it takes
// requests from a bounded queue, gives each a sequence (slot), and at every step decodes one
// llama_batch holding the next token of every generating sequence plus chunks of waiting
// prompts, then samples per sequence and streams text to each request's TokenSink.
//
// When every sequence is busy and a new request waits, the scheduler may park a generating
// sequence (its KV state saved to host memory, its sampler kept) so the newcomer's prompt starts
// at once; parked requests resume as sequences free up. Chat users see their first token
// quickly instead of waiting for whole replies of others (options.preempt).
//
// Sequences remember their KV between requests: a session keeps its sequence (only new tokens
// are decoded on its next turn); when sequences run out, the least recently used session's state
// is saved to the SessionCache and restored when it speaks again; a request without a session
// reuses the longest common prefix of a free sequence, and a prompt that starts like one another
// sequence holds copies that prefix's KV instead of computing it again.
//
// Submit() is thread-safe. Everything else runs on the scheduler thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/engine_metrics.h"
#include "engine/llama_model.h"
#include "engine/sampling.h"
#include "engine/session_cache.h"
#include "engine/stop_matcher.h"

struct llama_context;

namespace parley::engine {

struct Task {
  std::vector<Token> prompt;
  GenerateRequest request;  // max_tokens, stop, sampling, session_id, ignore_eos
  std::shared_ptr<TokenSink> sink;
  // Set for embedding requests instead of a sink: called with the pooled, L2-normalised vector.
  std::function<void(Result<std::vector<float>>)> on_embedding;
  std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();
};

class Scheduler {
 public:
  Scheduler(std::shared_ptr<LlamaModel> model, EngineMetrics* metrics);
  ~Scheduler();  // stops the thread; queued and running requests get an error

  Status Start();  // creates the context(s) and the thread
  // Queues a task; kUnavailable when the queue is full.
  Status Submit(std::unique_ptr<Task> task);

  int sequence_context() const { return n_ctx_seq_; }
  const LlamaModel& model() const { return *model_; }

 private:
  struct Slot;
  struct Batch;
  struct Parked;

  void Run();
  void Admit();
  void Assign(Slot& slot, std::unique_ptr<Task> task);
  Slot* PickSlot(const Task& task);
  Slot* FreeSlot();
  Slot* PickVictim();
  void Park(Slot& slot);
  void Resume(Slot& slot, std::unique_ptr<Parked> parked);
  void Evict(Slot& slot);
  bool Restore(Slot& slot, SavedSequence saved);
  int BuildBatch();
  bool SharePrefix(Slot& slot);
  void SampleSlots();
  void Emit(Slot& slot, Token token);
  void Finish(Slot& slot, FinishReason reason);
  void FailAll(const Error& error);
  void Embed(Task& task);
  void UpdateGauges();

  std::shared_ptr<LlamaModel> model_;
  EngineMetrics* metrics_;
  const ModelOptions& opt_;
  llama_context* ctx_ = nullptr;
  llama_context* embed_ctx_ = nullptr;
  int n_ctx_seq_ = 0;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unique_ptr<Batch> batch_;
  std::vector<size_t> in_kv_;  // per slot: tokens in its KV when the step's batch was begun
  std::deque<std::unique_ptr<Parked>> parked_;  // preempted requests, oldest first
  SessionCache sessions_;
  uint64_t clock_ = 0;  // LRU clock for slots

  // Requests accepted and not yet finished (queued or in a sequence); Submit refuses more than
  // parallel + queue_size of them.
  std::atomic<int> outstanding_{0};

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Task>> queue_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::thread thread_;
};

}  // namespace parley::engine
