// The IPAM delegate (the `ipam` section's plugin, e.g. host-local): ADD, DEL, CHECK, GC and
// STATUS through exec_plugin, in a CNI version both sides speak.
//
// Thread: the plugin's one thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "np/cni/env.h"
#include "np/cni/exec_plugin.h"
#include "np/cni/net_config.h"
#include "np/cni/result.h"

namespace np::cni {

class Ipam {
 public:
  // `conf` and `env` must outlive the object.
  Ipam(const NetConfig& conf, const CniEnv& env,
       std::chrono::milliseconds timeout = kDelegateTimeout);

  // The version the delegate is spoken to in: the config's when the delegate supports it,
  // else the newest version both support that is not newer (host-local 1.1 stops at 1.0.0).
  // Asks the delegate's VERSION once. Throws CniError 101 when there is no common version.
  const std::string& version();

  // True when the delegate speaks 1.1.0, and so has GC and STATUS.
  bool speaks_1_1();

  // Allocates for (CNI_CONTAINERID, CNI_IFNAME). Throws CniError 101.
  Result add();
  // Releases what (container_id, ifname) holds; succeeds when it holds nothing. Throws 101.
  void del(const std::string& container_id, const std::string& ifname);
  // Checks the allocation of (CNI_CONTAINERID, CNI_IFNAME) against `prev`. Throws 101.
  void check(const Result& prev);
  // GC / STATUS of the delegate (only call when speaks_1_1()). Throw 101.
  void gc(const std::vector<Attachment>& valid);
  void status();

 private:
  std::map<std::string, std::string> env_for(const char* command, const std::string& container_id,
                                             const std::string& ifname) const;
  nlohmann::json run(const char* command, const std::string& container_id,
                     const std::string& ifname, const nlohmann::ordered_json& config);
  nlohmann::ordered_json config_for(const std::string& version) const;

  const NetConfig& conf_;
  const CniEnv& env_;
  std::chrono::milliseconds timeout_;
  std::optional<std::string> version_;
  std::vector<std::string> theirs_;
};

}  // namespace np::cni
