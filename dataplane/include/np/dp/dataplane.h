// The data plane of one node: EAL, mbuf pool, ports, workers and their tables, and the
// control loop run on the main lcore (the tables' single writer).
//
// Thread: control only (the main lcore), except where a member says otherwise.
#pragma once

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "np/dp/fib.h"
#include "np/dp/l2_bridge.h"
#include "np/dp/l2_config.h"
#include "np/dp/l3_control.h"
#include "np/dp/l3_spec.h"
#include "np/dp/mac_table.h"
#include "np/dp/pipeline.h"
#include "np/dp/port.h"
#include "np/dp/published.h"
#include "np/dp/rcu.h"
#include "np/dp/router.h"
#include "np/dp/service_spec.h"
#include "np/dp/service_stage.h"
#include "np/dp/services_control.h"
#include "np/dp/status.h"
#include "np/dp/vxlan_control.h"
#include "np/dp/worker.h"

namespace np::dp {

struct EalOptions {
  std::vector<unsigned> lcores;  // The first is the main lcore.
  unsigned memory_mb = 256;
  std::string file_prefix = "nodeplane";
  bool huge = true;
  std::vector<std::string> pci_devices;  // Allowed PCI devices; none means --no-pci.
  std::vector<std::string> extra_args;
};

// Initialises DPDK's EAL once per process.
DpStatus init_eal(const EalOptions& options);

struct DataplaneOptions {
  std::vector<unsigned> worker_lcores;
  unsigned idle_sleep_max_us = 200;
  unsigned mbuf_count = 16383;
  uint32_t mac_table_capacity = 65536;
  uint32_t max_routes = 65536;        // Every prefix: routes, subnets, addresses, neighbors.
  uint32_t route_tbl8_groups = 4096;  // /24s that hold longer prefixes.
  uint32_t max_next_hop_groups = 65536;
  NeighborTimers neighbor_timers;
  uint32_t conntrack_max_flows = 262144;  // Tracked connections (each holds two table keys).
};

struct StaticMac {
  rte_ether_addr mac;
  std::string port;
};

struct BridgeDomainSpec {
  uint32_t id = 0;
  std::vector<std::string> ports;
  bool learning = true;
  bool flood = true;
  uint32_t aging_s = 300;
  uint32_t max_macs = 0;
  std::vector<StaticMac> static_macs;
};

// Counters summed over the workers, with names, for stats output, metrics and the API.
struct PortStats {
  std::string name;
  std::string device;  // The DPDK device name (as dpdk-dumpcap -i takes it).
  uint16_t id = 0;
  bool link_up = false;
  uint32_t bridge_domain = 0;  // The domain the workers switch its frames in (0 = none).
  uint64_t rx_pkts = 0, rx_bytes = 0, tx_pkts = 0, tx_bytes = 0;
  std::array<uint64_t, kDropReasonCount> drops{};
  // The device's own counters (rte_eth_stats): before our code sees a packet or after.
  uint64_t device_rx_errors = 0, device_rx_missed = 0, device_rx_nombuf = 0, device_tx_errors = 0;
};
struct WorkerStats {
  unsigned lcore = 0;
  uint64_t polls = 0, busy_polls = 0, rx_pkts = 0, busy_cycles = 0, idle_cycles = 0;
  uint64_t learn_events_dropped = 0;
  std::array<uint64_t, kPollSizeBuckets> poll_sizes{};
};
struct DomainStats {
  uint32_t id = 0;
  uint32_t macs = 0, max_macs = 0;
  uint64_t learned = 0, moved = 0, limit_reached = 0, table_full = 0;
};
struct DataplaneStats {
  uint64_t tsc_hz = 0;
  std::vector<PortStats> ports;
  std::vector<WorkerStats> workers;
  std::vector<DomainStats> domains;
  uint32_t macs = 0, mac_capacity = 0;
  L3Stats l3;
  VxlanStats vxlan;
  ServicesStats services;
};

struct MacRow {
  uint32_t domain_id = 0;
  rte_ether_addr mac{};
  std::string port;
  bool is_static = false;
  uint32_t idle_s = 0;       // Seconds since the source was last seen (learned entries).
  uint32_t remote_vtep = 0;  // Behind a VXLAN tunnel: the remote VTEP (`port` is then empty).
};

class Dataplane {
 public:
  // Requires init_eal(). Throws std::runtime_error if memory for the pool or tables is short.
  explicit Dataplane(const DataplaneOptions& options);
  ~Dataplane();

  // Opens the port; workers check its security rules (if any) from its first packet.
  DpStatus add_port(const PortSpec& spec);
  // Stops polling the port, waits until no worker can touch it, and closes it. The port
  // must be in no bridge domain. Returns false if there is no such port.
  bool remove_port(const std::string& name);
  // Replaces the port's anti-spoofing rules (none: it accepts any source) in one publish,
  // without touching its device. Refused if there is no such port, the MAC is not unicast,
  // or there are not 1..kMaxSecurityIps addresses.
  DpStatus set_port_security(const std::string& name,
                             const std::optional<PortSecuritySpec>& security);
  // The rules the workers hold for the port: none if it has none or does not exist.
  std::optional<PortSecuritySpec> port_security(const std::string& name) const;
  // Replaces all bridge domains (membership, settings, static MACs) in one publish.
  DpStatus set_bridge_domains(const std::vector<BridgeDomainSpec>& domains);
  // Replaces the IPv4 interfaces, routes and static neighbors, applying only the difference
  // (routes that stay are not touched). Every port and bridge domain named must exist; a
  // port or domain must not be removed while an interface uses it. Refused whole on error.
  DpStatus set_l3(const L3Spec& spec);
  std::vector<InterfaceRow> list_interfaces() const;
  std::vector<NeighborRow> list_neighbors() const;
  // Replaces the services (VIPs, node ports, backends, affinity) and the connection
  // timeouts. Services whose definition is unchanged keep their flows; a removed backend's
  // flows are ended (counted). Refused whole on error (the message names the service and
  // field): a duplicate name, a VIP:port/protocol or node port used twice, a node port out
  // of the range, a backend address that is not unicast, a weight out of 1..1000, more than
  // 1000 backends, a Maglev size that is not prime.
  DpStatus set_services(const ServicesSpec& spec);
  // Tracked connections, of one service ("" = all), at most `limit`.
  std::vector<ConnectionRow> list_connections(const std::string& service, uint32_t limit) const;

  // Launches the workers on their lcores.
  DpStatus start();
  // Runs the control loop until `stop`; prints stats every stats_interval_s (0 = never);
  // calls `each_tick` (work from other threads) once per loop, every millisecond.
  void run(const std::atomic<bool>& stop, unsigned stats_interval_s, FILE* stats_out,
           const std::function<void()>& each_tick = {});
  // Stops the workers; counters stay readable.
  void stop_workers();
  // Stops the workers and closes every port (removing vhost-user server sockets).
  void shutdown();

  DataplaneStats stats() const;
  // The MAC table, optionally of one domain (domain_id 0 = all).
  std::vector<MacRow> list_macs(uint32_t domain_id = 0) const;
  void print_stats(FILE* out) const;

 private:
  struct LearnStats {
    uint64_t learned = 0, moved = 0, limit_reached = 0, table_full = 0;
  };
  void control_step();
  void drain_learn_queues();
  void drain_punt_queues();
  // Builds and publishes the workers' snapshot of domains, interfaces and the ports' security
  // rules (from ports_).
  void publish_config(const std::vector<BridgeDomainSpec>& domains,
                      const std::vector<std::optional<ResolvedInterface>>& ifaces);
  // The interfaces of `spec` with names resolved and indices kept by name.
  DpStatus resolve_interfaces(const L3Spec& spec,
                              std::vector<std::optional<ResolvedInterface>>& out);
  // The interface that uses a port or domain, or "".
  std::string interface_using(int port, uint32_t domain_id) const;
  // After a VXLAN change: static remote MACs as configured, learned ones behind remotes
  // that left dropped; the rte_flow rules of the routed ports.
  void sync_vxlan_macs_and_rules();
  uint64_t now_ms() const { return rte_rdtsc() / (tsc_hz_ / 1000); }
  void poll_links();
  void publish_worker_plans();
  int find_port(const std::string& name) const;
  std::vector<const WorkerCounters*> worker_counters() const;
  uint16_t domain_index(uint32_t id);

  DataplaneOptions options_;
  rte_mempool* pool_ = nullptr;
  SharedState shared_;
  Rcu rcu_;
  MacTable macs_;
  Published<L2Config> l2_;
  Fib fib_;
  ServicesControl services_;
  ServiceStage service_stage_;
  L2Bridge bridge_;
  Router router_;
  Pipeline pipeline_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Port>> ports_;              // By DPDK port id.
  std::map<uint32_t, uint16_t> domain_index_;             // Bridge-domain id -> MAC-table index.
  std::vector<LearnStats> learn_stats_;                   // By domain index.
  std::vector<BridgeDomainSpec> domain_specs_;            // As last set.
  std::vector<std::optional<ResolvedInterface>> ifaces_;  // By interface index.
  L3Control l3_;
  VxlanControl vxlan_;
  std::map<MacKey, uint16_t> vxlan_statics_;  // Static remote MACs in the MAC table.
  std::atomic<bool> workers_stop_{false};
  bool started_ = false;
  uint64_t tsc_hz_;
  uint64_t last_link_poll_ = 0, last_aging_ = 0, last_neighbor_tick_ = 0;
};

}  // namespace np::dp
