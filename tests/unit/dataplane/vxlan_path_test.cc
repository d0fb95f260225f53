// VXLAN through the whole pipeline on built packets: an L2 VNI extends bridge domain 10
// (ports 2, 3) to remote VTEPs behind the uplink up1 (our VTEP 10.0.1.1); an L3 VNI
// carries flannel-style routes. Checks the frames that come out, learning behind remotes,
// split horizon, and every drop with its reason.
#include <gtest/gtest.h>
#include <rte_icmp.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include <string>
#include <vector>

#include "np/vxlan/vxlan.h"
#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

using testlib::ipv4;
using testlib::kUp0Mac;
using testlib::kUp1Mac;
using testlib::mac;

constexpr const char* kVtepB = "02:00:00:00:02:02";  // 10.0.1.2, a remote VTEP.
constexpr const char* kVtepC = "02:00:00:00:02:03";  // 10.0.1.3, a remote VTEP.
constexpr const char* kLocalPod = "02:00:00:00:03:03";
constexpr const char* kRemotePod = "02:00:00:00:0b:0b";  // Behind 10.0.1.2.
constexpr const char* kFlannelPeerMac = "02:00:00:00:0f:01";
constexpr uint32_t kL2Vni = 100, kL3Vni = 1;

class VxlanPathTest : public ::testing::Test {
 protected:
  VxlanPathTest() {
    free_at_start_ = rte_mempool_avail_count(pool_);
    stage_ = std::make_unique<testlib::L3Stage>();
    VxlanSpec spec;
    spec.local_ip = ipv4("10.0.1.1");
    spec.tunnels = {{kL2Vni, 10, {ipv4("10.0.1.2"), ipv4("10.0.1.3")}}};
    RouteSpec flannel{{ipv4("10.244.2.0"), 24}, {}};
    flannel.next_hops.push_back(
        {0, "", VxlanNextHopSpec{ipv4("10.0.1.3"), kL3Vni, mac(kFlannelPeerMac)}});
    stage_->set_vxlan(spec, {flannel});
    ResolvedRoute resolved{flannel.prefix, {stage_->vxlan.next_hop(*flannel.next_hops[0].vxlan)}};
    stage_->apply({resolved},
                  {{1, ipv4("10.0.1.2"), mac(kVtepB)}, {1, ipv4("10.0.1.3"), mac(kVtepC)}});
  }
  ~VxlanPathTest() override {
    stage_.reset();
    EXPECT_EQ(rte_mempool_avail_count(pool_), free_at_start_) << "an mbuf leaked";
  }

  // A VXLAN frame from remote VTEP `from` (MAC `from_mac`) to `to_ip` on up1, carrying
  // `inner`.
  rte_mbuf* tunnelled(rte_mbuf* inner, const char* from, const char* from_mac, uint32_t vni,
                      const char* to_ip = "10.0.1.1") {
    EXPECT_TRUE(
        vxlan::encapsulate(inner, {rte_cpu_to_be_32(ipv4(from)), rte_cpu_to_be_32(ipv4(to_ip)),
                                   rte_cpu_to_be_16(4789), vni}));
    auto* eth = rte_pktmbuf_mtod(inner, rte_ether_hdr*);
    eth->dst_addr = mac(kUp1Mac);
    eth->src_addr = mac(from_mac);
    return inner;
  }
  rte_mbuf* pod_frame(const char* dst_mac, const char* src_mac, uint16_t payload = 18) {
    return testlib::ipv4_frame(pool_, {.dst_mac = dst_mac,
                                       .src_mac = src_mac,
                                       .src = "10.0.2.5",
                                       .dst = "10.0.2.9",
                                       .payload = payload});
  }
  // Checks `m` is a VXLAN frame out of up1 to `vtep_ip`/`vtep_mac` in `vni`; returns the
  // inner bytes.
  std::vector<uint8_t> expect_tunnelled(rte_mbuf* m, const char* vtep_ip, const char* vtep_mac,
                                        uint32_t vni) {
    auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
    EXPECT_EQ(testlib::mac_text(eth->dst_addr), vtep_mac);
    EXPECT_EQ(testlib::mac_text(eth->src_addr), kUp1Mac);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.1.1")));
    EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4(vtep_ip)));
    EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    EXPECT_EQ(udp->dst_port, rte_cpu_to_be_16(4789));
    auto* vx = reinterpret_cast<rte_vxlan_hdr*>(udp + 1);
    EXPECT_EQ(rte_be_to_cpu_32(vx->vx_vni) >> 8, vni);
    const uint8_t* inner = reinterpret_cast<const uint8_t*>(vx + 1);
    return std::vector<uint8_t>(inner, rte_pktmbuf_mtod(m, const uint8_t*) + m->pkt_len);
  }
  std::vector<rte_mbuf*> tx(uint16_t port) { return stage_->take_tx(port); }
  static void free_all(const std::vector<rte_mbuf*>& pkts) {
    for (rte_mbuf* m : pkts) rte_pktmbuf_free(m);
  }
  const VniCounters& vni_counters(uint32_t vni) {
    return stage_->ctx.counters.vnis[stage_->vxlan.vni_slot(vni)];
  }

  rte_mempool* pool_ = testlib::test_pool();
  unsigned free_at_start_ = 0;
  std::unique_ptr<testlib::L3Stage> stage_;
};

TEST_F(VxlanPathTest, BroadcastFromAPodFloodsLocallyAndToEveryRemote) {
  rte_mbuf* m = pod_frame("ff:ff:ff:ff:ff:ff", kLocalPod);
  const std::vector<uint8_t> inner(rte_pktmbuf_mtod(m, uint8_t*),
                                   rte_pktmbuf_mtod(m, uint8_t*) + m->pkt_len);
  stage_->process(2, m);
  auto local = tx(3);
  EXPECT_EQ(local.size(), 1u);
  free_all(local);
  auto out = tx(1);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(expect_tunnelled(out[0], "10.0.1.2", kVtepB, kL2Vni), inner);
  EXPECT_EQ(expect_tunnelled(out[1], "10.0.1.3", kVtepC, kL2Vni), inner);
  free_all(out);
  EXPECT_EQ(vni_counters(kL2Vni).encap.get(), 2u);
}

TEST_F(VxlanPathTest, RemoteSourcesAreLearnedAndReachedThroughTheirVtepOnly) {
  rte_mbuf* inner = pod_frame("ff:ff:ff:ff:ff:ff", kRemotePod);
  const std::vector<uint8_t> inner_bytes(rte_pktmbuf_mtod(inner, uint8_t*),
                                         rte_pktmbuf_mtod(inner, uint8_t*) + inner->pkt_len);
  stage_->process(1, tunnelled(inner, "10.0.1.2", kVtepB, kL2Vni));
  // Flooded to the local members, decapsulated, and never back into a tunnel.
  for (uint16_t port : {2, 3}) {
    auto out = tx(port);
    ASSERT_EQ(out.size(), 1u) << "port " << port;
    EXPECT_EQ(std::vector<uint8_t>(rte_pktmbuf_mtod(out[0], uint8_t*),
                                   rte_pktmbuf_mtod(out[0], uint8_t*) + out[0]->pkt_len),
              inner_bytes);
    free_all(out);
  }
  EXPECT_TRUE(tx(1).empty()) << "split horizon";
  EXPECT_EQ(vni_counters(kL2Vni).decap.get(), 1u);

  stage_->learn();
  MacEntry* entry = stage_->macs.lookup(make_mac_key(0, mac(kRemotePod)));
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(is_remote_port(entry->port));
  // A pod's frame to the learned remote MAC goes to that VTEP alone.
  stage_->process(2, pod_frame(kRemotePod, kLocalPod));
  auto out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  expect_tunnelled(out[0], "10.0.1.2", kVtepB, kL2Vni);
  free_all(out);
  EXPECT_TRUE(tx(3).empty());
}

TEST_F(VxlanPathTest, BadTunnelFramesAreDroppedEachWithItsReason) {
  auto drops = [&](VxlanDrop why) {
    return stage_->ctx.counters.vxlan_drops[static_cast<unsigned>(why)].get();
  };
  // Unknown VNI, bad flags, an outer destination that is ours but not the VTEP.
  stage_->process(1, tunnelled(pod_frame("ff:ff:ff:ff:ff:ff", kRemotePod), "10.0.1.2", kVtepB, 77));
  EXPECT_EQ(drops(VxlanDrop::kUnknownVni), 1u);
  rte_mbuf* bad = tunnelled(pod_frame("ff:ff:ff:ff:ff:ff", kRemotePod), "10.0.1.2", kVtepB, kL2Vni);
  rte_pktmbuf_mtod_offset(bad, uint8_t*, 42)[0] = 0x0c;
  stage_->process(1, bad);
  EXPECT_EQ(drops(VxlanDrop::kBadFlags), 1u);
  stage_->process(1, tunnelled(pod_frame("ff:ff:ff:ff:ff:ff", kRemotePod), "10.0.1.2", kVtepB,
                               kL2Vni, "10.0.2.1"));
  EXPECT_EQ(drops(VxlanDrop::kNotOurVtep), 1u);
  // A VTEP outside the VNI's flood list.
  stage_->process(
      1, tunnelled(pod_frame("ff:ff:ff:ff:ff:ff", kRemotePod), "10.0.1.9", kVtepB, kL2Vni));
  EXPECT_EQ(vni_counters(kL2Vni).drops[static_cast<unsigned>(VxlanDrop::kUnknownRemote)].get(), 1u);
  // Truncated: no inner Ethernet header.
  rte_mbuf* cut = tunnelled(pod_frame("ff:ff:ff:ff:ff:ff", kRemotePod), "10.0.1.2", kVtepB, kL2Vni);
  rte_pktmbuf_trim(cut, static_cast<uint16_t>(cut->pkt_len - 54));
  auto* ip = testlib::ipv4_header(cut);
  ip->total_length = rte_cpu_to_be_16(40);
  testlib::fix_ipv4_checksum(cut);
  stage_->process(1, cut);
  EXPECT_EQ(drops(VxlanDrop::kTruncated), 1u);
  EXPECT_EQ(stage_->drops(1, DropReason::kVxlanInvalid), 5u);
  for (uint16_t port : {1, 2, 3}) EXPECT_TRUE(tx(port).empty());
}

TEST_F(VxlanPathTest, AFrameThatWouldExceedTheUplinkMtuIsDropped) {
  stage_->process(2, pod_frame("ff:ff:ff:ff:ff:ff", kLocalPod, 1480 - 20));
  free_all(tx(3));
  EXPECT_TRUE(tx(1).empty());
  EXPECT_EQ(vni_counters(kL2Vni).drops[static_cast<unsigned>(VxlanDrop::kMtuExceeded)].get(), 2u);
  EXPECT_EQ(stage_->drops(2, DropReason::kVxlanEncap), 2u);
}

TEST_F(VxlanPathTest, FlannelRoutesGoThroughTheL3VniBothWays) {
  rte_mbuf* m = testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                            .src_mac = "02:00:00:00:01:01",
                                            .src = "10.0.0.2",
                                            .dst = "10.244.2.5",
                                            .ttl = 30});
  stage_->process(0, m);
  auto out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  const std::vector<uint8_t> inner = expect_tunnelled(out[0], "10.0.1.3", kVtepC, kL3Vni);
  ASSERT_GE(inner.size(), 34u);
  rte_ether_addr inner_dst, inner_src;
  memcpy(&inner_dst, inner.data(), 6);
  memcpy(&inner_src, inner.data() + 6, 6);
  EXPECT_EQ(testlib::mac_text(inner_dst), kFlannelPeerMac);
  EXPECT_EQ(testlib::mac_text(inner_src), testlib::mac_text(stage_->vxlan.mac()));
  EXPECT_EQ(inner[14 + 8], 29) << "the inner TTL, decremented";
  free_all(out);
  EXPECT_EQ(vni_counters(kL3Vni).encap.get(), 1u);

  // From the peer: inner frame to our VTEP MAC, routed on (to host B behind up1).
  rte_mbuf* back = testlib::ipv4_frame(pool_, {.dst_mac = testlib::mac_text(stage_->vxlan.mac()),
                                               .src_mac = kFlannelPeerMac,
                                               .src = "10.244.2.5",
                                               .dst = "10.0.1.2"});
  stage_->process(1, tunnelled(back, "10.0.1.3", kVtepC, kL3Vni));
  out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(out[0], rte_ether_hdr*)->dst_addr), kVtepB);
  EXPECT_EQ(testlib::ipv4_header(out[0])->dst_addr, rte_cpu_to_be_32(ipv4("10.0.1.2")));
  free_all(out);
  EXPECT_EQ(vni_counters(kL3Vni).decap.get(), 1u);

  // An inner frame for another MAC is not ours to route.
  rte_mbuf* stray = testlib::ipv4_frame(pool_, {.dst_mac = "02:00:00:00:09:09",
                                                .src_mac = kFlannelPeerMac,
                                                .src = "10.244.2.5",
                                                .dst = "10.0.1.2"});
  stage_->process(1, tunnelled(stray, "10.0.1.3", kVtepC, kL3Vni));
  EXPECT_TRUE(tx(1).empty());
  EXPECT_EQ(vni_counters(kL3Vni).drops[static_cast<unsigned>(VxlanDrop::kNotOurVtep)].get(), 1u);
}

TEST_F(VxlanPathTest, AnswersToL3VniPacketsGoBackIntoTheTunnel) {
  const std::string vtep_mac = testlib::mac_text(stage_->vxlan.mac());
  // An inner IP packet from the flannel peer's pod, checked as it comes back encapsulated.
  auto answer_from_tunnel = [&](const char* src, const char* dst, uint8_t proto, uint8_t ttl) {
    stage_->process(1, tunnelled(testlib::ipv4_frame(pool_, {.dst_mac = vtep_mac,
                                                             .src_mac = kFlannelPeerMac,
                                                             .src = src,
                                                             .dst = dst,
                                                             .proto = proto,
                                                             .ttl = ttl,
                                                             .payload = 28}),
                                 "10.0.1.3", kVtepC, kL3Vni));
    EXPECT_TRUE(tx(0).empty()) << "answers never leave by another port";
    return tx(1);
  };
  auto inner_icmp = [](const std::vector<uint8_t>& inner) {
    EXPECT_EQ(testlib::mac_text(*reinterpret_cast<const rte_ether_addr*>(inner.data())),
              kFlannelPeerMac);
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(inner.data() + 14);
    EXPECT_EQ(ip->next_proto_id, IPPROTO_ICMP);
    EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.244.2.5")));
    EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
    return *reinterpret_cast<const rte_icmp_hdr*>(ip + 1);
  };

  // A ping to one of our addresses is answered through the peer's VTEP.
  auto out = answer_from_tunnel("10.244.2.5", "10.0.0.1", IPPROTO_ICMP, 64);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(inner_icmp(expect_tunnelled(out[0], "10.0.1.3", kVtepC, kL3Vni)).icmp_type,
            RTE_IP_ICMP_ECHO_REPLY);
  free_all(out);

  // A packet whose TTL runs out here gets time exceeded, also through the tunnel.
  out = answer_from_tunnel("10.244.2.5", "10.0.1.2", IPPROTO_UDP, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(inner_icmp(expect_tunnelled(out[0], "10.0.1.3", kVtepC, kL3Vni)).icmp_type, 11);
  free_all(out);
  EXPECT_EQ(vni_counters(kL3Vni).encap.get(), 2u);

  // A sender we have no tunnel route to cannot be answered: dropped, not sent in the clear.
  EXPECT_TRUE(answer_from_tunnel("10.99.0.5", "10.0.0.1", IPPROTO_ICMP, 64).empty());
  EXPECT_EQ(stage_->drops(1, DropReason::kNoRoute), 1u);
}

// A PMD with per-VNI rte_flow rules marks packets with the VNI's counter slot + 1: the mark
// names a current VNI or nothing, and the VXLAN header still decides.
TEST_F(VxlanPathTest, RteFlowMarksNameTheirVniAndTheHeaderStillDecides) {
  const VxlanConfig& vx = stage_->config.read()->vxlan;
  const uint32_t l2_mark = stage_->vxlan.vni_slot(kL2Vni) + 1u;
  const uint32_t l3_mark = stage_->vxlan.vni_slot(kL3Vni) + 1u;
  ASSERT_NE(vx.marked_vni(l2_mark), nullptr);
  EXPECT_EQ(vx.marked_vni(l2_mark)->vni, kL2Vni);
  ASSERT_NE(vx.marked_vni(l3_mark), nullptr);
  EXPECT_EQ(vx.marked_vni(l3_mark)->vni, kL3Vni);
  EXPECT_EQ(vx.marked_vni(0), nullptr) << "0 is no mark";
  EXPECT_EQ(vx.marked_vni(kVniCounterSlots + 1), nullptr);

  // Marked with the L3 VNI but carrying the L2 VNI: bridged in VNI 100 all the same.
  rte_mbuf* m = tunnelled(pod_frame(kLocalPod, kRemotePod), "10.0.1.2", kVtepB, kL2Vni);
  m->ol_flags |= RTE_MBUF_F_RX_FDIR | RTE_MBUF_F_RX_FDIR_ID;
  m->hash.fdir.hi = l3_mark;
  stage_->process(1, m);
  EXPECT_EQ(vni_counters(kL2Vni).decap.get(), 1u);
  EXPECT_EQ(vni_counters(kL3Vni).decap.get(), 0u);
  free_all(tx(2));
  free_all(tx(3));

  // A VNI removed since its packets were marked: its mark names nothing.
  VxlanSpec spec;
  spec.local_ip = ipv4("10.0.1.1");
  stage_->set_vxlan(spec);
  EXPECT_EQ(stage_->config.read()->vxlan.marked_vni(l2_mark), nullptr);
}

TEST_F(VxlanPathTest, RoutedTrafficTooBigForTheTunnelGetsFragmentationNeeded) {
  // A 1500-byte uplink less the 50 bytes VXLAN adds: the tunnel's IP MTU is 1450.
  stage_->process(0, testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                                 .src_mac = "02:00:00:00:01:01",
                                                 .src = "10.0.0.2",
                                                 .dst = "10.244.2.5",
                                                 .payload = 1451 - 20,
                                                 .dont_fragment = true}));
  EXPECT_TRUE(tx(1).empty());
  auto out = tx(0);
  ASSERT_EQ(out.size(), 1u);
  auto* icmp = testlib::icmp_header(out[0]);
  EXPECT_EQ(icmp->icmp_type, 3);
  EXPECT_EQ(icmp->icmp_code, 4);
  EXPECT_EQ(rte_be_to_cpu_16(icmp->icmp_seq_nb), 1450);
  free_all(out);
  // One byte less fits.
  stage_->process(0, testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                                 .src_mac = "02:00:00:00:01:01",
                                                 .src = "10.0.0.2",
                                                 .dst = "10.244.2.5",
                                                 .payload = 1450 - 20,
                                                 .dont_fragment = true}));
  out = tx(1);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
  EXPECT_EQ(vni_counters(kL3Vni).drops[static_cast<unsigned>(VxlanDrop::kMtuExceeded)].get(), 1u);
}

}  // namespace
}  // namespace np::dp
