// Small cryptographic helpers over OpenSSL 3 used by keys, JWT and the audit chain: hashes,
// HMAC, random bytes, base64url and hex codecs, and constant-time comparison. Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::security {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

std::string Hex(std::string_view bytes);
std::string Sha256Hex(std::string_view data);

// Cryptographically secure random bytes (RAND_bytes); aborts the process if the RNG fails,
// since every caller needs unpredictable secrets.
std::string RandomBytes(size_t n);

// RFC 4648 base64url without padding. Decode accepts no padding, no whitespace and no
// characters outside the alphabet, and rejects non-canonical trailing bits.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Time independent of where the inputs differ (CRYPTO_memcmp); different lengths are unequal.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace parley::security
