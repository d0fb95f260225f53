// The MAC table of all bridge domains: (domain index, MAC) -> MacEntry, an open-addressing
// hash of 64-byte buckets holding four 8-byte keys and their 8-byte entries inline, so a
// lookup touches one cache line. Readers never lock: a key is published (release) after its
// entry is written. A removed key leaves a tombstone whose slot is reused only after an RCU
// grace period, so a reader that found an entry may use it until its next quiescent state.
// (rte_hash served here first; it cost ~30 cycles a lookup against ~8 for this layout —
// perf/l2_bridge_bench.cc.)
//
// Thread: lookup_bulk, lookup: workers and control. Everything else: control only.
#pragma once

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "np/dp/l2_config.h"
#include "np/dp/limits.h"
#include "np/dp/rcu.h"
#include "np/dp/status.h"

namespace np::dp {

// Domain index in the top 16 bits, the MAC in the low 48 (first octet most significant).
using MacKey = uint64_t;

// From a MAC with two readable bytes after it (as in an Ethernet header): one 8-byte load.
inline MacKey make_mac_key_unsafe(uint16_t domain, const void* mac) {
  uint64_t raw;
  std::memcpy(&raw, mac, sizeof(raw));
  return (uint64_t{domain} << 48) | (rte_be_to_cpu_64(raw) >> 16);
}
inline MacKey make_mac_key(uint16_t domain, const rte_ether_addr& mac) {
  uint8_t padded[8] = {};
  std::memcpy(padded, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
  return make_mac_key_unsafe(domain, padded);
}
inline uint16_t mac_key_domain(MacKey key) { return static_cast<uint16_t>(key >> 48); }
inline rte_ether_addr mac_key_address(MacKey key) {
  rte_ether_addr mac;
  for (int i = 5; i >= 0; --i, key >>= 8) mac.addr_bytes[i] = static_cast<uint8_t>(key);
  return mac;
}

struct MacEntry {
  std::atomic<uint16_t> port{0};
  std::atomic<bool> is_static{false};
  // Coarse seconds (SharedState::now_s) when last seen; workers refresh it.
  std::atomic<uint32_t> last_seen_s{0};
};

// What learning a (MAC, port) did.
enum class LearnResult {
  kAdded,
  kMoved,
  kUnchanged,
  kStaticKept,
  kDomainLimit,
  kTableFull,
  kStale
};

class MacTable {
 public:
  // Holds up to `capacity` entries over all domains (the table has twice as many slots).
  MacTable(const std::string& name, uint32_t capacity, Rcu& rcu);
  ~MacTable();
  MacTable(const MacTable&) = delete;
  MacTable& operator=(const MacTable&) = delete;

  // A bulk lookup in two steps, so the cache misses of many lookups overlap: hash and
  // prefetch every key's bucket, then find each (entries[i] is null on a miss).
  void prefetch_bulk(const MacKey* keys, unsigned n, uint32_t* hashes) const {
    for (unsigned i = 0; i < n; ++i) {
      hashes[i] = hash(keys[i]);
      rte_prefetch0(&buckets_[hashes[i] & mask_]);
    }
  }
  void find_bulk(const MacKey* keys, const uint32_t* hashes, unsigned n, MacEntry** entries) const {
    for (unsigned i = 0; i < n; ++i) entries[i] = find(keys[i], hashes[i]);
  }
  MacEntry* lookup(MacKey key) const { return find(key, hash(key)); }

  // Applies a learning event against the current domain settings.
  LearnResult learn(MacKey key, uint16_t port, uint32_t now_s, const L2Config& config);
  // Adds or replaces a static entry (never aged, never moved by learning).
  DpStatus add_static(MacKey key, uint16_t port);
  // Removes an entry; returns false if it was not there.
  bool remove(MacKey key);
  // Removes the entries for which `doomed` returns true; returns how many.
  unsigned remove_if(const std::function<bool(MacKey, const MacEntry&)>& doomed);
  // Removes every entry of `domain` (or on `port` when port != kAnyPort).
  static constexpr uint16_t kAnyPort = 0xffff;
  void flush(uint16_t domain, uint16_t port = kAnyPort);
  // Removes learned entries not seen for their domain's aging_s. Returns how many.
  unsigned age(uint32_t now_s, const L2Config& config);

  uint32_t size() const { return size_; }
  uint32_t domain_size(uint16_t domain) const;
  uint32_t capacity() const { return capacity_; }
  void for_each(const std::function<void(MacKey, const MacEntry&)>& fn) const;

 private:
  static constexpr unsigned kSlots = 4;
  // Key values that no (domain, MAC) can take: domain 0xffff is never allocated.
  static constexpr MacKey kEmpty = 0;               // Never used: ends a probe chain.
  static constexpr MacKey kTombstone = ~MacKey{0};  // Removed; readers may still hold it.
  static constexpr MacKey kFree = ~MacKey{1};       // Removed and past a grace period.
  static constexpr unsigned kMaxProbe = 64;         // Buckets; a longer chain means full.

  struct alignas(64) Bucket {
    std::atomic<MacKey> keys[kSlots];
    MacEntry entries[kSlots];
  };
  static_assert(sizeof(Bucket) == 64, "a bucket is one cache line");

  static uint32_t hash(MacKey key) { return rte_hash_crc_8byte(key, 0x9e3779b9); }
  [[gnu::always_inline]] MacEntry* find(MacKey key, uint32_t hash) const {
    const uint32_t probes = max_probe_.load(std::memory_order_relaxed);
    for (uint32_t p = 0, b = hash & mask_; p <= probes; ++p, b = (b + 1) & mask_) {
      Bucket& bucket = buckets_[b];
      // All four slots compared without branches: which slot holds a key is random, and a
      // mispredicted branch per lookup would cost more than the lookup.
      unsigned hit = 0, empty = 0;
#pragma GCC unroll 4
      for (unsigned s = 0; s < kSlots; ++s) {
        const MacKey k = bucket.keys[s].load(std::memory_order_acquire);
        hit |= unsigned{k == key} << s;
        empty |= unsigned{k == kEmpty} << s;
      }
      if (hit != 0) return &bucket.entries[__builtin_ctz(hit)];
      if (empty != 0) return nullptr;
    }
    return nullptr;
  }
  DpStatus insert(MacKey key, uint16_t port, uint32_t now_s, bool is_static);
  bool try_insert(MacKey key, uint16_t port, uint32_t now_s, bool is_static);
  // Tombstones `key`; the caller then retires the tombstones.
  bool erase(MacKey key);
  // Hands the slots tombstoned since the last call to the RCU for reuse after a grace period.
  void retire_tombstones();

  Rcu& rcu_;
  Bucket* buckets_ = nullptr;
  uint32_t mask_ = 0;
  uint32_t capacity_;
  uint32_t size_ = 0;
  std::atomic<uint32_t> max_probe_{0};  // Longest probe distance any key has.
  std::vector<std::atomic<MacKey>*> tombstones_;
  std::vector<uint32_t> domain_counts_;  // Entries per domain index.
};

}  // namespace np::dp
