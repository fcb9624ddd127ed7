// Test support: runs the real `parley` binary as a child process on 127.0.0.1:0 and talks to it
// over real sockets. Used by the integration tests; one instance per test, not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace parley::testing {

struct HttpReply {
  int status = 0;                              // 0: no response (connection closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string raw;
};

// A temporary folder removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  void Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // Starts `parley serve --config <yaml written to a file> --listen 127.0.0.1:0 --port-file ...`
  // with extra args and environment, and waits until the port file appears.
  explicit ServerProcess(const std::string& yaml = "", std::vector<std::string> args = {},
                         std::map<std::string, std::string> env = {});
  ~ServerProcess();  // SIGKILL if still running

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool started() const { return port_ != 0; }
  std::string Output() const;  // stdout + stderr so far
  // Sends a signal and waits for exit; returns the exit code (or 128+signal), -1 on timeout.
  // If the process already exited, returns its exit code.
  int Stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  bool Running();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int exit_code_ = -1;  // once the process has been reaped
};

std::string ParleyBinary();
std::string SourceDir();

// Runs a command, returns its exit code and captures stdout+stderr.
int RunCommand(const std::vector<std::string>& argv, std::string* output,
               const std::map<std::string, std::string>& env = {});

// One connection: sends raw bytes, reads until the peer closes or `timeout` passes.
std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));
HttpReply ParseReply(const std::string& raw);
HttpReply Get(uint16_t port, const std::string& path, const std::vector<std::string>& headers = {});
// Reads until the server closes or `timeout` passes (a long generation needs more than 5 s
// on a loaded machine).
HttpReply Send(uint16_t port, const std::string& method, const std::string& path,
               const std::string& body, const std::vector<std::string>& headers = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A persistent client connection for keep-alive and slow-client tests.
class Connection {
 public:
  explicit Connection(uint16_t port);
  ~Connection();
  bool ok() const { return fd_ >= 0; }
  bool Write(const std::string& bytes);
  // Reads one full response (uses Content-Length); status 0 when the peer closed first.
  HttpReply ReadReply(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closed the connection within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace parley::testing
