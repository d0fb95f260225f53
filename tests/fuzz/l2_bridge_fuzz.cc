// Fuzzes the L2 stage with arbitrary frames (as a burst of up to 32 frames split from the
// input) on a three-port domain: every frame must leave in a tx buffer or as a counted drop,
// and every mbuf must come back to the pool.
#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "testlib/fuzz_frames.h"
#include "testlib/l2_config_builder.h"
#include "testlib/l2_stage.h"

namespace {

using namespace np::dp;

BridgeDomain limited() {
  BridgeDomain d;
  d.max_macs = 16;
  return d;
}

uint64_t total(const WorkerCtx& ctx) {
  uint64_t n = 0;
  for (const auto& port : ctx.counters.ports)
    for (const auto& d : port.drops) n += d.get();
  return n;
}

}  // namespace

// Input: [in_port byte] then frames, each as [length byte][length bytes].
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static np::testlib::L2Stage h("fuzz_macs", 64, np::testlib::single_domain_config(3, limited()));
  rte_mempool* const pool = np::testlib::test_pool();
  if (size < 1) return 0;
  const unsigned free_before = rte_mempool_avail_count(pool);
  const uint16_t in_port = data[0] % 4;  // Port 3 is in no domain.
  rte_mbuf* burst[kMaxBurst];
  const uint16_t n = np::testlib::frames_from_fuzz_input(data + 1, size - 1, pool, burst);
  const uint64_t drops_before = total(h.ctx);
  h.process(in_port, burst, n);
  const unsigned sent = h.release_tx();
  h.learn();
  if (n != 0 && sent == 0 && total(h.ctx) == drops_before) abort();  // Frames vanished uncounted.
  if (rte_mempool_avail_count(pool) != free_before) abort();         // An mbuf leaked.
  return 0;
}
