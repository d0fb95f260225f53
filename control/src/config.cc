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

}  // namespace np::control
