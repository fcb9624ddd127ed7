#include "support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace parley::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int ConnectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool WriteAll(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads what is available within the deadline; returns false on EOF/error.
bool ReadSome(int fd, std::string* out, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return true;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return true;
  char buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  out->append(buf, static_cast<size_t>(n));
  return true;
}

// Length of a complete response at the start of `data`, or 0 if it is not complete yet.
size_t CompleteLength(const std::string& data) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  const HttpReply head = ParseReply(data.substr(0, end + 4));
  size_t len = 0;
  if (auto it = head.headers.find("content-length"); it != head.headers.end()) {
    len = std::stoul(it->second);
  }
  return data.size() >= end + 4 + len ? end + 4 + len : 0;
}

}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/parley-test-XXXXXX";
  path_ = ::mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::Write(const std::string& name, const std::string& content) const {
  std::ofstream(File(name), std::ios::binary) << content;
}

std::string ParleyBinary() { return PARLEY_BINARY; }
std::string SourceDir() { return PARLEY_SOURCE_DIR; }

ServerProcess::ServerProcess(const std::string& yaml, std::vector<std::string> args,
                             std::map<std::string, std::string> env) {
  dir_.Write("parley.yaml", yaml);
  std::vector<std::string> argv = {
      ParleyBinary(), "serve",       "--config",    dir_.File("parley.yaml"),
      "--listen",     "127.0.0.1:0", "--port-file", dir_.File("port")};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = dir_.File("out.log");
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::chdir(dir_.path().c_str());
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    const std::string p = ReadFile(dir_.File("port"));
    if (!p.empty() && p.back() == '\n') {
      port_ = static_cast<uint16_t>(std::stoi(p));
      return;
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string ServerProcess::Output() const { return ReadFile(dir_.File("out.log")); }

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return false;
}

int ServerProcess::Stop(int sig, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, sig);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int RunCommand(const std::vector<std::string>& argv, std::string* output,
               const std::map<std::string, std::string>& env) {
  TempDir dir;
  const std::string out = dir.File("out");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> cargv;
    for (auto a : argv) cargv.push_back(strdup(a.c_str()));
    cargv.push_back(nullptr);
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output) *output = ReadFile(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

HttpReply ParseReply(const std::string& raw) {
  HttpReply r;
  r.raw = raw;
  const auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + 9);
  size_t pos = raw.find("\r\n") + 2;
  while (pos < head_end) {
    const auto eol = raw.find("\r\n", pos);
    const std::string line = raw.substr(pos, eol - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(c));
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    pos = eol + 2;
  }
  r.body = raw.substr(head_end + 4);
  return r;
}

std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds timeout) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return {};
  WriteAll(fd, bytes);
  std::string out;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline && ReadSome(fd, &out, deadline)) {
  }
  ::close(fd);
  return out;
}

HttpReply Send(uint16_t port, const std::string& method, const std::string& path,
               const std::string& body, const std::vector<std::string>& headers,
               std::chrono::milliseconds timeout) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  return ParseReply(RawExchange(port, req, timeout));
}

HttpReply Get(uint16_t port, const std::string& path, const std::vector<std::string>& headers) {
  return Send(port, "GET", path, "", headers);
}

Connection::Connection(uint16_t port) : fd_(ConnectLoopback(port)) {}
Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::Write(const std::string& bytes) { return WriteAll(fd_, bytes); }

HttpReply Connection::ReadReply(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const size_t n = CompleteLength(buffer_)) {
      HttpReply r = ParseReply(buffer_.substr(0, n));
      buffer_.erase(0, n);
      return r;
    }
    if (Clock::now() >= deadline || !ReadSome(fd_, &buffer_, deadline)) return {};
  }
}

bool Connection::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!ReadSome(fd_, &buffer_, deadline)) return true;
  }
  return false;
}

}  // namespace parley::testing
