// libFuzzer harness: parley.yaml text through the configuration loader (YAML parsing, schema
// validation, every key's parser). The dialog flow loader gets its own harness with its layer.
#include "config/loader.h"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  auto loaded = config::LoadText(yaml, "fuzz.yaml", {});
  for (const auto& issue : loaded.issues) issue.ToString();
  return 0;
}
