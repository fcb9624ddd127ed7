// The JSON-lines logger: one object per line, on stdout and optionally in a file rotated by size.
//
// Log() may be called from any thread. It formats the line on the caller's thread and hands it to
// one writer thread, which writes in batches, so request threads never wait on the terminal or the
// disk. If the writer falls far behind (more than kMaxPendingBytes queued) lines are dropped and
// counted rather than letting memory grow. Flush() waits until everything queued is written.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

namespace parley::obs {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
std::string_view LevelName(Level level);
bool ParseLevel(std::string_view name, Level* level);

struct Field {
  using Value = std::variant<std::string_view, int64_t, double, bool>;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, long long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};

struct LoggerOptions {
  Level level = Level::kInfo;
  bool to_stdout = true;
  std::string file;  // empty: no file
  uint64_t file_max_bytes = 10 << 20;
  int file_keep = 5;  // rotated files kept: FILE.1 .. FILE.N
  // Applied to every string field value before it is written (the security layer's PII
  // masking); must be thread-safe. Empty: values are written as given.
  std::function<std::string(std::string_view)> redact;
};

class Logger {
 public:
  static constexpr size_t kMaxPendingBytes = 8 << 20;

  explicit Logger(LoggerOptions options = {});
  ~Logger();  // flushes and joins the writer
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool Enabled(Level level) const {
    return static_cast<int>(level) >= level_.load(std::memory_order_relaxed);
  }
  void SetLevel(Level level) { level_.store(static_cast<int>(level)); }
  Level level() const { return static_cast<Level>(level_.load()); }

  void Log(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
  void Debug(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kDebug, msg, f);
  }
  void Info(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kInfo, msg, f);
  }
  void Warn(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kWarn, msg, f);
  }
  void Error(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kError, msg, f);
  }

  void Flush();
  uint64_t dropped() const { return dropped_.load(); }

 private:
  void Run();
  void WriteBatch(const std::string& batch);
  void RotateIfNeeded(size_t incoming);

  LoggerOptions options_;
  std::atomic<int> level_;
  std::atomic<uint64_t> dropped_{0};

  std::mutex mu_;
  std::condition_variable wake_, drained_;
  std::string pending_;   // guarded by mu_
  bool writing_ = false;  // guarded by mu_
  bool stop_ = false;     // guarded by mu_

  // Writer-thread state.
  FILE* file_ = nullptr;
  uint64_t file_bytes_ = 0;
  std::thread writer_;
};

}  // namespace parley::obs
