// CHECK: the attachment is still what prevResult says: the port (type, socket, mode, domain,
// anti-spoofing, owner), the socket, the pod's JSON and the allocation.
#include <algorithm>

#include "np/cni/attachment_port.h"
#include "np/cni/commands.h"
#include "np/cni/dataplane_client.h"
#include "np/cni/error.h"
#include "np/cni/ipam.h"
#include "np/cni/naming.h"
#include "np/cni/pod_file.h"

namespace np::cni {
namespace {

[[noreturn]] void mismatch(const std::string& msg, const std::string& details = "") {
  throw CniError(kCheckMismatch, msg, details);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : "; ") + s;
  return out;
}

}  // namespace

std::string cmd_check(const CniEnv& env, const NetConfig& conf) {
  if (!conf.prev_result) throw CniError(kInvalidConfig, "prevResult is required for CHECK");
  const Result prev = parse_result(*conf.prev_result, "prevResult", kDecodeFailure);

  int index = -1;
  for (size_t i = 0; i < prev.interfaces.size(); ++i)
    if (prev.interfaces[i].name == env.ifname && prev.interfaces[i].sandbox == env.netns)
      index = static_cast<int>(i);
  if (index < 0) mismatch("prevResult has no interface " + env.ifname + " in sandbox " + env.netns);
  const Interface& itf = prev.interfaces[static_cast<size_t>(index)];

  PortRequest want;
  want.name = port_name(conf.name, env.container_id, env.ifname);
  want.socket = socket_path(conf.socket_dir, want.name);
  want.client = conf.client;
  want.mac = itf.mac;
  want.owner = {conf.name, env.container_id, env.ifname};
  std::string first_ip;
  for (const IpConfig& ip : prev.ips) {
    std::optional<Ipv4Cidr> cidr = parse_ipv4_cidr(ip.address);
    if (ip.interface != index || !cidr) continue;
    want.ips.push_back(format_ipv4(cidr->address));
    if (first_ip.empty()) first_ip = ip.address;
  }
  if (want.ips.empty()) mismatch("prevResult has no IPv4 address on interface " + env.ifname);
  // A plugin chained after us that is built on libcni 1.0 drops socketPath (a 1.1 field) from
  // the result the runtime caches, so only a socketPath that is there must match.
  if (!itf.socket_path.empty() && itf.socket_path != want.socket)
    mismatch("prevResult: interface " + env.ifname + " has socketPath '" + itf.socket_path +
             "', expected " + want.socket);

  DataplaneClient api(conf.server);
  std::optional<nodeplane::v1::PortStatus> have = api.find_port(want.name);
  if (!have) mismatch("port " + want.name + " does not exist in nodeplane");
  const std::vector<std::string> diffs = port_differences(*have, want, conf.bridge_domain);
  if (!diffs.empty()) mismatch("port " + want.name + " differs from prevResult", joined(diffs));
  if (!conf.client && !is_socket(want.socket))
    mismatch("socket " + want.socket + " of port " + want.name + " is missing");

  const std::string file = pod_file_path(conf.socket_dir, want.name);
  std::optional<nlohmann::json> pod = read_pod_file(file);
  if (!pod) mismatch("the pod's file " + file + " is missing or not JSON");
  std::vector<std::string> file_diffs;
  auto field = [&](const char* key) {
    auto it = pod->find(key);
    return it != pod->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (field("socketPath") != want.socket) file_diffs.push_back("socketPath");
  if (field("mac") != want.mac) file_diffs.push_back("mac");
  if (field("ip") != first_ip) file_diffs.push_back("ip");
  if (!file_diffs.empty())
    mismatch("the pod's file " + file + " differs from prevResult", joined(file_diffs));

  Ipam ipam(conf, env);
  ipam.check(prev);
  return "";
}

}  // namespace np::cni
