// A TokenSink for callers that block until a generation is over (dialog turns, knowledge
// answers run on worker threads). Optionally forwards each delta as it comes. The engine may
// still call it after the caller gave up waiting, so it is shared (std::shared_ptr) and owns
// its state; once abandoned it asks the engine to stop and forwards nothing. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "engine/llm.h"

namespace parley::engine {

class WaitingSink : public TokenSink {
 public:
  using DeltaFn = std::function<void(std::string_view)>;
  using CancelledFn = std::function<bool()>;

  WaitingSink(DeltaFn on_delta = nullptr, CancelledFn cancelled = nullptr)
      : on_delta_(std::move(on_delta)), cancelled_(std::move(cancelled)) {}

  void OnDelta(std::string_view t) override {
    std::lock_guard lock(mu_);
    text_ += t;
    if (on_delta_) on_delta_(t);
  }
  void OnDone(FinishReason, const Usage&) override { Finish(true); }
  void OnError(const Error&) override { Finish(false); }
  bool Cancelled() const override {
    std::lock_guard lock(mu_);
    return abandoned_ || (cancelled_ && cancelled_());
  }

  // The whole text when the generation succeeded within `timeout`, else nullopt. Afterwards
  // the callbacks are dropped, so what they reference may go away.
  std::optional<std::string> Wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    const bool done = cv_.wait_for(lock, timeout, [this] { return done_; });
    on_delta_ = nullptr;
    cancelled_ = nullptr;
    if (!done) {
      abandoned_ = true;
      return std::nullopt;
    }
    if (!ok_) return std::nullopt;
    return text_;
  }

 private:
  void Finish(bool ok) {
    std::lock_guard lock(mu_);
    done_ = true;
    ok_ = ok;
    cv_.notify_all();
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  DeltaFn on_delta_;
  CancelledFn cancelled_;
  std::string text_;
  bool done_ = false, ok_ = false, abandoned_ = false;
};

}  // namespace parley::engine
