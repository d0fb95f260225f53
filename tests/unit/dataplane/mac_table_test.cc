// The MAC table alone: the single writer inserting, moving and removing while a reader
// thread looks entries up, and the RCU rule that a removed slot is not reused while a
// reader may still hold it.
#include "np/dp/mac_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testlib/eal_env.h"

namespace np::dp {
namespace {

rte_ether_addr nth_mac(uint32_t i) {
  return rte_ether_addr{{0x02, 0, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                         static_cast<uint8_t>(i), 0x01}};
}

// Every key's port is derived from the key, so a reader can tell a wrong entry.
uint16_t port_of(MacKey key) { return static_cast<uint16_t>(key % 7); }
constexpr uint16_t kMoved = 9;

std::unique_ptr<L2Config> one_domain_all_ports() {
  auto config = std::make_unique<L2Config>();
  config->domains.resize(1);
  config->port_domain.fill(0);
  return config;
}

class MacTableTest : public ::testing::Test {
 protected:
  bool eal_ = (testlib::ensure_eal(), true);  // Before rcu_, which allocates from DPDK.
  Rcu rcu_{2};
};

TEST_F(MacTableTest, KeysRoundTripAndCarryTheDomain) {
  const rte_ether_addr mac = nth_mac(0x123456);
  const MacKey key = make_mac_key(7, mac);
  EXPECT_EQ(mac_key_domain(key), 7);
  const rte_ether_addr back = mac_key_address(key);
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &back));
  EXPECT_NE(make_mac_key(8, mac), key);
}

TEST_F(MacTableTest, FillsToCapacityThenReportsFull) {
  MacTable table("mt_full", 1000, rcu_);
  auto config = one_domain_all_ports();
  for (uint32_t i = 0; i < 1000; ++i)
    ASSERT_EQ(table.learn(make_mac_key(0, nth_mac(i)), 1, 0, *config), LearnResult::kAdded) << i;
  EXPECT_EQ(table.learn(make_mac_key(0, nth_mac(1000)), 1, 0, *config), LearnResult::kTableFull);
  EXPECT_EQ(table.size(), 1000u);
  for (uint32_t i = 0; i < 1000; ++i)
    ASSERT_NE(table.lookup(make_mac_key(0, nth_mac(i))), nullptr) << i;
}

TEST_F(MacTableTest, RemovedSlotIsReusedOnlyAfterAGracePeriod) {
  MacTable table("mt_grace", 4, rcu_);  // 2 buckets of 4 slots.
  auto config = one_domain_all_ports();
  rcu_.reader_register(0);
  rcu_.reader_online(0);  // A reader that has not passed a quiescent state yet.
  ASSERT_EQ(table.learn(make_mac_key(0, nth_mac(0)), 1, 0, *config), LearnResult::kAdded);
  MacEntry* held = table.lookup(make_mac_key(0, nth_mac(0)));
  ASSERT_TRUE(table.remove(make_mac_key(0, nth_mac(0))));
  // New keys (some hashing to the removed key's bucket) must not take its slot yet.
  for (uint32_t i = 1; i <= 4; ++i)
    ASSERT_EQ(table.learn(make_mac_key(0, nth_mac(i)), 2, 0, *config), LearnResult::kAdded);
  EXPECT_EQ(held->port.load(), 1) << "a held entry was reused before its reader was quiescent";
  EXPECT_GT(rcu_.reclaim(), 0u) << "the tombstone waits for the reader";
  rcu_.reader_quiescent(0);
  EXPECT_EQ(rcu_.reclaim(), 0u);
  rcu_.reader_offline(0);
  rcu_.reader_unregister(0);
}

TEST_F(MacTableTest, ReaderNeverSeesAnotherKeysEntryWhileTheWriterChurns) {
  constexpr uint32_t kKeys = 2000;
  MacTable table("mt_churn", kKeys, rcu_);
  auto config = one_domain_all_ports();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> wrong{0}, hits{0}, rounds{0};
  std::thread reader([&] {
    rcu_.reader_register(1);
    rcu_.reader_online(1);
    MacKey keys[kMaxBurst];
    uint32_t hashes[kMaxBurst];
    MacEntry* entries[kMaxBurst];
    for (uint32_t round = 0; !stop.load(); ++round) {
      for (uint32_t i = 0; i < kMaxBurst; ++i)
        keys[i] = make_mac_key(0, nth_mac((round * kMaxBurst + i) % kKeys));
      table.prefetch_bulk(keys, kMaxBurst, hashes);
      table.find_bulk(keys, hashes, kMaxBurst, entries);
      for (uint32_t i = 0; i < kMaxBurst; ++i) {
        if (entries[i] == nullptr) continue;
        hits.fetch_add(1, std::memory_order_relaxed);
        const uint16_t port = entries[i]->port.load(std::memory_order_relaxed);
        if (port != port_of(keys[i]) && port != kMoved) wrong.fetch_add(1);
      }
      rcu_.reader_quiescent(1);
      rounds.fetch_add(1, std::memory_order_relaxed);
    }
    rcu_.reader_offline(1);
    rcu_.reader_unregister(1);
  });
  // The writer: add every key, move half of them to another port, remove half and re-add
  // them, reclaiming as the control loop does.
  uint64_t failed_learns = 0;
  // At least 30 passes, and until the reader has overlapped with many of them (bounded).
  for (int pass = 0; pass < 30 || (rounds.load() < 5000 && pass < 100000); ++pass) {
    for (uint32_t i = 0; i < kKeys; ++i) {
      const MacKey key = make_mac_key(0, nth_mac(i));
      const LearnResult r = table.learn(key, port_of(key), 0, *config);
      failed_learns += r == LearnResult::kTableFull || r == LearnResult::kStale;
    }
    for (uint32_t i = 0; i < kKeys; i += 2)
      table.learn(make_mac_key(0, nth_mac(i)), kMoved, 0, *config);
    for (uint32_t i = pass % 2; i < kKeys; i += 2) table.remove(make_mac_key(0, nth_mac(i)));
    rcu_.reclaim();
  }
  stop = true;
  reader.join();
  rcu_.drain();
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_GT(hits.load(), 0u);
  EXPECT_EQ(failed_learns, 0u) << "tombstones awaiting a grace period must not fill the table";
}

}  // namespace
}  // namespace np::dp
