// Rate limiting: token buckets per key and per client IP for requests per minute, per key for
// LLM tokens per minute (reserved up front, refunded after), and a cap on concurrent streams
// per key. The state lives behind RateLimitBackend (in-memory now; a Redis backend for several
// instances implements the same interface). Every operation on one bucket is atomic, so N
// concurrent requests against a limit of L admit exactly L. All classes are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/result.h"

namespace parley::security {

struct BucketSpec {
  double capacity = 0;      // burst size; 0 = unlimited
  double refill_per_s = 0;  // tokens added per second
  static BucketSpec PerMinute(int64_t n) { return {double(n), double(n) / 60.0}; }
};

struct Decision {
  bool allowed = true;
  int64_t limit = 0;  // 0 = no limit applied
  int64_t remaining = 0;
  int64_t reset_s = 0;        // seconds until the bucket is full again
  int64_t retry_after_s = 0;  // when refused: seconds until the cost would fit
};

class RateLimitBackend {
 public:
  virtual ~RateLimitBackend() = default;
  // Takes `cost` from bucket `key` when it holds that much (all or nothing); now_s: a monotonic
  // clock in seconds.
  virtual Decision Take(std::string_view key, const BucketSpec& spec, double cost,
                        double now_s) = 0;
  // Puts tokens back (refunds), capped at the capacity.
  virtual void Give(std::string_view key, const BucketSpec& spec, double amount, double now_s) = 0;
  // Concurrency counters: Acquire succeeds while fewer than `max` are held.
  virtual bool Acquire(std::string_view key, int64_t max) = 0;
  virtual void Release(std::string_view key) = 0;
};

// Buckets in 32 shards, each a hash map under its own mutex. Idle buckets that have refilled
// completely are dropped when a shard grows large, so memory follows the active clients.
class MemoryRateLimitBackend : public RateLimitBackend {
 public:
  Decision Take(std::string_view key, const BucketSpec& spec, double cost, double now_s) override;
  void Give(std::string_view key, const BucketSpec& spec, double amount, double now_s) override;
  bool Acquire(std::string_view key, int64_t max) override;
  void Release(std::string_view key) override;

 private:
  struct Bucket {
    double tokens = 0;
    double updated_s = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    std::unordered_map<std::string, int64_t> held;
  };
  static constexpr size_t kShards = 32;
  static constexpr size_t kSweepAt = 50000;  // buckets per shard before idle ones are dropped
  Shard& ShardFor(std::string_view key);
  static void Refill(Bucket& b, const BucketSpec& spec, double now_s);
  std::array<Shard, kShards> shards_;
};

struct RateLimitOptions {
  int64_t key_requests_per_minute = 0;  // 0 = unlimited
  int64_t ip_requests_per_minute = 0;
  int64_t key_tokens_per_minute = 0;
  int64_t key_concurrent_streams = 0;
};

class RateLimiter;

// Tokens reserved for one generation. Settle(used) keeps `used` and refunds the rest; if it is
// never settled (the request failed), the destructor refunds everything. Movable, not copyable.
class TokenReservation {
 public:
  TokenReservation() = default;
  TokenReservation(TokenReservation&& o) noexcept { *this = std::move(o); }
  TokenReservation& operator=(TokenReservation&& o) noexcept;
  ~TokenReservation();

  bool ok() const { return ok_; }
  const Error& error() const { return error_; }  // kResourceExhausted when refused
  const Decision& decision() const { return decision_; }
  int64_t reserved() const { return reserved_; }
  void Settle(int64_t used_tokens);

 private:
  friend class RateLimiter;
  RateLimiter* owner_ = nullptr;
  std::string key_;
  int64_t reserved_ = 0;
  Decision decision_;
  Error error_;
  bool ok_ = true;
};

// Holds one concurrent-stream slot until destroyed (or Release()).
class StreamLease {
 public:
  StreamLease() = default;
  StreamLease(StreamLease&& o) noexcept { *this = std::move(o); }
  StreamLease& operator=(StreamLease&& o) noexcept;
  ~StreamLease() { Release(); }
  void Release();

 private:
  friend class RateLimiter;
  RateLimitBackend* backend_ = nullptr;
  std::string key_;
};

class RateLimiter {
 public:
  RateLimiter(RateLimitOptions options, std::shared_ptr<RateLimitBackend> backend);

  // One request: takes one token from the key's bucket (principal non-empty) and the IP's.
  // The decision reported is the tighter of the two; refused when either is empty.
  Decision CheckRequest(std::string_view principal, std::string_view client_ip);

  // For the engine: reserve prompt_tokens + max_tokens for `principal` before generating.
  TokenReservation ReserveTokens(std::string_view principal, int64_t tokens);

  // A concurrent-stream slot for `principal`; nullopt-like empty error when at the cap.
  Result<std::shared_ptr<StreamLease>> AcquireStream(std::string_view principal);

  const RateLimitOptions& options() const { return opt_; }
  static double NowSeconds();  // the monotonic clock the limiter uses

 private:
  friend class TokenReservation;
  void Refund(const std::string& key, int64_t tokens);

  RateLimitOptions opt_;
  std::shared_ptr<RateLimitBackend> backend_;
};

// 429 with the standard message for a refused decision.
Error RateLimitError(const Decision& d, std::string_view what);

}  // namespace parley::security
