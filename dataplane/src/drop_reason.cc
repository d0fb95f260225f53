#include "np/dp/drop_reason.h"

#include "np/dp/service_spec.h"

namespace np::dp {

const char* drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kRunt:
      return "runt";
    case DropReason::kTruncatedHeader:
      return "truncated_header";
    case DropReason::kBadSourceMac:
      return "bad_source_mac";
    case DropReason::kNoBridgeDomain:
      return "no_bridge_domain";
    case DropReason::kSamePort:
      return "same_port";
    case DropReason::kStaticMacMoved:
      return "static_mac_moved";
    case DropReason::kUnknownUnicast:
      return "unknown_unicast";
    case DropReason::kNoFloodMembers:
      return "no_flood_members";
    case DropReason::kLinkDown:
      return "link_down";
    case DropReason::kTxFull:
      return "tx_full";
    case DropReason::kSplitHorizon:
      return "split_horizon";
    case DropReason::kNotOurMac:
      return "not_our_mac";
    case DropReason::kNotIpv4:
      return "not_ipv4";
    case DropReason::kIpTruncated:
      return "ip_truncated";
    case DropReason::kIpBadVersion:
      return "ip_bad_version";
    case DropReason::kIpBadHeaderLength:
      return "ip_bad_header_length";
    case DropReason::kIpBadTotalLength:
      return "ip_bad_total_length";
    case DropReason::kIpBadChecksum:
      return "ip_bad_checksum";
    case DropReason::kIpBadSource:
      return "ip_bad_source";
    case DropReason::kIpNotRoutable:
      return "ip_not_routable";
    case DropReason::kNoRoute:
      return "no_route";
    case DropReason::kTtlExpired:
      return "ttl_expired";
    case DropReason::kMtuExceeded:
      return "mtu_exceeded";
    case DropReason::kNoLocalService:
      return "no_local_service";
    case DropReason::kIcmpBadChecksum:
      return "icmp_bad_checksum";
    case DropReason::kArpMalformed:
      return "arp_malformed";
    case DropReason::kArpNotForUs:
      return "arp_not_for_us";
    case DropReason::kPuntQueueFull:
      return "punt_queue_full";
    case DropReason::kVxlanInvalid:
      return "vxlan_invalid";
    case DropReason::kVxlanEncap:
      return "vxlan_encap";
    case DropReason::kService:
      return "service";
    case DropReason::kSpoofedMac:
      return "spoofed_mac";
    case DropReason::kSpoofedIp:
      return "spoofed_ip";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

const char* nat_drop_name(NatDrop drop) {
  switch (drop) {
    case NatDrop::kTableFull:
      return "table_full";
    case NatDrop::kNoBackend:
      return "no_backend";
    case NatDrop::kTruncated:
      return "truncated";
    case NatDrop::kSnatExhausted:
      return "snat_exhausted";
    case NatDrop::kCount:
      break;
  }
  return "unknown";
}

}  // namespace np::dp
