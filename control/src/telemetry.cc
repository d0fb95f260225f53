#include "np/control/telemetry.h"

#include <rte_telemetry.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace np::control {
namespace {

// DPDK's telemetry callbacks carry no user pointer, hence one guarded global.
std::mutex g_mutex;
StatsSnapshot g_snapshot;

bool take_snapshot(dp::DataplaneStats& stats) {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_snapshot && g_snapshot(stats);
}

int list_ports(const char*, const char*, rte_tel_data* d) {
  dp::DataplaneStats stats;
  if (!take_snapshot(stats)) return -1;
  rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
  for (const dp::PortStats& p : stats.ports) rte_tel_data_add_array_string(d, p.name.c_str());
  return 0;
}

int port_stats(const char*, const char* params, rte_tel_data* d) {
  dp::DataplaneStats stats;
  if (params == nullptr || !take_snapshot(stats)) return -1;
  for (const dp::PortStats& p : stats.ports) {
    if (p.name != params) continue;
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "link_up", p.link_up ? 1 : 0);
    rte_tel_data_add_dict_u64(d, "rx_packets", p.rx_pkts);
    rte_tel_data_add_dict_u64(d, "rx_bytes", p.rx_bytes);
    rte_tel_data_add_dict_u64(d, "tx_packets", p.tx_pkts);
    rte_tel_data_add_dict_u64(d, "tx_bytes", p.tx_bytes);
    for (unsigned r = 0; r < dp::kDropReasonCount; ++r)
      rte_tel_data_add_dict_u64(
          d, (std::string("drop_") + dp::drop_reason_name(static_cast<dp::DropReason>(r))).c_str(),
          p.drops[r]);
    return 0;
  }
  return -1;
}

int list_workers(const char*, const char*, rte_tel_data* d) {
  dp::DataplaneStats stats;
  if (!take_snapshot(stats)) return -1;
  rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
  for (const dp::WorkerStats& w : stats.workers)
    rte_tel_data_add_array_int(d, static_cast<int>(w.lcore));
  return 0;
}

int worker_stats(const char*, const char* params, rte_tel_data* d) {
  dp::DataplaneStats stats;
  if (params == nullptr || !take_snapshot(stats)) return -1;
  const unsigned lcore = static_cast<unsigned>(std::strtoul(params, nullptr, 10));
  for (const dp::WorkerStats& w : stats.workers) {
    if (w.lcore != lcore) continue;
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "polls", w.polls);
    rte_tel_data_add_dict_u64(d, "busy_polls", w.busy_polls);
    rte_tel_data_add_dict_u64(d, "rx_packets", w.rx_pkts);
    rte_tel_data_add_dict_u64(d, "busy_cycles", w.busy_cycles);
    rte_tel_data_add_dict_u64(d, "idle_cycles", w.idle_cycles);
    rte_tel_data_add_dict_u64(d, "learn_events_dropped", w.learn_events_dropped);
    return 0;
  }
  return -1;
}

}  // namespace

void register_telemetry(StatsSnapshot snapshot) {
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_snapshot = std::move(snapshot);
  }
  rte_telemetry_register_cmd("/nodeplane/ports", list_ports,
                             "Names of the ports. Takes no parameters");
  rte_telemetry_register_cmd("/nodeplane/port_stats", port_stats,
                             "Counters of a port, drops by reason. Parameters: port name");
  rte_telemetry_register_cmd("/nodeplane/workers", list_workers,
                             "Lcores of the workers. Takes no parameters");
  rte_telemetry_register_cmd("/nodeplane/worker_stats", worker_stats,
                             "Counters of a worker. Parameters: lcore");
}

void unregister_telemetry() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_snapshot = nullptr;
}

}  // namespace np::control
