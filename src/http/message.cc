#include "http/message.h"

#include "util/text.h"

namespace parley::http {

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (text::EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (text::EqualsIgnoreCase(k, name)) return true;
  }
  return false;
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

std::string Request::QueryParam(std::string_view name, bool* found) const {
  std::string_view q = query;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const auto pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    const auto eq = pair.find('=');
    std::string key;
    if (!PercentDecode(pair.substr(0, eq), &key, true) || key != name) continue;
    std::string value;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), &value, true)) continue;
    if (found) *found = true;
    return value;
  }
  if (found) *found = false;
  return {};
}

bool PercentDecode(std::string_view in, std::string* out, bool form) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (form && c == '+') {
      *out += ' ';
    } else {
      *out += c;
    }
  }
  return true;
}

}  // namespace parley::http
