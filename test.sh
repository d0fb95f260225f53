#!/usr/bin/env bash
# Installs what is needed, builds with CMake, and runs every test (unit and integration).
#   sudo ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
bash tests/testlib/setup_host.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build
ctest --test-dir build --output-on-failure --timeout 600
