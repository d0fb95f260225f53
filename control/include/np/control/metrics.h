// The node's Prometheus metrics (SPEC "Metrics"), rendered from one stats snapshot per scrape.
// Every name starts with `nodeplane_`; the output is clean under `promtool check metrics`.
//
// Thread: any (a pure function of its arguments). The snapshot itself must be taken on the
// control thread (Dataplane::stats()), e.g. through ControlQueue::run.
#pragma once

#include <string>

namespace np::dp {
struct DataplaneStats;
}  // namespace np::dp

namespace np::control {

// The text exposition (format 0.0.4) of `stats`, with `node_name` in nodeplane_info.
//
// Families: per port (label `port`, the port's name) nodeplane_port_{rx,tx}_{packets,bytes}
// _total, nodeplane_port_drops_total{reason} for every drop reason (zeros included) and
// nodeplane_port_link_up; per worker (label `lcore`) busy/idle TSC cycles, polls, dropped
// learning events and the nodeplane_worker_packets_per_poll histogram; nodeplane_tsc_hz to
// turn cycles into seconds; per bridge domain (label `bd`, its id) MAC count, limit and
// learning counters; the MAC table's size and capacity; the IPv4 layer's routes and
// neighbors (gauges), ARP counters (requests and replies sent, misses, queue and failure
// drops), punt queue drops, ICMP rate-limited and nodeplane_icmp_sent_total{type} for every
// type; VXLAN per VNI (label `vni`) nodeplane_vxlan_{encap,decap}_packets_total and
// nodeplane_vxlan_drops_total{reason} for every reason, nodeplane_vxlan_offload{port} (1 when
// rte_flow classifies VXLAN, 0 in software) and nodeplane_vxlan_remote_macs; per service
// (label `service`) nodeplane_service_{packets,new_flows}_total and per backend (labels
// `service`, `backend` as IP:PORT) nodeplane_backend_{packets,new_flows}_total; the
// connection table's nodeplane_conntrack_flows and _max_flows (gauges), _created_total,
// _expired_total and nodeplane_conntrack_ended_total{reason="backend_removed"};
// nodeplane_nat_drops_total{reason} for every reason; nodeplane_info{node}.
std::string render_metrics(const dp::DataplaneStats& stats, const std::string& node_name);

}  // namespace np::control
