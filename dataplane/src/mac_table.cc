#include "np/dp/mac_table.h"

#include <rte_malloc.h>

#include <stdexcept>

namespace np::dp {

MacTable::MacTable(const std::string& name, uint32_t capacity, Rcu& rcu)
    : rcu_(rcu), capacity_(capacity) {
  // At most half the slots in use keeps probe chains a bucket or two long.
  uint32_t n_buckets = 1;
  while (n_buckets * kSlots < 2 * uint64_t{capacity}) n_buckets <<= 1;
  mask_ = n_buckets - 1;
  // rte_zmalloc: hugepage memory (fewer TLB misses), and zero is kEmpty.
  buckets_ =
      static_cast<Bucket*>(rte_zmalloc(name.c_str(), sizeof(Bucket) * n_buckets, alignof(Bucket)));
  if (buckets_ == nullptr)
    throw std::runtime_error(
        "cannot allocate MAC table '" + name + "' of " + std::to_string(capacity) + " entries (" +
        std::to_string(sizeof(Bucket) * n_buckets >> 20) + " MB): raise dpdk.memory_mb");
}

MacTable::~MacTable() {
  // Pending retirements point into the buckets; they must run (and readers be gone) first.
  rcu_.drain();
  rte_free(buckets_);
}

uint32_t MacTable::domain_size(uint16_t domain) const {
  return domain < domain_counts_.size() ? domain_counts_[domain] : 0;
}

DpStatus MacTable::insert(MacKey key, uint16_t port, uint32_t now_s, bool is_static) {
  if (try_insert(key, port, now_s, is_static)) return {};
  // Slots may all be tombstones still awaiting their grace period. Workers pass a quiescent
  // state every loop, so waiting for one is short; then the slots are free.
  if (rcu_.reclaim() != 0) rcu_.drain();
  if (try_insert(key, port, now_s, is_static)) return {};
  return DpStatus::error("MAC table is full");
}

bool MacTable::try_insert(MacKey key, uint16_t port, uint32_t now_s, bool is_static) {
  const uint32_t h = hash(key);
  for (uint32_t p = 0, b = h & mask_; p < kMaxProbe; ++p, b = (b + 1) & mask_) {
    Bucket& bucket = buckets_[b];
    for (unsigned s = 0; s < kSlots; ++s) {
      const MacKey k = bucket.keys[s].load(std::memory_order_relaxed);
      if (k != kEmpty && k != kFree) continue;
      MacEntry& entry = bucket.entries[s];
      entry.port.store(port, std::memory_order_relaxed);
      entry.is_static.store(is_static, std::memory_order_relaxed);
      entry.last_seen_s.store(now_s, std::memory_order_relaxed);
      if (p > max_probe_.load(std::memory_order_relaxed))
        max_probe_.store(p, std::memory_order_relaxed);
      // Publishes the entry: a reader that sees the key sees the fields above.
      bucket.keys[s].store(key, std::memory_order_release);
      const uint16_t domain = mac_key_domain(key);
      if (domain >= domain_counts_.size()) domain_counts_.resize(domain + 1, 0);
      ++domain_counts_[domain];
      ++size_;
      return true;
    }
  }
  return false;
}

LearnResult MacTable::learn(MacKey key, uint16_t port, uint32_t now_s, const L2Config& config) {
  const uint16_t domain = mac_key_domain(key);
  // The event may predate a configuration change that moved the port or removed the domain.
  if (!config.port_in_domain(port, domain)) return LearnResult::kStale;
  if (MacEntry* entry = lookup(key)) {
    if (entry->is_static.load(std::memory_order_relaxed)) return LearnResult::kStaticKept;
    entry->last_seen_s.store(now_s, std::memory_order_relaxed);
    if (entry->port.load(std::memory_order_relaxed) == port) return LearnResult::kUnchanged;
    entry->port.store(port, std::memory_order_relaxed);
    return LearnResult::kMoved;
  }
  const uint32_t limit = config.domains[domain].max_macs;
  if (limit != 0 && domain_size(domain) >= limit) return LearnResult::kDomainLimit;
  if (size_ >= capacity_) return LearnResult::kTableFull;
  return insert(key, port, now_s, false).ok() ? LearnResult::kAdded : LearnResult::kTableFull;
}

DpStatus MacTable::add_static(MacKey key, uint16_t port) {
  if (MacEntry* entry = lookup(key)) {
    entry->port.store(port, std::memory_order_relaxed);
    entry->is_static.store(true, std::memory_order_relaxed);
    return {};
  }
  if (size_ >= capacity_) return DpStatus::error("MAC table is full");
  return insert(key, port, 0, true);
}

bool MacTable::remove(MacKey key) {
  const bool removed = erase(key);
  retire_tombstones();
  return removed;
}

bool MacTable::erase(MacKey key) {
  const uint32_t h = hash(key);
  const uint32_t probes = max_probe_.load(std::memory_order_relaxed);
  for (uint32_t p = 0, b = h & mask_; p <= probes; ++p, b = (b + 1) & mask_) {
    Bucket& bucket = buckets_[b];
    for (unsigned s = 0; s < kSlots; ++s) {
      const MacKey k = bucket.keys[s].load(std::memory_order_relaxed);
      if (k == kEmpty) return false;
      if (k != key) continue;
      bucket.keys[s].store(kTombstone, std::memory_order_release);
      tombstones_.push_back(&bucket.keys[s]);
      --domain_counts_[mac_key_domain(key)];
      --size_;
      return true;
    }
  }
  return false;
}

void MacTable::retire_tombstones() {
  if (tombstones_.empty()) return;
  // Readers that matched the old key before the tombstone may still read its entry.
  rcu_.retire([slots = std::move(tombstones_)] {
    for (std::atomic<MacKey>* slot : slots) slot->store(kFree, std::memory_order_relaxed);
  });
  tombstones_.clear();
}

void MacTable::for_each(const std::function<void(MacKey, const MacEntry&)>& fn) const {
  for (uint32_t b = 0; b <= mask_; ++b)
    for (unsigned s = 0; s < kSlots; ++s) {
      const MacKey k = buckets_[b].keys[s].load(std::memory_order_relaxed);
      if (k != kEmpty && k != kTombstone && k != kFree) fn(k, buckets_[b].entries[s]);
    }
}

unsigned MacTable::remove_if(const std::function<bool(MacKey, const MacEntry&)>& doomed) {
  std::vector<MacKey> keys;
  for_each([&](MacKey key, const MacEntry& entry) {
    if (doomed(key, entry)) keys.push_back(key);
  });
  for (MacKey key : keys) erase(key);
  retire_tombstones();
  return static_cast<unsigned>(keys.size());
}

void MacTable::flush(uint16_t domain, uint16_t port) {
  remove_if([&](MacKey key, const MacEntry& entry) {
    return mac_key_domain(key) == domain &&
           (port == kAnyPort || entry.port.load(std::memory_order_relaxed) == port);
  });
}

unsigned MacTable::age(uint32_t now_s, const L2Config& config) {
  return remove_if([&](MacKey key, const MacEntry& entry) {
    const uint16_t domain = mac_key_domain(key);
    if (domain >= config.domains.size()) return true;  // Its domain is gone.
    const uint32_t aging_s = config.domains[domain].aging_s;
    if (aging_s == 0 || entry.is_static.load(std::memory_order_relaxed)) return false;
    return now_s - entry.last_seen_s.load(std::memory_order_relaxed) >= aging_s;
  });
}

}  // namespace np::dp
