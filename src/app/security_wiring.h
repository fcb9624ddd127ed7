// Turns the security sections of the configuration into security::SecurityOptions, reading the
// files they name (JWT secret and keys, word and regex lists, the audit HMAC key, which is
// created when missing). Used by `serve` and the security CLI commands; start-up only.
#pragma once

#include <string>

#include "config/config.h"
#include "security/security_layer.h"
#include "util/result.h"

namespace parley::app {

Result<security::SecurityOptions> SecurityOptionsFrom(const config::Config& cfg);

// Start-up rule: "" when the bind address and the security settings go together, else the
// reason to refuse to start (exit 78): a non-loopback listener needs credentials.
std::string ExposureProblem(const config::Config& cfg, const security::SecurityOptions& o);

// Reads a whole file; a trailing newline is dropped when trim is set.
Result<std::string> ReadFileText(const std::string& path, bool trim);

// "90d", "12h", "30m", "45s"; 0 or "never" for no expiry. nullopt when malformed.
std::optional<int64_t> ParseSeconds(const std::string& text);

}  // namespace parley::app
