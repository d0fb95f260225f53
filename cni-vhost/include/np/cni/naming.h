// Names derived from an attachment (network, container ID, interface): the port, its socket
// and JSON file, and the pod's MAC. They are deterministic, so DEL, CHECK and GC find what ADD
// made without keeping local state.
//
// Thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace np::cni {

// The longest socket path a unix socket takes (sun_path is 108 bytes with the NUL).
inline constexpr size_t kMaxUnixPathSize = 107;

// The spec's rule for container IDs and network names: at least one of [A-Za-z0-9_.-],
// starting with [A-Za-z0-9] (so never a path).
bool is_cni_name(const std::string& name);

// 64-bit FNV-1a of `data`.
uint64_t fnv1a64(const std::string& data);

// "cni-" + the first 12 characters of the container ID + "-" + 8 hex digits of the FNV-1a of
// "network\0container_id\0ifname": at most 25 characters of [A-Za-z0-9_.-], as a port name
// must be. `container_id` must already be valid (is_cni_name).
std::string port_name(const std::string& network, const std::string& container_id,
                      const std::string& ifname);

// socketDir/<port>.sock and socketDir/<port>.json.
std::string socket_path(const std::string& socket_dir, const std::string& port);
std::string pod_file_path(const std::string& socket_dir, const std::string& port);

// The OVN-Kubernetes scheme: 0a:58 and the four bytes of `ipv4` (host byte order): locally
// administered, unicast, and the same for the same address.
std::string mac_from_ipv4(uint32_t ipv4);

// `text` as six lower-case octets "xx:xx:xx:xx:xx:xx" if it is a unicast, non-zero MAC
// address (either case accepted); nullopt otherwise.
std::optional<std::string> normalize_unicast_mac(const std::string& text);

}  // namespace np::cni
