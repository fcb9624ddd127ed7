// A JSON writer that appends straight to a string: for the shapes written on every request
// (dialog replies, session state), where building an nlohmann::json tree first would cost more
// than the rest of the turn. Commas are placed for you; keys and strings are escaped (invalid
// UTF-8 becomes U+FFFD). The caller nests Begin/End calls correctly.
//
//   JsonWriter w;
//   w.BeginObject().Key("name").String("greet").Key("score").Number(0.9).EndObject();
//   std::string body = w.Take();
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "util/text.h"

namespace parley {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  JsonWriter& Key(std::string_view k) {
    Separate();
    Quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view s) {
    Separate();
    Quote(s);
    return *this;
  }
  JsonWriter& Int(int64_t v) {
    Separate();
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    return *this;
  }
  // Shortest text that reads back as the same double; NaN and infinities (not JSON) as null.
  JsonWriter& Number(double v) {
    Separate();
    if (!std::isfinite(v)) {
      out_ += "null";
      return *this;
    }
    char buf[32];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    return *this;
  }
  JsonWriter& Bool(bool v) {
    Separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonWriter& Null() {
    Separate();
    out_ += "null";
    return *this;
  }
  // An object of string values.
  JsonWriter& StringMap(const std::map<std::string, std::string>& m) {
    BeginObject();
    for (const auto& [k, v] : m) Key(k).String(v);
    return EndObject();
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c) {
    Separate();
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonWriter& Close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  // A comma before every value of a container but the first; none after a key.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_) {
      if (!out_.empty()) out_ += ',';
    }
    first_ = false;
  }
  void Quote(std::string_view s) {
    out_ += '"';
    text::AppendJsonEscaped(out_, s);
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;       // nothing written in the current container yet
  bool after_key_ = false;  // the next value belongs to the key just written
};

}  // namespace parley
