// Token buckets: exact admission under concurrency, refill, headers data, token reservations
// and concurrent-stream leases.
#include "security/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace parley::security {
namespace {

TEST(RateLimitTest, FiftyConcurrentRequestsAgainstALimitOfTenAdmitExactlyTen) {
  for (int round = 0; round < 20; ++round) {
    RateLimiter limiter({.key_requests_per_minute = 10},
                        std::make_shared<MemoryRateLimitBackend>());
    std::atomic<int> admitted{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        if (limiter.CheckRequest("key:a", "1.2.3.4").allowed) admitted.fetch_add(1);
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    ASSERT_EQ(admitted.load(), 10) << "round " << round;
  }
}

TEST(RateLimitTest, BucketsRefillAndReportLimitRemainingResetAndRetryAfter) {
  MemoryRateLimitBackend b;
  const auto spec = BucketSpec::PerMinute(60);  // one token per second
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(b.Take("k", spec, 1, 100.0).allowed);
  const Decision refused = b.Take("k", spec, 1, 100.0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limit, 60);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_s, 1);
  EXPECT_EQ(refused.reset_s, 60);
  const Decision later = b.Take("k", spec, 1, 102.5);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 1);
  EXPECT_TRUE(b.Take("other", spec, 1, 100.0).allowed) << "buckets are per key";
}

TEST(RateLimitTest, PerIpLimitAppliesAcrossKeysAndRefundsTheKeyToken) {
  RateLimiter limiter({.key_requests_per_minute = 5, .ip_requests_per_minute = 3},
                      std::make_shared<MemoryRateLimitBackend>());
  EXPECT_TRUE(limiter.CheckRequest("key:a", "9.9.9.9").allowed);
  EXPECT_TRUE(limiter.CheckRequest("key:b", "9.9.9.9").allowed);
  EXPECT_TRUE(limiter.CheckRequest("", "9.9.9.9").allowed);
  const Decision d = limiter.CheckRequest("key:a", "9.9.9.9");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.limit, 3);
  // key:a has used one of its five; the refused request must not have used another.
  int more = 0;
  for (int i = 0; i < 10; ++i) {
    more += limiter.CheckRequest("key:a", "10.0.0." + std::to_string(i)).allowed;
  }
  EXPECT_EQ(more, 4);
}

TEST(RateLimitTest, TokenReservationsRefundTheUnusedPart) {
  RateLimiter limiter({.key_tokens_per_minute = 1000}, std::make_shared<MemoryRateLimitBackend>());
  {
    auto r = limiter.ReserveTokens("key:a", 800);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(limiter.ReserveTokens("key:a", 300).ok()) << "only 200 left";
    r.Settle(100);  // 700 come back
  }
  auto big = limiter.ReserveTokens("key:a", 850);
  EXPECT_TRUE(big.ok()) << big.error().message;
  {
    auto failed = limiter.ReserveTokens("key:b", 900);
    ASSERT_TRUE(failed.ok());
  }  // never settled: all 900 refunded
  EXPECT_TRUE(limiter.ReserveTokens("key:b", 950).ok());
  auto too_big = limiter.ReserveTokens("key:c", 5000);
  EXPECT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kResourceExhausted);
}

TEST(RateLimitTest, ConcurrentStreamLeasesCapAndRelease) {
  RateLimiter limiter({.key_concurrent_streams = 2}, std::make_shared<MemoryRateLimitBackend>());
  auto a = limiter.AcquireStream("key:a");
  auto b = limiter.AcquireStream("key:a");
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = limiter.AcquireStream("key:a");
  EXPECT_FALSE(c.ok());
  EXPECT_TRUE(limiter.AcquireStream("key:b").ok());
  (*a)->Release();
  EXPECT_TRUE(limiter.AcquireStream("key:a").ok());
}

}  // namespace
}  // namespace parley::security
