#include <gtest/gtest.h>

#include "dialog/flow_loader.h"
#include "dialog/template.h"

namespace parley::dialog {
namespace {

// The file users already have: it must load exactly as written.
constexpr char kMinimalJson[] =
    R"({"intents":[{"name":"greet","patterns":["你好","嗨"],"response":"今天想聊些什么呢?"},
{"name":"mood_check","patterns":["你心情怎么样","今天开心吗"],"response_template":"作为AI,我没有真实情绪,但很乐意倾听你的心情~"}]})";

std::string Issues(const LoadedFlow& l) {
  std::string out;
  for (const auto& i : l.issues) out += i.ToString() + "\n";
  return out;
}

TEST(FlowLoaderTest, LoadsTheMinimalJsonExactlyAsWritten) {
  const auto l = LoadFlowText(kMinimalJson, "flow.json");
  ASSERT_TRUE(l.ok()) << Issues(l);
  EXPECT_TRUE(l.issues.empty()) << Issues(l);
  ASSERT_EQ(l.flow->intents.size(), 2u);
  EXPECT_EQ(l.flow->intents[0].name, "greet");
  EXPECT_EQ(l.flow->intents[0].patterns, (std::vector<std::string>{"你好", "嗨"}));
  ASSERT_EQ(l.flow->intents[1].responses.size(), 1u);
  EXPECT_EQ(l.flow->intents[1].responses[0].text, "作为AI,我没有真实情绪,但很乐意倾听你的心情~");
}

TEST(FlowLoaderTest, LoadsYamlWithEveryExtension) {
  const auto l = LoadFlowText(R"(
persona: {name: Ada, system_prompt: Be kind., style: warm, language: zh}
thresholds: {intent: 0.6, margin: 0.1}
fallback: [没听懂, "Sorry?"]
entities:
  - name: order_id
    pattern: '\d{8}'
  - name: color
    values: [{value: red, synonyms: [红色, 红]}, blue]
intents:
  - name: order
    patterns: [查订单]
    keywords: [订单]
    slots:
      - {name: order_id, entity: order_id, question: 订单号？, invalid: 不对}
      - {name: color, entity: color, question: 颜色？, required: false, choices: [red, blue]}
    responses:
      - text: "订单 {order_id} 好了"
      - text: "别难过，订单 {order_id} 好了"
        when: emotion == sadness
  - name: agent
    patterns: [人工]
    action: handoff
)",
                              "flow.yaml");
  ASSERT_TRUE(l.ok()) << Issues(l);
  const Flow& f = *l.flow;
  EXPECT_EQ(f.persona.name, "Ada");
  EXPECT_DOUBLE_EQ(f.threshold, 0.6);
  EXPECT_DOUBLE_EQ(f.margin, 0.1);
  EXPECT_EQ(f.fallback.size(), 2u);
  ASSERT_EQ(f.entities.size(), 2u);
  EXPECT_EQ(f.entities[1].values[0].synonyms.size(), 2u);
  ASSERT_EQ(f.intents[0].slots.size(), 2u);
  EXPECT_FALSE(f.intents[0].slots[1].required);
  EXPECT_EQ(f.intents[0].responses[1].when[0].value, "sadness");
  EXPECT_EQ(f.intents[1].action, IntentAction::kHandoff);
}

TEST(FlowLoaderTest, ErrorsNameTheIntentAndField) {
  const auto l = LoadFlowText(R"({"intents":[
    {"name":"ok","patterns":["a"],"response":"b"},
    {"name":"broken","patterns":[],"response":"hi {nosuchslot}"},
    {"name":"ok","patterns":["c"]},
    {"name":"typo","pattern":["x"],"response":"y"}]})",
                              "f.json");
  ASSERT_FALSE(l.ok());
  const std::string all = Issues(l);
  EXPECT_NE(all.find(R"(intents[1] "broken": field "patterns": empty)"), std::string::npos) << all;
  EXPECT_NE(all.find(R"(intents[1] "broken": field "response": unknown variable {nosuchslot})"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(R"(intents[2] "ok": field "name": duplicate intent name)"), std::string::npos)
      << all;
  EXPECT_NE(all.find(R"(intents[2] "ok": field "response": missing)"), std::string::npos) << all;
  EXPECT_NE(all.find(R"(warning: intents[3] "typo": field "pattern": unknown field)"),
            std::string::npos)
      << all;
}

TEST(FlowLoaderTest, LibraryAndDomainSwitchesMustBeBooleans) {
  const auto l = LoadFlowText(R"({"intent_library":"no","other_domains":0,"intent_models":"off",
    "intents":[{"name":"x","patterns":["x"],"response":"y"}]})",
                              "f.json");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(Issues(l).find(R"(field "intent_library")"), std::string::npos) << Issues(l);
  EXPECT_NE(Issues(l).find(R"(field "other_domains")"), std::string::npos) << Issues(l);
  EXPECT_NE(Issues(l).find(R"(field "intent_models")"), std::string::npos) << Issues(l);
  const auto ok = LoadFlowText(R"({"other_domains":false,
    "intents":[{"name":"x","patterns":["x"],"response":"y"}]})",
                               "f.json");
  ASSERT_TRUE(ok.ok()) << Issues(ok);
  EXPECT_FALSE(ok.flow->other_domains);
  EXPECT_TRUE(ok.flow->intent_library);
}

TEST(FlowLoaderTest, ExtraFieldsFromOtherToolsOnlyWarn) {
  const auto l = LoadFlowText(R"({"intents":[{"id":7,"name":"hi","utterances":["hello"],)"
                              R"("tags":["x"],"response":"hey"}]})",
                              "f.json");
  ASSERT_TRUE(l.ok()) << Issues(l);
  EXPECT_EQ(l.flow->intents[0].patterns, std::vector<std::string>{"hello"});
  EXPECT_NE(Issues(l).find(R"(warning: intents[0] "hi": field "id")"), std::string::npos)
      << Issues(l);
}

TEST(FlowLoaderTest, RejectsRegexesRe2CannotRunInLinearTime) {
  // Backreferences need backtracking; RE2 refuses them instead of risking exponential time.
  const auto l = LoadFlowText(R"({"entities":[{"name":"rep","pattern":"(a+)\\1"}],
    "intents":[{"name":"x","patterns":["x"],"response":"y"}]})",
                              "f.json");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(Issues(l).find(R"(entities[0] "rep": field "pattern": not a valid RE2 regex)"),
            std::string::npos)
      << Issues(l);
}

TEST(FlowLoaderTest, ReportsSyntaxErrorsAndWrongShapes) {
  EXPECT_NE(Issues(LoadFlowText("{\"intents\": [", "f.json")).find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(Issues(LoadFlowText("intents: [a, b", "f.yaml")).find("not valid YAML"),
            std::string::npos);
  EXPECT_NE(Issues(LoadFlowText("[1,2]", "f.json")).find("top level"), std::string::npos);
  EXPECT_NE(Issues(LoadFlowText("{}", "f.json")).find("intents"), std::string::npos);
  const auto slot = LoadFlowText(R"({"intents":[{"name":"f","patterns":["p"],"response":"r",
      "slots":[{"name":"s","entity":"number"}]}]})",
                                 "f.json");
  EXPECT_NE(Issues(slot).find(R"(intents[0] "f": field "slots[0].question")"), std::string::npos)
      << Issues(slot);
  EXPECT_FALSE(LoadFlowFile("/nonexistent/flow.yaml").ok());
}

TEST(TemplateTest, RendersSlotsAndLiteralBraces) {
  EXPECT_EQ(Render("订单 {order_id} 已发货 {{ok}}", {{"order_id", "123"}}), "订单 123 已发货 {ok}");
  EXPECT_EQ(Render("hi {missing}!", {}), "hi !");
  EXPECT_EQ(Render("{ not a var }", {}), "{ not a var }");
}

TEST(TemplateTest, ConditionsPickVariants) {
  std::string err;
  const std::vector<ResponseVariant> v = {{"plain", {}},
                                          {"sad", {*ParseCondition("emotion == sadness", &err)}}};
  EXPECT_EQ(Choose(v, {{"emotion", "sadness"}}, 0)->text, "sad");
  EXPECT_EQ(Choose(v, {{"emotion", "joy"}}, 0)->text, "plain");
  EXPECT_TRUE(Holds(*ParseCondition("!order_id", &err), {}));
  EXPECT_FALSE(Holds(*ParseCondition("order_id", &err), {{"order_id", ""}}));
  EXPECT_TRUE(Holds(*ParseCondition("channel != web", &err), {{"channel", "app"}}));
  EXPECT_FALSE(ParseCondition("== x", &err).has_value());
  EXPECT_FALSE(err.empty());
}

TEST(TemplateTest, SeedChoosesAmongVariantsReproducibly) {
  const std::vector<ResponseVariant> v = {{"a", {}}, {"b", {}}, {"c", {}}};
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 30; ++seed) seen.insert(Choose(v, {}, seed)->text);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(Choose(v, {}, 7)->text, Choose(v, {}, 7)->text);
}

}  // namespace
}  // namespace parley::dialog
