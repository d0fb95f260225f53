#include "np/dp/fib.h"

#include <rte_errno.h>

#include <stdexcept>

namespace np::dp {

Fib::Fib(const std::string& name, uint32_t max_routes, uint32_t tbl8_groups, uint32_t max_groups,
         Rcu& rcu)
    : rcu_(rcu),
      max_groups_(max_groups),
      groups_(new std::atomic<const NextHopGroup*>[max_groups]) {
  rte_lpm_config config{};
  config.max_rules = max_routes;
  config.number_tbl8s = tbl8_groups;
  lpm_ = rte_lpm_create(name.c_str(), static_cast<int>(rte_socket_id()), &config);
  if (lpm_ == nullptr)
    throw std::runtime_error("cannot create the route table (" + std::to_string(max_routes) +
                             " routes, about 70 MB): " + rte_strerror(rte_errno) +
                             " (raise dpdk.memory_mb)");
  // tbl8 groups freed by a route removal are reused only after a grace period.
  rte_lpm_rcu_config rcu_config{};
  rcu_config.v = rcu.qsbr();
  rcu_config.mode = RTE_LPM_QSBR_MODE_DQ;
  if (rte_lpm_rcu_qsbr_add(lpm_, &rcu_config) != 0) {
    rte_lpm_free(lpm_);
    throw std::runtime_error(std::string("cannot attach RCU to the route table: ") +
                             rte_strerror(rte_errno));
  }
  for (uint32_t id = 0; id < max_groups; ++id) groups_[id].store(nullptr);
  free_ids_.reserve(max_groups);
  for (uint32_t id = max_groups; id-- > 0;) free_ids_.push_back(id);
}

Fib::~Fib() {
  rte_lpm_free(lpm_);
  // Called after the workers stopped: nobody reads the groups any more.
  rcu_.drain();
  for (uint32_t id = 0; id < max_groups_; ++id) delete groups_[id].load();
}

DpStatus Fib::add(Ipv4Prefix prefix, uint32_t group_id) {
  if (prefix.len == 0) {
    default_group_.store(group_id, std::memory_order_release);
    return {};
  }
  const int rc = rte_lpm_add(lpm_, prefix.addr, prefix.len, group_id);
  if (rc != 0) return DpStatus::from_errno("add route", rc);
  return {};
}

void Fib::remove(Ipv4Prefix prefix) {
  if (prefix.len == 0)
    default_group_.store(kNoGroup, std::memory_order_release);
  else
    rte_lpm_delete(lpm_, prefix.addr, prefix.len);
}

uint32_t Fib::create_group(const NextHopGroup& group) {
  if (free_ids_.empty()) return kNoGroup;
  const uint32_t id = free_ids_.back();
  free_ids_.pop_back();
  groups_[id].store(new NextHopGroup(group), std::memory_order_release);
  return id;
}

void Fib::update_group(uint32_t id, const NextHopGroup& group) {
  const NextHopGroup* old =
      groups_[id].exchange(new NextHopGroup(group), std::memory_order_acq_rel);
  rcu_.retire([old] { delete old; });
}

void Fib::destroy_group(uint32_t id) {
  // A worker that looked the id up before its last prefix went may still read the group.
  rcu_.retire([this, id] {
    delete groups_[id].exchange(nullptr, std::memory_order_acq_rel);
    free_ids_.push_back(id);
  });
}

}  // namespace np::dp
