#include "np/nat/conntrack.h"

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace np::nat {

static_assert(std::is_trivially_destructible_v<Flow>, "flows are freed without destruction");

const char* flow_state_name(FlowState state) {
  switch (state) {
    case FlowState::kSyn:
      return "syn";
    case FlowState::kEstablished:
      return "established";
    case FlowState::kClosing:
      return "closing";
    case FlowState::kUdp:
      return "udp";
  }
  return "unknown";
}

Conntrack::Conntrack(const std::string& name, uint32_t max_flows, rte_rcu_qsbr* qsbr)
    : max_flows_(max_flows), qsbr_(qsbr) {
  // Four slots a flow (two keys): the slots at most half taken, so a key almost always
  // finds room in its own bucket.
  const uint32_t buckets = rte_align32pow2(max_flows * 2 * 2 / kSlotsPerBucket + 1);
  bucket_mask_ = buckets - 1;
  buckets_ =
      static_cast<Bucket*>(rte_zmalloc_socket((name + "_ct").c_str(), sizeof(Bucket) * buckets,
                                              alignof(Bucket), static_cast<int>(rte_socket_id())));
  // The flows are read for every tracked packet: in hugepages too, or with a million of
  // them nearly every read also misses the TLB.
  flows_ = static_cast<Flow*>(rte_zmalloc_socket((name + "_flows").c_str(),
                                                 sizeof(Flow) * max_flows, RTE_CACHE_LINE_SIZE,
                                                 static_cast<int>(rte_socket_id())));
  if (buckets_ == nullptr || flows_ == nullptr) {
    rte_free(buckets_);
    rte_free(flows_);
    throw std::runtime_error("connection table: " + std::string(rte_strerror(rte_errno)));
  }
  for (uint32_t i = 0; i < max_flows; ++i) new (&flows_[i]) Flow();
  free_ =
      rte_ring_create_elem((name + "_ctfree").c_str(), sizeof(uint32_t),
                           rte_align32pow2(max_flows + 1), static_cast<int>(rte_socket_id()), 0);
  if (free_ == nullptr) {
    rte_free(flows_);
    rte_free(buckets_);
    throw std::runtime_error("connection table free list: " + std::string(rte_strerror(rte_errno)));
  }
  for (uint32_t i = 0; i < max_flows; ++i) rte_ring_enqueue_elem(free_, &i, sizeof(i));
}

Conntrack::~Conntrack() {
  rte_ring_free(free_);
  rte_free(flows_);  // Flow is trivially destructible.
  rte_free(buckets_);
}

Flow* Conntrack::match(uint64_t value, const FlowKey& key, Direction& dir) const {
  const auto ref = static_cast<uint32_t>(value) - 1;
  const Flow& f = flows_[ref >> 1];
  const auto d = static_cast<Direction>(ref & 1);
  const FlowKey& k = d == Direction::kForward ? f.forward : f.reply;
  if (std::memcmp(&k, &key, sizeof(key)) != 0) return nullptr;
  dir = d;
  return const_cast<Flow*>(&f);
}

Flow* Conntrack::probe(const FlowKey& key, uint32_t hash, Direction& dir) const {
  const uint32_t reach = max_probe_.load(std::memory_order_acquire);
  for (uint32_t b = 0; b <= reach; ++b) {
    const Bucket& bucket = buckets_[(hash + b) & bucket_mask_];
    for (const uint64_t& slot : bucket.slots) {
      const uint64_t value = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
      if ((value >> 32) != hash || value == 0) continue;
      if (Flow* f = match(value, key, dir)) return f;
    }
  }
  return nullptr;
}

void Conntrack::lookup_bulk(const FlowKey* const* keys, unsigned n, Flow** flows,
                            Direction* dirs) const {
  // Three passes, each starting the loads the next one waits for: buckets, then the flow
  // of the first slot whose hash matches, then the key compare.
  uint32_t hashes[kMaxBulk];
  uint64_t candidates[kMaxBulk];
  for (unsigned i = 0; i < n; ++i) {
    hashes[i] = hash(*keys[i]);
    rte_prefetch0(&buckets_[hashes[i] & bucket_mask_]);
  }
  for (unsigned i = 0; i < n; ++i) {
    candidates[i] = 0;
    for (const uint64_t& slot : buckets_[hashes[i] & bucket_mask_].slots) {
      const uint64_t value = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
      if (value != 0 && (value >> 32) == hashes[i]) {
        candidates[i] = value;
        rte_prefetch0(&flows_[(static_cast<uint32_t>(value) - 1) >> 1]);
        break;
      }
    }
  }
  for (unsigned i = 0; i < n; ++i) {
    flows[i] = candidates[i] != 0 ? match(candidates[i], *keys[i], dirs[i]) : nullptr;
    // Not the first candidate, or further on: the full probe (rare).
    if (flows[i] == nullptr &&
        (candidates[i] != 0 || max_probe_.load(std::memory_order_relaxed) != 0))
      flows[i] = probe(*keys[i], hashes[i], dirs[i]);
  }
}

Flow* Conntrack::lookup(const FlowKey& key, Direction& dir) const {
  return probe(key, hash(key), dir);
}

bool Conntrack::insert(const FlowKey& key, uint32_t index, Direction dir) {
  const uint32_t h = hash(key);
  const uint64_t value = slot_value(h, index, dir);
  for (uint32_t b = 0; b <= kMaxProbe; ++b) {
    Bucket& bucket = buckets_[(h + b) & bucket_mask_];
    for (uint64_t& slot : bucket.slots) {
      uint64_t empty = 0;
      if (__atomic_load_n(&slot, __ATOMIC_RELAXED) != 0) continue;
      // Lookups must look this far before the key can be found here.
      uint32_t reach = max_probe_.load(std::memory_order_relaxed);
      while (reach < b && !max_probe_.compare_exchange_weak(reach, b, std::memory_order_release))
        ;
      if (__atomic_compare_exchange_n(&slot, &empty, value, false, __ATOMIC_RELEASE,
                                      __ATOMIC_RELAXED))
        return true;
    }
  }
  return false;
}

void Conntrack::remove(const FlowKey& key, uint32_t index, Direction dir) {
  const uint32_t h = hash(key);
  const uint64_t value = slot_value(h, index, dir);
  const uint32_t reach = max_probe_.load(std::memory_order_acquire);
  for (uint32_t b = 0; b <= reach; ++b)
    for (uint64_t& slot : buckets_[(h + b) & bucket_mask_].slots)
      if (uint64_t expected = value; __atomic_compare_exchange_n(
              &slot, &expected, 0, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return;
}

Flow* Conntrack::create(const FlowKey& forward, const FlowKey* reply, uint16_t service_slot,
                        uint16_t backend_slot, FlowState state, uint64_t now_tsc, bool affinity) {
  // A key already there belongs to another flow (a worker that won a race, an SNAT port
  // still in use): never shadow it.
  Direction dir;
  if (lookup(forward, dir) != nullptr || (reply != nullptr && lookup(*reply, dir) != nullptr))
    return nullptr;
  uint32_t index;
  if (rte_ring_dequeue_elem(free_, &index, sizeof(index)) != 0) return nullptr;
  Flow& f = flows_[index];
  f.forward = forward;
  f.reply = reply != nullptr ? *reply : FlowKey{};
  f.service_slot = service_slot;
  f.backend_slot = backend_slot;
  f.affinity = affinity;
  f.state.store(static_cast<uint8_t>(state), std::memory_order_relaxed);
  f.last_seen_tsc.store(now_tsc, std::memory_order_relaxed);
  live_.fetch_add(1, std::memory_order_relaxed);
  // The keys go in (release) once the fields are written: a worker that finds one sees them.
  // Should the reply key not fit, the forward key comes out again, so no traffic keeps the
  // half-made flow alive.
  bool whole = insert(forward, index, Direction::kForward);
  if (whole && reply != nullptr && !insert(*reply, index, Direction::kReply)) {
    remove(forward, index, Direction::kForward);
    whole = false;
  }
  if (!whole) f.last_seen_tsc.store(0, std::memory_order_relaxed);  // Ended at the next scan.
  // Only now may the control thread's scans see the flow: ending it earlier would miss keys
  // still being inserted, and the flow could be reused under them.
  f.in_use.store(true, std::memory_order_release);
  return whole ? &f : nullptr;
}

void Conntrack::end(uint32_t index) {
  Flow& f = flows_[index];
  remove(f.forward, index, Direction::kForward);
  if (!f.affinity) remove(f.reply, index, Direction::kReply);
  f.in_use.store(false, std::memory_order_relaxed);
  pending_.flows.push_back(index);
  live_.fetch_sub(1, std::memory_order_relaxed);
}

uint32_t Conntrack::expire_step(uint64_t now_tsc, const FlowTimeouts& timeouts,
                                const std::function<uint64_t(uint16_t)>& affinity_timeout,
                                uint32_t budget) {
  uint32_t ended = 0;
  for (uint32_t n = 0; n < budget && n < max_flows_; ++n) {
    const uint32_t index = scan_next_;
    scan_next_ = scan_next_ + 1 == max_flows_ ? 0 : scan_next_ + 1;
    const Flow& f = flows_[index];
    if (!f.in_use.load(std::memory_order_acquire)) continue;
    uint64_t timeout = 0;
    if (f.affinity) {
      timeout = affinity_timeout(f.service_slot);
    } else {
      switch (f.get_state()) {
        case FlowState::kSyn:
          timeout = timeouts.syn;
          break;
        case FlowState::kEstablished:
          timeout = timeouts.established;
          break;
        case FlowState::kClosing:
          timeout = timeouts.closing;
          break;
        case FlowState::kUdp:
          timeout = timeouts.udp;
          break;
      }
    }
    const uint64_t seen = f.last_seen_tsc.load(std::memory_order_relaxed);
    if (now_tsc > seen && now_tsc - seen > timeout) {
      end(index);
      ++ended;
    }
  }
  return ended;
}

bool Conntrack::end_flow(const FlowKey& forward) {
  Direction dir;
  const Flow* f = lookup(forward, dir);
  if (f == nullptr || dir != Direction::kForward) return false;
  end(static_cast<uint32_t>(f - flows_));
  return true;
}

uint32_t Conntrack::end_flows(const std::function<bool(const Flow&)>& match) {
  uint32_t ended = 0;
  for (uint32_t i = 0; i < max_flows_; ++i) {
    if (flows_[i].in_use.load(std::memory_order_acquire) && match(flows_[i])) {
      end(i);
      ++ended;
    }
  }
  return ended;
}

void Conntrack::reclaim() {
  if (!pending_.flows.empty()) {
    pending_.token = rte_rcu_qsbr_start(qsbr_);
    retired_.push_back(std::move(pending_));
    pending_ = {};
  }
  while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().token, false) == 1) {
    Retired& r = retired_.front();
    for (uint32_t index : r.flows) rte_ring_enqueue_elem(free_, &index, sizeof(index));
    retired_.pop_front();
  }
}

void Conntrack::for_each(const std::function<void(const Flow&)>& visit) const {
  for (uint32_t i = 0; i < max_flows_; ++i)
    if (flows_[i].in_use.load(std::memory_order_acquire)) visit(flows_[i]);
}

}  // namespace np::nat
