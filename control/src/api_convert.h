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

// Longest list a request may carry (ports of a domain, static MACs).
inline constexpr int kMaxListSize = 4096;

Status from_proto(const nodeplane::v1::Port& in, PortConfig& out);
Status from_proto(const nodeplane::v1::BridgeDomain& in, BridgeDomainConfig& out);
Status from_proto(const nodeplane::v1::StaticMac& in, const std::string& field,
                  StaticMacConfig& out);
Status parse_mac_field(const std::string& text, const std::string& field, MacAddress& out);

void to_proto(const PortConfig& in, nodeplane::v1::Port& out);
void to_proto(const BridgeDomainConfig& in, nodeplane::v1::BridgeDomain& out);
void to_proto(const dp::PortStats& in, nodeplane::v1::PortCounters& out);
void to_proto(const dp::WorkerStats& in, nodeplane::v1::WorkerStats& out);
void to_proto(const dp::MacRow& in, nodeplane::v1::MacEntry& out);

}  // namespace np::control
