#include "np/vxlan/flow.h"

#include <rte_errno.h>

#include <cstring>

namespace np::vxlan {
namespace {

// The pieces of one rule, kept together so the pointers in the pattern stay valid. Without
// a mark: eth / ipv4 dst / udp dst -> queue 0; with one: ... / vxlan vni -> mark, queue 0.
struct VtepRule {
  VtepRule(rte_be32_t local_ip, rte_be16_t udp_port, const VniMark* vni) {
    attr.ingress = 1;
    ipv4_spec.hdr.dst_addr = local_ip;
    ipv4_mask.hdr.dst_addr = RTE_BE32(0xffffffff);
    udp_spec.hdr.dst_port = udp_port;
    udp_mask.hdr.dst_port = RTE_BE16(0xffff);
    unsigned item = 0, action = 0;
    pattern[item++].type = RTE_FLOW_ITEM_TYPE_ETH;
    pattern[item++] = {RTE_FLOW_ITEM_TYPE_IPV4, &ipv4_spec, nullptr, &ipv4_mask};
    pattern[item++] = {RTE_FLOW_ITEM_TYPE_UDP, &udp_spec, nullptr, &udp_mask};
    if (vni != nullptr) {
      vxlan_spec.hdr.vx_vni = rte_cpu_to_be_32(vni->vni << 8);
      vxlan_mask.hdr.vx_vni = RTE_BE32(0xffffff00);
      pattern[item++] = {RTE_FLOW_ITEM_TYPE_VXLAN, &vxlan_spec, nullptr, &vxlan_mask};
      mark.id = vni->mark;
      actions[action++] = {RTE_FLOW_ACTION_TYPE_MARK, &mark};
    }
    pattern[item].type = RTE_FLOW_ITEM_TYPE_END;
    queue.index = 0;
    actions[action++] = {RTE_FLOW_ACTION_TYPE_QUEUE, &queue};
    actions[action].type = RTE_FLOW_ACTION_TYPE_END;
  }
  rte_flow_attr attr{};
  rte_flow_item_ipv4 ipv4_spec{}, ipv4_mask{};
  rte_flow_item_udp udp_spec{}, udp_mask{};
  rte_flow_item_vxlan vxlan_spec{}, vxlan_mask{};
  rte_flow_item pattern[5]{};
  rte_flow_action_mark mark{};
  rte_flow_action_queue queue{};
  rte_flow_action actions[3]{};
};

std::string describe(const char* step, int rc, const rte_flow_error& error) {
  std::string out = std::string(step) + ": ";
  out += error.message != nullptr ? error.message : strerror(-rc);
  return out;
}

}  // namespace

bool validate_vtep_rule(uint16_t port, rte_be32_t local_ip, rte_be16_t udp_port, const VniMark* vni,
                        std::string& reason) {
  const VtepRule rule(local_ip, udp_port, vni);
  rte_flow_error error{};
  const int rc = rte_flow_validate(port, &rule.attr, rule.pattern, rule.actions, &error);
  if (rc != 0) reason = describe("validate", rc, error);
  return rc == 0;
}

rte_flow* create_vtep_rule(uint16_t port, rte_be32_t local_ip, rte_be16_t udp_port,
                           const VniMark* vni, std::string& reason) {
  if (!validate_vtep_rule(port, local_ip, udp_port, vni, reason)) return nullptr;
  const VtepRule rule(local_ip, udp_port, vni);
  rte_flow_error error{};
  rte_flow* flow = rte_flow_create(port, &rule.attr, rule.pattern, rule.actions, &error);
  if (flow == nullptr) reason = describe("create", -rte_errno, error);
  return flow;
}

void destroy_vtep_rule(uint16_t port, rte_flow* flow) {
  rte_flow_error error{};
  rte_flow_destroy(port, flow, &error);
}

}  // namespace np::vxlan
