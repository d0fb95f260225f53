// Bridge-domain snapshots for tests, benchmarks and fuzzers.
#pragma once

#include <memory>

#include "np/dp/l2_config.h"

namespace np::testlib {

// One bridge domain (index 0) with the settings of `domain`, whose members are ports
// 0 .. n_ports - 1; other ports are in no domain.
inline std::unique_ptr<dp::L2Config> single_domain_config(uint16_t n_ports,
                                                          dp::BridgeDomain domain = {}) {
  auto config = std::make_unique<dp::L2Config>();
  domain.n_members = 0;
  for (uint16_t p = 0; p < n_ports; ++p) {
    domain.members[domain.n_members++] = p;
    config->port_domain[p] = 0;
  }
  config->domains.push_back(domain);
  return config;
}

}  // namespace np::testlib
