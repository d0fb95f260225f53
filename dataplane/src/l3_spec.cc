#include "np/dp/l3_spec.h"

namespace np::dp {

std::string format_ipv4(uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 0xff) + "." +
         std::to_string((addr >> 8) & 0xff) + "." + std::to_string(addr & 0xff);
}

std::string format_prefix(Ipv4Prefix prefix) {
  return format_ipv4(prefix.addr) + "/" + std::to_string(prefix.len);
}

const char* neighbor_state_name(NeighborState state) {
  switch (state) {
    case NeighborState::kIncomplete:
      return "incomplete";
    case NeighborState::kReachable:
      return "reachable";
    case NeighborState::kProbing:
      return "probing";
    case NeighborState::kStatic:
      return "static";
  }
  return "unknown";
}

const char* icmp_kind_name(IcmpKind kind) {
  switch (kind) {
    case IcmpKind::kEchoReply:
      return "echo_reply";
    case IcmpKind::kTimeExceeded:
      return "time_exceeded";
    case IcmpKind::kNetUnreachable:
      return "net_unreachable";
    case IcmpKind::kHostUnreachable:
      return "host_unreachable";
    case IcmpKind::kPortUnreachable:
      return "port_unreachable";
    case IcmpKind::kFragmentationNeeded:
      return "fragmentation_needed";
    case IcmpKind::kCount:
      break;
  }
  return "unknown";
}

}  // namespace np::dp
