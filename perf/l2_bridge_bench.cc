// CPU cycles per packet of the L2 stage (rdtsc around L2Bridge::process only), on bursts of
// 32 64-byte frames, with 1k and 1M MAC entries:
//   known_unicast: source and destination both learned, a random pair per packet;
//   one_flow:      the same, but one pair per burst (a pod talking to one peer);
//   learning:      every source is new (each packet queues a learning event);
//   flood:         broadcast to the 3 other members of a 4-port domain (shared mbuf).
//   pod_secured:   one_flow from a pod's port with security rules (two addresses, the
//                  frames from the second): PortSecurityFilter::process is timed too, as
//                  the pipeline runs it before the bridge (security_cycles_per_pkt: the
//                  filter alone, up to the bridge).
// Run: build/np_l2_bench   (EAL runs without hugepages; pin with taskset for stable figures)
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_ip.h>

#include <memory>
#include <random>
#include <vector>

#include "np/dp/l2_bridge.h"
#include "np/dp/port_security.h"
#include "testlib/eal_env.h"
#include "testlib/l2_config_builder.h"
#include "testlib/l2_stage.h"
#include "testlib/packet_builder.h"

namespace np::dp {
namespace {

constexpr uint16_t kIn = 0, kOut = 1;
constexpr uint16_t kMembers = 4;

rte_ether_addr host_mac(uint32_t i) {
  rte_ether_addr m{{0x02, 0x00, static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
                    static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}};
  return m;
}

// A bridge with one 4-port domain whose table holds `n_macs` entries: even hosts learned on
// the ingress port, odd ones on the egress port.
struct Bench {
  explicit Bench(uint32_t n_macs)
      : stage("bench_macs", n_macs + 1024, testlib::single_domain_config(kMembers)),
        n_macs(n_macs) {
    stage.shared.now_s = 1;
    for (uint32_t i = 0; i < n_macs; ++i) {
      const MacKey key = make_mac_key(0, host_mac(i));
      if (stage.macs.learn(key, i % 2 ? kOut : kIn, 1, *stage.config.read()) != LearnResult::kAdded)
        abort();
    }
    for (uint16_t i = 0; i < kMaxBurst; ++i)
      burst[i] =
          testlib::ether_frame(testlib::test_pool(), "02:00:00:00:00:01", "02:00:00:00:00:02");
  }
  ~Bench() {
    for (rte_mbuf* m : burst) rte_pktmbuf_free(m);
  }
  // Takes the burst back from the tx buffers and the learning queue, untimed.
  void recycle() {
    WorkerCtx& ctx = stage.ctx;
    for (uint16_t d = 0; d < ctx.n_dirty; ++d) ctx.tx[ctx.dirty_ports[d]].count = 0;
    ctx.n_dirty = 0;
    for (rte_mbuf* m : burst) rte_mbuf_refcnt_set(m, 1);
    LearnEvent ev;
    while (ctx.learn.pop(ev)) {
    }
  }

  testlib::L2Stage stage;
  uint32_t n_macs;
  rte_mbuf* burst[kMaxBurst];
};

enum class Traffic { kKnownUnicast, kOneFlow, kLearning, kFlood, kPodSecured };

// The pod of pod_secured: host 0 (learned on the ingress port), 10.0.0.5 and 10.0.0.6.
constexpr uint32_t kPodIps[] = {0x0a000005, 0x0a000006};
PortSecurity pod_rules() {
  PortSecurity rules;
  rules.set_mac(host_mac(0));
  for (uint32_t ip : kPodIps) rules.ips[rules.n_ips++] = rte_cpu_to_be_32(ip);
  return rules;
}

void run(benchmark::State& state, Traffic traffic) {
  testlib::ensure_eal(4096);
  Bench b(static_cast<uint32_t>(state.range(0)));
  std::mt19937 rng(42);
  std::uniform_int_distribution<uint32_t> pick(0, b.n_macs / 2 - 1);
  uint32_t fresh = b.n_macs;  // Sources never seen before, for the learning case.
  const bool secured = traffic == Traffic::kPodSecured;
  const PortSecurity rules = pod_rules();
  uint64_t cycles = 0, security_cycles = 0, packets = 0;
  for (auto _ : state) {
    const uint32_t flow_src = secured ? 0 : 2 * pick(rng), flow_dst = 2 * pick(rng) + 1;
    for (rte_mbuf* m : b.burst) {
      m->port = kIn;
      auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
      if (secured)
        reinterpret_cast<rte_ipv4_hdr*>(eth + 1)->src_addr = rte_cpu_to_be_32(kPodIps[1]);
      const bool one_flow = traffic == Traffic::kOneFlow || secured;
      eth->src_addr = host_mac(traffic == Traffic::kLearning ? fresh++
                               : one_flow                    ? flow_src
                                                             : 2 * pick(rng));
      if (traffic == Traffic::kFlood)
        eth->dst_addr = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
      else
        eth->dst_addr = host_mac(one_flow ? flow_dst : 2 * pick(rng) + 1);
    }
    const uint64_t start = rte_rdtsc_precise();
    uint16_t n = kMaxBurst;
    if (secured) {
      n = PortSecurityFilter::process(b.stage.ctx, rules, kIn, b.burst, n);
      security_cycles += rte_rdtsc_precise() - start;
    }
    b.stage.run(kIn, b.burst, n);
    cycles += rte_rdtsc_precise() - start;
    if (n != kMaxBurst) abort();  // The pod's own frames all pass.
    packets += kMaxBurst;
    b.recycle();
  }
  state.counters["cycles_per_pkt"] = static_cast<double>(cycles) / static_cast<double>(packets);
  if (secured)
    state.counters["security_cycles_per_pkt"] =
        static_cast<double>(security_cycles) / static_cast<double>(packets);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
}

void BM_L2KnownUnicast(benchmark::State& state) { run(state, Traffic::kKnownUnicast); }
void BM_L2OneFlow(benchmark::State& state) { run(state, Traffic::kOneFlow); }
void BM_L2Learning(benchmark::State& state) { run(state, Traffic::kLearning); }
void BM_L2Flood(benchmark::State& state) { run(state, Traffic::kFlood); }
void BM_L2PodSecured(benchmark::State& state) { run(state, Traffic::kPodSecured); }

BENCHMARK(BM_L2KnownUnicast)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_L2OneFlow)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_L2Learning)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_L2Flood)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_L2PodSecured)->Arg(1000)->Arg(1000000);

}  // namespace
}  // namespace np::dp

BENCHMARK_MAIN();
