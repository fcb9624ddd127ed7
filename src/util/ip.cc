#include "util/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace parley::ip {

std::optional<Address> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  // Brackets as in "[::1]" and an IPv6 zone ("%eth0") are not part of the address.
  if (text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (const auto pct = text.find('%'); pct != std::string_view::npos) text = text.substr(0, pct);
  char buf[65];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(a.bytes.data(), kMapped, 12) == 0) {
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::memset(a.bytes.data() + 4, 0, 12);
    a.v4 = true;
    return a;
  }
  a.v4 = false;
  return a;
}

std::string Address::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

bool Cidr::Contains(const Address& a) const {
  if (a.v4 != base.v4) return false;
  const int full = prefix / 8;
  if (std::memcmp(a.bytes.data(), base.bytes.data(), full) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a.bytes[full] & mask) == (base.bytes[full] & mask);
}

std::string Cidr::ToString() const { return base.ToString() + "/" + std::to_string(prefix); }

std::optional<Cidr> ParseCidr(std::string_view text) {
  const auto slash = text.find('/');
  const auto addr = ParseAddress(text.substr(0, slash));
  if (!addr) return std::nullopt;
  Cidr c{*addr, addr->v4 ? 32 : 128};
  if (slash != std::string_view::npos) {
    const auto p = text.substr(slash + 1);
    int v = -1;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || v < 0 || v > (addr->v4 ? 32 : 128)) {
      return std::nullopt;
    }
    // An IPv4-mapped range written in IPv6 form ("::ffff:10.0.0.0/104") becomes IPv4.
    if (addr->v4 && text.find(':') != std::string_view::npos) {
      if (v < 96) return std::nullopt;
      v -= 96;
    }
    c.prefix = v;
  }
  return c;
}

bool CidrSet::Contains(const Address& a) const {
  for (const auto& r : ranges_) {
    if (r.Contains(a)) return true;
  }
  return false;
}

bool CidrSet::Contains(std::string_view address_text) const {
  const auto a = ParseAddress(address_text);
  return a && Contains(*a);
}

}  // namespace parley::ip
