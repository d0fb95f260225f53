// nodeplane-cni: the CNI plugin that attaches pods to nodeplane through vhost-user.
// Called by a container runtime: CNI_* variables in the environment, the network
// configuration on stdin, the result (or the spec's error object) on stdout. Exit status 0 on
// success, 1 on error (with a one-line message on stderr too). Logs go to stderr only.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "np/cni/commands.h"
#include "np/cni/env.h"
#include "np/cni/error.h"
#include "np/cni/net_config.h"
#include "np/cni/version.h"

namespace {

using np::cni::CniError;

// All of stdin. Throws CniError 5 on a read error.
std::string read_stdin() {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n == 0) return text;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw CniError(np::cni::kIoFailure, std::string("cannot read stdin: ") + strerror(errno));
    text.append(buf, static_cast<size_t>(n));
  }
}

int fail(const CniError& error, const std::string& version) {
  printf("%s\n", np::cni::error_json(error, version).dump(2).c_str());
  fflush(stdout);
  fprintf(stderr, "nodeplane-cni: %s%s%s\n", error.msg().c_str(),
          error.details().empty() ? "" : ": ", error.details().c_str());
  return 1;
}

}  // namespace

int main() {
  // Errors are reported in the config's version when we speak it.
  std::string version = np::cni::kDefaultVersion;
  try {
    const std::string input = read_stdin();
    const std::optional<std::string> requested = np::cni::peek_version(input);
    if (requested && np::cni::is_supported_version(*requested)) version = *requested;
    const np::cni::CniEnv env = np::cni::read_env([](const char* name) { return getenv(name); });
    if (env.command == np::cni::Command::kVersion) {
      printf("%s\n", np::cni::version_json(requested.value_or("")).dump().c_str());
      return 0;
    }
    const np::cni::NetConfig conf = np::cni::parse_net_config(input, env.command);
    const std::string out = np::cni::run_command(env, conf);
    if (!out.empty()) fputs(out.c_str(), stdout);
    return fflush(stdout) == 0 ? 0 : 1;
  } catch (const CniError& e) {
    return fail(e, version);
  } catch (const std::exception& e) {
    return fail(CniError(np::cni::kInternal, std::string("internal error: ") + e.what()), version);
  }
}
