// np-e2e-reflector: the generator of perf/e2e_l2.sh's VXLAN and service modes. It closes
// loops that testpmd cannot close: for VXLAN (5tswap also swaps the UDP ports, so the
// reflected frame would no longer go to port 4789; macswap leaves the outer IPs, so it would
// not go to our VTEP), frames from a pod go through the switch into a VXLAN tunnel, come
// back from the "remote VTEP" and are bridged to the pod again, and so on, for the whole
// run; for a service, a client's packet to a VIP is translated to a backend, the backend
// answers, the answer is translated back to the client, and the client sends its next
// packet (a router decrements the TTL on every pass, and no testpmd engine restores it).
//
// Two virtio_user ports from the EAL arguments: port 0 = P, the pod / the clients' side
// (on the switch's pod port), port 1 = U, the remote VTEP / the backend (on the switch's
// uplink). At start it puts --bursts bursts of 32 frames into the loop out of each port
// (with --service: out of P only); then, in one thread, every frame it receives is
// reflected in place and sent back out of the port it came from:
//   - a VXLAN frame (IPv4/UDP to 4789): outer MACs and IPs swapped (back to the VTEP that
//     sent it, VNI and UDP ports kept), inner MACs swapped;
//   - any other frame: Ethernet MACs swapped.
// Without --vxlan, U sends plain frames instead (for a switch that does not encapsulate,
// e.g. testpmd io forwarding between the two ports).
//
// --service: first a warm-up opens --connections N connections: N UDP frames, connection i
// from client (--client-ip + i / 64000):(1024 + i % 64000) to --vip:--vip-port, out of P
// (to --switch-mac) in bursts with at most 128 frames in flight; what arrives at U (the
// backend, after DNAT) is counted and dropped. It prints
//   warmup connections=N sent=N arrived=N drops=N
// Then --bursts x 32 frames of randomly chosen connections go into the loop out of P, and
// every IPv4/UDP frame received is answered (MACs swapped, TTL 64, IPv4 checksum computed
// again; UDP checksums are 0, so no L4 checksum changes):
//   - at U (client -> backend): the backend's reply, IPs and UDP ports swapped;
//   - at P (VIP -> client): the next client packet to the VIP, on a connection chosen at
//     random among the N (so the switch's connection table is used all over): source the
//     connection's client IP and port, destination the frame's source (VIP:port).
// Any other frame is dropped (counted).
//
// --service --new-flows: every packet through the switch opens a new connection. No
// warm-up and no frames until the command "start": then --bursts x 32 client frames go out
// of P, each from the next unused client address and port (connection i as above, i
// counting up through 2^24 of them, the most the switch's table holds), and every frame
// arriving at U (DNATed to the backend) is turned into the next such client frame and sent
// out of P again: the loop runs one way, P -> switch -> U. After "stop", frames arriving at
// U leave the loop (freed, counted as retired).
//
// Control on stdin, one command a line: "stats" prints
//   stats rx=N tx=N drops=N tsc=N hz=N
// (cumulative over both ports; tsc = rte_rdtsc() when printed), "start" and "stop" (with
// --new-flows), "quit" (or end of input) exits. "ready" is printed once the frames are in
// the loop (with --new-flows: once the switch has seen the links, before "start").
//
//   np-e2e-reflector EAL-ARGS -- --mac-a MAC [--bursts N (1..4, default 4; --service 1..8,
//       default 8)]
//       [--mac-r MAC [--vxlan --mac-u MAC --switch-mac MAC --local-vtep IP --remote-vtep IP
//        --vni N]]
//       [--service --switch-mac MAC --client-ip IP --vip IP --vip-port N
//        (--connections N | --new-flows)]
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr uint16_t kBurst = 32;
// virtio_user's vrings (its queue_size, by default).
constexpr uint16_t kRingSize = 256;
// Bursts per port put into the loop. Every frame goes back out of the port it came in on,
// so the frames of both ports share one loop (P -> switch -> U -> switch -> P) and can all
// pile up in one of its rings: 2 x 4 x 32 frames fit a 256-entry vring, more could overflow
// it, and a frame dropped there is lost from the loop.
constexpr unsigned kMaxBursts = 4;
// With --service only P injects: 8 x 32 frames fit a 256-entry vring.
constexpr unsigned kMaxServiceBursts = 8;
// The frame a pod sends, without FCS (the inner frame of a VXLAN frame).
constexpr uint16_t kFrameLen = 64;
constexpr uint16_t kOuterLen =
    sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + sizeof(rte_vxlan_hdr);
constexpr uint8_t kVxlanFlagI = 0x08;         // RFC 7348: the only defined flag, "VNI valid".
constexpr uint16_t kVxlanSrcPortMin = 49152;  // RFC 7348: from the ephemeral range.
// Inner IPv4 addresses of the pod (behind P) and of its peer behind the remote VTEP. A
// bridge does not look at them; they only make the frames well-formed.
constexpr uint32_t kPodIp = RTE_IPV4(10, 10, 0, 1);
constexpr uint32_t kPeerIp = RTE_IPV4(10, 10, 0, 2);
constexpr uint16_t kUdpPort = 9;  // discard
// Like testpmd's "io retry": a frame not sent is lost from the loop for good, and the
// switch frees ring space within microseconds.
constexpr unsigned kTxRetries = 64;
constexpr unsigned kTxRetryDelayUs = 1;
// The switch must have seen both vhost devices come up before the first frame (nodeplane
// polls link state every 100 ms; a frame to a port it thinks down is dropped).
constexpr unsigned kSwitchSettleMs = 2000;
constexpr unsigned kLinkWaitMs = 10000;
// stdin is polled this often (a system call per loop would cost more than a packet).
constexpr uint64_t kControlPollCycles = 1u << 20;
// --service: connection i is client (client_ip + i / kPortsPerClient) port
// (kClientPortMin + i % kPortsPerClient).
constexpr uint32_t kClientPortMin = 1024;
constexpr uint32_t kPortsPerClient = 64000;
constexpr uint32_t kMaxConnections = 1u << 24;  // The switch's table holds at most 2^24.
// Warm-up: frames sent but not yet arrived at U, at most (half a vring: nothing overflows).
constexpr uint64_t kWarmupInFlight = 128;
// Warm-up: how long to wait for frames in flight before giving them up as lost.
constexpr unsigned kWarmupStallMs = 200;

enum PortId : uint16_t { kPod = 0, kUplink = 1, kPortCount = 2 };
constexpr const char* kPortName[kPortCount] = {"P", "U"};

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

struct Options {
  rte_ether_addr mac_a{}, mac_r{}, mac_u{}, switch_mac{};
  uint32_t local_vtep = 0, remote_vtep = 0;  // Host byte order.
  uint32_t vni = 0;
  unsigned bursts = 0;  // 0: the mode's maximum.
  bool vxlan = false;
  // --service (addresses in host byte order).
  bool service = false;
  bool new_flows = false;
  uint32_t client_ip = 0, vip = 0;
  uint16_t vip_port = 0;
  uint32_t connections = 0;  // With --new-flows: the client addresses and ports to go through.
};

struct Counters {
  uint64_t rx = 0, tx = 0, drops = 0;
  uint64_t other = 0;    // --service: received frames that were not IPv4/UDP (dropped).
  uint64_t retired = 0;  // --new-flows: frames taken out of the loop after "stop".
};

// --new-flows: which connections are next, and whether the loop still runs.
struct NewFlows {
  bool running = false;
  uint32_t next = 0;
  uint32_t take(const Options& o) {
    const uint32_t i = next;
    next = next + 1 == o.connections ? 0 : next + 1;
    return i;
  }
};

// xorshift64*: cheap enough per packet, and uniform enough to spread over the connections.
struct Random {
  uint64_t state = 0x9e3779b97f4a7c15ull;
  uint32_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<uint32_t>((state * 0x2545f4914f6cdd1dull) >> 32);
  }
  // Uniform in [0, n).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((uint64_t{next()} * n) >> 32); }
};

[[noreturn]] void fail(const std::string& message) {
  fprintf(stderr, "np-e2e-reflector: %s\n", message.c_str());
  exit(1);
}

rte_ether_addr parse_mac(const std::string& text) {
  rte_ether_addr mac;
  if (rte_ether_unformat_addr(text.c_str(), &mac) != 0) fail("bad MAC address '" + text + "'");
  return mac;
}

uint32_t parse_ipv4(const std::string& text) {
  in_addr addr;
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) fail("bad IPv4 address '" + text + "'");
  return rte_be_to_cpu_32(addr.s_addr);
}

unsigned long parse_uint(const std::string& text, unsigned long min, unsigned long max) {
  char* end = nullptr;
  const unsigned long v = strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min || v > max)
    fail("'" + text + "' is not a number in " + std::to_string(min) + ".." + std::to_string(max));
  return v;
}

// The arguments after the EAL's (argv[0] is the program name).
Options parse_options(int argc, char** argv) {
  Options o;
  std::set<std::string> given;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(arg + " needs a value");
      given.insert(arg);
      return argv[++i];
    };
    if (arg == "--mac-a")
      o.mac_a = parse_mac(value());
    else if (arg == "--mac-r")
      o.mac_r = parse_mac(value());
    else if (arg == "--mac-u")
      o.mac_u = parse_mac(value());
    else if (arg == "--switch-mac")
      o.switch_mac = parse_mac(value());
    else if (arg == "--local-vtep")
      o.local_vtep = parse_ipv4(value());
    else if (arg == "--remote-vtep")
      o.remote_vtep = parse_ipv4(value());
    else if (arg == "--vni")
      o.vni = static_cast<uint32_t>(parse_uint(value(), 1, (1u << 24) - 1));
    else if (arg == "--bursts")
      o.bursts = static_cast<unsigned>(parse_uint(value(), 1, kMaxServiceBursts));
    else if (arg == "--vxlan")
      o.vxlan = true;
    else if (arg == "--service")
      o.service = true;
    else if (arg == "--new-flows")
      o.new_flows = true;
    else if (arg == "--client-ip")
      o.client_ip = parse_ipv4(value());
    else if (arg == "--vip")
      o.vip = parse_ipv4(value());
    else if (arg == "--vip-port")
      o.vip_port = static_cast<uint16_t>(parse_uint(value(), 1, 65535));
    else if (arg == "--connections")
      o.connections = static_cast<uint32_t>(parse_uint(value(), 1, kMaxConnections));
    else
      fail("unknown argument '" + arg + "'");
  }
  if (o.vxlan && o.service) fail("--vxlan and --service exclude each other");
  if (o.new_flows && !o.service) fail("--new-flows needs --service");
  if (o.new_flows && given.count("--connections") != 0)
    fail("--new-flows and --connections exclude each other");
  if (o.new_flows) o.connections = kMaxConnections;
  std::vector<std::string> required = {"--mac-a"};
  if (o.service)
    required.insert(required.end(), {"--switch-mac", "--client-ip", "--vip", "--vip-port"});
  else
    required.push_back("--mac-r");
  if (o.service && !o.new_flows) required.push_back("--connections");
  if (o.vxlan)
    required.insert(required.end(),
                    {"--mac-u", "--switch-mac", "--local-vtep", "--remote-vtep", "--vni"});
  const char* with = o.vxlan ? " with --vxlan" : o.service ? " with --service" : "";
  for (const std::string& r : required)
    if (given.count(r) == 0) fail(r + " is required" + with);
  const unsigned max_bursts = o.service ? kMaxServiceBursts : kMaxBursts;
  if (o.bursts == 0) o.bursts = max_bursts;
  if (o.bursts > max_bursts)
    fail("--bursts must be 1.." + std::to_string(max_bursts) +
         (o.service ? " with --service" : ""));
  if (o.service && uint64_t{o.client_ip} + (o.connections - 1) / kPortsPerClient > 0xffffffffu)
    fail("--client-ip + the connections' addresses run past 255.255.255.255");
  return o;
}

void open_port(uint16_t port, rte_mempool* pool) {
  const rte_eth_conf conf{};
  if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
      rte_eth_rx_queue_setup(port, 0, kRingSize, rte_eth_dev_socket_id(port), nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(port, 0, kRingSize, rte_eth_dev_socket_id(port), nullptr) != 0 ||
      rte_eth_dev_start(port) != 0)
    fail(std::string("cannot start port ") + kPortName[port]);
}

bool link_up(uint16_t port) {
  rte_eth_link link{};
  return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

// Waits until both links are up, then lets the switch notice them too. False on a signal.
bool wait_for_switch() {
  unsigned ms = 0;
  for (; !(link_up(kPod) && link_up(kUplink)); ms += 10) {
    if (ms >= kLinkWaitMs) fail("the links did not come up");
    if (g_stop.load()) return false;
    rte_delay_us_sleep(10 * 1000);
  }
  for (ms = 0; ms < kSwitchSettleMs; ms += 10) {
    if (g_stop.load()) return false;
    rte_delay_us_sleep(10 * 1000);
  }
  return true;
}

// Writes an Ethernet/IPv4/UDP frame of kFrameLen bytes at `p`, UDP checksum 0 (none).
void write_frame(uint8_t* p, const rte_ether_addr& src, const rte_ether_addr& dst, uint32_t src_ip,
                 uint32_t dst_ip, uint16_t src_port = kUdpPort, uint16_t dst_port = kUdpPort) {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->src_addr = src;
  eth->dst_addr = dst;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  *ip = {};
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->total_length = rte_cpu_to_be_16(kFrameLen - sizeof(rte_ether_hdr));
  ip->time_to_live = 64;
  ip->next_proto_id = IPPROTO_UDP;
  ip->src_addr = rte_cpu_to_be_32(src_ip);
  ip->dst_addr = rte_cpu_to_be_32(dst_ip);
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->src_port = rte_cpu_to_be_16(src_port);
  udp->dst_port = rte_cpu_to_be_16(dst_port);
  udp->dgram_len = rte_cpu_to_be_16(kFrameLen - sizeof(rte_ether_hdr) - sizeof(rte_ipv4_hdr));
  udp->dgram_cksum = 0;  // None (IPv4).
  uint8_t* payload = reinterpret_cast<uint8_t*>(udp + 1);
  memset(payload, 0, kFrameLen - (payload - p));
}

// Writes a VXLAN frame from the remote VTEP to ours (RFC 7348) at `p`, carrying the peer's
// frame to the pod; `index` varies the UDP source port, as different inner flows would.
void write_vxlan_frame(uint8_t* p, const Options& o, unsigned index) {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->src_addr = o.mac_u;
  eth->dst_addr = o.switch_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  *ip = {};
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->total_length = rte_cpu_to_be_16(kOuterLen - sizeof(rte_ether_hdr) + kFrameLen);
  ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  ip->time_to_live = 64;
  ip->next_proto_id = IPPROTO_UDP;
  ip->src_addr = rte_cpu_to_be_32(o.remote_vtep);
  ip->dst_addr = rte_cpu_to_be_32(o.local_vtep);
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->src_port = rte_cpu_to_be_16(static_cast<uint16_t>(kVxlanSrcPortMin + index));
  udp->dst_port = rte_cpu_to_be_16(RTE_VXLAN_DEFAULT_PORT);
  udp->dgram_len = rte_cpu_to_be_16(sizeof(rte_udp_hdr) + sizeof(rte_vxlan_hdr) + kFrameLen);
  udp->dgram_cksum = 0;  // Allowed for IPv4 (RFC 7348, section 5).
  auto* vx = reinterpret_cast<rte_vxlan_hdr*>(udp + 1);
  vx->vx_flags = rte_cpu_to_be_32(uint32_t{kVxlanFlagI} << 24);
  vx->vx_vni = rte_cpu_to_be_32(o.vni << 8);
  write_frame(reinterpret_cast<uint8_t*>(vx + 1), o.mac_r, o.mac_a, kPeerIp, kPodIp);
}

// Sends `n` frames out of `port`, retrying the rest a bounded number of times; what still
// does not fit is freed and counted as dropped.
void send(uint16_t port, rte_mbuf** pkts, uint16_t n, Counters& c) {
  uint16_t sent = rte_eth_tx_burst(port, 0, pkts, n);
  for (unsigned r = 0; sent < n && r < kTxRetries; ++r) {
    rte_delay_us(kTxRetryDelayUs);
    sent += rte_eth_tx_burst(port, 0, pkts + sent, n - sent);
  }
  c.tx += sent;
  if (sent < n) {
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    c.drops += n - sent;
  }
}

// Puts o.bursts bursts of frames into the loop out of each port: the pod's frames to its
// peer out of P, the peer's frames to the pod (in VXLAN with --vxlan) out of U.
void inject(const Options& o, rte_mempool* pool, Counters* counters) {
  const uint16_t uplink_len = o.vxlan ? kOuterLen + kFrameLen : kFrameLen;
  for (unsigned b = 0; b < o.bursts; ++b) {
    for (uint16_t port : {kPod, kUplink}) {
      rte_mbuf* pkts[kBurst];
      if (rte_pktmbuf_alloc_bulk(pool, pkts, kBurst) != 0) fail("out of mbufs");
      for (unsigned i = 0; i < kBurst; ++i) {
        const uint16_t len = port == kPod ? kFrameLen : uplink_len;
        auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(pkts[i], len));
        if (port == kPod)
          write_frame(p, o.mac_a, o.mac_r, kPodIp, kPeerIp);
        else if (o.vxlan)
          write_vxlan_frame(p, o, b * kBurst + i);
        else
          write_frame(p, o.mac_r, o.mac_a, kPeerIp, kPodIp);
      }
      send(port, pkts, kBurst, counters[port]);
    }
  }
}

// --service: connection i's client address and UDP port (host byte order).
uint32_t client_ip_of(const Options& o, uint32_t i) { return o.client_ip + i / kPortsPerClient; }
uint16_t client_port_of(uint32_t i) {
  return static_cast<uint16_t>(kClientPortMin + i % kPortsPerClient);
}

// Sends one client packet to the VIP for each of the n (<= kBurst) connections out of P.
void send_client_frames(const Options& o, rte_mempool* pool, const uint32_t* connections,
                        uint16_t n, Counters& c) {
  rte_mbuf* pkts[kBurst];
  if (rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0) fail("out of mbufs");
  for (uint16_t k = 0; k < n; ++k) {
    auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(pkts[k], kFrameLen));
    const uint32_t i = connections[k];
    write_frame(p, o.mac_a, o.switch_mac, client_ip_of(o, i), o.vip, client_port_of(i), o.vip_port);
  }
  send(kPod, pkts, n, c);
}

bool is_ipv4_udp(const rte_mbuf* m) {
  if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr))
    return false;
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
  return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
         ip->version_ihl == RTE_IPV4_VHL_DEF && ip->next_proto_id == IPPROTO_UDP;
}

uint64_t ms_to_cycles(unsigned ms) { return rte_get_tsc_hz() / 1000 * ms; }

// --service: opens o.connections connections, one client frame each out of P, with at most
// kWarmupInFlight frames between P and U; what arrives at U (DNATed to the backend) is
// counted and dropped. Frames that do not arrive within kWarmupStallMs are given up (the
// count shows them). Prints the "warmup" line. False on a signal.
bool warm_up(const Options& o, rte_mempool* pool) {
  Counters pod;
  uint64_t arrived = 0, other = 0, given_up = 0;
  const uint64_t stall = ms_to_cycles(kWarmupStallMs);
  auto drain = [&]() {
    rte_mbuf* pkts[kBurst];
    bool got = false;
    for (uint16_t port : {kUplink, kPod}) {
      uint16_t n;
      while ((n = rte_eth_rx_burst(port, 0, pkts, kBurst)) > 0) {
        for (uint16_t k = 0; k < n; ++k) {
          if (port == kUplink && is_ipv4_udp(pkts[k])) {
            ++arrived;
            got = true;
          } else {
            ++other;
          }
        }
        rte_pktmbuf_free_bulk(pkts, n);
      }
    }
    return got;
  };
  auto in_flight = [&]() -> uint64_t {
    return pod.tx > arrived + given_up ? pod.tx - arrived - given_up : 0;
  };
  uint64_t last_progress = rte_rdtsc();
  uint32_t next = 0;
  while (next < o.connections) {
    if (g_stop.load()) return false;
    if (drain()) last_progress = rte_rdtsc();
    if (in_flight() + kBurst > kWarmupInFlight) {
      if (rte_rdtsc() - last_progress > stall) {
        given_up += in_flight();
        last_progress = rte_rdtsc();
      }
      continue;
    }
    uint32_t ids[kBurst];
    const auto n = static_cast<uint16_t>(std::min<uint32_t>(kBurst, o.connections - next));
    for (uint16_t k = 0; k < n; ++k) ids[k] = next + k;
    send_client_frames(o, pool, ids, n, pod);
    next += n;
  }
  // The last frames in flight.
  for (last_progress = rte_rdtsc(); arrived < pod.tx && rte_rdtsc() - last_progress <= stall;) {
    if (g_stop.load()) return false;
    if (drain()) last_progress = rte_rdtsc();
  }
  printf("warmup connections=%u sent=%lu arrived=%lu drops=%lu other=%lu\n", o.connections, pod.tx,
         arrived, pod.drops, other);
  fflush(stdout);
  return true;
}

// --service: o.bursts bursts of client frames out of P, of the connections next_id() names.
void inject_clients(const Options& o, rte_mempool* pool, const std::function<uint32_t()>& next_id,
                    Counters& c) {
  for (unsigned b = 0; b < o.bursts; ++b) {
    uint32_t ids[kBurst];
    for (unsigned k = 0; k < kBurst; ++k) ids[k] = next_id();
    send_client_frames(o, pool, ids, kBurst, c);
  }
}

void swap_macs(rte_ether_hdr* eth) { std::swap(eth->src_addr, eth->dst_addr); }

// Reflects a VXLAN frame (with a 20-byte outer IPv4 header, as VTEPs send) back to the VTEP
// that sent it; false if `m` is not one.
bool reflect_vxlan(rte_mbuf* m) {
  if (m->data_len < kOuterLen + sizeof(rte_ether_hdr)) return false;
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  auto* vx = reinterpret_cast<rte_vxlan_hdr*>(udp + 1);
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
      ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP ||
      udp->dst_port != rte_cpu_to_be_16(RTE_VXLAN_DEFAULT_PORT) ||
      (vx->vx_flags & rte_cpu_to_be_32(uint32_t{kVxlanFlagI} << 24)) == 0)
    return false;
  swap_macs(eth);
  // The checksums (IPv4 header, UDP pseudo-header) are sums: a swap leaves them valid.
  const rte_be32_t src = ip->src_addr;  // Packed fields: no std::swap.
  ip->src_addr = ip->dst_addr;
  ip->dst_addr = src;
  swap_macs(reinterpret_cast<rte_ether_hdr*>(vx + 1));
  return true;
}

void reflect(rte_mbuf* m) {
  if (!reflect_vxlan(m)) swap_macs(rte_pktmbuf_mtod(m, rte_ether_hdr*));
}

// --service: answers an IPv4/UDP frame in place (see the top of the file): at U the
// backend's reply, at P the client's next packet on a random connection. MACs swapped, TTL
// 64 (the switch routes: one less per pass), IPv4 checksum computed again, UDP checksum 0.
// False if `m` is not IPv4/UDP.
bool reflect_service(rte_mbuf* m, uint16_t port, const Options& o, Random& rng) {
  if (!is_ipv4_udp(m)) return false;
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  swap_macs(eth);
  const rte_be32_t src_ip = ip->src_addr;  // Packed fields: no std::swap.
  const rte_be16_t src_port = udp->src_port;
  if (port == kUplink) {
    ip->src_addr = ip->dst_addr;
    udp->src_port = udp->dst_port;
  } else {
    const uint32_t i = rng.below(o.connections);
    ip->src_addr = rte_cpu_to_be_32(client_ip_of(o, i));
    udp->src_port = rte_cpu_to_be_16(client_port_of(i));
  }
  ip->dst_addr = src_ip;
  udp->dst_port = src_port;
  udp->dgram_cksum = 0;
  ip->time_to_live = 64;
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  return true;
}

// --new-flows: a burst from U (frames that reached the backend), each turned into the client
// frame of the next new connection and sent out of P; after "stop" they leave the loop.
void renew_burst(const Options& o, NewFlows& nf, Counters* counters) {
  rte_mbuf* pkts[kBurst];
  const uint16_t n = rte_eth_rx_burst(kUplink, 0, pkts, kBurst);
  if (n == 0) return;
  Counters& u = counters[kUplink];
  u.rx += n;
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    if (!nf.running || !is_ipv4_udp(m) || m->pkt_len != kFrameLen || m->nb_segs != 1) {
      ++(nf.running ? u.other : u.retired);
      rte_pktmbuf_free(m);
      continue;
    }
    const uint32_t id = nf.take(o);
    write_frame(rte_pktmbuf_mtod(m, uint8_t*), o.mac_a, o.switch_mac, client_ip_of(o, id), o.vip,
                client_port_of(id), o.vip_port);
    pkts[kept++] = m;
  }
  send(kPod, pkts, kept, counters[kPod]);
}

// One burst from `port` back out of it.
void reflect_burst(uint16_t port, const Options& o, Random& rng, Counters& c) {
  rte_mbuf* pkts[kBurst];
  const uint16_t n = rte_eth_rx_burst(port, 0, pkts, kBurst);
  if (n == 0) return;
  c.rx += n;
  if (o.new_flows) {  // Nothing comes back to the clients in this loop.
    rte_pktmbuf_free_bulk(pkts, n);
    c.other += n;
    return;
  }
  if (!o.service) {
    for (uint16_t i = 0; i < n; ++i) reflect(pkts[i]);
    send(port, pkts, n, c);
    return;
  }
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i) {
    if (reflect_service(pkts[i], port, o, rng)) {
      pkts[kept++] = pkts[i];
    } else {
      rte_pktmbuf_free(pkts[i]);
      ++c.other;
      ++c.drops;
    }
  }
  send(port, pkts, kept, c);
}

void print_stats(const Counters* counters) {
  Counters total;
  for (unsigned p = 0; p < kPortCount; ++p) {
    total.rx += counters[p].rx;
    total.tx += counters[p].tx;
    total.drops += counters[p].drops;
  }
  printf("stats rx=%lu tx=%lu drops=%lu tsc=%lu hz=%lu\n", total.rx, total.tx, total.drops,
         rte_rdtsc(), rte_get_tsc_hz());
  fflush(stdout);
}

// Reads whatever stdin has without blocking and runs the complete lines in it. False when
// it is time to exit ("quit", or stdin closed: the harness is gone).
bool run_commands(std::string& pending, const Options& o, rte_mempool* pool, NewFlows& nf,
                  Counters* counters) {
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  if (poll(&pfd, 1, 0) <= 0) return true;
  char buf[256];
  const ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
  if (n <= 0) return false;
  pending.append(buf, static_cast<size_t>(n));
  for (size_t eol; (eol = pending.find('\n')) != std::string::npos; pending.erase(0, eol + 1)) {
    const std::string line = pending.substr(0, eol);
    if (line == "stats") {
      print_stats(counters);
    } else if (o.new_flows && line == "start" && !nf.running) {
      nf.running = true;
      inject_clients(
          o, pool, [&] { return nf.take(o); }, counters[kPod]);
    } else if (o.new_flows && line == "stop") {
      nf.running = false;
    } else if (line == "quit") {
      return false;
    } else if (!line.empty()) {
      fprintf(stderr, "np-e2e-reflector: unknown command '%s'\n", line.c_str());
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const int eal_args = rte_eal_init(argc, argv);
  if (eal_args < 0) fail(std::string("EAL init: ") + rte_strerror(rte_errno));
  const Options o = parse_options(argc - eal_args, argv + eal_args);
  if (rte_eth_dev_count_avail() != kPortCount)
    fail("needs exactly two ports (--vdev net_virtio_user0,... for P, net_virtio_user1 for U)");

  // Ample: each port's rx vring holds 256 mbufs and its tx vring up to 256 more.
  rte_mempool* pool = rte_pktmbuf_pool_create("reflector", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                              rte_socket_id());
  if (pool == nullptr) fail("cannot allocate mbufs (hugepages?)");
  open_port(kPod, pool);
  open_port(kUplink, pool);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  Counters counters[kPortCount];
  Random rng;
  NewFlows new_flows;
  if (wait_for_switch() && (!o.service || o.new_flows || warm_up(o, pool))) {
    if (o.service && !o.new_flows)  // With --new-flows the frames go in on "start".
      inject_clients(
          o, pool, [&] { return rng.below(o.connections); }, counters[kPod]);
    else if (!o.service)
      inject(o, pool, counters);
    printf("ready\n");
    fflush(stdout);
  }

  // Pure polling: a benchmark generator, with a bounded lifetime in its harness.
  std::string pending;
  uint64_t next_control = 0;
  while (!g_stop.load(std::memory_order_relaxed)) {
    reflect_burst(kPod, o, rng, counters[kPod]);
    if (o.new_flows)
      renew_burst(o, new_flows, counters);
    else
      reflect_burst(kUplink, o, rng, counters[kUplink]);
    const uint64_t now = rte_rdtsc();
    if (now < next_control) continue;
    next_control = now + kControlPollCycles;
    if (!run_commands(pending, o, pool, new_flows, counters)) break;
  }

  for (uint16_t port : {kPod, kUplink}) {
    printf("port %s rx=%lu tx=%lu drops=%lu other=%lu retired=%lu\n", kPortName[port],
           counters[port].rx, counters[port].tx, counters[port].drops, counters[port].other,
           counters[port].retired);
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
  }
  fflush(stdout);
  rte_eal_cleanup();
  return 0;
}
