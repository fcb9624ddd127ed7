#include <gtest/gtest.h>
#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "nlp/concepts.h"
#include "nlp/normalizer.h"
#include "nlp/sentiment.h"
#include "nlp/tokenizer.h"

namespace parley::nlp {
namespace {

class NormalizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.error().message;
    n_ = *n;
  }
  std::shared_ptr<const Normalizer> n_;
};

TEST_F(NormalizerTest, FoldsFullWidthCaseAndTraditional) {
  EXPECT_EQ(n_->Fold("ＡＢＣ１２３"), "abc123");
  EXPECT_EQ(n_->Fold("Hello WORLD"), "hello world");
  EXPECT_EQ(n_->Fold("我們的訂單"), "我们的订单");
  EXPECT_EQ(n_->Fold("退貨"), "退货");
  EXPECT_EQ(n_->Fold("￥１００"), "¥100");
  // Text with no traditional character skips OpenCC; text with one, or with a phrase whose
  // characters are all shared, still converts.
  EXPECT_EQ(n_->Fold("我要退货，运费多少"), "我要退货,运费多少");
  EXPECT_EQ(n_->Fold("沈默是金"), "沉默是金");
  EXPECT_EQ(n_->Fold("他很沈默"), "他很沉默");
  EXPECT_EQ(n_->Fold("請問運費多少"), "请问运费多少");
}

TEST_F(NormalizerTest, SkippingOpenccChangesNothing) {
  // Every line of the evaluation sets (zh and en, some traditional) folds exactly as NFKC
  // case folding followed by OpenCC's t2s on every text would.
  UErrorCode status = U_ZERO_ERROR;
  const auto* nfkc = icu::Normalizer2::getNFKCCasefoldInstance(status);
  ASSERT_TRUE(U_SUCCESS(status));
  opencc::SimpleConverter t2s("t2s.json");
  int lines = 0;
  for (const std::string text : {"請問運費多少錢", "這個手機還有貨嗎", "乾燥的天氣", "他很沈默",
                                 "著作權", "於是我們回家了", "有序排隊", "我想退貨，謝謝"}) {
    std::string folded;
    nfkc->normalize(icu::UnicodeString::fromUTF8(text), status).toUTF8String(folded);
    ASSERT_EQ(n_->Fold(text), t2s.Convert(folded)) << text;
  }
  for (const auto& f : std::filesystem::directory_iterator(PARLEY_SOURCE_DIR "/eval")) {
    std::ifstream in(f.path());
    for (std::string line; std::getline(in, line);) {
      std::string folded;
      nfkc->normalize(icu::UnicodeString::fromUTF8(line), status).toUTF8String(folded);
      ASSERT_EQ(n_->Fold(line), t2s.Convert(folded)) << line;
      ++lines;
    }
  }
  EXPECT_GT(lines, 500);
}

TEST_F(NormalizerTest, StripsPunctuationAndEmojiForMatching) {
  EXPECT_EQ(n_->ForMatching("你好！！😊"), "你好");
  EXPECT_EQ(n_->ForMatching("  Where's   my order?? "), "where s my order");
  EXPECT_EQ(n_->ForMatching("订单，到哪了？"), "订单 到哪了");
  EXPECT_EQ(n_->ForMatching("🙂🙂"), "");
}

TEST_F(NormalizerTest, KeepsSymbolsEntitiesNeedInFold) {
  EXPECT_EQ(n_->Fold("Mail: A@B.com, $5"), "mail: a@b.com, $5");
}

TEST(TokenizerTest, SegmentsChineseWithoutSpaces) {
  const auto words = Words("我想查一下我的订单");
  EXPECT_NE(std::find(words.begin(), words.end(), "订单"), words.end())
      << ::testing::PrintToString(words);
  EXPECT_GT(words.size(), 3u);
}

TEST(TokenizerTest, StemsEnglish) {
  EXPECT_EQ(Stem("orders"), "order");
  EXPECT_EQ(Stem("cancelled"), Stem("cancel"));
  EXPECT_EQ(Stem("shipping"), "ship");
  EXPECT_EQ(Stem("returns"), "return");
  EXPECT_EQ(Stem("addresses"), "address");
  EXPECT_EQ(Stem("good"), "good");
  const auto words = Words("tracking my orders");
  EXPECT_EQ(words, (std::vector<std::string>{"track", "my", "order"}));
}

TEST(TokenizerTest, NegationsReadTheSameHoweverTheyAreWritten) {
  // The normaliser has already turned "hasn't" into "hasn t".
  const auto has_not = Words("my money still has not come back");
  EXPECT_EQ(Words("my money still hasn t come back"), has_not);
  EXPECT_EQ(Words("my money still hasnt come back"), has_not);
  EXPECT_EQ(Words("i can t log in"), Words("i cannot log in"));
  EXPECT_EQ(Words("i cant log in"), Words("i can not log in"));
  EXPECT_EQ(Words("it won t turn on"), Words("it will not turn on"));
  EXPECT_EQ(Words("i didnt get it"), Words("i did not get it"));
  // Words that merely end in "nt" or "t" stay as they are.
  const auto want = Words("i want that giant");
  EXPECT_EQ(want, (std::vector<std::string>{"i", "want", "that", "giant"}));
  // Thesaurus terms go through the same step, so a term written "didn't" matches "did not".
  const std::string text = "my money still has not come back";
  const auto concepts = Concepts(text, Words(text));
  EXPECT_NE(std::find(concepts.begin(), concepts.end(), "refund"), concepts.end());
  EXPECT_EQ(concepts, Concepts("my money still hasn t come back", has_not));
}

TEST(TokenizerTest, PlainAsciiTextSplitsAsIcuDoes) {
  // Words() splits lower-case ASCII letters, digits and spaces itself; ICU must agree on all of it.
  std::vector<std::string> texts = {"",
                                    " ",
                                    "a",
                                    "where is my order 12345678",
                                    "  two  spaces  ",
                                    "abc123 4x4 007",
                                    "i can t log in",
                                    "it hasnt come and it won t",
                                    "wi fi 3 5 hours"};
  // And random strings over the same alphabet, space-heavy so that short words and runs of
  // spaces are common.
  uint32_t seed = 12345;
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789      t";
  for (int i = 0; i < 3000; ++i) {
    std::string t;
    seed = seed * 1103515245 + 12345;
    const int len = static_cast<int>(seed >> 16) % 40;
    for (int k = 0; k < len; ++k) {
      seed = seed * 1103515245 + 12345;
      t += alphabet[(seed >> 16) % alphabet.size()];
    }
    texts.push_back(t);
  }
  for (const auto& t : texts) EXPECT_EQ(Words(t), WordsByIcu(t)) << "'" << t << "'";
}

TEST(TokenizerTest, FeaturesIncludeHanBigramsAndEnglishTrigrams) {
  auto has = [](const std::vector<Feature>& fs, const std::string& key) {
    return std::any_of(fs.begin(), fs.end(), [&](const Feature& f) { return f.key == key; });
  };
  const auto zh = Features("退货流程");
  EXPECT_TRUE(has(zh, "b:退货"));
  EXPECT_TRUE(has(zh, "b:货流"));  // bigrams cross word boundaries
  EXPECT_TRUE(has(zh, "c:退"));
  const auto en = Features("refund");
  EXPECT_TRUE(has(en, "w:refund"));
  EXPECT_TRUE(has(en, "t:#re"));
  EXPECT_TRUE(has(en, "t:nd#"));
}

// A term that normalisation would change (traditional, upper case, full-width) can never match.
TEST(ConceptsTest, EveryTermCanMatch) {
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  const auto terms = ConceptTerms();
  EXPECT_GT(terms.size(), 5000u);
  for (const auto& t : terms) {
    const std::string term(t.term);
    if (t.chinese) {
      EXPECT_EQ((*normalizer)->ForMatching(term), term) << t.id;
    } else {
      EXPECT_FALSE(term.empty()) << t.id;
      for (char c : term) {
        EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '\'' ||
                    c == '-' || c == '.' || c == '&')
            << t.id << ": " << term;
      }
    }
  }
}

// Entries with the same id merge, so a term written twice for one concept (in two tables, say)
// is dead weight that hides which table really holds it.
TEST(ConceptsTest, NoConceptListsATermTwice) {
  std::set<std::tuple<std::string_view, std::string_view, bool>> seen;
  for (const auto& t : ConceptTerms()) {
    EXPECT_TRUE(seen.emplace(t.id, t.term, t.chinese).second) << t.id << ": " << t.term;
  }
}

// Inside a phrase where it means something else, a term does not count; the phrase's other
// terms still do.
TEST(ConceptsTest, APhraseOfAnotherMeaningHidesItsTerm) {
  const struct {
    const char* text;
    std::string_view concept_id;
    bool found;
  } cases[] = {
      {"积分怎么用", "points", true},
      {"我在学微积分", "points", false},
      {"你好", "greet", true},
      {"你好像发错货了", "greet", false},
      {"你好像发错货了", "wrong", true},
      {"在吗", "greet", true},
      {"是现在吗", "greet", false},
      {"where is my order", "order", true},
      {"i need the invoice in order to claim expenses", "order", false},
      {"i want to return this", "return", true},
      {"my return flight got cancelled", "return", false},
      {"my return flight got cancelled", "flight", true},
      {"几天能到", "delivery_time", true},
      {"退款几天到账", "delivery_time", false},
      {"退款几天到账", "refund", true},
      {"any update on my order", "change", false},
      {"能约明天下午吗", "appointment", true},
      {"大约明天下午到", "appointment", false},
      {"改签收费吗", "signed", false},
      {"改签收费吗", "cancellation_policy", true},
      {"just checking in on my order", "checkin", false},
      {"what time can we check in", "checkin", true},
      {"sorry i won't be coming back", "absence", false},
      {"how much luggage can i bring", "cost", false},
      {"how much luggage can i bring", "baggage_allowance", true},
      {"退款还没到账", "refund", true},
      {"充值还没到账", "refund", false},
      {"充值还没到账", "not_credited", true},
      {"配送超时了", "late", true},
      {"请求超时", "late", false},
      {"请求超时", "cannot_open", true},
      {"i need a wheelchair, i'm disabled", "disability", true},
      {"how do i disable auto renew", "disability", false},
      {"how do i disable auto renew", "autopay", true},
      {"my phone stopped charging", "charging", true},
      {"please stop charging me", "charging", false},
      {"please stop charging me", "cancel", true},
  };
  EXPECT_TRUE(UnusedBlockingPhrases().empty()) << UnusedBlockingPhrases().front();
  for (const auto& c : cases) {
    const auto found = Concepts(c.text, Words(c.text));
    EXPECT_EQ(std::find(found.begin(), found.end(), c.concept_id) != found.end(), c.found)
        << c.text << " / " << c.concept_id;
  }
}

TEST(ConceptsTest, SameMeaningInOtherWordsOrLanguagesSharesAConcept) {
  auto concepts = [](const std::string& text) { return Concepts(text, Words(text)); };
  using V = std::vector<std::string>;
  EXPECT_EQ(concepts("我的退款呢"), V{"refund"});
  EXPECT_EQ(concepts("i want my money back"), V{"refund"});
  EXPECT_EQ(concepts("shipping cost"), (V{"ship", "cost"}));
  EXPECT_EQ(concepts("运费多少"), V{"cost"});
  EXPECT_EQ(concepts("讲个笑话吧"), V{"@jokes_riddles"});  // another topic (domains.inc)
  EXPECT_EQ(concepts("crusade"), V{});                     // whole words only
}

TEST(SentimentTest, TagsChineseAndEnglishEmotions) {
  EXPECT_EQ(AnalyzeSentiment("我今天很难过").emotion, "sadness");
  EXPECT_EQ(AnalyzeSentiment("我今天很难过").label, "negative");
  EXPECT_EQ(AnalyzeSentiment("太好了，我很开心").label, "positive");
  EXPECT_EQ(AnalyzeSentiment("this is the worst service, i'm angry").emotion, "anger");
  EXPECT_EQ(AnalyzeSentiment("thank you so much").emotion, "gratitude");
  EXPECT_EQ(AnalyzeSentiment("where is my order").label, "neutral");
  EXPECT_EQ(AnalyzeSentiment("😭😭").emotion, "sadness");
}

TEST(SentimentTest, HandlesNegationAndWordBoundaries) {
  EXPECT_EQ(AnalyzeSentiment("我不开心").label, "negative");
  EXPECT_EQ(AnalyzeSentiment("i am not happy").label, "negative");
  EXPECT_EQ(AnalyzeSentiment("crusade").label, "neutral");  // "sad" inside a word
}

}  // namespace
}  // namespace parley::nlp
