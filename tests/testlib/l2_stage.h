// The L2 stage with its tables and one worker context, wired as a worker runs it, for
// tests, benchmarks and fuzzers. Every port's link is up; nothing else is set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "np/dp/l2_bridge.h"
#include "np/dp/published.h"
#include "testlib/eal_env.h"
#include "testlib/worker_steps.h"

namespace np::testlib {

struct L2Stage {
  L2Stage(const std::string& table_name, uint32_t mac_capacity, std::unique_ptr<dp::L2Config> l2)
      : macs(table_name, mac_capacity, rcu),
        config(rcu, std::move(l2)),
        bridge(macs),
        ctx(0, shared) {
    for (auto& up : shared.link_up) up = 1;
  }

  // Runs the stage on a burst as a worker does: m->port set, the current configuration.
  void process(uint16_t in_port, rte_mbuf** pkts, uint16_t n) {
    for (uint16_t i = 0; i < n; ++i) pkts[i]->port = in_port;
    run(in_port, pkts, n);
  }
  // The same for packets whose m->port the caller has set (benchmarks, outside the clock:
  // the worker sets it in its rx loop, which touches every mbuf anyway).
  void run(uint16_t in_port, rte_mbuf** pkts, uint16_t n) {
    bridge.process(ctx, *config.read(), in_port, pkts, n);
  }

  // Frees every packet the stage queued for transmit; returns how many there were.
  unsigned release_tx() { return testlib::release_tx(ctx); }

  // Applies the queued learning events as the control thread does.
  std::vector<dp::LearnResult> learn() {
    return apply_learning(ctx, macs, *config.read(), shared.now_s);
  }

  bool eal = (ensure_eal(), true);  // Before rcu, which allocates from DPDK.
  dp::SharedState shared;
  dp::Rcu rcu{1};
  dp::MacTable macs;
  dp::Published<dp::L2Config> config;
  dp::L2Bridge bridge;
  dp::WorkerCtx ctx;
};

}  // namespace np::testlib
