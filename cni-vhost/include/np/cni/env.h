// The CNI_* environment variables a runtime passes (CNI spec, "Parameters"), checked per
// command.
//
// Thread: any.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace np::cni {

enum class Command { kAdd, kDel, kCheck, kGc, kStatus, kVersion };

// "ADD", "DEL", ...; nullopt for anything else.
std::optional<Command> parse_command(const std::string& text);
const char* command_name(Command command);

struct CniEnv {
  Command command = Command::kVersion;
  std::string container_id;                 // CNI_CONTAINERID
  std::string netns;                        // CNI_NETNS (may be empty for DEL)
  std::string ifname;                       // CNI_IFNAME
  std::vector<std::string> path;            // CNI_PATH, split at ':' (empty entries dropped)
  std::string args_text;                    // CNI_ARGS as given
  std::map<std::string, std::string> args;  // CNI_ARGS parsed (K8S_POD_NAME, MAC, ...)

  // The value of CNI_ARGS key `key`, or "" when absent.
  std::string arg(const std::string& key) const;
};

// Reads and checks the variables `command` needs through `lookup` (getenv in the binary; a
// map in tests; nullptr for an unset variable). Throws CniError 4 naming the variable.
CniEnv read_env(const std::function<const char*(const char*)>& lookup);

// Parses CNI_ARGS "K=V;K=V". Throws CniError 4 for a pair without '=' or an empty key.
std::map<std::string, std::string> parse_cni_args(const std::string& text);

// Why `name` cannot be a Linux interface name (empty, "." or "..", 16 characters or more,
// '/', ':' or whitespace), or nullopt when it can.
std::optional<std::string> ifname_problem(const std::string& name);

}  // namespace np::cni
