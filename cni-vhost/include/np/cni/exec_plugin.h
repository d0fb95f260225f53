// Running a delegate plugin (IPAM) the way a runtime runs a plugin: found by name in
// CNI_PATH, the CNI_* variables overridden in our environment, the config on stdin, the result
// or error object on stdout.
//
// Thread: the plugin is single-threaded; these functions may run on any thread, one at a time
// (they change SIGPIPE's disposition while they run).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace np::cni {

// How long a delegate may run before it is killed.
inline constexpr std::chrono::milliseconds kDelegateTimeout{30000};

// The first executable regular file `type` in the folders of `cni_path`; "" when there is
// none. `type` must be a plain name (net_config checks that it has no '/').
std::string find_plugin(const std::string& type, const std::vector<std::string>& cni_path);

struct ExecOutcome {
  bool started = false;    // false: the program could not be run (`error` says why).
  bool timed_out = false;  // Killed (with its process group) after the timeout.
  int exit_status = -1;    // The exit status, or 128 + signal; -1 when not started.
  std::string out;         // Its stdout.
  std::string err;         // Its stderr.
  std::string error;
};

// Runs `program` with our environment plus `env` (which replaces variables of the same
// name), writes `input` to its stdin and collects stdout and stderr until it exits. After
// `timeout` its whole process group is killed. Never throws.
ExecOutcome exec_program(const std::string& program, const std::map<std::string, std::string>& env,
                         const std::string& input, std::chrono::milliseconds timeout);

// Runs delegate `type` found in `cni_path` and decodes its answer: the JSON object on stdout
// when it succeeds (null when it prints nothing, as DEL does). Throws CniError 101 when it is
// missing, times out, fails (its code and msg in details) or prints something that is not JSON.
nlohmann::json invoke_delegate(const std::string& type, const std::vector<std::string>& cni_path,
                               const std::map<std::string, std::string>& env,
                               const std::string& input,
                               std::chrono::milliseconds timeout = kDelegateTimeout);

}  // namespace np::cni
