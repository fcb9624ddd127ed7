#include "security/rate_limit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

namespace parley::security {
namespace {

int64_t CeilSeconds(double s) { return s <= 0 ? 0 : static_cast<int64_t>(std::ceil(s)); }

}  // namespace

MemoryRateLimitBackend::Shard& MemoryRateLimitBackend::ShardFor(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void MemoryRateLimitBackend::Refill(Bucket& b, const BucketSpec& spec, double now_s) {
  if (now_s > b.updated_s) {
    b.tokens = std::min(spec.capacity, b.tokens + (now_s - b.updated_s) * spec.refill_per_s);
    b.updated_s = now_s;
  }
}

Decision MemoryRateLimitBackend::Take(std::string_view key, const BucketSpec& spec, double cost,
                                      double now_s) {
  Decision d;
  if (spec.capacity <= 0) return d;
  d.limit = static_cast<int64_t>(spec.capacity);
  Shard& sh = ShardFor(key);
  std::lock_guard lock(sh.mu);
  if (sh.buckets.size() >= kSweepAt) {
    std::erase_if(sh.buckets, [&](const auto& kv) {
      const Bucket& b = kv.second;
      return b.tokens + (now_s - b.updated_s) * spec.refill_per_s >= spec.capacity;
    });
  }
  auto [it, fresh] = sh.buckets.try_emplace(std::string(key));
  Bucket& b = it->second;
  if (fresh) b = {spec.capacity, now_s};
  Refill(b, spec, now_s);
  d.allowed = b.tokens >= cost;
  if (d.allowed) b.tokens -= cost;
  d.remaining = static_cast<int64_t>(std::floor(b.tokens));
  if (spec.refill_per_s > 0) {
    d.reset_s = CeilSeconds((spec.capacity - b.tokens) / spec.refill_per_s);
    if (!d.allowed)
      d.retry_after_s = std::max<int64_t>(1, CeilSeconds((cost - b.tokens) / spec.refill_per_s));
  }
  return d;
}

void MemoryRateLimitBackend::Give(std::string_view key, const BucketSpec& spec, double amount,
                                  double now_s) {
  if (spec.capacity <= 0 || amount <= 0) return;
  Shard& sh = ShardFor(key);
  std::lock_guard lock(sh.mu);
  const auto it = sh.buckets.find(std::string(key));
  if (it == sh.buckets.end()) return;  // dropped as idle: it is full anyway
  Refill(it->second, spec, now_s);
  it->second.tokens = std::min(spec.capacity, it->second.tokens + amount);
}

bool MemoryRateLimitBackend::Acquire(std::string_view key, int64_t max) {
  if (max <= 0) return true;
  Shard& sh = ShardFor(key);
  std::lock_guard lock(sh.mu);
  int64_t& n = sh.held[std::string(key)];
  if (n >= max) return false;
  ++n;
  return true;
}

void MemoryRateLimitBackend::Release(std::string_view key) {
  Shard& sh = ShardFor(key);
  std::lock_guard lock(sh.mu);
  const auto it = sh.held.find(std::string(key));
  if (it != sh.held.end() && --it->second <= 0) sh.held.erase(it);
}

TokenReservation& TokenReservation::operator=(TokenReservation&& o) noexcept {
  if (this != &o) {
    if (owner_ && reserved_ > 0) owner_->Refund(key_, reserved_);
    owner_ = std::exchange(o.owner_, nullptr);
    key_ = std::move(o.key_);
    reserved_ = std::exchange(o.reserved_, 0);
    decision_ = o.decision_;
    error_ = std::move(o.error_);
    ok_ = o.ok_;
  }
  return *this;
}

TokenReservation::~TokenReservation() {
  if (owner_ && reserved_ > 0) owner_->Refund(key_, reserved_);
}

void TokenReservation::Settle(int64_t used) {
  if (!owner_) return;
  const int64_t refund = reserved_ - std::clamp<int64_t>(used, 0, reserved_);
  if (refund > 0) owner_->Refund(key_, refund);
  reserved_ = 0;
  owner_ = nullptr;
}

StreamLease& StreamLease::operator=(StreamLease&& o) noexcept {
  if (this != &o) {
    Release();
    backend_ = std::exchange(o.backend_, nullptr);
    key_ = std::move(o.key_);
  }
  return *this;
}

void StreamLease::Release() {
  if (backend_) std::exchange(backend_, nullptr)->Release(key_);
}

RateLimiter::RateLimiter(RateLimitOptions options, std::shared_ptr<RateLimitBackend> backend)
    : opt_(options), backend_(std::move(backend)) {}

double RateLimiter::NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Decision RateLimiter::CheckRequest(std::string_view principal, std::string_view client_ip) {
  const double now = NowSeconds();
  Decision by_key, by_ip;
  if (!principal.empty() && opt_.key_requests_per_minute > 0) {
    by_key = backend_->Take(std::string("rk:") += principal,
                            BucketSpec::PerMinute(opt_.key_requests_per_minute), 1, now);
    if (!by_key.allowed) return by_key;
  }
  if (opt_.ip_requests_per_minute > 0) {
    by_ip = backend_->Take(std::string("ri:") += client_ip,
                           BucketSpec::PerMinute(opt_.ip_requests_per_minute), 1, now);
    if (!by_ip.allowed) {
      // The key's token was spent on a request that will not run; give it back.
      if (by_key.limit > 0) {
        backend_->Give(std::string("rk:") += principal,
                       BucketSpec::PerMinute(opt_.key_requests_per_minute), 1, now);
      }
      return by_ip;
    }
  }
  if (by_key.limit == 0) return by_ip;
  if (by_ip.limit == 0) return by_key;
  return by_key.remaining <= by_ip.remaining ? by_key : by_ip;
}

TokenReservation RateLimiter::ReserveTokens(std::string_view principal, int64_t tokens) {
  TokenReservation r;
  if (opt_.key_tokens_per_minute <= 0 || tokens <= 0) return r;
  const std::string key = std::string("tk:") += principal;
  if (tokens > opt_.key_tokens_per_minute) {
    r.ok_ = false;
    r.decision_.allowed = false;
    r.decision_.limit = opt_.key_tokens_per_minute;
    r.error_ =
        MakeError(ErrorCode::kResourceExhausted,
                  "request needs " + std::to_string(tokens) + " tokens, more than the limit of " +
                      std::to_string(opt_.key_tokens_per_minute) + " per minute",
                  "tokens_per_minute_exceeded");
    return r;
  }
  r.decision_ = backend_->Take(key, BucketSpec::PerMinute(opt_.key_tokens_per_minute),
                               static_cast<double>(tokens), NowSeconds());
  if (!r.decision_.allowed) {
    r.ok_ = false;
    r.error_ = RateLimitError(r.decision_, "tokens per minute");
    return r;
  }
  r.owner_ = this;
  r.key_ = key;
  r.reserved_ = tokens;
  return r;
}

void RateLimiter::Refund(const std::string& key, int64_t tokens) {
  backend_->Give(key, BucketSpec::PerMinute(opt_.key_tokens_per_minute),
                 static_cast<double>(tokens), NowSeconds());
}

Result<std::shared_ptr<StreamLease>> RateLimiter::AcquireStream(std::string_view principal) {
  auto lease = std::make_shared<StreamLease>();
  if (opt_.key_concurrent_streams <= 0) return lease;
  const std::string key = std::string("cs:") += principal;
  if (!backend_->Acquire(key, opt_.key_concurrent_streams)) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "too many concurrent requests for this key (limit " +
                         std::to_string(opt_.key_concurrent_streams) + ")",
                     "concurrency_limit_exceeded");
  }
  lease->backend_ = backend_.get();
  lease->key_ = key;
  return lease;
}

Error RateLimitError(const Decision& d, std::string_view what) {
  return MakeError(ErrorCode::kResourceExhausted,
                   "rate limit of " + std::to_string(d.limit) + " " + std::string(what) +
                       " reached; retry after " + std::to_string(d.retry_after_s) + "s",
                   "rate_limit_exceeded");
}

}  // namespace parley::security
