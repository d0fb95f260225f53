// Checks a whole desired state built by the API: every value within SPEC.md's rules, every
// reference resolved, no duplicates. The YAML loader checks the same rules (config_rules.h)
// while it reads, so that it can point at FILE:LINE:COL.
//
// Thread: any.
#pragma once

#include "np/control/config.h"
#include "np/control/status.h"

namespace np::control {

// INVALID_ARGUMENT naming the resource and field ("port 'pod1': queues: ...") or ok.
Status validate_config(const Config& config);

}  // namespace np::control
