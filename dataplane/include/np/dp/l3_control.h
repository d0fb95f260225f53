// The control thread's side of IPv4: it owns the FIB (the single writer) and the neighbor
// (ARP) table. It installs connected, local and configured routes, shares one next-hop
// group among the routes with the same next hops, and turns resolved neighbors into host
// routes and group rewrites. It answers the workers' punts: packets waiting for ARP are
// held in a small queue per neighbor while it sends requests (then released or answered
// with ICMP host unreachable), and neighbors learned from ARP are refreshed by unicast
// probes before they expire.
//
// Thread: control only.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "np/dp/fib.h"
#include "np/dp/l2_config.h"
#include "np/dp/l3_events.h"
#include "np/dp/l3_spec.h"

namespace np::dp {

class ServiceStage;

struct NeighborTimers {
  uint32_t reachable_s = 300;       // A learned neighbor is probed this long after it last spoke.
  uint32_t retry_ms = 1000;         // Between ARP requests (resolution and probes).
  uint32_t max_requests = 3;        // Unanswered requests before giving up.
  uint32_t queue_per_neighbor = 4;  // Packets held while a neighbor resolves.
  uint32_t max_neighbors = 16384;
};

// An interface with its names resolved to data-plane indices.
struct ResolvedInterface {
  std::string name;
  std::string port_name;  // Empty for a gateway interface.
  uint32_t bridge_domain = 0;
  L3Interface data;      // As workers see it.
  uint16_t tx_port = 0;  // A port its frames may be counted on (the port, or a member).
};

struct ResolvedNextHop {
  uint16_t iface = 0;
  uint32_t via = 0;  // 0 = connected (resolve each destination).
  // Or into a VXLAN tunnel: remote VTEP, VNI (with its counter slot), remote VTEP's MAC.
  uint32_t vxlan_remote = 0;
  uint32_t vni = 0;
  uint16_t vni_slot = 0;
  rte_ether_addr vxlan_mac{};
};
struct ResolvedRoute {
  Ipv4Prefix prefix;
  std::vector<ResolvedNextHop> next_hops;
};
struct ResolvedNeighbor {
  uint16_t iface = 0;
  uint32_t ip = 0;
  rte_ether_addr mac{};
};

class L3Control {
 public:
  // `services` (or nullptr) translates host unreachable about a packet the service stage
  // translated; `send` queues a finished frame to a worker (false if it could not).
  L3Control(Fib& fib, rte_mempool* pool, NeighborTimers timers, const ServiceStage* services,
            std::function<bool(const InjectItem&)> send);
  ~L3Control();

  // Replaces interfaces (by index; std::nullopt = no interface there), routes and static
  // neighbors. The caller has validated them and published the interfaces to the workers.
  // `vtep_mac` is the inner source MAC of frames routed into VXLAN tunnels.
  void apply(const std::vector<std::optional<ResolvedInterface>>& ifaces,
             const std::vector<ResolvedRoute>& routes,
             const std::vector<ResolvedNeighbor>& static_neighbors, uint64_t now_ms,
             const rte_ether_addr& vtep_mac = {});

  void handle(const PuntEvent& event, uint64_t now_ms);
  // Retries, probes and expiries due at now_ms.
  void tick(uint64_t now_ms);

  // Frees the packets waiting for ARP (before the mbuf pool goes).
  void release_packets();

  std::vector<NeighborRow> neighbors(uint64_t now_ms) const;
  // routes and neighbors filled; the worker-side counters are added by the caller.
  L3Stats stats() const;

 private:
  // A next hop before resolution: our address, a connected subnet (ip 0), or a neighbor.
  // (kVxlan: ip = the remote VTEP, with its VNI, counter slot and MAC.)
  struct Hop {
    enum Kind : uint8_t { kLocal, kConnected, kNeighbor, kVxlan } kind;
    uint16_t iface;
    uint32_t ip;
    uint32_t vni = 0;
    uint16_t vni_slot = 0;
    uint64_t mac = 0;
    bool operator<(const Hop& o) const {
      return std::tie(kind, iface, ip, vni, vni_slot, mac) <
             std::tie(o.kind, o.iface, o.ip, o.vni, o.vni_slot, o.mac);
    }
    bool operator==(const Hop& o) const { return !(*this < o) && !(o < *this); }
  };

  using HopList = std::vector<Hop>;
  // Why a prefix is in the FIB; a lower value wins a tie on the same prefix.
  enum class Source : uint8_t { kLocal, kConnected, kRoute, kNeighborHost };
  struct Installed {
    Source source;
    HopList hops;
  };
  struct Group {
    uint32_t id;
    uint32_t refs;
  };
  struct Waiting {
    rte_mbuf* m;
    uint16_t in_iface;
  };
  struct Neighbor {
    rte_ether_addr mac{};
    bool known = false;
    bool is_static = false;
    uint64_t confirmed_ms = 0;     // Learned: when it last spoke.
    uint64_t next_request_ms = 0;  // Incomplete or probing: when to send the next request.
    uint32_t requests = 0;         // Sent since the last confirmation.
    std::deque<Waiting> waiting;
  };
  using NeighborKey = std::pair<uint16_t, uint32_t>;  // (interface, address)

  void install(const std::map<Ipv4Prefix, Installed>& desired);
  void set_prefix(Ipv4Prefix prefix, const Installed& entry);
  void unset_prefix(Ipv4Prefix prefix);
  uint32_t acquire_group(const HopList& hops);
  void release_group(const HopList& hops);
  NextHopGroup build_group(const HopList& hops) const;
  // After a neighbor changed: its groups' rewrites and its host route.
  void neighbor_changed(const NeighborKey& key);
  // Whether `ip`'s best route in `table` (host routes aside) is `iface`'s connected subnet.
  static bool is_connected_destination(const std::map<Ipv4Prefix, Installed>& table, uint16_t iface,
                                       uint32_t ip);

  void learn(const NeighborKey& key, const rte_ether_addr& mac, uint64_t now_ms);
  void resolve(const PuntEvent& event, uint64_t now_ms);
  void release_waiting(Neighbor& n, uint16_t iface);
  void fail(const NeighborKey& key);
  void send_request(const NeighborKey& key, const Neighbor& n, bool unicast);
  void send(rte_mbuf* m, uint16_t iface);

  Fib& fib_;
  rte_mempool* pool_;
  NeighborTimers timers_;
  const ServiceStage* const services_;
  std::function<bool(const InjectItem&)> send_;
  std::vector<std::optional<ResolvedInterface>> ifaces_;
  std::map<Ipv4Prefix, Installed> installed_;
  std::map<HopList, Group> groups_;
  std::map<NeighborKey, Neighbor> neighbors_;
  uint32_t routes_ = 0;
  rte_ether_addr vtep_mac_{};
  L3Stats counts_;  // The control thread's own counters.
};

}  // namespace np::dp
