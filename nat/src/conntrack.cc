#include "np/nat/conntrack.h"

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include <stdexcept>

namespace np::nat {
namespace {

// A key's data: the flow index and the direction the key matches.
void* key_data(uint32_t index, Direction dir) {
  return reinterpret_cast<void*>(uintptr_t{index} << 1 | static_cast<uintptr_t>(dir));
}
uint32_t data_index(const void* data) {
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data) >> 1);
}
Direction data_direction(const void* data) {
  return static_cast<Direction>(reinterpret_cast<uintptr_t>(data) & 1);
}

}  // namespace

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
    : max_flows_(max_flows), qsbr_(qsbr), flows_(max_flows) {
  // Two keys a flow, a quarter more room so that cuckoo insertion rarely runs out of
  // buckets before the flows do.
  rte_hash_parameters params{};
  const std::string hash_name = name + "_ct";
  params.name = hash_name.c_str();
  params.entries = max_flows * 2 + max_flows / 2;
  params.key_len = sizeof(FlowKey);
  params.hash_func = rte_hash_crc;
  params.socket_id = static_cast<int>(rte_socket_id());
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
                      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  hash_ = rte_hash_create(&params);
  if (hash_ == nullptr)
    throw std::runtime_error("connection table: " + std::string(rte_strerror(rte_errno)));
  free_ = rte_ring_create_elem((name + "_ctfree").c_str(), sizeof(uint32_t),
                               rte_align32pow2(max_flows + 1), params.socket_id, 0);
  if (free_ == nullptr) {
    rte_hash_free(hash_);
    throw std::runtime_error("connection table free list: " + std::string(rte_strerror(rte_errno)));
  }
  for (uint32_t i = 0; i < max_flows; ++i) rte_ring_enqueue_elem(free_, &i, sizeof(i));
}

Conntrack::~Conntrack() {
  rte_ring_free(free_);
  rte_hash_free(hash_);
}

void Conntrack::lookup_bulk(const FlowKey* const* keys, unsigned n, Flow** flows,
                            Direction* dirs) const {
  void* data[RTE_HASH_LOOKUP_BULK_MAX];
  uint64_t hits = 0;
  const void* key_ptrs[RTE_HASH_LOOKUP_BULK_MAX];
  for (unsigned i = 0; i < n; ++i) key_ptrs[i] = keys[i];
  rte_hash_lookup_bulk_data(hash_, key_ptrs, n, &hits, data);
  for (unsigned i = 0; i < n; ++i) {
    if ((hits >> i) & 1) {
      flows[i] = const_cast<Flow*>(&flows_[data_index(data[i])]);
      // The flows are read right after, in a loop: start every load now.
      rte_prefetch0(flows[i]);
      dirs[i] = data_direction(data[i]);
    } else {
      flows[i] = nullptr;
    }
  }
}

Flow* Conntrack::lookup(const FlowKey& key, Direction& dir) const {
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &key, &data) < 0) return nullptr;
  dir = data_direction(data);
  return const_cast<Flow*>(&flows_[data_index(data)]);
}

Flow* Conntrack::create(const FlowKey& forward, const FlowKey* reply, uint16_t service_slot,
                        uint16_t backend_slot, FlowState state, uint64_t now_tsc, bool affinity) {
  // A key already there belongs to another flow (a worker that won a race, an SNAT port
  // still in use): never overwrite it.
  if (rte_hash_lookup(hash_, &forward) >= 0 ||
      (reply != nullptr && rte_hash_lookup(hash_, reply) >= 0))
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
  f.in_use.store(true, std::memory_order_release);
  live_.fetch_add(1, std::memory_order_relaxed);
  // The keys go in last: a worker that finds one sees the flow's fields written. Should the
  // reply key not fit, the flow stays with its forward key until it expires.
  if (rte_hash_add_key_data(hash_, &forward, key_data(index, Direction::kForward)) < 0) {
    f.last_seen_tsc.store(0, std::memory_order_relaxed);
    return nullptr;
  }
  if (reply != nullptr &&
      rte_hash_add_key_data(hash_, reply, key_data(index, Direction::kReply)) < 0) {
    f.last_seen_tsc.store(0, std::memory_order_relaxed);
    return nullptr;
  }
  return &f;
}

void Conntrack::end(uint32_t index) {
  Flow& f = flows_[index];
  // Delete a key only while it still names this flow (a lost race may have repointed it).
  auto remove = [&](const FlowKey& key) {
    void* data = nullptr;
    if (rte_hash_lookup_data(hash_, &key, &data) < 0 || data_index(data) != index) return;
    const int32_t position = rte_hash_del_key(hash_, &key);
    if (position >= 0) pending_.positions.push_back(position);
  };
  remove(f.forward);
  if (!f.affinity) remove(f.reply);
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
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &forward, &data) < 0) return false;
  end(data_index(data));
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
    for (int32_t position : r.positions) rte_hash_free_key_with_position(hash_, position);
    for (uint32_t index : r.flows) rte_ring_enqueue_elem(free_, &index, sizeof(index));
    retired_.pop_front();
  }
}

void Conntrack::for_each(const std::function<void(const Flow&)>& visit) const {
  for (const Flow& f : flows_)
    if (f.in_use.load(std::memory_order_acquire)) visit(f);
}

}  // namespace np::nat
