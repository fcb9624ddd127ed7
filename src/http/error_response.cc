#include "http/error_response.h"

#include "util/text.h"

namespace parley::http {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kRequestTimeout:
      return 408;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMedia:
      return 415;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kHeaderTooLarge:
      return 431;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnimplemented:
      return 501;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
  }
  return 500;
}

std::string_view ErrorType(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return "authentication_error";
    case ErrorCode::kPermissionDenied:
      return "permission_error";
    case ErrorCode::kNotFound:
      return "not_found_error";
    case ErrorCode::kResourceExhausted:
      return "rate_limit_error";
    case ErrorCode::kInternal:
    case ErrorCode::kUnimplemented:
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded:
      return "server_error";
    default:
      return "invalid_request_error";
  }
}

std::string_view DefaultReason(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_request";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kRequestTimeout:
      return "request_timeout";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kPayloadTooLarge:
      return "body_too_large";
    case ErrorCode::kUnsupportedMedia:
      return "unsupported_media_type";
    case ErrorCode::kResourceExhausted:
      return "rate_limit_exceeded";
    case ErrorCode::kHeaderTooLarge:
      return "header_too_large";
    case ErrorCode::kInternal:
      return "internal_error";
    case ErrorCode::kUnimplemented:
      return "not_implemented";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
  }
  return "error";
}

std::string ErrorBody(const Error& error) {
  std::string out = "{\"error\":{\"message\":";
  out += text::JsonQuote(error.message);
  out += ",\"type\":";
  out += text::JsonQuote(ErrorType(error.code));
  out += ",\"param\":";
  out += error.param.empty() ? std::string("null") : text::JsonQuote(error.param);
  out += ",\"code\":";
  out += text::JsonQuote(error.reason.empty() ? DefaultReason(error.code) : error.reason);
  out += "}}";
  return out;
}

Response ErrorResponse(const Error& error) {
  return Response::Json(HttpStatus(error.code), ErrorBody(error));
}

}  // namespace parley::http
