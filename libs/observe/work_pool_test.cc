#include "libs/observe/work_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gtest/gtest.h"

namespace kpr::observe {
namespace {

TEST(WorkPoolTest, RunsTasksAndRefusesBeyondTheQueue) {
  WorkPool pool(1, 2);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  bool started = false;
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.TryPost([&] {
    std::unique_lock<std::mutex> lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    ran.fetch_add(1);
  }));
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return started; });
  }
  EXPECT_TRUE(pool.TryPost([&] { ran.fetch_add(1); }));
  EXPECT_TRUE(pool.TryPost([&] { ran.fetch_add(1); }));
  EXPECT_FALSE(pool.TryPost([&] { ran.fetch_add(100); }));  // the queue holds two
  EXPECT_EQ(pool.queued(), 2u);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  while (ran.load() < 3) std::this_thread::yield();
  EXPECT_EQ(pool.queued(), 0u);
  pool.Stop();
  EXPECT_EQ(ran.load(), 3);
}

TEST(WorkPoolTest, StopDropsWhatWaitsAndRefusesMore) {
  WorkPool pool(1, 8);
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  std::atomic<bool> release{false};
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.TryPost([&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      started = true;
    }
    cv.notify_all();
    while (!release.load()) std::this_thread::yield();
    ran.fetch_add(1);
  }));
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return started; });
  }
  ASSERT_TRUE(pool.TryPost([&] { ran.fetch_add(10); }));
  std::thread stopper([&] { pool.Stop(); });  // waits for the running task
  while (pool.queued() != 0) std::this_thread::yield();
  release = true;
  stopper.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_FALSE(pool.TryPost([] {}));
  pool.Stop();
}

}  // namespace
}  // namespace kpr::observe
