// API keys: created by `parley keys create` (or the admin API), printed once, stored only as a
// SHA-256 hash in a SQLite table. A key reads `pk_<12 hex id>_<43 base64url secret>`: the id
// finds the row, the hash of the whole key is compared in constant time.
//
// KeyStore owns one SQLite connection and an in-memory copy of the table so the request path
// does not query SQLite: the copy is reloaded when another process (the CLI) has committed a
// change (PRAGMA data_version, checked at most once per second) and after this store's own
// writes. Last-used times are kept in memory and written back at most every 10 seconds.
// All methods are thread-safe (one mutex); Verify() does no I/O except that periodic check.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "security/scopes.h"
#include "util/result.h"

namespace parley::security {

struct KeyInfo {
  std::string id;
  std::string name;
  Scopes scopes = 0;
  int64_t created_at = 0;    // unix seconds
  int64_t expires_at = 0;    // 0: never
  int64_t revoked_at = 0;    // 0: live
  int64_t last_used_at = 0;  // 0: never used
  std::string rotated_from;  // the key this one replaced, if any
  std::string hash;          // hex SHA-256 of the key; never leaves this class in answers

  bool LiveAt(int64_t now) const {
    return revoked_at == 0 && (expires_at == 0 || now < expires_at);
  }
};

struct CreatedKey {
  KeyInfo info;
  std::string key;  // the only time the secret exists outside the caller's hands
};

// "90d", "12h", "30m", "45s"; "0" or "never" for no expiry. nullopt when malformed.
std::optional<int64_t> ParseLifetimeSeconds(std::string_view text);

class KeyStore {
 public:
  // Opens (creating the file, its folder and the table when missing) the database at path.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& path);
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // ttl_seconds 0: never expires.
  Result<CreatedKey> Create(const std::string& name, Scopes scopes, int64_t ttl_seconds,
                            int64_t now);
  // A new key with the same name and scopes; the old one stays valid for `grace_seconds` more
  // (two live keys while clients switch over), then expires.
  Result<CreatedKey> Rotate(const std::string& id, int64_t grace_seconds, int64_t now);
  Status Revoke(const std::string& id, int64_t now);
  Result<std::vector<KeyInfo>> List();  // hashes cleared

  // The live key matching `presented`, or kUnauthenticated (malformed, unknown, wrong secret,
  // revoked and expired all give the same error, so callers cannot tell them apart).
  Result<KeyInfo> Verify(std::string_view presented, int64_t now);

  // Writes pending last-used times now (also done periodically and on destruction).
  void FlushLastUsed();

  static bool LooksLikeKey(std::string_view s);
  static std::string HashKey(std::string_view key);

 private:
  explicit KeyStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Status LoadLocked();
  void MaybeRefreshLocked(int64_t now_ms);
  void FlushLocked();
  int64_t DataVersionLocked();
  Result<CreatedKey> InsertLocked(const std::string& name, Scopes scopes, int64_t expires_at,
                                  const std::string& rotated_from, int64_t now);

  std::mutex mu_;
  sqlite3* db_;
  std::unordered_map<std::string, KeyInfo> keys_;          // by id
  std::unordered_map<std::string, int64_t> pending_used_;  // id -> last used, not yet written
  int64_t data_version_ = -1;
  int64_t last_check_ms_ = 0;
  int64_t last_flush_ms_ = 0;
};

}  // namespace parley::security
