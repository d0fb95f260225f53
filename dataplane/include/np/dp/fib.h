// The IPv4 forwarding table: longest-prefix match (DPDK rte_lpm, DIR-24-8, with RCU QSBR
// reclamation of its tbl8 groups) from a destination to a next-hop group id, and the
// groups themselves. A group holds one path or several (ECMP); its contents change when a
// neighbor resolves by swapping the group's pointer, so the routes that share it (often
// many) are never touched. Old groups are freed after an RCU grace period.
//
// Thread: lookup_bulk, group: workers and control. Everything else: control only.
#pragma once

#include <rte_ether.h>
#include <rte_lpm.h>
#include <rte_prefetch.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "np/dp/l3_spec.h"
#include "np/dp/rcu.h"
#include "np/dp/status.h"

namespace np::dp {

inline constexpr unsigned kMaxEcmpPaths = 16;
inline constexpr uint32_t kNoGroup = ~uint32_t{0};

// One way out. A resolved path carries the finished Ethernet rewrite.
struct Path {
  enum Kind : uint8_t {
    kRewrite,  // Neighbor known: rewrite and send.
    kResolve,  // Neighbor unknown: hand the packet to the control thread, which ARPs.
    kLocal,    // One of our own addresses.
    kVxlan,    // Into a VXLAN tunnel (flannel-style): inner rewrite, then encapsulation.
  };
  Kind kind = kResolve;
  uint16_t iface = 0;  // The egress interface (kLocal: the interface owning the address).
  // kResolve: the address to resolve; 0 = the packet's destination (a connected subnet).
  // kVxlan: the remote VTEP.
  uint32_t resolve_ip = 0;
  rte_ether_addr dst{}, src{};  // kRewrite; kVxlan: the inner frame's.
  uint32_t vni = 0;             // kVxlan.
  uint16_t vni_slot = 0;        // kVxlan: the VNI's counters.
};

struct NextHopGroup {
  uint16_t n_paths = 0;
  Path paths[kMaxEcmpPaths];
};

class Fib {
 public:
  // Room for `max_routes` prefixes (and `tbl8_groups` /24s holding longer prefixes) and
  // `max_groups` next-hop groups. Throws std::runtime_error when memory is short.
  Fib(const std::string& name, uint32_t max_routes, uint32_t tbl8_groups, uint32_t max_groups,
      Rcu& rcu);
  ~Fib();
  Fib(const Fib&) = delete;
  Fib& operator=(const Fib&) = delete;

  // Starts loading the first-level entry of `ip`: a bulk lookup of a large table otherwise
  // waits on DRAM once per address.
  void prefetch(uint32_t ip) const { rte_prefetch0(&lpm_->tbl24[ip >> 8]); }
  // group_ids[i] = the group of ips[i] (host byte order), or kNoGroup. rte_lpm's own
  // lookup in two passes: first every first-level entry (prefetched by prefetch()), then
  // the second-level entries of longer prefixes, prefetched in between, so their cache
  // misses overlap instead of queueing one per packet.
  void lookup_bulk(const uint32_t* ips, uint32_t* group_ids, unsigned n) const {
    for (unsigned i = 0; i < n; ++i) {
      group_ids[i] = entry_bits(lpm_->tbl24[ips[i] >> 8]);
      if (is_extended(group_ids[i])) rte_prefetch0(&lpm_->tbl8[tbl8_index(ips[i], group_ids[i])]);
    }
    const uint32_t fallback = default_group_.load(std::memory_order_relaxed);
    for (unsigned i = 0; i < n; ++i) {
      uint32_t entry = group_ids[i];
      if (is_extended(entry)) entry = entry_bits(lpm_->tbl8[tbl8_index(ips[i], entry)]);
      group_ids[i] = (entry & RTE_LPM_LOOKUP_SUCCESS) ? entry & 0xffffff : fallback;
      if (group_ids[i] != kNoGroup) rte_prefetch0(&groups_[group_ids[i]]);
    }
  }
  const NextHopGroup* group(uint32_t id) const {
    return groups_[id].load(std::memory_order_acquire);
  }

  // Adds or repoints a prefix.
  DpStatus add(Ipv4Prefix prefix, uint32_t group_id);
  void remove(Ipv4Prefix prefix);

  // A new group; kNoGroup when every id is taken.
  uint32_t create_group(const NextHopGroup& group);
  // Publishes new contents for a group.
  void update_group(uint32_t id, const NextHopGroup& group);
  // The id becomes free once no worker can still read the group (no prefix may use it).
  void destroy_group(uint32_t id);

 private:
  // An entry (a 32-bit bit-field struct) as the 32 bits rte_lpm's masks apply to.
  static uint32_t entry_bits(const rte_lpm_tbl_entry& e) {
    uint32_t bits;
    std::memcpy(&bits, &e, sizeof(bits));
    return bits;
  }
  static bool is_extended(uint32_t entry) {
    return (entry & RTE_LPM_VALID_EXT_ENTRY_BITMASK) == RTE_LPM_VALID_EXT_ENTRY_BITMASK;
  }
  static uint32_t tbl8_index(uint32_t ip, uint32_t entry) {
    return (ip & 0xff) + (entry & 0xffffff) * RTE_LPM_TBL8_GROUP_NUM_ENTRIES;
  }

  rte_lpm* lpm_ = nullptr;
  Rcu& rcu_;
  const uint32_t max_groups_;
  // rte_lpm takes depths 1-32: the default route (/0) is kept here.
  std::atomic<uint32_t> default_group_{kNoGroup};
  std::unique_ptr<std::atomic<const NextHopGroup*>[]> groups_;
  std::vector<uint32_t> free_ids_;
};

}  // namespace np::dp
