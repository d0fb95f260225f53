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

}  // namespace np::control
