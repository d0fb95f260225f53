// Bridge-domain settings as workers see them: an immutable snapshot published through
// Published<L2Config> whenever a domain or its members change.
//
// Thread: built by control; read by workers (once per burst) and control.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "np/dp/counters.h"

namespace np::dp {

inline constexpr uint16_t kNoDomain = 0xffff;

struct BridgeDomain {
  uint32_t id = 0;  // The user's id (config, API).
  bool learning = true;
  bool flood = true;       // Flood unknown unicast; broadcast and multicast always flood.
  uint32_t aging_s = 300;  // 0 = entries never age.
  uint32_t max_macs = 0;   // 0 = no per-domain limit.
  uint16_t n_members = 0;
  std::array<uint16_t, kMaxPorts> members{};
};

struct L2Config {
  L2Config() { port_domain.fill(kNoDomain); }
  // Domain index of each port (kNoDomain if none). The index keys the MAC table.
  std::array<uint16_t, kMaxPorts> port_domain;
  std::vector<BridgeDomain> domains;  // By domain index.
};

}  // namespace np::dp
