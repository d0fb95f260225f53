// The VXLAN packet format (RFC 7348), interoperable with the Linux kernel's vxlan device:
// encapsulation into the mbuf's headroom (no copy), validation of a received VXLAN header,
// and decapsulation by moving the data start (no copy).
//
// Thread: any (pure functions on one mbuf).
#pragma once

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include <cstdint>

#include "np/dp/vxlan_spec.h"

namespace np::vxlan {

// Outer Ethernet + IPv4 + UDP + VXLAN.
inline constexpr uint16_t kOuterLen =
    sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + sizeof(rte_vxlan_hdr);
// The I flag: the only flag RFC 7348 defines; the other bits are reserved (zero).
inline constexpr uint8_t kFlagVni = 0x08;
// UDP source ports are drawn from the ephemeral range (RFC 7348, section 5).
inline constexpr uint16_t kSourcePortMin = 49152;

// The outer UDP source port for an inner frame: a hash of its flow (Ethernet addresses,
// and for IPv4 the addresses, protocol and ports), so a flow keeps one port and ECMP in the
// underlay spreads flows, not packets.
uint16_t source_port(const rte_mbuf* inner);

struct Outer {
  rte_be32_t src_ip, dst_ip;
  rte_be16_t dst_port;  // Usually 4789.
  uint32_t vni;
};

// Prepends outer headers to the inner frame in `m`: Ethernet with addresses left to the
// route that sends it (type IPv4), IPv4 with DF set, TTL 64 and its checksum, UDP with
// checksum 0 and the inner flow's source port, VXLAN with the I flag and `vni`. False (m
// untouched) when the headroom is short.
bool encapsulate(rte_mbuf* m, const Outer& outer);

// Checks the VXLAN header after the outer UDP header of `m` (at `vxlan_offset`) and the
// inner Ethernet header behind it; sets `vni`. kCount when good.
dp::VxlanDrop parse(const rte_mbuf* m, uint16_t vxlan_offset, uint32_t& vni);

// Strips everything up to the inner Ethernet header.
inline void decapsulate(rte_mbuf* m, uint16_t vxlan_offset) {
  rte_pktmbuf_adj(m, static_cast<uint16_t>(vxlan_offset + sizeof(rte_vxlan_hdr)));
}

}  // namespace np::vxlan
