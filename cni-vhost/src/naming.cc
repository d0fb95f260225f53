#include "np/cni/naming.h"

#include <cctype>
#include <cstdio>

namespace np::cni {

bool is_cni_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

uint64_t fnv1a64(const std::string& data) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string port_name(const std::string& network, const std::string& container_id,
                      const std::string& ifname) {
  std::string key = network;
  key.push_back('\0');
  key += container_id;
  key.push_back('\0');
  key += ifname;
  char hash[9];
  snprintf(hash, sizeof(hash), "%08x", static_cast<unsigned>(fnv1a64(key) & 0xffffffffu));
  return "cni-" + container_id.substr(0, 12) + "-" + hash;
}

std::string socket_path(const std::string& socket_dir, const std::string& port) {
  return socket_dir + (socket_dir.back() == '/' ? "" : "/") + port + ".sock";
}

std::string pod_file_path(const std::string& socket_dir, const std::string& port) {
  return socket_dir + (socket_dir.back() == '/' ? "" : "/") + port + ".json";
}

std::string mac_from_ipv4(uint32_t ipv4) {
  char out[18];
  snprintf(out, sizeof(out), "0a:58:%02x:%02x:%02x:%02x", (ipv4 >> 24) & 0xff, (ipv4 >> 16) & 0xff,
           (ipv4 >> 8) & 0xff, ipv4 & 0xff);
  return out;
}

std::optional<std::string> normalize_unicast_mac(const std::string& text) {
  if (text.size() != 17) return std::nullopt;
  unsigned char bytes[6];
  bool zero = true;
  for (int i = 0; i < 6; ++i) {
    const char hi = text[i * 3], lo = text[i * 3 + 1];
    if (i < 5 && text[i * 3 + 2] != ':') return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (hex(hi) < 0 || hex(lo) < 0) return std::nullopt;
    bytes[i] = static_cast<unsigned char>(hex(hi) * 16 + hex(lo));
    zero = zero && bytes[i] == 0;
  }
  if (zero || (bytes[0] & 1)) return std::nullopt;  // Zero or group (multicast, broadcast).
  char out[18];
  snprintf(out, sizeof(out), "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
           bytes[3], bytes[4], bytes[5]);
  return std::string(out);
}

}  // namespace np::cni
