#include <gtest/gtest.h>

#include "api/json_body.h"

namespace parley::api {
namespace {

TEST(JsonBodyTest, ParsesObjects) {
  const auto j = ParseJsonText(R"({"a":[1,{"b":"你好"}]})", 8);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["a"][1]["b"], "你好");
}

TEST(JsonBodyTest, CapsNestingBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto j = ParseJsonText(deep, 64);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().reason, "json_too_deep");
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseJsonText(R"({"s":"[[[[[[[[[[[[[[[[[[[[\"[[[["})", 2).ok());
}

TEST(JsonBodyTest, NamesTheProblem) {
  EXPECT_EQ(ParseJsonText("{\"a\":\"\xc3\x28\"}", 8).error().reason, "invalid_utf8");
  const auto bad = ParseJsonText("{\"a\": tru}", 8);
  EXPECT_EQ(bad.error().reason, "invalid_json");
  EXPECT_NE(bad.error().message.find("column"), std::string::npos) << bad.error().message;
  EXPECT_EQ(ParseJsonText("   ", 8).error().reason, "invalid_json");
}

TEST(JsonBodyTest, NumberOverflowIsA400NotAnException) {
  // Found by fuzz_json_body: out_of_range escaped the parse_error handler.
  const auto r = ParseJsonText("{\"level\": 1e999999}", 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "invalid_json");
  EXPECT_FALSE(ParseJsonText("222222e222222222", 8).ok());
}

TEST(JsonBodyTest, RejectsNonJsonContentTypes) {
  http::Request r;
  r.headers = {{"Content-Type", "multipart/form-data; boundary=x"}};
  r.body = "{}";
  EXPECT_EQ(ParseJsonBody(r, 8).error().code, ErrorCode::kUnsupportedMedia);
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  EXPECT_TRUE(ParseJsonBody(r, 8).ok());
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};  // curl -d
  EXPECT_TRUE(ParseJsonBody(r, 8).ok());
}

}  // namespace
}  // namespace parley::api
