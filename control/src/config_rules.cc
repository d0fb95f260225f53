#include "np/control/config_rules.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <cctype>

#include "np/control/mac_address.h"

namespace np::control {
namespace {

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool has_only(std::string_view text, std::string_view punctuation) {
  return std::all_of(text.begin(), text.end(), [punctuation](char c) {
    return is_ascii_alnum(c) || punctuation.find(c) != std::string_view::npos;
  });
}

// Whether `text` has the shape of `pattern`, where 'x' stands for any hex digit.
bool has_shape(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool matches = pattern[i] == 'x' ? std::isxdigit(static_cast<unsigned char>(text[i])) != 0
                                           : text[i] == pattern[i];
    if (!matches) return false;
  }
  return true;
}

bool has_space_or_slash(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return c == '/' || std::isspace(static_cast<unsigned char>(c));
  });
}

}  // namespace

bool parse_decimal(std::string_view text, uint64_t& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    value = value > (UINT64_MAX - digit) / 10 ? UINT64_MAX : value * 10 + digit;
  }
  return true;
}

bool is_service_name(std::string_view name) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return !name.empty() && name.size() <= kMaxServiceNameSize && lower_alnum(name.front()) &&
         lower_alnum(name.back()) &&
         std::all_of(name.begin(), name.end(), [&](char c) { return lower_alnum(c) || c == '-'; });
}

bool is_file_prefix(std::string_view prefix) { return has_only(prefix, "_-"); }

bool is_port_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxPortNameSize && has_only(name, "_.-");
}

bool is_iface_name(std::string_view name) {
  return !name.empty() && name.size() < IFNAMSIZ && name != "." && name != ".." &&
         !has_space_or_slash(name) && name.find(':') == std::string_view::npos;
}

bool is_pci_address(std::string_view text) {
  const bool shaped = has_shape(text, "xxxx:xx:xx.x") || has_shape(text, "xx:xx.x");
  return shaped && text.back() <= '7';  // Functions are 0-7.
}

bool is_unix_socket_path(std::string_view path) {
  return !path.empty() && path.front() == '/' && path.size() <= kMaxUnixPathSize;
}

std::optional<std::string_view> listen_host(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view host = text.substr(0, colon);
  uint64_t port = 0;
  if (host.empty() || has_space_or_slash(host) || !parse_decimal(text.substr(colon + 1), port) ||
      port == 0 || port > kMaxTcpPort) {
    return std::nullopt;
  }
  return host;
}

bool is_api_address(std::string_view text) {
  if (text.substr(0, kUnixScheme.size()) == kUnixScheme) {
    return is_unix_socket_path(text.substr(kUnixScheme.size()));
  }
  if (text.substr(0, kTcpScheme.size()) != kTcpScheme) return false;
  const std::optional<std::string_view> host = listen_host(text.substr(kTcpScheme.size()));
  return host && contains(kLoopbackHosts, *host);
}

bool is_metrics_address(std::string_view text) {
  // civetweb binds IP literals only: IPv4, or IPv6 in brackets.
  const std::optional<std::string_view> host = listen_host(text);
  if (!host) return false;
  const bool bracketed = host->size() > 2 && host->front() == '[' && host->back() == ']';
  const std::string ip(bracketed ? host->substr(1, host->size() - 2) : *host);
  unsigned char addr[sizeof(in6_addr)];
  return inet_pton(bracketed ? AF_INET6 : AF_INET, ip.c_str(), addr) == 1;
}

bool port_type_has_key(PortType type, std::string_view key) {
  switch (type) {
    case PortType::kVhostUser:
      return key == "socket" || key == "client";
    case PortType::kAfPacket:
    case PortType::kTap:
      return key == "iface";
    case PortType::kPci:
      return key == "device";
    case PortType::kVirtioUser:
      return key == "path";
    case PortType::kRing:
    case PortType::kNull:
      return false;
  }
  return false;
}

const char* port_type_required_key(PortType type) {
  switch (type) {
    case PortType::kVhostUser:
      return "socket";
    case PortType::kAfPacket:
    case PortType::kTap:
      return "iface";
    case PortType::kPci:
      return "device";
    case PortType::kVirtioUser:
      return "path";
    case PortType::kRing:
    case PortType::kNull:
      return nullptr;
  }
  return nullptr;
}

std::string port_type_list() {
  std::string list;
  for (PortType type : kPortTypes) {
    if (!list.empty()) list += type == kPortTypes[std::size(kPortTypes) - 1] ? " or " : ", ";
    list += port_type_name(type);
  }
  return list;
}

bool parse_ipv4(std::string_view text, uint32_t& addr) {
  uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (text.empty() || text.front() != '.') return false;
      text.remove_prefix(1);
    }
    size_t digits = 0;
    while (digits < text.size() && digits < 4 && text[digits] >= '0' && text[digits] <= '9')
      ++digits;
    uint64_t part = 0;
    if (digits == 0 || digits > 3 || (digits > 1 && text[0] == '0') ||
        !parse_decimal(text.substr(0, digits), part) || part > 255)
      return false;
    value = value << 8 | static_cast<uint32_t>(part);
    text.remove_prefix(digits);
  }
  if (!text.empty()) return false;
  addr = value;
  return true;
}

std::string format_ipv4(uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 0xff) + "." +
         std::to_string((addr >> 8) & 0xff) + "." + std::to_string(addr & 0xff);
}

std::string format_prefix(uint32_t addr, uint8_t len) {
  return format_ipv4(addr) + "/" + std::to_string(len);
}

uint32_t ipv4_mask(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

std::string parse_ipv4_prefix(std::string_view text, uint8_t min_len, uint32_t& addr,
                              uint8_t& len) {
  const std::string shape = "'" + std::string(text) + "' is not an IPv4 prefix A.B.C.D/LEN";
  const size_t slash = text.find('/');
  uint32_t parsed = 0;
  uint64_t length = 0;
  if (slash == std::string_view::npos || !parse_ipv4(text.substr(0, slash), parsed) ||
      !parse_decimal(text.substr(slash + 1), length))
    return shape;
  if (length < min_len || length > 32)
    return "prefix length " + std::string(text.substr(slash + 1)) + " out of range " +
           std::to_string(min_len) + "-32";
  addr = parsed;
  len = static_cast<uint8_t>(length);
  return {};
}

std::string host_bits_problem(uint32_t addr, uint8_t len) {
  const uint32_t network = addr & ipv4_mask(len);
  if (network == addr) return {};
  return "prefix " + format_prefix(addr, len) + " has host bits set; did you mean " +
         format_prefix(network, len) + "?";
}

bool in_subnet(uint32_t net, uint8_t len, uint32_t ip) {
  return ((net ^ ip) & ipv4_mask(len)) == 0;
}

bool subnets_overlap(uint32_t a, uint8_t a_len, uint32_t b, uint8_t b_len) {
  return in_subnet(a, std::min(a_len, b_len), b);
}

const char* reserved_address_kind(uint32_t ip, uint8_t len) {
  if (len > 30) return nullptr;
  const uint32_t host = ip & ~ipv4_mask(len);
  if (host == 0) return "network";
  if (host == ~ipv4_mask(len)) return "broadcast";
  return nullptr;
}

bool is_host_address(uint32_t ip) {
  const uint32_t first = ip >> 24;
  return first != 0 && first != 127 && first < 224;
}

bool is_unicast_mac(const MacAddress& mac) { return (mac[0] & 1) == 0 && mac != MacAddress{}; }

std::string too_many_ports() {
  return "ports: at most " + std::to_string(kMaxPorts) +
         " (each is a DPDK port, and RTE_MAX_ETHPORTS of this DPDK build is " +
         std::to_string(kMaxPorts) + ")";
}

std::string port_security_problem(const PortSecurityConfig& security) {
  if (!is_unicast_mac(security.mac))
    return "mac: " + format_mac(security.mac) + " is not a unicast address";
  if (security.ips.empty() || security.ips.size() > kMaxPortSecurityIps)
    return "ips: 1 to " + std::to_string(kMaxPortSecurityIps) + " addresses, got " +
           std::to_string(security.ips.size());
  for (size_t k = 0; k < security.ips.size(); ++k) {
    const std::string field = "ips[" + std::to_string(k) + "]: " + format_ipv4(security.ips[k]);
    if (!is_host_address(security.ips[k])) return field + " is not a unicast host address";
    if (std::find(security.ips.begin(), security.ips.begin() + k, security.ips[k]) !=
        security.ips.begin() + k)
      return field + " is listed twice";
  }
  return {};
}

std::string port_attachment_problem(const PortAttachmentConfig& attachment) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"network", &attachment.network},
      {"container_id", &attachment.container_id},
      {"ifname", &attachment.ifname}};
  for (const auto& [name, value] : fields)
    if (value->size() > kMaxAttachmentFieldSize)
      return std::string(name) + ": longer than " + std::to_string(kMaxAttachmentFieldSize) +
             " bytes";
  return {};
}

}  // namespace np::control
