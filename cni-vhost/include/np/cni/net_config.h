// The network configuration on stdin (CNI spec, "Section 1: Network configuration format"):
// the keys SPEC.md names for nodeplane-cni, and those the runtime adds.
//
// Thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "np/cni/env.h"
#include "np/cni/result.h"

namespace np::cni {

inline constexpr char kDefaultServer[] = "unix:///run/nodeplane/api.sock";
inline constexpr uint32_t kMaxBridgeDomain = 16777215;
inline constexpr uint32_t kMinMtu = 68;
inline constexpr uint32_t kMaxMtu = 9600;

// One entry of cni.dev/valid-attachments (GC).
struct Attachment {
  std::string container_id;
  std::string ifname;
  bool operator==(const Attachment& o) const {
    return container_id == o.container_id && ifname == o.ifname;
  }
};

struct NetConfig {
  std::string cni_version;
  std::string name;
  std::string server = kDefaultServer;  // unix:///PATH or tcp://HOST:PORT
  std::string socket_dir;               // Absolute, without a trailing '/'.
  uint32_t bridge_domain = 0;
  uint32_t mtu = 1500;
  bool client = false;          // true: the pod owns the socket and the dataplane connects to it.
  nlohmann::ordered_json ipam;  // The delegate's section, as given; ipam["type"] is a string.
  std::string ipam_type;
  std::optional<Dns> dns;
  std::string runtime_mac;                    // runtimeConfig.mac, normalized; "" = none.
  std::optional<nlohmann::json> prev_result;  // As given; parse_result() decodes it.
  std::optional<std::vector<Attachment>> valid_attachments;  // GC's keep list.
  nlohmann::ordered_json raw;  // The whole config, to hand to the delegate.
};

// The cniVersion of `stdin_text` if it is JSON with a string cniVersion; nullopt otherwise.
// Errors are reported in this version when it is one we support.
std::optional<std::string> peek_version(const std::string& stdin_text);

// Parses and checks the network configuration for `command` (VERSION reads only cniVersion).
// Throws CniError: 6 when it is not a JSON object, 1 for an unsupported cniVersion (or one
// below 1.1.0 for GC and STATUS), 7 naming the key for anything missing or of the wrong type
// or value. Checks nothing on disk or on the daemon.
NetConfig parse_net_config(const std::string& stdin_text, Command command);

// The unix socket path of a `unix://` server, or "" for tcp.
std::string server_socket_path(const std::string& server);

}  // namespace np::cni
