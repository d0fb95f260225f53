#include "np/control/controller.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "np/control/apply.h"
#include "np/control/config_validate.h"
#include "np/control/state_file.h"

namespace np::control {
namespace {

bool same_port(const PortConfig& a, const PortConfig& b) {
  return a.name == b.name && a.type == b.type && a.socket == b.socket && a.client == b.client &&
         a.iface == b.iface && a.device == b.device && a.path == b.path && a.queues == b.queues &&
         a.mac == b.mac && a.mtu == b.mtu;
}

const PortConfig* find_port(const Config& config, const std::string& name) {
  for (const PortConfig& p : config.ports)
    if (p.name == name) return &p;
  return nullptr;
}

// Replaces the element `same` finds with `value`, or appends `value` (create or replace).
template <typename T, typename Same>
void replace_or_append(std::vector<T>& items, const T& value, Same same) {
  auto it = std::find_if(items.begin(), items.end(), same);
  if (it != items.end())
    *it = value;
  else
    items.push_back(value);
}

// Removes the elements `match` finds; returns whether there were any.
template <typename T, typename Match>
bool erase_matching(std::vector<T>& items, Match match) {
  const size_t before = items.size();
  items.erase(std::remove_if(items.begin(), items.end(), match), items.end());
  return items.size() != before;
}

// Ports of `from` that `to` lacks or has with other settings: they are closed.
std::vector<PortConfig> ports_leaving(const Config& from, const Config& to) {
  std::vector<PortConfig> out;
  for (const PortConfig& p : from.ports) {
    const PortConfig* q = find_port(to, p.name);
    if (q == nullptr || !same_port(p, *q)) out.push_back(p);
  }
  return out;
}

// The bridge domains of `config` without `ports`.
std::vector<dp::BridgeDomainSpec> domains_without(const Config& config,
                                                  const std::vector<PortConfig>& ports) {
  std::vector<dp::BridgeDomainSpec> specs = domain_specs(config);
  auto leaving = [&](const std::string& name) {
    return std::any_of(ports.begin(), ports.end(),
                       [&](const PortConfig& p) { return p.name == name; });
  };
  for (dp::BridgeDomainSpec& spec : specs) {
    erase_matching(spec.ports, leaving);
    erase_matching(spec.static_macs, [&](const dp::StaticMac& s) { return leaving(s.port); });
  }
  return specs;
}

// Moves the data plane from `from` to `to` (both valid): ports leaving are taken out of
// their domains and closed, new ports opened, then the domains of `to` published. Workers
// keep forwarding throughout; only the ports that change are touched.
dp::DpStatus apply_diff(dp::Dataplane& dataplane, const Config& from, const Config& to) {
  const std::vector<PortConfig> leaving = ports_leaving(from, to);
  const std::vector<PortConfig> arriving = ports_leaving(to, from);
  if (!leaving.empty()) {
    if (dp::DpStatus st = dataplane.set_bridge_domains(domains_without(from, leaving)); !st.ok())
      return st;
    for (const PortConfig& p : leaving) dataplane.remove_port(p.name);
  }
  for (const PortConfig& p : arriving)
    if (dp::DpStatus st = dataplane.add_port(port_spec(p)); !st.ok()) return st;
  return dataplane.set_bridge_domains(domain_specs(to));
}

// Puts the data plane back to `state` after a failed change. It was running before, so this
// only fails if the machine changed under us (an interface removed); then say so loudly.
void roll_back(dp::Dataplane& dataplane, const Config& failed, const Config& state) {
  if (dp::DpStatus st = apply_diff(dataplane, failed, state); !st.ok())
    fprintf(stderr, "nodeplane: could not restore the previous state: %s\n", st.message().c_str());
}

}  // namespace

Controller::Controller(dp::Dataplane& dataplane, Config current)
    : dataplane_(dataplane), state_(std::move(current)) {}

Status Controller::commit(Config desired) {
  if (Status st = validate_config(desired); !st.is_ok()) return st;
  if (dp::DpStatus st = apply_diff(dataplane_, state_, desired); !st.ok()) {
    // A device refused (an interface that does not exist, a socket path in use): go back.
    roll_back(dataplane_, desired, state_);
    return {StatusCode::kFailedPrecondition, st.message()};
  }
  if (Status st = save_state(desired); !st.is_ok()) {
    roll_back(dataplane_, desired, state_);
    return st;
  }
  state_ = std::move(desired);
  return Status::ok();
}

Status Controller::add_port(const PortConfig& port) {
  Config desired = state_;
  replace_or_append(desired.ports, port, [&](const PortConfig& p) { return p.name == port.name; });
  return commit(std::move(desired));
}

Status Controller::delete_port(const std::string& name, bool& deleted) {
  Config desired = state_;
  deleted = erase_matching(desired.ports, [&](const PortConfig& p) { return p.name == name; });
  if (!deleted) return Status::ok();
  for (BridgeDomainConfig& d : desired.bridge_domains) {
    erase_matching(d.ports, [&](const std::string& p) { return p == name; });
    erase_matching(d.static_macs, [&](const StaticMacConfig& s) { return s.port == name; });
  }
  return commit(std::move(desired));
}

Status Controller::add_bridge_domain(const BridgeDomainConfig& domain) {
  Config desired = state_;
  replace_or_append(desired.bridge_domains, domain,
                    [&](const BridgeDomainConfig& d) { return d.id == domain.id; });
  return commit(std::move(desired));
}

Status Controller::delete_bridge_domain(uint32_t id, bool& deleted) {
  Config desired = state_;
  deleted = erase_matching(desired.bridge_domains,
                           [&](const BridgeDomainConfig& d) { return d.id == id; });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::add_static_mac(uint32_t domain_id, const StaticMacConfig& mac) {
  Config desired = state_;
  auto domain = std::find_if(desired.bridge_domains.begin(), desired.bridge_domains.end(),
                             [&](const BridgeDomainConfig& d) { return d.id == domain_id; });
  if (domain == desired.bridge_domains.end())
    return {StatusCode::kNotFound,
            "bridge_domain: " + std::to_string(domain_id) + " does not exist"};
  replace_or_append(domain->static_macs, mac,
                    [&](const StaticMacConfig& s) { return s.mac == mac.mac; });
  return commit(std::move(desired));
}

Status Controller::delete_static_mac(uint32_t domain_id, const MacAddress& mac, bool& deleted) {
  Config desired = state_;
  deleted = false;
  for (BridgeDomainConfig& d : desired.bridge_domains)
    if (d.id == domain_id)
      deleted =
          erase_matching(d.static_macs, [&](const StaticMacConfig& s) { return s.mac == mac; });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

}  // namespace np::control
