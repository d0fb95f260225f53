// The connection table: both keys find the flow with their direction, a full table
// refuses, a taken key is never overwritten, expiry by state, and an ended flow's slot comes
// back only after a grace period.
#include "np/nat/conntrack.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rte_cycles.h>

#include "np/dp/rcu.h"
#include "testlib/eal_env.h"

namespace np::nat {
namespace {

FlowKey key(uint32_t src, uint16_t sport, uint32_t dst = 0x0a60000a, uint16_t dport = 80) {
  return {rte_cpu_to_be_32(src),   rte_cpu_to_be_32(dst), rte_cpu_to_be_16(sport),
          rte_cpu_to_be_16(dport), IPPROTO_TCP,           {0, 0, 0}};
}

class ConntrackTest : public ::testing::Test {
 protected:
  bool eal_ = (testlib::ensure_eal(), true);
  dp::Rcu rcu_{1};
  Conntrack table_{"ct_test_" + std::to_string(counter_++), 8, rcu_.qsbr()};
  static inline int counter_ = 0;
};

TEST_F(ConntrackTest, BothKeysFindTheFlowWithTheirDirection) {
  const FlowKey fwd = key(0x0a000002, 40000), rep = key(0x0a000102, 8080, 0x0a000002, 40000);
  Flow* f = table_.create(fwd, &rep, 1, 2, FlowState::kSyn, 100);
  ASSERT_NE(f, nullptr);
  Direction d;
  EXPECT_EQ(table_.lookup(fwd, d), f);
  EXPECT_EQ(d, Direction::kForward);
  EXPECT_EQ(table_.lookup(rep, d), f);
  EXPECT_EQ(d, Direction::kReply);
  EXPECT_EQ(table_.lookup(key(0x0a000003, 40000), d), nullptr);
  const FlowKey* keys[] = {&rep, &fwd};
  Flow* flows[2];
  Direction dirs[2];
  table_.lookup_bulk(keys, 2, flows, dirs);
  EXPECT_EQ(flows[0], f);
  EXPECT_EQ(dirs[0], Direction::kReply);
  EXPECT_EQ(dirs[1], Direction::kForward);
  EXPECT_EQ(table_.live(), 1u);
}

TEST_F(ConntrackTest, AFullTableRefusesAndATakenKeyIsNeverOverwritten) {
  for (uint16_t i = 0; i < 8; ++i) {
    const FlowKey f = key(0x0a000002, i), r = key(0x0a000102, 8080, 0x0a000002, i);
    ASSERT_NE(table_.create(f, &r, 0, 0, FlowState::kSyn, 1), nullptr) << i;
  }
  const FlowKey f = key(0x0a000002, 100), r = key(0x0a000102, 8080, 0x0a000002, 100);
  EXPECT_EQ(table_.create(f, &r, 0, 0, FlowState::kSyn, 1), nullptr) << "full";
  ASSERT_EQ(table_.end_flows([](const Flow& flow) { return flow.forward.src_port == 0; }), 1u);
  const FlowKey taken = key(0x0a000002, 1), other = key(0x0a000103, 8080, 0x0a000002, 1);
  EXPECT_EQ(table_.create(taken, &other, 0, 0, FlowState::kSyn, 1), nullptr) << "key in use";
}

TEST_F(ConntrackTest, IdleFlowsExpireByStateAndTheirSlotsReturnAfterAGracePeriod) {
  const FlowTimeouts t{10, 1000, 5, 20, 0};
  auto no_affinity = [](uint16_t) { return uint64_t{0}; };
  for (uint16_t i = 0; i < 8; ++i) {
    const FlowKey f = key(0x0a000002, i), r = key(0x0a000102, 8080, 0x0a000002, i);
    const FlowState s = i < 4 ? FlowState::kEstablished : FlowState::kClosing;
    ASSERT_NE(table_.create(f, &r, 0, 0, s, 100), nullptr);
  }
  EXPECT_EQ(table_.expire_step(104, t, no_affinity, 8), 0u) << "nothing idle long enough";
  EXPECT_EQ(table_.expire_step(106, t, no_affinity, 8), 4u) << "the closing ones";
  EXPECT_EQ(table_.live(), 4u);
  Direction d;
  EXPECT_EQ(table_.lookup(key(0x0a000002, 5), d), nullptr) << "keys gone at once";
  // A registered reader that has not reported since: slots stay taken.
  rcu_.reader_register(0);
  rcu_.reader_online(0);
  table_.reclaim();
  const FlowKey f = key(0x0a000002, 50), r = key(0x0a000102, 8080, 0x0a000002, 50);
  EXPECT_EQ(table_.create(f, &r, 0, 0, FlowState::kSyn, 200), nullptr) << "reused too early";
  rcu_.reader_quiescent(0);
  table_.reclaim();
  EXPECT_NE(table_.create(f, &r, 0, 0, FlowState::kSyn, 200), nullptr);
  rcu_.reader_offline(0);
  rcu_.reader_unregister(0);
}

}  // namespace
}  // namespace np::nat
