#include "np/control/control_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace np::control {
namespace {

TEST(ControlQueueTest, RunsOnTheDrainingThreadAndWaits) {
  ControlQueue queue;
  std::atomic<bool> stop{false};
  std::thread::id ran_on;
  std::thread control([&] {
    while (!stop) queue.drain();
  });
  EXPECT_TRUE(queue.run([&] { ran_on = std::this_thread::get_id(); }));
  EXPECT_EQ(ran_on, control.get_id());
  stop = true;
  control.join();
}

TEST(ControlQueueTest, ClosedQueueFailsWaitingAndLaterCallers) {
  ControlQueue queue;
  bool ran = false;
  std::thread caller([&] { EXPECT_FALSE(queue.run([&] { ran = true; })); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  queue.close();
  caller.join();
  EXPECT_FALSE(queue.run([&] { ran = true; }));
  queue.drain();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace np::control
