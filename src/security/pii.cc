#include "security/pii.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "util/ip.h"

namespace parley::security {
namespace {

struct Cp {
  uint32_t cp = 0;
  size_t len = 1;
};

// Decodes one code point; invalid bytes come back as U+FFFD of length 1.
Cp Decode(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  size_t len = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return {0xFFFD, 1};
  uint32_t cp = b0 & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

int DigitValue(uint32_t cp) {
  if (cp >= '0' && cp <= '9') return static_cast<int>(cp - '0');
  if (cp >= 0xFF10 && cp <= 0xFF19) return static_cast<int>(cp - 0xFF10);
  return -1;
}
bool IsSep(uint32_t cp) { return cp == ' ' || cp == '-' || cp == 0x3000 || cp == 0xFF0D; }
bool IsPlus(uint32_t cp) { return cp == '+' || cp == 0xFF0B; }
bool IsX(uint32_t cp) { return cp == 'X' || cp == 'x' || cp == 0xFF38 || cp == 0xFF58; }
bool IsAsciiAlnum(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAlnumByte(char c) { return IsAsciiAlnum(static_cast<unsigned char>(c)); }

// The code point ending at byte i (exclusive), 0 at the start, U+FFFD when the bytes before i
// are not one whole UTF-8 character (the same answer whether or not the text was cut at i).
uint32_t Before(std::string_view s, size_t i) {
  if (i == 0) return 0;
  size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80 && i - j < 4) --j;
  const Cp c = Decode(s, j);
  return j + c.len == i ? c.cp : 0xFFFD;
}

bool IsMobile(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

std::optional<PiiKind> Classify(std::string_view d, bool x) {
  if (x) {
    if (d.size() != 17) return std::nullopt;
    char id[18];
    d.copy(id, 17);
    id[17] = 'X';
    if (ValidIdNumber(std::string_view(id, 18))) return PiiKind::kIdNumber;
    return std::nullopt;
  }
  const size_t n = d.size();
  if (n == 18 && ValidIdNumber(d)) return PiiKind::kIdNumber;
  if (IsMobile(d)) return PiiKind::kMobile;
  if (n == 13 && d.compare(0, 2, "86") == 0 && IsMobile(std::string_view(d).substr(2))) {
    return PiiKind::kMobile;
  }
  if (n == 15 && d.compare(0, 4, "0086") == 0 && IsMobile(std::string_view(d).substr(4))) {
    return PiiKind::kMobile;
  }
  if (n >= 13 && n <= 19 && LuhnValid(d)) return PiiKind::kBankCard;
  return std::nullopt;
}

// A group's digits are digits[first, first + count) of its run, ASCII whatever their width.
struct Group {
  size_t begin = 0, end = 0;
  size_t first = 0, count = 0;
};

// Digit runs: groups of digits joined by single separators, maybe a leading '+', maybe a
// trailing X (ID numbers). Windows of consecutive groups are classified, longest first.
void FindNumbers(std::string_view s, std::vector<PiiSpan>& out) {
  // Bytes that may start a number: ASCII digits, '+', and any non-ASCII byte (full-width forms).
  static constexpr auto kMayStart = [] {
    std::array<bool, 256> t{};
    for (int b = '0'; b <= '9'; ++b) t[b] = true;
    t['+'] = true;
    for (int b = 0x80; b < 256; ++b) t[b] = true;
    return t;
  }();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !kMayStart[static_cast<unsigned char>(s[i])]) ++i;
    if (i == s.size()) break;
    Cp c = Decode(s, i);
    const bool plus =
        IsPlus(c.cp) && i + c.len < s.size() && DigitValue(Decode(s, i + c.len).cp) >= 0;
    if ((DigitValue(c.cp) < 0 && !plus) || IsAsciiAlnum(Before(s, i)) ||
        DigitValue(Before(s, i)) >= 0) {
      i += c.len;
      continue;
    }
    const size_t run_begin = i;
    if (plus) i += c.len;
    // Reused across runs and calls: a run costs no allocation once these have grown.
    thread_local std::vector<Group> groups;
    thread_local std::string digits;
    groups.assign(1, Group{i, i, 0, 0});
    digits.clear();
    bool x = false;
    size_t x_end = 0;
    while (i < s.size()) {
      c = Decode(s, i);
      if (const int v = DigitValue(c.cp); v >= 0) {
        digits += static_cast<char>('0' + v);
        ++groups.back().count;
        i += c.len;
        groups.back().end = i;
        continue;
      }
      if (IsSep(c.cp) && i + c.len < s.size() && DigitValue(Decode(s, i + c.len).cp) >= 0) {
        i += c.len;
        groups.push_back({i, i, digits.size(), 0});
        continue;
      }
      if (IsX(c.cp)) {
        x = true;
        x_end = i + c.len;
      }
      break;
    }
    const size_t run_end = x ? x_end : i;
    if (run_end < s.size() && IsAsciiAlnum(Decode(s, run_end).cp)) {
      i = run_end;
      continue;  // glued to a word: an identifier, not a number
    }
    for (size_t a = 0; a < groups.size();) {
      bool matched = false;
      for (size_t b = groups.size(); b-- > a;) {
        // Consecutive groups' digits are adjacent in `digits`.
        const size_t first = groups[a].first;
        const std::string_view d(digits.data() + first, groups[b].first + groups[b].count - first);
        if (d.size() > 19) continue;
        const bool with_x = x && b + 1 == groups.size();
        if (const auto kind = Classify(d, with_x)) {
          const size_t begin = (a == 0 && plus) ? run_begin : groups[a].begin;
          out.push_back({begin, with_x ? x_end : groups[b].end, *kind});
          a = b + 1;
          matched = true;
          break;
        }
      }
      if (!matched) ++a;
    }
    i = run_end;
  }
}

// Loopback and unspecified addresses name no one; masking them would only hide which
// interface a server listens on.
bool Anonymous(std::string_view text) {
  const auto a = ip::ParseAddress(text);
  if (!a) return false;
  if (a->v4)
    return a->bytes[0] == 127 || (a->bytes[0] | a->bytes[1] | a->bytes[2] | a->bytes[3]) == 0;
  for (int i = 0; i < 15; ++i) {
    if (a->bytes[i] != 0) return false;
  }
  return a->bytes[15] <= 1;
}

void FindIpv4(std::string_view s, std::vector<PiiSpan>& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    while (i < s.size() && static_cast<unsigned char>(s[i] - '0') > 9) ++i;
    if (i == s.size()) break;
    if (i > 0 && (IsAlnumByte(s[i - 1]) || s[i - 1] == '.')) continue;
    size_t j = i;
    int octets = 0;
    bool ok = true;
    while (octets < 4 && ok) {
      int v = 0, n = 0;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9' && n < 4) v = v * 10 + (s[j++] - '0'), ++n;
      ok = n >= 1 && n <= 3 && v <= 255;
      ++octets;
      if (ok && octets < 4) {
        ok = j < s.size() && s[j] == '.';
        ++j;
      }
    }
    if (!ok || (j < s.size() && (IsAlnumByte(s[j]) ||
                                 (s[j] == '.' && j + 1 < s.size() && IsAlnumByte(s[j + 1]))))) {
      continue;
    }
    if (!Anonymous(s.substr(i, j - i))) out.push_back({i, j, PiiKind::kIp});
    i = j;
  }
}

bool IsHexOrDot(char c) { return IsHex(c) || c == '.'; }

// Whether some run of hex digits, dots and colons holds two colons: every IPv6 address does.
// JSON's "key":"value" colons stand alone, so most text is ruled out by looking at its colons.
bool MayHoldIpv6(std::string_view s) {
  for (size_t c = s.find(':'); c != std::string_view::npos; c = s.find(':', c + 1)) {
    size_t j = c + 1;
    while (j < s.size() && IsHexOrDot(s[j])) ++j;
    if (j < s.size() && s[j] == ':') return true;
  }
  return false;
}

void FindIpv6(std::string_view s, std::vector<PiiSpan>& out) {
  if (!MayHoldIpv6(s)) return;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(IsHex(s[i]) || s[i] == ':') ||
        (i > 0 && (IsAlnumByte(s[i - 1]) || s[i - 1] == ':' || s[i - 1] == '.'))) {
      continue;
    }
    size_t j = i, colons = 0, hex = 0;
    while (j < s.size() && (IsHex(s[j]) || s[j] == ':' || s[j] == '.') && j - i < 64) {
      colons += s[j] == ':';
      hex += IsHex(s[j]);
      ++j;
    }
    size_t end = j;
    while (end > i && s[end - 1] == '.') --end;
    if (colons < 2 || hex == 0 || (j < s.size() && IsAlnumByte(s[j]))) {
      i = j;
      continue;
    }
    const auto text = s.substr(i, end - i);
    if (ip::ParseAddress(text) && !Anonymous(text)) out.push_back({i, end, PiiKind::kIp});
    i = j;
  }
}

bool IsLocalChar(char c) {
  return IsAlnumByte(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

void FindEmails(std::string_view s, std::vector<PiiSpan>& out) {
  for (size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
    size_t b = at;
    while (b > 0 && at - b < 64 && IsLocalChar(s[b - 1])) --b;
    while (b < at && s[b] == '.') ++b;
    if (b == at) continue;
    size_t e = at + 1;
    while (e < s.size() && e - at < 254 && (IsAlnumByte(s[e]) || s[e] == '.' || s[e] == '-')) ++e;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) --e;
    const auto domain = s.substr(at + 1, e - at - 1);
    const size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain.find("..") != domain.npos) continue;
    const auto tld = domain.substr(dot + 1);
    if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        })) {
      continue;
    }
    out.push_back({b, e, PiiKind::kEmail});
  }
}

bool IsPiiChar(uint32_t cp) {
  return IsAsciiAlnum(cp) || cp == '.' || cp == '_' || cp == '%' || IsPlus(cp) || IsSep(cp) ||
         cp == '@' || cp == ':' || DigitValue(cp) >= 0 || IsX(cp);
}

}  // namespace

std::string_view PiiLabel(PiiKind kind) {
  switch (kind) {
    case PiiKind::kMobile:
      return "[mobile]";
    case PiiKind::kIdNumber:
      return "[id_number]";
    case PiiKind::kBankCard:
      return "[bank_card]";
    case PiiKind::kEmail:
      return "[email]";
    case PiiKind::kIp:
      return "[ip]";
  }
  return "[pii]";
}

bool ValidIdNumber(std::string_view d) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  if (d.size() != 18 || d[0] < '1' || d[0] > '9') return false;
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (d[i] < '0' || d[i] > '9') return false;
    sum += (d[i] - '0') * kWeights[i];
  }
  const char last = d[17] == 'x' ? 'X' : d[17];
  return kCheck[sum % 11] == last;
}

bool LuhnValid(std::string_view d) {
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    if (d[i] < '0' || d[i] > '9') return false;
    int v = d[i] - '0';
    if (dbl && (v *= 2) > 9) v -= 9;
    sum += v;
    dbl = !dbl;
  }
  return !d.empty() && sum % 10 == 0;
}

namespace {
// Every kind needs an ASCII or full-width digit (U+FF10-FF19 is EF BC 90-99 in UTF-8), an '@'
// (e-mail) or a ':' (IPv6 of hex letters only); most chat messages have none of them.
bool MayHoldPii(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c >= '0' && c <= '9') || c == '@' || c == ':') return true;
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
        static_cast<unsigned char>(s[i + 2]) >= 0x90 &&
        static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      return true;
    }
  }
  return false;
}
}  // namespace

std::vector<PiiSpan> FindPii(std::string_view text) {
  if (!MayHoldPii(text)) return {};
  std::vector<PiiSpan> all;
  FindEmails(text, all);
  FindIpv4(text, all);
  FindIpv6(text, all);
  FindNumbers(text, all);
  std::sort(all.begin(), all.end(), [](const PiiSpan& a, const PiiSpan& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<PiiSpan> out;
  for (auto sp : all) {
    if (!out.empty() && sp.begin < out.back().end) {
      // An e-mail whose local part runs into the previous item ("13812345678.li@x.cn")
      // keeps the part after it, so masking never leaves an address behind.
      if (sp.kind != PiiKind::kEmail) continue;
      const size_t at = text.find('@', sp.begin);
      size_t b = out.back().end;
      while (b < at && text[b] == '.') ++b;
      if (at == std::string_view::npos || b >= at || !IsLocalChar(text[b])) continue;
      for (size_t k = b; k < at; ++k) {
        if (!IsLocalChar(text[k])) b = at;
      }
      if (b >= at) continue;
      sp.begin = b;
    }
    out.push_back(sp);
  }
  return out;
}

std::string MaskPii(std::string_view text) {
  const auto spans = FindPii(text);
  if (spans.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (const auto& sp : spans) {
    out.append(text.substr(pos, sp.begin - pos));
    out.append(PiiLabel(sp.kind));
    pos = sp.end;
  }
  out.append(text.substr(pos));
  return out;
}

bool ContainsPii(std::string_view text) { return !FindPii(text).empty(); }

size_t PiiHoldback(std::string_view s) {
  const size_t n = s.size();
  size_t start = n > kMaxPiiHoldback ? n - kMaxPiiHoldback : 0;
  while (start < n && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) ++start;
  size_t safe = start;
  uint32_t prev = 0;
  // A character cut off by the end of the chunk: unknown yet, so nothing from it on is safe.
  const auto truncated = [&](size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0xC0 || lead > 0xF7) return false;  // ASCII, or a stray byte: not a cut
    const size_t want = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    if (i + want <= n) return false;
    for (size_t k = i + 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) return false;
    }
    return true;
  };
  for (size_t i = start; i < n;) {
    const Cp c = Decode(s, i);
    if (truncated(i)) break;
    const size_t after = i + c.len;
    if (!IsPiiChar(c.cp)) {
      safe = after;
    } else if (c.cp == ' ' || c.cp == 0x3000) {
      // A space ends a token unless it may sit inside a number ("138 1234 5678").
      const bool digit_before = DigitValue(prev) >= 0;
      const bool more = after < n && !truncated(after);
      const uint32_t next = more ? Decode(s, after).cp : 0;
      if (more && !(digit_before && (DigitValue(next) >= 0 || IsPlus(next)))) safe = after;
    }
    prev = c.cp;
    i = after;
  }
  return n - safe;
}

std::string PiiVault::Mask(std::string_view text) {
  const auto spans = FindPii(text);
  std::string out;
  size_t pos = 0;
  for (const auto& sp : spans) {
    out.append(text.substr(pos, sp.begin - pos));
    values_.emplace_back(text.substr(sp.begin, sp.end - sp.begin));
    out += "[PII_" + std::to_string(values_.size()) + "]";
    pos = sp.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::string PiiVault::Restore(std::string_view reply) const {
  std::string out;
  size_t pos = 0;
  for (size_t at = reply.find("[PII_"); at != std::string_view::npos;
       at = reply.find("[PII_", at + 1)) {
    size_t j = at + 5, n = 0;
    while (j < reply.size() && reply[j] >= '0' && reply[j] <= '9' && j - at < 12) {
      n = n * 10 + static_cast<size_t>(reply[j++] - '0');
    }
    if (j >= reply.size() || reply[j] != ']' || n == 0 || n > values_.size()) continue;
    out.append(reply.substr(pos, at - pos));
    out += values_[n - 1];
    pos = j + 1;
  }
  out.append(reply.substr(pos));
  return out;
}

}  // namespace parley::security
