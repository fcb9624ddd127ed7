// PII masking in every supported shape, and the streaming hold-back that keeps PII split
// across chunks from leaking.
#include "security/pii.h"

#include <gtest/gtest.h>

#include "security/guard.h"

namespace parley::security {
namespace {

TEST(PiiTest, MasksChineseMobileNumbersInEveryShape) {
  for (const char* s :
       {"13812345678", "+8613812345678", "+86 138 1234 5678", "+86-138-1234-5678",
        "0086 13812345678", "138-1234-5678", "138 1234 5678",
        "\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
        "\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96\xEF\xBC\x97\xEF\xBC\x98",  // full-width
        "\xEF\xBC\x8B"
        "86 13812345678"}) {  // ＋86
    EXPECT_EQ(MaskPii(std::string("电话") + s + "，谢谢"), "电话[mobile]，谢谢") << s;
  }
  EXPECT_EQ(MaskPii("call 13812345678 or 13987654321 now"), "call [mobile] or [mobile] now");
  EXPECT_EQ(MaskPii("13812345678 13987654321"), "[mobile] [mobile]");
  EXPECT_EQ(MaskPii("order 12812345678"), "order 12812345678") << "12x is not a mobile prefix";
  EXPECT_EQ(MaskPii("id abc13812345678"), "id abc13812345678") << "glued to a word";
}

TEST(PiiTest, MasksIdNumbersOnlyWithAValidChecksum) {
  EXPECT_TRUE(ValidIdNumber("11010519491231002X"));
  EXPECT_TRUE(ValidIdNumber("110105194912310021") == false);
  EXPECT_EQ(MaskPii("身份证11010519491231002X。"), "身份证[id_number]。");
  EXPECT_EQ(MaskPii("身份证11010519491231002x"), "身份证[id_number]");
  EXPECT_EQ(MaskPii("id 440524188001010014 ok"), "id [id_number] ok");
  EXPECT_EQ(MaskPii("id 440524188001010015 ok"), "id 440524188001010015 ok");
}

TEST(PiiTest, MasksBankCardsThatPassLuhn) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_EQ(MaskPii("card 4111 1111 1111 1111."), "card [bank_card].");
  EXPECT_EQ(MaskPii("卡号6222021234567890128"), "卡号[bank_card]");
  EXPECT_EQ(MaskPii("card 4111111111111112"), "card 4111111111111112");
}

TEST(PiiTest, MasksEmailsAndIpAddressesButNotLoopback) {
  EXPECT_EQ(MaskPii("mail zhang.san+x@example.com.cn, thanks"), "mail [email], thanks");
  EXPECT_EQ(MaskPii("13812345678@qq.com"), "[email]");
  EXPECT_EQ(MaskPii("not@mail"), "not@mail");
  EXPECT_EQ(MaskPii("from 203.0.113.45:8080"), "from [ip]:8080");
  EXPECT_EQ(MaskPii("v6 2001:db8::8a2e:370:7334 end"), "v6 [ip] end");
  EXPECT_EQ(MaskPii("::ffff:198.51.100.7"), "[ip]");
  EXPECT_EQ(MaskPii("listening on 127.0.0.1 and ::1"), "listening on 127.0.0.1 and ::1");
  EXPECT_EQ(MaskPii("at 12:30:45, version 1.2.3.4.5"), "at 12:30:45, version 1.2.3.4.5");
  EXPECT_EQ(MaskPii("2026-11-21T07:06:42Z"), "2026-11-21T07:06:42Z");
  EXPECT_EQ(MaskPii("v6 abcd:ef::cafe end"), "v6 [ip] end") << "no decimal digit at all";
  EXPECT_EQ(MaskPii("运费多少？how much is shipping"), "运费多少？how much is shipping");
}

TEST(PiiTest, PlaceholdersRoundTripForUpstreamProviders) {
  PiiVault v;
  const std::string masked = v.Mask("I am 13812345678, mail a@b.cn");
  EXPECT_EQ(masked, "I am [PII_1], mail [PII_2]");
  EXPECT_EQ(v.Restore("Hi [PII_1], I wrote to [PII_2]. [PII_9] stays."),
            "Hi 13812345678, I wrote to a@b.cn. [PII_9] stays.");
}

// Every way of cutting the text into two or three chunks must give the same masked output.
void ExpectStreamMasks(const std::string& text, const std::string& want) {
  GuardOptions o;
  o.words = {"forbidden"};
  auto g = ContentGuard::Create(o);
  ASSERT_TRUE(g.ok());
  for (size_t i = 0; i <= text.size(); ++i) {
    for (size_t j = i; j <= text.size(); j += 3) {
      StreamGuard s(g->get());
      std::string out = s.Write(text.substr(0, i));
      out += s.Write(text.substr(i, j - i));
      out += s.Write(text.substr(j));
      out += s.Finish();
      ASSERT_EQ(out, want) << "cut at " << i << "," << j;
    }
  }
}

TEST(PiiTest, StreamedOutputIsMaskedWhereverTheChunksSplit) {
  ExpectStreamMasks("请拨打 +86 138 1234 5678 联系我", "请拨打 [mobile] 联系我");
  ExpectStreamMasks("mail me at li.si@example.org today", "mail me at [email] today");
  ExpectStreamMasks("ID 11010519491231002X, card 4111 1111 1111 1111 ok",
                    "ID [id_number], card [bank_card] ok");
  ExpectStreamMasks("this is forbidden text", "this is *** text");
  ExpectStreamMasks("１３８１２３４５６７８", "[mobile]");
}

TEST(PiiTest, StreamingHoldsBackOnlyWhatCouldStillBecomePii) {
  GuardOptions o;
  auto g = ContentGuard::Create(o);
  StreamGuard s(g->get());
  EXPECT_EQ(s.Write("你好，世界。"), "你好，世界。");
  EXPECT_EQ(s.Write("电话138"), "电话");
  EXPECT_EQ(s.Write("12345678。"), "[mobile]。");
  EXPECT_EQ(s.Finish(), "");
}

}  // namespace
}  // namespace parley::security
