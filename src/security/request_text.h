// Finds the user-written text in a JSON request body (OpenAI `messages[].content` of user
// turns, `prompt`, `input`, `message`, `query`), runs the input guard over it and, when the
// guard rewrote something (mask, strip), produces the rewritten body. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "security/guard.h"

namespace parley::security {

struct BodyGuardOutcome {
  bool inspected = false;  // false: not JSON, or nothing to check
  GuardResult result;      // combined verdict and findings over every text
  std::string body;        // the rewritten body when result.verdict == kModified
  std::string digest;      // 16 hex chars of SHA-256 over the PII-masked texts
};

BodyGuardOutcome GuardRequestBody(const ContentGuard& guard, std::string_view body,
                                  int max_depth = 64);

}  // namespace parley::security
