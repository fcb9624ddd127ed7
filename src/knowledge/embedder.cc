#include "knowledge/embedder.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace parley::knowledge {
namespace {

// Shared between the waiting caller and the callback, which may outlive the wait.
struct Pending {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<std::vector<float>>> result;
};

}  // namespace

AsyncEmbedder::AsyncEmbedder(std::string model, Start start, std::chrono::milliseconds timeout)
    : model_(std::move(model)), start_(std::move(start)), timeout_(timeout) {}

Result<std::vector<float>> AsyncEmbedder::Embed(std::string_view text) {
  auto pending = std::make_shared<Pending>();
  Status s = start_(std::string(text), [pending](Result<std::vector<float>> r) {
    std::lock_guard lock(pending->mu);
    pending->result.emplace(std::move(r));
    pending->cv.notify_all();
  });
  if (!s.ok()) return s.error();
  std::unique_lock lock(pending->mu);
  if (!pending->cv.wait_for(lock, timeout_, [&] { return pending->result.has_value(); })) {
    return MakeError(ErrorCode::kDeadlineExceeded,
                     "embedding model " + model_ + " did not answer in time", "embedding_timeout");
  }
  return std::move(*pending->result);
}

}  // namespace parley::knowledge
