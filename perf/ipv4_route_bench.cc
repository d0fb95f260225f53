// CPU cycles per packet of the IPv4 path (rdtsc around Pipeline::process only: validate,
// FIB lookup, TTL/checksum rewrite, tx enqueue), on bursts of 32 64-byte IPv4/UDP frames,
// with 1k and 1M routes (testlib::L3Stage topology):
//   routed:  frames enter routed port 0 (to up0's MAC) and leave routed port 1 through one of
//            4 resolved neighbors (10.0.1.2-5, a route's next hop is route index % 4);
//   gateway: the same routes, but the frames come from a pod on port 2 of the bridge domain,
//            to the gateway (bvi) MAC: bridge lookup, then routed out of port 1;
//   ecmp:    every route has all 4 neighbors as equal-cost next hops (flow hash per packet).
// The table: N routes, N - N/64 distinct /24s scattered over the unicast space (not 10/8)
// and N/64 /28s inside some of them (they use rte_lpm tbl8 groups). Each packet's
// destination is a random address of a route drawn uniformly, and its UDP source port is
// random: with 1M routes lookups miss the caches as in a real table. Between bursts,
// untimed: the frames get their MACs, TTL 64, destination and checksum back, and the tx
// buffers are emptied (no allocation, no free). Every burst must leave port 1 whole, or
// the benchmark aborts.
//
// EAL memory: 2 MB hugepages if at least 128 are free (as the daemon), else, or with
// NP_BENCH_HUGE=0, testlib's EAL without hugepages (4 KB pages: the 1M case then pays a TLB
// miss on most lookups of the 64 MB tbl24). The main thread stays on the CPUs it was started
// on (EAL would pin it to CPU 0). Installing 1M routes takes about 2 minutes per table
// (rte_lpm_add scans the rules of the same depth: quadratic).
// Run: taskset -c 1 build/np_ipv4_bench
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "np/dp/l2_config.h"
#include "testlib/bench_eal.h"
#include "testlib/ipv4_builder.h"
#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

constexpr uint16_t kRoutedIn = 0, kOut = 1, kPodPort = 2;
constexpr unsigned kNeighbors = 4;                   // 10.0.1.2 .. 10.0.1.5 on up1.
constexpr const char* kHostA = "02:00:00:00:01:01";  // Behind port 0.
constexpr const char* kPod = "02:00:00:00:03:03";    // In the domain, on port 2.

bool usable_slash8(uint32_t addr) {
  const uint32_t a = addr >> 24;
  return a != 0 && a != 10 && a != 127 && a < 224;
}

// One stage with N routes, kept while consecutive benchmarks use the same table (building
// 1M routes takes seconds, and Google Benchmark calls a case several times).
struct Table {
  Table(uint32_t n_routes, bool ecmp) : n_routes(n_routes), ecmp(ecmp) {
    const uint32_t n_long = n_routes / 64, n24 = n_routes - n_long;
    stage = std::make_unique<testlib::L3Stage>(n_routes + 256, n_long + 256);
    std::vector<ResolvedNeighbor> neighbors;
    std::vector<ResolvedNextHop> all_hops;
    for (uint32_t i = 0; i < kNeighbors; ++i) {
      const uint32_t ip = testlib::ipv4("10.0.1.2") + i;
      rte_ether_addr mac{{0x02, 0x00, 0x00, 0x00, 0x02, static_cast<uint8_t>(0x10 + i)}};
      neighbors.push_back({1, ip, mac});
      all_hops.push_back({1, ip});
    }
    std::vector<ResolvedRoute> routes;
    routes.reserve(n_routes);
    // Distinct /24s: multiplying by an odd constant is a bijection on the 2^24 /24 numbers.
    for (uint32_t k = 0; prefixes.size() < n24; ++k) {
      const uint32_t addr = ((k * 2654435761u) & 0xffffff) << 8;
      if (usable_slash8(addr)) prefixes.push_back({addr, 24});
    }
    for (uint32_t j = 0; j < n_long; ++j)
      prefixes.push_back({prefixes[j * (n24 / n_long)].addr | ((j % 16) << 4), 28});
    for (uint32_t i = 0; i < prefixes.size(); ++i) {
      ResolvedRoute r;
      r.prefix = prefixes[i];
      if (ecmp)
        r.next_hops = all_hops;
      else
        r.next_hops = {all_hops[i % kNeighbors]};
      routes.push_back(std::move(r));
    }
    const uint64_t start = rte_rdtsc();
    stage->apply(routes, neighbors);
    std::fprintf(stderr, "table: %u routes (%u /24, %u /28)%s installed in %.1f s\n",
                 static_cast<unsigned>(prefixes.size()), n24, n_long, ecmp ? ", ECMP x4" : "",
                 static_cast<double>(rte_rdtsc() - start) / static_cast<double>(rte_get_tsc_hz()));
    if (stage->l3.stats().routes != prefixes.size()) abort();
    // The pod, learned on port 2 for the gateway case.
    stage->shared.now_s = 1;
    if (stage->macs.learn(make_mac_key(0, testlib::mac(kPod)), kPodPort, 1,
                          *stage->config.read()) != LearnResult::kAdded)
      abort();
  }

  uint32_t n_routes;
  bool ecmp;
  std::vector<Ipv4Prefix> prefixes;
  std::unique_ptr<testlib::L3Stage> stage;
};

Table& table(uint32_t n_routes, bool ecmp) {
  static std::unique_ptr<Table> current;
  if (!current || current->n_routes != n_routes || current->ecmp != ecmp) {
    current.reset();
    current = std::make_unique<Table>(n_routes, ecmp);
  }
  return *current;
}

enum class Traffic { kRouted, kGateway, kEcmp };

void run(benchmark::State& state, Traffic traffic) {
  // The 1M table and the pool need about 130 MB.
  static const bool eal = (testlib::init_bench_eal("np-ipv4-bench", 128, 4096), true);
  (void)eal;
  Table& t = table(static_cast<uint32_t>(state.range(0)), traffic == Traffic::kEcmp);
  testlib::L3Stage& stage = *t.stage;
  WorkerCtx& ctx = stage.ctx;

  const bool gateway = traffic == Traffic::kGateway;
  const uint16_t in_port = gateway ? kPodPort : kRoutedIn;
  const rte_ether_addr dst_mac = testlib::mac(gateway ? testlib::kBviMac : testlib::kUp0Mac);
  const rte_ether_addr src_mac = testlib::mac(gateway ? kPod : kHostA);
  rte_mbuf* burst[kMaxBurst];
  for (rte_mbuf*& m : burst)  // 14 + 20 + 30 = 64 bytes.
    m = testlib::ipv4_frame(testlib::test_pool(),
                            {.dst_mac = gateway ? testlib::kBviMac : testlib::kUp0Mac,
                             .src_mac = gateway ? kPod : kHostA,
                             .src = gateway ? "10.0.2.5" : "10.0.0.2",
                             .dst = "10.0.1.2",
                             .payload = 30});

  std::mt19937 rng(42);
  std::uniform_int_distribution<uint32_t> pick_route(0,
                                                     static_cast<uint32_t>(t.prefixes.size()) - 1);
  std::uniform_int_distribution<uint32_t> pick_host(1, 254);
  std::uniform_int_distribution<uint16_t> pick_port(1024, 65535);
  uint64_t cycles = 0, packets = 0;
  for (auto _ : state) {
    for (rte_mbuf* m : burst) {
      m->port = in_port;
      auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
      eth->dst_addr = dst_mac;
      eth->src_addr = src_mac;
      auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
      const Ipv4Prefix& p = t.prefixes[pick_route(rng)];
      const uint32_t host = pick_host(rng) & (p.len == 24 ? 0xff : 0x0f);
      ip->dst_addr = rte_cpu_to_be_32(p.addr | (host == 0 ? 1 : host));
      ip->time_to_live = 64;
      ip->hdr_checksum = 0;
      ip->hdr_checksum = rte_ipv4_cksum(ip);
      reinterpret_cast<rte_udp_hdr*>(ip + 1)->src_port = rte_cpu_to_be_16(pick_port(rng));
    }
    const uint64_t start = rte_rdtsc_precise();
    stage.run(in_port, burst, kMaxBurst);
    cycles += rte_rdtsc_precise() - start;
    packets += kMaxBurst;
    testlib::take_back_burst(ctx, kOut);  // Untimed.
  }
  for (rte_mbuf* m : burst) rte_pktmbuf_free(m);
  state.counters["cycles_per_pkt"] = static_cast<double>(cycles) / static_cast<double>(packets);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
}

void BM_Ipv4Routed(benchmark::State& state) { run(state, Traffic::kRouted); }
void BM_Ipv4Gateway(benchmark::State& state) { run(state, Traffic::kGateway); }
void BM_Ipv4Ecmp(benchmark::State& state) { run(state, Traffic::kEcmp); }

// Ordered so that cases sharing a table run one after the other (one table build each).
BENCHMARK(BM_Ipv4Routed)->Arg(1000);
BENCHMARK(BM_Ipv4Gateway)->Arg(1000);
BENCHMARK(BM_Ipv4Routed)->Arg(1000000);
BENCHMARK(BM_Ipv4Gateway)->Arg(1000000);
BENCHMARK(BM_Ipv4Ecmp)->Arg(1000000);
BENCHMARK(BM_Ipv4Ecmp)->Arg(1000);

}  // namespace
}  // namespace np::dp

BENCHMARK_MAIN();
