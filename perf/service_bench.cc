// CPU cycles per packet of services (rdtsc around Pipeline::process only), on bursts of 32
// 64-byte TCP frames from clients behind up0 (port 0) to VIP 10.96.0.10:80, whose 16
// backends sit behind up1 (port 1, resolved), routed out after translation:
//   established/N: packets of N tracked connections (random ones, every burst): connection
//                  lookup, DNAT with checksum updates, route;
//   new_flow/M:    every packet a SYN of a connection not seen yet: lookup miss, service
//                  lookup, Maglev, connection creation (both keys), DNAT, route, in a table
//                  of M connections (4096: all in cache; 4M: its buckets and flows are
//                  misses, as in a loaded node's). Between bursts, untimed, the control side
//                  ends the burst's connections.
// Between bursts, untimed, each frame's bytes are put back and the tx buffer emptied.
// EAL memory: 2 MB hugepages if at least 400 are free (as the daemon), else, or with
// NP_BENCH_HUGE=0, 4 KB pages (see testlib/bench_eal.h).
// Run: taskset -c 1 build/np_service_bench --benchmark_repetitions=3
//        --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_tcp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "testlib/bench_eal.h"
#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

constexpr uint16_t kBackends = 16;
constexpr uint16_t kFrameLen = 64;

struct Client {
  uint32_t ip;
  uint16_t port;
};

// The client of connection i: 10.0.0.2 and up (behind up0's connected /24 and beyond: the
// router does not care where a source lives), ports 1024 and up.
Client client(uint32_t i) {
  return {testlib::ipv4("10.0.0.2") + i / 60000, static_cast<uint16_t>(1024 + i % 60000)};
}

rte_mbuf* frame(const Client& c, uint8_t flags) {
  return testlib::ipv4_frame(testlib::test_pool(), {.dst_mac = testlib::kUp0Mac,
                                                    .src_mac = "02:00:00:00:01:01",
                                                    .src = format_ipv4(c.ip),
                                                    .dst = "10.96.0.10",
                                                    .proto = IPPROTO_TCP,
                                                    .payload = kFrameLen - 34,
                                                    .src_port = c.port,
                                                    .dst_port = 80,
                                                    .tcp_flags = flags});
}

// The 4M table takes ~510 MB, the 1M one ~130 MB, the FIB ~70 MB.
void init_eal() {
  static const bool eal = (testlib::init_bench_eal("np-service-bench", 400, 2048), true);
  (void)eal;
}

struct Bench {
  explicit Bench(uint32_t max_flows) : stage(4096, 256, max_flows) {
    std::vector<ResolvedNeighbor> neighbors;
    ServiceSpec web;
    web.name = "web";
    web.vip = testlib::ipv4("10.96.0.10");
    web.port = 80;
    for (uint16_t b = 0; b < kBackends; ++b) {
      const uint32_t ip = testlib::ipv4("10.0.1.10") + b;
      neighbors.push_back({1, ip, {{0x02, 0, 0, 0, 0x02, static_cast<uint8_t>(b)}}});
      web.backends.push_back({ip, 8080, 1});
    }
    stage.apply({}, neighbors);
    ServicesSpec spec;
    spec.services = {web};
    stage.set_services(spec);
  }
  // Runs one burst (m->port set) under the clock; returns the cycles.
  uint64_t timed(rte_mbuf** burst) {
    const uint64_t start = rte_rdtsc_precise();
    stage.run(0, burst, kMaxBurst);
    const uint64_t cycles = rte_rdtsc_precise() - start;
    testlib::take_back_burst(stage.ctx, 1);
    return cycles;
  }
  testlib::L3Stage stage;
};

// Frames keep their bytes across bursts: the translation is undone by copying them back.
struct Burst {
  rte_mbuf* pkts[kMaxBurst];
  uint8_t saved[kMaxBurst][kFrameLen];
  void save() {
    for (uint16_t i = 0; i < kMaxBurst; ++i) {
      std::memcpy(saved[i], rte_pktmbuf_mtod(pkts[i], uint8_t*), kFrameLen);
      pkts[i]->port = 0;
    }
  }
  void restore() {
    for (uint16_t i = 0; i < kMaxBurst; ++i)
      std::memcpy(rte_pktmbuf_mtod(pkts[i], uint8_t*), saved[i], kFrameLen);
  }
  void release() {
    for (rte_mbuf* m : pkts) rte_pktmbuf_free(m);
  }
};

void BM_ServiceEstablished(benchmark::State& state) {
  init_eal();
  const auto n = static_cast<uint32_t>(state.range(0));
  Bench bench(n + n / 4 + 64);
  // Open the connections (SYNs through the pipeline), untimed.
  for (uint32_t i = 0; i < n; i += kMaxBurst) {
    Burst b;
    for (uint16_t j = 0; j < kMaxBurst; ++j) b.pkts[j] = frame(client((i + j) % n), 0x02);
    b.save();
    bench.timed(b.pkts);
    b.release();
  }
  if (bench.stage.services.conntrack().live() != n) {
    std::fprintf(stderr, "%u connections open, wanted %u\n",
                 bench.stage.services.conntrack().live(), n);
    abort();
  }
  // Bursts of random established connections, prepared ahead.
  constexpr unsigned kBursts = 64;
  std::vector<Burst> bursts(kBursts);
  std::mt19937 rng(1);
  for (Burst& b : bursts) {
    for (rte_mbuf*& m : b.pkts) m = frame(client(rng() % n), 0x10);
    b.save();
  }
  uint64_t cycles = 0, packets = 0;
  unsigned k = 0;
  for (auto _ : state) {
    Burst& b = bursts[k++ % kBursts];
    cycles += bench.timed(b.pkts);
    packets += kMaxBurst;
    b.restore();
  }
  for (Burst& b : bursts) b.release();
  state.counters["cycles_per_pkt"] = static_cast<double>(cycles) / static_cast<double>(packets);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
}

void BM_ServiceNewFlow(benchmark::State& state) {
  init_eal();
  Bench bench(static_cast<uint32_t>(state.range(0)));
  nat::Conntrack& table = bench.stage.services.conntrack();
  Burst b;
  uint32_t next = 0;
  for (rte_mbuf*& m : b.pkts) m = frame(client(next++), 0x02);
  b.save();
  uint64_t cycles = 0, packets = 0;
  for (auto _ : state) {
    cycles += bench.timed(b.pkts);
    packets += kMaxBurst;
    // Untimed: end this burst's connections, and give the next burst new source ports.
    b.restore();
    for (uint16_t i = 0; i < kMaxBurst; ++i) {
      auto* ip = testlib::ipv4_header(b.pkts[i]);
      auto* tcp = reinterpret_cast<rte_tcp_hdr*>(ip + 1);
      table.end_flow(
          {ip->src_addr, ip->dst_addr, tcp->src_port, tcp->dst_port, IPPROTO_TCP, {0, 0, 0}});
      const Client c = client(next++ % 60000);
      tcp->src_port = rte_cpu_to_be_16(c.port);
      testlib::set_l4_checksum(b.pkts[i], 0);
      testlib::set_l4_checksum(b.pkts[i], rte_ipv4_udptcp_cksum(ip, tcp));
    }
    table.reclaim();
    b.save();
  }
  b.release();
  state.counters["cycles_per_pkt"] = static_cast<double>(cycles) / static_cast<double>(packets);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
}

BENCHMARK(BM_ServiceEstablished)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_ServiceNewFlow)->Arg(4096)->Arg(4000000);

}  // namespace
}  // namespace np::dp

BENCHMARK_MAIN();
