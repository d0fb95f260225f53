#include "np/control/config_validate.h"

#include <map>
#include <set>
#include <string>

#include "np/control/config_rules.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace {

bool is_unicast(const MacAddress& mac) { return (mac[0] & 1) == 0 && mac != MacAddress{}; }

Status port_error(const PortConfig& port, const std::string& message) {
  return invalid_argument("port '" + port.name + "': " + message);
}

// The value of the key a port type takes, by the key's name.
bool port_has_value(const PortConfig& port, std::string_view key) {
  if (key == "socket") return !port.socket.empty();
  if (key == "client") return port.client;
  if (key == "iface") return !port.iface.empty();
  if (key == "device") return !port.device.empty();
  if (key == "path") return !port.path.empty();
  return false;
}

Status validate_port(const PortConfig& port) {
  if (!is_port_name(port.name))
    return invalid_argument("port: name: '" + port.name + "' is not 1-" +
                            std::to_string(kMaxPortNameSize) + " characters of A-Z a-z 0-9 _ . -");
  for (const char* key : {"socket", "client", "iface", "device", "path"})
    if (port_has_value(port, key) && !port_type_has_key(port.type, key))
      return port_error(
          port, std::string(key) + ": not valid for " + port_type_name(port.type) + " ports");
  if (const char* required = port_type_required_key(port.type);
      required && !port_has_value(port, required))
    return port_error(
        port, std::string(required) + ": required for " + port_type_name(port.type) + " ports");
  if (!port.socket.empty() && !is_unix_socket_path(port.socket))
    return port_error(port, "socket: '" + port.socket + "' is not an absolute path of at most " +
                                std::to_string(kMaxUnixPathSize) + " bytes");
  if (!port.iface.empty() && !is_iface_name(port.iface))
    return port_error(port, "iface: '" + port.iface + "' is not a valid interface name");
  if (!port.device.empty() && !is_pci_address(port.device))
    return port_error(port, "device: '" + port.device + "' is not a PCI address");
  if (!port.path.empty() && port.path.front() != '/')
    return port_error(port, "path: '" + port.path + "' is not an absolute path");
  if (port.queues < 1 || port.queues > kMaxQueues)
    return port_error(port, "queues: must be 1.." + std::to_string(kMaxQueues) + ", got " +
                                std::to_string(port.queues));
  if (port.mtu && (*port.mtu < kMinMtu || *port.mtu > kMaxMtu))
    return port_error(port, "mtu: must be " + std::to_string(kMinMtu) + ".." +
                                std::to_string(kMaxMtu) + ", got " + std::to_string(*port.mtu));
  if (port.mac && !is_unicast(*port.mac))
    return port_error(port, "mac: " + format_mac(*port.mac) + " is not a unicast address");
  return Status::ok();
}

Status validate_domain(const BridgeDomainConfig& domain, const std::set<std::string>& port_names,
                       std::map<std::string, uint32_t>& port_domain) {
  const std::string what = "bridge domain " + std::to_string(domain.id) + ": ";
  if (domain.id < 1 || domain.id > kMaxBridgeDomainId)
    return invalid_argument("bridge domain: id: must be 1.." + std::to_string(kMaxBridgeDomainId) +
                            ", got " + std::to_string(domain.id));
  for (const std::string& port : domain.ports) {
    if (!port_names.count(port))
      return {StatusCode::kNotFound, what + "ports: port '" + port + "' does not exist"};
    auto [it, fresh] = port_domain.emplace(port, domain.id);
    if (!fresh)
      return {StatusCode::kFailedPrecondition, what + "ports: port '" + port +
                                                   "' is already in bridge domain " +
                                                   std::to_string(it->second)};
  }
  if (domain.aging_s != 0 && (domain.aging_s < kMinAgingS || domain.aging_s > kMaxAgingS))
    return invalid_argument(what + "aging_s: must be 0 or " + std::to_string(kMinAgingS) + ".." +
                            std::to_string(kMaxAgingS) + ", got " + std::to_string(domain.aging_s));
  if (domain.max_macs > kMaxMacLimit)
    return invalid_argument(what + "max_macs: must be at most " + std::to_string(kMaxMacLimit));
  std::set<MacAddress> statics;
  for (const StaticMacConfig& s : domain.static_macs) {
    const std::string mac = format_mac(s.mac);
    if (!is_unicast(s.mac))
      return invalid_argument(what + "static_macs: " + mac + " is not a unicast address");
    if (!statics.insert(s.mac).second)
      return invalid_argument(what + "static_macs: " + mac + " is listed twice");
    if (std::find(domain.ports.begin(), domain.ports.end(), s.port) == domain.ports.end())
      return {StatusCode::kFailedPrecondition,
              what + "static_macs: " + mac + ": port '" + s.port + "' is not a member"};
  }
  return Status::ok();
}

}  // namespace

Status validate_config(const Config& config) {
  std::set<std::string> names, sockets, ifaces;
  for (const PortConfig& port : config.ports) {
    if (Status st = validate_port(port); !st.is_ok()) return st;
    if (!names.insert(port.name).second)
      return port_error(port, "name: a port of that name exists");
    if (!port.socket.empty() && !sockets.insert(port.socket).second)
      return port_error(port, "socket: " + port.socket + " is used by another port");
    if (!port.iface.empty() && !ifaces.insert(port.iface).second)
      return port_error(port, "iface: " + port.iface + " is used by another port");
  }
  std::set<uint32_t> ids;
  std::map<std::string, uint32_t> port_domain;
  for (const BridgeDomainConfig& domain : config.bridge_domains) {
    if (Status st = validate_domain(domain, names, port_domain); !st.is_ok()) return st;
    if (!ids.insert(domain.id).second)
      return invalid_argument("bridge domain " + std::to_string(domain.id) + ": id: listed twice");
  }
  return Status::ok();
}

}  // namespace np::control
