// The value rules of the config model (SPEC.md, "Configuration"), shared by the YAML loader
// and the API so both accept exactly the same values.
//
// Thread: any (pure functions and constants).
#pragma once

#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "np/control/config.h"

namespace np::control {

inline constexpr size_t kMaxPortNameSize = 32;
inline constexpr size_t kMaxUnixPathSize = sizeof(sockaddr_un::sun_path) - 1;  // Room for the NUL.
inline constexpr uint64_t kMaxLcore = 127;
inline constexpr uint64_t kMinMemoryMb = 64;
inline constexpr uint64_t kMaxMemoryMb = 65536;
inline constexpr uint64_t kMaxIdleSleepUs = 100000;
inline constexpr uint64_t kMaxQueues = 16;
inline constexpr uint64_t kMinMtu = 68;  // The IPv4 minimum (RFC 791).
inline constexpr uint64_t kMaxMtu = 9600;
inline constexpr uint64_t kMaxBridgeDomainId = (1u << 24) - 1;  // Fits a VXLAN VNI.
inline constexpr uint64_t kMinAgingS = 10;
inline constexpr uint64_t kMaxAgingS = 1000000;
inline constexpr uint64_t kMaxMacLimit = 1u << 24;
inline constexpr uint64_t kMaxTcpPort = 65535;

inline constexpr PortType kPortTypes[] = {
    PortType::kVhostUser,  PortType::kAfPacket, PortType::kTap, PortType::kPci,
    PortType::kVirtioUser, PortType::kRing,     PortType::kNull};

// The API has no authentication, so over TCP it listens on the loopback interface only.
inline constexpr std::string_view kLoopbackHosts[] = {"127.0.0.1", "localhost", "[::1]"};
inline constexpr std::string_view kUnixScheme = "unix://";
inline constexpr std::string_view kTcpScheme = "tcp://";

template <typename Range, typename T>
bool contains(const Range& range, const T& value) {
  return std::find(std::begin(range), std::end(range), value) != std::end(range);
}

// Parses decimal digits only; a value too large for 64 bits saturates, so it fails any range.
bool parse_decimal(std::string_view text, uint64_t& value);
// 1-32 characters of A-Z a-z 0-9 _ . -
bool is_port_name(std::string_view name);
// A DPDK file prefix: A-Z a-z 0-9 _ -
bool is_file_prefix(std::string_view prefix);
// The kernel's rules for interface names (dev_valid_name in net/core/dev.c).
bool is_iface_name(std::string_view name);
// DPDK's PCI address forms: domain:bus:device.function, or bus:device.function.
bool is_pci_address(std::string_view text);
// An absolute path that fits a unix socket address.
bool is_unix_socket_path(std::string_view path);
// The HOST of "HOST:PORT" with a PORT of 1..65535, or nothing if `text` has another form.
std::optional<std::string_view> listen_host(std::string_view text);
// unix:///ABSOLUTE/PATH, or tcp://HOST:PORT with a loopback HOST.
bool is_api_address(std::string_view text);
// IP:PORT, the IP an IPv4 address or an IPv6 address in brackets.
bool is_metrics_address(std::string_view text);
// Whether a port of `type` takes `key` (the keys only some port types take).
bool port_type_has_key(PortType type, std::string_view key);
// The key a port of `type` must have, or nullptr.
const char* port_type_required_key(PortType type);
// "vhost-user, af-packet, ... or null", for messages.
std::string port_type_list();

}  // namespace np::control
