#include "np/cni/ipam.h"

#include "np/cni/error.h"
#include "np/cni/version.h"

namespace np::cni {
namespace {

// The versions whose results parse_result reads.
const std::vector<std::string>& readable_versions() {
  static const std::vector<std::string> v = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
  return v;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Ipam::Ipam(const NetConfig& conf, const CniEnv& env, std::chrono::milliseconds timeout)
    : conf_(conf), env_(env), timeout_(timeout) {}

std::map<std::string, std::string> Ipam::env_for(const char* command,
                                                 const std::string& container_id,
                                                 const std::string& ifname) const {
  std::string path;
  for (const std::string& dir : env_.path) path += (path.empty() ? "" : ":") + dir;
  return {{"CNI_COMMAND", command}, {"CNI_CONTAINERID", container_id}, {"CNI_NETNS", env_.netns},
          {"CNI_IFNAME", ifname},   {"CNI_ARGS", env_.args_text},      {"CNI_PATH", path}};
}

nlohmann::ordered_json Ipam::config_for(const std::string& version) const {
  nlohmann::ordered_json config = conf_.raw;
  config["cniVersion"] = version;
  // Our own prevResult and GC list are not the delegate's business; callers add what the
  // delegate's command needs.
  config.erase("prevResult");
  config.erase("cni.dev/valid-attachments");
  config.erase("cni.dev/attachments");
  return config;
}

nlohmann::json Ipam::run(const char* command, const std::string& container_id,
                         const std::string& ifname, const nlohmann::ordered_json& config) {
  return invoke_delegate(conf_.ipam_type, env_.path, env_for(command, container_id, ifname),
                         config.dump(), timeout_);
}

const std::string& Ipam::version() {
  if (version_) return *version_;
  nlohmann::ordered_json ask;
  ask["cniVersion"] = conf_.cni_version;
  const nlohmann::json answer = run("VERSION", "", "", ask);
  if (answer.is_object() && answer.contains("supportedVersions") &&
      answer["supportedVersions"].is_array()) {
    for (const auto& v : answer["supportedVersions"])
      if (v.is_string()) theirs_.push_back(v.get<std::string>());
  } else {
    theirs_ = {conf_.cni_version};  // A plugin without VERSION: assume it speaks ours.
  }
  std::optional<std::string> common =
      highest_common_version(readable_versions(), theirs_, conf_.cni_version);
  if (!common)
    throw CniError(kIpamFailed,
                   "IPAM plugin '" + conf_.ipam_type + "' speaks no CNI version up to " +
                       conf_.cni_version + " that nodeplane-cni reads",
                   "it supports: " + joined(theirs_));
  version_ = *common;
  return *version_;
}

bool Ipam::speaks_1_1() {
  version();
  return compare_versions(*version_, "1.1.0") >= 0;
}

Result Ipam::add() {
  const std::string& v = version();
  const nlohmann::json answer = run("ADD", env_.container_id, env_.ifname, config_for(v));
  if (answer.is_null())
    throw CniError(kIpamFailed, "IPAM plugin '" + conf_.ipam_type + "' (ADD) printed no result");
  return parse_result(answer, "the result of IPAM plugin '" + conf_.ipam_type + "'", kIpamFailed);
}

void Ipam::del(const std::string& container_id, const std::string& ifname) {
  run("DEL", container_id, ifname, config_for(version()));
}

void Ipam::check(const Result& prev) {
  const std::string& v = version();
  nlohmann::ordered_json config = config_for(v);
  config["prevResult"] = result_json(prev, v);
  run("CHECK", env_.container_id, env_.ifname, config);
}

void Ipam::gc(const std::vector<Attachment>& valid) {
  nlohmann::ordered_json config = config_for(version());
  config["cni.dev/valid-attachments"] = nlohmann::ordered_json::array();
  for (const Attachment& a : valid)
    config["cni.dev/valid-attachments"].push_back(
        {{"containerID", a.container_id}, {"ifname", a.ifname}});
  run("GC", "", "", config);
}

void Ipam::status() { run("STATUS", "", "", config_for(version())); }

}  // namespace np::cni
