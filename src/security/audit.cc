#include "security/audit.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "security/crypto.h"
#include "security/pii.h"
#include "util/clock.h"
#include "util/text.h"

namespace parley::security {
namespace {

namespace fs = std::filesystem;

std::string IsoTime(int64_t ms, bool compact) {
  const std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
  if (compact) return buf;
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(buf) + frac;
}

// `mask`: the value may hold text from a client (a path, a subject, a detail); values Parley makes
// up itself (record type, event, route, digests) need no PII scan.
void AddField(std::string& out, std::string_view key, std::string_view value, bool mask = true) {
  if (value.empty()) return;
  if (!out.empty()) out += ',';
  out += '"';
  out += key;
  out += "\":";
  out += text::JsonQuote(mask ? MaskPii(value) : std::string(value));
}

// Reads the last complete line of a file (up to 64 KiB from the end).
std::string LastLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 65536);
  in.seekg(from);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  const size_t nl = tail.rfind('\n');
  return nl == std::string::npos ? tail : tail.substr(nl + 1);
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::string AuditLog::ChainHash(std::string_view key, std::string_view prev,
                                std::string_view body) {
  std::string data;
  data.reserve(prev.size() + 1 + body.size());
  data.append(prev).append("\n").append(body);
  return key.empty() ? Sha256Hex(data) : Hex(HmacSha256(key, data));
}

// Fields of a line written by WriteOne; used on start-up to continue the chain.
bool ParseChainFields(std::string_view line, uint64_t* seq, std::string* hash, int64_t* t_ms) {
  const auto num = [&](std::string_view key, int64_t* out) {
    const size_t at = line.find(key);
    if (at == std::string_view::npos) return false;
    size_t i = at + key.size(), j = i;
    while (j < line.size() && line[j] >= '0' && line[j] <= '9') ++j;
    const auto v = text::ParseInt(line.substr(i, j - i));
    if (!v) return false;
    *out = *v;
    return true;
  };
  int64_t s = 0, t = 0;
  const size_t h = line.rfind(",\"hash\":\"");
  if (!line.starts_with("{\"seq\":") || !num("{\"seq\":", &s) || !num(",\"t\":", &t) ||
      h == std::string_view::npos || h + 9 + 64 > line.size()) {
    return false;
  }
  *seq = static_cast<uint64_t>(s);
  if (hash) *hash = std::string(line.substr(h + 9, 64));
  if (t_ms) *t_ms = t;
  return true;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(AuditOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  const fs::path p(log->opt_.path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  // Continue the chain from the active file, else from the newest rotated one.
  std::string last = LastLine(log->opt_.path);
  if (last.empty()) {
    // The rotated file holding the highest sequence number.
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    const std::string prefix = p.filename().string() + ".";
    uint64_t best = 0;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (!e.path().filename().string().starts_with(prefix)) continue;
      std::string candidate = LastLine(e.path().string());
      uint64_t seq = 0;
      if (ParseChainFields(candidate, &seq, nullptr, nullptr) && seq > best) {
        best = seq;
        last = std::move(candidate);
      }
    }
  }
  if (!last.empty() && !ParseChainFields(last, &log->seq_, &log->prev_, nullptr)) {
    return MakeError(ErrorCode::kInternal, "audit log " + log->opt_.path +
                                               ": cannot read the last record to continue the "
                                               "hash chain; move the file aside");
  }
  if (Status s = log->OpenFileLocked(); !s.ok()) return s.error();
  log->writer_ = std::thread([l = log.get()] { l->Run(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (file_) std::fclose(file_);
}

Status AuditLog::OpenFileLocked() {
  file_ = std::fopen(opt_.path.c_str(), "a");
  if (!file_) {
    return MakeError(ErrorCode::kInternal, "cannot open audit log " + opt_.path);
  }
  std::error_code ec;
  fs::permissions(opt_.path, fs::perms::owner_read | fs::perms::owner_write, ec);
  file_bytes_ = static_cast<uint64_t>(std::ftell(file_));
  uint64_t s;
  int64_t t = 0;
  file_started_s_ =
      file_bytes_ > 0 && ParseChainFields(FirstLine(opt_.path), &s, nullptr, &t) ? t / 1000 : 0;
  return Status::Ok();
}

void AuditLog::RotateIfNeeded(size_t incoming, int64_t now_s) {
  if (file_bytes_ == 0) return;
  const bool too_big = file_bytes_ + incoming > opt_.max_bytes;
  const bool too_old =
      opt_.max_age_s > 0 && file_started_s_ > 0 && now_s - file_started_s_ >= opt_.max_age_s;
  if (!too_big && !too_old) return;
  std::fclose(file_);
  file_ = nullptr;
  std::string target = opt_.path + "." + IsoTime(now_s * 1000, true);
  for (int i = 1; fs::exists(target); ++i) {
    target = opt_.path + "." + IsoTime(now_s * 1000, true) + "-" + std::to_string(i);
  }
  std::error_code ec;
  fs::rename(opt_.path, target, ec);
  (void)OpenFileLocked();
}

void AuditLog::WriteOne(const std::string& fields, int64_t now_ms) {
  std::string line = "{\"seq\":" + std::to_string(seq_ + 1) + ",\"ts\":\"" +
                     IsoTime(now_ms, false) + "\",\"t\":" + std::to_string(now_ms) +
                     ",\"prev\":\"" + prev_ + "\"";
  if (!fields.empty()) line += "," + fields;
  RotateIfNeeded(line.size() + 80, now_ms / 1000);
  if (!file_) return;
  const std::string hash = ChainHash(opt_.hmac_key, prev_, line);
  line += ",\"hash\":\"" + hash + "\"}\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) return;
  if (file_bytes_ == 0) file_started_s_ = now_ms / 1000;
  file_bytes_ += line.size();
  ++seq_;
  prev_ = hash;
}

void AuditLog::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    // Gather for a moment: under load one wake-up then writes hundreds of records instead of
    // one per request (waking a thread costs the request's I/O thread more than the record).
    wake_.wait_for(lock, kGatherFor,
                   [&] { return stop_ || flush_wanted_ || queue_.size() >= kWakeAt; });
    flush_wanted_ = false;
    if (queue_.empty() && stop_) break;
    auto batch = std::move(queue_);
    queue_.clear();
    if (dropped_ > 0) {
      batch.emplace_front("\"type\":\"security\",\"event\":\"audit_dropped\",\"detail\":\"" +
                              std::to_string(dropped_) + " records dropped: the disk fell behind\"",
                          UnixMillis());
      dropped_ = 0;
    }
    writing_ = true;
    lock.unlock();
    for (const auto& [fields, t] : batch) WriteOne(fields, t);
    if (file_) std::fflush(file_);
    lock.lock();
    written_ += batch.size();
    writing_ = false;
    drained_.notify_all();
  }
  drained_.notify_all();
}

void AuditLog::Append(const AuditRecord& r) {
  std::string f;
  AddField(f, "type", r.type, /*mask=*/false);
  AddField(f, "event", r.event, /*mask=*/false);
  AddField(f, "request_id", r.request_id);
  AddField(f, "principal", r.principal);
  AddField(f, "client_ip", r.client_ip, /*mask=*/false);  // the one place an address is kept
  AddField(f, "method", r.method);                        // any token a client sent
  AddField(f, "route", r.route, /*mask=*/false);
  AddField(f, "path", r.path);
  if (r.status) f += ",\"status\":" + std::to_string(r.status);
  if (r.duration_us) f += ",\"duration_us\":" + std::to_string(r.duration_us);
  AddField(f, "input_digest", r.input_digest, /*mask=*/false);
  AddField(f, "output_digest", r.output_digest, /*mask=*/false);
  if (!r.guard.empty()) {
    f += ",\"guard\":[";
    for (size_t i = 0; i < r.guard.size(); ++i) {
      if (i) f += ',';
      f += text::JsonQuote(r.guard[i]);
    }
    f += "]";
  }
  AddField(f, "detail", r.detail);
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= opt_.max_queued) {
      ++dropped_;
      return;
    }
    queue_.emplace_back(std::move(f), UnixMillis());
    // The first record wakes a sleeping writer, which then gathers for kGatherFor; a full
    // batch wakes it early. Other appends wake no one.
    wake = queue_.size() == 1 || queue_.size() == kWakeAt;
  }
  if (wake) wake_.notify_one();
}

void AuditLog::Flush() {
  std::unique_lock lock(mu_);
  flush_wanted_ = true;
  wake_.notify_one();
  drained_.wait(lock, [&] { return (queue_.empty() && !writing_) || stop_; });
}

uint64_t AuditLog::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

}  // namespace parley::security
