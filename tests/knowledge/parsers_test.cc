#include "knowledge/parsers.h"

#include <gtest/gtest.h>

#include <random>

#include "knowledge/chunker.h"
#include "knowledge/pdf_fixture.h"

namespace parley::knowledge {
namespace {

using testing::MakePdf;

std::vector<std::string> Texts(const ParsedDoc& d, Block::Type type) {
  std::vector<std::string> out;
  for (const auto& b : d.blocks) {
    if (b.type == type) out.push_back(b.text);
  }
  return out;
}

TEST(ParsersTest, MarkdownKeepsHeadingsParagraphsAndListItems) {
  auto d = ParseMarkdown(
      "# Returns policy\n\nItems can be **returned** within 30 days.\nReceipt needed.\n\n"
      "## Refunds\n- Card: 5 days\n- 支付宝：3天\n1. Ask support\n\n```\ncode here\n```\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->title, "Returns policy");
  EXPECT_EQ(Texts(*d, Block::Type::kHeading),
            (std::vector<std::string>{"Returns policy", "Refunds"}));
  EXPECT_EQ(Texts(*d, Block::Type::kListItem),
            (std::vector<std::string>{"Card: 5 days", "支付宝：3天", "Ask support"}));
  const auto paras = Texts(*d, Block::Type::kParagraph);
  ASSERT_EQ(paras.size(), 2u);
  EXPECT_EQ(paras[0], "Items can be returned within 30 days. Receipt needed.");
  EXPECT_EQ(paras[1], "code here");
}

TEST(ParsersTest, BinaryJunkLabelledAsMarkdownIsRefused) {
  std::string junk = "PK\x03\x04";
  for (int i = 0; i < 300; ++i) junk += static_cast<char>((i * 37) % 256);
  auto d = ParseMarkdown(junk);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, "not_text");
  auto nul = ParseText(std::string("hello\0world", 11));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().reason, "not_text");
}

TEST(ParsersTest, HtmlDropsScriptsAndStylesAndKeepsStructure) {
  auto d = ParseHtml(
      "<html><head><title>Shipping</title><style>p{color:red}</style>"
      "<script>alert('x')</script></head><body><h1>Delivery</h1>"
      "<p>We ship in <b>2 days</b>.</p><script>document.write('evil')</script>"
      "<ul><li>Beijing</li><li>上海</li></ul><noscript>enable js</noscript></body></html>");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->title, "Shipping");
  std::string all;
  for (const auto& b : d->blocks) all += b.text + "|";
  EXPECT_EQ(all, "Delivery|We ship in 2 days.|Beijing|上海|");
  EXPECT_EQ(all.find("alert"), std::string::npos);
  EXPECT_EQ(all.find("color"), std::string::npos);
}

TEST(ParsersTest, DeeplyNestedHtmlIsRefusedBeforeParsing) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div><b>";
  auto d = ParseHtml(deep + "x");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, "html_too_deep");
  // Many elements without end tags (or closed) are fine.
  std::string flat;
  for (int i = 0; i < 5000; ++i) flat += "<p>para " + std::to_string(i) + "<br><li>item";
  for (int i = 0; i < 600; ++i) flat += "<div><span>x</span></div>";
  auto ok = ParseHtml(flat);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_GT(ok->blocks.size(), 5000u);
}

TEST(ParsersTest, RandomBytesNeverCrashAParser) {
  std::mt19937 rng(1);
  for (int n = 0; n < 300; ++n) {
    std::string s(rng() % 3000, ' ');
    for (auto& c : s) c = static_cast<char>(rng() % (n % 2 ? 256 : 128));
    for (auto k :
         {DocKind::kMarkdown, DocKind::kText, DocKind::kHtml, DocKind::kPdf, DocKind::kFaq}) {
      auto r = Parse(k, s);
      if (r.ok()) {
        EXPECT_FALSE(r->blocks.empty() && r->faqs.empty());
      }
    }
    EXPECT_FALSE(Parse(DocKind::kPdf, "%PDF-1.4\n" + s).ok());
  }
}

TEST(ParsersTest, PdfTextIsExtractedPerPage) {
  auto d = ParsePdf(MakePdf({"Warranty lasts two years.", "Batteries are covered for one year."}));
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::string all;
  for (const auto& b : d->blocks) all += b.text + "|";
  EXPECT_NE(all.find("Warranty lasts two years."), std::string::npos) << all;
  EXPECT_NE(all.find("Batteries are covered"), std::string::npos) << all;
}

TEST(ParsersTest, MalformedAndEncryptedPdfsGetClearErrors) {
  auto garbage = ParsePdf("%PDF-1.4\nthis is not a pdf at all");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().reason, "malformed_pdf");
  auto notpdf = ParsePdf("hello");
  ASSERT_FALSE(notpdf.ok());
  EXPECT_EQ(notpdf.error().reason, "malformed_pdf");
  auto enc = ParsePdf(MakePdf({"secret"}, true));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().reason, "encrypted_pdf") << enc.error().message;
}

TEST(ParsersTest, FaqReadsCsvWithQuotesAndJsonl) {
  auto csv = ParseFaq(
      "question,answer\n\"How long, exactly?\",\"30 days, \"\"no\"\" questions\"\n"
      "运费多少,满99包邮\n");
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  ASSERT_EQ(csv->faqs.size(), 2u);
  EXPECT_EQ(csv->faqs[0].question, "How long, exactly?");
  EXPECT_EQ(csv->faqs[0].answer, "30 days, \"no\" questions");
  EXPECT_EQ(csv->faqs[1].answer, "满99包邮");
  auto jsonl = ParseFaq(
      "{\"q\":\"营业时间\",\"a\":\"9点到18点\"}\n\n{\"question\":\"x\",\"answer\":\"y\"}\n");
  ASSERT_TRUE(jsonl.ok());
  ASSERT_EQ(jsonl->faqs.size(), 2u);
  EXPECT_EQ(jsonl->faqs[1].question, "x");
  auto bad = ParseFaq("{\"q\":\"only a question\"}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, "invalid_faq");
}

TEST(ParsersTest, EmptyDocumentsAreRefused) {
  for (auto [kind, bytes] : std::vector<std::pair<DocKind, std::string>>{
           {DocKind::kMarkdown, ""},
           {DocKind::kText, "  \n\n \n"},
           {DocKind::kHtml, "<html><script>x()</script></html>"},
           {DocKind::kFaq, "q,a\n"}}) {
    auto d = Parse(kind, bytes);
    ASSERT_FALSE(d.ok()) << KindName(kind);
    EXPECT_EQ(d.error().reason, "empty_document");
  }
}

TEST(ParsersTest, KindsFollowFileExtensions) {
  EXPECT_EQ(KindFromName("a.MD"), DocKind::kMarkdown);
  EXPECT_EQ(KindFromName("faq.jsonl"), DocKind::kFaq);
  EXPECT_EQ(KindFromName("page.htm"), DocKind::kHtml);
  EXPECT_FALSE(KindFromName("image.png"));
  EXPECT_FALSE(KindFromName("README"));
}

TEST(ChunkerTest, SplitsSentencesAtChineseAndEnglishEnds) {
  EXPECT_EQ(SplitSentences("退货需在7天内申请。运费由买家承担！可以吗？Price is 3.5 USD. Done!"),
            (std::vector<std::string>{"退货需在7天内申请。", "运费由买家承担！", "可以吗？",
                                      "Price is 3.5 USD.", "Done!"}));
}

TEST(ChunkerTest, EstimatesTokensForChineseAndEnglish) {
  EXPECT_EQ(EstimateTokens("退货政策"), 4);
  EXPECT_EQ(EstimateTokens("the cat"), 2);
  EXPECT_EQ(EstimateTokens("internationalization"), 5);
  EXPECT_EQ(EstimateTokens("退货, ok"), 4);
}

TEST(ChunkerTest, ChunksFollowHeadingsAndKeepTheirPath) {
  ParsedDoc d;
  d.blocks = {{Block::Type::kHeading, 1, "Policy"},
              {Block::Type::kParagraph, 0, "Intro text."},
              {Block::Type::kHeading, 2, "Returns"},
              {Block::Type::kParagraph, 0, "Return within 30 days."},
              {Block::Type::kListItem, 0, "Keep the receipt"},
              {Block::Type::kHeading, 2, "Shipping"},
              {Block::Type::kParagraph, 0, "Ships in 2 days."}};
  const auto chunks = ChunkDocument(d, {});
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].heading, "Policy");
  EXPECT_EQ(chunks[1].heading, "Policy > Returns");
  EXPECT_EQ(chunks[1].text, "Return within 30 days.\n- Keep the receipt");
  EXPECT_EQ(chunks[2].heading, "Policy > Shipping");
  EXPECT_EQ(chunks[2].index, 2);
}

TEST(ChunkerTest, LongSectionsSplitAtSentencesWithinTheSizeAndOverlap) {
  ParsedDoc d;
  std::string para;
  for (int i = 0; i < 40; ++i) para += "第" + std::to_string(i) + "条规定顾客可以退货。";
  d.blocks = {{Block::Type::kHeading, 1, "规定"}, {Block::Type::kParagraph, 0, para}};
  ChunkOptions o;
  o.max_tokens = 60;
  o.overlap_tokens = 15;
  const auto chunks = ChunkDocument(d, o);
  ASSERT_GT(chunks.size(), 4u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].tokens, 60);
    EXPECT_EQ(chunks[i].heading, "规定");
    EXPECT_EQ(chunks[i].text.substr(chunks[i].text.size() - 3), "。");  // ends at a sentence
    if (i > 0) {
      // The previous chunk's last sentence starts this one (overlap).
      const auto& prev = chunks[i - 1].text;
      const size_t last = prev.rfind("第");
      EXPECT_EQ(chunks[i].text.rfind(prev.substr(last), 0), 0u) << i;
    }
  }
}

TEST(ChunkerTest, FaqPairsBecomeOneChunkEach) {
  ParsedDoc d;
  d.faqs = {{"Q1?", "A1"}, {"Q2?", "A2"}};
  const auto chunks = ChunkDocument(d, {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].text, "Q2?");
  EXPECT_EQ(chunks[1].answer, "A2");
}

}  // namespace
}  // namespace parley::knowledge
