// Small text helpers shared by every layer: UTF-8 validation, JSON string escaping,
// case-insensitive comparison, trimming and number parsing. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::text {

// Offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and
// code points past U+10FFFF are invalid), or npos when the whole input is valid.
size_t FindInvalidUtf8(std::string_view s);
inline bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

// Appends s to out as the contents of a JSON string (no surrounding quotes). Invalid UTF-8
// bytes are replaced by U+FFFD so the output is always valid JSON.
void AppendJsonEscaped(std::string& out, std::string_view s);
std::string JsonQuote(std::string_view s);

// Code points in valid UTF-8 (bytes that do not continue a sequence).
size_t CountCodePoints(std::string_view s);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);
std::string_view Trim(std::string_view s);
// {"a", "b"}, ", " -> "a, b".
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

std::optional<int64_t> ParseInt(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

}  // namespace parley::text
