#include "engine/scheduler.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "llama.h"

namespace parley::engine {

using Clock = std::chrono::steady_clock;

struct Scheduler::Slot {
  int seq = 0;
  std::unique_ptr<Task> task;  // null when idle
  std::vector<Token> cached;   // tokens whose KV this sequence holds, in order
  std::string session;         // the session that owns the cached state ("" = none)
  uint64_t last_used = 0;
  size_t prompt_pos = 0;  // next prompt token to decode
  bool generating = false;
  Token next = -1;         // sampled token to decode at the next step
  int32_t logits_at = -1;  // index of this slot's logits in the batch just decoded
  SamplerPtr sampler;
  std::unique_ptr<StopMatcher> stop;
  Usage usage;
  Clock::time_point last_token;
  Clock::time_point first_token;
  int run_tokens = 0;  // generated since the request got (or got back) this sequence
  int parked = 0;      // times the request has been preempted
};

// A preempted request: everything it needs to go on generating in any free sequence.
struct Scheduler::Parked {
  std::unique_ptr<Task> task;
  SamplerPtr sampler;
  std::unique_ptr<StopMatcher> stop;
  Usage usage;
  Token next = -1;
  Clock::time_point first_token, last_token, since;
  int parked = 0;
  std::string session;
  SavedSequence saved;
};

namespace {
// A request runs at least this many tokens before it may be preempted, is preempted at most
// kMaxParks times, and parked requests get freed sequences before new requests do; together
// that bounds swapping and rules out starvation.
constexpr int kMinRunTokens = 4;
constexpr int kMaxParks = 2;
}  // namespace

struct Scheduler::Batch {
  explicit Batch(int n) : capacity(n), b(llama_batch_init(n, 0, 1)) {}
  ~Batch() { llama_batch_free(b); }
  void Clear() { b.n_tokens = 0; }
  int Add(Token t, int pos, int seq, bool logits) {
    const int i = b.n_tokens++;
    b.token[i] = t;
    b.pos[i] = pos;
    b.n_seq_id[i] = 1;
    b.seq_id[i][0] = seq;
    b.logits[i] = logits;
    return i;
  }
  int capacity;
  llama_batch b;
};

namespace {

ggml_type CacheType(const std::string& name) {
  if (name == "f32") return GGML_TYPE_F32;
  if (name == "q8_0") return GGML_TYPE_Q8_0;
  if (name == "q4_0") return GGML_TYPE_Q4_0;
  return GGML_TYPE_F16;
}

int Threads(int n) {
  return n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

size_t CommonPrefix(const std::vector<Token>& a, const std::vector<Token>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Scheduler::Scheduler(std::shared_ptr<LlamaModel> model, EngineMetrics* metrics)
    : model_(std::move(model)),
      metrics_(metrics),
      opt_(model_->options()),
      sessions_(opt_.session_memory_bytes, opt_.session_dir, opt_.session_disk_bytes) {}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (embed_ctx_) llama_free(embed_ctx_);
  if (ctx_) llama_free(ctx_);
}

Status Scheduler::Start() {
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(opt_.context);
  cp.n_seq_max = static_cast<uint32_t>(opt_.parallel);
  cp.n_batch = static_cast<uint32_t>(opt_.batch);
  cp.n_ubatch = static_cast<uint32_t>(std::min(opt_.ubatch, opt_.batch));
  cp.n_threads = Threads(opt_.threads);
  cp.n_threads_batch = opt_.threads_batch > 0 ? opt_.threads_batch : cp.n_threads;
  cp.kv_unified = false;  // each sequence gets context / parallel cells of its own
  cp.type_k = cp.type_v = CacheType(opt_.cache_type);
  cp.no_perf = true;
  ctx_ = llama_init_from_model(model_->raw(), cp);
  if (!ctx_) {
    return MakeError(ErrorCode::kInternal, "model " + opt_.id + ": cannot create a context of " +
                                               std::to_string(opt_.context) + " tokens");
  }
  n_ctx_seq_ = static_cast<int>(llama_n_ctx_seq(ctx_));
  if (opt_.embeddings) {
    llama_context_params ep = cp;
    ep.embeddings = true;
    ep.pooling_type = LLAMA_POOLING_TYPE_MEAN;
    ep.n_seq_max = 1;
    ep.n_ctx = ep.n_batch = ep.n_ubatch = static_cast<uint32_t>(n_ctx_seq_);
    embed_ctx_ = llama_init_from_model(model_->raw(), ep);
    if (!embed_ctx_) return MakeError(ErrorCode::kInternal, "cannot create the embedding context");
  }
  batch_ = std::make_unique<Batch>(std::max(opt_.batch, opt_.parallel));
  for (int i = 0; i < opt_.parallel; ++i) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->seq = i;
  }
  metrics_->kv_capacity->Set(static_cast<double>(n_ctx_seq_) * opt_.parallel);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

Status Scheduler::Submit(std::unique_ptr<Task> task) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return MakeError(ErrorCode::kUnavailable, "the model is shutting down");
    if (outstanding_.load() >= std::max(opt_.queue_size, 0) + static_cast<int>(slots_.size())) {
      metrics_->rejected_queue_full->Inc();
      return MakeError(ErrorCode::kUnavailable,
                       "model " + opt_.id + " is busy: " + std::to_string(queue_.size()) +
                           " requests waiting; retry shortly",
                       "queue_full");
    }
    queue_.push_back(std::move(task));
    outstanding_.fetch_add(1);
    metrics_->queue_depth->Set(static_cast<double>(queue_.size()));
  }
  wake_.notify_one();
  return Status::Ok();
}

void Scheduler::Run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      const auto busy = [&] {
        return std::any_of(slots_.begin(), slots_.end(),
                           [](const auto& s) { return s->task != nullptr; });
      };
      wake_.wait(lock, [&] { return stop_ || !queue_.empty() || !parked_.empty() || busy(); });
      if (stop_) break;
    }
    Admit();
    for (auto& s : slots_) {
      if (s->task && s->task->sink && s->task->sink->Cancelled())
        Finish(*s, FinishReason::kCancelled);
    }
    if (BuildBatch() == 0) continue;
    const int rc = llama_decode(ctx_, batch_->b);
    if (rc != 0) {
      FailAll(MakeError(ErrorCode::kInternal,
                        "decoding failed (llama_decode returned " + std::to_string(rc) + ")"));
      continue;
    }
    SampleSlots();
    UpdateGauges();
  }
  FailAll(MakeError(ErrorCode::kUnavailable, "the server is shutting down"));
  std::lock_guard lock(mu_);
  for (auto& t : queue_) {
    if (t->sink)
      t->sink->OnError(MakeError(ErrorCode::kUnavailable, "the server is shutting down"));
  }
  queue_.clear();
}

// Moves queued tasks into free sequences (embedding tasks run at once on their own context),
// resumes parked requests, and parks a generating request for a newcomer when none is free.
void Scheduler::Admit() {
  for (;;) {
    std::unique_ptr<Task> task;
    Slot* slot = nullptr;
    bool resume = false;
    {
      std::lock_guard lock(mu_);
      // A sequence that frees up goes to the oldest parked request; waiting new requests take
      // free sequences otherwise, or park a generating request to start at once.
      if (!parked_.empty() && (slot = FreeSlot()) != nullptr) {
        resume = true;
      } else if (!queue_.empty()) {
        if (!queue_.front()->on_embedding) {
          slot = PickSlot(*queue_.front());
          if (!slot) {
            slot = opt_.preempt ? PickVictim() : nullptr;
            if (!slot) return;
            Park(*slot);  // the waiting request takes the sequence it frees, below
          }
        }
        task = std::move(queue_.front());
        queue_.pop_front();
        metrics_->queue_depth->Set(static_cast<double>(queue_.size()));
      } else {
        return;
      }
    }
    if (resume) {
      auto p = std::move(parked_.front());
      parked_.pop_front();
      Resume(*slot, std::move(p));
      continue;
    }
    metrics_->queue_wait->Observe(Seconds(Clock::now() - task->enqueued));
    if (task->on_embedding) {
      outstanding_.fetch_sub(1);  // before the answer goes out, as in Finish
      Embed(*task);
    } else {
      Assign(*slot, std::move(task));
    }
  }
}

Scheduler::Slot* Scheduler::FreeSlot() {
  Slot* best = nullptr;
  for (auto& s : slots_) {
    if (s->task) continue;
    // Prefer sequences no session owns, then the least recently used.
    if (!best || (best->session.empty() != s->session.empty() ? s->session.empty()
                                                              : s->last_used < best->last_used)) {
      best = s.get();
    }
  }
  return best;
}

// The generating request with the most tokens still to go that has run a little and has not
// been parked too often; none when parking would only add swapping.
Scheduler::Slot* Scheduler::PickVictim() {
  if (parked_.size() >= slots_.size()) return nullptr;
  Slot* best = nullptr;
  int best_left = 0;
  for (auto& s : slots_) {
    if (!s->task || !s->generating || s->run_tokens < kMinRunTokens || s->parked >= kMaxParks)
      continue;
    const int left = s->task->request.max_tokens - s->usage.completion_tokens;
    if (left > best_left) {
      best = s.get();
      best_left = left;
    }
  }
  return best_left > kMinRunTokens ? best : nullptr;
}

void Scheduler::Park(Slot& s) {
  auto p = std::make_unique<Parked>();
  p->saved.tokens = s.cached;
  p->saved.state.resize(llama_state_seq_get_size(ctx_, s.seq));
  p->saved.state.resize(
      llama_state_seq_get_data(ctx_, p->saved.state.data(), p->saved.state.size(), s.seq));
  p->task = std::move(s.task);
  p->sampler = std::move(s.sampler);
  p->stop = std::move(s.stop);
  p->usage = s.usage;
  p->next = s.next;
  p->first_token = s.first_token;
  p->last_token = s.last_token;
  p->since = Clock::now();
  p->parked = s.parked + 1;
  p->session = s.session;
  llama_memory_seq_rm(llama_get_memory(ctx_), s.seq, -1, -1);
  s.cached.clear();
  s.session.clear();
  s.generating = false;
  s.logits_at = -1;
  metrics_->preemptions->Inc();
  parked_.push_back(std::move(p));
}

void Scheduler::Resume(Slot& s, std::unique_ptr<Parked> p) {
  if (!s.session.empty()) Evict(s);
  if (!Restore(s, std::move(p->saved))) {
    p->task->sink->OnError(MakeError(ErrorCode::kInternal, "could not resume the request"));
    outstanding_.fetch_sub(1);
    return;
  }
  s.task = std::move(p->task);
  s.sampler = std::move(p->sampler);
  s.stop = std::move(p->stop);
  s.usage = p->usage;
  s.next = p->next;
  s.first_token = p->first_token;
  s.last_token = p->last_token;
  s.parked = p->parked;
  s.session = p->session;
  s.generating = true;
  s.run_tokens = 0;
  s.logits_at = -1;
  s.last_used = ++clock_;
}

// A free sequence for the task: the session's own if it still holds one; otherwise an idle
// sequence without an owner (the longest common prefix first), else the least recently used
// idle session's sequence (whose state Assign saves first).
Scheduler::Slot* Scheduler::PickSlot(const Task& task) {
  const std::string& sid = task.request.session_id;
  Slot* best = nullptr;
  size_t best_prefix = 0;
  Slot* lru_owned = nullptr;
  for (auto& s : slots_) {
    if (s->task) continue;
    if (!sid.empty() && s->session == sid) return s.get();
    if (s->session.empty()) {
      const size_t p = sid.empty() ? CommonPrefix(s->cached, task.prompt) : 0;
      if (!best || p > best_prefix || (p == best_prefix && s->last_used < best->last_used)) {
        best = s.get();
        best_prefix = p;
      }
    } else if (!lru_owned || s->last_used < lru_owned->last_used) {
      lru_owned = s.get();
    }
  }
  return best ? best : lru_owned;
}

void Scheduler::Evict(Slot& slot) {
  if (!slot.session.empty() && !slot.cached.empty()) {
    SavedSequence saved;
    saved.tokens = slot.cached;
    saved.state.resize(llama_state_seq_get_size(ctx_, slot.seq));
    const size_t n =
        llama_state_seq_get_data(ctx_, saved.state.data(), saved.state.size(), slot.seq);
    if (n > 0) {
      saved.state.resize(n);
      sessions_.Put(slot.session, std::move(saved));
      metrics_->session_evicted->Inc();
    }
  }
  llama_memory_seq_rm(llama_get_memory(ctx_), slot.seq, -1, -1);
  slot.cached.clear();
  slot.session.clear();
}

bool Scheduler::Restore(Slot& slot, SavedSequence saved) {
  llama_memory_seq_rm(llama_get_memory(ctx_), slot.seq, -1, -1);
  const size_t n = llama_state_seq_set_data(ctx_, saved.state.data(), saved.state.size(), slot.seq);
  if (n == 0) {
    llama_memory_seq_rm(llama_get_memory(ctx_), slot.seq, -1, -1);
    slot.cached.clear();
    return false;
  }
  slot.cached = std::move(saved.tokens);
  return true;
}

void Scheduler::Assign(Slot& slot, std::unique_ptr<Task> task) {
  // A second request of a session that is generating right now cannot share its sequence; it
  // runs as if it had no session, so one sequence stays the session's single owner.
  for (auto& other : slots_) {
    if (other.get() != &slot && other->task && other->session == task->request.session_id) {
      task->request.session_id.clear();
    }
  }
  const std::string& sid = task->request.session_id;
  if (!sid.empty() && slot.session == sid) {
    metrics_->session_in_sequence->Inc();
  } else {
    if (!slot.session.empty()) Evict(slot);
    if (!sid.empty()) {
      auto saved = sessions_.Take(sid);
      if (saved && Restore(slot, std::move(*saved))) {
        metrics_->session_restored->Inc();
      } else {
        metrics_->session_miss->Inc();
      }
    }
  }
  // Keep the common prefix; at least one prompt token must be decoded to get logits.
  size_t keep = CommonPrefix(slot.cached, task->prompt);
  if (keep >= task->prompt.size()) keep = task->prompt.size() - 1;
  llama_memory_seq_rm(llama_get_memory(ctx_), slot.seq, static_cast<llama_pos>(keep), -1);
  slot.cached.resize(keep);
  slot.session = sid;
  slot.prompt_pos = keep;
  slot.generating = false;
  slot.logits_at = -1;
  slot.usage = Usage{static_cast<int>(task->prompt.size()), 0, static_cast<int>(keep)};
  slot.sampler = MakeSampler(task->request.sampling, model_->vocab());
  slot.stop = std::make_unique<StopMatcher>(task->request.stop);
  slot.last_used = ++clock_;
  slot.run_tokens = 0;
  slot.parked = 0;
  metrics_->prompt_tokens->Inc(task->prompt.size());
  metrics_->cached_prompt_tokens->Inc(keep);
  slot.task = std::move(task);
}

// One token for each generating sequence, then prompt chunks while the batch has room.
int Scheduler::BuildBatch() {
  batch_->Clear();
  in_kv_.resize(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) in_kv_[i] = slots_[i]->cached.size();
  for (auto& s : slots_) {
    if (!s->task || !s->generating) continue;
    s->logits_at = batch_->Add(s->next, static_cast<int>(s->cached.size()), s->seq, true);
    s->cached.push_back(s->next);
  }
  // Prompts fill the rest oldest request first, up to prefill_chunk tokens per step: the oldest
  // waiting request gets its first token soonest, and generating sequences keep a steady pace
  // instead of stalling behind one huge step.
  std::vector<Slot*> prompting;
  for (auto& s : slots_) {
    if (s->task && !s->generating) prompting.push_back(s.get());
  }
  std::sort(prompting.begin(), prompting.end(),
            [](const Slot* a, const Slot* b) { return a->task->enqueued < b->task->enqueued; });
  const int limit =
      std::min(batch_->capacity, batch_->b.n_tokens + std::max(opt_.prefill_chunk, 1));
  for (Slot* s : prompting) {
    if (batch_->b.n_tokens >= limit) break;
    if (SharePrefix(*s)) continue;  // another sequence computes our prefix in this step
    const auto& prompt = s->task->prompt;
    while (s->prompt_pos < prompt.size() && batch_->b.n_tokens < limit) {
      const bool last = s->prompt_pos + 1 == prompt.size();
      const int i =
          batch_->Add(prompt[s->prompt_pos], static_cast<int>(s->cached.size()), s->seq, last);
      s->cached.push_back(prompt[s->prompt_pos++]);
      if (last) s->logits_at = i;
    }
  }
  return batch_->b.n_tokens;
}

// Prompts that start alike (the same system prompt, persona or few-shot examples, sent by many
// users at once) need that prefix computed only once: a prompt about to be prefilled takes the
// longest prefix another sequence already holds by copying its KV. A copy between sequences
// moves a sequence's whole KV buffer, so it is only made for a gain of at least
// max(16, context per sequence / 64) tokens. When another sequence is computing the prefix in
// this very step, the prompt waits one step (returns true) and copies it then.
bool Scheduler::SharePrefix(Slot& s) {
  const auto& prompt = s.task->prompt;
  const size_t have = s.prompt_pos;
  const size_t min_gain = std::max<size_t>(16, static_cast<size_t>(n_ctx_seq_) / 64);
  const size_t most = prompt.size() - 1;  // one prompt token must be decoded, for the logits
  if (most < have + min_gain) return false;
  Slot* donor = nullptr;
  size_t best = have + min_gain - 1;
  bool coming = false;
  size_t self = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& o = *slots_[i];
    if (&o == &s) {
      self = i;
      continue;
    }
    // What o shares with the prompt, and how much of that its KV holds already (o.cached past
    // in_kv_[i] are the tokens o decodes in this step).
    const size_t shared = std::min(CommonPrefix(o.cached, prompt), most);
    const size_t held = std::min(shared, in_kv_[i]);
    if (held > best) {
      best = held;
      donor = &o;
    }
    if (shared >= have + min_gain && held < have + min_gain) coming = true;
  }
  if (!donor) return coming;
  llama_memory_t mem = llama_get_memory(ctx_);
  llama_memory_seq_rm(mem, s.seq, -1, -1);
  llama_memory_seq_cp(mem, donor->seq, s.seq, -1, -1);
  llama_memory_seq_rm(mem, s.seq, static_cast<llama_pos>(best), -1);
  in_kv_[self] = 0;  // its buffer is only copied when the step is decoded: no donor before then
  s.cached.assign(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(best));
  s.prompt_pos = best;
  s.usage.cached_prompt_tokens = static_cast<int>(best);
  metrics_->cached_prompt_tokens->Inc(best - have);
  metrics_->shared_prefix_tokens->Inc(best - have);
  return false;
}

// Plain greedy decoding (no penalties, no biases) only needs the arg-max of the logits; going
// through the sampler chain would first copy the whole vocabulary into a candidate list.
static bool PlainGreedy(const SamplingParams& p) {
  return p.temperature <= 0.0f && p.logit_bias.empty() && p.repeat_penalty == 1.0f &&
         p.frequency_penalty == 0.0f && p.presence_penalty == 0.0f;
}

void Scheduler::SampleSlots() {
  const int n_vocab = model_->n_vocab();
  for (auto& s : slots_) {
    if (!s->task || s->logits_at < 0) continue;
    Token t;
    if (PlainGreedy(s->task->request.sampling)) {
      const float* logits = llama_get_logits_ith(ctx_, s->logits_at);
      t = static_cast<Token>(std::max_element(logits, logits + n_vocab) - logits);
    } else {
      t = llama_sampler_sample(s->sampler.get(), ctx_, s->logits_at);
    }
    s->logits_at = -1;
    Emit(*s, t);
  }
}

void Scheduler::Emit(Slot& s, Token t) {
  const auto now = Clock::now();
  if (!s.generating) {
    s.generating = true;
    s.first_token = now;
    metrics_->ttft->Observe(Seconds(now - s.task->enqueued));
  } else {
    metrics_->inter_token->Observe(Seconds(now - s.last_token));
  }
  s.last_token = now;
  ++s.usage.completion_tokens;
  ++s.run_tokens;
  metrics_->generated_tokens->Inc();
  const GenerateRequest& req = s.task->request;
  if (!req.ignore_eos && model_->IsEndOfGeneration(t)) return Finish(s, FinishReason::kStop);
  bool stopped = false;
  const std::string text = s.stop->Feed(model_->Piece(t), &stopped);
  if (!text.empty()) s.task->sink->OnDelta(text);
  if (stopped) return Finish(s, FinishReason::kStop);
  if (s.usage.completion_tokens >= req.max_tokens ||
      static_cast<int>(s.cached.size()) + 1 >= n_ctx_seq_) {
    return Finish(s, FinishReason::kLength);
  }
  s.next = t;
}

void Scheduler::Finish(Slot& s, FinishReason reason) {
  if (reason != FinishReason::kCancelled) {
    const std::string rest = s.stop->Flush();
    if (!rest.empty()) s.task->sink->OnDelta(rest);
  }
  const double secs = Seconds(s.last_token - s.first_token);
  if (s.usage.completion_tokens > 1 && secs > 0) {
    metrics_->decode_rate->Set((s.usage.completion_tokens - 1) / secs);
  }
  static const char* kNames[] = {"stop", "length", "cancelled"};
  metrics_->finished->With({metrics_->model, kNames[static_cast<int>(reason)]})->Inc();
  // Counted free before the client hears back, so its next request is never refused as
  // "busy" by this one.
  outstanding_.fetch_sub(1);
  s.task->sink->OnDone(reason, s.usage);
  s.task.reset();
  s.generating = false;
  s.sampler.reset();
  s.last_used = ++clock_;
}

void Scheduler::FailAll(const Error& error) {
  for (auto& p : parked_) {
    p->task->sink->OnError(error);
    outstanding_.fetch_sub(1);
  }
  parked_.clear();
  for (auto& s : slots_) {
    if (!s->task) continue;
    outstanding_.fetch_sub(1);
    s->task->sink->OnError(error);
    s->task.reset();
    s->generating = false;
    llama_memory_seq_rm(llama_get_memory(ctx_), s->seq, -1, -1);
    s->cached.clear();
    s->session.clear();
  }
}

void Scheduler::Embed(Task& task) {
  if (!embed_ctx_) {
    task.on_embedding(MakeError(ErrorCode::kInvalidArgument,
                                "model " + opt_.id + " does not serve embeddings",
                                "model_not_embedding"));
    return;
  }
  llama_memory_clear(llama_get_memory(embed_ctx_), true);
  Batch b(static_cast<int>(task.prompt.size()));
  for (size_t i = 0; i < task.prompt.size(); ++i)
    b.Add(task.prompt[i], static_cast<int>(i), 0, true);
  if (llama_decode(embed_ctx_, b.b) != 0) {
    task.on_embedding(MakeError(ErrorCode::kInternal, "embedding failed"));
    return;
  }
  const float* e = llama_get_embeddings_seq(embed_ctx_, 0);
  const int n = llama_model_n_embd(model_->raw());
  std::vector<float> v(e, e + n);
  double norm = 0;
  for (float x : v) norm += double(x) * x;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& x : v) x = static_cast<float>(x / norm);
  }
  metrics_->embeddings->Inc();
  task.on_embedding(std::move(v));
}

void Scheduler::UpdateGauges() {
  size_t active = 0, used = 0;
  for (auto& s : slots_) {
    if (s->task) ++active;
    used += s->cached.size();
  }
  metrics_->active_sequences->Set(static_cast<double>(active));
  metrics_->kv_used->Set(static_cast<double>(used));
  metrics_->session_memory_bytes->Set(static_cast<double>(sessions_.memory_used()));
  metrics_->session_disk_bytes->Set(static_cast<double>(sessions_.disk_used()));
}

}  // namespace parley::engine
