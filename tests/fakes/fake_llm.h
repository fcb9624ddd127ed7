// A fake engine::Llm for tests: answers every request on its own thread with a scripted reply
// (streamed in pieces), records the requests it got, and can fail or stay silent on demand.
// Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/llm.h"

namespace parley::testing {

class FakeLlm : public engine::Llm {
 public:
  ~FakeLlm() override {
    for (auto& t : threads_) t.join();
  }

  std::string reply = "这是模型的回答。";
  bool fail = false;    // OnError instead of text
  bool refuse = false;  // Generate() itself returns kUnavailable

  Status Generate(engine::GenerateRequest request,
                  std::shared_ptr<engine::TokenSink> sink) override {
    if (refuse) return MakeError(ErrorCode::kUnavailable, "queue full");
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    const std::string text = reply;
    const bool error = fail;
    std::lock_guard lock(mu_);
    threads_.emplace_back([sink, text, error] {
      if (error) return sink->OnError(MakeError(ErrorCode::kInternal, "model crashed"));
      // Whole UTF-8 characters per delta, as the interface promises: split at ASCII spaces
      // and at 3-byte boundaries of CJK text.
      size_t i = 0;
      while (i < text.size()) {
        size_t n = (static_cast<unsigned char>(text[i]) >= 0xE0) ? 3 : 1;
        sink->OnDelta(std::string_view(text).substr(i, n));
        i += n;
      }
      sink->OnDone(engine::FinishReason::kStop, {});
    });
    return Status::Ok();
  }

  std::vector<engine::ModelInfo> Models() const override { return {{"fake", 4096, false, true}}; }

  std::vector<engine::GenerateRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<engine::GenerateRequest> requests_;
  std::vector<std::thread> threads_;
};

}  // namespace parley::testing
