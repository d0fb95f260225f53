#include "np/cni/error.h"

namespace np::cni {

nlohmann::ordered_json error_json(const CniError& error, const std::string& cni_version) {
  nlohmann::ordered_json out;
  out["cniVersion"] = cni_version;
  out["code"] = error.code();
  out["msg"] = error.msg();
  if (!error.details().empty()) out["details"] = error.details();
  return out;
}

}  // namespace np::cni
