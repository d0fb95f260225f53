#!/usr/bin/env bash
# End-to-end L2 benchmark: nodeplane vs. testpmd io forwarding vs. OVS-DPDK (NORMAL action),
# each switching 64-byte frames between two vhost-user ports with one forwarding core, all
# driven by the same dpdk-testpmd generator on virtio_user ports. See perf/README.md.
# --mode routed: nodeplane routes IPv4 between two routed vhost-user ports instead, next to
# testpmd io forwarding, with an open-loop flowgen generator (README: why not the loop).
# --mode vxlan: port a is a pod's port, port b a VXLAN uplink; nodeplane encapsulates the
# pod's frames towards a remote VTEP and decapsulates what comes back, next to testpmd io
# forwarding; the generator is perf/e2e_reflector.cc (np-e2e-reflector), which plays the
# pod on a and the remote VTEP on b and reflects every frame (testpmd cannot: README).
# --mode service: ports a (clients' side) and b (backends' side) are routed, with a UDP
# service VIP:80 -> backend:8080 in between; np-e2e-reflector first opens --connections N
# connections, then keeps frames of randomly chosen ones going round: a client packet
# (DNAT), the backend's reply (reverse NAT), the client's next packet, and so on; the
# nodeplane leg runs once per connection count, next to testpmd io forwarding. The count
# "new" is the connection-rate leg: every packet through the switch opens a connection.
#
# Layout (2-core lab machine, LAB.md): the switch's forwarding core alone on CPU 1; the
# generator, the switch's main/control threads and OVS's non-PMD threads on CPU 0.
#
# Usage: perf/e2e_l2.sh [--mode l2|routed|vxlan|service] [--duration S] [--warmup S]
#                       [--rounds N] [--legs LIST] [--bursts N] [--flows N]
#                       [--connections LIST] [--logdir DIR] [--install]
#                       (run as root)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
CMDLINE=$(printf '%q ' "$0" "$@")
CMDLINE=${CMDLINE% }

DURATION=10          # measured window per leg, seconds
WARMUP=3             # traffic runs this long before the window opens
ROUNDS=1             # every leg runs once per round; the summary shows the median
BURSTS=""            # bursts of 32 frames per port put in the loop: default and at most 8 (l2,
                     # service: out of P only), 4 (vxlan), see README: closed loop
LEGS=""               # default: testpmd,ovs,nodeplane (l2); testpmd,nodeplane (other modes)
MODE=l2
FLOWS=256            # routed mode: flowgen's destinations 10.253.0.0 + 0..FLOWS-1
CONNECTIONS=1000,1000000,new  # service mode: the nodeplane leg runs once per count, each
                              # round; "new": every packet a new connection
NEW_WINDOW=1         # service mode, "new": the window, s (the table fills as it runs)
NEW_MAX_FLOWS=12000000  # service mode, "new": the table (a window of up to 12M new flows)
INSTALL=0
LOGDIR=""
HUGEPAGES_WANT=${HUGEPAGES_WANT:-}   # 2 MB pages; raised to this, never lowered (default
                                     # 1024; service mode 2048)
GEN_CPU=0
SW_CPU=1
PKT_LEN=64
MAC_A=02:00:00:00:00:01
MAC_B=02:00:00:00:00:02
# Routed mode: testpmd 22.11's flowgen sends every frame from FLOWGEN_SRC_MAC to
# FLOWGEN_DST_MAC, UDP 10.254.0.0:1000 -> 10.253.0.N:1001 (compiled in; --eth-peer and
# --tx-ip apply to txonly only). Both routed interfaces get FLOWGEN_DST_MAC, so every frame
# is addressed to the interface it enters.
FLOWGEN_DST_MAC=00:01:02:03:04:01
IP_A=10.1.0.1 GEN_IP_A=10.1.0.2   # interface a (port a) and the generator's port A behind it
IP_B=10.2.0.1 GEN_IP_B=10.2.0.2
# VXLAN mode: the reflector's port P (MAC_A, the pod) is on port a, its port U (MAC_U, the
# remote VTEP's uplink) on port b. nodeplane's uplink interface on b holds our VTEP
# LOCAL_VTEP with SWITCH_UPLINK_MAC; the remote VTEP REMOTE_VTEP has MAC_R behind it in VNI.
MAC_R=02:00:00:00:00:03
MAC_U=$MAC_B
SWITCH_UPLINK_MAC=02:00:00:00:01:01
LOCAL_VTEP=10.9.0.1 REMOTE_VTEP=10.9.0.2
VNI=100
# Service mode: nodeplane's interface a (SWITCH_A_MAC, IP_A/24) faces the clients: the
# reflector's port P (MAC_A, GEN_IP_A) is their router, the clients CLIENT_IP0.. live behind
# it in CLIENT_NET. Interface b (SWITCH_B_MAC, IP_B/24) faces the backend GEN_IP_B (the
# reflector's port U, MAC_U). One UDP service VIP:VIP_PORT -> GEN_IP_B:BACKEND_PORT.
SWITCH_A_MAC=02:00:00:00:01:0a
SWITCH_B_MAC=02:00:00:00:01:0b
CLIENT_NET=10.3.0.0/16 CLIENT_IP0=10.3.0.1
VIP=10.96.0.10 VIP_PORT=80 BACKEND_PORT=8080
NP_MEMORY_MB=512     # service mode: 1536 (the connection table of 1M connections: ~250 MB),
                     # 2048 with "new" (NEW_MAX_FLOWS connections: ~1.2 GB)
NODEPLANE=${NODEPLANE:-build/nodeplane}
REFLECTOR=${REFLECTOR:-build/np-e2e-reflector}
NPCTL=${NPCTL:-build/npctl}
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}

usage() {
  cat <<EOF
usage: $0 [options]      (as root)
  --duration S   measured window per leg in seconds (default $DURATION)
  --warmup S     traffic before the window opens (default $WARMUP)
  --rounds N     run every leg N times, interleaved; the summary shows medians (default $ROUNDS)
  --mode M       l2 (default): nodeplane bridges; routed: nodeplane routes IPv4 between two
                 routed ports (interfaces $IP_A/24, $IP_B/24), generator flowgen (open loop);
                 vxlan: port a a pod's, port b a VXLAN uplink (VNI $VNI, our VTEP $LOCAL_VTEP),
                 generator np-e2e-reflector (closed loop); service: routed ports a (clients)
                 and b (backend), UDP service $VIP:$VIP_PORT -> $GEN_IP_B:$BACKEND_PORT, generator
                 np-e2e-reflector (closed loop through established connections)
  --legs LIST    comma-separated subset of testpmd,ovs,nodeplane (default all; routed, vxlan
                 and service modes: testpmd,nodeplane, OVS has no leg there)
  --bursts N     bursts of 32 frames per port injected into the loop: l2 1..8 (default 8),
                 vxlan 1..4 (default 4; both ports' frames share one loop there), service
                 1..8 (default 8; injected out of P only)
  --flows N      routed: flowgen destinations 10.253.0.0 + 0..N-1, 2..65536 (default $FLOWS)
  --connections LIST  service: comma-separated connection counts, 1..1000000 each, or
                 "new"; the nodeplane leg runs once per count in every round (default
                 $CONNECTIONS). "new": no connections beforehand; for a ${NEW_WINDOW}-s window
                 every client packet opens a connection (the table holds $NEW_MAX_FLOWS)
  --logdir DIR   keep every process's log in DIR (default: logs are deleted)
  --install      apt-get install openvswitch-switch-dpdk (and dpdk if dpdk-testpmd is
                 missing) and select ovs-vswitchd-dpdk with update-alternatives
  -h, --help     this text
env: NODEPLANE (default build/nodeplane, relative to the repo), REFLECTOR (default
     build/np-e2e-reflector), NPCTL (default build/npctl), OVS_VSWITCHD (default
     $OVS_VSWITCHD), HUGEPAGES_WANT (default 1024; service mode 2048)
EOF
}

die() { echo "e2e_l2: error: $*" >&2; exit 1; }
log() { echo "e2e_l2: $*"; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) DURATION=${2:-}; shift 2 ;;
    --duration=*) DURATION=${1#*=}; shift ;;
    --warmup) WARMUP=${2:-}; shift 2 ;;
    --warmup=*) WARMUP=${1#*=}; shift ;;
    --rounds) ROUNDS=${2:-}; shift 2 ;;
    --rounds=*) ROUNDS=${1#*=}; shift ;;
    --legs) LEGS=${2:-}; shift 2 ;;
    --legs=*) LEGS=${1#*=}; shift ;;
    --bursts) BURSTS=${2:-}; shift 2 ;;
    --bursts=*) BURSTS=${1#*=}; shift ;;
    --mode) MODE=${2:-}; shift 2 ;;
    --mode=*) MODE=${1#*=}; shift ;;
    --flows) FLOWS=${2:-}; shift 2 ;;
    --flows=*) FLOWS=${1#*=}; shift ;;
    --connections) CONNECTIONS=${2:-}; shift 2 ;;
    --connections=*) CONNECTIONS=${1#*=}; shift ;;
    --logdir) LOGDIR=${2:-}; shift 2 ;;
    --logdir=*) LOGDIR=${1#*=}; shift ;;
    --install) INSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
if ! is_uint "$DURATION" || [[ $DURATION -lt 1 ]]; then die "--duration must be a whole number >= 1"; fi
is_uint "$WARMUP" || die "--warmup must be a whole number"
if ! is_uint "$ROUNDS" || [[ $ROUNDS -lt 1 ]]; then die "--rounds must be a whole number >= 1"; fi
case $MODE in l2|routed|vxlan|service) ;; *) die "--mode must be l2, routed, vxlan or service" ;; esac
# No ring of the loop may overflow: a 256-entry vring holds all the frames of a loop. In l2
# mode each direction is a loop of its own (8 x 32 per port); in vxlan mode every frame goes
# back out of the reflector's port it came in on, so both ports' frames share one loop.
MAX_BURSTS=8
if [[ $MODE == vxlan ]]; then MAX_BURSTS=4; fi
BURSTS=${BURSTS:-$MAX_BURSTS}
if ! is_uint "$BURSTS" || [[ $BURSTS -lt 1 || $BURSTS -gt $MAX_BURSTS ]]; then
  die "--bursts must be 1..$MAX_BURSTS in $MODE mode ($MAX_BURSTS x 32 frames per port fill a 256-entry vring; more would overflow it)"
fi
if ! is_uint "$FLOWS" || [[ $FLOWS -lt 2 || $FLOWS -gt 65536 ]]; then die "--flows must be 2..65536"; fi
# At most 1M connections: nodeplane's memory_mb in service mode (1536) is sized for them.
CONN_LIST=()
for c in ${CONNECTIONS//,/ }; do
  if [[ $c != new ]] && { ! is_uint "$c" || [[ $c -lt 1 || $c -gt 1000000 ]]; }; then
    die "--connections: '$c' is neither a count in 1..1000000 nor 'new'"
  fi
  [[ $c == new ]] || c=$((10#$c))
  [[ " ${CONN_LIST[*]} " != *" $c "* ]] || die "--connections: $c given twice"
  CONN_LIST+=("$c")
done
[[ ${#CONN_LIST[@]} -gt 0 ]] || die "--connections needs at least one count"
if [[ $MODE == service ]]; then
  NP_MEMORY_MB=1536
  if [[ " ${CONN_LIST[*]} " == *" new "* ]]; then NP_MEMORY_MB=2048; fi
  HUGEPAGES_WANT=${HUGEPAGES_WANT:-2048}
fi
HUGEPAGES_WANT=${HUGEPAGES_WANT:-1024}
is_uint "$HUGEPAGES_WANT" || die "HUGEPAGES_WANT must be a whole number"
if [[ -z $LEGS ]]; then
  if [[ $MODE == l2 ]]; then LEGS="testpmd,ovs,nodeplane"; else LEGS="testpmd,nodeplane"; fi
fi
for l in ${LEGS//,/ }; do
  case $l in testpmd|ovs|nodeplane) ;; *) die "unknown leg '$l' in --legs" ;; esac
done
want_leg() { [[ ",$LEGS," == *",$1,"* ]]; }

[[ $(id -u) -eq 0 ]] || die "run as root (hugepages, vhost-user, network namespaces)"
[[ $(nproc --all) -ge 2 ]] || die "needs at least 2 CPUs (switch core on CPU $SW_CPU)"
[[ $NODEPLANE == /* ]] || NODEPLANE="$REPO_DIR/$NODEPLANE"
[[ $REFLECTOR == /* ]] || REFLECTOR="$REPO_DIR/$REFLECTOR"
[[ $NPCTL == /* ]] || NPCTL="$REPO_DIR/$NPCTL"
# The generator: testpmd, or in VXLAN and service modes np-e2e-reflector (gen_* below).
if [[ $MODE == vxlan || $MODE == service ]]; then GEN=reflector; else GEN=testpmd; fi
[[ -z $LOGDIR || $LOGDIR == /* ]] || LOGDIR="$PWD/$LOGDIR"

# Every process lives at most this long, whatever happens to this script (service mode:
# plus the connections' warm-up).
LIFE=$((WARMUP + DURATION + 120))
if [[ $MODE == service ]]; then LIFE=$((LIFE + 180)); fi

# ---------------------------------------------------------------------------------------
# Packages (only with --install)
# ---------------------------------------------------------------------------------------
if [[ $INSTALL -eq 1 ]]; then
  pkgs=(openvswitch-switch-dpdk)
  command -v dpdk-testpmd >/dev/null || pkgs+=(dpdk)
  log "installing ${pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive timeout 1800 apt-get install -y "${pkgs[@]}"
  update-alternatives --set ovs-vswitchd /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
fi

# ---------------------------------------------------------------------------------------
# Temp dir, process bookkeeping and cleanup
# ---------------------------------------------------------------------------------------
RUN_ID="npe2e$$"              # DPDK file prefixes, netns name and temp dir all carry it
TMP=$(mktemp -d "/tmp/np-e2e.XXXXXX")
chmod 755 "$TMP"
mkdir -p "$TMP/pids" "$TMP/logs" "$TMP/results" "$TMP/svc"
cd "$TMP"   # nothing a child writes to its working directory lands in the repo
NETNS="$RUN_ID-ovs"

hugetlbfs_dirs() { awk '$3 == "hugetlbfs" {print $2}' /proc/mounts; }

# kill_recorded FILE...: each file holds "CHILD_PID TIMEOUT_PID" of a process we started.
kill_recorded() {
  local f pids=() p
  for f in "$@"; do
    [[ -f $f ]] || continue
    read -r -a p <"$f" || true
    pids+=("${p[@]}")
    rm -f "$f"
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  # The child first (so that it stops cleanly and prints its stats), then its timeout.
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}

# OVS daemons also leave pidfiles; kill what they name if it is still running.
kill_pidfiles() {
  local f p
  for f in "$TMP"/ovs/*.pid; do
    [[ -f $f ]] || continue
    p=$(cat "$f" 2>/dev/null || true)
    if [[ -n $p ]]; then kill -TERM "$p" 2>/dev/null || true; fi
    rm -f "$f"
  done
}

LEG_PID=""
cleanup_all() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n $LEG_PID ]] && kill -0 "$LEG_PID" 2>/dev/null; then
    kill -TERM "$LEG_PID"
    wait "$LEG_PID"
  fi
  leg_cleanup
  if [[ -n $LOGDIR ]]; then
    mkdir -p "$LOGDIR" && cp -r "$TMP"/logs/. "$LOGDIR"/ && log "logs kept in $LOGDIR"
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nap S: sleep, but let a signal's trap run at once.
nap() { sleep "$1" & wait $! || true; }

# spawn NAME LOG STDIN CMD...: run CMD in the background with a bounded lifetime; its
# stdout+stderr go to LOG. Records "CHILD_PID TIMEOUT_PID" in $TMP/pids/NAME.
spawn() {
  local name=$1 logf=$2 in=$3; shift 3
  timeout -k 5 "$LIFE" "$@" <"$in" >"$logf" 2>&1 &
  local tpid=$! cpid=""
  for _ in $(seq 50); do
    cpid=$(pgrep -P "$tpid" | head -n1 || true)
    [[ -n $cpid ]] && break
    sleep 0.02
  done
  echo "$cpid $tpid" >"$TMP/pids/$name"
}
child_pid() { awk '{print $1}' "$TMP/pids/$1" 2>/dev/null; }
timeout_pid() { awk '{print $2}' "$TMP/pids/$1" 2>/dev/null; }
alive() { local p; p=$(timeout_pid "$1"); [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }

# ---------------------------------------------------------------------------------------
# testpmd control: interactive testpmd reading commands from a FIFO
# ---------------------------------------------------------------------------------------
# tp_wait_prompt NAME LOG SECS: wait for the first "testpmd> " prompt.
tp_wait_prompt() {
  local name=$1 logf=$2 secs=$3
  for _ in $(seq $((secs * 10))); do
    grep -q 'testpmd> ' "$logf" 2>/dev/null && return 0
    alive "$name" || { echo "$name exited during start-up" >&2; return 1; }
    sleep 0.1
  done
  echo "$name: no prompt after ${secs}s" >&2
  return 1
}

# tp_cmd FD LOG CMD [SECS]: send CMD, wait for the next prompt, print CMD's output.
tp_cmd() {
  local fd=$1 logf=$2 cmd=$3 secs=${4:-10} off
  off=$(stat -c %s "$logf")
  printf '%s\n' "$cmd" >&"$fd"
  for _ in $(seq $((secs * 20))); do
    if tail -c +$((off + 1)) "$logf" | grep -q 'testpmd> '; then
      tail -c +$((off + 1)) "$logf"
      return 0
    fi
    sleep 0.05
  done
  echo "testpmd did not answer '$cmd' within ${secs}s (log $logf)" >&2
  return 1
}

# Values from "show fwd stats all" output (stdin): the accumulated section's counters.
acc_field() {  # acc_field RX-packets|RX-dropped|TX-packets|TX-dropped
  awk -v key="$1:" '/Accumulated forward statistics/ {acc = 1}
    acc { for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }'
}

# ---------------------------------------------------------------------------------------
# The generator (same for every leg of a mode)
# ---------------------------------------------------------------------------------------
# The legs drive it through these, whichever generator the mode uses (GEN):
#   gen_start SOCK_A SOCK_B  start it on the switch's sockets, frames flowing (sets GEN_PID)
#   gen_window_open          the zero of the window's rx count
#   gen_window_close         sets GEN_RX: frames received on both ports since gen_window_open
#   gen_rate                 sets RATE: rx Mpps since the previous gen_rate
#   gen_thread PID           its forwarding thread (for on-CPU time)
#   gen_stop
gen_start() { "gen_${GEN}_start" "$@"; }
gen_window_open() { "gen_${GEN}_window_open"; }
gen_window_close() { "gen_${GEN}_window_close"; }
gen_rate() { "gen_${GEN}_rate"; }
gen_thread() { "gen_${GEN}_thread" "$@"; }
gen_stop() { "gen_${GEN}_stop"; }

# testpmd (l2, routed): one dpdk-testpmd, two virtio_user ports (A = MAC_A on the switch's
# port a, B = MAC_B on port b), one forwarding lcore, all on CPU GEN_CPU. "start tx_first N"
# sends N bursts of 64-byte txonly frames from each port (A: MAC_A -> MAC_B, B: MAC_B ->
# MAC_A, from --eth-peer); then io forwarding returns every frame received on B out of A
# unchanged, and every frame received on A out of B. The frames keep circulating through the
# switch in both directions with consistent source MACs, the switch stays saturated (packets
# queue in front of the slower of switch and generator), and nothing is dropped. See README
# for why txonly + rxonly in two processes does not work on one CPU.
#
# Routed mode (--mode routed): a router decrements the TTL on every pass, so frames cannot
# circulate (after 63 passes they expire), and no testpmd 22.11 engine restores a TTL. The
# generator is flowgen instead, an open loop in the same single thread: every poll it
# receives and frees what arrived on a port, then sends a burst of fresh frames (TTL 64,
# 10.254.0.0 -> 10.253.0.0 + 0..FLOWS-1, 64 bytes) out of the other port, dropping (and
# counting, not retrying) what the switch's ring cannot take. The switch is saturated when
# the generator offers more than it forwards; its drops stay 0 as long as the generator
# keeps draining.
gen_testpmd_start() {  # gen_testpmd_start SOCK_A SOCK_B  (sets GEN_FD, GEN_LOG, GEN_PID)
  local sa=$1 sb=$2 fifo="$TMP/gen.fifo"
  GEN_LOG="$TMP/logs/$CUR-gen.log"
  rm -f "$fifo"; mkfifo "$fifo"
  exec {GEN_FD}<>"$fifo"
  local fwd=(--forward-mode=io "--txpkts=$PKT_LEN" "--eth-peer=0,$MAC_B" "--eth-peer=1,$MAC_A")
  # flowgen's frame length is --txpkts minus 4 (an FCS): 68 gives 64-byte frames.
  if [[ $MODE == routed ]]; then
    fwd=(--forward-mode=flowgen "--flowgen-flows=$FLOWS" "--txpkts=$((PKT_LEN + 4))")
  fi
  spawn gen "$GEN_LOG" "$fifo" stdbuf -oL dpdk-testpmd \
    --lcores="0@$GEN_CPU,1@$GEN_CPU" --file-prefix="$RUN_ID-gen" --no-pci \
    --single-file-segments -m 256 \
    --vdev "net_virtio_user0,path=$sa,mac=$MAC_A" \
    --vdev "net_virtio_user1,path=$sb,mac=$MAC_B" \
    -- -i "${fwd[@]}" --nb-cores=1 \
    --total-num-mbufs=32768 --disable-link-check
  tp_wait_prompt gen "$GEN_LOG" 30
  GEN_PID=$(child_pid gen)
  # Let the switch see both vhost devices come up (nodeplane polls link state every 100 ms;
  # a frame to a port it still thinks is down would be dropped and lost from the loop).
  nap 2
  if [[ $MODE == routed ]]; then
    tp_cmd "$GEN_FD" "$GEN_LOG" "set fwd flowgen" >/dev/null
    tp_cmd "$GEN_FD" "$GEN_LOG" "start" >/dev/null
    return 0
  fi
  tp_cmd "$GEN_FD" "$GEN_LOG" "set fwd io retry" >/dev/null
  tp_cmd "$GEN_FD" "$GEN_LOG" "start tx_first $BURSTS" >/dev/null
}

gen_testpmd_window_open() { tp_cmd "$GEN_FD" "$GEN_LOG" "clear fwd stats all" >/dev/null; }

gen_testpmd_window_close() {
  local out
  out=$(tp_cmd "$GEN_FD" "$GEN_LOG" "show fwd stats all")
  GEN_RX=$(acc_field RX-packets <<<"$out")
}

# "show port stats all" gives each port's rx rate since the previous call.
gen_testpmd_rate() {
  local out
  out=$(tp_cmd "$GEN_FD" "$GEN_LOG" "show port stats all")
  RATE=$(awk '/Rx-pps:/ {s += $2} END {printf "%.2f", s / 1e6}' <<<"$out")
}

# Its forwarding lcore's thread ("rte-worker-1" in DPDK 22.11).
gen_testpmd_thread() {  # gen_testpmd_thread PID
  local t
  for t in /proc/"$1"/task/*; do
    if [[ $(cat "$t/comm" 2>/dev/null) == *worker* ]]; then echo "${t##*/}"; return 0; fi
  done
}

gen_testpmd_stop() {
  if alive gen; then
    tp_cmd "$GEN_FD" "$GEN_LOG" "stop" 10 >/dev/null || true
    printf 'quit\n' >&"$GEN_FD" || true
    for _ in $(seq 100); do alive gen || break; sleep 0.1; done
  fi
  kill_recorded "$TMP/pids/gen"
}

# np-e2e-reflector (vxlan): testpmd cannot close a VXLAN loop (5tswap also swaps the UDP
# ports, so a reflected frame no longer goes to 4789; macswap keeps the outer IPs, so it
# would not go back to our VTEP). The reflector, one thread on CPU GEN_CPU, has port P
# (MAC_A, the pod) on the switch's port a and port U (MAC_U, the remote VTEP) on port b. It
# puts BURSTS x 32 frames into the loop out of each port (BURSTS <= 4: all of them share one
# loop, and 256 frames fit any one of its 256-entry vrings, so none can overflow), then
# sends every frame it receives back out of the same port, reflected: a VXLAN frame to the
# VTEP that sent it (outer MACs and IPs swapped), its inner frame's MACs swapped; any other
# frame with its MACs swapped. For nodeplane, U sends VXLAN (REMOTE_VTEP -> LOCAL_VTEP, VNI,
# inner MAC_R -> MAC_A); every pass is one encapsulation (a -> b) and one decapsulation (b
# -> a). For testpmd io forwarding, which encapsulates nothing, both ports send plain
# 64-byte frames (P: MAC_A -> MAC_R, U: MAC_R -> MAC_A) around the loop P -> a -> b -> U ->
# b -> a -> P. Driven through a FIFO on its stdin: "stats" prints cumulative counters with
# the TSC.
#
# Service mode (--service): the reflector plays the clients' router on P and the backend on
# U. It first opens CONNS connections (one frame each from client CLIENT_IP0 + i / 64000,
# port 1024 + i % 64000, to VIP:VIP_PORT, out of P to SWITCH_A_MAC, at most 128 in flight),
# dropping what arrives at U (DNATed to the backend), and prints "warmup connections=N
# sent=N arrived=N drops=N other=N". Then it puts BURSTS x 32 frames of random connections
# into the loop out of P; at U every frame is answered as the backend's reply (MACs, IPs,
# UDP ports swapped), at P every (reverse-NATed) reply as the client's next packet on a
# random connection; TTL reset to 64, IPv4 checksum recomputed, UDP checksum 0 throughout.
# The testpmd leg runs the same generator (same frames and per-frame work; testpmd io
# forwards them unchanged and looks at nothing) with the smallest count of --connections.
gen_reflector_start() {  # gen_reflector_start SOCK_A SOCK_B  (sets GEN_FD, GEN_LOG, GEN_PID)
  local sa=$1 sb=$2 fifo="$TMP/gen.fifo" ready_s=30
  GEN_LOG="$TMP/logs/$CUR-gen.log"
  rm -f "$fifo"; mkfifo "$fifo"
  exec {GEN_FD}<>"$fifo"
  local frames=(--mac-a "$MAC_A" --bursts "$BURSTS")
  if [[ $MODE == service ]]; then
    frames+=(--service --switch-mac "$SWITCH_A_MAC" --client-ip "$CLIENT_IP0" --vip "$VIP"
             --vip-port "$VIP_PORT")
    if [[ $CONNS == new ]]; then
      frames+=(--new-flows)
    else
      frames+=(--connections "$CONNS")
      ready_s=$((30 + 180))
    fi
  else
    frames+=(--mac-r "$MAC_R")
  fi
  if [[ $MODE == vxlan && $CUR_LEG == nodeplane ]]; then
    frames+=(--vxlan --mac-u "$MAC_U" --switch-mac "$SWITCH_UPLINK_MAC"
             --local-vtep "$LOCAL_VTEP" --remote-vtep "$REMOTE_VTEP" --vni "$VNI")
  fi
  spawn gen "$GEN_LOG" "$fifo" "$REFLECTOR" \
    --lcores="0@$GEN_CPU" --file-prefix="$RUN_ID-gen" --no-pci \
    --single-file-segments -m 256 \
    --vdev "net_virtio_user0,path=$sa,mac=$MAC_A" \
    --vdev "net_virtio_user1,path=$sb,mac=$MAC_U" \
    -- "${frames[@]}"
  GEN_PID=$(child_pid gen)
  # "ready": the links are up, the switch had 2 s to see them, (service mode: the
  # connections are open,) the frames are in the loop.
  local t0=$SECONDS
  for _ in $(seq $((ready_s * 10))); do
    if grep -q '^ready$' "$GEN_LOG" 2>/dev/null; then
      if [[ $MODE == service && $CONNS != new ]]; then rf_warmup_check "$((SECONDS - t0))"; fi
      return 0
    fi
    alive gen || { echo "np-e2e-reflector exited during start-up" >&2; return 1; }
    sleep 0.1
  done
  echo "np-e2e-reflector: not ready after $ready_s s" >&2
  return 1
}

# rf_warmup_check SECS: logs the reflector's warm-up line; WARM_ARRIVED = connections whose
# first frame reached U (the backend), which should be all CONNS of them.
rf_warmup_check() {
  local line
  line=$(grep -m1 '^warmup ' "$GEN_LOG" || true)
  WARM_ARRIVED=$(sed -nE 's/.* arrived=([0-9]+).*/\1/p' <<<"$line")
  log "$CUR: generator ${line:-printed no warmup line} (start-up and warm-up ${1} s)"
  if [[ ${WARM_ARRIVED:-0} -ne $CONNS ]]; then
    log "WARNING: only ${WARM_ARRIVED:-?} of $CONNS connections' first frames reached the backend"
  fi
}

# rf_stats: the reflector's cumulative counters, as "RX TSC HZ".
rf_stats() {
  local off line
  off=$(stat -c %s "$GEN_LOG")
  printf 'stats\n' >&"$GEN_FD"
  for _ in $(seq 200); do
    sleep 0.01
    line=$(tail -c +$((off + 1)) "$GEN_LOG" | grep -m1 -E '^stats .* hz=[0-9]+$' || true)
    if [[ -n $line ]]; then
      awk '{for (i = 2; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]} print v["rx"], v["tsc"], v["hz"]}' <<<"$line"
      return 0
    fi
  done
  echo "np-e2e-reflector did not answer 'stats' within 2 s (log $GEN_LOG)" >&2
  return 1
}

gen_reflector_window_open() {
  local tsc hz
  read -r RF_RX0 tsc hz < <(rf_stats)
}

gen_reflector_window_close() {
  local rx tsc hz
  read -r rx tsc hz < <(rf_stats)
  GEN_RX=""
  if [[ -n $rx && -n $RF_RX0 ]]; then GEN_RX=$((rx - RF_RX0)); fi
}

# The rate between this and the previous call, from the reflector's own TSC.
gen_reflector_rate() {
  local rx tsc hz
  read -r rx tsc hz < <(rf_stats)
  RATE=$(awk -v r0="${RF_LAST_RX:-}" -v t0="${RF_LAST_TSC:-}" -v r="$rx" -v t="$tsc" -v hz="$hz" \
    'BEGIN {printf "%.2f", (r0 != "" && t > t0) ? (r - r0) / ((t - t0) / hz) / 1e6 : 0}')
  RF_LAST_RX=$rx RF_LAST_TSC=$tsc
}

# One thread: the main lcore, the process's main thread.
gen_reflector_thread() { echo "$1"; }

gen_reflector_stop() {
  if alive gen; then
    printf 'quit\n' >&"$GEN_FD" || true
    for _ in $(seq 100); do alive gen || break; sleep 0.1; done
  fi
  kill_recorded "$TMP/pids/gen"
  # Its per-port totals at exit ("port P|U rx= tx= drops="): drops are frames lost from the loop.
  grep '^port ' "$GEN_LOG" | sed "s/^/e2e_l2: $CUR: generator /" || true
}

# ---------------------------------------------------------------------------------------
# Machine state
# ---------------------------------------------------------------------------------------
reserve_hugepages() {
  local cur
  cur=$(cat /proc/sys/vm/nr_hugepages)
  if [[ $cur -lt $HUGEPAGES_WANT ]]; then
    echo "$HUGEPAGES_WANT" >/proc/sys/vm/nr_hugepages
  fi
  mkdir -p /dev/hugepages
  mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
  local free
  free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
  log "hugepages: $(cat /proc/sys/vm/nr_hugepages) reserved, $free free (2 MB)"
  # Generator 256 MB + switch up to NP_MEMORY_MB (nodeplane; testpmd 256) at the same time,
  # and some slack: 400 pages by default, 912 in service mode (256 + 1536 MB).
  local need=$(((256 + NP_MEMORY_MB) / 2 + 16))
  [[ $need -ge 400 ]] || need=400
  [[ $free -ge $need ]] ||
    die "only $free free hugepages; need about $need (other DPDK processes running? raise HUGEPAGES_WANT)"
}

# cpu_busy_pct: busy % of CPUs GEN_CPU and SW_CPU over 1 s, as "c0 c1", before a leg.
cpu_busy_pct() {
  local a b
  a=$(awk -v c0="cpu$GEN_CPU" -v c1="cpu$SW_CPU" '$1 == c0 || $1 == c1 {t = 0; for (i = 2; i <= NF; i++) t += $i; print $1, t, $5 + $6}' /proc/stat)
  sleep 1
  b=$(awk -v c0="cpu$GEN_CPU" -v c1="cpu$SW_CPU" '$1 == c0 || $1 == c1 {t = 0; for (i = 2; i <= NF; i++) t += $i; print $1, t, $5 + $6}' /proc/stat)
  paste <(echo "$a") <(echo "$b") | awk '{dt = $5 - $2; di = $6 - $3; printf "%s=%d%% ", $1, (dt > 0 ? 100 * (dt - di) / dt : 0)}'
}

check_quiet() {
  local busy
  busy=$(cpu_busy_pct)
  log "CPU load before this leg (nothing of ours running): $busy"
  if awk -v s="$busy" 'BEGIN { n = split(s, f, " "); for (i = 1; i <= n; i++) { sub(/.*=/, "", f[i]); sub(/%/, "", f[i]); if (f[i] + 0 > 10) exit 0 } exit 1 }'; then
    log "WARNING: other processes use the CPUs; this leg's figures are indicative only:"
    ps -eo pid,pcpu,psr,comm --sort=-pcpu | sed -n '2,4p' | sed 's/^/e2e_l2:     /'
  fi
}

# ---------------------------------------------------------------------------------------
# Results: $TMP/results/LEG.ROUND holds "mpps cyc busy drops sw_oncpu gen_oncpu rate_min rate_max"
# ---------------------------------------------------------------------------------------
# The switch's forwarding thread is the one thread of SW_PID pinned to SW_CPU alone; the
# generator's is given by gen_thread. Their on-CPU time in the window (/proc/.../schedstat)
# shows whether anything else took their CPU: busy cycles are TSC deltas, so time the
# switch thread spends preempted mid-burst counts as busy.
pinned_thread() {  # pinned_thread PID CPU
  local t
  for t in /proc/"$1"/task/*; do
    if [[ $(awk '/^Cpus_allowed_list:/ {print $2}' "$t/status" 2>/dev/null) == "$2" ]]; then
      echo "${t##*/}"; return 0
    fi
  done
}
# sample_window: the measured window. Every second, the generator's rx rate of the last
# second; RATES collects them (Mpps). Their spread shows whether the machine kept the same
# speed through the window.
sample_window() {
  local n
  RATES=""
  gen_rate   # the rates' baseline
  for ((n = 0; n < DURATION; n++)); do
    nap 1
    gen_rate
    RATES+="$RATE "
  done
}

run_ns() { awk '{print $1}' "/proc/$1/task/$2/schedstat" 2>/dev/null || echo 0; }

# steal_ticks: "total steal" of CPU SW_CPU from /proc/stat (a hypervisor taking the vCPU).
steal_ticks() {
  awk -v c="cpu$SW_CPU" '$1 == c {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9}' /proc/stat
}
window_begin() {  # needs SW_PID (switch process) and GEN_PID
  SW_TID=$(pinned_thread "$SW_PID" "$SW_CPU"); GEN_TID=$(gen_thread "$GEN_PID")
  SW_RUN0=$(run_ns "$SW_PID" "${SW_TID:-0}"); GEN_RUN0=$(run_ns "$GEN_PID" "${GEN_TID:-0}")
  ST0=$(steal_ticks)
  W0=$(date +%s.%N)
}
window_end() {
  W1=$(date +%s.%N)
  SW_RUN1=$(run_ns "$SW_PID" "${SW_TID:-0}"); GEN_RUN1=$(run_ns "$GEN_PID" "${GEN_TID:-0}")
  ST1=$(steal_ticks)
}
oncpu_pct() {  # oncpu_pct RUN0 RUN1 -> % of the window, or "?" when unknown
  awk -v a="$1" -v b="$2" -v w0="$W0" -v w1="$W1" 'BEGIN {
    if (a == 0 || b == 0) print "?"; else printf "%.0f", (b - a) / 1e7 / (w1 - w0) }'
}

save_result() {  # save_result GEN_RX BUSY_CYCLES SW_PKTS BUSY_PCT DROPS
  local mpps cyc sw gen
  mpps=$(awk -v n="$1" -v a="$W0" -v b="$W1" 'BEGIN {printf "%.3f", n / (b - a) / 1e6}')
  cyc=$(awk -v c="$2" -v p="$3" 'BEGIN {if (p > 0) printf "%.1f", c / p; else print "nan"}')
  sw=$(oncpu_pct "$SW_RUN0" "$SW_RUN1"); gen=$(oncpu_pct "$GEN_RUN0" "$GEN_RUN1")
  local rmin rmax
  read -r rmin rmax < <(tr ' ' '\n' <<<"$RATES" | awk 'NF {if (n++ == 0 || $1 < lo) lo = $1; if ($1 > hi) hi = $1} END {print lo + 0, hi + 0}')
  echo "$mpps $cyc $4 $5 $sw $gen $rmin $rmax" >"$TMP/results/$CUR"
  log "$CUR: rx $mpps Mpps (generator, $1 frames in $(awk -v a="$W0" -v b="$W1" 'BEGIN {printf "%.2f", b - a}') s)," \
      "switch core $cyc busy cycles/pkt ($2 / $3), busy $4%, drops $5;" \
      "on-CPU share of the window: switch thread $sw%, generator thread $gen%," \
      "steal on CPU $SW_CPU $(awk -v a="$ST0" -v b="$ST1" 'BEGIN {split(a, x, " "); split(b, y, " ");
        printf "%.1f", (y[1] > x[1]) ? 100 * (y[2] - x[2]) / (y[1] - x[1]) : 0}')%"
  log "$CUR: rx Mpps second by second: $RATES"
  if awk -v lo="$rmin" -v hi="$rmax" 'BEGIN {exit !(lo > 0 && hi > 1.15 * lo)}'; then
    log "WARNING: the rate changed by more than 15% within the window (noise: other load, or the host moving or sharing the vCPUs)"
  fi
  if awk -v m="$mpps" 'BEGIN {exit !(m < 1)}'; then
    log "WARNING: under 1 Mpps: frames are not circulating at speed (lost from the loop? see the drops and the generator's log)"
  fi
  if [[ $sw != "?" && $sw -lt 97 ]]; then
    log "WARNING: the switch thread had its CPU only $sw% of the window (another process ran on CPU $SW_CPU): its busy cycles include preemption"
  fi
}

# ---------------------------------------------------------------------------------------
# Leg 1: testpmd io forwarding as the switch
# ---------------------------------------------------------------------------------------
# Port 0 = net_vhost0 (a), port 1 = net_vhost1 (b); paired topology: a -> b and b -> a, no
# lookup at all. Forwarding lcore 1 on CPU SW_CPU; --record-core-cycles counts the TSC
# cycles of polls that received packets (rx + tx, retries included).
leg_testpmd() {
  local d="$TMP/tp" fifo="$TMP/tp.fifo" swlog="$TMP/logs/$CUR-switch.log"
  rm -rf "$d"; mkdir -p "$d"
  rm -f "$fifo"; mkfifo "$fifo"
  exec {SW_FD}<>"$fifo"
  spawn switch "$swlog" "$fifo" stdbuf -oL dpdk-testpmd \
    --lcores="0@$GEN_CPU,1@$SW_CPU" --file-prefix="$RUN_ID-tp" --no-pci -m 256 \
    --vdev "net_vhost0,iface=$d/a.sock" --vdev "net_vhost1,iface=$d/b.sock" \
    -- -i --forward-mode=io --nb-cores=1 --record-core-cycles \
    --total-num-mbufs=32768 --disable-link-check
  tp_wait_prompt switch "$swlog" 30
  tp_cmd "$SW_FD" "$swlog" "set fwd io retry" >/dev/null
  tp_cmd "$SW_FD" "$swlog" "start" >/dev/null
  gen_start "$d/a.sock" "$d/b.sock"
  nap "$WARMUP"
  local ts0 ts1 sw_out
  ts0=$(date +%s.%N)
  tp_cmd "$SW_FD" "$swlog" "clear fwd stats all" >/dev/null
  gen_window_open
  SW_PID=$(child_pid switch)
  window_begin
  sample_window
  gen_window_close
  window_end
  ts1=$(date +%s.%N)
  sw_out=$(tp_cmd "$SW_FD" "$swlog" "show fwd stats all")
  gen_stop
  tp_cmd "$SW_FD" "$swlog" "stop" >/dev/null || true
  printf 'quit\n' >&"$SW_FD" || true
  for _ in $(seq 100); do alive switch || break; sleep 0.1; done
  kill_recorded "$TMP/pids/switch"

  local line cycles pkts mhz drops busy
  line=$(grep -m1 'CPU cycles/packet=' <<<"$sw_out" || true)
  [[ -n $GEN_RX && -n $line ]] || { echo "could not parse testpmd stats (logs: $swlog, $GEN_LOG)" >&2; return 1; }
  cycles=$(sed -E 's/.*total cycles=([0-9]+).*/\1/' <<<"$line")
  pkts=$(sed -E 's/.*packets=([0-9]+).*/\1/' <<<"$line")
  mhz=$(sed -E 's/.* at ([0-9.]+) MHz.*/\1/' <<<"$line")
  drops=$(acc_field TX-dropped <<<"$sw_out")
  # The switch's own window: from just before its clear to just before its show.
  busy=$(awk -v c="$cycles" -v m="$mhz" -v a="$ts0" -v b="$ts1" 'BEGIN {printf "%.0f", 100 * c / (m * 1e6 * (b - a))}')
  save_result "$GEN_RX" "$cycles" "$pkts" "$busy" "${drops:-?}"
}

# ---------------------------------------------------------------------------------------
# Leg 2: OVS-DPDK, netdev bridge, NORMAL action, one PMD core
# ---------------------------------------------------------------------------------------
ovs_missing() {
  local t
  for t in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl ip; do
    command -v "$t" >/dev/null || { echo "$t not found"; return 0; }
  done
  [[ -x $OVS_VSWITCHD ]] || { echo "$OVS_VSWITCHD not found (package openvswitch-switch-dpdk; run with --install)"; return 0; }
  "$OVS_VSWITCHD" --version 2>/dev/null | grep -q DPDK ||
    { echo "$OVS_VSWITCHD is not built with DPDK"; return 0; }
  return 1
}

# Private database, run and log dir under the temp dir; ovs-vswitchd in its own network
# namespace (its netdev datapath creates tap devices "ovs-netdev" and "br0", which would
# otherwise clash with any other OVS on the host and outlive the run). Non-PMD threads on
# CPU GEN_CPU (taskset), the PMD thread on SW_CPU (pmd-cpu-mask). Ports are dpdkvhostuser:
# OVS is the vhost-user server, as testpmd and nodeplane are in the other legs. The MACs
# are static fdb entries (fdb/add) so NORMAL forwards unicast from the first frame; learning
# stays on, as in nodeplane's bridge domain.
leg_ovs() {
  local d="$TMP/ovs"
  rm -rf "$d"; mkdir -p "$d"
  export OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d OVS_SYSCONFDIR=$d
  local V=(ovs-vsctl --timeout=60 --db="unix:$d/db.sock")
  local A=(ovs-appctl --timeout=30 -t "$d/ovs-vswitchd.ctl")
  ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  spawn ovsdb "$TMP/logs/$CUR-ovsdb-server.out" /dev/null taskset -c "$GEN_CPU" \
    ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --pidfile="$d/ovsdb-server.pid" \
    --unixctl="$d/ovsdb-server.ctl" --log-file="$TMP/logs/$CUR-ovsdb-server.log"
  for _ in $(seq 100); do [[ -S $d/db.sock ]] && break; sleep 0.1; done
  [[ -S $d/db.sock ]] || { echo "ovsdb-server did not start" >&2; return 1; }
  "${V[@]}" --no-wait init
  "${V[@]}" --no-wait set Open_vSwitch . other_config:dpdk-init=true \
    other_config:pmd-cpu-mask="$(printf '0x%x' $((1 << SW_CPU)))" \
    other_config:dpdk-socket-mem=256 other_config:dpdk-socket-limit=256 \
    other_config:per-port-memory=true \
    "other_config:dpdk-extra=--file-prefix=$RUN_ID-ovs --no-pci"
  ip netns add "$NETNS"
  spawn vswitchd "$TMP/logs/$CUR-ovs-vswitchd.out" /dev/null \
    ip netns exec "$NETNS" taskset -c "$GEN_CPU" "$OVS_VSWITCHD" "unix:$d/db.sock" \
    --pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
    --log-file="$TMP/logs/$CUR-ovs-vswitchd.log"
  "${V[@]}" add-br br0 -- set bridge br0 datapath_type=netdev
  "${V[@]}" add-port br0 vhu-a -- set Interface vhu-a type=dpdkvhostuser ofport_request=1
  "${V[@]}" add-port br0 vhu-b -- set Interface vhu-b type=dpdkvhostuser ofport_request=2
  for _ in $(seq 100); do [[ -S $d/vhu-a && -S $d/vhu-b ]] && break; sleep 0.1; done
  [[ -S $d/vhu-a && -S $d/vhu-b ]] || { echo "OVS vhost-user sockets did not appear" >&2; tail -n 20 "$TMP/logs/$CUR-ovs-vswitchd.log" >&2; return 1; }
  ovs-ofctl del-flows br0
  ovs-ofctl add-flow br0 "priority=0,actions=NORMAL"
  "${A[@]}" fdb/add br0 vhu-a 0 "$MAC_A" >/dev/null
  "${A[@]}" fdb/add br0 vhu-b 0 "$MAC_B" >/dev/null

  gen_start "$d/vhu-a" "$d/vhu-b"
  nap "$WARMUP"
  "${A[@]}" dpif-netdev/pmd-stats-clear
  local drops0 drops1 pmd
  drops0=$(ovs_drops "${V[@]}")
  gen_window_open
  SW_PID=$(child_pid vswitchd)
  window_begin
  sample_window
  gen_window_close
  window_end
  pmd=$("${A[@]}" dpif-netdev/pmd-stats-show)
  drops1=$(ovs_drops "${V[@]}")
  echo "$pmd" >"$TMP/logs/$CUR-pmd-stats.txt"
  gen_stop
  kill_recorded "$TMP/pids/vswitchd" "$TMP/pids/ovsdb"
  ip netns del "$NETNS" 2>/dev/null || true

  local pkts cycles pct
  # The PMD thread on SW_CPU (not the "main thread" section).
  read -r pkts cycles pct < <(awk -v core="core_id $SW_CPU:" '
      /^pmd thread/ {in_pmd = index($0, core) > 0; next}
      /^main thread/ {in_pmd = 0}
      in_pmd && /packets received:/ {p = $3}
      in_pmd && /processing cycles:/ {c = $3; pc = $4; gsub(/[()%]/, "", pc)}
      END {print p, c, pc}' <<<"$pmd")
  [[ -n $GEN_RX && -n $pkts && -n $cycles ]] || { echo "could not parse OVS/generator stats" >&2; return 1; }
  save_result "$GEN_RX" "$cycles" "$pkts" "$(printf '%.0f' "$pct")" "$((drops1 - drops0))"
}

ovs_drops() {  # sum of tx_dropped and rx_dropped over both vhost ports
  local n=0 v port key
  for port in vhu-a vhu-b; do
    for key in tx_dropped rx_dropped; do
      v=$("$@" --if-exists get Interface "$port" "statistics:$key" 2>/dev/null | tr -d '"' || true)
      if is_uint "${v:-x}"; then n=$((n + v)); fi
    done
  done
  echo "$n"
}

# ---------------------------------------------------------------------------------------
# Leg 3: nodeplane
# ---------------------------------------------------------------------------------------
# Two vhost-user ports (server mode) in bridge domain 1, both MACs static (learning stays
# on), worker on lcore 1 = CPU SW_CPU, main lcore 0 = CPU GEN_CPU, pure polling
# (idle_sleep_max_us: 0). Routed mode: the two ports are routed instead, interfaces
# a IP_A/24 and b IP_B/24 with flowgen's destination MAC, the generator's ports as static
# neighbors GEN_IP_A (MAC_A) and GEN_IP_B (MAC_B), and flowgen's destinations split in two
# routes: the lower half via GEN_IP_B (out of b), the upper half via GEN_IP_A (out of a).
# So each port's frames are half routed across and half routed back out of the port they
# came in on, and both ports send as much as they receive. Every frame is routed once.
# VXLAN mode: port a alone in bridge domain 1 (MAC_A static), L2 VNI VNI on it with one
# remote VTEP REMOTE_VTEP, MAC_R static behind it; port b routed, interface "up" holding our
# VTEP LOCAL_VTEP/24 with SWITCH_UPLINK_MAC, the remote VTEP a static neighbor (MAC_U). So
# frames from a to MAC_R are encapsulated out of b, and VXLAN from the remote VTEP is
# decapsulated and bridged to a. Busy cycles per packet = delta busy_cycles / delta rx_pkts
# of the worker between the --stats-interval snapshot printed just before the window opens
# and the first one printed after it closes (traffic runs steadily across both).
np_config() {  # np_config FILE DIR WITH_PRIVATE_PATHS
  local f=$1 d=$2 priv=$3 port=19469
  if [[ $priv -eq 1 ]] && command -v ss >/dev/null; then
    while [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]; do port=$((port + 1)); done
  fi
  {
    cat <<EOF
# Generated by perf/e2e_l2.sh
dpdk:
  lcores: [$GEN_CPU, $SW_CPU]
  workers: [$SW_CPU]
  memory_mb: $NP_MEMORY_MB
  file_prefix: $RUN_ID-np
  idle_sleep_max_us: 0
ports:
  - {name: a, type: vhost-user, socket: $d/a.sock}
  - {name: b, type: vhost-user, socket: $d/b.sock}
EOF
    if [[ $MODE == vxlan ]]; then
      cat <<EOF
bridge_domains:
  - id: 1
    ports: [a]
    static_macs: [{mac: "$MAC_A", port: a}]
interfaces:
  - {name: up, port: b, ip: $LOCAL_VTEP/24, mac: "$SWITCH_UPLINK_MAC"}
neighbors:
  - {ip: $REMOTE_VTEP, mac: "$MAC_U", interface: up}
vxlan:
  local_ip: $LOCAL_VTEP
  tunnels: [{vni: $VNI, bridge_domain: 1, remotes: [$REMOTE_VTEP]}]
  static_macs: [{vni: $VNI, mac: "$MAC_R", remote: $REMOTE_VTEP}]
EOF
    elif [[ $MODE == service ]]; then
      # The table a third larger than the connections (a full table refuses new flows);
      # "new": as large as the window needs.
      local max_flows=$NEW_MAX_FLOWS
      if [[ $CONNS != new ]]; then max_flows=$(((CONNS * 13 + 9) / 10)); fi
      [[ $max_flows -ge 1024 ]] || max_flows=1024
      cat <<EOF
interfaces:
  - {name: a, port: a, ip: $IP_A/24, mac: "$SWITCH_A_MAC"}
  - {name: b, port: b, ip: $IP_B/24, mac: "$SWITCH_B_MAC"}
neighbors:
  - {ip: $GEN_IP_A, mac: "$MAC_A", interface: a}
  - {ip: $GEN_IP_B, mac: "$MAC_U", interface: b}
routes:
  - {prefix: $CLIENT_NET, via: $GEN_IP_A}
conntrack: {max_flows: $max_flows, udp_s: 600}
services:
  - name: bench
    vip: $VIP
    port: $VIP_PORT
    protocol: udp
    backends: [{ip: $GEN_IP_B, port: $BACKEND_PORT}]
EOF
    elif [[ $MODE == routed ]]; then
      # flowgen's destinations 10.253.0.0 + 0..FLOWS-1 in two halves: the two halves of the
      # smallest prefix holding them all (10.253.0.0/LEN).
      local len=32 span=1 half upper
      while [[ $span -lt $FLOWS ]]; do span=$((span * 2)); len=$((len - 1)); done
      half=$((span / 2))
      upper="10.253.$((half / 256)).$((half % 256))"
      cat <<EOF
interfaces:
  - {name: a, port: a, ip: $IP_A/24, mac: "$FLOWGEN_DST_MAC"}
  - {name: b, port: b, ip: $IP_B/24, mac: "$FLOWGEN_DST_MAC"}
neighbors:
  - {ip: $GEN_IP_A, mac: "$MAC_A", interface: a}
  - {ip: $GEN_IP_B, mac: "$MAC_B", interface: b}
routes:
  - {prefix: 10.253.0.0/$((len + 1)), via: $GEN_IP_B}
  - {prefix: $upper/$((len + 1)), via: $GEN_IP_A}
EOF
    else
      cat <<EOF
bridge_domains:
  - id: 1
    ports: [a, b]
    static_macs: [{mac: "$MAC_A", port: a}, {mac: "$MAC_B", port: b}]
EOF
    fi
    if [[ $priv -eq 1 ]]; then
      cat <<EOF
api:
  listen: unix://$d/api.sock
metrics:
  listen: 127.0.0.1:$port
state_dir: $d/state
EOF
    fi
  } >"$f"
}

# np_snapshot FILE K: "rx_pkts busy_cycles idle_cycles drops" of the K-th stats snapshot
# (a snapshot = the port lines followed by the worker line of lcore SW_CPU).
np_snapshot() {
  awk -v k="$2" -v lc="lcore=$SW_CPU" '
    function val(key,   i) { for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) return substr($i, length(key) + 2); return 0 }
    /^port / {drops += val("drops")}
    /^worker / && $2 == lc { n++; if (n == k) { print val("rx_pkts"), val("busy_cycles"), val("idle_cycles"), drops; exit } drops = 0 }' "$1"
}
np_count() { grep -c "^worker lcore=$SW_CPU " "$1" 2>/dev/null || true; }

# np_next_snapshot FILE: wait for the next snapshot after now; print its index.
np_next_snapshot() {
  local f=$1 n0 n
  n0=$(np_count "$f")
  for _ in $(seq 50); do
    n=$(np_count "$f")
    [[ $n -gt $n0 ]] && { echo $((n0 + 1)); return 0; }
    sleep 0.1
  done
  echo "nodeplane printed no stats for 5 s" >&2
  return 1
}

# np_log_vxlan DIR: logs nodeplane's per-VNI counters since it started (npctl stats over the
# leg's API socket): encapsulated, decapsulated, dropped. Run after the window closed.
np_log_vxlan() {
  local api=$1/api.sock line
  if [[ ! -x $NPCTL || ! -S $api ]]; then
    log "$CUR: no per-VNI counters (npctl $NPCTL or the API socket missing)"
    return 0
  fi
  "$NPCTL" --server "unix://$api" stats >"$TMP/logs/$CUR-npctl-stats.txt" 2>&1 || true
  line=$(grep -m1 '^VXLAN:' "$TMP/logs/$CUR-npctl-stats.txt" || echo "no VXLAN line in npctl stats")
  log "$CUR: nodeplane since start: $line"
}

# np_log_conntrack DIR TAG WHEN: logs nodeplane's connection table (npctl stats: "Conntrack:
# flows=N of M created= ...", "NAT drops: ...", the service's packets); sets NP_FLOWS,
# NP_CREATED and NP_NAT_DROPS (the sum of the NAT drop counters).
np_log_conntrack() {
  local api=$1/api.sock f="$TMP/logs/$CUR-npctl-stats-$2.txt" ct nd
  NP_FLOWS="?" NP_CREATED="?" NP_NAT_DROPS="?"
  if [[ ! -x $NPCTL || ! -S $api ]]; then
    log "$CUR: no connection table counters (npctl $NPCTL or the API socket missing)"
    return 0
  fi
  "$NPCTL" --server "unix://$api" stats >"$f" 2>&1 || true
  ct=$(grep -m1 '^Conntrack:' "$f" || echo "no Conntrack line in npctl stats")
  nd=$(grep -m1 '^NAT drops:' "$f" || echo "NAT drops: ?")
  NP_FLOWS=$(sed -nE 's/.* flows=([0-9]+) .*/\1/p' <<<"$ct")
  NP_CREATED=$(sed -nE 's/.* created=([0-9]+).*/\1/p' <<<"$ct")
  NP_NAT_DROPS=$(awk '{n = 0; for (i = 3; i <= NF; i++) {split($i, kv, "="); n += kv[2]} print n}' <<<"$nd")
  log "$CUR: nodeplane $3: $ct; $nd; service: $(awk '$1 == "bench" {printf "packets=%s new_flows=%s", $2, $3}' "$f")"
}

leg_nodeplane() {
  local d="$TMP/np" cfg="$TMP/np/nodeplane.yaml" out="$TMP/logs/$CUR-nodeplane.out"
  local err="$TMP/logs/$CUR-nodeplane.err"
  rm -rf "$d"; mkdir -p "$d/state"
  np_config "$cfg" "$d" 1
  if ! "$NODEPLANE" --check-config "$cfg" >/dev/null 2>"$err"; then
    log "nodeplane rejects api/metrics/state_dir ($(head -n1 "$err")); retrying without them"
    np_config "$cfg" "$d" 0
    "$NODEPLANE" --check-config "$cfg" >/dev/null 2>"$err" ||
      { echo "nodeplane --check-config failed: $(cat "$err")" >&2; return 1; }
  fi
  cp "$cfg" "$TMP/logs/$CUR-nodeplane.yaml"
  # stdout (stats) and stderr (messages) separately.
  timeout -k 5 "$LIFE" stdbuf -oL "$NODEPLANE" --config "$cfg" --stats-interval 1 \
    </dev/null >"$out" 2>"$err" &
  local tpid=$! cpid=""
  for _ in $(seq 50); do cpid=$(pgrep -P "$tpid" | head -n1 || true); [[ -n $cpid ]] && break; sleep 0.02; done
  echo "$cpid $tpid" >"$TMP/pids/switch"
  for _ in $(seq 300); do
    [[ -S $d/a.sock && -S $d/b.sock ]] && break
    alive switch || break
    sleep 0.1
  done
  [[ -S $d/a.sock && -S $d/b.sock ]] || { echo "nodeplane did not create its sockets:" >&2; tail -n 20 "$err" >&2; return 1; }

  gen_start "$d/a.sock" "$d/b.sock"
  # "new": the table fills as the traffic runs, so the traffic runs for the window only
  # (the reflector's "start" to "stop"), and the switch's snapshots enclose all of it.
  local new=0
  if [[ $MODE == service && $CONNS == new ]]; then new=1; fi
  if [[ $MODE == service && $new -eq 0 ]]; then
    np_log_conntrack "$d" warmup "after the connections' warm-up"
    if [[ $NP_FLOWS != "$CONNS" ]]; then log "WARNING: $NP_FLOWS connections tracked, $CONNS opened"; fi
  fi
  if [[ $new -eq 0 ]]; then nap "$WARMUP"; fi
  local k0 k1
  k0=$(np_next_snapshot "$out")
  if [[ $new -eq 1 ]]; then
    local DURATION=$NEW_WINDOW  # sample_window's
    printf 'start\n' >&"$GEN_FD"
    nap 0.2
  fi
  gen_window_open
  SW_PID=$cpid
  window_begin
  sample_window
  gen_window_close
  window_end
  if [[ $new -eq 1 ]]; then printf 'stop\n' >&"$GEN_FD"; fi
  k1=$(np_next_snapshot "$out")
  if [[ $MODE == vxlan ]]; then np_log_vxlan "$d"; fi
  if [[ $MODE == service ]]; then np_log_conntrack "$d" window "after the window"; fi
  gen_stop
  # SIGTERM: nodeplane exits 0 and prints its final stats.
  kill -TERM "$cpid" 2>/dev/null || true
  local rc=0
  wait "$tpid" || rc=$?
  rm -f "$TMP/pids/switch"
  [[ $rc -eq 0 ]] || log "WARNING: nodeplane exited with status $rc after SIGTERM (expected 0)"

  local s0 s1
  s0=$(np_snapshot "$out" "$k0"); s1=$(np_snapshot "$out" "$k1")
  [[ -n $GEN_RX && -n $s0 && -n $s1 ]] || { echo "could not parse nodeplane/generator stats (logs: $out)" >&2; return 1; }
  local rx busy idle drops
  read -r rx busy idle drops < <(awk -v a="$s0" -v b="$s1" 'BEGIN {split(a, x, " "); split(b, y, " ");
    printf "%.0f %.0f %.0f %.0f\n", y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4]}')
  if [[ $MODE == service ]]; then
    # Connections: to open, opened (first frame reached the backend), tracked after the
    # window, created since the start; NAT drops; packets the switch received between its
    # snapshots ("new": all of them, so created / packets is the new connections a packet).
    echo "$CONNS ${WARM_ARRIVED:--} $NP_FLOWS $NP_CREATED $NP_NAT_DROPS $rx" >"$TMP/svc/$CUR"
  fi
  # Busy %: "new" shows none, its snapshots enclose idle time before "start" and after "stop".
  local busy_pct=-
  if [[ $new -eq 0 ]]; then
    busy_pct=$(awk -v b="$busy" -v i="$idle" 'BEGIN {printf "%.0f", ((b + i) > 0 ? 100 * b / (b + i) : 0)}')
  fi
  save_result "$GEN_RX" "$busy" "$rx" "$busy_pct" "$drops"
  if [[ $MODE == service && $drops != 0 ]]; then
    log "WARNING: nodeplane dropped $drops frames in the window (expected 0; see $CUR-nodeplane.out and the npctl stats)"
  fi
}

# ---------------------------------------------------------------------------------------
# Run a leg in a subshell with errexit on and its own cleanup, so that a failing leg is
# reported and cleaned up and the others still run.
# ---------------------------------------------------------------------------------------
# What a leg leaves behind, removed before the next leg starts (the trap of its subshell).
leg_cleanup() {
  set +e
  kill_recorded "$TMP"/pids/*
  kill_pidfiles
  if [[ -e /var/run/netns/$NETNS ]]; then ip netns del "$NETNS"; fi
  local h
  for h in $(hugetlbfs_dirs); do rm -f "$h/$RUN_ID"*; done
  rm -rf /var/run/dpdk/"$RUN_ID"*
}

run_leg() {  # run_leg LEG ROUND [KEY]  (KEY: the results' name, default LEG)
  local leg=$1 round=$2 key=${3:-$1} rc=0
  CUR="$key.$round" CUR_LEG=$leg
  log "---- leg $key (round $round/$ROUNDS)${CONNS:+, $CONNS connections} ----"
  check_quiet
  # In the background, so that a signal to this script runs its trap at once (the trap
  # stops the leg, whose own trap then stops the leg's processes).
  (
    set -euo pipefail
    trap leg_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    "leg_$leg"
  ) &
  LEG_PID=$!
  wait "$LEG_PID" || rc=$?
  LEG_PID=""
  [[ $rc -eq 130 || $rc -eq 143 ]] && exit "$rc"
  if [[ $rc -ne 0 ]]; then
    log "$CUR: FAILED (status $rc); last log lines:"
    local f
    for f in "$TMP"/logs/"$CUR"-*; do
      [[ -f $f ]] || continue
      echo "  == ${f##*/}"; tail -n 8 "$f" | sed 's/^/  | /'
    done
    echo "FAILED" >"$TMP/results/$CUR"
  fi
}

# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------
declare -A SKIP=()
if [[ $GEN == reflector ]]; then
  [[ -x $REFLECTOR ]] ||
    die "$REFLECTOR not found; it is the generator of every leg in $MODE mode (build np-e2e-reflector, or set REFLECTOR=)"
  command -v dpdk-testpmd >/dev/null || SKIP[testpmd]="dpdk-testpmd not found (package dpdk)"
else
  command -v dpdk-testpmd >/dev/null ||
    die "dpdk-testpmd not found (package dpdk); it is the generator of every leg (try --install)"
fi
if want_leg ovs; then
  if [[ $MODE != l2 ]]; then
    SKIP[ovs]="no $MODE OVS leg (--mode $MODE: testpmd and nodeplane only)"
  elif reason=$(ovs_missing); then SKIP[ovs]="$reason"; fi
fi
if want_leg nodeplane && [[ ! -x $NODEPLANE ]]; then
  SKIP[nodeplane]="$NODEPLANE not found or not executable (build it, or set NODEPLANE=)"
fi
for leg in testpmd ovs nodeplane; do
  want_leg "$leg" || SKIP[$leg]="not selected (--legs $LEGS)"
  if [[ -n ${SKIP[$leg]:-} ]]; then log "SKIP leg $leg: ${SKIP[$leg]}"; fi
done

reserve_hugepages
if [[ $MODE == routed ]]; then
  log "run $RUN_ID (routed): $DURATION s window after $WARMUP s warm-up, $ROUNDS round(s), flowgen open loop to $FLOWS destinations, $PKT_LEN-byte frames"
elif [[ $MODE == vxlan ]]; then
  log "run $RUN_ID (vxlan): $DURATION s window after $WARMUP s warm-up, $ROUNDS round(s), np-e2e-reflector, $BURSTS x 32 frames per port in the loop, $PKT_LEN-byte inner frames"
elif [[ $MODE == service ]]; then
  log "run $RUN_ID (service): $DURATION s window after $WARMUP s warm-up, $ROUNDS round(s), np-e2e-reflector, connections ${CONN_LIST[*]}, $BURSTS x 32 frames in the loop, $PKT_LEN-byte frames"
else
  log "run $RUN_ID: $DURATION s window after $WARMUP s warm-up, $ROUNDS round(s), $BURSTS x 32 frames per port in the loop, $PKT_LEN-byte frames"
fi
log "temp dir $TMP"

# Result keys, in the summary's order: the leg's name, or in service mode "nodeplane-cN"
# for the nodeplane leg with N connections.
ROWS=(nodeplane testpmd ovs)
# The testpmd leg's generator: the smallest count's (1000 when there is only "new").
CONN_MIN=$(printf '%s\n' "${CONN_LIST[@]}" | grep -v '^new$' | sort -n | head -n1 || true)
CONN_MIN=${CONN_MIN:-1000}
if [[ $MODE == service ]]; then
  ROWS=()
  for c in "${CONN_LIST[@]}"; do ROWS+=("nodeplane-c$c"); done
  ROWS+=(testpmd)
fi
row_leg() { echo "${1%%-c*}"; }

for round in $(seq "$ROUNDS"); do
  for leg in testpmd ovs nodeplane; do
    if [[ -n ${SKIP[$leg]:-} ]]; then continue; fi
    if [[ $MODE != service ]]; then
      run_leg "$leg" "$round"
    elif [[ $leg == testpmd ]]; then
      CONNS=$CONN_MIN run_leg "$leg" "$round"
    else
      for c in "${CONN_LIST[@]}"; do CONNS=$c run_leg "$leg" "$round" "$leg-c$c"; done
    fi
  done
done

# ---------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------
# median LEG FIELD(1=mpps 2=cyc 3=busy 4=drops): over the rounds that succeeded.
# A round is stable when its per-second rx rates stayed within 15%; medians use the stable
# rounds when there are any, else all of them.
# shellcheck disable=SC2016  # awk code, expanded by awk
STABLE='$1 != "FAILED" && $7 > 0 && $8 <= 1.15 * $7'
rounds_used() {  # rounds_used LEG -> "STABLE_OR_ALL N_USED N_OK"
  local leg=$1 f ok=0 st=0
  for f in "$TMP"/results/"$leg".*; do
    [[ -f $f ]] || continue
    if awk '$1 != "FAILED" {exit 0} {exit 1}' "$f"; then ok=$((ok + 1)); fi
    if awk "$STABLE {exit 0} {exit 1}" "$f"; then st=$((st + 1)); fi
  done
  if [[ $st -gt 0 ]]; then echo "stable $st $ok"; else echo "all $ok $ok"; fi
}
median() {
  local leg=$1 field=$2 f sel
  # shellcheck disable=SC2016
  sel='$1 != "FAILED"'
  if [[ $(rounds_used "$leg" | awk '{print $1}') == stable ]]; then sel=$STABLE; fi
  for f in "$TMP"/results/"$leg".*; do
    if [[ -f $f ]]; then awk -v k="$field" "$sel {print \$k}" "$f"; fi
  done | sort -g | awk -v k="$field" '{v[NR] = $1}
    END {
      if (NR == 0) exit
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      if (m !~ /^[0-9.]+$/) print m
      else if (k == 1) printf "%.3f\n", m
      else if (k == 2) printf "%.1f\n", m
      else printf "%.0f\n", m
    }'
}

cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
dpdk_ver=$(dpkg-query -W -f='${Version}' dpdk 2>/dev/null || pkg-config --modversion libdpdk 2>/dev/null || echo unknown)
ovs_ver=$("$OVS_VSWITCHD" --version 2>/dev/null | head -n1 | awk '{print $NF}' || true)

echo
if [[ $MODE == routed ]]; then
  echo "==== e2e routed: two vhost-user ports, one switch core, ${PKT_LEN}-byte IPv4/UDP frames, flowgen to $FLOWS destinations ===="
  echo "nodeplane routes (interfaces $IP_A/24, $IP_B/24); testpmd io forwards a <-> b unchanged"
elif [[ $MODE == vxlan ]]; then
  echo "==== e2e VXLAN: pod port <-> VXLAN uplink, one switch core, ${PKT_LEN}-byte inner frames, np-e2e-reflector closed loop ===="
  echo "nodeplane encapsulates a -> b (VNI $VNI, VTEP $LOCAL_VTEP -> $REMOTE_VTEP, $((PKT_LEN + 50))-byte frames) and decapsulates"
  echo "b -> a, so its busy cyc/pkt averages encap and decap packets; testpmd io forwards plain frames a <-> b"
elif [[ $MODE == service ]]; then
  echo "==== e2e service: clients' port <-> backend's port, one switch core, ${PKT_LEN}-byte UDP frames, np-e2e-reflector closed loop ===="
  echo "nodeplane routes with a UDP service $VIP:$VIP_PORT -> $GEN_IP_B:$BACKEND_PORT: every pass one DNAT (a -> b) and one reverse"
  echo "NAT (b -> a) through established connections chosen at random; testpmd io forwards the same frames a <-> b."
  echo "\"new flows\": every client packet (a -> b only) opens a new connection, for a ${NEW_WINDOW}-s window from an empty table"
else
  echo "==== e2e L2: two vhost-user ports, one switch core, ${PKT_LEN}-byte frames ===="
fi
echo "machine: $cpu_model, $(nproc --all) CPUs, kernel $(uname -r), DPDK $dpdk_ver${ovs_ver:+, OVS $ovs_ver}"
echo "command: $CMDLINE"
echo "window:  $DURATION s after $WARMUP s warm-up; $ROUNDS round(s)$([[ $ROUNDS -gt 1 ]] && echo ", medians")"
echo
# Ratios: nodeplane / the other switch on that switch's row; in service mode, where
# nodeplane has a row per connection count, nodeplane / testpmd on nodeplane's rows.
# human N: 1000 -> 1k, 1000000 -> 1M.
human() {
  if [[ $1 == new ]]; then echo "new"
  elif [[ $(($1 % 1000000)) -eq 0 ]]; then echo "$(($1 / 1000000))M"
  elif [[ $(($1 % 1000)) -eq 0 ]]; then echo "$(($1 / 1000))k"
  else echo "$1"; fi
}
row_name() {
  case $1 in
    nodeplane) if [[ $MODE == l2 ]]; then echo "nodeplane"; else echo "nodeplane $MODE"; fi ;;
    nodeplane-cnew) echo "nodeplane svc new flows" ;;
    nodeplane-c*) echo "nodeplane svc $(human "${1#nodeplane-c}") conns" ;;
    testpmd) echo "testpmd io forwarding" ;;
    ovs) echo "OVS-DPDK NORMAL" ;;
  esac
}
REF=nodeplane HDR_M="Mpps ours/that" HDR_C="cyc/pkt ours/that"
FMT='%-22s %8s %13s %7s %9s %7s %15s %18s\n'
if [[ $MODE == service ]]; then
  REF=testpmd HDR_M="Mpps ours/testpmd" HDR_C="cyc/pkt ours/testpmd"
  FMT='%-22s %8s %13s %7s %9s %7s %17s %21s\n'
fi
ref_mpps=$(median "$REF" 1); ref_cyc=$(median "$REF" 2)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}'; }
NOTES=()
# shellcheck disable=SC2059
printf "$FMT" "switch" "rx Mpps" "busy cyc/pkt" "busy %" "on-CPU %" "drops" "$HDR_M" "$HDR_C"
# shellcheck disable=SC2059
printf "$FMT" "------" "-------" "------------" "------" "--------" "-----" "$(tr -c '\n' - <<<"$HDR_M")" "$(tr -c '\n' - <<<"$HDR_C")"
for key in "${ROWS[@]}"; do
  leg=$(row_leg "$key")
  name=$(row_name "$key")
  if [[ -n ${SKIP[$leg]:-} ]]; then
    printf '%-22s %s\n' "$name" "skipped: ${SKIP[$leg]}"
    continue
  fi
  m=$(median "$key" 1); c=$(median "$key" 2); b=$(median "$key" 3); dr=$(median "$key" 4)
  oc=$(median "$key" 5)
  read -r how used ok < <(rounds_used "$key")
  if [[ $ok -gt 0 && ( $how != stable || $used -lt $ok ) ]]; then
    NOTES+=("$name: median of $used $how round(s) of $ok that ran")
  fi
  if [[ -z $m ]]; then printf '%-22s %s\n' "$name" "FAILED (see the log lines above)"; continue; fi
  if [[ $key == "$REF" ]]; then
    rm_="-"; rc_="-"
  elif [[ -z $ref_mpps ]]; then
    rm_="n/a"; rc_="n/a"
  elif [[ $MODE == service ]]; then  # This row's nodeplane over testpmd.
    rm_=$(ratio "$m" "$ref_mpps"); rc_=$(ratio "$c" "$ref_cyc")
  else  # nodeplane over this row's switch.
    rm_=$(ratio "$ref_mpps" "$m"); rc_=$(ratio "$ref_cyc" "$c")
  fi
  # shellcheck disable=SC2059
  printf "$FMT" "$name" "$m" "$c" "$b" "$oc" "$dr" "$rm_" "$rc_"
done
for n in "${NOTES[@]}"; do echo "note: $n"; done
echo
echo "per round: rx Mpps / busy cycles per packet / switch thread on-CPU % / per-second rx Mpps"
echo "min-max (\"unstable\": they differ by more than 15%; such rounds are left out of the medians"
echo "when a leg has stable ones)"
for key in "${ROWS[@]}"; do
  if [[ -n ${SKIP[$(row_leg "$key")]:-} ]]; then continue; fi
  line=""
  for round in $(seq "$ROUNDS"); do
    f="$TMP/results/$key.$round"
    if [[ -f $f ]] && ! grep -q FAILED "$f"; then
      line+="  $(awk "{printf \"%s/%s/%s/%s-%s\", \$1, \$2, \$5, \$7, \$8} !($STABLE) {printf \" unstable\"}" "$f")"
    else
      line+="  failed"
    fi
  done
  label=$key
  if [[ $key == nodeplane-c* ]]; then label="np $(human "${key#nodeplane-c}")"; fi
  printf '  %-10s%s\n' "$label" "$line"
done
if [[ $MODE == service && -z ${SKIP[nodeplane]:-} ]]; then
  echo
  echo "nodeplane's connection table per round (npctl stats after the window): connections"
  echo "opened (first frame reached the backend) / to open, tracked, created since start, NAT drops;"
  echo "new flows: connections created / packets the switch received (1.00: every packet a new one)"
  for c in "${CONN_LIST[@]}"; do
    line=""
    for round in $(seq "$ROUNDS"); do
      f="$TMP/svc/nodeplane-c$c.$round"
      if [[ -f $f && $c == new ]]; then
        line+="  $(awk '{printf "created=%s of %s packets (%.2f a packet) flows=%s nat_drops=%s", $4, $6, ($6 > 0 ? $4 / $6 : 0), $3, $5}' "$f")"
      elif [[ -f $f ]]; then
        line+="  $(awk '{printf "%s/%s flows=%s created=%s nat_drops=%s", $2, $1, $3, $4, $5}' "$f")"
      else
        line+="  -"
      fi
    done
    printf '  %-10s%s\n' "np $(human "$c")" "$line"
  done
fi
echo
echo "rx Mpps: frames received by the generator on both ports in the window. busy cyc/pkt: the"
echo "switch core's TSC cycles in polls that found packets / packets it received (nodeplane:"
echo "worker busy_cycles/rx_pkts; testpmd: --record-core-cycles; OVS: pmd-stats-show processing"
echo "cycles/packets received). busy %: share of the window the switch core spent in such polls."
if [[ $MODE == service ]]; then
  echo "(new flows: no busy %, the switch's counters there enclose idle time before and after the window)."
fi
echo "on-CPU %: share of the window the switch thread actually ran (schedstat); below ~97% another"
echo "process took CPU $SW_CPU and the figures are contaminated."
if [[ $MODE == service ]]; then
  echo "Ratios: nodeplane's over testpmd's (testpmd io forwarding is the floor: no lookup, no"
  echo "rewrite). On 2 cores the generator shares CPU $GEN_CPU and saturates near the switch's"
  echo "rate: compare cycles per packet within one run."
else
  echo "Ratios: Mpps >1x and cycles <1x mean nodeplane is better. On 2 cores the generator shares"
  echo "CPU $GEN_CPU and saturates near the switch's rate: compare cycles per packet within one run."
fi
