// The control thread's side of services: checks a ServicesSpec, gives every service and
// backend a counter slot, builds the table workers read (Maglev tables off the fast path),
// ends the flows of backends that went away, expires idle flows a slice per tick, and
// reports counters and connections.
//
// Thread: control only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "np/dp/counters.h"
#include "np/dp/rcu.h"
#include "np/dp/service_spec.h"
#include "np/dp/service_table.h"
#include "np/dp/status.h"
#include "np/nat/conntrack.h"

namespace np::dp {

class ServicesControl {
 public:
  // `name` prefixes the DPDK objects of the connection table.
  ServicesControl(const std::string& name, uint32_t max_flows, Rcu& rcu, uint64_t tsc_hz);

  nat::Conntrack& conntrack() { return conntrack_; }

  // Checks `spec` against our addresses (host byte order); on success it becomes current:
  // table() is what workers get next, and the flows of removed backends and services end.
  DpStatus set(const ServicesSpec& spec, const std::vector<uint32_t>& our_addresses,
               const std::vector<const WorkerCounters*>& workers);
  // Null when there are no services.
  std::shared_ptr<const ServiceTable> table() const { return table_; }

  // Expires idle flows (a slice of the table), ends late flows of removed backends, and
  // frees what no worker can see any more.
  void tick(uint64_t now_tsc);
  // Flows a tick checks for expiry: about a thousandth of the table, so a control loop
  // ticking every millisecond sweeps the whole table about once a second.
  uint32_t expiry_slice() const { return conntrack_.max_flows() / 1000 + 64; }

  ServicesStats stats(const std::vector<const WorkerCounters*>& workers) const;
  std::vector<ConnectionRow> connections(const std::string& service, uint32_t limit,
                                         uint64_t now_tsc) const;

 private:
  struct Sums {
    uint64_t packets = 0, new_flows = 0;
  };
  static Sums sum(const std::vector<const WorkerCounters*>& workers, bool backend, uint16_t slot);
  uint16_t take_slot(std::vector<uint16_t>& free, uint16_t& next, unsigned limit);
  void end_removed(const std::set<uint16_t>& backend_slots);

  nat::Conntrack conntrack_;
  Rcu& rcu_;
  const uint64_t tsc_hz_;
  ServicesSpec spec_;
  std::shared_ptr<const ServiceTable> table_;
  std::map<std::string, uint16_t> service_slot_;
  std::map<std::pair<std::string, uint64_t>, uint16_t> backend_slot_;  // (service, ip:port).
  std::vector<uint16_t> free_service_slots_, free_backend_slots_;
  uint16_t next_service_slot_ = 0, next_backend_slot_ = 0;
  // Counters at the time a slot was (re)assigned: reports subtract them.
  std::vector<Sums> service_base_, backend_base_;
  // Backend slots whose flows ended; ended again once workers have left the old table.
  std::set<uint16_t> dying_;
  uint64_t dying_token_ = 0;
  std::vector<uint64_t> affinity_tsc_;  // By service slot.
  uint64_t expired_ = 0, ended_removed_ = 0;
};

}  // namespace np::dp
