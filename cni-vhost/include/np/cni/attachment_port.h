// The nodeplane port of one attachment (network, container, interface): what ADD asks for,
// and how DEL, CHECK and GC recognize a port as ours.
//
// Thread: any.
#pragma once

#include <string>
#include <vector>

#include "nodeplane.pb.h"

namespace np::cni {

struct AttachmentKey {
  std::string network;
  std::string container_id;
  std::string ifname;
};

struct PortRequest {
  std::string name;
  std::string socket;
  bool client = false;
  std::string mac;               // The pod's; anti-spoofing, not the port's own MAC.
  std::vector<std::string> ips;  // The pod's IPv4 addresses, without prefix lengths.
  AttachmentKey owner;
};

// The vhost-user port for `request`. `mac` and `mtu` stay unset: the vhost PMD cannot set
// them (ENOTSUP); the pod's MAC goes into `security` and its MTU into the pod's JSON.
nodeplane::v1::Port make_port(const PortRequest& request);

// True when `port` carries `owner` as its attachment.
bool is_owned_by(const nodeplane::v1::Port& port, const AttachmentKey& owner);

// "network N, container C, interface I", or "no attachment" (for messages).
std::string describe_owner(const nodeplane::v1::Port& port);

// What differs between the port nodeplane has and the one `request` describes (one phrase
// each, for CHECK); empty when they agree. `bridge_domain` is the one it should be in.
std::vector<std::string> port_differences(const nodeplane::v1::PortStatus& have,
                                          const PortRequest& want, uint32_t bridge_domain);

}  // namespace np::cni
