// The VXLAN format: exact encapsulation bytes against a reference built field by field,
// decapsulation of a frame the Linux kernel's vxlan device produced, and each bad header
// refused with its reason.
#include "np/vxlan/vxlan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testlib/eal_env.h"
#include "testlib/ipv4_builder.h"

namespace np::vxlan {
namespace {

using dp::VxlanDrop;

// Captured on the underlay veth: `ping 10.42.0.1` from a netns whose vx42 (id 42, dstport
// 4789, local 192.168.50.2) floods to 192.168.50.1 (LAB.md's kernel VXLAN peer).
const char* const kKernelFrame =
    "f6097369d5ae867774376801080045000066b11800004011e41ac0a83202c0a83201a4ce12b50052e5b7"
    "0800000000002a000242000000010242000000020800450000348a86400040019bec0a2a00020a2a0001"
    "0800fa386cb900016709076b00000000d1470500000000001011121314151617";
constexpr uint16_t kVxlanOffset = 14 + 20 + 8;

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

rte_mbuf* frame_of(const std::vector<uint8_t>& bytes) {
  rte_mbuf* m = rte_pktmbuf_alloc(testlib::test_pool());
  std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(bytes.size())), bytes.data(),
              bytes.size());
  return m;
}

// The one's-complement sum of 16-bit words, folded and inverted (RFC 1071), written out.
uint16_t reference_checksum(const uint8_t* p, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i < len; i += 2) sum += (p[i] << 8) | p[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

class VxlanTest : public ::testing::Test {
 protected:
  rte_mempool* pool_ = testlib::test_pool();
};

TEST_F(VxlanTest, EncapsulatesIntoTheHeadroomWithExactHeaders) {
  rte_mbuf* m = testlib::ipv4_frame(pool_, {.dst_mac = "02:42:00:00:00:02",
                                            .src_mac = "02:42:00:00:00:01",
                                            .src = "10.42.0.1",
                                            .dst = "10.42.0.2"});
  const std::vector<uint8_t> inner(rte_pktmbuf_mtod(m, uint8_t*),
                                   rte_pktmbuf_mtod(m, uint8_t*) + m->pkt_len);
  const uint16_t sport = source_port(m);
  const uint16_t headroom = rte_pktmbuf_headroom(m);
  ASSERT_TRUE(encapsulate(
      m, {rte_cpu_to_be_32(testlib::ipv4("192.168.50.1")),
          rte_cpu_to_be_32(testlib::ipv4("192.168.50.2")), rte_cpu_to_be_16(4789), 42}));
  EXPECT_EQ(rte_pktmbuf_headroom(m), headroom - kOuterLen) << "prepended, not copied";
  ASSERT_EQ(m->pkt_len, inner.size() + 50);
  const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);

  const uint16_t ip_len = static_cast<uint16_t>(20 + 8 + 8 + inner.size());
  const uint16_t udp_len = static_cast<uint16_t>(8 + 8 + inner.size());
  const auto hi = [](uint16_t v) { return static_cast<uint8_t>(v >> 8); };
  const auto lo = [](uint16_t v) { return static_cast<uint8_t>(v); };
  // clang-format off
  std::vector<uint8_t> expect = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,  // Ethernet: the route fills the MACs.
      0x45, 0x00, hi(ip_len), lo(ip_len),               // IPv4: version, IHL, length,
      0x00, 0x00, 0x40, 0x00,                           // id 0, DF,
      64, 17, 0x00, 0x00,                               // TTL, UDP, checksum (below),
      192, 168, 50, 1, 192, 168, 50, 2,                 // addresses.
      hi(sport), lo(sport), 0x12, 0xb5,                 // UDP: ports (4789),
      hi(udp_len), lo(udp_len), 0x00, 0x00,             // length, checksum 0.
      0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 42, 0x00};    // VXLAN: I flag, VNI 42.
  // clang-format on
  const uint16_t check = reference_checksum(expect.data() + 14, 20);
  expect[24] = hi(check);
  expect[25] = lo(check);
  EXPECT_EQ(std::vector<uint8_t>(p, p + 50), expect);
  EXPECT_EQ(std::vector<uint8_t>(p + 50, p + m->pkt_len), inner);
  EXPECT_GE(sport, kSourcePortMin);
  rte_pktmbuf_free(m);
}

TEST_F(VxlanTest, SourcePortFollowsTheInnerFlow) {
  std::vector<uint16_t> ports;
  for (uint16_t flow = 0; flow < 64; ++flow) {
    rte_mbuf* a = testlib::ipv4_frame(pool_, {.dst_mac = "02:00:00:00:00:02",
                                              .src_mac = "02:00:00:00:00:01",
                                              .src = "10.0.0.1",
                                              .dst = "10.0.0.2",
                                              .src_port = static_cast<uint16_t>(1000 + flow)});
    rte_mbuf* b = rte_pktmbuf_copy(a, pool_, 0, UINT32_MAX);
    EXPECT_EQ(source_port(a), source_port(b)) << "one flow, one port";
    ports.push_back(source_port(a));
    rte_pktmbuf_free(a);
    rte_pktmbuf_free(b);
  }
  std::sort(ports.begin(), ports.end());
  EXPECT_GT(std::unique(ports.begin(), ports.end()) - ports.begin(), 48) << "flows spread";
}

TEST_F(VxlanTest, ParsesAndDecapsulatesAKernelFrame) {
  const std::vector<uint8_t> bytes = from_hex(kKernelFrame);
  rte_mbuf* m = frame_of(bytes);
  uint32_t vni = 0;
  EXPECT_EQ(parse(m, kVxlanOffset, vni), VxlanDrop::kCount);
  EXPECT_EQ(vni, 42u);
  decapsulate(m, kVxlanOffset);
  ASSERT_EQ(m->pkt_len, bytes.size() - 50);
  EXPECT_EQ(0, memcmp(rte_pktmbuf_mtod(m, uint8_t*), bytes.data() + 50, m->pkt_len));
  auto* inner = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  EXPECT_EQ(inner->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
  rte_pktmbuf_free(m);
}

TEST_F(VxlanTest, RefusesBadFlagsReservedBitsAndShortFrames) {
  struct Case {
    const char* name;
    size_t byte;  // Offset in the frame to change, or the length to cut to.
    uint8_t value;
    bool cut;
    VxlanDrop reason;
  };
  const Case cases[] = {
      {"I flag clear", 42, 0x00, false, VxlanDrop::kBadFlags},
      {"other flag set", 42, 0x0c, false, VxlanDrop::kBadFlags},
      {"reserved after flags", 44, 0x01, false, VxlanDrop::kBadFlags},
      {"reserved after VNI", 49, 0x01, false, VxlanDrop::kBadFlags},
      {"no VXLAN header", 46, 0, true, VxlanDrop::kTruncated},
      {"no inner Ethernet", 60, 0, true, VxlanDrop::kTruncated},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> bytes = from_hex(kKernelFrame);
    if (c.cut)
      bytes.resize(c.byte);
    else
      bytes[c.byte] = c.value;
    rte_mbuf* m = frame_of(bytes);
    uint32_t vni = 0;
    EXPECT_EQ(parse(m, kVxlanOffset, vni), c.reason) << c.name;
    rte_pktmbuf_free(m);
  }
}

TEST_F(VxlanTest, EncapsulationNeedsHeadroom) {
  rte_mbuf* m = testlib::ipv4_frame(pool_, {.dst_mac = "02:00:00:00:00:02",
                                            .src_mac = "02:00:00:00:00:01",
                                            .src = "10.0.0.1",
                                            .dst = "10.0.0.2"});
  rte_pktmbuf_prepend(m, static_cast<uint16_t>(rte_pktmbuf_headroom(m) - 10));
  const uint32_t len = m->pkt_len;
  EXPECT_FALSE(encapsulate(m, {1, 2, rte_cpu_to_be_16(4789), 7}));
  EXPECT_EQ(m->pkt_len, len) << "untouched";
  rte_pktmbuf_free(m);
}

}  // namespace
}  // namespace np::vxlan
