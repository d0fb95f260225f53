#include "np/dp/services_control.h"

#include <rte_rcu_qsbr.h>

#include <algorithm>

#include "np/dp/ipv4.h"
#include "np/dp/l3_spec.h"
#include "np/nat/maglev.h"

namespace np::dp {
namespace {

constexpr size_t kMaxBackendsPerService = 1000;

uint64_t backend_key(const BackendSpec& b) { return uint64_t{b.ip} << 16 | b.port; }

DpStatus check(const ServicesSpec& spec, const std::vector<uint32_t>& our_addresses) {
  auto refuse = [](const std::string& what) { return DpStatus::error(what); };
  if (!nat::is_prime(spec.maglev_size) || spec.maglev_size > nat::kMaxMaglevSize)
    return refuse("maglev size " + std::to_string(spec.maglev_size) +
                  " is not a prime <= " + std::to_string(nat::kMaxMaglevSize));
  if (spec.node_port_min == 0 || spec.node_port_min > spec.node_port_max)
    return refuse("node port range " + std::to_string(spec.node_port_min) + "-" +
                  std::to_string(spec.node_port_max) + " is empty");
  const ConntrackTimeouts& t = spec.timeouts;
  if (t.tcp_syn_s == 0 || t.tcp_established_s == 0 || t.tcp_closing_s == 0 || t.udp_s == 0)
    return refuse("conntrack timeouts: 0 s would end every connection at once");
  std::set<std::string> names;
  std::set<uint64_t> vips, node_ports;
  for (const ServiceSpec& s : spec.services) {
    const std::string at = "service '" + s.name + "': ";
    if (s.name.empty()) return refuse("service: name: empty");
    if (!names.insert(s.name).second) return refuse(at + "name: defined twice");
    if (s.protocol != IPPROTO_TCP && s.protocol != IPPROTO_UDP)
      return refuse(at + "protocol: not tcp or udp");
    if (!is_unicast_ipv4(s.vip))
      return refuse(at + "vip: " + format_ipv4(s.vip) + " is not unicast");
    if (std::find(our_addresses.begin(), our_addresses.end(), s.vip) != our_addresses.end())
      return refuse(at + "vip: " + format_ipv4(s.vip) + " is one of our interface addresses");
    if (s.port == 0) return refuse(at + "port: 0");
    if (!vips.insert(
                 ServiceTable::pack(rte_cpu_to_be_32(s.vip), rte_cpu_to_be_16(s.port), s.protocol))
             .second)
      return refuse(at + "vip: " + format_ipv4(s.vip) + ":" + std::to_string(s.port) +
                    " is already another service's");
    if (s.node_port != 0) {
      if (s.node_port < spec.node_port_min || s.node_port > spec.node_port_max)
        return refuse(at + "node_port: " + std::to_string(s.node_port) + " is outside " +
                      std::to_string(spec.node_port_min) + "-" +
                      std::to_string(spec.node_port_max));
      if (!node_ports.insert(ServiceTable::pack(0, rte_cpu_to_be_16(s.node_port), s.protocol))
               .second)
        return refuse(at + "node_port: " + std::to_string(s.node_port) +
                      " is already another service's");
    }
    if (s.client_ip_affinity && s.affinity_timeout_s == 0)
      return refuse(at + "affinity_timeout_s: 0");
    if (s.backends.size() > kMaxBackendsPerService)
      return refuse(at + "backends: more than " + std::to_string(kMaxBackendsPerService));
    std::set<uint64_t> seen;
    for (size_t i = 0; i < s.backends.size(); ++i) {
      const BackendSpec& b = s.backends[i];
      const std::string bat = at + "backends[" + std::to_string(i) + "].";
      if (!is_unicast_ipv4(b.ip))
        return refuse(bat + "ip: " + format_ipv4(b.ip) + " is not unicast");
      if (b.port == 0) return refuse(bat + "port: 0");
      if (b.weight == 0 || b.weight > nat::kMaxBackendWeight)
        return refuse(bat + "weight: " + std::to_string(b.weight) + " is not in 1.." +
                      std::to_string(nat::kMaxBackendWeight));
      if (!seen.insert(backend_key(b)).second)
        return refuse(bat + "ip: " + format_ipv4(b.ip) + ":" + std::to_string(b.port) +
                      " listed twice");
    }
  }
  return {};
}

}  // namespace

ServicesControl::ServicesControl(const std::string& name, uint32_t max_flows, Rcu& rcu,
                                 uint64_t tsc_hz)
    : conntrack_(name, max_flows, rcu.qsbr()),
      rcu_(rcu),
      tsc_hz_(tsc_hz),
      service_base_(kMaxServiceSlots),
      backend_base_(kMaxBackendSlots),
      affinity_tsc_(kMaxServiceSlots, 0) {}

ServicesControl::Sums ServicesControl::sum(const std::vector<const WorkerCounters*>& workers,
                                           bool backend, uint16_t slot) {
  Sums s;
  for (const WorkerCounters* w : workers) {
    const ServiceCounters& c = backend ? w->backends[slot] : w->services[slot];
    s.packets += c.packets.get();
    s.new_flows += c.new_flows.get();
  }
  return s;
}

uint16_t ServicesControl::take_slot(std::vector<uint16_t>& free, uint16_t& next, unsigned limit) {
  if (next < limit) return next++;
  const uint16_t slot = free.back();
  free.pop_back();
  return slot;
}

DpStatus ServicesControl::set(const ServicesSpec& spec, const std::vector<uint32_t>& our_addresses,
                              const std::vector<const WorkerCounters*>& workers) {
  if (DpStatus st = check(spec, our_addresses); !st.ok()) return st;
  // Room for the slots of what is new.
  size_t new_services = 0, new_backends = 0;
  for (const ServiceSpec& s : spec.services) {
    new_services += service_slot_.count(s.name) == 0;
    for (const BackendSpec& b : s.backends)
      new_backends += backend_slot_.count({s.name, backend_key(b)}) == 0;
  }
  if (new_services > kMaxServiceSlots - next_service_slot_ + free_service_slots_.size())
    return DpStatus::error("services: more than " + std::to_string(kMaxServiceSlots));
  if (new_backends > kMaxBackendSlots - next_backend_slot_ + free_backend_slots_.size())
    return DpStatus::error("backends: more than " + std::to_string(kMaxBackendSlots) +
                           " in all services (or still ending)");

  std::map<std::string, uint16_t> service_slots;
  std::map<std::pair<std::string, uint64_t>, uint16_t> backend_slots;
  auto table = std::make_shared<ServiceTable>();
  table->timeouts = {spec.timeouts.tcp_syn_s * tsc_hz_, spec.timeouts.tcp_established_s * tsc_hz_,
                     spec.timeouts.tcp_closing_s * tsc_hz_, spec.timeouts.udp_s * tsc_hz_, 0};
  for (const ServiceSpec& s : spec.services) {
    NatService ns;
    auto known = service_slot_.find(s.name);
    if (known != service_slot_.end()) {
      ns.slot = known->second;
    } else {
      ns.slot = take_slot(free_service_slots_, next_service_slot_, kMaxServiceSlots);
      service_base_[ns.slot] = sum(workers, false, ns.slot);
    }
    service_slots[s.name] = ns.slot;
    ns.vip = rte_cpu_to_be_32(s.vip);
    ns.port = rte_cpu_to_be_16(s.port);
    ns.proto = s.protocol;
    ns.node_port = rte_cpu_to_be_16(s.node_port);
    ns.affinity = s.client_ip_affinity;
    ns.affinity_tsc = uint64_t{s.affinity_timeout_s} * tsc_hz_;
    affinity_tsc_[ns.slot] = ns.affinity_tsc;
    std::vector<nat::MaglevBackend> maglev;
    for (const BackendSpec& b : s.backends) {
      const std::pair<std::string, uint64_t> id{s.name, backend_key(b)};
      uint16_t slot;
      if (auto it = backend_slot_.find(id); it != backend_slot_.end()) {
        slot = it->second;
      } else {
        slot = take_slot(free_backend_slots_, next_backend_slot_, kMaxBackendSlots);
        backend_base_[slot] = sum(workers, true, slot);
      }
      backend_slots[id] = slot;
      ns.backends.push_back({rte_cpu_to_be_32(b.ip), rte_cpu_to_be_16(b.port), slot});
      maglev.push_back({backend_key(b), b.weight});
    }
    if (!maglev.empty()) ns.maglev = nat::build_maglev(maglev, spec.maglev_size);
    const auto index = static_cast<uint16_t>(table->services.size());
    table->by_vip.push_back({ServiceTable::pack(ns.vip, ns.port, ns.proto), index});
    if (s.node_port != 0)
      table->by_node_port.push_back({ServiceTable::pack(0, ns.node_port, ns.proto), index});
    table->services.push_back(std::move(ns));
  }
  std::sort(table->by_vip.begin(), table->by_vip.end());
  std::sort(table->by_node_port.begin(), table->by_node_port.end());

  // What left: its flows end now, and again once no worker can still pick it from the old
  // table; then its slots are free.
  std::set<uint16_t> removed;
  for (const auto& [id, slot] : backend_slot_)
    if (backend_slots.count(id) == 0) removed.insert(slot);
  for (const auto& [name, slot] : service_slot_)
    if (service_slots.count(name) == 0) free_service_slots_.push_back(slot);
  service_slot_ = std::move(service_slots);
  backend_slot_ = std::move(backend_slots);
  spec_ = spec;
  table_ = spec.services.empty() ? nullptr : std::move(table);
  if (!removed.empty()) {
    end_removed(removed);
    dying_.insert(removed.begin(), removed.end());
    dying_token_ = 0;  // Started at the next tick, after the new table is published.
  }
  return {};
}

void ServicesControl::end_removed(const std::set<uint16_t>& backend_slots) {
  ended_removed_ += conntrack_.end_flows(
      [&](const nat::Flow& f) { return backend_slots.count(f.backend_slot) != 0; });
}

void ServicesControl::tick(uint64_t now_tsc) {
  if (!dying_.empty()) {
    if (dying_token_ == 0) {
      dying_token_ = rte_rcu_qsbr_start(rcu_.qsbr());
    } else if (rte_rcu_qsbr_check(rcu_.qsbr(), dying_token_, false) == 1) {
      end_removed(dying_);
      free_backend_slots_.insert(free_backend_slots_.end(), dying_.begin(), dying_.end());
      dying_.clear();
    }
  }
  if (table_ != nullptr || conntrack_.live() != 0) {
    const nat::FlowTimeouts timeouts = table_ != nullptr ? table_->timeouts : nat::FlowTimeouts{};
    expired_ += conntrack_.expire_step(
        now_tsc, timeouts, [&](uint16_t slot) { return affinity_tsc_[slot]; }, expiry_slice());
  }
  conntrack_.reclaim();
}

ServicesStats ServicesControl::stats(const std::vector<const WorkerCounters*>& workers) const {
  ServicesStats out;
  for (const ServiceSpec& s : spec_.services) {
    ServiceStats ss;
    ss.name = s.name;
    const uint16_t slot = service_slot_.at(s.name);
    const Sums now = sum(workers, false, slot);
    ss.packets = now.packets - service_base_[slot].packets;
    ss.new_flows = now.new_flows - service_base_[slot].new_flows;
    for (const BackendSpec& b : s.backends) {
      const uint16_t bslot = backend_slot_.at({s.name, backend_key(b)});
      const Sums bnow = sum(workers, true, bslot);
      ss.backends.push_back({b, bnow.packets - backend_base_[bslot].packets,
                             bnow.new_flows - backend_base_[bslot].new_flows});
    }
    out.services.push_back(std::move(ss));
  }
  ConntrackStats& ct = out.conntrack;
  ct.flows = conntrack_.live();
  ct.max_flows = conntrack_.max_flows();
  ct.expired = expired_;
  ct.ended_backend_removed = ended_removed_;
  for (const WorkerCounters* w : workers) {
    ct.created += w->flows_created.get();
    for (unsigned r = 0; r < kNatDropCount; ++r) ct.drops[r] += w->nat_drops[r].get();
  }
  return out;
}

std::vector<ConnectionRow> ServicesControl::connections(const std::string& service, uint32_t limit,
                                                        uint64_t now_tsc) const {
  std::map<uint16_t, std::string> names;
  for (const auto& [name, slot] : service_slot_) names[slot] = name;
  std::vector<ConnectionRow> rows;
  conntrack_.for_each([&](const nat::Flow& f) {
    if (f.affinity || rows.size() >= limit) return;
    auto name = names.find(f.service_slot);
    if (name == names.end() || (!service.empty() && name->second != service)) return;
    ConnectionRow r;
    r.protocol = f.forward.proto;
    r.client_ip = rte_be_to_cpu_32(f.forward.src_ip);
    r.client_port = rte_be_to_cpu_16(f.forward.src_port);
    r.vip = rte_be_to_cpu_32(f.forward.dst_ip);
    r.vip_port = rte_be_to_cpu_16(f.forward.dst_port);
    r.backend_ip = rte_be_to_cpu_32(f.reply.src_ip);
    r.backend_port = rte_be_to_cpu_16(f.reply.src_port);
    r.state = nat::flow_state_name(f.get_state());
    const uint64_t seen = f.last_seen_tsc.load(std::memory_order_relaxed);
    r.idle_s = now_tsc > seen ? static_cast<uint32_t>((now_tsc - seen) / tsc_hz_) : 0;
    r.service = name->second;
    rows.push_back(std::move(r));
  });
  return rows;
}

}  // namespace np::dp
