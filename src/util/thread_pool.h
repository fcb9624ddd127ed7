// A fixed set of worker threads fed by a bounded FIFO queue: where blocking work (SQLite,
// waiting on the LLM) runs, away from the I/O threads. Submit() may be called from any thread;
// it refuses work when the queue is full, so callers can answer 503 instead of waiting forever.
// The destructor finishes queued tasks, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace parley {

class ThreadPool {
 public:
  ThreadPool(int threads, size_t max_queue);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False (and the task is dropped) when the queue is full or the pool is stopping.
  bool Submit(std::function<void()> task);

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace parley
