// Empties a worker context's tx buffers as a flush would, freeing the packets (tests).
#pragma once

#include <rte_mbuf.h>

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

}  // namespace np::testlib
