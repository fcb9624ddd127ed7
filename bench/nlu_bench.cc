// NLU time per message on a 100-intent flow (target < 50 µs): normalisation, intent
// classification, entity extraction and sentiment, as the assistant runs them for every turn.
// The flow is generated: 10 actions x 10 products, 5 Chinese/English patterns each.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include "dialog/assistant.h"
#include "dialog/flow_loader.h"
#include "dialog/nlu.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace {

using parley::dialog::Nlu;

const char* kActions[][3] = {{"查询", "价格", "price of"}, {"购买", "下单", "buy"},
                             {"退货", "退掉", "return"},   {"换货", "更换", "exchange"},
                             {"维修", "修理", "repair"},   {"保修", "质保", "warranty for"},
                             {"评价", "评论", "review"},   {"配送", "送货", "deliver"},
                             {"库存", "有货", "stock of"}, {"优惠", "打折", "discount on"}};
const char* kProducts[][2] = {{"手机", "phone"}, {"电脑", "laptop"},  {"耳机", "headphones"},
                              {"手表", "watch"}, {"相机", "camera"},  {"平板", "tablet"},
                              {"电视", "tv"},    {"音箱", "speaker"}, {"键盘", "keyboard"},
                              {"鼠标", "mouse"}};

std::string HundredIntentFlow() {
  std::string yaml = "intents:\n";
  for (int a = 0; a < 10; ++a) {
    for (int p = 0; p < 10; ++p) {
      const std::string zh = kProducts[p][0], en = kProducts[p][1];
      yaml += "  - name: i" + std::to_string(a) + "_" + std::to_string(p) + "\n    patterns: [";
      yaml += std::string(kActions[a][0]) + zh + ", 我想" + kActions[a][1] + "这个" + zh + ", " +
              zh + "能" + kActions[a][0] + "吗, " + kActions[a][2] + " the " + en + ", i want to " +
              kActions[a][2] + " my " + en + "]\n    response: ok\n";
    }
  }
  return yaml;
}

const std::vector<std::string> kMessages = {"我想退掉这个耳机，订单12345678",
                                            "how much is the price of the camera?",
                                            "手机坏了能修理吗",
                                            "明天能送货到北京吗？",
                                            "i want to return my headphones, they are broken",
                                            "平板电脑有货吗",
                                            "键盘打折吗 ¥199",
                                            "给我讲个笑话",
                                            "請問相機可以換貨嗎",
                                            "what's the weather like today"};

std::shared_ptr<const Nlu> Build() {
  auto loaded = parley::dialog::LoadFlowText(HundredIntentFlow(), "bench.yaml");
  if (!loaded.ok()) {
    std::fprintf(stderr, "flow: %s\n", loaded.issues.at(0).ToString().c_str());
    std::abort();
  }
  auto n = parley::nlp::Normalizer::Create();
  return *Nlu::Create(*loaded.flow, *n);
}

void BM_NluPerMessage100Intents(benchmark::State& state) {
  static const auto nlu = Build();
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(nlu->Analyze(kMessages[i++ % kMessages.size()], today));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NluPerMessage100Intents);

void BM_TrainHundredIntents(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Build());
}
BENCHMARK(BM_TrainHundredIntents)->Unit(benchmark::kMillisecond);

// One rule-answered turn through the Assistant: NLU, policy, state encoding and the store write
// (arg 0: memory store, 1: SQLite file in WAL mode), on the example flow.
void BM_RuleTurn(benchmark::State& state) {
  auto loaded = parley::dialog::LoadFlowFile(PARLEY_SOURCE_DIR "/examples/customer_service.yaml");
  auto flow = std::make_shared<const parley::dialog::Flow>(*loaded.flow);
  auto nlu = *Nlu::Create(*flow, *parley::nlp::Normalizer::Create());
  std::unique_ptr<parley::store::SessionStore> store;
  std::string path = "/tmp/parley_bench_";  // appended: GCC 12 warns falsely on a + chain
  path += std::to_string(getpid());
  path += ".db";
  if (state.range(0) == 0) {
    store = std::make_unique<parley::store::MemoryStore>();
  } else {
    store = std::move(parley::store::SqliteStore::Open(path).value());
  }
  parley::dialog::Assistant assistant(flow, nlu, store.get(), nullptr, nullptr, {});
  int64_t i = 0;
  for (auto _ : state) {
    std::string session = "s";
    session += std::to_string(i % 100);
    auto r = assistant.HandleTurn({std::move(session), "", "", "运费多少"});
    benchmark::DoNotOptimize(r);
    ++i;
  }
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}
BENCHMARK(BM_RuleTurn)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
