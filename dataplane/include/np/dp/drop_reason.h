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
  kCount,
};

inline constexpr unsigned kDropReasonCount = static_cast<unsigned>(DropReason::kCount);

// snake_case name of a reason, as in stats output and metric labels.
const char* drop_reason_name(DropReason reason);

}  // namespace np::dp
