// libFuzzer harness: any bytes as a user's message through the NLU of the example
// customer-service flow (normalisation, OpenCC, ICU word breaks, the concept and domain tables,
// the classifier, every entity finder, sentiment). The API rejects invalid UTF-8 and control
// characters before this point; the NLU is still fed them here, since nothing it does with a
// message may depend on that check having run.
#include "dialog/flow_loader.h"
#include "dialog/nlu.h"

using namespace parley;

namespace {

std::shared_ptr<const dialog::Nlu> Build() {
  auto loaded = dialog::LoadFlowFile(PARLEY_SOURCE_DIR "/examples/customer_service.yaml");
  if (!loaded.ok()) std::abort();
  return *dialog::Nlu::Create(*loaded.flow, *nlp::Normalizer::Create());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto nlu = Build();
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  nlu->Analyze(std::string_view(reinterpret_cast<const char*>(data), size), today);
  return 0;
}
