// The files nodeplane-cni keeps in socketDir: the pod's JSON beside its socket (what a DPDK
// app in the pod reads to attach with virtio_user), and the checks on the folder itself.
//
// Thread: any.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace np::cni {

// Throws CniError 7 unless `dir` exists, is a folder and can be written: a file is actually
// created in it (and removed), since root passes access(W_OK) even on a read-only mount.
void check_socket_dir(const std::string& dir);

// Writes `content` to `path` whole or not at all (a temporary file beside it, fsync, rename),
// mode 0644. Throws CniError 5.
void write_pod_file(const std::string& path, const nlohmann::ordered_json& content);

// The JSON in `path`; nullopt when there is no regular file there (links are not followed),
// it is bigger than any pod file, or it does not parse.
std::optional<nlohmann::json> read_pod_file(const std::string& path);

// Removes what is at a pod file's `path` (a file, or whatever a pod left in its place); a
// folder is left alone, with a warning on stderr. Returns "" when nothing removable is left
// (or never was), else why not.
std::string remove_pod_file(const std::string& path);

// Removes the unix socket at `path` (anything else there is left alone). Returns "" when no
// socket is left, else why not.
std::string remove_socket_file(const std::string& path);

// True when `path` is a unix socket.
bool is_socket(const std::string& path);

}  // namespace np::cni
