// Loads the YAML config file into Config and checks the rules of SPEC.md, "Configuration".
//
// The loader stops at the first error. Inside this file an error is thrown as a LoadError and
// caught in load_config_text beside yaml-cpp's parser exception, so that each reader below is a
// straight line of checks. Neither leaves this file.
#include "np/control/config_loader.h"

#include <net/if.h>
#include <sys/un.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "np/control/config_rules.h"
#include "np/control/config_validate.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace {

struct LoadError {
  SourceMark mark;
  std::string message;
};

SourceMark source_mark(const YAML::Mark& mark) {
  if (mark.is_null()) return {1, 1};
  return {mark.line + 1, mark.column + 1};
}

[[noreturn]] void fail(const YAML::Node& at, std::string message) {
  throw LoadError{source_mark(at.Mark()), std::move(message)};
}

Status error_at(const std::string& file_name, SourceMark mark, const std::string& message) {
  return invalid_argument(file_name + ":" + std::to_string(mark.line) + ":" +
                          std::to_string(mark.column) + ": " + message);
}

std::string quote(std::string_view text) { return "'" + std::string(text) + "'"; }

const char* kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "null";
  }
}

void expect_map(const YAML::Node& node, const std::string& label) {
  if (!node.IsMap()) fail(node, label + ": expected a map, got " + kind_name(node));
}

void expect_list(const YAML::Node& node, std::string_view key) {
  if (!node.IsSequence()) fail(node, quote(key) + ": expected a list, got " + kind_name(node));
}

// Fails if `port` (read from `node`) reuses the name, vhost-user socket or kernel interface of
// `other`.
void check_distinct(const PortConfig& other, const PortConfig& port, const YAML::Node& node) {
  if (port.name == other.name) {
    fail(node["name"], "duplicate port name " + quote(port.name) + " (first defined at line " +
                           std::to_string(other.mark.line) + ")");
  }
  if (!port.socket.empty() && port.socket == other.socket) {
    fail(node["socket"],
         "'socket': " + quote(port.socket) + " is already used by port " + quote(other.name));
  }
  if (!port.iface.empty() && port.iface == other.iface) {
    fail(node["iface"],
         "'iface': " + quote(port.iface) + " is already used by port " + quote(other.name));
  }
}

class Loader {
 public:
  explicit Loader(const std::string& text) : text_(text) {}

  Config load(const YAML::Node& root) const;

 private:
  bool is_literal_null(const YAML::Node& node) const;
  void check_keys(const YAML::Node& map, const std::string& where,
                  std::initializer_list<std::string_view> allowed) const;

  // Readers of single values: each fails with a message naming `key`.
  std::string scalar_text(const YAML::Node& node, std::string_view key, const char* expected) const;
  std::string read_string(const YAML::Node& node, std::string_view key) const;
  std::string read_absolute_path(const YAML::Node& node, std::string_view key) const;
  uint64_t read_uint(const YAML::Node& node, std::string_view key, uint64_t min,
                     uint64_t max) const;
  bool read_bool(const YAML::Node& node, std::string_view key) const;
  MacAddress read_unicast_mac(const YAML::Node& node, std::string_view key) const;
  PortType read_port_type(const YAML::Node& node) const;
  uint32_t read_ipv4(const YAML::Node& node, std::string_view key) const;
  // An IPv4 address a host can have (not 0/8, loopback, multicast or reserved).
  uint32_t read_host_ipv4(const YAML::Node& node, std::string_view key) const;
  // "A.B.C.D/LEN" with LEN in min_len..32; host bits may be set.
  void read_prefix(const YAML::Node& node, std::string_view key, uint8_t min_len, uint32_t& addr,
                   uint8_t& len) const;

  // Readers of sections.
  void load_listen(const YAML::Node& section, const char* section_name,
                   bool (*valid)(std::string_view), const char* expected,
                   std::string& listen) const;
  DpdkConfig load_dpdk(const YAML::Node& node) const;
  std::vector<unsigned> load_lcore_list(const YAML::Node& node, std::string_view key) const;
  std::vector<PortConfig> load_ports(const YAML::Node& node) const;
  PortConfig load_port(const YAML::Node& node, const std::string& label) const;
  void load_port_type_key(const YAML::Node& key, const YAML::Node& value, PortConfig& port) const;
  PortSecurityConfig load_port_security(const YAML::Node& node, const std::string& where) const;
  // Unset when the map is empty.
  std::optional<PortAttachmentConfig> load_port_attachment(const YAML::Node& node,
                                                           const std::string& where) const;
  std::vector<BridgeDomainConfig> load_bridge_domains(const YAML::Node& node,
                                                      const std::vector<PortConfig>& ports) const;
  BridgeDomainConfig load_bridge_domain(const YAML::Node& node, const std::string& label,
                                        const std::vector<PortConfig>& ports) const;
  StaticMacConfig load_static_mac(const YAML::Node& node, const std::string& label,
                                  const BridgeDomainConfig& domain) const;
  std::vector<InterfaceConfig> load_interfaces(const YAML::Node& node) const;
  InterfaceConfig load_interface(const YAML::Node& node, const std::string& label) const;
  std::vector<RouteConfig> load_routes(const YAML::Node& node) const;
  RouteConfig load_route(const YAML::Node& node, const std::string& label) const;
  std::vector<NeighborConfig> load_neighbors(const YAML::Node& node) const;
  NeighborConfig load_neighbor(const YAML::Node& node, const std::string& label) const;
  VxlanNextHopConfig load_vxlan_next_hop(const YAML::Node& node, const std::string& label) const;
  VxlanConfig load_vxlan(const YAML::Node& node) const;
  VxlanTunnelConfig load_vxlan_tunnel(const YAML::Node& node, const std::string& label) const;
  VxlanStaticMacConfig load_vxlan_static_mac(const YAML::Node& node,
                                             const std::string& label) const;
  ConntrackConfig load_conntrack(const YAML::Node& node) const;
  void load_node_port_range(const YAML::Node& node, Config& config) const;
  std::vector<ServiceConfig> load_services(const YAML::Node& node) const;
  ServiceConfig load_service(const YAML::Node& node, const std::string& label) const;
  BackendConfig load_backend(const YAML::Node& node, const std::string& label) const;

  const std::string& text_;
};

// yaml-cpp reports a plain `null` as a null node and drops its text, but `null` is a port type
// (and may be a name), so look for the word in the source.
bool Loader::is_literal_null(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (!node.IsNull() || mark.is_null() || static_cast<size_t>(mark.pos) >= text_.size()) {
    return false;
  }
  const std::string_view rest = std::string_view(text_).substr(mark.pos);
  for (std::string_view word : {"null", "Null", "NULL"}) {
    if (rest.substr(0, word.size()) != word) continue;
    if (rest.size() == word.size() ||
        contains(std::string_view(" \t\r\n,]}#"), rest[word.size()])) {
      return true;
    }
  }
  return false;
}

// Fails on a key that is not a name, appears twice, is not in `allowed` or has no value; `where`
// names the map in messages ("in dpdk"). An empty value is reported here, at its key, because
// yaml-cpp marks it at whatever token follows.
void Loader::check_keys(const YAML::Node& map, const std::string& where,
                        std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> seen;
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) fail(key, "expected a key name " + where + ", got " + kind_name(key));
    const std::string& name = key.Scalar();
    if (contains(seen, name)) fail(key, "duplicate key " + quote(name) + " " + where);
    if (!contains(allowed, name)) fail(key, "unknown key " + quote(name) + " " + where);
    if (entry.second.IsNull() && !is_literal_null(entry.second)) {
      fail(key, quote(name) + " has no value");
    }
    seen.push_back(name);
  }
}

std::string Loader::scalar_text(const YAML::Node& node, std::string_view key,
                                const char* expected) const {
  if (node.IsScalar()) return node.Scalar();
  if (is_literal_null(node)) return "null";
  fail(node, quote(key) + ": expected " + expected + ", got " + kind_name(node));
}

std::string Loader::read_string(const YAML::Node& node, std::string_view key) const {
  std::string text = scalar_text(node, key, "a string");
  if (text.empty()) fail(node, quote(key) + ": must not be empty");
  return text;
}

std::string Loader::read_absolute_path(const YAML::Node& node, std::string_view key) const {
  std::string path = read_string(node, key);
  if (path.front() != '/') fail(node, quote(key) + ": " + quote(path) + " is not an absolute path");
  return path;
}

uint64_t Loader::read_uint(const YAML::Node& node, std::string_view key, uint64_t min,
                           uint64_t max) const {
  const std::string text = scalar_text(node, key, "an unsigned integer");
  uint64_t value = 0;
  if (!parse_decimal(text, value)) {
    if (text.size() > 1 && text[0] == '-' && parse_decimal(text.substr(1), value)) {
      fail(node, quote(key) + ": must not be negative, got " + text);
    }
    fail(node, quote(key) + ": expected an unsigned integer, got " + quote(text));
  }
  if (value < min || value > max) {
    fail(node, quote(key) + ": " + text + " is out of range (" + std::to_string(min) + ".." +
                   std::to_string(max) + ")");
  }
  return value;
}

// YAML 1.2's spellings only: `yes`, `on` and the like are errors rather than guesses.
bool Loader::read_bool(const YAML::Node& node, std::string_view key) const {
  const std::string text = scalar_text(node, key, "true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail(node, quote(key) + ": expected true or false, got " + quote(text));
}

MacAddress Loader::read_unicast_mac(const YAML::Node& node, std::string_view key) const {
  const std::string text = read_string(node, key);
  MacAddress mac{};
  if (!parse_mac(text, mac)) {
    fail(node,
         quote(key) + ": " + quote(text) + " is not a MAC address (expected xx:xx:xx:xx:xx:xx)");
  }
  if (mac[0] & 1) fail(node, quote(key) + ": " + text + " is a multicast address, not unicast");
  if (mac == MacAddress{}) fail(node, quote(key) + ": the all-zero address is not allowed");
  return mac;
}

PortType Loader::read_port_type(const YAML::Node& node) const {
  const std::string text = read_string(node, "type");
  for (PortType type : kPortTypes) {
    if (text == port_type_name(type)) return type;
  }
  fail(node, "'type': unknown port type " + quote(text) + " (expected " + port_type_list() + ")");
}

uint32_t Loader::read_ipv4(const YAML::Node& node, std::string_view key) const {
  const std::string text = read_string(node, key);
  uint32_t addr = 0;
  if (!parse_ipv4(text, addr)) {
    fail(node, quote(key) + ": " + quote(text) + " is not an IPv4 address (expected A.B.C.D)");
  }
  return addr;
}

uint32_t Loader::read_host_ipv4(const YAML::Node& node, std::string_view key) const {
  const uint32_t addr = read_ipv4(node, key);
  if (!is_host_address(addr)) {
    fail(node, quote(key) + ": " + format_ipv4(addr) + " is not a unicast host address");
  }
  return addr;
}

void Loader::read_prefix(const YAML::Node& node, std::string_view key, uint8_t min_len,
                         uint32_t& addr, uint8_t& len) const {
  const std::string text = read_string(node, key);
  if (std::string problem = parse_ipv4_prefix(text, min_len, addr, len); !problem.empty()) {
    fail(node, quote(key) + ": " + problem);
  }
}

Config Loader::load(const YAML::Node& root) const {
  if (root.IsNull()) fail(root, "missing required key 'dpdk' (the file is empty)");
  if (!root.IsMap()) fail(root, std::string("expected a map of keys, got ") + kind_name(root));
  check_keys(
      root, "at the top level",
      {"node", "dpdk", "api", "metrics", "state_dir", "ports", "bridge_domains", "interfaces",
       "routes", "neighbors", "vxlan", "conntrack", "node_port_range", "services"});

  Config config;
  if (const YAML::Node node = root["node"]) {
    expect_map(node, "'node'");
    check_keys(node, "in node", {"name"});
    if (const YAML::Node name = node["name"]) config.node_name = read_string(name, "name");
  }
  const YAML::Node dpdk = root["dpdk"];
  if (!dpdk) fail(root, "missing required key 'dpdk'");
  config.dpdk = load_dpdk(dpdk);
  if (const YAML::Node api = root["api"]) {
    load_listen(api, "api", is_api_address,
                "unix:///ABSOLUTE/PATH or tcp://HOST:PORT with HOST 127.0.0.1, localhost or [::1]",
                config.api_listen);
  }
  if (const YAML::Node metrics = root["metrics"]) {
    load_listen(metrics, "metrics", is_metrics_address, "IP:PORT", config.metrics_listen);
  }
  if (const YAML::Node state_dir = root["state_dir"]) {
    config.state_dir = read_absolute_path(state_dir, "state_dir");
  }
  if (const YAML::Node ports = root["ports"]) config.ports = load_ports(ports);
  if (const YAML::Node domains = root["bridge_domains"]) {
    config.bridge_domains = load_bridge_domains(domains, config.ports);
  }
  if (const YAML::Node interfaces = root["interfaces"]) {
    config.interfaces = load_interfaces(interfaces);
  }
  if (const YAML::Node routes = root["routes"]) config.routes = load_routes(routes);
  if (const YAML::Node neighbors = root["neighbors"]) config.neighbors = load_neighbors(neighbors);
  if (const YAML::Node vxlan = root["vxlan"]) config.vxlan = load_vxlan(vxlan);
  if (const YAML::Node conntrack = root["conntrack"]) config.conntrack = load_conntrack(conntrack);
  if (const YAML::Node range = root["node_port_range"]) load_node_port_range(range, config);
  if (const YAML::Node services = root["services"]) config.services = load_services(services);
  // The rules between entries (references, overlaps) are the API's, at the entry at fault.
  SourceMark where;
  if (Status st = validate_l3(config, &where); !st.is_ok()) throw LoadError{where, st.message()};
  if (Status st = validate_services(config, &where); !st.is_ok()) {
    throw LoadError{where, st.message()};
  }
  return config;
}

// Reads `listen` from the map `section`, when present, into `listen`.
void Loader::load_listen(const YAML::Node& section, const char* section_name,
                         bool (*valid)(std::string_view), const char* expected,
                         std::string& listen) const {
  expect_map(section, quote(section_name));
  check_keys(section, std::string("in ") + section_name, {"listen"});
  const YAML::Node value = section["listen"];
  if (!value) return;
  std::string text = read_string(value, "listen");
  if (!valid(text)) {
    fail(value, "'listen': " + quote(text) + " is not a valid address (expected " + expected + ")");
  }
  listen = std::move(text);
}

DpdkConfig Loader::load_dpdk(const YAML::Node& node) const {
  expect_map(node, "'dpdk'");
  check_keys(
      node, "in dpdk",
      {"lcores", "workers", "memory_mb", "file_prefix", "huge", "extra_args", "idle_sleep_max_us"});
  DpdkConfig dpdk;
  dpdk.mark = source_mark(node.Mark());
  if (const YAML::Node lcores = node["lcores"]) dpdk.lcores = load_lcore_list(lcores, "lcores");
  const YAML::Node workers = node["workers"];
  if (workers) dpdk.workers = load_lcore_list(workers, "workers");
  for (size_t i = 0; i < dpdk.workers.size(); ++i) {
    // Default workers have no node of their own; point at the dpdk map instead.
    const YAML::Node at = workers ? workers[i] : node;
    const std::string what = workers ? "'workers'" : "'workers' (not given, so the default)";
    const std::string lcore = "lcore " + std::to_string(dpdk.workers[i]);
    if (dpdk.workers[i] == dpdk.lcores.front()) {
      fail(at, what + ": " + lcore + " is the main lcore (the first in 'lcores'), not a worker");
    }
    if (!contains(dpdk.lcores, dpdk.workers[i])) {
      fail(at, what + ": " + lcore + " is not in 'lcores'");
    }
  }
  if (const YAML::Node memory = node["memory_mb"]) {
    dpdk.memory_mb =
        static_cast<unsigned>(read_uint(memory, "memory_mb", kMinMemoryMb, kMaxMemoryMb));
  }
  if (const YAML::Node prefix = node["file_prefix"]) {
    dpdk.file_prefix = read_string(prefix, "file_prefix");
    if (!is_file_prefix(dpdk.file_prefix)) {
      fail(prefix, "'file_prefix': " + quote(dpdk.file_prefix) + " may hold only A-Z a-z 0-9 _ -");
    }
  }
  if (const YAML::Node huge = node["huge"]) dpdk.huge = read_bool(huge, "huge");
  if (const YAML::Node args = node["extra_args"]) {
    expect_list(args, "extra_args");
    for (const YAML::Node& arg : args) dpdk.extra_args.push_back(read_string(arg, "extra_args"));
  }
  if (const YAML::Node sleep = node["idle_sleep_max_us"]) {
    dpdk.idle_sleep_max_us =
        static_cast<unsigned>(read_uint(sleep, "idle_sleep_max_us", 0, kMaxIdleSleepUs));
  }
  return dpdk;
}

std::vector<unsigned> Loader::load_lcore_list(const YAML::Node& node, std::string_view key) const {
  expect_list(node, key);
  if (node.size() == 0) fail(node, quote(key) + ": must not be empty");
  std::vector<unsigned> lcores;
  for (const YAML::Node& item : node) {
    const auto lcore = static_cast<unsigned>(read_uint(item, key, 0, kMaxLcore));
    if (contains(lcores, lcore)) {
      fail(item, quote(key) + ": lcore " + std::to_string(lcore) + " is listed twice");
    }
    lcores.push_back(lcore);
  }
  return lcores;
}

std::vector<PortConfig> Loader::load_ports(const YAML::Node& node) const {
  expect_list(node, "ports");
  std::vector<PortConfig> ports;
  for (const YAML::Node& item : node) {
    if (ports.size() == kMaxPorts) fail(item, too_many_ports());
    PortConfig port = load_port(item, "ports[" + std::to_string(ports.size()) + "]");
    for (const PortConfig& other : ports) check_distinct(other, port, item);
    ports.push_back(std::move(port));
  }
  return ports;
}

PortConfig Loader::load_port(const YAML::Node& node, const std::string& label) const {
  expect_map(node, label);
  const YAML::Node name = node["name"];
  const std::string where =
      name && name.IsScalar() ? "in port " + quote(name.Scalar()) : "in " + label;
  check_keys(node, where,
             {"name", "type", "queues", "mac", "mtu", "socket", "client", "iface", "device", "path",
              "security", "attachment"});
  if (!name) fail(node, "missing required key 'name' " + where);
  PortConfig port;
  port.mark = source_mark(node.Mark());
  port.name = read_string(name, "name");
  if (!is_port_name(port.name)) {
    fail(name, "'name': " + quote(port.name) +
                   " is not a valid port name (1 to 32 characters of A-Z a-z 0-9 _ . -)");
  }
  const YAML::Node type = node["type"];
  if (!type) fail(node, "missing required key 'type' " + where);
  port.type = read_port_type(type);

  for (const auto& entry : node) {
    const std::string& key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "queues") {
      port.queues = static_cast<unsigned>(read_uint(value, key, 1, kMaxQueues));
    } else if (key == "mac") {
      port.mac = read_unicast_mac(value, key);
    } else if (key == "mtu") {
      port.mtu = static_cast<unsigned>(read_uint(value, key, kMinMtu, kMaxMtu));
    } else if (key == "security") {
      port.security = load_port_security(value, "in security of port " + quote(port.name));
    } else if (key == "attachment") {
      port.attachment = load_port_attachment(value, "in attachment of port " + quote(port.name));
    } else if (key != "name" && key != "type") {
      load_port_type_key(entry.first, value, port);
    }
  }
  const char* required = port_type_required_key(port.type);
  if (required != nullptr && !node[required]) {
    fail(node, "missing required key " + quote(required) + " for " + port_type_name(port.type) +
                   " port " + quote(port.name));
  }
  return port;
}

// Reads one of the keys that only some port types take.
void Loader::load_port_type_key(const YAML::Node& key, const YAML::Node& value,
                                PortConfig& port) const {
  const std::string& name = key.Scalar();
  if (!port_type_has_key(port.type, name)) {
    fail(key, quote(name) + " is not valid for " + port_type_name(port.type) + " port " +
                  quote(port.name));
  }
  if (name == "socket") {
    port.socket = read_absolute_path(value, name);
    if (!is_unix_socket_path(port.socket)) {
      fail(value, "'socket': path is longer than " + std::to_string(kMaxUnixPathSize) +
                      " bytes, the limit of a unix socket");
    }
  } else if (name == "client") {
    port.client = read_bool(value, name);
  } else if (name == "iface") {
    port.iface = read_string(value, name);
    if (!is_iface_name(port.iface)) {
      fail(value, "'iface': " + quote(port.iface) +
                      " is not a valid interface name (1 to 15 characters, no '/', ':' or "
                      "whitespace)");
    }
  } else if (name == "device") {
    port.device = read_string(value, name);
    if (!is_pci_address(port.device)) {
      fail(value, "'device': " + quote(port.device) +
                      " is not a PCI address (expected 0000:00:04.0 or 00:04.0)");
    }
  } else {
    port.path = read_absolute_path(value, name);
  }
}

PortSecurityConfig Loader::load_port_security(const YAML::Node& node,
                                              const std::string& where) const {
  expect_map(node, "'security'");
  check_keys(node, where, {"mac", "ips"});
  for (const char* key : {"mac", "ips"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  PortSecurityConfig security;
  security.mac = read_unicast_mac(node["mac"], "mac");
  const YAML::Node ips = node["ips"];
  expect_list(ips, "ips");
  if (ips.size() == 0 || ips.size() > kMaxPortSecurityIps) {
    fail(ips, "'ips': 1 to " + std::to_string(kMaxPortSecurityIps) + " addresses, got " +
                  std::to_string(ips.size()));
  }
  for (const YAML::Node& item : ips) {
    const uint32_t ip = read_host_ipv4(item, "ips");
    if (contains(security.ips, ip)) fail(item, "'ips': " + format_ipv4(ip) + " is listed twice");
    security.ips.push_back(ip);
  }
  return security;
}

std::optional<PortAttachmentConfig> Loader::load_port_attachment(const YAML::Node& node,
                                                                 const std::string& where) const {
  expect_map(node, "'attachment'");
  check_keys(node, where, {"network", "container_id", "ifname"});
  PortAttachmentConfig attachment;
  const std::pair<const char*, std::string*> fields[] = {{"network", &attachment.network},
                                                         {"container_id", &attachment.container_id},
                                                         {"ifname", &attachment.ifname}};
  for (const auto& [key, value] : fields) {
    const YAML::Node item = node[key];
    if (!item) continue;
    *value = read_string(item, key);
    if (value->size() > kMaxAttachmentFieldSize) {
      fail(item,
           quote(key) + ": longer than " + std::to_string(kMaxAttachmentFieldSize) + " bytes");
    }
  }
  if (attachment == PortAttachmentConfig{}) return std::nullopt;
  return attachment;
}

std::vector<BridgeDomainConfig> Loader::load_bridge_domains(
    const YAML::Node& node, const std::vector<PortConfig>& ports) const {
  expect_list(node, "bridge_domains");
  std::vector<BridgeDomainConfig> domains;
  std::map<std::string, uint32_t> domain_of_port;
  for (const YAML::Node& item : node) {
    const std::string label = "bridge_domains[" + std::to_string(domains.size()) + "]";
    BridgeDomainConfig domain = load_bridge_domain(item, label, ports);
    for (const BridgeDomainConfig& other : domains) {
      if (other.id == domain.id) {
        fail(item["id"], "'id': bridge domain " + std::to_string(domain.id) +
                             " is already defined at line " + std::to_string(other.mark.line));
      }
    }
    for (size_t i = 0; i < domain.ports.size(); ++i) {
      const auto [owner, inserted] = domain_of_port.emplace(domain.ports[i], domain.id);
      if (!inserted) {
        fail(item["ports"][i], label + ".ports: port " + quote(domain.ports[i]) +
                                   " is already in bridge domain " + std::to_string(owner->second));
      }
    }
    domains.push_back(std::move(domain));
  }
  return domains;
}

BridgeDomainConfig Loader::load_bridge_domain(const YAML::Node& node, const std::string& label,
                                              const std::vector<PortConfig>& ports) const {
  expect_map(node, label);
  check_keys(node, "in " + label,
             {"id", "ports", "learning", "aging_s", "flood", "max_macs", "static_macs"});
  const YAML::Node id = node["id"];
  if (!id) fail(node, "missing required key 'id' in " + label);
  BridgeDomainConfig domain;
  domain.mark = source_mark(node.Mark());
  domain.id = static_cast<uint32_t>(read_uint(id, "id", 1, kMaxBridgeDomainId));
  if (const YAML::Node members = node["ports"]) {
    expect_list(members, "ports");
    for (const YAML::Node& member : members) {
      std::string name = read_string(member, "ports");
      const bool exists = std::any_of(ports.begin(), ports.end(), [&name](const PortConfig& port) {
        return port.name == name;
      });
      if (!exists) fail(member, label + ".ports: port " + quote(name) + " does not exist");
      if (contains(domain.ports, name)) {
        fail(member, label + ".ports: port " + quote(name) + " is listed twice");
      }
      domain.ports.push_back(std::move(name));
    }
  }
  if (const YAML::Node learning = node["learning"]) {
    domain.learning = read_bool(learning, "learning");
  }
  if (const YAML::Node aging = node["aging_s"]) {
    const uint64_t aging_s = read_uint(aging, "aging_s", 0, UINT64_MAX);
    if (aging_s != 0 && (aging_s < kMinAgingS || aging_s > kMaxAgingS)) {
      fail(aging, "'aging_s': " + aging.Scalar() + " is out of range (0 to never age, else " +
                      std::to_string(kMinAgingS) + ".." + std::to_string(kMaxAgingS) + ")");
    }
    domain.aging_s = static_cast<uint32_t>(aging_s);
  }
  if (const YAML::Node flood = node["flood"]) domain.flood = read_bool(flood, "flood");
  if (const YAML::Node max_macs = node["max_macs"]) {
    domain.max_macs = static_cast<uint32_t>(read_uint(max_macs, "max_macs", 0, kMaxMacLimit));
  }
  if (const YAML::Node static_macs = node["static_macs"]) {
    expect_list(static_macs, "static_macs");
    for (const YAML::Node& item : static_macs) {
      const std::string item_label =
          label + ".static_macs[" + std::to_string(domain.static_macs.size()) + "]";
      domain.static_macs.push_back(load_static_mac(item, item_label, domain));
    }
  }
  return domain;
}

StaticMacConfig Loader::load_static_mac(const YAML::Node& node, const std::string& label,
                                        const BridgeDomainConfig& domain) const {
  expect_map(node, label);
  check_keys(node, "in " + label, {"mac", "port"});
  const YAML::Node mac = node["mac"];
  const YAML::Node port = node["port"];
  if (!mac) fail(node, "missing required key 'mac' in " + label);
  if (!port) fail(node, "missing required key 'port' in " + label);
  StaticMacConfig entry;
  entry.mark = source_mark(node.Mark());
  entry.mac = read_unicast_mac(mac, "mac");
  for (const StaticMacConfig& other : domain.static_macs) {
    if (other.mac == entry.mac) {
      fail(mac, "'mac': " + format_mac(entry.mac) + " is already a static MAC of bridge domain " +
                    std::to_string(domain.id) + " (line " + std::to_string(other.mark.line) + ")");
    }
  }
  entry.port = read_string(port, "port");
  if (!contains(domain.ports, entry.port)) {
    fail(port, "'port': port " + quote(entry.port) + " is not a member of bridge domain " +
                   std::to_string(domain.id));
  }
  return entry;
}

std::vector<InterfaceConfig> Loader::load_interfaces(const YAML::Node& node) const {
  expect_list(node, "interfaces");
  std::vector<InterfaceConfig> interfaces;
  for (const YAML::Node& item : node) {
    InterfaceConfig interface =
        load_interface(item, "interfaces[" + std::to_string(interfaces.size()) + "]");
    for (const InterfaceConfig& other : interfaces) {
      if (other.name == interface.name) {
        fail(item["name"], "duplicate interface name " + quote(interface.name) +
                               " (first defined at line " + std::to_string(other.mark.line) + ")");
      }
    }
    interfaces.push_back(std::move(interface));
  }
  return interfaces;
}

InterfaceConfig Loader::load_interface(const YAML::Node& node, const std::string& label) const {
  expect_map(node, label);
  const YAML::Node name = node["name"];
  const std::string where =
      name && name.IsScalar() ? "in interface " + quote(name.Scalar()) : "in " + label;
  check_keys(node, where, {"name", "port", "bridge_domain", "ip", "mac"});
  if (!name) fail(node, "missing required key 'name' " + where);
  InterfaceConfig interface;
  interface.mark = source_mark(node.Mark());
  interface.name = read_string(name, "name");
  if (!is_port_name(interface.name)) {
    fail(name, "'name': " + quote(interface.name) +
                   " is not a valid interface name (1 to 32 characters of A-Z a-z 0-9 _ . -)");
  }
  const YAML::Node port = node["port"];
  const YAML::Node domain = node["bridge_domain"];
  if (port && domain) {
    fail(domain, "'port' and 'bridge_domain' are exclusive " + where +
                     " (a routed port, or the gateway of a bridge domain)");
  }
  if (!port && !domain) fail(node, "missing required key 'port' or 'bridge_domain' " + where);
  if (port) interface.port = read_string(port, "port");
  if (domain) {
    interface.bridge_domain =
        static_cast<uint32_t>(read_uint(domain, "bridge_domain", 1, kMaxBridgeDomainId));
  }
  const YAML::Node ip = node["ip"];
  if (!ip) fail(node, "missing required key 'ip' " + where);
  read_prefix(ip, "ip", 1, interface.ip, interface.prefix_len);
  if (const YAML::Node mac = node["mac"]) interface.mac = read_unicast_mac(mac, "mac");
  return interface;
}

std::vector<RouteConfig> Loader::load_routes(const YAML::Node& node) const {
  expect_list(node, "routes");
  std::vector<RouteConfig> routes;
  for (const YAML::Node& item : node) {
    RouteConfig route = load_route(item, "routes[" + std::to_string(routes.size()) + "]");
    for (const RouteConfig& other : routes) {
      if (other.prefix == route.prefix && other.prefix_len == route.prefix_len) {
        fail(item["prefix"], "'prefix': route " + format_prefix(route.prefix, route.prefix_len) +
                                 " is already defined at line " + std::to_string(other.mark.line));
      }
    }
    routes.push_back(std::move(route));
  }
  return routes;
}

RouteConfig Loader::load_route(const YAML::Node& node, const std::string& label) const {
  expect_map(node, label);
  const std::string where = "in " + label;
  check_keys(node, where, {"prefix", "via", "interface", "vxlan"});
  const YAML::Node prefix = node["prefix"];
  if (!prefix) fail(node, "missing required key 'prefix' " + where);
  RouteConfig route;
  route.mark = source_mark(node.Mark());
  read_prefix(prefix, "prefix", 0, route.prefix, route.prefix_len);
  if (std::string problem = host_bits_problem(route.prefix, route.prefix_len); !problem.empty()) {
    fail(prefix, "'prefix': " + problem);
  }
  const YAML::Node via = node["via"];
  const YAML::Node interface = node["interface"];
  const YAML::Node vxlan = node["vxlan"];
  if (via && interface) fail(interface, "'via' and 'interface' are exclusive " + where);
  if (vxlan && (via || interface)) {
    fail(vxlan, "'vxlan' and '" + std::string(via ? "via" : "interface") + "' are exclusive " +
                    where + " (a route goes through one VXLAN next hop, gateways or an interface)");
  }
  if (!via && !interface && !vxlan) {
    fail(node, "missing required key 'via', 'interface' or 'vxlan' " + where);
  }
  if (vxlan) {
    NextHopConfig hop;
    hop.mark = source_mark(vxlan.Mark());
    hop.vxlan = load_vxlan_next_hop(vxlan, label + ".vxlan");
    route.next_hops.push_back(std::move(hop));
    return route;
  }
  if (interface) {
    NextHopConfig hop;
    hop.mark = source_mark(interface.Mark());
    hop.interface = read_string(interface, "interface");
    route.next_hops.push_back(std::move(hop));
    return route;
  }
  std::vector<YAML::Node> gateways;
  if (via.IsSequence()) {
    if (via.size() == 0) fail(via, "'via': must not be empty");
    if (via.size() > kMaxNextHops) {
      fail(via, "'via': at most " + std::to_string(kMaxNextHops) + " next hops (ECMP), got " +
                    std::to_string(via.size()));
    }
    for (const YAML::Node& item : via) gateways.push_back(item);
  } else {
    gateways.push_back(via);
  }
  for (const YAML::Node& gateway : gateways) {
    NextHopConfig hop;
    hop.mark = source_mark(gateway.Mark());
    hop.via = read_ipv4(gateway, "via");
    if (hop.via == 0) fail(gateway, "'via': 0.0.0.0 is not a next hop");
    for (const NextHopConfig& other : route.next_hops) {
      if (other.via == hop.via) {
        fail(gateway, "'via': next hop " + format_ipv4(hop.via) + " is listed twice");
      }
    }
    route.next_hops.push_back(std::move(hop));
  }
  return route;
}

std::vector<NeighborConfig> Loader::load_neighbors(const YAML::Node& node) const {
  expect_list(node, "neighbors");
  std::vector<NeighborConfig> neighbors;
  for (const YAML::Node& item : node) {
    neighbors.push_back(load_neighbor(item, "neighbors[" + std::to_string(neighbors.size()) + "]"));
  }
  return neighbors;
}

NeighborConfig Loader::load_neighbor(const YAML::Node& node, const std::string& label) const {
  expect_map(node, label);
  const std::string where = "in " + label;
  check_keys(node, where, {"ip", "mac", "interface"});
  NeighborConfig neighbor;
  neighbor.mark = source_mark(node.Mark());
  for (const char* key : {"ip", "mac", "interface"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  neighbor.ip = read_ipv4(node["ip"], "ip");
  neighbor.mac = read_unicast_mac(node["mac"], "mac");
  neighbor.interface = read_string(node["interface"], "interface");
  return neighbor;
}

VxlanNextHopConfig Loader::load_vxlan_next_hop(const YAML::Node& node,
                                               const std::string& label) const {
  expect_map(node, label);
  const std::string where = "in " + label;
  check_keys(node, where, {"remote", "vni", "mac"});
  for (const char* key : {"remote", "vni", "mac"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  VxlanNextHopConfig hop;
  hop.remote = read_host_ipv4(node["remote"], "remote");
  hop.vni = static_cast<uint32_t>(read_uint(node["vni"], "vni", 1, kMaxVni));
  hop.mac = read_unicast_mac(node["mac"], "mac");
  return hop;
}

VxlanConfig Loader::load_vxlan(const YAML::Node& node) const {
  expect_map(node, "'vxlan'");
  check_keys(node, "in vxlan", {"local_ip", "port", "mac", "tunnels", "static_macs"});
  VxlanConfig vxlan;
  vxlan.mark = source_mark(node.Mark());
  const YAML::Node local_ip = node["local_ip"];
  if (!local_ip) fail(node, "missing required key 'local_ip' in vxlan");
  vxlan.local_ip_mark = source_mark(local_ip.Mark());
  vxlan.local_ip = read_host_ipv4(local_ip, "local_ip");
  if (const YAML::Node port = node["port"]) {
    vxlan.port = static_cast<uint32_t>(read_uint(port, "port", 1, kMaxTcpPort));
  }
  if (const YAML::Node mac = node["mac"]) vxlan.mac = read_unicast_mac(mac, "mac");
  if (const YAML::Node tunnels = node["tunnels"]) {
    expect_list(tunnels, "tunnels");
    for (const YAML::Node& item : tunnels) {
      VxlanTunnelConfig tunnel =
          load_vxlan_tunnel(item, "vxlan.tunnels[" + std::to_string(vxlan.tunnels.size()) + "]");
      for (const VxlanTunnelConfig& other : vxlan.tunnels) {
        if (other.vni == tunnel.vni) {
          fail(item["vni"], "'vni': VNI " + std::to_string(tunnel.vni) +
                                " is already defined at line " + std::to_string(other.mark.line));
        }
      }
      vxlan.tunnels.push_back(std::move(tunnel));
    }
  }
  if (const YAML::Node statics = node["static_macs"]) {
    expect_list(statics, "static_macs");
    for (const YAML::Node& item : statics) {
      VxlanStaticMacConfig entry = load_vxlan_static_mac(
          item, "vxlan.static_macs[" + std::to_string(vxlan.static_macs.size()) + "]");
      for (const VxlanStaticMacConfig& other : vxlan.static_macs) {
        if (other.vni == entry.vni && other.mac == entry.mac) {
          fail(item["mac"], "'mac': " + format_mac(entry.mac) + " is already a static MAC of VNI " +
                                std::to_string(entry.vni) + " (line " +
                                std::to_string(other.mark.line) + ")");
        }
      }
      vxlan.static_macs.push_back(entry);
    }
  }
  return vxlan;
}

VxlanTunnelConfig Loader::load_vxlan_tunnel(const YAML::Node& node,
                                            const std::string& label) const {
  expect_map(node, label);
  const std::string where = "in " + label;
  check_keys(node, where, {"vni", "bridge_domain", "remotes"});
  for (const char* key : {"vni", "bridge_domain"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  VxlanTunnelConfig tunnel;
  tunnel.mark = source_mark(node.Mark());
  tunnel.vni = static_cast<uint32_t>(read_uint(node["vni"], "vni", 1, kMaxVni));
  tunnel.bridge_domain = static_cast<uint32_t>(
      read_uint(node["bridge_domain"], "bridge_domain", 1, kMaxBridgeDomainId));
  if (const YAML::Node remotes = node["remotes"]) {
    expect_list(remotes, "remotes");
    if (remotes.size() > kMaxVxlanRemotes) {
      fail(remotes, "'remotes': at most " + std::to_string(kMaxVxlanRemotes) + ", got " +
                        std::to_string(remotes.size()));
    }
    for (const YAML::Node& item : remotes) {
      const uint32_t remote = read_host_ipv4(item, "remotes");
      if (contains(tunnel.remotes, remote)) {
        fail(item, "'remotes': " + format_ipv4(remote) + " is listed twice");
      }
      tunnel.remotes.push_back(remote);
    }
  }
  return tunnel;
}

VxlanStaticMacConfig Loader::load_vxlan_static_mac(const YAML::Node& node,
                                                   const std::string& label) const {
  expect_map(node, label);
  const std::string where = "in " + label;
  check_keys(node, where, {"vni", "mac", "remote"});
  for (const char* key : {"vni", "mac", "remote"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  VxlanStaticMacConfig entry;
  entry.mark = source_mark(node.Mark());
  entry.vni = static_cast<uint32_t>(read_uint(node["vni"], "vni", 1, kMaxVni));
  entry.mac = read_unicast_mac(node["mac"], "mac");
  entry.remote = read_host_ipv4(node["remote"], "remote");
  return entry;
}

ConntrackConfig Loader::load_conntrack(const YAML::Node& node) const {
  expect_map(node, "'conntrack'");
  check_keys(node, "in conntrack",
             {"max_flows", "tcp_syn_s", "tcp_established_s", "tcp_closing_s", "udp_s"});
  ConntrackConfig conntrack;
  conntrack.mark = source_mark(node.Mark());
  if (const YAML::Node max_flows = node["max_flows"]) {
    conntrack.max_flows = static_cast<uint32_t>(
        read_uint(max_flows, "max_flows", kMinConntrackFlows, kMaxConntrackFlows));
  }
  const std::pair<const char*, uint32_t*> timeouts[] = {
      {"tcp_syn_s", &conntrack.tcp_syn_s},
      {"tcp_established_s", &conntrack.tcp_established_s},
      {"tcp_closing_s", &conntrack.tcp_closing_s},
      {"udp_s", &conntrack.udp_s}};
  for (const auto& [key, value] : timeouts) {
    if (const YAML::Node timeout = node[key]) {
      *value = static_cast<uint32_t>(
          read_uint(timeout, key, kMinConntrackTimeoutS, kMaxConntrackTimeoutS));
    }
  }
  return conntrack;
}

// "MIN-MAX", both 1..65535, MIN <= MAX.
void Loader::load_node_port_range(const YAML::Node& node, Config& config) const {
  const std::string text = read_string(node, "node_port_range");
  const size_t dash = text.find('-');
  uint64_t min = 0, max = 0;
  if (dash == std::string::npos || !parse_decimal(text.substr(0, dash), min) ||
      !parse_decimal(text.substr(dash + 1), max)) {
    fail(node, "'node_port_range': expected MIN-MAX (e.g. 30000-32767), got " + quote(text));
  }
  for (uint64_t port : {min, max}) {
    if (port < 1 || port > kMaxTcpPort) {
      fail(node, "'node_port_range': " + std::to_string(port) + " is out of range (1.." +
                     std::to_string(kMaxTcpPort) + ")");
    }
  }
  if (min > max) {
    fail(node, "'node_port_range': MIN " + std::to_string(min) + " is greater than MAX " +
                   std::to_string(max));
  }
  config.node_port_min = static_cast<uint32_t>(min);
  config.node_port_max = static_cast<uint32_t>(max);
  config.node_port_range_mark = source_mark(node.Mark());
}

std::vector<ServiceConfig> Loader::load_services(const YAML::Node& node) const {
  expect_list(node, "services");
  std::vector<ServiceConfig> services;
  for (const YAML::Node& item : node) {
    ServiceConfig service = load_service(item, "services[" + std::to_string(services.size()) + "]");
    for (const ServiceConfig& other : services) {
      if (other.name == service.name) {
        fail(item["name"], "duplicate service name " + quote(service.name) +
                               " (first defined at line " + std::to_string(other.mark.line) + ")");
      }
    }
    services.push_back(std::move(service));
  }
  return services;
}

ServiceConfig Loader::load_service(const YAML::Node& node, const std::string& label) const {
  expect_map(node, label);
  const YAML::Node name = node["name"];
  const std::string where =
      name && name.IsScalar() ? "in service " + quote(name.Scalar()) : "in " + label;
  check_keys(node, where,
             {"name", "vip", "port", "protocol", "node_port", "affinity", "affinity_timeout_s",
              "backends"});
  for (const char* key : {"name", "vip", "port"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  ServiceConfig service;
  service.mark = source_mark(node.Mark());
  service.name = read_string(name, "name");
  if (!is_service_name(service.name)) {
    fail(name, "'name': " + quote(service.name) + " is not a Kubernetes name (1 to " +
                   std::to_string(kMaxServiceNameSize) +
                   " characters of a-z 0-9 -, starting and ending with a letter or digit)");
  }
  const YAML::Node vip = node["vip"];
  service.vip_mark = source_mark(vip.Mark());
  service.vip = read_host_ipv4(vip, "vip");
  service.port = static_cast<uint32_t>(read_uint(node["port"], "port", 1, kMaxTcpPort));
  if (const YAML::Node protocol = node["protocol"]) {
    const std::string text = read_string(protocol, "protocol");
    if (text == "tcp") {
      service.protocol = ServiceProtocol::kTcp;
    } else if (text == "udp") {
      service.protocol = ServiceProtocol::kUdp;
    } else {
      fail(protocol, "'protocol': expected tcp or udp, got " + quote(text));
    }
  }
  if (const YAML::Node node_port = node["node_port"]) {
    service.node_port_mark = source_mark(node_port.Mark());
    service.node_port = static_cast<uint32_t>(read_uint(node_port, "node_port", 1, kMaxTcpPort));
  }
  if (const YAML::Node affinity = node["affinity"]) {
    const std::string text = read_string(affinity, "affinity");
    if (text == "none") {
      service.affinity = ServiceAffinity::kNone;
    } else if (text == "client_ip") {
      service.affinity = ServiceAffinity::kClientIp;
    } else {
      fail(affinity, "'affinity': expected none or client_ip, got " + quote(text));
    }
  }
  if (const YAML::Node timeout = node["affinity_timeout_s"]) {
    if (service.affinity != ServiceAffinity::kClientIp) {
      fail(timeout, "'affinity_timeout_s': only with 'affinity: client_ip' " + where);
    }
    service.affinity_timeout_s = static_cast<uint32_t>(
        read_uint(timeout, "affinity_timeout_s", kMinAffinityTimeoutS, kMaxAffinityTimeoutS));
  }
  if (const YAML::Node backends = node["backends"]) {
    expect_list(backends, "backends");
    if (backends.size() > kMaxServiceBackends) {
      fail(backends, "'backends': at most " + std::to_string(kMaxServiceBackends) + ", got " +
                         std::to_string(backends.size()));
    }
    for (const YAML::Node& item : backends) {
      service.backends.push_back(
          load_backend(item, label + ".backends[" + std::to_string(service.backends.size()) + "]"));
    }
  }
  return service;
}

BackendConfig Loader::load_backend(const YAML::Node& node, const std::string& label) const {
  expect_map(node, label);
  const std::string where = "in " + label;
  check_keys(node, where, {"ip", "port", "weight"});
  for (const char* key : {"ip", "port"}) {
    if (!node[key]) fail(node, "missing required key " + quote(key) + " " + where);
  }
  BackendConfig backend;
  backend.mark = source_mark(node.Mark());
  backend.ip = read_host_ipv4(node["ip"], "ip");
  backend.port = static_cast<uint32_t>(read_uint(node["port"], "port", 1, kMaxTcpPort));
  if (const YAML::Node weight = node["weight"]) {
    backend.weight = static_cast<uint32_t>(read_uint(weight, "weight", 1, kMaxBackendWeight));
  }
  return backend;
}

// Reads the whole file; returns 0 or the errno of the failure.
int read_file(const std::string& path, std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return errno;
  char buffer[4096];
  size_t size = 0;
  while ((size = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, size);
  const int error = std::ferror(file) ? errno : 0;
  std::fclose(file);
  return error;
}

// Where a YAML document's first node is; the events themselves are not needed.
class DocumentStart : public YAML::EventHandler {
 public:
  const YAML::Mark& mark() const { return mark_; }
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { note(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { note(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(mark);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& mark) {
    if (!seen_) mark_ = mark;
    seen_ = true;
  }
  YAML::Mark mark_;
  bool seen_ = false;
};

// The file must hold one document. yaml-cpp 0.7's LoadAll never returns on some malformed
// input (a stray ',' at block level yields empty documents forever: yaml-cpp PR #1319), so
// the documents are counted with a loop that stops at the second.
void reject_second_document(const std::string& text) {
  std::stringstream in(text);
  YAML::Parser parser(in);
  DocumentStart first, second;
  if (!parser.HandleNextDocument(first) || !parser.HandleNextDocument(second)) return;
  const YAML::Mark& at = second.mark();
  const bool stray_comma =
      at.pos >= 0 && static_cast<size_t>(at.pos) < text.size() && text[at.pos] == ',';
  throw LoadError{source_mark(at), stray_comma ? "invalid YAML: unexpected ','"
                                               : "expected one YAML document, found a second"};
}

}  // namespace

Status load_config_file(const std::string& path, Config& out) {
  std::string text;
  const int error = read_file(path, text);
  if (error != 0) return invalid_argument(path + ": cannot read: " + std::strerror(error));
  return load_config_text(text, path, out);
}

Status load_config_text(const std::string& text, const std::string& file_name, Config& out) {
  try {
    reject_second_document(text);
    Config config = Loader(text).load(YAML::Load(text));
    config.file = file_name;
    out = std::move(config);
    return Status::ok();
  } catch (const LoadError& error) {
    return error_at(file_name, error.mark, error.message);
  } catch (const YAML::ParserException& error) {
    return error_at(file_name, source_mark(error.mark), "invalid YAML: " + error.msg);
  }
}

}  // namespace np::control
