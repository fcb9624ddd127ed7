// libFuzzer harness: the PII masker and the streaming output guard. Checks invariants: spans
// are in bounds, ordered and disjoint; streamed output split at any point equals the unsplit
// result; placeholders round-trip. (Masking is not idempotent in contrived inputs: removing an
// item can join neighbouring digit groups into a new candidate, which is then masked too.)
#include "security/guard.h"
#include "security/pii.h"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t last = 0;
  for (const auto& s : security::FindPii(text)) {
    if (s.begin < last || s.end <= s.begin || s.end > text.size()) __builtin_trap();
    last = s.end;
  }
  security::MaskPii(security::MaskPii(text));
  security::PiiHoldback(text);
  static const auto guard = [] {
    security::GuardOptions o;
    o.words = {"secret", "机密"};
    return security::ContentGuard::Create(o).value();
  }();
  const size_t cut = size ? data[0] % (size + 1) : 0;
  security::StreamGuard whole(guard.get()), split(guard.get());
  std::string a = whole.Write(text);
  a += whole.Finish();
  std::string b = split.Write(text.substr(0, cut));
  b += split.Write(text.substr(cut));
  b += split.Finish();
  if (a != b) __builtin_trap();
  security::PiiVault vault;
  const bool has_placeholder = text.find("[PII_") != std::string_view::npos;
  if (!has_placeholder && vault.Restore(vault.Mask(text)) != text) __builtin_trap();
  return 0;
}
