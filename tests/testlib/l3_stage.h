// The IPv4 path as a worker runs it (pipeline: bridge, router, bridge output) with the
// control thread's L3 side, wired on one worker context, for tests, benchmarks and
// fuzzers. Fixed topology:
//   port 0: routed, interface 0 "up0"  10.0.0.1/24  02:00:00:00:00:a0
//   port 1: routed, interface 1 "up1"  10.0.1.1/24  02:00:00:00:00:a1
//   ports 2, 3: bridge domain 0 (id 10), gateway interface 2 "bvi" 10.0.2.1/24
//               02:00:00:00:00:a2
// Routes and static neighbors are set with apply(), VXLAN with set_vxlan(). Every link is up.
// Frames the control thread sends land in ctx.inject; run_injected() sends them as the worker
// would.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <map>
#include <stdexcept>

#include "np/dp/l3_control.h"
#include "np/dp/pipeline.h"
#include "np/dp/services_control.h"
#include "np/dp/vxlan_control.h"
#include "testlib/eal_env.h"
#include "testlib/ipv4_builder.h"
#include "testlib/worker_steps.h"

namespace np::testlib {

inline const char* const kUp0Mac = "02:00:00:00:00:a0";
inline const char* const kUp1Mac = "02:00:00:00:00:a1";
inline const char* const kBviMac = "02:00:00:00:00:a2";

struct L3Stage {
  explicit L3Stage(uint32_t max_routes = 4096, uint32_t tbl8_groups = 256,
                   uint32_t max_flows = 4096)
      : macs("l3_stage_macs_" + std::to_string(instance()), 1024, rcu),
        config(rcu, std::make_unique<dp::L2Config>()),
        fib("l3_stage_fib_" + std::to_string(instance()), max_routes, tbl8_groups, 4096, rcu),
        services("l3_stage_svc_" + std::to_string(instance()), max_flows, rcu, rte_get_tsc_hz()),
        service_stage(&services.conntrack()),
        bridge(macs),
        router(fib, rte_get_tsc_hz(), &service_stage),
        pipeline(config, bridge, router),
        ctx(0, shared),
        l3(fib, test_pool(), dp::NeighborTimers{}, &service_stage,
           [this](const dp::InjectItem& item) { return ctx.inject.push(item); }) {
    for (auto& up : shared.link_up) up = 1;
    auto c = std::make_unique<dp::L2Config>();
    dp::BridgeDomain d;
    d.id = 10;
    d.members[d.n_members++] = 2;
    d.members[d.n_members++] = 3;
    c->port_domain[2] = c->port_domain[3] = 0;
    c->domains.push_back(d);
    add_iface(*c, "up0", "10.0.0.1", kUp0Mac, 0, dp::kNoDomain);
    add_iface(*c, "up1", "10.0.1.1", kUp1Mac, 1, dp::kNoDomain);
    add_iface(*c, "bvi", "10.0.2.1", kBviMac, dp::kNoPort, 0);
    config.publish(std::move(c));
    apply({}, {});
  }
  ~L3Stage() {
    release_tx();
    dp::InjectItem item;
    while (ctx.inject.pop(item)) rte_pktmbuf_free(item.m);
    l3.release_packets();
  }

  void apply(const std::vector<dp::ResolvedRoute>& routes,
             const std::vector<dp::ResolvedNeighbor>& neighbors) {
    l3.apply(ifaces, routes, neighbors, now_ms, vxlan.mac());
    rcu.drain();
  }

  // Sets the VXLAN settings (bridge domain 10 is index 0) as the data plane does; `routes`
  // are checked for their vxlan next hops only (apply them with apply()).
  void set_vxlan(const dp::VxlanSpec& spec, const std::vector<dp::RouteSpec>& routes = {}) {
    const std::map<uint32_t, uint16_t> domains{{10, 0}};
    if (dp::DpStatus st = vxlan.set(spec, routes, ifaces, domains); !st.ok())
      throw std::runtime_error(st.message());
    auto c = std::make_unique<dp::L2Config>(*config.read());
    c->ifaces.resize(ifaces.size());
    c->vxlan = {};
    for (dp::BridgeDomain& d : c->domains) {
      d.vni = 0;
      d.flood_remotes.clear();
    }
    vxlan.annotate(*c, domains);
    config.publish(std::move(c));
    rcu.drain();
    for (const auto& [key, port] : vxlan.static_macs(domains))
      if (!macs.add_static(key, port).ok()) throw std::runtime_error("static remote MAC");
  }

  // Sets the services as the data plane does (our addresses: the three interfaces').
  void set_services(const dp::ServicesSpec& spec) {
    const std::vector<uint32_t> ours = {ipv4("10.0.0.1"), ipv4("10.0.1.1"), ipv4("10.0.2.1")};
    if (dp::DpStatus st = services.set(spec, ours, {&ctx.counters}); !st.ok())
      throw std::runtime_error(st.message());
    auto c = std::make_unique<dp::L2Config>(*config.read());
    c->services = services.table();
    config.publish(std::move(c));
    rcu.drain();
  }

  // Runs the pipeline on a burst as a worker does (m->port set).
  void process(uint16_t in_port, rte_mbuf** pkts, uint16_t n) {
    for (uint16_t i = 0; i < n; ++i) pkts[i]->port = in_port;
    run(in_port, pkts, n);
  }
  // The same for packets whose m->port the caller has set (benchmarks, outside the clock:
  // the worker sets it in its rx loop, which touches every mbuf anyway).
  void run(uint16_t in_port, rte_mbuf** pkts, uint16_t n) {
    pipeline.process(ctx, in_port, pkts, n);
  }
  void process(uint16_t in_port, rte_mbuf* m) { process(in_port, &m, 1); }
  // Hands the workers' punts to the control side, as the control loop does.
  void drain_punts() {
    dp::PuntEvent ev;
    while (ctx.punt.pop(ev)) l3.handle(ev, now_ms);
  }
  // Sends what the control side queued, as the worker does.
  unsigned run_injected() { return pipeline.inject(ctx); }

  // The frames queued for `port`, taken out of its tx buffer (the caller frees them).
  std::vector<rte_mbuf*> take_tx(uint16_t port) {
    dp::TxBuffer& buf = ctx.tx[port];
    std::vector<rte_mbuf*> out(buf.pkts, buf.pkts + buf.count);
    buf.count = 0;
    // Off the dirty list too, as a flush would leave it.
    uint16_t kept = 0;
    for (uint16_t d = 0; d < ctx.n_dirty; ++d)
      if (ctx.dirty_ports[d] != port) ctx.dirty_ports[kept++] = ctx.dirty_ports[d];
    ctx.n_dirty = kept;
    return out;
  }
  void release_tx() { testlib::release_tx(ctx); }
  // Applies the queued learning events as the control thread does.
  void learn() { apply_learning(ctx, macs, *config.read(), 1); }
  uint64_t drops(uint16_t port, dp::DropReason reason) const {
    return ctx.counters.ports[port].drops[static_cast<unsigned>(reason)].get();
  }

  bool eal = (ensure_eal(), true);  // Before rcu, which allocates from DPDK.
  dp::SharedState shared;
  dp::Rcu rcu{1};
  dp::MacTable macs;
  dp::Published<dp::L2Config> config;
  dp::Fib fib;
  dp::ServicesControl services;
  dp::ServiceStage service_stage;
  dp::L2Bridge bridge;
  dp::Router router;
  dp::Pipeline pipeline;
  dp::WorkerCtx ctx;
  std::vector<std::optional<dp::ResolvedInterface>> ifaces;
  uint64_t now_ms = 1000;
  dp::VxlanControl vxlan;
  dp::L3Control l3;

 private:
  static unsigned instance() {
    static unsigned n = 0;
    return n++;
  }
  void add_iface(dp::L2Config& c, const char* name, const char* ip, const char* mac_text,
                 uint16_t port, uint16_t domain) {
    dp::ResolvedInterface r;
    r.name = name;
    r.data.ip = rte_cpu_to_be_32(ipv4(ip));
    r.data.prefix_len = 24;
    r.data.mac = mac(mac_text);
    r.data.port = port;
    r.data.domain = domain;
    r.tx_port = port != dp::kNoPort ? port : 2;
    const auto index = static_cast<uint16_t>(c.ifaces.size());
    if (port != dp::kNoPort) {
      r.port_name = "p" + std::to_string(port);
      c.port_iface[port] = index;
    } else {
      r.bridge_domain = c.domains[domain].id;
      c.domains[domain].gateway = index;
      c.domains[domain].gateway_key = dp::make_mac_key(domain, r.data.mac);
      c.domains[domain].gateway_ip = r.data.ip;
    }
    c.ifaces.push_back(r.data);
    ifaces.push_back(r);
  }
};

}  // namespace np::testlib
