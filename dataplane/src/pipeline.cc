#include "np/dp/pipeline.h"

namespace np::dp {

unsigned Pipeline::inject(WorkerCtx& ctx) const noexcept {
  InjectItem items[kMaxBurst];
  const unsigned n = static_cast<unsigned>(ctx.inject.pop(items, kMaxBurst));
  if (n == 0) return 0;
  const L2Config& config = *config_.read();
  for (unsigned i = 0; i < n; ++i) {
    rte_mbuf* m = items[i].m;
    // An interface removed since the frame was queued: nowhere to send it.
    if (items[i].iface >= config.ifaces.size()) {
      rte_pktmbuf_free(m);
      continue;
    }
    Router::output(ctx, config.ifaces[items[i].iface], m);
  }
  finish(ctx, config);
  return n;
}

}  // namespace np::dp
