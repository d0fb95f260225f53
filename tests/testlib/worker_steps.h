// What the tx flush and the control thread do to a worker context, for tests and benchmarks:
// empty the tx buffers, apply the learning events.
#pragma once

#include <rte_mbuf.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "np/dp/l2_config.h"
#include "np/dp/mac_table.h"
#include "np/dp/worker_ctx.h"

namespace np::testlib {

// Frees every packet queued for transmit; returns how many there were.
inline unsigned release_tx(dp::WorkerCtx& ctx) {
  unsigned n = 0;
  for (uint16_t d = 0; d < ctx.n_dirty; ++d) {
    dp::TxBuffer& buf = ctx.tx[ctx.dirty_ports[d]];
    for (uint16_t i = 0; i < buf.count; ++i) rte_pktmbuf_free(buf.pkts[i]);
    n += buf.count;
    buf.count = 0;
  }
  ctx.n_dirty = 0;
  return n;
}

// Takes a benchmark's burst back from the tx buffers without freeing it (the next round
// sends the same frames); aborts unless all of it, and nothing else, went out of `port`.
inline void take_back_burst(dp::WorkerCtx& ctx, uint16_t port) {
  if (ctx.n_dirty != 1 || ctx.dirty_ports[0] != port || ctx.tx[port].count != dp::kMaxBurst) {
    std::fprintf(stderr, "a burst did not leave port %u whole\n", port);
    std::abort();
  }
  ctx.tx[port].count = 0;
  ctx.n_dirty = 0;
}

// Applies the queued learning events to `macs` as the control thread does.
inline std::vector<dp::LearnResult> apply_learning(dp::WorkerCtx& ctx, dp::MacTable& macs,
                                                   const dp::L2Config& config, uint32_t now_s) {
  std::vector<dp::LearnResult> results;
  dp::LearnEvent ev;
  while (ctx.learn.pop(ev)) results.push_back(macs.learn(ev.key, ev.port, now_s, config));
  return results;
}

}  // namespace np::testlib
