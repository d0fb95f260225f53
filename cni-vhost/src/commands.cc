// Dispatch of a CNI command to its flow.
#include "np/cni/commands.h"

#include "np/cni/error.h"

namespace np::cni {

std::string run_command(const CniEnv& env, const NetConfig& conf) {
  switch (env.command) {
    case Command::kAdd:
      return cmd_add(env, conf);
    case Command::kDel:
      return cmd_del(env, conf);
    case Command::kCheck:
      return cmd_check(env, conf);
    case Command::kGc:
      return cmd_gc(env, conf);
    case Command::kStatus:
      return cmd_status(env, conf);
    case Command::kVersion:
      break;
  }
  throw CniError(kInternal, "run_command: VERSION is answered before the config is read");
}

}  // namespace np::cni
