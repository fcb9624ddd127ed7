#include <gtest/gtest.h>

#include "util/ip.h"
#include "util/text.h"

namespace parley {
namespace {

TEST(TextTest, FindsTheFirstInvalidUtf8Byte) {
  EXPECT_TRUE(text::IsValidUtf8("hello 你好 😀"));
  EXPECT_EQ(text::FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(text::FindInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(text::FindInvalidUtf8("x\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(text::FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(text::FindInvalidUtf8("\xE4\xBD"), 0u);          // truncated
}

TEST(TextTest, EscapesJsonAndReplacesInvalidBytes) {
  EXPECT_EQ(text::JsonQuote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(text::JsonQuote("你\xff"), "\"你\xEF\xBF\xBD\"");
}

TEST(TextTest, ParsesNumbersStrictly) {
  EXPECT_EQ(text::ParseInt("42"), 42);
  EXPECT_FALSE(text::ParseInt("42x"));
  EXPECT_FALSE(text::ParseInt(""));
  EXPECT_EQ(text::ParseDouble("1.5"), 1.5);
  EXPECT_TRUE(text::EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_EQ(text::Trim("  a b \r\n"), "a b");
}

TEST(IpTest, NormalisesIpv4MappedAddresses) {
  const auto a = ip::ParseAddress("::ffff:10.1.2.3");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->v4);
  EXPECT_EQ(a->ToString(), "10.1.2.3");
  EXPECT_EQ(ip::ParseAddress("[::1]")->ToString(), "::1");
  EXPECT_FALSE(ip::ParseAddress("300.1.1.1"));
  EXPECT_FALSE(ip::ParseAddress("example.com"));
}

TEST(IpTest, MatchesCidrRanges) {
  const ip::CidrSet set(
      {*ip::ParseCidr("10.0.0.0/8"), *ip::ParseCidr("fd00::/8"), *ip::ParseCidr("192.168.1.7")});
  EXPECT_TRUE(set.Contains("10.200.3.4"));
  EXPECT_TRUE(set.Contains("::ffff:10.0.0.1"));
  EXPECT_TRUE(set.Contains("fd12::1"));
  EXPECT_TRUE(set.Contains("192.168.1.7"));
  EXPECT_FALSE(set.Contains("192.168.1.8"));
  EXPECT_FALSE(set.Contains("11.0.0.1"));
  EXPECT_FALSE(set.Contains("garbage"));
  EXPECT_FALSE(ip::ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ip::ParseCidr("10.0.0.0/x"));
  EXPECT_TRUE(ip::ParseCidr("10.0.0.0/12")->Contains(*ip::ParseAddress("10.15.255.255")));
  EXPECT_FALSE(ip::ParseCidr("10.0.0.0/12")->Contains(*ip::ParseAddress("10.16.0.0")));
}

}  // namespace
}  // namespace parley
