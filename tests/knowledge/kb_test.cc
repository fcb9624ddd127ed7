#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "fakes/fake_kb_embedder.h"
#include "knowledge/knowledge_base.h"
#include "knowledge/pdf_fixture.h"
#include "knowledge/retrieval_eval.h"
#include "support/server_process.h"

namespace parley::knowledge {
namespace {

const char* kReturns =
    "# Return policy\n\nYou can return any item within 30 days of delivery for a full refund. "
    "The item must be unused and in its original packaging.\n\n## Refund timing\n"
    "Refunds reach your card within 5 business days after we receive the parcel.\n";
const char* kShipping =
    "# 配送说明\n\n订单在付款后24小时内发货。满99元包邮，不满99元收取运费8元。\n\n"
    "## 偏远地区\n新疆、西藏等偏远地区配送需要5到7天。\n";
const char* kWarranty =
    "# Warranty\n\nAll headphones carry a two-year warranty covering manufacturing defects. "
    "Water damage is not covered.\n";

class KbTest : public ::testing::Test {
 protected:
  std::unique_ptr<KnowledgeBase> Open(Embedder* embedder = nullptr, std::string dir = "") {
    KbOptions o;
    o.dir = dir;
    o.embedder = embedder;
    o.max_document_bytes = 64 * 1024;
    auto kb = KnowledgeBase::Open(o);
    EXPECT_TRUE(kb.ok()) << kb.error().message;
    return kb.ok() ? std::move(*kb) : nullptr;
  }
  static void AddAll(KnowledgeBase* kb) {
    ASSERT_TRUE(kb->Add({"returns.md", kReturns}).ok());
    ASSERT_TRUE(kb->Add({"shipping.md", kShipping}).ok());
    ASSERT_TRUE(kb->Add({"warranty.md", kWarranty}).ok());
  }
  static std::string Top(KnowledgeBase* kb, const std::string& q) {
    auto hits = kb->Search(q, 3);
    EXPECT_TRUE(hits.ok()) << q;
    return hits.ok() && !hits->empty() ? (*hits)[0].doc_name : "";
  }
};

TEST_F(KbTest, FindsTheRightDocumentInChineseAndEnglish) {
  auto kb = Open();
  AddAll(kb.get());
  EXPECT_EQ(Top(kb.get(), "How many days do I have to return an item?"), "returns.md");
  EXPECT_EQ(Top(kb.get(), "when will I get my refund"), "returns.md");
  EXPECT_EQ(Top(kb.get(), "运费多少钱"), "shipping.md");
  EXPECT_EQ(Top(kb.get(), "新疆配送要几天"), "shipping.md");
  EXPECT_EQ(Top(kb.get(), "Is water damage covered by the warranty?"), "warranty.md");
  // Traditional characters and full-width forms normalise like the dialog NLU does.
  EXPECT_EQ(Top(kb.get(), "運費多少錢？"), "shipping.md");
  auto hits = kb->Search("refund card days", 5);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].heading, "Return policy > Refund timing");
  EXPECT_GT((*hits)[0].score, 0);
  EXPECT_GT((*hits)[0].coverage, 0.5);
}

TEST_F(KbTest, SameBytesTwiceAreStoredOnce) {
  auto kb = Open();
  auto first = kb->Add({"returns.md", kReturns});
  auto again = kb->Add({"copy-of-returns.md", kReturns});
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->document.id, first->document.id);
  EXPECT_EQ(kb->List()->size(), 1u);
  EXPECT_EQ(kb->document_count(), 1u);
  EXPECT_EQ(first->document.hash.size(), 64u);
  EXPECT_EQ(first->document.title, "Return policy");
}

TEST_F(KbTest, RejectsBadNamesSizesAndTypes) {
  auto kb = Open();
  for (const std::string& name : std::vector<std::string>{
           "../etc/passwd.md", "/etc/passwd.md", "a/b.md", "..\\x.md", "%2e%2e%2fx.md",
           std::string("a\0b.md", 6), "", ".hidden.md", "C:evil.md", "x\x01.md"}) {
    auto r = kb->Add({name, "hello"});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().reason, "invalid_name") << name;
  }
  auto big = kb->Add({"big.md", std::string(70 * 1024, 'a')});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
  auto png = kb->Add({"photo.png", "x"});
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.error().reason, "unsupported_type");
  auto empty = kb->Add({"empty.md", "\n\n"});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().reason, "empty_document");
  EXPECT_TRUE(kb->List()->empty());
}

TEST_F(KbTest, QueriesThatAreTooLongOrOnlyPunctuation) {
  auto kb = Open();
  AddAll(kb.get());
  auto huge = kb->Search(std::string(100 * 1024, 'a'), 3);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().reason, "query_too_long");
  auto punct = kb->Search("？？！！...,,,", 3);
  ASSERT_TRUE(punct.ok());
  EXPECT_TRUE(punct->empty());
  EXPECT_FALSE(kb->Search("   ", 3).ok());
}

TEST_F(KbTest, RemovingADocumentRemovesItsChunksFromSearch) {
  auto kb = Open();
  AddAll(kb.get());
  const size_t before = kb->chunk_count();
  const int64_t id = (*kb->List())[2].id;  // warranty.md
  auto removed = kb->Remove(id);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->name, "warranty.md");
  EXPECT_LT(kb->chunk_count(), before);
  EXPECT_NE(Top(kb.get(), "headphones warranty water damage"), "warranty.md");
  EXPECT_EQ(kb->document_count(), 2u);
  auto again = kb->Remove(id);
  EXPECT_EQ(kb->document_count(), 2u);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(KbTest, AChangedFileReplacesItsOlderVersion) {
  testing::TempDir dir;
  dir.Write("policy.md", "# Policy\nReturns accepted within 30 days.\n");
  auto kb = Open();
  auto v1 = kb->AddFile(dir.File("policy.md"));
  ASSERT_TRUE(v1.ok());
  auto same = kb->AddFile(dir.File("policy.md"));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->duplicate);
  dir.Write("policy.md", "# Policy\nReturns accepted within 14 days only.\n");
  auto v2 = kb->AddFile(dir.File("policy.md"));
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(v2->replaced);
  EXPECT_EQ(kb->List()->size(), 1u);
  auto hits = kb->Search("returns accepted days", 5);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_NE((*hits)[0].text.find("14 days"), std::string::npos);
}

TEST_F(KbTest, IndexesPersistAcrossRestarts) {
  testing::TempDir dir;
  {
    auto kb = Open(nullptr, dir.path());
    AddAll(kb.get());
  }
  auto kb = Open(nullptr, dir.path());
  EXPECT_EQ(kb->List()->size(), 3u);
  EXPECT_EQ(kb->document_count(), 3u);
  EXPECT_EQ(Top(kb.get(), "运费多少钱"), "shipping.md");
}

TEST_F(KbTest, PdfAndHtmlAndFaqDocumentsAreSearchable) {
  auto kb = Open();
  ASSERT_TRUE(kb->Add({"manual.pdf", testing::MakePdf({"Reset the router by holding the button "
                                                       "for ten seconds."})})
                  .ok());
  ASSERT_TRUE(kb->Add({"page.html",
                       "<h1>Store hours</h1><p>Open 9am to 6pm daily.</p>"
                       "<script>fetch('/steal')</script>"})
                  .ok());
  ASSERT_TRUE(kb->Add({"faq.csv", "question,answer\n发票怎么开,在订单页面申请电子发票\n"}).ok());
  EXPECT_EQ(Top(kb.get(), "how do I reset the router"), "manual.pdf");
  EXPECT_EQ(Top(kb.get(), "store opening hours"), "page.html");
  auto faq = kb->Search("怎么开发票", 1);
  ASSERT_EQ(faq->size(), 1u);
  EXPECT_EQ((*faq)[0].answer, "在订单页面申请电子发票");
  EXPECT_TRUE(kb->Search("steal", 3)->empty());
  auto enc = kb->Add({"locked.pdf", testing::MakePdf({"x"}, true)});
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().reason, "encrypted_pdf");
}

TEST_F(KbTest, HybridRetrievalFusesVectorsAndEmbedsOnlyNewChunks) {
  testing::TempDir dir;
  testing::FakeKbEmbedder embedder;
  {
    auto kb = Open(&embedder, dir.path());
    AddAll(kb.get());
    EXPECT_TRUE(kb->hybrid());
    const int after_add = embedder.calls;
    EXPECT_EQ(static_cast<size_t>(after_add), kb->chunk_count());
    auto hits = kb->Search("return an item within 30 days", 3);
    ASSERT_TRUE(hits.ok());
    ASSERT_FALSE(hits->empty());
    EXPECT_EQ((*hits)[0].doc_name, "returns.md");
    EXPECT_GT((*hits)[0].similarity, 0);
    EXPECT_NEAR((*hits)[0].score, 2.0 / 61, 1e-9);  // first in both rankings
  }
  EXPECT_TRUE(std::filesystem::exists(dir.File("vectors.hnsw")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("vectors.hnsw.tmp")));
  embedder.calls = 0;
  auto kb = Open(&embedder, dir.path());
  EXPECT_EQ(embedder.calls, 0);  // reopened: vectors come from disk, nothing re-embedded
  ASSERT_TRUE(kb->Add({"extra.md", "# Gift cards\nGift cards never expire.\n"}).ok());
  EXPECT_EQ(embedder.calls, 1);  // one new chunk
  EXPECT_EQ(Top(kb.get(), "do gift cards expire"), "extra.md");
  // A broken vector file is rebuilt from the stored vectors, still without re-embedding.
  kb.reset();
  { std::ofstream(dir.File("vectors.hnsw"), std::ios::trunc) << "garbage"; }
  embedder.calls = 0;
  kb = Open(&embedder, dir.path());
  EXPECT_EQ(embedder.calls, 0);
  EXPECT_EQ(Top(kb.get(), "do gift cards expire"), "extra.md");
}

TEST_F(KbTest, SearchesRunWhileDocumentsAreAdded) {
  auto kb = Open();
  AddAll(kb.get());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    while (!stop) {
      if (Top(kb.get(), "运费多少钱") != "shipping.md") ++failures;
    }
  });
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(kb->Add({"doc" + std::to_string(i) + ".md", "# Doc " + std::to_string(i) +
                                                                "\nUnrelated text number " +
                                                                std::to_string(i) + ".\n"})
                    .ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(kb->List()->size(), 33u);
}

}  // namespace
}  // namespace parley::knowledge

namespace parley::knowledge {
namespace {

TEST(RetrievalEvalTest, ExpectedDocumentsMatchByNamePathStemOrTitle) {
  Hit h;
  h.doc_name = "returns.md";
  h.title = "Return Policy";
  EXPECT_TRUE(MatchesExpected(h, "returns.md"));
  EXPECT_TRUE(MatchesExpected(h, "policies/returns.md"));
  EXPECT_TRUE(MatchesExpected(h, "returns"));
  EXPECT_TRUE(MatchesExpected(h, "Return Policy"));
  EXPECT_FALSE(MatchesExpected(h, "refunds.md"));
  EXPECT_FALSE(MatchesExpected(h, "returns.pdf"));
}

TEST(RetrievalEvalTest, ReportsRecallAndMrrFromRanks) {
  auto kb = KnowledgeBase::Open({});
  ASSERT_TRUE(kb.ok());
  ASSERT_TRUE((*kb)->Add({"a.md", "# Alpha\nzebra crossing rules.\n"}).ok());
  ASSERT_TRUE((*kb)->Add({"b.md", "# Beta\nzebra stripes and zebra herds.\n"}).ok());
  ASSERT_TRUE((*kb)->Add({"c.md", "# Gamma\nunrelated words.\n"}).ok());
  const auto r = EvaluateRetrieval(
      **kb, {{"zebra herds", "b.md"}, {"zebra crossing", "a"}, {"nothing matches", "c.md"}});
  EXPECT_EQ(r.questions, 3u);
  EXPECT_NEAR(r.recall_at_1, 2.0 / 3, 1e-9);
  EXPECT_NEAR(r.recall_at_3, 2.0 / 3, 1e-9);
  EXPECT_NEAR(r.mrr, 2.0 / 3, 1e-9);
  ASSERT_EQ(r.misses.size(), 1u);
  EXPECT_EQ(r.misses[0].rank, 0);
}

}  // namespace
}  // namespace parley::knowledge

namespace parley::knowledge {
namespace {

TEST(AsyncEmbedderTest, WaitsForTheCallbackOnAnotherThread) {
  std::vector<std::thread> threads;
  testing::FakeKbEmbedder inner;
  AsyncEmbedder e("async-model", [&](const std::string& text, AsyncEmbedder::Done done) {
    threads.emplace_back([&inner, text, done] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      done(inner.Embed(text));
    });
    return Status::Ok();
  });
  auto v = e.Embed("退货政策");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 64u);
  EXPECT_EQ(e.model(), "async-model");
  // A knowledge base over it embeds through the async path.
  auto kb = KnowledgeBase::Open({"", {}, 1 << 20, 1000, 5, 0, &e});
  ASSERT_TRUE(kb.ok());
  ASSERT_TRUE((*kb)->Add({"a.md", "# Returns\nReturns within 30 days.\n"}).ok());
  EXPECT_GT((*(*kb)->Search("returns", 1))[0].similarity, 0);
  for (auto& t : threads) t.join();
}

TEST(AsyncEmbedderTest, RefusalsAndTimeoutsAreErrors) {
  AsyncEmbedder refused("m", [](const std::string&, AsyncEmbedder::Done) {
    return Status(MakeError(ErrorCode::kUnavailable, "queue full"));
  });
  EXPECT_EQ(refused.Embed("x").error().code, ErrorCode::kUnavailable);
  AsyncEmbedder::Done kept;
  AsyncEmbedder silent(
      "m",
      [&kept](const std::string&, AsyncEmbedder::Done done) {
        kept = std::move(done);
        return Status::Ok();
      },
      std::chrono::milliseconds(20));
  auto r = silent.Embed("x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "embedding_timeout");
  kept(std::vector<float>{1, 2});  // a late answer after the timeout is harmless
}

}  // namespace
}  // namespace parley::knowledge
