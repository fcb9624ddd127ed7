// Error values and Result<T>: how every layer reports failure without exceptions.
// An Error carries a canonical code (mapped to an HTTP status in exactly one place,
// http/error_response.cc), a human message, and a short machine-readable reason such as
// "invalid_json". Values are plain data: copy them freely between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace parley {

enum class ErrorCode {
  kInvalidArgument,    // the client sent something malformed or out of range
  kUnauthenticated,    // no or bad credentials
  kPermissionDenied,   // credentials lack the needed scope
  kNotFound,           // route, model, document... does not exist
  kMethodNotAllowed,   // route exists, method does not
  kConflict,           // state conflict (duplicate, already exists)
  kRequestTimeout,     // the client was too slow to send its request
  kPayloadTooLarge,    // body over its limit
  kUnsupportedMedia,   // body of a type the route does not take
  kHeaderTooLarge,     // header section over its size or count limit
  kResourceExhausted,  // a per-client limit (rate limit) was hit
  kUnavailable,        // the server is overloaded, draining or not ready
  kDeadlineExceeded,   // an operation inside the server timed out
  kUnimplemented,      // a feature that is not built in
  kInternal,           // a bug or an unexpected failure
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string reason;  // machine-readable, e.g. "invalid_json"; empty = derived from code
  std::string param;   // the offending field, when there is one
};

inline Error MakeError(ErrorCode code, std::string message, std::string reason = {},
                       std::string param = {}) {
  return Error{code, std::move(message), std::move(reason), std::move(param)};
}

// Either an Error or nothing: `Status s = Do(); if (!s.ok()) return s;`.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

// Either a T or an Error, in the style of absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(status.error()) {}  // NOLINT: only for failed statuses

  bool ok() const { return v_.index() == 0; }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  Status status() const { return ok() ? Status() : Status(error()); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace parley
