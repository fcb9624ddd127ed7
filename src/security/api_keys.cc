#include "security/api_keys.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "security/crypto.h"
#include "store/sqlite_stmt.h"

namespace parley::security {
namespace {

constexpr size_t kIdLen = 12;
constexpr size_t kSecretLen = 43;  // 32 random bytes, base64url
constexpr size_t kKeyLen = 3 + kIdLen + 1 + kSecretLen;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Error DbError(sqlite3* db, const std::string& what) {
  return MakeError(ErrorCode::kInternal, what + ": " + sqlite3_errmsg(db), "key_store_error");
}

Error BadKey() {
  return MakeError(ErrorCode::kUnauthenticated, "invalid API key or token", "invalid_api_key");
}

}  // namespace

std::optional<int64_t> ParseLifetimeSeconds(std::string_view t) {
  if (t == "never" || t == "0") return 0;
  if (t.size() < 2) return std::nullopt;
  int64_t n = 0;
  for (char c : t.substr(0, t.size() - 1)) {
    if (c < '0' || c > '9' || n > 1'000'000'000) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return std::nullopt;
  switch (t.back()) {
    case 's':
      return n;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    default:
      return std::nullopt;
  }
}

bool KeyStore::LooksLikeKey(std::string_view s) {
  if (s.size() != kKeyLen || s.substr(0, 3) != "pk_" || s[3 + kIdLen] != '_') return false;
  for (size_t i = 3; i < 3 + kIdLen; ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return Base64UrlDecode(s.substr(4 + kIdLen)).has_value();
}

std::string KeyStore::HashKey(std::string_view key) { return Sha256Hex(key); }

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& path) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Error e = DbError(db, "cannot open key store " + path);
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<KeyStore> store(new KeyStore(db));
  sqlite3_busy_timeout(db, 5000);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  if (Status s = store->Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  if (Status s = store->Exec(
          "CREATE TABLE IF NOT EXISTS api_keys(id TEXT PRIMARY KEY, name TEXT NOT NULL, "
          "hash TEXT NOT NULL, scopes INTEGER NOT NULL, created_at INTEGER NOT NULL, "
          "expires_at INTEGER NOT NULL DEFAULT 0, revoked_at INTEGER NOT NULL DEFAULT 0, "
          "last_used_at INTEGER NOT NULL DEFAULT 0, rotated_from TEXT NOT NULL DEFAULT '')");
      !s.ok()) {
    return s;
  }
  std::lock_guard lock(store->mu_);
  if (Status s = store->LoadLocked(); !s.ok()) return s;
  return store;
}

KeyStore::~KeyStore() {
  {
    std::lock_guard lock(mu_);
    FlushLocked();
  }
  sqlite3_close(db_);
}

Status KeyStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Error e = MakeError(ErrorCode::kInternal, std::string("key store: ") + (err ? err : "error"),
                        "key_store_error");
    sqlite3_free(err);
    return e;
  }
  return Status::Ok();
}

int64_t KeyStore::DataVersionLocked() {
  store::SqliteStmt st(db_, "PRAGMA data_version");
  return st.ok() && st.Step() == SQLITE_ROW ? st.Int(0) : -1;
}

Status KeyStore::LoadLocked() {
  store::SqliteStmt st(
      db_,
      "SELECT id, name, hash, scopes, created_at, expires_at, revoked_at, last_used_at, "
      "rotated_from FROM api_keys");
  if (!st.ok()) return DbError(db_, "cannot read keys");
  std::unordered_map<std::string, KeyInfo> keys;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    KeyInfo k;
    k.id = st.Text(0);
    k.name = st.Text(1);
    k.hash = st.Text(2);
    k.scopes = static_cast<Scopes>(st.Int(3));
    k.created_at = st.Int(4);
    k.expires_at = st.Int(5);
    k.revoked_at = st.Int(6);
    k.last_used_at = st.Int(7);
    k.rotated_from = st.Text(8);
    if (auto it = pending_used_.find(k.id); it != pending_used_.end()) {
      k.last_used_at = std::max(k.last_used_at, it->second);
    }
    keys.emplace(k.id, std::move(k));
  }
  if (rc != SQLITE_DONE) return DbError(db_, "cannot read keys");
  keys_ = std::move(keys);
  data_version_ = DataVersionLocked();
  return Status::Ok();
}

void KeyStore::MaybeRefreshLocked(int64_t now_ms) {
  if (now_ms - last_check_ms_ < 1000) return;
  last_check_ms_ = now_ms;
  if (DataVersionLocked() != data_version_) {
    // On failure the previous copy stays in use; the next check retries.
    (void)LoadLocked();
  }
  if (now_ms - last_flush_ms_ >= 10000) FlushLocked();
}

void KeyStore::FlushLocked() {
  last_flush_ms_ = SteadyMs();
  if (pending_used_.empty()) return;
  if (!Exec("BEGIN").ok()) return;
  for (const auto& [id, t] : pending_used_) {
    store::SqliteStmt st(db_,
                         "UPDATE api_keys SET last_used_at = MAX(last_used_at, ?1) WHERE id = ?2");
    st.Bind(1, t).Bind(2, id).Step();
  }
  if (Exec("COMMIT").ok()) {
    pending_used_.clear();
    data_version_ = DataVersionLocked();
  } else {
    (void)Exec("ROLLBACK");
  }
}

void KeyStore::FlushLastUsed() {
  std::lock_guard lock(mu_);
  FlushLocked();
}

Result<CreatedKey> KeyStore::InsertLocked(const std::string& name, Scopes scopes,
                                          int64_t expires_at, const std::string& rotated_from,
                                          int64_t now) {
  CreatedKey out;
  out.info.id = Hex(RandomBytes(kIdLen / 2));
  out.key = "pk_" + out.info.id + "_" + Base64UrlEncode(RandomBytes(32));
  out.info.name = name;
  out.info.scopes = scopes;
  out.info.created_at = now;
  out.info.expires_at = expires_at;
  out.info.rotated_from = rotated_from;
  out.info.hash = HashKey(out.key);
  store::SqliteStmt st(
      db_,
      "INSERT INTO api_keys(id, name, hash, scopes, created_at, expires_at, rotated_from) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  st.Bind(1, out.info.id).Bind(2, name).Bind(3, out.info.hash).Bind(4, int64_t{scopes});
  st.Bind(5, now).Bind(6, expires_at).Bind(7, rotated_from);
  if (st.Step() != SQLITE_DONE) return DbError(db_, "cannot store the key");
  keys_[out.info.id] = out.info;
  out.info.hash.clear();
  return out;
}

Result<CreatedKey> KeyStore::Create(const std::string& name, Scopes scopes, int64_t ttl_seconds,
                                    int64_t now) {
  if (name.empty() || name.size() > 128) {
    return MakeError(ErrorCode::kInvalidArgument, "a key needs a name of 1-128 characters",
                     "invalid_value", "name");
  }
  if (scopes == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "a key needs at least one scope", "invalid_value",
                     "scopes");
  }
  std::lock_guard lock(mu_);
  auto r = InsertLocked(name, scopes, ttl_seconds > 0 ? now + ttl_seconds : 0, "", now);
  data_version_ = DataVersionLocked();
  return r;
}

Result<CreatedKey> KeyStore::Rotate(const std::string& id, int64_t grace_seconds, int64_t now) {
  std::lock_guard lock(mu_);
  (void)LoadLocked();
  const auto it = keys_.find(id);
  if (it == keys_.end() || !it->second.LiveAt(now)) {
    return MakeError(ErrorCode::kNotFound, "no live key with id '" + id + "'", "key_not_found");
  }
  const KeyInfo old = it->second;
  const int64_t ttl = old.expires_at ? old.expires_at - old.created_at : 0;
  if (!Exec("BEGIN IMMEDIATE").ok()) return DbError(db_, "cannot rotate");
  auto created = InsertLocked(old.name, old.scopes, ttl ? now + ttl : 0, old.id, now);
  int64_t old_expiry = now + grace_seconds;
  if (old.expires_at != 0) old_expiry = std::min(old_expiry, old.expires_at);
  store::SqliteStmt st(db_, "UPDATE api_keys SET expires_at = ?1 WHERE id = ?2");
  st.Bind(1, old_expiry).Bind(2, id);
  if (!created.ok() || st.Step() != SQLITE_DONE || !Exec("COMMIT").ok()) {
    (void)Exec("ROLLBACK");
    (void)LoadLocked();
    return created.ok() ? DbError(db_, "cannot rotate") : created;
  }
  keys_[id].expires_at = old_expiry;
  data_version_ = DataVersionLocked();
  return created;
}

Status KeyStore::Revoke(const std::string& id, int64_t now) {
  std::lock_guard lock(mu_);
  store::SqliteStmt st(db_, "UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at = 0");
  st.Bind(1, now).Bind(2, id);
  if (st.Step() != SQLITE_DONE) return DbError(db_, "cannot revoke");
  if (sqlite3_changes(db_) == 0) {
    return MakeError(ErrorCode::kNotFound, "no unrevoked key with id '" + id + "'",
                     "key_not_found");
  }
  if (auto it = keys_.find(id); it != keys_.end()) it->second.revoked_at = now;
  data_version_ = DataVersionLocked();
  return Status::Ok();
}

Result<std::vector<KeyInfo>> KeyStore::List() {
  std::lock_guard lock(mu_);
  FlushLocked();
  if (Status s = LoadLocked(); !s.ok()) return s;
  std::vector<KeyInfo> out;
  for (const auto& [id, k] : keys_) {
    out.push_back(k);
    out.back().hash.clear();
  }
  std::sort(out.begin(), out.end(), [](const KeyInfo& a, const KeyInfo& b) {
    return a.created_at < b.created_at || (a.created_at == b.created_at && a.id < b.id);
  });
  return out;
}

Result<KeyInfo> KeyStore::Verify(std::string_view presented, int64_t now) {
  if (!LooksLikeKey(presented)) return BadKey();
  const std::string id(presented.substr(3, kIdLen));
  const std::string hash = HashKey(presented);
  std::lock_guard lock(mu_);
  MaybeRefreshLocked(SteadyMs());
  const auto it = keys_.find(id);
  // Compare against a dummy when the id is unknown so both paths cost the same.
  const std::string& want = it != keys_.end() ? it->second.hash : hash;
  const bool match = ConstantTimeEquals(want, hash) && it != keys_.end();
  if (!match || !it->second.LiveAt(now)) return BadKey();
  it->second.last_used_at = now;
  pending_used_[id] = now;
  KeyInfo out = it->second;
  out.hash.clear();
  return out;
}

}  // namespace parley::security
