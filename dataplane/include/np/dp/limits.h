// Fixed sizes of the data path.
#pragma once

#include <rte_config.h>

#include <cstdint>

namespace np::dp {

inline constexpr unsigned kMaxPorts = RTE_MAX_ETHPORTS;
inline constexpr uint16_t kMaxBurst = 32;  // Packets per rx burst and per stage call.

}  // namespace np::dp
