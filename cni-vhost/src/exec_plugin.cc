#include "np/cni/exec_plugin.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "np/cni/error.h"

extern char** environ;

namespace np::cni {
namespace {

// Ignores SIGPIPE while it lives, so a delegate that exits without reading stdin makes our
// write fail with EPIPE instead of killing the plugin.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &saved_);
  }
  ~IgnoreSigpipe() { sigaction(SIGPIPE, &saved_, nullptr); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction saved_ {};
};

// The pipe ends the parent keeps; closes whatever is still open.
struct Fds {
  int fd[6] = {-1, -1, -1, -1, -1, -1};  // stdin r/w, stdout r/w, stderr r/w
  ~Fds() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  void close_fd(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

std::vector<std::string> merged_env(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (env.count(entry.substr(0, eq))) continue;
    out.push_back(entry);
  }
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

std::string summary(const std::string& text) {
  std::string s = text.size() > 300 ? text.substr(0, 300) + "..." : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string find_plugin(const std::string& type, const std::vector<std::string>& cni_path) {
  for (const std::string& dir : cni_path) {
    const std::string candidate = dir + (dir.back() == '/' ? "" : "/") + type;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

ExecOutcome exec_program(const std::string& program, const std::map<std::string, std::string>& env,
                         const std::string& input, std::chrono::milliseconds timeout) {
  ExecOutcome outcome;
  IgnoreSigpipe ignore_sigpipe;
  Fds p;
  for (int i = 0; i < 3; ++i) {
    if (pipe2(&p.fd[i * 2], O_CLOEXEC) != 0) {
      outcome.error = std::string("pipe: ") + strerror(errno);
      return outcome;
    }
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, p.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, p.fd[3], 1);
  posix_spawn_file_actions_adddup2(&actions, p.fd[5], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout kills what it started too; default signals, so it
  // does not inherit our ignored SIGPIPE.
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> env_strings = merged_env(env);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string program_copy = program;
  char* argv[] = {program_copy.data(), nullptr};

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    outcome.error = program + ": " + strerror(rc);
    return outcome;
  }
  outcome.started = true;
  p.close_fd(0);
  p.close_fd(3);
  p.close_fd(5);
  fcntl(p.fd[1], F_SETFL, O_NONBLOCK);
  if (input.empty()) p.close_fd(1);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t written = 0;
  while (p.fd[1] >= 0 || p.fd[2] >= 0 || p.fd[4] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      outcome.timed_out = true;
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (p.fd[1] >= 0) fds[n++] = {p.fd[1], POLLOUT, 0};
    if (p.fd[2] >= 0) fds[n++] = {p.fd[2], POLLIN, 0};
    if (p.fd[4] >= 0) fds[n++] = {p.fd[4], POLLIN, 0};
    const int ready = poll(fds, n, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < n && ready > 0; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == p.fd[1]) {
        const ssize_t w = write(p.fd[1], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) p.close_fd(1);  // EPIPE: not reading.
        if (written == input.size()) p.close_fd(1);
        continue;
      }
      const int idx = fds[i].fd == p.fd[2] ? 2 : 4;
      char buf[4096];
      const ssize_t r = read(p.fd[idx], buf, sizeof(buf));
      if (r > 0)
        (idx == 2 ? outcome.out : outcome.err).append(buf, static_cast<size_t>(r));
      else if (r == 0 || (errno != EAGAIN && errno != EINTR))
        p.close_fd(idx);
    }
  }
  // Its pipes may close before it exits: the exit is waited for within the same deadline.
  int status = 0;
  while (!outcome.timed_out) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline)
      outcome.timed_out = true;
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (outcome.timed_out) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    kill(-pid, SIGKILL);  // Whatever it started and left behind.
  }
  outcome.exit_status = WIFEXITED(status)     ? WEXITSTATUS(status)
                        : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                              : -1;
  return outcome;
}

nlohmann::json invoke_delegate(const std::string& type, const std::vector<std::string>& cni_path,
                               const std::map<std::string, std::string>& env,
                               const std::string& input, std::chrono::milliseconds timeout) {
  const auto command = env.count("CNI_COMMAND") ? env.at("CNI_COMMAND") : std::string("?");
  const std::string what = "IPAM plugin '" + type + "' (" + command + ")";
  std::string where;
  for (const std::string& dir : cni_path) where += (where.empty() ? "" : ":") + dir;
  const std::string program = find_plugin(type, cni_path);
  if (program.empty())
    throw CniError(kIpamFailed, "IPAM plugin '" + type + "' not found in CNI_PATH",
                   "CNI_PATH=" + where);
  const ExecOutcome run = exec_program(program, env, input, timeout);
  if (!run.started) throw CniError(kIpamFailed, what + ": cannot run " + program, run.error);
  if (run.timed_out)
    throw CniError(kIpamFailed,
                   what + " timed out after " + std::to_string(timeout.count()) + " ms",
                   summary(run.err));
  const nlohmann::json answer = nlohmann::json::parse(run.out, nullptr, false);
  if (run.exit_status != 0) {
    if (!answer.is_discarded() && answer.is_object() && answer.contains("msg")) {
      const nlohmann::json& msg = answer["msg"];
      const std::string text = msg.is_string() ? msg.get<std::string>() : msg.dump();
      std::string details = "code " + answer.value("code", nlohmann::json()).dump() + ": " + text;
      if (answer.contains("details")) {
        const nlohmann::json& d = answer["details"];
        details += " (" + (d.is_string() ? d.get<std::string>() : d.dump()) + ")";
      }
      throw CniError(kIpamFailed, what + " failed: " + text, details);
    }
    throw CniError(kIpamFailed,
                   what + " failed with exit status " + std::to_string(run.exit_status),
                   summary(run.out + run.err));
  }
  // What it logged goes on to the runtime, as libcni passes a plugin's stderr on.
  if (!run.err.empty()) fputs(run.err.c_str(), stderr);
  if (run.out.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
  if (answer.is_discarded() || !answer.is_object())
    throw CniError(kIpamFailed, what + " printed something that is not a JSON object",
                   summary(run.out));
  return answer;
}

}  // namespace np::cni
