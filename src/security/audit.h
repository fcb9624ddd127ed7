// The tamper-evident audit log: one JSON object per line, appended, never rewritten. Each
// record carries its sequence number, the hash of the previous record ("prev") and its own
// hash over prev + its content ("hash": SHA-256, or HMAC-SHA-256 when a key is configured, so
// someone without the key cannot rebuild the chain after editing it). Files rotate by size and
// age; the chain continues across files and across restarts.
//
// Append() may be called from any thread: it masks PII, formats the fields and queues the
// record; one writer thread numbers, chains and writes records in order, in batches gathered
// for up to 10 ms (or 256 records). Flush() waits until everything queued is on disk (written
// and flushed to the kernel). If the disk falls so far behind that max_queued records wait,
// further ones are dropped and counted, and the writer records how many were lost in the chain
// itself ("audit_dropped"), so the gap is visible.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/result.h"

namespace parley::security {

struct AuditRecord {
  std::string type = "request";  // "request" or "security"
  std::string event;             // security events: "auth_failed", "rate_limited", "guard_block"...
  std::string request_id, principal, client_ip, method, route, path;
  int status = 0;
  int64_t duration_us = 0;
  std::string input_digest;        // SHA-256 (hex, 16 chars) of the masked input, if any
  std::string output_digest;       // the same of the masked response body (its first 256 KiB)
  std::vector<std::string> guard;  // guard findings
  std::string detail;
};

struct AuditOptions {
  std::string path = "data/audit.jsonl";
  uint64_t max_bytes = 100ull << 20;  // rotate before a file grows past this
  int64_t max_age_s = 86400;          // rotate a file whose first record is older
  std::string hmac_key;               // empty: plain SHA-256 chain
  size_t max_queued = 100000;         // records waiting for the disk before new ones are dropped
};

inline constexpr char kGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

class AuditLog {
 public:
  static Result<std::unique_ptr<AuditLog>> Open(AuditOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void Append(const AuditRecord& record);
  void Flush();
  uint64_t written() const;

  // The chained hash of one line's content (everything before `,"hash":`).
  static std::string ChainHash(std::string_view key, std::string_view prev, std::string_view body);

 private:
  explicit AuditLog(AuditOptions o) : opt_(std::move(o)) {}
  Status OpenFileLocked();
  void RotateIfNeeded(size_t incoming, int64_t now);
  void Run();
  void WriteOne(const std::string& fields, int64_t now_ms);

  AuditOptions opt_;
  mutable std::mutex mu_;
  std::condition_variable wake_, drained_;
  std::deque<std::pair<std::string, int64_t>> queue_;  // guarded by mu_: fields, time (ms)
  static constexpr auto kGatherFor = std::chrono::milliseconds(10);
  static constexpr size_t kWakeAt = 256;
  bool writing_ = false, stop_ = false, flush_wanted_ = false;  // guarded by mu_
  uint64_t written_ = 0;                                        // guarded by mu_
  uint64_t dropped_ = 0;  // guarded by mu_: dropped since the last audit_dropped record

  // Writer-thread state.
  FILE* file_ = nullptr;
  uint64_t file_bytes_ = 0;
  int64_t file_started_s_ = 0;
  uint64_t seq_ = 0;
  std::string prev_ = kGenesisHash;
  std::thread writer_;
};

// `parley audit verify`: checks files (in chain order, whatever order they are given in) and
// returns "" when intact, else a description of the first altered, removed or reordered record.
struct VerifyReport {
  bool ok = true;
  uint64_t records = 0;
  std::string problem;  // "FILE:LINE: ..." when !ok
};
// Reads seq, hash and time (ms) from a line written by AuditLog; false when malformed.
bool ParseChainFields(std::string_view line, uint64_t* seq, std::string* hash, int64_t* t_ms);

VerifyReport VerifyAuditFiles(const std::vector<std::string>& files, const std::string& key);

}  // namespace parley::security
