#!/usr/bin/env bash
# Installs what is needed, builds, and runs nodeplane on the built-in demo topology: two
# kernel pods on vhost-user behind their gateway, a kernel host on a routed af-packet
# uplink, a service load-balanced over HTTP servers in the pods; pings and a curl a second
# while the daemon prints its stats.
#   sudo ./demo.sh [--duration SECONDS]     (0 runs until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")"
bash tests/testlib/setup_host.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build nodeplane np-pod-shim
exec python3 tests/integration/demo.py --nodeplane build/nodeplane --shim build/np-pod-shim "$@"
