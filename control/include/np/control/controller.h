// The one internal function per operation that the gRPC API (and later the CLI paths)
// call: each builds the new desired state, validates it whole, applies the difference to the
// data plane, persists it, and only then makes it current. Add replaces what has the same
// name; Delete of what is absent succeeds with deleted = false.
//
// Thread: control only (the tables' single writer); other threads go through ControlQueue.
#pragma once

#include <string>

#include "np/control/config.h"
#include "np/control/status.h"
#include "np/dp/dataplane.h"

namespace np::control {

class Controller {
 public:
  // `current` is what apply_config has already built in `dataplane`.
  Controller(dp::Dataplane& dataplane, Config current);

  const Config& state() const { return state_; }

  // Creates or replaces the port. A `bridge_domain` other than 0 also makes the port a member
  // of that domain (and of no other; its static MACs elsewhere go) in the same commit;
  // NOT_FOUND, with nothing changed, if there is no such domain. A port whose settings
  // differ only in `security` or `attachment` is not reopened.
  Status add_port(const PortConfig& port, uint32_t bridge_domain = 0);
  // Also removes the port from its bridge domain (and its static MACs). FAILED_PRECONDITION
  // while an interface is on the port.
  Status delete_port(const std::string& name, bool& deleted);
  Status add_bridge_domain(const BridgeDomainConfig& domain);
  // FAILED_PRECONDITION while the domain has an interface or a VXLAN tunnel.
  Status delete_bridge_domain(uint32_t id, bool& deleted);
  Status add_static_mac(uint32_t domain_id, const StaticMacConfig& mac);
  Status delete_static_mac(uint32_t domain_id, const MacAddress& mac, bool& deleted);
  Status add_interface(const InterfaceConfig& interface);
  // Also removes the interface's static neighbors. FAILED_PRECONDITION while a route goes
  // through the interface (names it, or has a next hop on its subnet), or while its address
  // is our VTEP's (vxlan.local_ip).
  Status delete_interface(const std::string& name, bool& deleted);
  // Replaces the route with the same prefix.
  Status add_route(const RouteConfig& route);
  Status delete_route(uint32_t prefix, uint8_t prefix_len, bool& deleted);
  // Replaces the neighbor with the same interface and IP.
  Status add_neighbor(const NeighborConfig& neighbor);
  // An empty `interface` matches any (subnets do not overlap, so an IP is on one interface).
  Status delete_neighbor(uint32_t ip, const std::string& interface, bool& deleted);
  // Sets our VTEP's local_ip, port and mac; keeps the tunnels and static MACs. A local_ip of
  // 0 turns VXLAN off (refused while tunnels or routes use it).
  Status set_vxlan(const VxlanConfig& settings);
  // Replaces the tunnel with the same VNI.
  Status add_vxlan_tunnel(const VxlanTunnelConfig& tunnel);
  // Also removes the tunnel's static MACs.
  Status delete_vxlan_tunnel(uint32_t vni, bool& deleted);
  // Replaces the static MAC with the same VNI and MAC.
  Status add_vxlan_static_mac(const VxlanStaticMacConfig& mac);
  Status delete_vxlan_static_mac(uint32_t vni, const MacAddress& mac, bool& deleted);
  // Replaces the service with the same name (its flows stay where its new definition allows:
  // those of removed backends end).
  Status add_service(const ServiceConfig& service);
  Status delete_service(const std::string& name, bool& deleted);

 private:
  friend class ControllerTest;  // tests/unit/control/controller_test.cc commits whole configs.

  // Validates `desired`, applies it, saves it; on any failure nothing has changed. The
  // connection table's size (conntrack.max_flows) is fixed at start: a change is refused.
  Status commit(Config desired);

  dp::Dataplane& dataplane_;
  Config state_;
};

}  // namespace np::control
