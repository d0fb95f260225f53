#include "np/control/metrics.h"

#include <cstdint>
#include <string>
#include <vector>

#include "np/control/config_rules.h"
#include "np/control/metrics_registry.h"
#include "np/dp/counters.h"
#include "np/dp/dataplane.h"
#include "np/dp/drop_reason.h"

namespace np::control {
namespace {

static_assert(dp::kPollSizeBuckets >= 2, "packets_per_poll needs a finite bucket and +Inf");

// The finite upper bounds of nodeplane_worker_packets_per_poll, one per poll-size bucket but
// the last: bucket 0 counts empty polls (le="0"), bucket b >= 1 polls with [2^(b-1), 2^b)
// packets, whose largest possible size is 2^b - 1. The last bucket is open (le="+Inf").
std::vector<double> poll_size_upper_bounds() {
  std::vector<double> bounds;
  for (unsigned b = 0; b + 1 < dp::kPollSizeBuckets; ++b) {
    bounds.push_back(static_cast<double>((uint64_t{1} << b) - 1));
  }
  return bounds;
}

void add_port_metrics(MetricsText& text, const std::vector<dp::PortStats>& ports) {
  auto& rx_packets = text.family("nodeplane_port_rx_packets_total", "Packets received on the port.",
                                 MetricType::kCounter);
  auto& rx_bytes = text.family("nodeplane_port_rx_bytes_total", "Bytes received on the port.",
                               MetricType::kCounter);
  auto& tx_packets = text.family("nodeplane_port_tx_packets_total",
                                 "Packets transmitted on the port.", MetricType::kCounter);
  auto& tx_bytes = text.family("nodeplane_port_tx_bytes_total", "Bytes transmitted on the port.",
                               MetricType::kCounter);
  auto& drops = text.family("nodeplane_port_drops_total",
                            "Packets dropped by the data path, by port and drop reason.",
                            MetricType::kCounter);
  auto& rx_errors =
      text.family("nodeplane_port_rx_errors_total",
                  "Erroneous packets the device received (DPDK ierrors).", MetricType::kCounter);
  auto& rx_missed = text.family(
      "nodeplane_port_rx_missed_total",
      "Packets the device dropped for lack of receive room (DPDK imissed).", MetricType::kCounter);
  auto& rx_nombuf =
      text.family("nodeplane_port_rx_nombuf_total",
                  "Receive failures for lack of mbufs (DPDK rx_nombuf).", MetricType::kCounter);
  auto& tx_errors =
      text.family("nodeplane_port_tx_errors_total",
                  "Packets the device failed to transmit (DPDK oerrors).", MetricType::kCounter);
  auto& link_up = text.family("nodeplane_port_link_up",
                              "Whether the port's link is up (1) or down (0).", MetricType::kGauge);
  for (const dp::PortStats& p : ports) {
    const MetricLabels labels{{"port", p.name}};
    rx_packets.add(labels, p.rx_pkts);
    rx_bytes.add(labels, p.rx_bytes);
    tx_packets.add(labels, p.tx_pkts);
    tx_bytes.add(labels, p.tx_bytes);
    // Every reason, zeros included, so that rate() sees a series from its first drop on.
    for (unsigned r = 0; r < dp::kDropReasonCount; ++r) {
      drops.add(
          {{"port", p.name}, {"reason", dp::drop_reason_name(static_cast<dp::DropReason>(r))}},
          p.drops[r]);
    }
    rx_errors.add(labels, p.device_rx_errors);
    rx_missed.add(labels, p.device_rx_missed);
    rx_nombuf.add(labels, p.device_rx_nombuf);
    tx_errors.add(labels, p.device_tx_errors);
    link_up.add(labels, p.link_up ? 1 : 0);
  }
}

void add_worker_metrics(MetricsText& text, const dp::DataplaneStats& stats) {
  auto& busy = text.family("nodeplane_worker_busy_cycles_total",
                           "TSC cycles the worker spent in polls that received packets (receive, "
                           "process, transmit). Divide by nodeplane_tsc_hz for seconds.",
                           MetricType::kCounter);
  auto& idle = text.family("nodeplane_worker_idle_cycles_total",
                           "TSC cycles the worker spent in empty polls, idle sleeps included. "
                           "Divide by nodeplane_tsc_hz for seconds.",
                           MetricType::kCounter);
  auto& polls = text.family("nodeplane_worker_polls_total", "Iterations of the worker's poll loop.",
                            MetricType::kCounter);
  auto& learn_dropped =
      text.family("nodeplane_worker_learn_events_dropped_total",
                  "MAC learning events lost because the worker's learning queue was full.",
                  MetricType::kCounter);
  auto& per_poll = text.family("nodeplane_worker_packets_per_poll",
                               "Packets received per iteration of the worker's poll loop, over "
                               "all its receive queues.",
                               MetricType::kHistogram);
  const std::vector<double> bounds = poll_size_upper_bounds();
  for (const dp::WorkerStats& w : stats.workers) {
    const MetricLabels labels{{"lcore", std::to_string(w.lcore)}};
    busy.add(labels, w.busy_cycles);
    idle.add(labels, w.idle_cycles);
    polls.add(labels, w.polls);
    learn_dropped.add(labels, w.learn_events_dropped);
    // _count is the sum of the buckets rather than `polls`: the snapshot reads the counters
    // one by one while the worker runs, and the format wants _count equal to the +Inf bucket.
    per_poll.add_histogram(
        labels, bounds, std::vector<uint64_t>(w.poll_sizes.begin(), w.poll_sizes.end()), w.rx_pkts);
  }
  text.family("nodeplane_tsc_hz",
              "Frequency of the time-stamp counter that the cycle counters count, in hertz.",
              MetricType::kGauge)
      .add({}, stats.tsc_hz);
}

void add_table_metrics(MetricsText& text, const dp::DataplaneStats& stats) {
  auto& macs = text.family("nodeplane_bridge_domain_macs",
                           "MAC addresses in the bridge domain's table, static ones included.",
                           MetricType::kGauge);
  auto& max_macs =
      text.family("nodeplane_bridge_domain_max_macs",
                  "The bridge domain's MAC limit (0 means no limit).", MetricType::kGauge);
  auto& learned =
      text.family("nodeplane_bridge_domain_learned_total",
                  "MAC addresses added to the bridge domain by learning.", MetricType::kCounter);
  auto& moved =
      text.family("nodeplane_bridge_domain_moved_total",
                  "Learned MAC addresses that moved to another port.", MetricType::kCounter);
  auto& limit_reached =
      text.family("nodeplane_bridge_domain_limit_reached_total",
                  "Learning events refused because the bridge domain was at its MAC limit.",
                  MetricType::kCounter);
  auto& table_full =
      text.family("nodeplane_bridge_domain_table_full_total",
                  "Learning events of the bridge domain refused because the MAC table was full.",
                  MetricType::kCounter);
  for (const dp::DomainStats& d : stats.domains) {
    const MetricLabels labels{{"bd", std::to_string(d.id)}};
    macs.add(labels, d.macs);
    max_macs.add(labels, d.max_macs);
    learned.add(labels, d.learned);
    moved.add(labels, d.moved);
    limit_reached.add(labels, d.limit_reached);
    table_full.add(labels, d.table_full);
  }
  text.family("nodeplane_mac_table_entries",
              "Entries in the MAC table shared by all bridge domains.", MetricType::kGauge)
      .add({}, stats.macs);
  text.family("nodeplane_mac_table_capacity", "Capacity of the MAC table in entries.",
              MetricType::kGauge)
      .add({}, stats.mac_capacity);
}

void add_l3_metrics(MetricsText& text, const dp::L3Stats& l3) {
  text.family("nodeplane_routes", "Configured IPv4 routes (connected and host routes not counted).",
              MetricType::kGauge)
      .add({}, l3.routes);
  text.family("nodeplane_neighbors", "Entries in the neighbor (ARP) table, in every state.",
              MetricType::kGauge)
      .add({}, l3.neighbors);
  const struct {
    const char* name;
    const char* help;
    uint64_t value;
  } counters[] = {
      {"nodeplane_arp_requests_sent_total", "ARP requests sent to resolve neighbors.",
       l3.arp_requests_sent},
      {"nodeplane_arp_replies_sent_total", "ARP replies sent for our own addresses.",
       l3.arp_replies_sent},
      {"nodeplane_arp_misses_total", "Packets that waited for a neighbor's resolution.",
       l3.arp_misses},
      {"nodeplane_arp_queue_drops_total",
       "Packets dropped because an unresolved neighbor's queue was full.", l3.arp_queue_drops},
      {"nodeplane_arp_failed_drops_total",
       "Packets dropped because their neighbor never answered ARP.", l3.arp_failed_drops},
      {"nodeplane_punt_queue_drops_total",
       "Packets lost between a worker and the control thread (queue full).", l3.punt_queue_drops},
      {"nodeplane_icmp_rate_limited_total",
       "ICMP errors not sent because of the per-worker rate limit.", l3.icmp_rate_limited},
  };
  for (const auto& c : counters) text.family(c.name, c.help, MetricType::kCounter).add({}, c.value);
  auto& icmp_sent = text.family("nodeplane_icmp_sent_total",
                                "ICMP messages the router sent, by type.", MetricType::kCounter);
  // Every type, zeros included, so that rate() sees a series from its first message on.
  for (unsigned k = 0; k < dp::kIcmpKindCount; ++k)
    icmp_sent.add({{"type", dp::icmp_kind_name(static_cast<dp::IcmpKind>(k))}}, l3.icmp_sent[k]);
}

void add_vxlan_metrics(MetricsText& text, const dp::VxlanStats& vxlan) {
  auto& encap = text.family("nodeplane_vxlan_encap_packets_total",
                            "Packets encapsulated into VXLAN, by VNI.", MetricType::kCounter);
  auto& decap = text.family("nodeplane_vxlan_decap_packets_total",
                            "VXLAN packets decapsulated, by VNI.", MetricType::kCounter);
  auto& drops = text.family("nodeplane_vxlan_drops_total",
                            "VXLAN packets dropped, by VNI and drop reason.", MetricType::kCounter);
  for (const dp::VxlanVniStats& v : vxlan.vnis) {
    const std::string vni = std::to_string(v.vni);
    encap.add({{"vni", vni}}, v.encap_pkts);
    decap.add({{"vni", vni}}, v.decap_pkts);
    // Every reason, zeros included, so that rate() sees a series from its first drop on.
    for (unsigned r = 0; r < dp::kVxlanDropCount; ++r)
      drops.add({{"vni", vni}, {"reason", dp::vxlan_drop_name(static_cast<dp::VxlanDrop>(r))}},
                v.drops[r]);
  }
  auto& offload = text.family(
      "nodeplane_vxlan_offload",
      "How the port classifies VXLAN to our VTEP: in software (0), steered by rte_flow (1), "
      "steered and marked with its VNI by rte_flow (2).",
      MetricType::kGauge);
  for (const dp::VxlanPortOffload& p : vxlan.ports)
    offload.add({{"port", p.port}}, p.marked ? 2 : p.offloaded ? 1 : 0);
  text.family("nodeplane_vxlan_remote_macs",
              "MAC addresses behind remote VTEPs (learned and static).", MetricType::kGauge)
      .add({}, vxlan.remote_macs);
}

std::string format_backend(const dp::BackendSpec& b) {
  return format_ipv4(b.ip) + ":" + std::to_string(b.port);
}

void add_service_metrics(MetricsText& text, const dp::ServicesStats& services) {
  auto& packets =
      text.family("nodeplane_service_packets_total",
                  "Packets to the service (client to backend), by service.", MetricType::kCounter);
  auto& new_flows = text.family("nodeplane_service_new_flows_total",
                                "Connections the service took, by service.", MetricType::kCounter);
  auto& backend_packets = text.family(
      "nodeplane_backend_packets_total",
      "Packets DNATed to the backend, by service and backend (IP:PORT).", MetricType::kCounter);
  auto& backend_flows =
      text.family("nodeplane_backend_new_flows_total",
                  "Connections assigned to the backend, by service and backend (IP:PORT).",
                  MetricType::kCounter);
  for (const dp::ServiceStats& s : services.services) {
    packets.add({{"service", s.name}}, s.packets);
    new_flows.add({{"service", s.name}}, s.new_flows);
    for (const dp::BackendStats& b : s.backends) {
      const MetricLabels labels{{"service", s.name}, {"backend", format_backend(b.backend)}};
      backend_packets.add(labels, b.packets);
      backend_flows.add(labels, b.new_flows);
    }
  }
  const dp::ConntrackStats& c = services.conntrack;
  text.family("nodeplane_conntrack_flows", "Connections in the connection table.",
              MetricType::kGauge)
      .add({}, c.flows);
  text.family("nodeplane_conntrack_max_flows",
              "Capacity of the connection table (conntrack.max_flows).", MetricType::kGauge)
      .add({}, c.max_flows);
  text.family("nodeplane_conntrack_created_total", "Connections added to the connection table.",
              MetricType::kCounter)
      .add({}, c.created);
  text.family("nodeplane_conntrack_expired_total",
              "Connections removed from the connection table after their idle timeout.",
              MetricType::kCounter)
      .add({}, c.expired);
  text.family("nodeplane_conntrack_ended_total",
              "Connections ended before their timeout, by reason (backend_removed: their "
              "backend left the service).",
              MetricType::kCounter)
      .add({{"reason", "backend_removed"}}, c.ended_backend_removed);
  auto& drops = text.family("nodeplane_nat_drops_total",
                            "Packets of services and tracked connections dropped, by reason.",
                            MetricType::kCounter);
  // Every reason, zeros included, so that rate() sees a series from its first drop on.
  for (unsigned r = 0; r < dp::kNatDropCount; ++r)
    drops.add({{"reason", dp::nat_drop_name(static_cast<dp::NatDrop>(r))}}, c.drops[r]);
}

}  // namespace

std::string render_metrics(const dp::DataplaneStats& stats, const std::string& node_name) {
  MetricsText text;
  text.family("nodeplane_info", "Information about the node; the value is always 1.",
              MetricType::kGauge)
      .add({{"node", node_name}}, 1);
  add_port_metrics(text, stats.ports);
  add_worker_metrics(text, stats);
  add_table_metrics(text, stats);
  add_l3_metrics(text, stats.l3);
  add_vxlan_metrics(text, stats.vxlan);
  add_service_metrics(text, stats.services);
  return text.render();
}

}  // namespace np::control
