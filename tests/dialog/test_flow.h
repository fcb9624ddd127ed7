// Test helpers: a flow from YAML text, and the NLU built from it.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "dialog/flow_loader.h"
#include "dialog/nlu.h"

namespace parley::dialog {

inline std::shared_ptr<const Flow> FlowFromYaml(const std::string& yaml) {
  auto l = LoadFlowText(yaml, "test.yaml");
  std::string issues;
  for (const auto& i : l.issues) issues += i.ToString() + "\n";
  EXPECT_TRUE(l.ok()) << issues;
  if (!l.ok()) return nullptr;
  return std::make_shared<const Flow>(std::move(*l.flow));
}

// FlowFromYaml of `yaml` with its first `placeholder` replaced by `text`.
inline std::shared_ptr<const Flow> FlowFromYamlWith(std::string yaml, std::string_view placeholder,
                                                    std::string_view text) {
  yaml.replace(yaml.find(placeholder), placeholder.size(), text);
  return FlowFromYaml(yaml);
}

inline std::shared_ptr<const Nlu> NluFor(const Flow& flow) {
  auto n = nlp::Normalizer::Create();
  EXPECT_TRUE(n.ok());
  auto nlu = Nlu::Create(flow, *n);
  EXPECT_TRUE(nlu.ok());
  return *nlu;
}

inline std::chrono::sys_days Day(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days(std::chrono::year_month_day{
      std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)});
}

// A small shop flow shared by the NLU, policy and assistant tests. The intent library is off:
// these tests are about the policy and the classifier's own signals, which should not move when
// the library's messages are edited (intent_library_test.cc covers the library).
inline constexpr char kShopFlow[] = R"(
intent_library: false
persona: {name: Ada, system_prompt: You help shoppers., style: brief, language: zh}
fallback: 没听懂
handoff_response: 转人工中
entities:
  - name: order_id
    pattern: '\b\d{8,12}\b'
  - name: reason
    values:
      - {value: damaged, synonyms: [坏了, 破损, broken]}
      - {value: size, synonyms: [尺码不对, too small]}
intents:
  - name: greet
    patterns: [你好, 您好, hello, hi there]
    responses: [你好呀, 您好, 嗨]
  - name: order_status
    patterns: [我的订单到哪了, 查一下订单状态, where is my order, track my order]
    slots:
      - {name: order_id, entity: order_id, question: 请提供订单号, invalid: 订单号格式不对}
    response: "订单 {order_id} 运输中"
  - name: return_request
    patterns: [我要退货, 申请退货, i want to return an item, start a return]
    slots:
      - {name: order_id, entity: order_id, question: 退哪个订单？}
      - {name: reason, entity: reason, question: 退货原因？}
      - {name: note, question: 备注？, required: false}
    response: "订单 {order_id} 退货已受理（{reason}）"
  - name: shipping_fee
    patterns: [运费多少, 包邮吗, how much is shipping, is shipping free]
    response: 满99包邮
  - name: refund
    patterns: [退款什么时候到, 退款进度, when will i get my refund]
    responses:
      - text: 退款1-3天到账
      - text: 别着急，退款1-3天到账
        when: emotion == anger
  - name: chat
    patterns: [陪我聊聊天, talk with me]
    response: 好呀
    llm: true
  - name: agent
    patterns: [转人工, 人工客服, talk to a human]
    action: handoff
  - name: cancel
    patterns: [取消, 算了, cancel]
    action: cancel
)";

}  // namespace parley::dialog
