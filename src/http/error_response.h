// The one place that maps error codes to HTTP statuses and to the OpenAI-style error body
// {"error":{"message":...,"type":...,"param":...,"code":...}}. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"
#include "util/result.h"

namespace parley::http {

int HttpStatus(ErrorCode code);
std::string_view ErrorType(ErrorCode code);      // "invalid_request_error", "server_error", ...
std::string_view DefaultReason(ErrorCode code);  // used when Error::reason is empty
std::string ErrorBody(const Error& error);
Response ErrorResponse(const Error& error);

}  // namespace parley::http
