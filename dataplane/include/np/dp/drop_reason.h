// Why the data path dropped a packet. Every drop has exactly one reason, counted per port.
//
// Thread: any (constants only).
#pragma once

#include <cstdint>

namespace np::dp {

enum class DropReason : uint8_t {
  kRunt,             // Shorter than an Ethernet header.
  kTruncatedHeader,  // Ethernet header not contiguous in the first segment.
  kBadSourceMac,     // Multicast, broadcast or all-zero source MAC.
  kNoBridgeDomain,   // Ingress port is not a member of any bridge domain.
  kSamePort,         // Destination MAC was learned on the ingress port.
  kStaticMacMoved,   // A static MAC arrived from a port other than its own.
  kUnknownUnicast,   // Unknown destination and flooding is off in the domain.
  kNoFloodMembers,   // Nobody to flood to (the ingress is the only member up).
  kLinkDown,         // Egress port's link is down (e.g. pod disconnected).
  kTxFull,           // Egress queue did not take the packet.
  kSplitHorizon,     // From one VXLAN tunnel to another: never.
  // IPv4 and ARP on an interface (counted on the ingress port).
  kNotOurMac,          // On a routed port: not to its MAC (nor a broadcast ARP).
  kNotIpv4,            // Not IPv4 (nor ARP, outside L3 VNIs), sent to a router MAC.
  kIpTruncated,        // Shorter than an IPv4 header (or not in the first segment).
  kIpBadVersion,       // Version field is not 4.
  kIpBadHeaderLength,  // IHL below 5 or past the first segment.
  kIpBadTotalLength,   // Total length below the header or past the end of the frame.
  kIpBadChecksum,      // Header checksum wrong.
  kIpBadSource,        // Source is multicast, broadcast, loopback or 0.0.0.0.
  kIpNotRoutable,      // Destination is multicast or limited broadcast.
  kNoRoute,            // No route (ICMP net unreachable sent, rate permitting).
  kTtlExpired,         // TTL would reach 0 (ICMP time exceeded sent, rate permitting).
  kMtuExceeded,        // Larger than the egress MTU; never fragmented (ICMP if DF).
  kNoLocalService,     // To one of our addresses, a protocol we do not serve.
  kIcmpBadChecksum,    // An echo request to us with a wrong ICMP checksum.
  kArpMalformed,       // Not Ethernet/IPv4 ARP, or truncated.
  kArpNotForUs,        // ARP on a routed port for an address not ours.
  kPuntQueueFull,      // The queue to the control thread (ARP resolution) was full.
  kVxlanInvalid,       // VXLAN to us we cannot take (reason counted per VNI or in vxlan_drops).
  kVxlanEncap,         // Could not be sent into a VXLAN tunnel (reason counted per VNI).
  kService,            // Refused by the service stage (reason counted in nat_drops).
  // Port security (anti-spoofing), counted on the ingress port; port_security.h has the rules.
  kSpoofedMac,  // Ethernet source is not the port's MAC.
  kSpoofedIp,   // IPv4 or ARP sender not among the port's addresses, or another ethertype.
  kCount,
};

inline constexpr unsigned kDropReasonCount = static_cast<unsigned>(DropReason::kCount);

// snake_case name of a reason, as in stats output and metric labels.
const char* drop_reason_name(DropReason reason);

}  // namespace np::dp
