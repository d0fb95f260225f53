// NAT rewrites against a reference: after each rewrite, the IPv4 header checksum and the
// TCP/UDP checksum equal a full recomputation over the rewritten packet.
#include "np/nat/nat.h"

#include <gtest/gtest.h>

#include <random>

#include "testlib/eal_env.h"
#include "testlib/ipv4_builder.h"

namespace np::nat {
namespace {

void expect_as_recomputed(rte_mbuf* m) {
  rte_ipv4_hdr* ip = testlib::ipv4_header(m);
  const rte_be16_t ip_sum = ip->hdr_checksum;
  testlib::fix_ipv4_checksum(m);
  EXPECT_EQ(ip_sum, ip->hdr_checksum) << "IPv4 header checksum";
  const rte_be16_t sum = testlib::l4_checksum(m);
  testlib::set_l4_checksum(m, 0);
  EXPECT_EQ(sum, rte_ipv4_udptcp_cksum(ip, ip + 1)) << "TCP/UDP checksum";
  testlib::set_l4_checksum(m, sum);
}

TEST(NatTest, RewritesMatchAFullRecomputationForTcpAndUdp) {
  std::mt19937 rng(3);
  for (uint8_t proto : {uint8_t{IPPROTO_TCP}, uint8_t{IPPROTO_UDP}}) {
    for (int i = 0; i < 2000; ++i) {
      rte_mbuf* m =
          testlib::ipv4_frame(testlib::test_pool(), {.dst_mac = "02:00:00:00:00:01",
                                                     .src_mac = "02:00:00:00:00:02",
                                                     .src = "10.0.0.2",
                                                     .dst = "10.96.0.10",
                                                     .proto = proto,
                                                     .payload = 40,
                                                     .src_port = static_cast<uint16_t>(rng()),
                                                     .dst_port = 80,
                                                     .udp_checksum = true});
      rte_ipv4_hdr* ip = testlib::ipv4_header(m);
      auto* l4 = reinterpret_cast<uint8_t*>(ip + 1);
      rewrite_dst(ip, l4, rng(), static_cast<rte_be16_t>(rng()));
      expect_as_recomputed(m);
      rewrite_src(ip, l4, rng(), static_cast<rte_be16_t>(rng()));
      expect_as_recomputed(m);
      rte_pktmbuf_free(m);
    }
  }
}

TEST(NatTest, AUdpChecksumOfZeroStaysZero) {
  rte_mbuf* m = testlib::ipv4_frame(testlib::test_pool(), {.dst_mac = "02:00:00:00:00:01",
                                                           .src_mac = "02:00:00:00:00:02",
                                                           .src = "10.0.0.2",
                                                           .dst = "10.96.0.10"});
  rte_ipv4_hdr* ip = testlib::ipv4_header(m);
  rewrite_dst(ip, reinterpret_cast<uint8_t*>(ip + 1), rte_cpu_to_be_32(0x0a000102),
              rte_cpu_to_be_16(53));
  EXPECT_EQ(testlib::l4_checksum(m), 0) << "no checksum: none to update";
  EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
  rte_pktmbuf_free(m);
}

}  // namespace
}  // namespace np::nat
