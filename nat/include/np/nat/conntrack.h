// The connection table of services: every tracked connection is one Flow, found by two
// keys in one rte_hash (the 5-tuple as the client sends it, and as the backend answers),
// so a reply handled by any worker finds its flow. Workers look up without locks and
// insert new flows (rte_hash's lock-free readers with multi-writer add); the control
// thread expires idle flows a slice at a time and frees keys and flows only after an
// RCU grace period, so a worker never sees a flow reused under it.
//
// Thread: lookup, create, touch: workers. expire_step, end_flows, for_each: control.
#pragma once

#include <rte_byteorder.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
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

  // Looks up n <= RTE_HASH_LOOKUP_BULK_MAX keys: flows[i] (nullptr when untracked), dirs[i].
  void lookup_bulk(const FlowKey* const* keys, unsigned n, Flow** flows, Direction* dirs) const;
  Flow* lookup(const FlowKey& key, Direction& dir) const;
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
  void end(uint32_t index);

  struct Retired {
    uint64_t token;
    std::vector<int32_t> positions;  // Key slots of the hash.
    std::vector<uint32_t> flows;     // Flow indices.
  };

  const uint32_t max_flows_;
  rte_rcu_qsbr* const qsbr_;
  rte_hash* hash_ = nullptr;
  rte_ring* free_ = nullptr;  // Flow indices not in use (multi-producer, multi-consumer).
  std::vector<Flow> flows_;
  std::atomic<uint32_t> live_{0};
  uint32_t scan_next_ = 0;
  Retired pending_;  // Ended since the last reclaim().
  std::deque<Retired> retired_;
};

}  // namespace np::nat
