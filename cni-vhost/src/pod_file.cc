#include "np/cni/pod_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "np/cni/error.h"

namespace np::cni {
namespace {

// Far above what write_pod_file writes; what is bigger is not ours.
constexpr off_t kMaxPodFileSize = 64 * 1024;

std::string errno_text() { return strerror(errno); }

// Writes all of `data` to `fd`; false on error (errno set).
bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void check_socket_dir(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0)
    throw CniError(kInvalidConfig, "socketDir: " + dir + ": " + errno_text(),
                   "create the folder before using the network");
  if (!S_ISDIR(st.st_mode))
    throw CniError(kInvalidConfig, "socketDir: " + dir + " is not a folder");
  // An unnamed file (O_TMPFILE) leaves nothing behind even if we are killed; a filesystem
  // without it gets a named probe that is removed at once.
  int fd = open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    std::string probe = dir + "/.nodeplane-cni-probe-XXXXXX";
    fd = mkostemp(probe.data(), O_CLOEXEC);
    if (fd >= 0) unlink(probe.c_str());
  }
  if (fd < 0)
    throw CniError(kInvalidConfig, "socketDir: " + dir + " is not writable: " + errno_text());
  close(fd);
}

void write_pod_file(const std::string& path, const nlohmann::ordered_json& content) {
  // A fresh name (O_EXCL): a pod can write in socketDir, and a link it planted at a name we
  // chose would be followed.
  std::string tmp = path + ".tmp.XXXXXX";
  const std::string data = content.dump(2) + "\n";
  const int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) throw CniError(kIoFailure, "cannot write " + path + ": " + errno_text());
  const bool ok = write_all(fd, data) && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = strerror(ok ? errno : saved);
    unlink(tmp.c_str());
    throw CniError(kIoFailure, "cannot write " + path + ": " + why);
  }
}

std::optional<nlohmann::json> read_pod_file(const std::string& path) {
  // Only a regular file of ours: a pod could leave a link (to /dev/zero), a FIFO that would
  // block the open, or a huge file in its place.
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  std::string text;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= kMaxPodFileSize) {
    text.resize(static_cast<size_t>(st.st_size));
    const ssize_t n = read(fd, text.data(), text.size());
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  close(fd);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string remove_pod_file(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return errno == ENOENT ? "" : path + ": " + errno_text();
  if (S_ISDIR(st.st_mode)) {
    fprintf(stderr, "nodeplane-cni: %s is a folder, not our file; left alone\n", path.c_str());
    return "";
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return path + ": " + errno_text();
  return "";
}

bool is_socket(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string remove_socket_file(const std::string& path) {
  if (!is_socket(path)) return "";
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return path + ": " + errno_text();
  return "";
}

}  // namespace np::cni
