#include "np/dp/drop_reason.h"

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
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

}  // namespace np::dp
