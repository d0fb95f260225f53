// Checks a whole desired state built by the API: every value within SPEC.md's rules, every
// reference resolved, no duplicates. The YAML loader checks the same rules (config_rules.h)
// while it reads, so that it can point at FILE:LINE:COL.
//
// Thread: any.
#pragma once

#include "np/control/config.h"
#include "np/control/status.h"

namespace np::control {

// INVALID_ARGUMENT naming the resource and field ("port 'pod1': queues: ...") or ok. A
// reference to what does not exist is NOT_FOUND; one to what exists but cannot take it (a
// bridged port as a routed port, a next hop on no interface's subnet) FAILED_PRECONDITION.
Status validate_config(const Config& config);

// The rules of interfaces, routes and neighbors, against the ports and bridge domains of
// `config` (part of validate_config). On error, sets `*where` (if given) to the mark of the
// entry at fault, so that the loader can point at it.
Status validate_l3(const Config& config, SourceMark* where = nullptr);

// The rules of the connection table settings, the node port range and the services (part of
// validate_config): values in range, names, VIPs and node ports unique, no VIP that is one
// of our addresses, node ports within the range, backends unicast and unique per service.
// On error, sets `*where` (if given) to the mark of the entry or value at fault.
Status validate_services(const Config& config, SourceMark* where = nullptr);

}  // namespace np::control
