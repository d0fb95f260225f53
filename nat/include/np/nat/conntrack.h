// The connection table of services: every tracked connection is one Flow, found by two
// keys (the 5-tuple as the client sends it, and as the backend answers), so a reply
// handled by any worker finds its flow.
//
// The index is an open-addressing table of 64-byte buckets, eight 64-bit slots each: a
// slot holds a key's 32-bit hash and a reference to its flow and direction, and the key
// itself is the flow's, compared on a hash match. A lookup costs one bucket and one flow
// (both prefetched a burst at a time); rte_hash cost a bucket, a key-store entry and the
// flow. Workers look up without locks and insert new flows with a compare-and-swap on an
// empty slot; the control thread empties the slots of ended flows and reuses a flow only
// after an RCU grace period, so a worker never sees a flow change under it. A key lives in
// its bucket or the next few (as far as any insert had to go): lookups always look that far,
// so emptying a slot never hides another key.
//
// Thread: lookup, create: workers. expire_step, end_flow(s), reclaim, for_each: control.
// (A worker whose create() could not insert the reply key takes its forward key out again;
// the flow itself is ended by the control thread.)
#pragma once

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace np::nat {

// A 5-tuple in network byte order, as it appears in the packet.
// No member initializers: a burst's keys are filled, not zeroed first.
struct FlowKey {
  rte_be32_t src_ip, dst_ip;
  rte_be16_t src_port, dst_port;
  uint8_t proto;
  uint8_t zero[3];
};
static_assert(sizeof(FlowKey) == 16);

inline FlowKey reversed(const FlowKey& k) {
  return {k.dst_ip, k.src_ip, k.dst_port, k.src_port, k.proto, {0, 0, 0}};
}

enum class FlowState : uint8_t { kSyn, kEstablished, kClosing, kUdp };
const char* flow_state_name(FlowState state);

enum class Direction : uint8_t { kForward, kReply };

// One connection. `forward` is what the client sends (to the VIP or node port); `reply`
// what the backend sends back (to the client, or to our SNAT address and port).
struct Flow {
  FlowKey forward{}, reply{};
  uint16_t service_slot = 0, backend_slot = 0;
  bool affinity = false;  // A client-IP affinity record (forward key only), not a connection.
  std::atomic<uint8_t> state{0};
  std::atomic<uint64_t> last_seen_tsc{0};
  std::atomic<bool> in_use{false};  // Set (release) once its fields are written.

  FlowState get_state() const {
    return static_cast<FlowState>(state.load(std::memory_order_relaxed));
  }
};

struct FlowTimeouts {  // In TSC cycles.
  uint64_t syn = 0, established = 0, closing = 0, udp = 0;
  uint64_t affinity_default = 0;
};

class Conntrack {
 public:
  // Room for `max_flows` connections (two keys each). Throws std::runtime_error when
  // memory is short.
  Conntrack(const std::string& name, uint32_t max_flows, rte_rcu_qsbr* qsbr);
  ~Conntrack();
  Conntrack(const Conntrack&) = delete;
  Conntrack& operator=(const Conntrack&) = delete;

  // Looks up n <= kMaxBulk keys: flows[i] (nullptr when untracked), dirs[i].
  static constexpr unsigned kMaxBulk = 64;
  void lookup_bulk(const FlowKey* const* keys, unsigned n, Flow** flows, Direction* dirs) const;
  Flow* lookup(const FlowKey& key, Direction& dir) const;
  // Starts loading the bucket `key` belongs in (before a create() with it).
  void prefetch(const FlowKey& key) const { rte_prefetch0(&buckets_[hash(key) & bucket_mask_]); }
  // A new connection with both keys (an affinity record with its forward key only);
  // nullptr when the table is full or a key is taken (another worker won the race).
  Flow* create(const FlowKey& forward, const FlowKey* reply, uint16_t service_slot,
               uint16_t backend_slot, FlowState state, uint64_t now_tsc, bool affinity = false);

  // Control: checks the next `budget` flows and ends those idle past their state's timeout
  // (an affinity record's timeout comes from `affinity_timeout(service_slot)`); returns how
  // many it ended.
  uint32_t expire_step(uint64_t now_tsc, const FlowTimeouts& timeouts,
                       const std::function<uint64_t(uint16_t)>& affinity_timeout, uint32_t budget);
  // Control: ends the flow whose forward key is `forward`; false if there is none.
  bool end_flow(const FlowKey& forward);
  // Control: ends every flow for which `match` is true; returns how many.
  uint32_t end_flows(const std::function<bool(const Flow&)>& match);
  // Control: frees what ended flows held once no worker can still see it.
  void reclaim();
  // Control: visits the live flows.
  void for_each(const std::function<void(const Flow&)>& visit) const;

  uint32_t max_flows() const { return max_flows_; }
  uint32_t live() const { return live_.load(std::memory_order_relaxed); }

 private:
  static constexpr unsigned kSlotsPerBucket = 8;
  static constexpr unsigned kMaxProbe = 8;  // Buckets an insert may go past its own.
  struct alignas(64) Bucket {
    uint64_t slots[kSlotsPerBucket];  // 0: empty; else hash << 32 | (flow << 1 | dir) + 1.
  };

  static uint32_t hash(const FlowKey& key) {
    uint64_t words[2];
    std::memcpy(words, &key, sizeof(words));
    return rte_hash_crc_8byte(words[1], rte_hash_crc_8byte(words[0], 0));
  }
  static uint64_t slot_value(uint32_t hash, uint32_t index, Direction dir) {
    return uint64_t{hash} << 32 | ((uint64_t{index} << 1 | static_cast<uint64_t>(dir)) + 1);
  }
  // The flow and direction a slot refers to, when its key is `key`.
  Flow* match(uint64_t value, const FlowKey& key, Direction& dir) const;
  // Looks at every bucket a key of `hash` may be in.
  Flow* probe(const FlowKey& key, uint32_t hash, Direction& dir) const;
  bool insert(const FlowKey& key, uint32_t index, Direction dir);
  void remove(const FlowKey& key, uint32_t index, Direction dir);
  void end(uint32_t index);

  struct Retired {
    uint64_t token;
    std::vector<uint32_t> flows;  // Flow indices.
  };

  const uint32_t max_flows_;
  rte_rcu_qsbr* const qsbr_;
  Bucket* buckets_ = nullptr;
  uint32_t bucket_mask_ = 0;
  std::atomic<uint32_t> max_probe_{0};  // The farthest any key went past its bucket.
  rte_ring* free_ = nullptr;            // Flow indices not in use (multi-producer, multi-consumer).
  Flow* flows_ = nullptr;  // max_flows_ of them, in DPDK memory (hugepages, like the index).
  std::atomic<uint32_t> live_{0};
  uint32_t scan_next_ = 0;
  Retired pending_;  // Ended since the last reclaim().
  std::deque<Retired> retired_;
};

}  // namespace np::nat
