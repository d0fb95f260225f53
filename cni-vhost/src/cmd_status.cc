// STATUS (CNI 1.1.0): can the plugin serve ADD now? nodeplane must answer and have the bridge
// domain, and the IPAM plugin must be there (and, when it speaks 1.1.0, say it is ready).
#include "np/cni/commands.h"
#include "np/cni/dataplane_client.h"
#include "np/cni/error.h"
#include "np/cni/exec_plugin.h"
#include "np/cni/ipam.h"

namespace np::cni {

std::string cmd_status(const CniEnv& env, const NetConfig& conf) {
  DataplaneClient api(conf.server);
  bool exists = false;
  try {
    exists = api.bridge_domain_exists(conf.bridge_domain);
  } catch (const CniError& e) {
    // The daemon is down: no new pods, and the pods it served have lost their network.
    throw CniError(kNotAvailableExisting, "nodeplane API " + conf.server + " is not available",
                   e.details().empty() ? e.msg() : e.details());
  }
  if (!exists)
    throw CniError(kNotAvailable, "bridgeDomain " + std::to_string(conf.bridge_domain) +
                                      " does not exist in nodeplane");
  if (!env.path.empty()) {
    if (find_plugin(conf.ipam_type, env.path).empty())
      throw CniError(kNotAvailable, "IPAM plugin '" + conf.ipam_type + "' not found in CNI_PATH");
    Ipam ipam(conf, env);
    try {
      if (ipam.speaks_1_1()) ipam.status();
    } catch (const CniError& e) {
      throw CniError(kNotAvailable, e.msg(), e.details());
    }
  }
  return "";
}

}  // namespace np::cni
