// DEL: idempotent. The allocation is released only once nodeplane has confirmed the port is
// gone: while a port still accepts an address, that address must not go to another pod.
#include <cstdio>

#include "np/cni/attachment_port.h"
#include "np/cni/commands.h"
#include "np/cni/dataplane_client.h"
#include "np/cni/error.h"
#include "np/cni/ipam.h"
#include "np/cni/naming.h"
#include "np/cni/pod_file.h"

namespace np::cni {

std::string cmd_del(const CniEnv& env, const NetConfig& conf) {
  const std::string name = port_name(conf.name, env.container_id, env.ifname);
  const AttachmentKey owner{conf.name, env.container_id, env.ifname};
  DataplaneClient api(conf.server);
  bool foreign = false;
  if (std::optional<nodeplane::v1::PortStatus> existing = api.find_port(name)) {
    if (is_owned_by(existing->port(), owner)) {
      api.delete_port(name);
    } else {
      foreign = true;
      fprintf(stderr, "nodeplane-cni: DEL: port %s belongs to %s; left alone\n", name.c_str(),
              describe_owner(existing->port()).c_str());
    }
  }
  if (!foreign) {
    // The daemon removes a server-mode socket with its port; one left by a crash, or the
    // pod's own in client mode, goes here. Files of other kinds are never ours.
    for (const std::string& problem : {remove_pod_file(pod_file_path(conf.socket_dir, name)),
                                       remove_socket_file(socket_path(conf.socket_dir, name))})
      if (!problem.empty()) throw CniError(kIoFailure, "DEL: cannot remove " + problem);
  }
  Ipam ipam(conf, env);
  ipam.del(env.container_id, env.ifname);
  return "";
}

}  // namespace np::cni
