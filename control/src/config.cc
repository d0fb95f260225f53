#include "np/control/config.h"

namespace np::control {

const char* port_type_name(PortType type) {
  switch (type) {
    case PortType::kVhostUser:
      return "vhost-user";
    case PortType::kAfPacket:
      return "af-packet";
    case PortType::kTap:
      return "tap";
    case PortType::kPci:
      return "pci";
    case PortType::kVirtioUser:
      return "virtio-user";
    case PortType::kRing:
      return "ring";
    case PortType::kNull:
      return "null";
  }
  return "unknown";
}

const char* protocol_name(ServiceProtocol protocol) {
  return protocol == ServiceProtocol::kUdp ? "udp" : "tcp";
}

const char* affinity_name(ServiceAffinity affinity) {
  return affinity == ServiceAffinity::kClientIp ? "client_ip" : "none";
}

}  // namespace np::control
