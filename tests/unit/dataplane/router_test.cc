// The IPv4 path on built packets: lookups, the exact bytes of rewrites and ICMP answers
// (checksums against a full recomputation), drops by reason, ARP resolution through the
// control side, ECMP spread and stability, gateway interfaces of a bridge domain.
#include <gtest/gtest.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "np/dp/ipv4.h"
#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

using testlib::ipv4;
using testlib::Ipv4Frame;
using testlib::kBviMac;
using testlib::kUp0Mac;
using testlib::kUp1Mac;
using testlib::mac;

constexpr const char* kHostA = "02:00:00:00:01:01";  // Behind port 0 (10.0.0.2).
constexpr const char* kHostB = "02:00:00:00:02:02";  // Behind port 1 (10.0.1.2).
constexpr const char* kHostC = "02:00:00:00:02:03";  // Behind port 1 (10.0.1.3).
constexpr const char* kPod = "02:00:00:00:03:03";    // In the domain, on port 3 (10.0.2.5).

// A checksum over `len` bytes that holds its own checksum field is right when it folds
// to 0xffff.
bool checksum_ok(const void* data, size_t len) { return rte_raw_cksum(data, len) == 0xffff; }

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    free_at_start_ = rte_mempool_avail_count(pool_);
    stage_ = std::make_unique<testlib::L3Stage>();
  }
  ~RouterTest() override {
    stage_.reset();
    EXPECT_EQ(rte_mempool_avail_count(pool_), free_at_start_) << "an mbuf leaked";
  }

  rte_mbuf* from_a(Ipv4Frame f) {
    f.dst_mac = kUp0Mac;
    f.src_mac = kHostA;
    if (f.src.empty()) f.src = "10.0.0.2";
    return testlib::ipv4_frame(pool_, f);
  }
  ResolvedNeighbor neighbor(uint16_t iface, const char* ip, const char* address) {
    return {iface, ipv4(ip), mac(address)};
  }
  // Host B and C resolved on up1; the pod resolved on the bvi.
  void resolve_neighbors(std::vector<ResolvedRoute> routes = {}) {
    stage_->apply(routes, {neighbor(1, "10.0.1.2", kHostB), neighbor(1, "10.0.1.3", kHostC),
                           neighbor(2, "10.0.2.5", kPod)});
  }
  std::vector<rte_mbuf*> tx(uint16_t port) { return stage_->take_tx(port); }
  uint64_t drops(uint16_t port, DropReason r) const { return stage_->drops(port, r); }
  uint64_t icmp_sent(IcmpKind k) const {
    return stage_->ctx.counters.l3.icmp_sent[static_cast<unsigned>(k)].get();
  }
  static void free_all(const std::vector<rte_mbuf*>& pkts) {
    for (rte_mbuf* m : pkts) rte_pktmbuf_free(m);
  }

  rte_mempool* pool_ = testlib::test_pool();
  unsigned free_at_start_ = 0;
  std::unique_ptr<testlib::L3Stage> stage_;
};

TEST_F(RouterTest, ForwardsToAConnectedNeighborWithTtlAndChecksumUpdated) {
  resolve_neighbors();
  rte_mbuf* m = from_a({.dst = "10.0.1.2", .ttl = 9});
  // The expected packet: the same bytes but Ethernet, TTL and a fully recomputed checksum.
  std::vector<uint8_t> expect(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_mtod(m, uint8_t*) + 64);
  stage_->process(0, m);

  auto out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  auto* eth = rte_pktmbuf_mtod(out[0], rte_ether_hdr*);
  EXPECT_EQ(testlib::mac_text(eth->dst_addr), kHostB);
  EXPECT_EQ(testlib::mac_text(eth->src_addr), kUp1Mac);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out[0]);
  EXPECT_EQ(ip->time_to_live, 8);
  auto* ref = reinterpret_cast<rte_ipv4_hdr*>(expect.data() + sizeof(rte_ether_hdr));
  ref->time_to_live = 8;
  ref->hdr_checksum = 0;
  ref->hdr_checksum = static_cast<uint16_t>(~rte_raw_cksum(ref, sizeof(*ref)));
  EXPECT_EQ(ip->hdr_checksum, ref->hdr_checksum) << "RFC 1624 update = full recomputation";
  EXPECT_EQ(0, memcmp(ip, ref, out[0]->pkt_len - sizeof(rte_ether_hdr)));
  free_all(out);
}

TEST_F(RouterTest, IncrementalChecksumMatchesFullRecomputationForEveryTtl) {
  for (unsigned ttl = 2; ttl <= 255; ++ttl) {
    rte_mbuf* m = from_a({.dst = "10.0.1.2", .ttl = static_cast<uint8_t>(ttl)});
    rte_ipv4_hdr* ip = testlib::ipv4_header(m);
    decrement_ttl(ip);
    EXPECT_TRUE(checksum_ok(ip, sizeof(*ip))) << "ttl " << ttl;
    rte_pktmbuf_free(m);
  }
}

// The 32-bit-word check the router validates headers with agrees with rte_raw_cksum on
// headers with every byte varied (carries through all folds), good and corrupted.
TEST(Ipv4ChecksumTest, WordSumCheckAgreesWithRteRawCksum) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    rte_ipv4_hdr ip;
    auto* bytes = reinterpret_cast<uint8_t*>(&ip);
    for (size_t b = 0; b < sizeof(ip); ++b)
      bytes[b] = static_cast<uint8_t>(rng() % 3 == 0 ? 0xff : rng());
    if (i % 2 == 0) {
      ip.hdr_checksum = 0;
      ip.hdr_checksum = static_cast<uint16_t>(~rte_raw_cksum(&ip, sizeof(ip)));
    }
    ASSERT_EQ(ipv4_checksum_ok(&ip, sizeof(ip)), rte_raw_cksum(&ip, sizeof(ip)) == 0xffff) << i;
  }
}

TEST_F(RouterTest, RoutesThroughAGatewayAndPicksTheLongestPrefix) {
  resolve_neighbors({{{ipv4("192.168.0.0"), 16}, {{1, ipv4("10.0.1.2")}}},
                     {{ipv4("192.168.7.0"), 24}, {{1, ipv4("10.0.1.3")}}}});
  stage_->process(0, from_a({.dst = "192.168.5.5"}));
  stage_->process(0, from_a({.dst = "192.168.7.9"}));
  auto out = tx(1);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(out[0], rte_ether_hdr*)->dst_addr), kHostB);
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(out[1], rte_ether_hdr*)->dst_addr), kHostC);
  free_all(out);
}

TEST_F(RouterTest, NoRouteAnswersNetUnreachableQuotingThePacket) {
  rte_mbuf* m = from_a({.dst = "172.16.0.1", .payload = 100});
  std::vector<uint8_t> orig(rte_pktmbuf_mtod_offset(m, uint8_t*, sizeof(rte_ether_hdr)),
                            rte_pktmbuf_mtod_offset(m, uint8_t*, sizeof(rte_ether_hdr)) + 28);
  stage_->process(0, m);
  EXPECT_EQ(drops(0, DropReason::kNoRoute), 1u);
  EXPECT_EQ(icmp_sent(IcmpKind::kNetUnreachable), 1u);
  auto out = tx(0);
  ASSERT_EQ(out.size(), 1u);
  rte_mbuf* r = out[0];
  auto* eth = rte_pktmbuf_mtod(r, rte_ether_hdr*);
  EXPECT_EQ(testlib::mac_text(eth->dst_addr), kHostA);
  EXPECT_EQ(testlib::mac_text(eth->src_addr), kUp0Mac);
  rte_ipv4_hdr* ip = testlib::ipv4_header(r);
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.0.1")));
  EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_EQ(ip->next_proto_id, IPPROTO_ICMP);
  EXPECT_EQ(rte_be_to_cpu_16(ip->total_length), 20 + 8 + 28);
  EXPECT_EQ(r->pkt_len, sizeof(rte_ether_hdr) + 20 + 8 + 28);
  EXPECT_TRUE(checksum_ok(ip, sizeof(*ip)));
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(ip + 1);
  EXPECT_EQ(icmp->icmp_type, 3);
  EXPECT_EQ(icmp->icmp_code, 0);
  EXPECT_TRUE(checksum_ok(icmp, 8 + 28));
  EXPECT_EQ(0, memcmp(icmp + 1, orig.data(), orig.size())) << "quote: IP header + 8 bytes";
  free_all(out);
}

TEST_F(RouterTest, TtlOneGetsTimeExceededAndIsNotForwarded) {
  resolve_neighbors();
  stage_->process(0, from_a({.dst = "10.0.1.2", .ttl = 1}));
  EXPECT_TRUE(tx(1).empty());
  EXPECT_EQ(drops(0, DropReason::kTtlExpired), 1u);
  auto out = tx(0);
  ASSERT_EQ(out.size(), 1u);
  auto* icmp = testlib::icmp_header(out[0]);
  EXPECT_EQ(icmp->icmp_type, 11);
  EXPECT_EQ(icmp->icmp_code, 0);
  EXPECT_EQ(icmp_sent(IcmpKind::kTimeExceeded), 1u);
  free_all(out);
}

TEST_F(RouterTest, MalformedHeadersAreDroppedEachWithItsReason) {
  resolve_neighbors();
  struct Case {
    const char* name;
    void (*damage)(rte_mbuf*);
    DropReason reason;
  };
  const Case cases[] = {
      {"short", [](rte_mbuf* m) { rte_pktmbuf_trim(m, m->pkt_len - 30); },
       DropReason::kIpTruncated},
      {"version 6",
       [](rte_mbuf* m) {
         testlib::ipv4_header(m)->version_ihl = 0x65;
         testlib::fix_ipv4_checksum(m);
       },
       DropReason::kIpBadVersion},
      {"ihl 4", [](rte_mbuf* m) { testlib::ipv4_header(m)->version_ihl = 0x44; },
       DropReason::kIpBadHeaderLength},
      {"ihl past the frame", [](rte_mbuf* m) { testlib::ipv4_header(m)->version_ihl = 0x4f; },
       DropReason::kIpBadHeaderLength},
      {"total length past the frame",
       [](rte_mbuf* m) {
         testlib::ipv4_header(m)->total_length = rte_cpu_to_be_16(1400);
         testlib::fix_ipv4_checksum(m);
       },
       DropReason::kIpBadTotalLength},
      {"total length below the header",
       [](rte_mbuf* m) {
         testlib::ipv4_header(m)->total_length = rte_cpu_to_be_16(12);
         testlib::fix_ipv4_checksum(m);
       },
       DropReason::kIpBadTotalLength},
      {"bad checksum", [](rte_mbuf* m) { testlib::ipv4_header(m)->hdr_checksum ^= 0x0101; },
       DropReason::kIpBadChecksum},
      {"loopback source",
       [](rte_mbuf* m) {
         testlib::ipv4_header(m)->src_addr = rte_cpu_to_be_32(ipv4("127.0.0.1"));
         testlib::fix_ipv4_checksum(m);
       },
       DropReason::kIpBadSource},
      {"multicast destination",
       [](rte_mbuf* m) {
         testlib::ipv4_header(m)->dst_addr = rte_cpu_to_be_32(ipv4("239.1.1.1"));
         testlib::fix_ipv4_checksum(m);
       },
       DropReason::kIpNotRoutable},
      {"not IPv4",
       [](rte_mbuf* m) {
         rte_pktmbuf_mtod(m, rte_ether_hdr*)->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
       },
       DropReason::kNotIpv4},
  };
  for (const Case& c : cases) {
    rte_mbuf* m = from_a({.dst = "10.0.1.2"});
    c.damage(m);
    const uint64_t before = drops(0, c.reason);
    stage_->process(0, m);
    EXPECT_EQ(drops(0, c.reason), before + 1) << c.name;
    EXPECT_TRUE(tx(1).empty()) << c.name;
    EXPECT_TRUE(tx(0).empty()) << c.name << ": no ICMP about a malformed packet";
  }
}

TEST_F(RouterTest, RoutedPortTakesOnlyFramesToItsMacAndBroadcastArp) {
  resolve_neighbors();
  stage_->process(0, testlib::ipv4_frame(pool_, {.dst_mac = "02:00:00:00:09:09",
                                                 .src_mac = kHostA,
                                                 .src = "10.0.0.2",
                                                 .dst = "10.0.1.2"}));
  stage_->process(0, testlib::ipv4_frame(pool_, {.dst_mac = "ff:ff:ff:ff:ff:ff",
                                                 .src_mac = kHostA,
                                                 .src = "10.0.0.2",
                                                 .dst = "10.0.1.2"}));
  stage_->process(0, testlib::arp_frame(pool_, "02:00:00:00:09:09", kHostA, RTE_ARP_OP_REQUEST,
                                        "10.0.0.2", "10.0.0.1"));
  EXPECT_TRUE(tx(1).empty());
  EXPECT_TRUE(tx(0).empty());
  EXPECT_EQ(drops(0, DropReason::kNotOurMac), 3u);
}

TEST_F(RouterTest, TrimsEthernetPaddingBeforeForwarding) {
  resolve_neighbors();
  rte_mbuf* m = from_a({.dst = "10.0.1.2", .payload = 8});  // 42 bytes: padded to 60.
  rte_pktmbuf_append(m, 18);
  stage_->process(0, m);
  auto out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->pkt_len, sizeof(rte_ether_hdr) + 28);
  free_all(out);
}

TEST_F(RouterTest, AnswersEchoRequestsToItsAddresses) {
  rte_mbuf* m = from_a({.dst = "10.0.0.1", .proto = IPPROTO_ICMP, .payload = 64});
  stage_->process(0, m);
  auto out = tx(0);
  ASSERT_EQ(out.size(), 1u);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out[0]);
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.0.1")));
  EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_TRUE(checksum_ok(ip, sizeof(*ip)));
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(ip + 1);
  EXPECT_EQ(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
  EXPECT_TRUE(checksum_ok(icmp, 64));
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(out[0], rte_ether_hdr*)->dst_addr), kHostA);
  EXPECT_EQ(icmp_sent(IcmpKind::kEchoReply), 1u);
  free_all(out);

  // The address of another interface answers too (reached through this one).
  stage_->process(0, from_a({.dst = "10.0.2.1", .proto = IPPROTO_ICMP, .payload = 64}));
  out = tx(0);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
  // A bad ICMP checksum is dropped, not answered.
  rte_mbuf* bad = from_a({.dst = "10.0.0.1", .proto = IPPROTO_ICMP, .payload = 64});
  testlib::icmp_header(bad)->icmp_cksum ^= 1;
  stage_->process(0, bad);
  EXPECT_TRUE(tx(0).empty());
  EXPECT_EQ(drops(0, DropReason::kIcmpBadChecksum), 1u);
}

TEST_F(RouterTest, UdpToUsGetsPortUnreachable) {
  stage_->process(0, from_a({.dst = "10.0.0.1"}));
  auto out = tx(0);
  ASSERT_EQ(out.size(), 1u);
  auto* icmp = testlib::icmp_header(out[0]);
  EXPECT_EQ(icmp->icmp_type, 3);
  EXPECT_EQ(icmp->icmp_code, 3);
  free_all(out);
}

TEST_F(RouterTest, AnswersArpForItsAddressAndLearnsTheAsker) {
  stage_->process(0, testlib::arp_frame(pool_, "ff:ff:ff:ff:ff:ff", kHostA, RTE_ARP_OP_REQUEST,
                                        "10.0.0.2", "10.0.0.1"));
  auto out = tx(0);
  ASSERT_EQ(out.size(), 1u);
  auto* eth = rte_pktmbuf_mtod(out[0], rte_ether_hdr*);
  EXPECT_EQ(testlib::mac_text(eth->dst_addr), kHostA);
  EXPECT_EQ(testlib::mac_text(eth->src_addr), kUp0Mac);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  EXPECT_EQ(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
  EXPECT_EQ(testlib::mac_text(arp->arp_data.arp_sha), kUp0Mac);
  EXPECT_EQ(arp->arp_data.arp_sip, rte_cpu_to_be_32(ipv4("10.0.0.1")));
  EXPECT_EQ(testlib::mac_text(arp->arp_data.arp_tha), kHostA);
  EXPECT_EQ(arp->arp_data.arp_tip, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  free_all(out);

  stage_->drain_punts();
  auto rows = stage_->l3.neighbors(stage_->now_ms);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ip, ipv4("10.0.0.2"));
  EXPECT_EQ(testlib::mac_text(rows[0].mac), kHostA);
  EXPECT_EQ(rows[0].state, NeighborState::kReachable);

  // Requests for other addresses are not ours to answer.
  stage_->process(0, testlib::arp_frame(pool_, "ff:ff:ff:ff:ff:ff", kHostA, RTE_ARP_OP_REQUEST,
                                        "10.0.0.2", "10.0.0.9"));
  EXPECT_TRUE(tx(0).empty());
  EXPECT_EQ(drops(0, DropReason::kArpNotForUs), 1u);
}

TEST_F(RouterTest, UnresolvedNextHopWaitsForArpThenGoes) {
  stage_->process(0, from_a({.dst = "10.0.1.7"}));
  stage_->process(0, from_a({.dst = "10.0.1.7"}));
  EXPECT_TRUE(tx(1).empty());
  stage_->drain_punts();
  // One broadcast request out of up1, sent through the worker.
  EXPECT_EQ(stage_->run_injected(), 1u);
  auto req = tx(1);
  ASSERT_EQ(req.size(), 1u);
  auto* eth = rte_pktmbuf_mtod(req[0], rte_ether_hdr*);
  EXPECT_TRUE(rte_is_broadcast_ether_addr(&eth->dst_addr));
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  EXPECT_EQ(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
  EXPECT_EQ(arp->arp_data.arp_tip, rte_cpu_to_be_32(ipv4("10.0.1.7")));
  EXPECT_EQ(arp->arp_data.arp_sip, rte_cpu_to_be_32(ipv4("10.0.1.1")));
  free_all(req);

  // The reply releases both packets, rewritten for the neighbor.
  stage_->process(1, testlib::arp_frame(pool_, kUp1Mac, kHostC, RTE_ARP_OP_REPLY, "10.0.1.7",
                                        "10.0.1.1", kUp1Mac));
  stage_->drain_punts();
  EXPECT_EQ(stage_->run_injected(), 2u);
  auto out = tx(1);
  ASSERT_EQ(out.size(), 2u);
  for (rte_mbuf* m : out) {
    EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(m, rte_ether_hdr*)->dst_addr), kHostC);
    EXPECT_EQ(testlib::ipv4_header(m)->time_to_live, 63);
    EXPECT_TRUE(checksum_ok(testlib::ipv4_header(m), sizeof(rte_ipv4_hdr)));
  }
  free_all(out);
  stage_->rcu.drain();
  // Now a host route: the next packet goes straight from the worker.
  stage_->process(0, from_a({.dst = "10.0.1.7"}));
  out = tx(1);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
  const L3Stats s = stage_->l3.stats();
  EXPECT_EQ(s.arp_misses, 2u);
  EXPECT_EQ(s.arp_requests_sent, 1u);
}

TEST_F(RouterTest, NeighborQueueIsBoundedAndAFailedResolutionAnswersHostUnreachable) {
  for (int i = 0; i < 6; ++i) stage_->process(0, from_a({.dst = "10.0.1.9"}));
  stage_->drain_punts();
  EXPECT_EQ(stage_->l3.stats().arp_queue_drops, 2u) << "4 wait, 2 dropped";
  // Two more requests one retry apart, then the resolution fails.
  for (int i = 0; i < 4; ++i) {
    stage_->now_ms += 1000;
    stage_->l3.tick(stage_->now_ms);
  }
  const L3Stats s = stage_->l3.stats();
  EXPECT_EQ(s.arp_requests_sent, 3u);
  EXPECT_EQ(s.arp_failed_drops, 4u);
  EXPECT_EQ(s.icmp_sent[static_cast<unsigned>(IcmpKind::kHostUnreachable)], 4u);
  EXPECT_EQ(s.neighbors, 0u);
  stage_->run_injected();
  auto requests = tx(1);
  EXPECT_EQ(requests.size(), 3u);
  free_all(requests);
  auto unreachable = tx(0);
  ASSERT_EQ(unreachable.size(), 4u);
  auto* icmp = testlib::icmp_header(unreachable[0]);
  EXPECT_EQ(icmp->icmp_type, 3);
  EXPECT_EQ(icmp->icmp_code, 1);
  free_all(unreachable);
}

TEST_F(RouterTest, LearnedNeighborsAreProbedAndExpireWhenSilent) {
  stage_->process(1, testlib::arp_frame(pool_, "ff:ff:ff:ff:ff:ff", kHostB, RTE_ARP_OP_REQUEST,
                                        "10.0.1.2", "10.0.1.2"));  // Gratuitous.
  stage_->drain_punts();
  ASSERT_EQ(stage_->l3.stats().neighbors, 1u);
  const NeighborTimers t;
  stage_->now_ms += t.reachable_s * 1000ull;
  stage_->l3.tick(stage_->now_ms);
  EXPECT_EQ(stage_->l3.neighbors(stage_->now_ms)[0].state, NeighborState::kProbing);
  stage_->run_injected();
  auto probe = tx(1);
  ASSERT_EQ(probe.size(), 1u);
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(probe[0], rte_ether_hdr*)->dst_addr), kHostB)
      << "unicast";
  free_all(probe);
  // An answer makes it reachable again; silence after three probes removes it.
  stage_->process(1, testlib::arp_frame(pool_, kUp1Mac, kHostB, RTE_ARP_OP_REPLY, "10.0.1.2",
                                        "10.0.1.1", kUp1Mac));
  stage_->drain_punts();
  EXPECT_EQ(stage_->l3.neighbors(stage_->now_ms)[0].state, NeighborState::kReachable);
  stage_->now_ms += t.reachable_s * 1000ull;
  for (int i = 0; i < 4; ++i) {
    stage_->l3.tick(stage_->now_ms);
    stage_->now_ms += t.retry_ms;
  }
  EXPECT_EQ(stage_->l3.stats().neighbors, 0u);
}

TEST_F(RouterTest, EcmpSpreadsFlowsAndKeepsEachOnOnePath) {
  resolve_neighbors({{{0, 0}, {{1, ipv4("10.0.1.2")}, {1, ipv4("10.0.1.3")}}}});
  std::map<uint16_t, std::string> path_of;  // Source port -> next hop MAC.
  std::map<std::string, int> per_hop;
  for (int round = 0; round < 3; ++round) {
    for (uint16_t sport = 1000; sport < 1400; ++sport) {
      stage_->process(0, from_a({.dst = "198.51.100.7", .src_port = sport}));
      auto out = tx(1);
      ASSERT_EQ(out.size(), 1u);
      const std::string hop = testlib::mac_text(rte_pktmbuf_mtod(out[0], rte_ether_hdr*)->dst_addr);
      free_all(out);
      if (round == 0) {
        path_of[sport] = hop;
        ++per_hop[hop];
      } else {
        EXPECT_EQ(path_of[sport], hop) << "flow " << sport << " changed path";
      }
    }
    // An unrelated route change must not move flows.
    resolve_neighbors({{{0, 0}, {{1, ipv4("10.0.1.2")}, {1, ipv4("10.0.1.3")}}},
                       {{ipv4("203.0.113.0"), 24}, {{1, ipv4("10.0.1.2")}}}});
  }
  ASSERT_EQ(per_hop.size(), 2u);
  EXPECT_GT(per_hop[kHostB], 400 * 4 / 10);
  EXPECT_GT(per_hop[kHostC], 400 * 4 / 10);
}

TEST_F(RouterTest, ForwardsOptionsAndFragmentsUntouchedButNeverAboveTheMtu) {
  resolve_neighbors();
  rte_mbuf* m = from_a({.dst = "10.0.1.2", .options = 2});
  testlib::ipv4_header(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | 10);
  testlib::fix_ipv4_checksum(m);
  stage_->process(0, m);
  auto out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out[0]);
  EXPECT_EQ(rte_ipv4_hdr_len(ip), 28);
  EXPECT_EQ(ip->fragment_offset, rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | 10));
  EXPECT_TRUE(checksum_ok(ip, 28));
  free_all(out);

  stage_->process(0, from_a({.dst = "10.0.1.2", .payload = 1600, .dont_fragment = true}));
  stage_->process(0, from_a({.dst = "10.0.1.2", .payload = 1600}));
  EXPECT_TRUE(tx(1).empty());
  EXPECT_EQ(drops(0, DropReason::kMtuExceeded), 2u);
  out = tx(0);
  ASSERT_EQ(out.size(), 1u) << "fragmentation needed only for DF";
  auto* icmp = testlib::icmp_header(out[0]);
  EXPECT_EQ(icmp->icmp_type, 3);
  EXPECT_EQ(icmp->icmp_code, 4);
  EXPECT_EQ(rte_be_to_cpu_16(icmp->icmp_seq_nb), kDefaultMtu);
  free_all(out);
}

TEST_F(RouterTest, IcmpErrorsAreRateLimitedPerWorker) {
  resolve_neighbors();
  stage_->ctx.now_tsc = rte_get_tsc_hz();  // One instant: no refill.
  for (int i = 0; i < 100; ++i) {
    stage_->process(0, from_a({.dst = "10.0.1.2", .ttl = 1}));
    stage_->release_tx();
  }
  EXPECT_EQ(icmp_sent(IcmpKind::kTimeExceeded), kIcmpBurst);
  EXPECT_EQ(stage_->ctx.counters.l3.icmp_rate_limited.get(), 100 - kIcmpBurst);
  EXPECT_EQ(drops(0, DropReason::kTtlExpired), 100u);
  // A second later the bucket is full again.
  stage_->ctx.now_tsc += rte_get_tsc_hz();
  stage_->process(0, from_a({.dst = "10.0.1.2", .ttl = 1}));
  EXPECT_EQ(icmp_sent(IcmpKind::kTimeExceeded), kIcmpBurst + 1);
}

TEST_F(RouterTest, NoIcmpErrorAboutAnIcmpError) {
  rte_mbuf* m = from_a({.dst = "172.16.0.1", .proto = IPPROTO_ICMP, .payload = 36});
  testlib::icmp_header(m)->icmp_type = 3;
  stage_->process(0, m);
  EXPECT_TRUE(tx(0).empty());
  EXPECT_EQ(drops(0, DropReason::kNoRoute), 1u);
}

TEST_F(RouterTest, GatewayInterfaceRoutesBetweenTheDomainAndRoutedPorts) {
  resolve_neighbors();
  // Pod -> gateway MAC -> routed out of up1.
  stage_->process(
      2, testlib::ipv4_frame(
             pool_, {.dst_mac = kBviMac, .src_mac = kPod, .src = "10.0.2.5", .dst = "10.0.1.2"}));
  auto out = tx(1);
  ASSERT_EQ(out.size(), 1u);
  free_all(out);
  // The pod's MAC learned on port 3; a packet to it is switched there only.
  stage_->process(3, testlib::ipv4_frame(pool_, {.dst_mac = "ff:ff:ff:ff:ff:ff",
                                                 .src_mac = kPod,
                                                 .src = "10.0.2.5",
                                                 .dst = "10.0.2.255"}));
  stage_->release_tx();
  stage_->learn();
  stage_->process(0, from_a({.dst = "10.0.2.5"}));
  EXPECT_TRUE(tx(2).empty());
  out = tx(3);
  ASSERT_EQ(out.size(), 1u);
  auto* eth = rte_pktmbuf_mtod(out[0], rte_ether_hdr*);
  EXPECT_EQ(testlib::mac_text(eth->dst_addr), kPod);
  EXPECT_EQ(testlib::mac_text(eth->src_addr), kBviMac);
  free_all(out);
}

TEST_F(RouterTest, GatewayAnswersArpInItsDomainAndDoesNotFloodIt) {
  stage_->process(2, testlib::arp_frame(pool_, "ff:ff:ff:ff:ff:ff", kPod, RTE_ARP_OP_REQUEST,
                                        "10.0.2.5", "10.0.2.1"));
  EXPECT_TRUE(tx(3).empty()) << "a request for the gateway is not flooded";
  auto out = tx(2);
  ASSERT_EQ(out.size(), 1u) << "the reply goes back (flooded: the asker is not learned yet)";
  auto* arp = rte_pktmbuf_mtod_offset(out[0], rte_arp_hdr*, sizeof(rte_ether_hdr));
  EXPECT_EQ(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
  EXPECT_EQ(testlib::mac_text(arp->arp_data.arp_sha), kBviMac);
  free_all(out);
  // Other ARP in the domain is flooded as before.
  stage_->process(2, testlib::arp_frame(pool_, "ff:ff:ff:ff:ff:ff", kPod, RTE_ARP_OP_REQUEST,
                                        "10.0.2.5", "10.0.2.6"));
  out = tx(3);
  EXPECT_EQ(out.size(), 1u);
  free_all(out);
}

}  // namespace
}  // namespace np::dp
