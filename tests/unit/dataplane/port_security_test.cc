// Anti-spoofing through the whole pipeline, on built frames: a pod's port with security rules
// passes only frames from its MAC and, for IPv4 and ARP, from its addresses; everything else
// is dropped with its reason, counted once on that port. A port without rules is untouched.
//
// Topology (testlib/l3_stage.h): ports 2 and 3 bridged in domain 10 (gateway 10.0.2.1),
// port 0 routed (10.0.0.1/24). The pod on port 2 is kPod with 10.0.2.5 and 10.0.2.6; a frame
// the filter passes is flooded to port 3 (its destination is unknown).
#include "np/dp/port_security.h"

#include <gtest/gtest.h>
#include <rte_arp.h>
#include <rte_ether.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "testlib/ipv4_builder.h"
#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

using testlib::ipv4;
using testlib::Ipv4Frame;
using testlib::mac;

constexpr uint16_t kPodPort = 2, kPeerPort = 3, kRoutedPort = 0;
constexpr const char* kPod = "02:00:00:00:0a:05";
constexpr const char* kOther = "02:00:00:00:0a:99";    // Another pod's MAC.
constexpr const char* kUnknown = "02:00:00:00:0b:07";  // Nobody's: the bridge floods.
constexpr const char* kBroadcast = "ff:ff:ff:ff:ff:ff";
constexpr DropReason kPass = DropReason::kCount;

rte_mempool* pool() { return testlib::test_pool(); }

rte_mbuf* ipv4_from(const char* src_mac, const char* src_ip) {
  return testlib::ipv4_frame(
      pool(), Ipv4Frame{.dst_mac = kUnknown, .src_mac = src_mac, .src = src_ip, .dst = "10.0.2.7"});
}

rte_mbuf* arp_from(const char* eth_src, const char* sender_mac, const char* sender_ip,
                   const char* target_ip = "10.0.2.7") {
  rte_mbuf* m =
      testlib::arp_frame(pool(), kBroadcast, eth_src, RTE_ARP_OP_REQUEST, sender_ip, target_ip);
  auto* arp = rte_pktmbuf_mtod_offset(m, uint8_t*, sizeof(rte_ether_hdr));
  const rte_ether_addr sha = mac(sender_mac);
  std::memcpy(arp + offsetof(rte_arp_hdr, arp_data) + offsetof(rte_arp_ipv4, arp_sha), &sha,
              sizeof(sha));
  return m;
}

// A frame from the pod's MAC with `ether_type` (host order) and 50 bytes after the header.
rte_mbuf* ethertype_from_pod(uint16_t ether_type) {
  rte_mbuf* m = testlib::ether_frame(pool(), kUnknown, kPod, 64);
  rte_pktmbuf_mtod(m, rte_ether_hdr*)->ether_type = rte_cpu_to_be_16(ether_type);
  return m;
}

// The first `len` bytes of `m` only.
rte_mbuf* cut(rte_mbuf* m, uint16_t len) {
  rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - len));
  return m;
}

struct FrameCase {
  const char* name;
  std::function<rte_mbuf*()> frame;
  DropReason expect;  // kPass: it reaches the peer.
};

void PrintTo(const FrameCase& c, std::ostream* os) { *os << c.name; }

const FrameCase kFrameCases[] = {
    {"Ipv4FromItsAddress", [] { return ipv4_from(kPod, "10.0.2.5"); }, kPass},
    {"Ipv4FromItsSecondAddress", [] { return ipv4_from(kPod, "10.0.2.6"); }, kPass},
    {"Ipv4FromAnotherAddress", [] { return ipv4_from(kPod, "10.0.2.9"); }, DropReason::kSpoofedIp},
    {"Ipv4FromAnotherMac", [] { return ipv4_from(kOther, "10.0.2.5"); }, DropReason::kSpoofedMac},
    {"ArpFromItsAddress", [] { return arp_from(kPod, kPod, "10.0.2.5"); }, kPass},
    {"ArpProbeFromZero", [] { return arp_from(kPod, kPod, "0.0.0.0", "10.0.2.5"); }, kPass},
    {"ArpWrongSenderIp", [] { return arp_from(kPod, kPod, "10.0.2.9"); }, DropReason::kSpoofedIp},
    {"ArpWrongSenderMac", [] { return arp_from(kPod, kOther, "10.0.2.5"); },
     DropReason::kSpoofedIp},
    {"ArpFromAnotherMac", [] { return arp_from(kOther, kOther, "10.0.2.5"); },
     DropReason::kSpoofedMac},
    {"ArpNotEthernetIpv4",
     [] {
       rte_mbuf* m = arp_from(kPod, kPod, "10.0.2.5");
       rte_pktmbuf_mtod_offset(m, rte_arp_hdr*, sizeof(rte_ether_hdr))->arp_hlen = 8;
       return m;
     },
     DropReason::kArpMalformed},
    {"VlanTagged", [] { return ethertype_from_pod(RTE_ETHER_TYPE_VLAN); }, DropReason::kSpoofedIp},
    {"QinQTagged", [] { return ethertype_from_pod(RTE_ETHER_TYPE_QINQ); }, DropReason::kSpoofedIp},
    {"Ipv6", [] { return ethertype_from_pod(RTE_ETHER_TYPE_IPV6); }, DropReason::kSpoofedIp},
    {"Runt", [] { return testlib::raw_frame(pool(), 10); }, DropReason::kRunt},
    {"HeaderAcrossSegments", [] { return testlib::split_frame(pool(), 10, 64); },
     DropReason::kTruncatedHeader},
    {"Ipv4Truncated", [] { return cut(ipv4_from(kPod, "10.0.2.5"), 14 + 19); },
     DropReason::kIpTruncated},
    {"ArpTruncated", [] { return cut(arp_from(kPod, kPod, "10.0.2.5"), 14 + 27); },
     DropReason::kArpMalformed},
};

class PortSecurityTest : public ::testing::Test {
 protected:
  PortSecurityTest() {
    free_at_start_ = rte_mempool_avail_count(pool());
    stage_ = std::make_unique<testlib::L3Stage>();
  }
  ~PortSecurityTest() override {
    stage_.reset();
    EXPECT_EQ(rte_mempool_avail_count(pool()), free_at_start_) << "an mbuf leaked";
  }

  // Gives `port` the pod's rules, as the data plane publishes them.
  void secure(uint16_t port) {
    auto next = std::make_unique<L2Config>(*stage_->config.read());
    PortSecurity rules;
    rules.set_mac(mac(kPod));
    for (const char* ip : {"10.0.2.5", "10.0.2.6"})
      rules.ips[rules.n_ips++] = rte_cpu_to_be_32(ipv4(ip));
    next->port_security[port] = static_cast<uint16_t>(next->securities.size());
    next->securities.push_back(rules);
    stage_->config.publish(std::move(next));
    stage_->rcu.drain();
  }

  // Runs `pkts` through the pipeline from `port`, as one burst.
  void process(uint16_t port, std::vector<rte_mbuf*> pkts) {
    stage_->process(port, pkts.data(), static_cast<uint16_t>(pkts.size()));
    stage_->learn();
  }
  std::vector<rte_mbuf*> tx(uint16_t port) { return stage_->take_tx(port); }
  uint64_t drops(uint16_t port, DropReason r) const { return stage_->drops(port, r); }
  uint64_t all_drops(uint16_t port) const {
    uint64_t n = 0;
    for (unsigned r = 0; r < kDropReasonCount; ++r) n += drops(port, static_cast<DropReason>(r));
    return n;
  }
  static void free_all(const std::vector<rte_mbuf*>& pkts) {
    for (rte_mbuf* m : pkts) rte_pktmbuf_free(m);
  }

  unsigned free_at_start_ = 0;
  std::unique_ptr<testlib::L3Stage> stage_;
};

class PortSecurityFrameTest : public PortSecurityTest,
                              public ::testing::WithParamInterface<FrameCase> {};

TEST_P(PortSecurityFrameTest, VerdictAndCounter) {
  secure(kPodPort);
  rte_mbuf* m = GetParam().frame();
  process(kPodPort, {m});
  const std::vector<rte_mbuf*> out = tx(kPeerPort);
  if (GetParam().expect == kPass) {
    ASSERT_EQ(out.size(), 1u) << "not forwarded";
    EXPECT_EQ(out[0], m);
    EXPECT_EQ(all_drops(kPodPort), 0u);
  } else {
    EXPECT_TRUE(out.empty()) << "forwarded";
    EXPECT_EQ(drops(kPodPort, GetParam().expect), 1u)
        << "expected " << drop_reason_name(GetParam().expect);
    EXPECT_EQ(all_drops(kPodPort), 1u) << "one reason per drop";
  }
  free_all(out);
}

INSTANTIATE_TEST_SUITE_P(Table, PortSecurityFrameTest, ::testing::ValuesIn(kFrameCases),
                         [](const ::testing::TestParamInfo<FrameCase>& info) {
                           return std::string(info.param.name);
                         });

// The same frames from a port without rules: the filter is not there (the bridge alone
// judges them; it floods every well-formed one).
TEST_F(PortSecurityTest, PortWithoutSecurityIsUntouched) {
  secure(kPodPort);
  for (const FrameCase& c : kFrameCases) {
    SCOPED_TRACE(c.name);
    process(kPeerPort, {c.frame()});
    free_all(tx(kPodPort));
  }
  EXPECT_EQ(drops(kPeerPort, DropReason::kSpoofedMac), 0u);
  EXPECT_EQ(drops(kPeerPort, DropReason::kSpoofedIp), 0u);
  EXPECT_EQ(drops(kPeerPort, DropReason::kIpTruncated), 0u) << "the bridge does not look at IP";
  EXPECT_EQ(drops(kPeerPort, DropReason::kRunt), 1u);
  EXPECT_EQ(drops(kPeerPort, DropReason::kTruncatedHeader), 1u);
  EXPECT_EQ(all_drops(kPeerPort), 2u);
}

// A mixed burst: the good frames leave in their order, each bad one is counted once.
TEST_F(PortSecurityTest, CompactsTheBurstInOrder) {
  secure(kPodPort);
  rte_mbuf* good[] = {ipv4_from(kPod, "10.0.2.5"), ipv4_from(kPod, "10.0.2.6"),
                      arp_from(kPod, kPod, "10.0.2.5")};
  process(kPodPort, {ipv4_from(kOther, "10.0.2.5"), good[0], ipv4_from(kPod, "10.0.2.9"),
                     ethertype_from_pod(RTE_ETHER_TYPE_IPV6), good[1], good[2],
                     ipv4_from(kOther, "10.0.2.6")});
  const std::vector<rte_mbuf*> out = tx(kPeerPort);
  EXPECT_EQ(out, std::vector<rte_mbuf*>(std::begin(good), std::end(good)));
  EXPECT_EQ(drops(kPodPort, DropReason::kSpoofedMac), 2u);
  EXPECT_EQ(drops(kPodPort, DropReason::kSpoofedIp), 2u);
  EXPECT_EQ(all_drops(kPodPort), 4u);
  free_all(out);
}

// A burst with nothing left after the filter ends there.
TEST_F(PortSecurityTest, AllDroppedLeavesNothingBehind) {
  secure(kPodPort);
  process(kPodPort, {ipv4_from(kOther, "10.0.2.5"), ipv4_from(kPod, "10.0.2.9")});
  EXPECT_EQ(stage_->ctx.n_dirty, 0);
  EXPECT_EQ(all_drops(kPodPort), 2u);
}

// The filter runs before the bridged/routed split: a routed port's rules hold too.
TEST_F(PortSecurityTest, RoutedPortIsFilteredBeforeTheRouter) {
  secure(kRoutedPort);
  process(kRoutedPort, {testlib::ipv4_frame(pool(), Ipv4Frame{.dst_mac = testlib::kUp0Mac,
                                                              .src_mac = kPod,
                                                              .src = "10.0.0.9",
                                                              .dst = "10.0.1.2"}),
                        testlib::ipv4_frame(pool(), Ipv4Frame{.dst_mac = testlib::kUp0Mac,
                                                              .src_mac = kOther,
                                                              .src = "10.0.2.5",
                                                              .dst = "10.0.1.2"})});
  EXPECT_EQ(drops(kRoutedPort, DropReason::kSpoofedIp), 1u);
  EXPECT_EQ(drops(kRoutedPort, DropReason::kSpoofedMac), 1u);
  EXPECT_EQ(all_drops(kRoutedPort), 2u);
}

// Rules taken away in a new snapshot: the next burst is not filtered.
TEST_F(PortSecurityTest, RulesRemovedStopFiltering) {
  secure(kPodPort);
  process(kPodPort, {ipv4_from(kPod, "10.0.2.9")});
  EXPECT_EQ(drops(kPodPort, DropReason::kSpoofedIp), 1u);
  auto next = std::make_unique<L2Config>(*stage_->config.read());
  next->port_security[kPodPort] = kNoSecurity;
  next->securities.clear();
  stage_->config.publish(std::move(next));
  stage_->rcu.drain();
  process(kPodPort, {ipv4_from(kPod, "10.0.2.9")});
  const std::vector<rte_mbuf*> out = tx(kPeerPort);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(drops(kPodPort, DropReason::kSpoofedIp), 1u);
  free_all(out);
}

TEST(DropReasonTest, SpoofingReasonsHaveTheirNames) {
  EXPECT_STREQ(drop_reason_name(DropReason::kSpoofedMac), "spoofed_mac");
  EXPECT_STREQ(drop_reason_name(DropReason::kSpoofedIp), "spoofed_ip");
}

}  // namespace
}  // namespace np::dp
