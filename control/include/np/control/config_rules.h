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
#include "np/dp/limits.h"

namespace np::control {

inline constexpr size_t kMaxPortNameSize = 32;
// Each port is a DPDK port: RTE_MAX_ETHPORTS of the DPDK build (32 in Debian's).
inline constexpr size_t kMaxPorts = dp::kMaxPorts;
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
inline constexpr size_t kMaxNextHops = 16;           // ECMP paths of one route.
inline constexpr uint64_t kMaxVni = (1u << 24) - 1;  // VXLAN Network Identifiers are 24 bits.
inline constexpr size_t kMaxVxlanRemotes = 1024;     // Flood list of one L2 VNI.
inline constexpr size_t kMaxServiceNameSize = 63;    // A Kubernetes name (DNS label).
inline constexpr size_t kMaxServiceBackends = 1000;
inline constexpr uint64_t kMaxBackendWeight = 1000;  // np::nat::kMaxBackendWeight.
inline constexpr uint64_t kMinAffinityTimeoutS = 1;
inline constexpr uint64_t kMaxAffinityTimeoutS = 86400;
inline constexpr uint64_t kMinConntrackFlows = 1024;
inline constexpr uint64_t kMaxConntrackFlows = 1u << 24;
inline constexpr uint64_t kMinConntrackTimeoutS = 1;
inline constexpr uint64_t kMaxConntrackTimeoutS = 2592000;  // 30 days.
inline constexpr size_t kMaxPortSecurityIps = 8;            // Addresses a port may send from.
inline constexpr size_t kMaxAttachmentFieldSize = 256;      // Bytes of each attachment field.

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
// A Kubernetes name (RFC 1123 label): 1-63 of a-z 0-9 -, starting and ending alphanumeric.
bool is_service_name(std::string_view name);
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

// IPv4 addresses and prefixes in host byte order.
//
// Four decimal octets 0..255 separated by dots, without leading zeros ("010" is refused
// rather than read as decimal or octal).
bool parse_ipv4(std::string_view text, uint32_t& addr);
std::string format_ipv4(uint32_t addr);
// "A.B.C.D/LEN".
std::string format_prefix(uint32_t addr, uint8_t len);
uint32_t ipv4_mask(uint8_t len);
// Reads "A.B.C.D/LEN" with LEN in min_len..32 (host bits may be set). Returns what is wrong
// ("prefix length 33 out of range 0-32"), or an empty string and fills `addr` and `len`.
std::string parse_ipv4_prefix(std::string_view text, uint8_t min_len, uint32_t& addr, uint8_t& len);
// "prefix 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?", or empty.
std::string host_bits_problem(uint32_t addr, uint8_t len);
// Whether `ip` is in the subnet net/len (host bits of `net` ignored).
bool in_subnet(uint32_t net, uint8_t len, uint32_t ip);
// Whether two subnets share any address (one holds the other).
bool subnets_overlap(uint32_t a, uint8_t a_len, uint32_t b, uint8_t b_len);
// The name of a subnet's network ("network") or broadcast ("broadcast") address that `ip`
// is, for subnets of /30 and wider; nullptr otherwise.
const char* reserved_address_kind(uint32_t ip, uint8_t len);
// Whether `ip` can be a host's address: not 0.0.0.0/8, 127.0.0.0/8, multicast or 240.0.0.0/4
// (nor the limited broadcast).
bool is_host_address(uint32_t ip);
// Whether `mac` is unicast and not all zeros.
bool is_unicast_mac(const MacAddress& mac);

// The refusal of a port beyond kMaxPorts.
std::string too_many_ports();
// What is wrong with a port's security settings, naming the field below `security`
// ("ips[1]: 224.0.0.1 is not a unicast host address"); empty if nothing.
std::string port_security_problem(const PortSecurityConfig& security);
// What is wrong with a port's attachment ("container_id: longer than 256 bytes"); empty if
// nothing.
std::string port_attachment_problem(const PortAttachmentConfig& attachment);

}  // namespace np::control
