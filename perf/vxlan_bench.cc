// CPU cycles per packet of VXLAN on top of L2 (rdtsc around Pipeline::process only), on
// bursts of 32 64-byte frames in testlib::L3Stage's bridge domain (ports 2, 3; L2 VNI 100;
// our VTEP 10.0.1.1 on up1, port 1; remote VTEP 10.0.1.2 resolved):
//   l2:     a pod on port 2 to a pod on port 3 (static MAC): the baseline;
//   encap:  a pod on port 2 to a MAC behind the remote VTEP (static remote MAC): bridge,
//           encapsulation, outer route and rewrite, out of port 1;
//   decap:  VXLAN from the remote VTEP on port 1 to the pod on port 3: IPv4 input, local
//           delivery, VXLAN checks, decapsulation, bridge (learning the remote source).
// Between bursts, untimed, each frame's data start is put back (encap prepends 50 bytes,
// decap strips them; the bytes stay in place) and the tx buffers emptied.
// Run: build/np_vxlan_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <rte_cycles.h>

#include <cstdio>
#include <cstdlib>

#include "np/vxlan/vxlan.h"
#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

constexpr const char* kLocalPod = "02:00:00:00:03:02";   // Port 2.
constexpr const char* kOtherPod = "02:00:00:00:03:03";   // Port 3.
constexpr const char* kRemotePod = "02:00:00:00:0b:0b";  // Behind 10.0.1.2.
constexpr const char* kVtepB = "02:00:00:00:02:02";
constexpr uint32_t kVni = 100;

enum class Traffic { kL2, kEncap, kDecap };

void run(benchmark::State& state, Traffic traffic) {
  testlib::ensure_eal(1024);
  testlib::L3Stage stage;
  VxlanSpec spec;
  spec.local_ip = testlib::ipv4("10.0.1.1");
  spec.tunnels = {{kVni, 10, {testlib::ipv4("10.0.1.2")}}};
  spec.static_macs = {{kVni, testlib::mac(kRemotePod), testlib::ipv4("10.0.1.2")}};
  stage.set_vxlan(spec);
  stage.apply({}, {{1, testlib::ipv4("10.0.1.2"), testlib::mac(kVtepB)}});
  if (!stage.macs.add_static(make_mac_key(0, testlib::mac(kOtherPod)), 3).ok()) abort();
  if (!stage.macs.add_static(make_mac_key(0, testlib::mac(kLocalPod)), 2).ok()) abort();

  const uint16_t in_port = traffic == Traffic::kDecap ? 1 : 2;
  const uint16_t out_port = traffic == Traffic::kEncap ? 1 : 3;
  rte_mbuf* burst[kMaxBurst];
  for (rte_mbuf*& m : burst) {
    m = testlib::ipv4_frame(testlib::test_pool(),
                            {.dst_mac = traffic == Traffic::kEncap ? kRemotePod : kOtherPod,
                             .src_mac = traffic == Traffic::kDecap ? kRemotePod : kLocalPod,
                             .src = "10.0.2.5",
                             .dst = "10.0.2.9",
                             .payload = 30});
    if (traffic == Traffic::kDecap) {
      vxlan::encapsulate(
          m, {rte_cpu_to_be_32(testlib::ipv4("10.0.1.2")),
              rte_cpu_to_be_32(testlib::ipv4("10.0.1.1")), rte_cpu_to_be_16(4789), kVni});
      auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
      eth->dst_addr = testlib::mac(testlib::kUp1Mac);
      eth->src_addr = testlib::mac(kVtepB);
    }
    m->port = in_port;
  }
  uint64_t cycles = 0, packets = 0;
  for (auto _ : state) {
    const uint64_t start = rte_rdtsc_precise();
    stage.run(in_port, burst, kMaxBurst);
    cycles += rte_rdtsc_precise() - start;
    packets += kMaxBurst;
    WorkerCtx& ctx = stage.ctx;
    testlib::take_back_burst(ctx, out_port);
    LearnEvent ev;
    while (ctx.learn.pop(ev)) {
    }
    for (rte_mbuf* m : burst) {
      if (traffic == Traffic::kEncap) rte_pktmbuf_adj(m, vxlan::kOuterLen);
      if (traffic == Traffic::kDecap) rte_pktmbuf_prepend(m, vxlan::kOuterLen);
    }
  }
  for (rte_mbuf* m : burst) rte_pktmbuf_free(m);
  state.counters["cycles_per_pkt"] = static_cast<double>(cycles) / static_cast<double>(packets);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
}

void BM_VxlanL2Baseline(benchmark::State& state) { run(state, Traffic::kL2); }
void BM_VxlanEncap(benchmark::State& state) { run(state, Traffic::kEncap); }
void BM_VxlanDecap(benchmark::State& state) { run(state, Traffic::kDecap); }
BENCHMARK(BM_VxlanL2Baseline);
BENCHMARK(BM_VxlanEncap);
BENCHMARK(BM_VxlanDecap);

}  // namespace
}  // namespace np::dp

BENCHMARK_MAIN();
