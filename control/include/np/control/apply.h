// Turns the desired state (Config) into data-plane options, ports and tables.
//
// Thread: control only.
#pragma once

#include <optional>
#include <vector>

#include "np/control/config.h"
#include "np/control/status.h"
#include "np/dp/dataplane.h"

namespace np::control {

dp::PortSpec port_spec(const PortConfig& port);
// The port's anti-spoofing settings as the data plane takes them (none if unset).
std::optional<dp::PortSecuritySpec> port_security_spec(const PortConfig& port);
dp::BridgeDomainSpec domain_spec(const BridgeDomainConfig& domain);
std::vector<dp::BridgeDomainSpec> domain_specs(const Config& config);
dp::InterfaceSpec interface_spec(const InterfaceConfig& interface);
dp::RouteSpec route_spec(const RouteConfig& route);
dp::NeighborSpec neighbor_spec(const NeighborConfig& neighbor);
dp::VxlanSpec vxlan_spec(const VxlanConfig& vxlan);
// The interfaces, routes, static neighbors and VXLAN settings of `config`.
dp::L3Spec l3_spec(const Config& config);
bool has_l3(const Config& config);
// The services, connection timeouts and node port range of `config` (the Maglev size stays
// the data plane's default).
dp::ServicesSpec services_spec(const Config& config);
// Whether `config` has services, or timeouts or a node port range other than the defaults
// (the data plane starts without services and with the defaults).
bool has_services(const Config& config);
dp::EalOptions eal_options(const Config& config);
dp::DataplaneOptions dataplane_options(const Config& config);
// Creates every port and bridge domain of `config`, then its interfaces, routes, neighbors
// and VXLAN tunnels (which need their ports and domains), then its services; stops at the
// first failure.
Status apply_config(const Config& config, dp::Dataplane& dataplane);

}  // namespace np::control
