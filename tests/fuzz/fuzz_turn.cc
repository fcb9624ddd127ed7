// libFuzzer harness: a whole conversation through the dialog pipeline of the example
// customer-service flow (NLU, policy, forms and slot validation, templates, session state,
// handoff, cancel), on a memory store and with no model. Each line of the input is one message
// of the same session, so forms are started, filled, re-asked, left and cancelled in any order.
#include "dialog/assistant.h"
#include "dialog/flow_loader.h"
#include "dialog/nlu.h"
#include "store/memory_store.h"

using namespace parley;

namespace {

struct Pipeline {
  std::shared_ptr<const dialog::Flow> flow;
  std::shared_ptr<const dialog::Nlu> nlu;
};

Pipeline Build() {
  auto loaded = dialog::LoadFlowFile(PARLEY_SOURCE_DIR "/examples/customer_service.yaml");
  if (!loaded.ok()) std::abort();
  auto flow = std::make_shared<const dialog::Flow>(std::move(*loaded.flow));
  return {flow, *dialog::Nlu::Create(*flow, *nlp::Normalizer::Create())};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Pipeline p = Build();
  store::MemoryStore store;
  dialog::Assistant assistant(p.flow, p.nlu, &store, nullptr, nullptr, {});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    // Bad messages (empty, too long, invalid UTF-8) are refused with an error; that is fine.
    (void)assistant.HandleTurn({"fuzz", "", "", std::string(text.substr(start, end - start))});
    start = end + 1;
  }
  return 0;
}
