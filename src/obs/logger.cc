#include "obs/logger.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "util/text.h"

namespace parley::obs {
namespace {

void AppendTimestamp(std::string& out) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = time_point_cast<seconds>(now);
  const auto ms = duration_cast<milliseconds>(now - secs).count();
  const std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  out.append(buf, n);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms));
  out += frac;
}

void AppendValue(std::string& out, const Field::Value& v) {
  char buf[32];
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    out += '"';
    text::AppendJsonEscaped(out, *s);
    out += '"';
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    out.append(buf, std::to_chars(buf, buf + sizeof buf, *i).ptr);
  } else if (const auto* d = std::get_if<double>(&v)) {
    out.append(buf, std::to_chars(buf, buf + sizeof buf, *d).ptr);
  } else {
    out += std::get<bool>(v) ? "true" : "false";
  }
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;  // nowhere to report a failed log write
    off += static_cast<size_t>(n);
  }
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool ParseLevel(std::string_view name, Level* level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

Logger::Logger(LoggerOptions options)
    : options_(std::move(options)), level_(static_cast<int>(options_.level)) {
  if (!options_.file.empty()) {
    file_ = std::fopen(options_.file.c_str(), "a");
    if (file_) file_bytes_ = static_cast<uint64_t>(std::ftell(file_));
  }
  writer_ = std::thread([this] { Run(); });
}

Logger::~Logger() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (file_) std::fclose(file_);
}

void Logger::Log(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(160 + msg.size());
  line += "{\"ts\":\"";
  AppendTimestamp(line);
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"msg\":\"";
  text::AppendJsonEscaped(line, msg);
  line += '"';
  for (const auto& f : fields) {
    line += ",\"";
    text::AppendJsonEscaped(line, f.key);
    line += "\":";
    const auto* sv = std::get_if<std::string_view>(&f.value);
    if (sv && options_.redact) {
      AppendValue(line, std::string_view(options_.redact(*sv)));
    } else {
      AppendValue(line, f.value);
    }
  }
  line += "}\n";

  bool was_empty;
  {
    std::lock_guard lock(mu_);
    if (pending_.size() + line.size() > kMaxPendingBytes) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    was_empty = pending_.empty();
    pending_ += line;
  }
  if (was_empty) wake_.notify_one();
}

void Logger::Flush() {
  std::unique_lock lock(mu_);
  drained_.wait(lock, [&] { return (pending_.empty() && !writing_) || stop_; });
}

void Logger::Run() {
  std::string batch;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return !pending_.empty() || stop_; });
    if (pending_.empty() && stop_) break;
    batch.clear();
    batch.swap(pending_);
    writing_ = true;
    lock.unlock();
    WriteBatch(batch);
    lock.lock();
    writing_ = false;
    if (pending_.empty()) drained_.notify_all();
  }
  drained_.notify_all();
}

void Logger::WriteBatch(const std::string& batch) {
  if (options_.to_stdout) WriteAll(STDOUT_FILENO, batch);
  if (!file_) return;
  RotateIfNeeded(batch.size());
  if (!file_) return;
  std::fwrite(batch.data(), 1, batch.size(), file_);
  std::fflush(file_);
  file_bytes_ += batch.size();
}

void Logger::RotateIfNeeded(size_t incoming) {
  if (file_bytes_ == 0 || file_bytes_ + incoming <= options_.file_max_bytes) return;
  namespace fs = std::filesystem;
  std::fclose(file_);
  std::error_code ec;
  const std::string& base = options_.file;
  fs::remove(base + "." + std::to_string(options_.file_keep), ec);
  for (int i = options_.file_keep - 1; i >= 1; --i) {
    fs::rename(base + "." + std::to_string(i), base + "." + std::to_string(i + 1), ec);
  }
  if (options_.file_keep > 0) {
    fs::rename(base, base + ".1", ec);
  } else {
    fs::remove(base, ec);
  }
  file_ = std::fopen(base.c_str(), "a");
  file_bytes_ = 0;
}

}  // namespace parley::obs
