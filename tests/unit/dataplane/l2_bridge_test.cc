// The L2 stage on built frames: learning, aging, flooding, split horizon, static MACs,
// the per-domain MAC limit, and malformed frames dropped with their reason.
#include "np/dp/l2_bridge.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "testlib/eal_env.h"
#include "testlib/l2_config_builder.h"
#include "testlib/l2_stage.h"
#include "testlib/packet_builder.h"

namespace np::dp {
namespace {

using testlib::ether_frame;
using testlib::mac;

constexpr uint16_t kP0 = 0, kP1 = 1, kP2 = 2, kOutside = 5;
const char* const kA = "02:00:00:00:00:0a";
const char* const kB = "02:00:00:00:00:0b";
const char* const kC = "02:00:00:00:00:0c";
const char* const kBroadcast = "ff:ff:ff:ff:ff:ff";

class L2BridgeTest : public ::testing::Test {
 protected:
  L2BridgeTest() {
    shared_.now_s = 1000;
    free_at_start_ = rte_mempool_avail_count(pool_);
  }
  ~L2BridgeTest() override {
    release_tx();
    // Every mbuf the stage took must have been sent (released above) or freed.
    EXPECT_EQ(rte_mempool_avail_count(pool_), free_at_start_);
  }

  // One domain (index 0, id 10) with ports 0, 1, 2; port 5 is in no domain.
  static std::unique_ptr<L2Config> make_config(BridgeDomain domain) {
    domain.id = 10;
    return testlib::single_domain_config(3, domain);
  }
  void reconfigure(BridgeDomain domain) {
    config_.publish(make_config(domain));
    rcu_.drain();
  }

  void process(uint16_t in_port, std::vector<rte_mbuf*> pkts) {
    stage_.process(in_port, pkts.data(), static_cast<uint16_t>(pkts.size()));
  }
  std::vector<LearnResult> learn() { return stage_.learn(); }
  void learn_from(uint16_t port, const char* src) {
    process(port, {ether_frame(pool_, kBroadcast, src)});
    learn();
    release_tx();
  }
  uint16_t tx_count(uint16_t port) const { return ctx_.tx[port].count; }
  uint64_t drops(uint16_t port, DropReason reason) const {
    return ctx_.counters.ports[port].drops[static_cast<unsigned>(reason)].get();
  }
  MacEntry* entry(const char* address) const { return macs_.lookup(make_mac_key(0, mac(address))); }
  void release_tx() { stage_.release_tx(); }

  rte_mempool* pool_ = testlib::test_pool();
  testlib::L2Stage stage_{"l2_test_macs", 1024, make_config({})};
  SharedState& shared_ = stage_.shared;
  Rcu& rcu_ = stage_.rcu;
  MacTable& macs_ = stage_.macs;
  Published<L2Config>& config_ = stage_.config;
  WorkerCtx& ctx_ = stage_.ctx;
  unsigned free_at_start_ = 0;
};

TEST_F(L2BridgeTest, LearnsSourceThroughTheControlQueue) {
  process(kP0, {ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(entry(kA), nullptr) << "workers never write the table";
  EXPECT_EQ(learn(), std::vector<LearnResult>{LearnResult::kAdded});
  ASSERT_NE(entry(kA), nullptr);
  EXPECT_EQ(entry(kA)->port.load(), kP0);
  EXPECT_EQ(entry(kA)->last_seen_s.load(), 1000u);
}

TEST_F(L2BridgeTest, OneEventPerSourceInABurst) {
  process(kP0,
          {ether_frame(pool_, kB, kA), ether_frame(pool_, kB, kA), ether_frame(pool_, kB, kA)});
  EXPECT_EQ(learn().size(), 1u);
}

TEST_F(L2BridgeTest, KnownUnicastGoesToOnePort) {
  learn_from(kP1, kB);
  process(kP0, {ether_frame(pool_, kB, kA)});
  EXPECT_EQ(tx_count(kP1), 1);
  EXPECT_EQ(tx_count(kP0), 0);
  EXPECT_EQ(tx_count(kP2), 0);
}

TEST_F(L2BridgeTest, FloodsBroadcastMulticastAndUnknownToAllButIngress) {
  for (const char* dst : {kBroadcast, "01:00:5e:00:00:01", kC}) {
    SCOPED_TRACE(dst);
    rte_mbuf* m = ether_frame(pool_, dst, kA);
    process(kP1, {m});
    EXPECT_EQ(tx_count(kP0), 1);
    EXPECT_EQ(tx_count(kP1), 0) << "split horizon: never back to the ingress";
    EXPECT_EQ(tx_count(kP2), 1);
    EXPECT_EQ(ctx_.tx[kP0].pkts[0], m) << "a flood shares the mbuf";
    EXPECT_EQ(rte_mbuf_refcnt_read(m), 2);
    release_tx();
  }
}

TEST_F(L2BridgeTest, FloodSkipsPortsWhoseLinkIsDown) {
  shared_.link_up[kP2] = 0;
  process(kP0, {ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(tx_count(kP1), 1);
  EXPECT_EQ(tx_count(kP2), 0);
}

TEST_F(L2BridgeTest, KnownUnicastToADownLinkIsDroppedOnThatPort) {
  learn_from(kP1, kB);
  shared_.link_up[kP1] = 0;
  process(kP0, {ether_frame(pool_, kB, kA)});
  EXPECT_EQ(drops(kP1, DropReason::kLinkDown), 1u);
}

TEST_F(L2BridgeTest, DestinationOnTheIngressPortIsDropped) {
  learn_from(kP0, kB);
  process(kP0, {ether_frame(pool_, kB, kA)});
  EXPECT_EQ(drops(kP0, DropReason::kSamePort), 1u);
  EXPECT_EQ(ctx_.n_dirty, 0);
}

TEST_F(L2BridgeTest, UnknownUnicastIsDroppedWhenFloodingIsOff) {
  BridgeDomain d;
  d.flood = false;
  reconfigure(d);
  process(kP0, {ether_frame(pool_, kC, kA), ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(drops(kP0, DropReason::kUnknownUnicast), 1u);
  EXPECT_EQ(tx_count(kP1), 1) << "broadcast still floods";
}

TEST_F(L2BridgeTest, NothingToFloodToIsCounted) {
  shared_.link_up[kP1] = 0;
  shared_.link_up[kP2] = 0;
  process(kP0, {ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(drops(kP0, DropReason::kNoFloodMembers), 1u);
}

TEST_F(L2BridgeTest, PortOutsideAnyDomainDrops) {
  process(kOutside, {ether_frame(pool_, kB, kA), ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(drops(kOutside, DropReason::kNoBridgeDomain), 2u);
  EXPECT_TRUE(learn().empty());
}

TEST_F(L2BridgeTest, MovedSourceIsRelearnedOnItsNewPort) {
  learn_from(kP0, kA);
  process(kP1, {ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(learn(), std::vector<LearnResult>{LearnResult::kMoved});
  EXPECT_EQ(entry(kA)->port.load(), kP1);
}

TEST_F(L2BridgeTest, LearningOffLearnsNothing) {
  BridgeDomain d;
  d.learning = false;
  reconfigure(d);
  process(kP0, {ether_frame(pool_, kBroadcast, kA)});
  EXPECT_TRUE(learn().empty());
}

TEST_F(L2BridgeTest, StaticMacForwardsAndIsNeverMovedOrAged) {
  ASSERT_TRUE(macs_.add_static(make_mac_key(0, mac(kC)), kP2).ok());
  process(kP0, {ether_frame(pool_, kC, kA)});
  EXPECT_EQ(tx_count(kP2), 1);
  EXPECT_EQ(learn(), std::vector<LearnResult>{LearnResult::kAdded});
  release_tx();
  // The static MAC showing up as a source on another port is a spoof: dropped, not learned.
  process(kP1, {ether_frame(pool_, kBroadcast, kC)});
  EXPECT_EQ(drops(kP1, DropReason::kStaticMacMoved), 1u);
  EXPECT_TRUE(learn().empty());
  EXPECT_EQ(macs_.age(1000000, *config_.read()), 1u) << "only the learned kA ages";
  ASSERT_NE(entry(kC), nullptr);
  EXPECT_EQ(entry(kC)->port.load(), kP2);
}

TEST_F(L2BridgeTest, LearnedEntriesAgeOutAfterAgingTime) {
  BridgeDomain d;
  d.aging_s = 60;
  reconfigure(d);
  learn_from(kP0, kA);
  learn_from(kP1, kB);
  shared_.now_s = 1030;
  learn_from(kP1, kB);  // A worker refreshes kB's timestamp; kA stays quiet.
  EXPECT_EQ(entry(kB)->last_seen_s.load(), 1030u);
  EXPECT_EQ(macs_.age(1059, *config_.read()), 0u);
  EXPECT_EQ(macs_.age(1060, *config_.read()), 1u);
  EXPECT_EQ(entry(kA), nullptr);
  EXPECT_NE(entry(kB), nullptr);
  EXPECT_EQ(macs_.age(1090, *config_.read()), 1u);
  EXPECT_EQ(macs_.size(), 0u);
}

TEST_F(L2BridgeTest, AgingZeroNeverAges) {
  BridgeDomain d;
  d.aging_s = 0;
  reconfigure(d);
  learn_from(kP0, kA);
  EXPECT_EQ(macs_.age(4000000000u, *config_.read()), 0u);
}

TEST_F(L2BridgeTest, DomainMacLimitStopsLearningButNotForwarding) {
  BridgeDomain d;
  d.max_macs = 2;
  reconfigure(d);
  process(kP0, {ether_frame(pool_, kBroadcast, kA), ether_frame(pool_, kBroadcast, kB),
                ether_frame(pool_, kBroadcast, kC)});
  EXPECT_EQ(learn(), (std::vector<LearnResult>{LearnResult::kAdded, LearnResult::kAdded,
                                               LearnResult::kDomainLimit}));
  EXPECT_EQ(macs_.domain_size(0), 2u);
  EXPECT_EQ(tx_count(kP1), 3) << "frames from an unlearned source are still forwarded";
}

struct MalformedCase {
  const char* name;
  rte_mbuf* (*build)(rte_mempool*);
  DropReason reason;
};

class L2MalformedTest : public L2BridgeTest, public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(L2MalformedTest, IsDroppedAndCounted) {
  process(kP0, {GetParam().build(pool_), ether_frame(pool_, kBroadcast, kA)});
  EXPECT_EQ(drops(kP0, GetParam().reason), 1u);
  EXPECT_EQ(tx_count(kP1), 1) << "the good frame in the same burst still goes";
  EXPECT_EQ(learn().size(), 1u) << "only the good frame's source is learned";
}

INSTANTIATE_TEST_SUITE_P(
    Frames, L2MalformedTest,
    ::testing::Values(
        MalformedCase{"empty", [](rte_mempool* p) { return testlib::raw_frame(p, 0); },
                      DropReason::kRunt},
        MalformedCase{"runt13", [](rte_mempool* p) { return testlib::raw_frame(p, 13); },
                      DropReason::kRunt},
        MalformedCase{"header_split_over_segments",
                      [](rte_mempool* p) { return testlib::split_frame(p, 8, 60); },
                      DropReason::kTruncatedHeader},
        MalformedCase{"multicast_source",
                      [](rte_mempool* p) { return ether_frame(p, kB, "01:00:5e:00:00:01"); },
                      DropReason::kBadSourceMac},
        MalformedCase{"broadcast_source",
                      [](rte_mempool* p) { return ether_frame(p, kB, kBroadcast); },
                      DropReason::kBadSourceMac},
        MalformedCase{"zero_source",
                      [](rte_mempool* p) { return ether_frame(p, kB, "00:00:00:00:00:00"); },
                      DropReason::kBadSourceMac}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

}  // namespace
}  // namespace np::dp
