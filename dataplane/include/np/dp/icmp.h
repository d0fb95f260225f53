// ICMP and ARP messages the router answers with, built in place in the mbuf that caused
// them (no allocation): echo replies, errors quoting the offending packet (RFC 792, with
// RFC 1812's rules for when not to send one), and ARP replies.
//
// Thread: any (pure functions on one mbuf).
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <cstdint>

#include "np/dp/l3_spec.h"

namespace np::dp {

// Whether RFC 1812 (4.3.2.7) allows an ICMP error about this IPv4 packet: not about an
// ICMP error, a non-initial fragment, or a packet from a non-unicast source.
bool may_send_icmp_error(const rte_mbuf* m);

// Rewrites `m`, an Ethernet frame holding an IPv4 packet, into the ICMP error `kind` about it, from
// `our_ip` / `our_mac` back to the packet's sender and the MAC it came from. The quote is the
// offending IP header and 8 bytes of its payload. `mtu` fills the next-hop MTU of "fragmentation
// needed". False (m untouched) when m is segmented or lacks headroom.
bool make_icmp_error(rte_mbuf* m, IcmpKind kind, uint16_t mtu, rte_be32_t our_ip,
                     const rte_ether_addr& our_mac);

// Whether `m` is a well-formed echo request (checksum included); ihl in bytes.
bool is_valid_echo_request(const rte_mbuf* m, uint16_t ihl);
// Turns an echo request into its reply, from `our_mac`, back to where it came from.
void make_echo_reply(rte_mbuf* m, uint16_t ihl, const rte_ether_addr& our_mac);

// Turns an ARP request for `our_ip` into the reply from `our_mac`.
void make_arp_reply(rte_mbuf* m, rte_be32_t our_ip, const rte_ether_addr& our_mac);

// Writes an ARP request for `target` into an empty mbuf: broadcast, or unicast to
// `dst_mac` when given (a refresh of a known neighbor).
void build_arp_request(rte_mbuf* m, rte_be32_t our_ip, const rte_ether_addr& our_mac,
                       rte_be32_t target, const rte_ether_addr* dst_mac);

}  // namespace np::dp
