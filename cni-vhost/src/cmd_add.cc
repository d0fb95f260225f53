// ADD: check everything that can be checked, then allocate, create, write; undo in reverse
// when a later step fails.
#include <cstdio>
#include <functional>
#include <vector>

#include "np/cni/attachment_port.h"
#include "np/cni/commands.h"
#include "np/cni/dataplane_client.h"
#include "np/cni/error.h"
#include "np/cni/ipam.h"
#include "np/cni/naming.h"
#include "np/cni/pod_file.h"
#include "np/cni/result.h"

namespace np::cni {
namespace {

// Steps to undo, run newest first unless the ADD got to the end.
class Rollback {
 public:
  // `undo` returns "" when it worked, else what is left behind.
  void push(std::function<std::string()> undo) { steps_.push_back(std::move(undo)); }

  // Runs the steps newest first and stops at the first that fails: what the older steps
  // undo is still in use by what is left (an address released while its port may still
  // accept it could go to another pod). Returns what is left behind; the runtime's DEL
  // cleans it up.
  std::string run() {
    std::string left;
    for (auto it = steps_.rbegin(); it != steps_.rend() && left.empty(); ++it) {
      try {
        left = (*it)();
      } catch (const CniError& e) {
        left = e.msg() + (e.details().empty() ? "" : " (" + e.details() + ")");
      }
    }
    steps_.clear();
    return left;
  }

 private:
  std::vector<std::function<std::string()>> steps_;
};

nlohmann::ordered_json pod_json(const CniEnv& env, const NetConfig& conf, const PortRequest& port,
                                const IpConfig& ip, const Result& result) {
  const Ipv4Cidr cidr = *parse_ipv4_cidr(ip.address);
  nlohmann::ordered_json j;
  j["socketPath"] = port.socket;
  // virtio_user's `server` option: the pod listens when the dataplane is the client.
  j["virtioUserServer"] = conf.client;
  j["mac"] = port.mac;
  j["ip"] = ip.address;
  j["address"] = format_ipv4(cidr.address);
  j["prefixLength"] = cidr.prefix_len;
  if (!ip.gateway.empty()) j["gateway"] = ip.gateway;
  j["mtu"] = conf.mtu;
  // Routes and DNS as the result writes them (routes always present here, if empty).
  const nlohmann::ordered_json as_result =
      result_json(Result{{}, {}, result.routes, result.dns}, "1.0.0");
  j["routes"] = as_result.value("routes", nlohmann::ordered_json::array());
  j["dns"] = as_result["dns"];
  j["network"] = conf.name;
  j["containerID"] = env.container_id;
  j["ifname"] = env.ifname;
  if (!env.arg("K8S_POD_NAMESPACE").empty()) j["podNamespace"] = env.arg("K8S_POD_NAMESPACE");
  if (!env.arg("K8S_POD_NAME").empty()) j["podName"] = env.arg("K8S_POD_NAME");
  j["port"] = port.name;
  return j;
}

}  // namespace

std::string choose_mac(const CniEnv& env, const NetConfig& conf, uint32_t first_ipv4) {
  if (!conf.runtime_mac.empty()) return conf.runtime_mac;
  const std::string from_args = env.arg("MAC");
  if (!from_args.empty()) {
    std::optional<std::string> mac = normalize_unicast_mac(from_args);
    if (!mac)
      throw CniError(kInvalidEnvironment,
                     "CNI_ARGS: MAC '" + from_args + "' is not a unicast MAC address");
    return *mac;
  }
  return mac_from_ipv4(first_ipv4);
}

std::string cmd_add(const CniEnv& env, const NetConfig& conf) {
  // 1. What can be checked before anything is created.
  check_socket_dir(conf.socket_dir);
  if (!env.arg("MAC").empty()) choose_mac(env, conf, 0);  // Throws for a bad CNI_ARGS MAC.
  PortRequest port;
  port.name = port_name(conf.name, env.container_id, env.ifname);
  port.socket = socket_path(conf.socket_dir, port.name);
  port.client = conf.client;
  port.owner = {conf.name, env.container_id, env.ifname};
  const std::string file = pod_file_path(conf.socket_dir, port.name);

  DataplaneClient api(conf.server);
  if (!api.bridge_domain_exists(conf.bridge_domain))
    throw CniError(
        kInvalidConfig,
        "bridgeDomain: " + std::to_string(conf.bridge_domain) + " does not exist in nodeplane",
        "create it first: npctl bd add " + std::to_string(conf.bridge_domain) + " ...");
  if (std::optional<nodeplane::v1::PortStatus> existing = api.find_port(port.name)) {
    // The same attachment again (a retried ADD) replaces the port; anyone else's is kept.
    if (!is_owned_by(existing->port(), port.owner))
      throw CniError(kDataplaneRefused, "port " + port.name + " already exists and belongs to " +
                                            describe_owner(existing->port()));
  }

  Ipam ipam(conf, env);
  Rollback rollback;  // Its steps refer to the objects above, so it goes after them.
  try {
    // 2. The address. Its undo is registered only once the delegate has answered: when its
    // ADD fails, the attachment may hold an address already (host-local refuses a second
    // ADD as a duplicate) that an IPAM DEL would take from a running pod. An address a
    // delegate allocated before it failed or timed out goes with the runtime's DEL.
    const Result allocated = ipam.add();
    rollback.push([&] {
      ipam.del(env.container_id, env.ifname);
      return std::string();
    });
    std::vector<IpConfig> ipv4;
    for (const IpConfig& ip : allocated.ips)
      if (parse_ipv4_cidr(ip.address)) ipv4.push_back(ip);
    if (ipv4.empty())
      throw CniError(kUnsupportedField,
                     "IPAM plugin '" + conf.ipam_type + "' returned no IPv4 address",
                     "nodeplane forwards IPv4 only");
    port.mac = choose_mac(env, conf, parse_ipv4_cidr(ipv4[0].address)->address);
    for (const IpConfig& ip : ipv4)
      port.ips.push_back(format_ipv4(parse_ipv4_cidr(ip.address)->address));

    // 3. The port, in its bridge domain, in one commit. A call that timed out may still
    // have been applied, so the undo is registered first.
    rollback.push([&] {
      const grpc::Status st = api.try_delete_port(port.name);
      return st.ok() ? std::string()
                     : "port " + port.name + " may remain in nodeplane: " + st.error_message();
    });
    api.add_port(make_port(port), conf.bridge_domain);

    // 4. The result, and the pod's file beside the socket.
    Result result;
    if (conf.prev_result) result = parse_result(*conf.prev_result, "prevResult", kDecodeFailure);
    const int index = static_cast<int>(result.interfaces.size());
    result.interfaces.push_back({env.ifname, port.mac, env.netns, port.socket, conf.mtu});
    for (IpConfig ip : ipv4) {
      ip.interface = index;
      result.ips.push_back(ip);
    }
    result.routes.insert(result.routes.end(), allocated.routes.begin(), allocated.routes.end());
    if (conf.dns)
      result.dns = *conf.dns;
    else if (result.dns.empty())
      result.dns = allocated.dns;

    write_pod_file(file, pod_json(env, conf, port, ipv4[0], result));
    const nlohmann::json prev = conf.prev_result.value_or(nlohmann::json::object());
    return result_json_after(prev, result, conf.cni_version).dump(2) + "\n";
  } catch (const CniError& e) {
    const std::string left = rollback.run();
    if (left.empty()) throw;
    throw CniError(e.code(), e.msg(),
                   (e.details().empty() ? "" : e.details() + "; ") + "left behind: " + left);
  } catch (...) {
    rollback.run();  // Not a CNI error: main reports it as internal; undo all the same.
    throw;
  }
}

}  // namespace np::cni
