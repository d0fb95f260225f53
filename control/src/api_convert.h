// Between the API's messages (nodeplane.v1) and the config model. Requests are checked for
// form here (enums, MAC syntax, list sizes), with messages naming the request field; the
// rules on values and references are validate_config's.
//
// Thread: any.
#pragma once

#include "nodeplane.pb.h"
#include "np/control/config.h"
#include "np/control/status.h"
#include "np/dp/dataplane.h"

namespace np::control {

// Longest list a request may carry (ports of a domain, static MACs, next hops).
inline constexpr int kMaxListSize = 4096;

Status from_proto(const nodeplane::v1::Port& in, PortConfig& out);
Status from_proto(const nodeplane::v1::BridgeDomain& in, BridgeDomainConfig& out);
Status from_proto(const nodeplane::v1::StaticMac& in, const std::string& field,
                  StaticMacConfig& out);
Status from_proto(const nodeplane::v1::Interface& in, InterfaceConfig& out);
Status from_proto(const nodeplane::v1::Route& in, RouteConfig& out);
Status from_proto(const nodeplane::v1::Neighbor& in, NeighborConfig& out);
// The VTEP's settings only (local_ip, port, mac); an empty local_ip is 0 (off).
Status from_proto(const nodeplane::v1::Vxlan& in, VxlanConfig& out);
Status from_proto(const nodeplane::v1::VxlanTunnel& in, VxlanTunnelConfig& out);
Status from_proto(const nodeplane::v1::VxlanStaticMac& in, VxlanStaticMacConfig& out);
// Form errors name the field ("service.backends[1].ip: ..."); weight 0 is 1, an
// affinity_timeout_s of 0 is unset (the default with client_ip).
Status from_proto(const nodeplane::v1::Service& in, ServiceConfig& out);
Status parse_mac_field(const std::string& text, const std::string& field, MacAddress& out);
Status parse_ipv4_field(const std::string& text, const std::string& field, uint32_t& out);
// "A.B.C.D/LEN" with LEN in min_len..32; with `network`, host bits must be clear.
Status parse_prefix_field(const std::string& text, const std::string& field, uint8_t min_len,
                          bool network, uint32_t& addr, uint8_t& len);

void to_proto(const PortConfig& in, nodeplane::v1::Port& out);
void to_proto(const BridgeDomainConfig& in, nodeplane::v1::BridgeDomain& out);
void to_proto(const dp::PortStats& in, nodeplane::v1::PortCounters& out);
void to_proto(const dp::WorkerStats& in, nodeplane::v1::WorkerStats& out);
void to_proto(const dp::MacRow& in, nodeplane::v1::MacEntry& out);
void to_proto(const InterfaceConfig& in, nodeplane::v1::Interface& out);
void to_proto(const RouteConfig& in, nodeplane::v1::Route& out);
void to_proto(const dp::NeighborRow& in, nodeplane::v1::Neighbor& out);
void to_proto(const dp::L3Stats& in, nodeplane::v1::L3Stats& out);
void to_proto(const VxlanConfig& in, nodeplane::v1::Vxlan& out);
void to_proto(const VxlanTunnelConfig& in, nodeplane::v1::VxlanTunnel& out);
void to_proto(const VxlanStaticMacConfig& in, nodeplane::v1::VxlanStaticMac& out);
void to_proto(const dp::VxlanPortOffload& in, nodeplane::v1::VxlanPortOffload& out);
void to_proto(const dp::VxlanVniStats& in, nodeplane::v1::VxlanVniCounters& out);
void to_proto(const dp::VxlanStats& in, nodeplane::v1::VxlanStats& out);
// The service as configured, with its counters (and its backends') from `stats`, zeros for
// what the data plane has not reported.
void to_proto(const ServiceConfig& in, const dp::ServicesStats& stats, nodeplane::v1::Service& out);
void to_proto(const dp::ServicesStats& in, nodeplane::v1::ServicesStats& out);
void to_proto(const dp::ConnectionRow& in, nodeplane::v1::Connection& out);
// The tunnels of `config` (L2 VNIs) then the L3 VNIs its routes use (bridge_domain 0, the
// routes' remote VTEPs), each with its counters from `stats`.
void fill_vxlan_tunnels(const Config& config, const dp::VxlanStats& stats,
                        nodeplane::v1::ListVxlanTunnelsResponse& out);

}  // namespace np::control
