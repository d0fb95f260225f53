// nodeplane's counters through DPDK telemetry, so `dpdk-telemetry.py -f FILE_PREFIX` (or any
// client of the telemetry socket) reads them from the live daemon:
//   /nodeplane/ports               names of the ports
//   /nodeplane/port_stats,NAME     rx/tx packets and bytes, link, drops by reason
//   /nodeplane/workers             lcores of the workers
//   /nodeplane/worker_stats,LCORE  polls, packets, busy and idle cycles
//
// Thread: register_telemetry() on the main thread after EAL init. The callbacks run on
// DPDK's telemetry thread and take their snapshot through `snapshot`.
#pragma once

#include <functional>

#include "np/dp/dataplane.h"

namespace np::control {

// `snapshot` fills the stats (on the control thread) and returns false if it could not.
using StatsSnapshot = std::function<bool(dp::DataplaneStats&)>;

void register_telemetry(StatsSnapshot snapshot);
// Makes the callbacks answer with an error from now on (before the daemon tears down).
void unregister_telemetry();

}  // namespace np::control
