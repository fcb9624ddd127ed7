// PII detection and masking: Chinese mobile numbers (with +86/0086, separators and full-width
// digits), 18-digit resident ID numbers (checksum verified), bank card numbers (Luhn),
// e-mail addresses and IPv4/IPv6 addresses. One left-to-right pass per detector, linear in the
// input. Used on every log line and audit record, and (optionally) on text sent upstream with
// placeholders restored in the reply. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::security {

enum class PiiKind { kMobile, kIdNumber, kBankCard, kEmail, kIp };
std::string_view PiiLabel(PiiKind kind);  // "[mobile]", "[id_number]", ...

struct PiiSpan {
  size_t begin = 0, end = 0;  // byte offsets into the scanned text
  PiiKind kind = PiiKind::kMobile;
};

// Non-overlapping spans in order of position.
std::vector<PiiSpan> FindPii(std::string_view text);
// Every span replaced by its label.
std::string MaskPii(std::string_view text);
bool ContainsPii(std::string_view text);

// For streaming: how many trailing bytes of `text` could be the start of a PII item that the
// next chunk completes (at most kMaxPiiHoldback). The rest can be masked and sent now.
inline constexpr size_t kMaxPiiHoldback = 256;
size_t PiiHoldback(std::string_view text);

// Placeholders for text sent to an upstream model: spans become "[PII_1]", "[PII_2]"...;
// Restore() puts the originals back into the reply. Not thread-safe (one per request).
class PiiVault {
 public:
  std::string Mask(std::string_view text);
  std::string Restore(std::string_view reply) const;
  size_t size() const { return values_.size(); }

 private:
  std::vector<std::string> values_;
};

// Exposed for tests.
bool ValidIdNumber(std::string_view ascii18);
bool LuhnValid(std::string_view digits);

}  // namespace parley::security
