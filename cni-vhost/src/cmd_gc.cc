// GC (CNI 1.1.0): the ports of this network whose attachment the runtime no longer lists go,
// with their files and allocations. It keeps going past failures and reports them together.
#include <dirent.h>

#include <algorithm>
#include <set>

#include "np/cni/attachment_port.h"
#include "np/cni/commands.h"
#include "np/cni/dataplane_client.h"
#include "np/cni/error.h"
#include "np/cni/ipam.h"
#include "np/cni/naming.h"
#include "np/cni/pod_file.h"

namespace np::cni {
namespace {

bool is_valid(const std::vector<Attachment>& valid, const std::string& cid,
              const std::string& ifname) {
  return std::find(valid.begin(), valid.end(), Attachment{cid, ifname}) != valid.end();
}

// The pod's JSON beside a port's socket (".../NAME.sock" -> ".../NAME.json").
std::string file_beside(const std::string& socket) {
  const std::string suffix = ".sock";
  if (socket.size() < suffix.size() ||
      socket.compare(socket.size() - suffix.size(), suffix.size(), suffix) != 0)
    return "";
  return socket.substr(0, socket.size() - suffix.size()) + ".json";
}

// Runs `step`; a failure is added to `failures` instead of stopping GC.
template <typename Step>
void attempt(std::vector<std::string>& failures, const std::string& what, Step step) {
  try {
    const std::string problem = step();
    if (!problem.empty()) failures.push_back(what + ": " + problem);
  } catch (const CniError& e) {
    failures.push_back(what + ": " + e.msg() +
                       (e.details().empty() ? "" : " (" + e.details() + ")"));
  }
}

}  // namespace

std::string cmd_gc(const CniEnv& env, const NetConfig& conf) {
  if (!conf.valid_attachments)
    throw CniError(kInvalidConfig, "cni.dev/valid-attachments is required for GC",
                   "an empty list would remove every attachment of the network");
  const std::vector<Attachment>& valid = *conf.valid_attachments;
  DataplaneClient api(conf.server);
  Ipam ipam(conf, env);
  std::vector<std::string> failures;
  std::set<std::string> ports_of_network;

  for (const nodeplane::v1::PortStatus& status : api.list_ports()) {
    const nodeplane::v1::Port& port = status.port();
    if (!port.has_attachment() || port.attachment().network() != conf.name) continue;
    ports_of_network.insert(port.name());
    const std::string cid = port.attachment().container_id();
    const std::string ifname = port.attachment().ifname();
    if (is_valid(valid, cid, ifname)) continue;
    const std::string what = "port " + port.name() + " (container " + cid + ", " + ifname + ")";
    bool deleted = false;
    attempt(failures, what, [&] {
      api.delete_port(port.name());
      deleted = true;
      return std::string();
    });
    if (!deleted) continue;  // Its address stays allocated while the port may still exist.
    attempt(failures, what, [&] {
      const std::string file = file_beside(port.socket());
      std::string problem = file.empty() ? "" : remove_pod_file(file);
      const std::string sock = remove_socket_file(port.socket());
      return problem.empty() ? sock : problem;
    });
    attempt(failures, what, [&] {
      ipam.del(cid, ifname);
      return std::string();
    });
  }

  // Pod files with no port: an ADD that died between its steps, or a port removed by hand.
  if (DIR* dir = opendir(conf.socket_dir.c_str())) {
    std::vector<std::string> names;
    while (dirent* e = readdir(dir)) names.push_back(e->d_name);
    closedir(dir);
    for (const std::string& name : names) {
      if (name.rfind("cni-", 0) != 0 || name.size() < 6 ||
          name.compare(name.size() - 5, 5, ".json") != 0)
        continue;
      const std::string port = name.substr(0, name.size() - 5);
      const std::string file = conf.socket_dir + "/" + name;
      std::optional<nlohmann::json> pod = read_pod_file(file);
      if (!pod || !pod->is_object() || pod->value("network", nlohmann::json()) != conf.name ||
          ports_of_network.count(port))
        continue;
      const nlohmann::json cid = pod->value("containerID", nlohmann::json());
      const nlohmann::json ifname = pod->value("ifname", nlohmann::json());
      if (!cid.is_string() || !ifname.is_string() ||
          is_valid(valid, cid.get<std::string>(), ifname.get<std::string>()) ||
          port_name(conf.name, cid.get<std::string>(), ifname.get<std::string>()) != port)
        continue;
      const std::string what = "file " + file;
      attempt(failures, what, [&] {
        // An ADD running beside GC may have made the port after the listing above.
        if (api.find_port(port)) return std::string();
        ipam.del(cid.get<std::string>(), ifname.get<std::string>());
        const std::string problem = remove_pod_file(file);
        return problem.empty() ? remove_socket_file(conf.socket_dir + "/" + port + ".sock")
                               : problem;
      });
    }
  }

  attempt(failures, "IPAM GC", [&] {
    if (ipam.speaks_1_1()) ipam.gc(valid);  // Debian's host-local (1.0.0) has no GC.
    return std::string();
  });
  if (!failures.empty()) {
    std::string details;
    for (const std::string& f : failures) details += (details.empty() ? "" : "; ") + f;
    throw CniError(kDataplaneRefused,
                   "GC could not remove " + std::to_string(failures.size()) + " item(s)", details);
  }
  return "";
}

}  // namespace np::cni
