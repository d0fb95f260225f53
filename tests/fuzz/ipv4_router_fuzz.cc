// Fuzzes the IPv4 path (pipeline: bridge, router, bridge output, and the control side's
// ARP handling) with arbitrary frames on the L3 stage's topology: every frame must leave in
// a tx buffer, wait for ARP, or be a counted drop (or a consumed ARP); nothing may crash
// and, once the control side lets go, every mbuf must come back to the pool.
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "testlib/fuzz_frames.h"
#include "testlib/l3_stage.h"

namespace {

using namespace np::dp;

// Resolved neighbors on every interface, a default ECMP route and a connected one left to
// resolve, and services (TCP with backends, a node port and affinity; UDP without backends),
// so frames reach every path.
np::testlib::L3Stage& stage() {
  static np::testlib::L3Stage* s = [] {
    auto* st = new np::testlib::L3Stage();
    using np::testlib::ipv4;
    using np::testlib::mac;
    st->apply({{{0, 0}, {{1, ipv4("10.0.1.2")}, {1, ipv4("10.0.1.3")}}},
               {{ipv4("10.5.0.0"), 16}, {{0, 0}}}},
              {{1, ipv4("10.0.1.2"), mac("02:00:00:00:02:02")},
               {1, ipv4("10.0.1.3"), mac("02:00:00:00:02:03")},
               {2, ipv4("10.0.2.5"), mac("02:00:00:00:03:03")}});
    ServiceSpec web;
    web.name = "web";
    web.vip = ipv4("10.96.0.10");
    web.port = 80;
    web.node_port = 30080;
    web.client_ip_affinity = true;
    web.backends = {{ipv4("10.0.1.2"), 8080, 1}, {ipv4("10.0.2.5"), 8080, 2}};
    ServiceSpec dns;
    dns.name = "dns";
    dns.vip = ipv4("10.96.0.11");
    dns.port = 53;
    dns.protocol = IPPROTO_UDP;
    ServicesSpec spec;
    spec.services = {web, dns};
    st->set_services(spec);
    return st;
  }();
  return *s;
}

}  // namespace

// Input: [flags byte: port in bits 0-1, bit 7 = fix IPv4 header checksums] then frames,
// each as [length byte][length bytes].
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  np::testlib::L3Stage& h = stage();
  rte_mempool* const pool = np::testlib::test_pool();
  if (size < 1) return 0;
  const unsigned free_before = rte_mempool_avail_count(pool);
  const uint16_t in_port = data[0] & 3;
  const bool fix_checksums = (data[0] & 0x80) != 0;
  rte_mbuf* burst[kMaxBurst];
  const uint16_t n = np::testlib::frames_from_fuzz_input(data + 1, size - 1, pool, burst);
  // Let the fuzzer past checksum validation to the deeper paths.
  for (uint16_t i = 0; fix_checksums && i < n; ++i) {
    if (burst[i]->data_len < 34) continue;
    auto* ip = rte_pktmbuf_mtod_offset(burst[i], rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    const size_t ihl = static_cast<size_t>(ip->version_ihl & 0xf) * 4;
    if (ihl >= 20 && 14 + ihl <= burst[i]->data_len) {
      ip->hdr_checksum = 0;
      ip->hdr_checksum = static_cast<uint16_t>(~rte_raw_cksum(ip, ihl));
    }
  }
  auto send_injected = [&h] {
    while (h.run_injected() != 0) h.release_tx();
  };
  h.process(in_port, burst, n);
  h.release_tx();
  h.drain_punts();
  send_injected();
  // Let every pending resolution fail, so the held packets are answered or freed.
  for (int i = 0; i < 4; ++i) {
    h.now_ms += 1000;
    h.l3.tick(h.now_ms);
  }
  send_injected();
  LearnEvent ev;
  while (h.ctx.learn.pop(ev)) {
  }
  // Connections expire (as if long idle), so the table never stays full.
  h.services.tick(rte_rdtsc() + (uint64_t{1} << 50));
  if (rte_mempool_avail_count(pool) != free_before) abort();  // An mbuf leaked.
  return 0;
}
