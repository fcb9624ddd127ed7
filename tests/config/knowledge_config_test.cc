// The knowledge section of the schema (schema_knowledge.cc).
#include <gtest/gtest.h>

#include "config/loader.h"

namespace parley::config {
namespace {

TEST(KnowledgeConfigTest, ParsesPathsThresholdsAndSizes) {
  const auto l = LoadText(
      "knowledge:\n  dir: /tmp/kb\n  paths:\n    - docs\n    - faq.csv\n  faq_threshold: 0.7\n"
      "  max_document_bytes: 2MiB\n  rescan_interval: 0\n  chunk_tokens: 128\n",
      "t.yaml", {{"PARLEY_KNOWLEDGE_TOP_K", "8"}});
  ASSERT_TRUE(l.ok()) << l.issues[0].ToString();
  const KnowledgeSection& k = l.config.knowledge;
  EXPECT_EQ(k.dir, "/tmp/kb");
  EXPECT_EQ(k.paths, (std::vector<std::string>{"docs", "faq.csv"}));
  EXPECT_DOUBLE_EQ(k.faq_threshold, 0.7);
  EXPECT_DOUBLE_EQ(k.answer_threshold, 0.35);
  EXPECT_EQ(k.max_document_bytes, 2u << 20);
  EXPECT_EQ(k.rescan_interval.count(), 0);
  EXPECT_EQ(k.chunk_tokens, 128);
  EXPECT_EQ(k.top_k, 8);
}

TEST(KnowledgeConfigTest, RejectsThresholdsOutOfRange) {
  const auto l =
      LoadText("knowledge:\n  faq_threshold: 1.5\n  answer_threshold: abc\n", "t.yaml", {});
  ASSERT_EQ(l.issues.size(), 2u);
  EXPECT_EQ(l.issues[0].key, "knowledge.faq_threshold");
  EXPECT_NE(l.issues[0].message.find("from 0 to 1"), std::string::npos) << l.issues[0].message;
  EXPECT_EQ(l.issues[1].key, "knowledge.answer_threshold");
}

}  // namespace
}  // namespace parley::config
