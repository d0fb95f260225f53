#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and run nodeplane (as root; idempotent): installs
# the packages the build, tests and demo use, and reserves and mounts 2 MB hugepages.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build meson pkg-config clang clang-format
  dpdk dpdk-dev libdpdk-dev libyaml-cpp-dev libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libcivetweb-dev prometheus
  python3 iproute2 iputils-ping netcat-openbsd ethtool traceroute curl tcpdump
  nlohmann-json3-dev containernetworking-plugins python3-jsonschema
  golang-go golang-github-appc-cni-dev
)
HUGEPAGES=${NP_HUGEPAGES:-1024}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if (($(cat /proc/sys/vm/nr_hugepages) < HUGEPAGES)); then
  echo "$HUGEPAGES" >/proc/sys/vm/nr_hugepages
fi
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
echo "setup: $(grep HugePages_Free /proc/meminfo | tr -s ' ') (2 MB each)"
