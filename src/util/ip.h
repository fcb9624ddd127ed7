// IP addresses and CIDR ranges, IPv4 and IPv6. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
// are normalised to IPv4 so one rule covers both spellings. Values are immutable; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::ip {

struct Address {
  bool v4 = true;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4

  std::string ToString() const;
  bool operator==(const Address&) const = default;
};

std::optional<Address> ParseAddress(std::string_view text);

struct Cidr {
  Address base;
  int prefix = 32;

  bool Contains(const Address& a) const;
  std::string ToString() const;
};

// Accepts "10.0.0.0/8", "::1/128" and bare addresses (a full-length prefix).
std::optional<Cidr> ParseCidr(std::string_view text);

class CidrSet {
 public:
  CidrSet() = default;
  explicit CidrSet(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}
  bool Contains(const Address& a) const;
  bool Contains(std::string_view address_text) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<Cidr> ranges_;
};

}  // namespace parley::ip
