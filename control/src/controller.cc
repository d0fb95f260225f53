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
    spec.ports.erase(std::remove_if(spec.ports.begin(), spec.ports.end(), leaving),
                     spec.ports.end());
    spec.static_macs.erase(std::remove_if(spec.static_macs.begin(), spec.static_macs.end(),
                                          [&](const dp::StaticMac& s) { return leaving(s.port); }),
                           spec.static_macs.end());
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
  auto it = std::find_if(desired.ports.begin(), desired.ports.end(),
                         [&](const PortConfig& p) { return p.name == port.name; });
  if (it != desired.ports.end())
    *it = port;
  else
    desired.ports.push_back(port);
  return commit(std::move(desired));
}

Status Controller::delete_port(const std::string& name, bool& deleted) {
  Config desired = state_;
  const size_t before = desired.ports.size();
  desired.ports.erase(std::remove_if(desired.ports.begin(), desired.ports.end(),
                                     [&](const PortConfig& p) { return p.name == name; }),
                      desired.ports.end());
  deleted = desired.ports.size() != before;
  if (!deleted) return Status::ok();
  for (BridgeDomainConfig& d : desired.bridge_domains) {
    d.ports.erase(std::remove(d.ports.begin(), d.ports.end(), name), d.ports.end());
    d.static_macs.erase(std::remove_if(d.static_macs.begin(), d.static_macs.end(),
                                       [&](const StaticMacConfig& s) { return s.port == name; }),
                        d.static_macs.end());
  }
  return commit(std::move(desired));
}

Status Controller::add_bridge_domain(const BridgeDomainConfig& domain) {
  Config desired = state_;
  auto it = std::find_if(desired.bridge_domains.begin(), desired.bridge_domains.end(),
                         [&](const BridgeDomainConfig& d) { return d.id == domain.id; });
  if (it != desired.bridge_domains.end())
    *it = domain;
  else
    desired.bridge_domains.push_back(domain);
  return commit(std::move(desired));
}

Status Controller::delete_bridge_domain(uint32_t id, bool& deleted) {
  Config desired = state_;
  const size_t before = desired.bridge_domains.size();
  desired.bridge_domains.erase(
      std::remove_if(desired.bridge_domains.begin(), desired.bridge_domains.end(),
                     [&](const BridgeDomainConfig& d) { return d.id == id; }),
      desired.bridge_domains.end());
  deleted = desired.bridge_domains.size() != before;
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::add_static_mac(uint32_t domain_id, const StaticMacConfig& mac) {
  Config desired = state_;
  auto domain = std::find_if(desired.bridge_domains.begin(), desired.bridge_domains.end(),
                             [&](const BridgeDomainConfig& d) { return d.id == domain_id; });
  if (domain == desired.bridge_domains.end())
    return {StatusCode::kNotFound,
            "bridge_domain: " + std::to_string(domain_id) + " does not exist"};
  auto& macs = domain->static_macs;
  auto it = std::find_if(macs.begin(), macs.end(),
                         [&](const StaticMacConfig& s) { return s.mac == mac.mac; });
  if (it != macs.end())
    *it = mac;
  else
    macs.push_back(mac);
  return commit(std::move(desired));
}

Status Controller::delete_static_mac(uint32_t domain_id, const MacAddress& mac, bool& deleted) {
  Config desired = state_;
  deleted = false;
  for (BridgeDomainConfig& d : desired.bridge_domains) {
    if (d.id != domain_id) continue;
    const size_t before = d.static_macs.size();
    d.static_macs.erase(std::remove_if(d.static_macs.begin(), d.static_macs.end(),
                                       [&](const StaticMacConfig& s) { return s.mac == mac; }),
                        d.static_macs.end());
    deleted = d.static_macs.size() != before;
  }
  return deleted ? commit(std::move(desired)) : Status::ok();
}

}  // namespace np::control
