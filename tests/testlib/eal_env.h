// One DPDK EAL for a test binary, without hugepages or PCI, so unit tests run anywhere.
#pragma once

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace np::testlib {

// Initialises EAL on first use; `memory_mb` only counts on that first call. A binary that
// initialised EAL itself (a benchmark on hugepages) keeps its EAL.
inline void ensure_eal(unsigned memory_mb = 256) {
  static bool initialised = [memory_mb] {
    std::vector<std::string> args = {
        "np-test",     "--no-huge", "--no-pci",   "-l", "0", "-m", std::to_string(memory_mb),
        "--log-level", "*:error",   "--no-shconf"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0 && rte_errno != EALREADY)
      throw std::runtime_error("EAL init failed");
    return true;
  }();
  (void)initialised;
}

// A packet pool shared by the tests of one binary.
inline rte_mempool* test_pool() {
  ensure_eal();
  static rte_mempool* pool =
      rte_pktmbuf_pool_create("np_test", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  if (pool == nullptr) throw std::runtime_error("cannot create the test mbuf pool");
  return pool;
}

}  // namespace np::testlib
