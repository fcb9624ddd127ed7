#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "knowledge/bm25_index.h"

namespace parley::knowledge {
namespace {

std::vector<std::string> RandomTerms(std::mt19937& rng) {
  std::uniform_int_distribution<int> len(3, 12), word(0, 40);
  std::vector<std::string> t;
  for (int i = len(rng); i > 0; --i) t.push_back("w" + std::to_string(word(rng)));
  return t;
}

TEST(Bm25Test, ScoresFollowTermFrequencyRarityAndLength) {
  Bm25Index idx;
  idx.Add(1, {"refund", "card", "days"});
  idx.Add(2, {"refund", "refund", "policy"});
  idx.Add(3, {"shipping", "days", "days", "days", "express", "cost", "zone", "fee"});
  const auto hits = idx.Search({"refund"}, 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 2);  // tf 2 beats tf 1
  const auto rare = idx.Search({"card", "days"}, 10);
  EXPECT_EQ(rare[0].id, 1);  // both terms, short chunk
  EXPECT_NEAR(rare[0].coverage, 1.0, 1e-9);
  EXPECT_LT(rare[1].coverage, 1.0);
  EXPECT_TRUE(idx.Search({"nothing"}, 10).empty());
}

// Removing and re-adding chunks (with lazy deletion and compaction) must score exactly like an
// index built from scratch with the chunks that remain.
TEST(Bm25Test, IncrementalUpdatesMatchARebuiltIndex) {
  std::mt19937 rng(7);
  Bm25Index live;
  std::map<int64_t, std::vector<std::string>> current;
  for (int64_t id = 1; id <= 300; ++id) {
    current[id] = RandomTerms(rng);
    live.Add(id, current[id]);
  }
  std::uniform_int_distribution<int64_t> pick(1, 400);
  for (int step = 0; step < 600; ++step) {
    const int64_t id = pick(rng);
    if (step % 3 == 0) {
      current[id] = RandomTerms(rng);  // add or replace
      live.Add(id, current[id]);
    } else {
      current.erase(id);
      live.Remove(id);
    }
  }
  Bm25Index fresh;
  for (const auto& [id, terms] : current) fresh.Add(id, terms);
  ASSERT_EQ(live.size(), fresh.size());
  for (int q = 0; q < 50; ++q) {
    const auto query = RandomTerms(rng);
    const auto a = live.Search(query, 20), b = fresh.Search(query, 20);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id) << q << " " << i;
      EXPECT_NEAR(a[i].score, b[i].score, 1e-9);
      EXPECT_NEAR(a[i].coverage, b[i].coverage, 1e-9);
      EXPECT_TRUE(current.count(a[i].id));
    }
  }
}

}  // namespace
}  // namespace parley::knowledge
