// The Dataplane facade without workers: ports on ring devices, bridge domains replaced as
// the API replaces them, static MACs kept in place across unrelated changes, IPv4
// interfaces, routes and neighbors checked and refused whole.
#include "np/dp/dataplane.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "np/vxlan/flow.h"
#include "testlib/eal_env.h"
#include "testlib/ipv4_builder.h"
#include "testlib/packet_builder.h"

namespace np::dp {
namespace {

class DataplaneTest : public ::testing::Test {
 protected:
  static DataplaneOptions options() {
    DataplaneOptions o;
    o.mbuf_count = 4095;
    o.mac_table_capacity = 1024;
    o.conntrack_max_flows = 4096;
    return o;
  }
  static PortSpec ring(const std::string& name) {
    PortSpec spec;
    spec.name = name;
    spec.kind = PortKind::kRing;
    return spec;
  }
  static BridgeDomainSpec domain(uint32_t id, std::vector<std::string> ports,
                                 std::vector<StaticMac> statics = {}) {
    BridgeDomainSpec d;
    d.id = id;
    d.ports = std::move(ports);
    d.static_macs = std::move(statics);
    return d;
  }

  bool eal_ = (testlib::ensure_eal(), true);
  Dataplane dp_{options()};
};

TEST_F(DataplaneTest, StaticMacsStayInPlaceAcrossUnrelatedChanges) {
  ASSERT_TRUE(dp_.add_port(ring("r0")).ok());
  ASSERT_TRUE(dp_.add_port(ring("r1")).ok());
  ASSERT_TRUE(dp_.add_port(ring("r2")).ok());
  const StaticMac s{testlib::mac("02:00:00:00:00:05"), "r1"};
  ASSERT_TRUE(dp_.set_bridge_domains({domain(7, {"r0", "r1"}, {s})}).ok());
  ASSERT_EQ(dp_.list_macs().size(), 1u);
  ASSERT_TRUE(dp_.set_bridge_domains({domain(7, {"r0", "r1"}, {s}), domain(8, {"r2"})}).ok());
  const std::vector<MacRow> rows = dp_.list_macs();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].domain_id, 7u);
  EXPECT_EQ(rows[0].port, "r1");
  EXPECT_TRUE(rows[0].is_static);
  ASSERT_TRUE(dp_.set_bridge_domains({domain(7, {"r0", "r1"})}).ok());
  EXPECT_TRUE(dp_.list_macs().empty()) << "a static MAC no longer configured is removed";
}

TEST_F(DataplaneTest, RefusesBadDomainsAndChangesNothing) {
  ASSERT_TRUE(dp_.add_port(ring("r0")).ok());
  ASSERT_TRUE(dp_.add_port(ring("r1")).ok());
  ASSERT_TRUE(dp_.set_bridge_domains({domain(1, {"r0"})}).ok());
  EXPECT_FALSE(dp_.set_bridge_domains({domain(2, {"nope"})}).ok());
  EXPECT_FALSE(dp_.set_bridge_domains({domain(2, {"r0"}), domain(3, {"r0"})}).ok());
  EXPECT_FALSE(
      dp_.set_bridge_domains({domain(2, {"r0"}, {{testlib::mac("02:00:00:00:00:01"), "r1"}})})
          .ok());
  const DataplaneStats stats = dp_.stats();
  ASSERT_EQ(stats.domains.size(), 1u);
  EXPECT_EQ(stats.domains[0].id, 1u);
}

TEST_F(DataplaneTest, PortsAreAddedRemovedAndNamedOnce) {
  ASSERT_TRUE(dp_.add_port(ring("r0")).ok());
  EXPECT_FALSE(dp_.add_port(ring("r0")).ok()) << "duplicate name";
  ASSERT_EQ(dp_.stats().ports.size(), 1u);
  EXPECT_TRUE(dp_.remove_port("r0"));
  EXPECT_FALSE(dp_.remove_port("r0"));
  EXPECT_TRUE(dp_.stats().ports.empty());
  EXPECT_TRUE(dp_.add_port(ring("r0")).ok()) << "the name is free again";
}

// Ports r0 (routed, 10.0.0.1/24), r1, r2 (bridge domain 1, gateway 10.1.0.1/24).
class DataplaneL3Test : public DataplaneTest {
 protected:
  void SetUp() override {
    for (const char* name : {"r0", "r1", "r2"}) ASSERT_TRUE(dp_.add_port(ring(name)).ok());
    ASSERT_TRUE(dp_.set_bridge_domains({domain(1, {"r1", "r2"})}).ok());
    ASSERT_TRUE(dp_.set_l3(good()).ok());
  }
  static InterfaceSpec routed(const char* name, const char* port, const char* ip, uint8_t len) {
    InterfaceSpec i;
    i.name = name;
    i.port = port;
    i.ip = testlib::ipv4(ip);
    i.prefix_len = len;
    return i;
  }
  static InterfaceSpec gateway(const char* name, uint32_t bd, const char* ip, uint8_t len) {
    InterfaceSpec i = routed(name, "", ip, len);
    i.bridge_domain = bd;
    return i;
  }
  static RouteSpec route(const char* prefix, uint8_t len, std::vector<NextHopSpec> hops) {
    return {{testlib::ipv4(prefix), len}, std::move(hops)};
  }
  static L3Spec good() {
    L3Spec s;
    s.interfaces = {routed("wan", "r0", "10.0.0.1", 24), gateway("gw", 1, "10.1.0.1", 24)};
    s.routes = {route("0.0.0.0", 0, {{testlib::ipv4("10.0.0.254"), ""}})};
    s.neighbors = {{testlib::ipv4("10.0.0.254"), testlib::mac("02:00:00:00:00:fe"), "wan"}};
    return s;
  }
  std::vector<std::string> interface_names() {
    std::vector<std::string> names;
    for (const InterfaceRow& row : dp_.list_interfaces()) names.push_back(row.name);
    return names;
  }
};

TEST_F(DataplaneL3Test, InterfacesRoutesAndNeighborsAreListedAndCounted) {
  EXPECT_EQ(interface_names(), (std::vector<std::string>{"wan", "gw"}));
  const std::vector<NeighborRow> neighbors = dp_.list_neighbors();
  ASSERT_EQ(neighbors.size(), 1u);
  EXPECT_EQ(neighbors[0].state, NeighborState::kStatic);
  EXPECT_EQ(neighbors[0].interface, "wan");
  EXPECT_EQ(dp_.stats().l3.routes, 1u);
}

TEST_F(DataplaneL3Test, BadSpecsAreRefusedWholeAndChangeNothing) {
  struct Case {
    const char* name;
    void (*damage)(L3Spec&);
    const char* message;
  };
  const Case cases[] = {
      {"overlapping subnets", [](L3Spec& s) { s.interfaces[1] = gateway("gw", 1, "10.0.0.9", 16); },
       "overlaps"},
      {"host bits",
       [](L3Spec& s) {
         s.routes.push_back(route("10.9.0.1", 16, {{0, "wan"}}));
       },
       "host bits"},
      {"unreachable next hop",
       [](L3Spec& s) {
         s.routes.push_back(route("10.9.0.0", 16, {{testlib::ipv4("192.0.2.1"), ""}}));
       },
       "not on any interface's subnet"},
      {"missing port",
       [](L3Spec& s) { s.interfaces.push_back(routed("x", "nope", "10.5.0.1", 24)); },
       "does not exist"},
      {"bridged port", [](L3Spec& s) { s.interfaces.push_back(routed("x", "r1", "10.5.0.1", 24)); },
       "bridge domain"},
      {"second gateway", [](L3Spec& s) { s.interfaces.push_back(gateway("x", 1, "10.5.0.1", 24)); },
       "already has"},
      {"neighbor off its subnet", [](L3Spec& s) { s.neighbors[0].ip = testlib::ipv4("10.1.0.7"); },
       "not on the subnet"},
      {"prefix length 33", [](L3Spec& s) { s.interfaces[0].prefix_len = 33; }, "1-32"},
  };
  for (const Case& c : cases) {
    L3Spec spec = good();
    spec.routes.push_back(route("10.200.0.0", 16, {{testlib::ipv4("10.0.0.254"), ""}}));
    c.damage(spec);
    const DpStatus st = dp_.set_l3(spec);
    EXPECT_FALSE(st.ok()) << c.name;
    EXPECT_NE(st.message().find(c.message), std::string::npos) << c.name << ": " << st.message();
    EXPECT_EQ(interface_names(), (std::vector<std::string>{"wan", "gw"})) << c.name;
    EXPECT_EQ(dp_.stats().l3.routes, 1u) << c.name;
  }
}

TEST_F(DataplaneL3Test, PortsAndDomainsInUseByAnInterfaceStay) {
  EXPECT_FALSE(dp_.remove_port("r0")) << "routed by wan";
  EXPECT_FALSE(dp_.set_bridge_domains({}).ok()) << "domain 1 has the gateway gw";
  EXPECT_FALSE(dp_.set_bridge_domains({domain(1, {"r0", "r1", "r2"})}).ok()) << "r0 is routed";
  ASSERT_TRUE(dp_.set_l3({}).ok());
  EXPECT_TRUE(dp_.list_interfaces().empty());
  EXPECT_TRUE(dp_.set_bridge_domains({}).ok());
  EXPECT_TRUE(dp_.remove_port("r0"));
}

// net_tap validates the VTEP rule but this kernel cannot create it (no TC flower): the
// software path runs and the refusal is reported, per port.
TEST_F(DataplaneTest, VxlanRulesAreValidatedOnTapAndTheSoftwareFallbackReported) {
  PortSpec tap;
  tap.name = "t0";
  tap.kind = PortKind::kTap;
  tap.iface = "npvxtap0";
  ASSERT_TRUE(dp_.add_port(tap).ok());
  const uint16_t id = dp_.stats().ports[0].id;
  std::string reason;
  const rte_be32_t vtep = rte_cpu_to_be_32(testlib::ipv4("10.7.0.1"));
  EXPECT_TRUE(vxlan::validate_vtep_rule(id, vtep, rte_cpu_to_be_16(4789), nullptr, reason))
      << reason;
  // net_tap matches no VXLAN header and has no MARK: the per-VNI rule fails validation.
  const vxlan::VniMark mark{7, 1};
  EXPECT_FALSE(vxlan::validate_vtep_rule(id, vtep, rte_cpu_to_be_16(4789), &mark, reason));
  EXPECT_EQ(reason.rfind("validate: ", 0), 0u) << reason;
  L3Spec spec;
  InterfaceSpec wan;
  wan.name = "wan";
  wan.port = "t0";
  wan.ip = testlib::ipv4("10.7.0.1");
  wan.prefix_len = 24;
  spec.interfaces = {wan};
  spec.vxlan.local_ip = wan.ip;
  RouteSpec flannel{{testlib::ipv4("10.244.2.0"), 24}, {}};
  flannel.next_hops.push_back(
      {0, "", VxlanNextHopSpec{testlib::ipv4("10.7.0.2"), 7, testlib::mac("02:00:00:00:0f:01")}});
  spec.routes = {flannel};
  ASSERT_TRUE(dp_.set_l3(spec).ok());
  const std::vector<VxlanPortOffload> ports = dp_.stats().vxlan.ports;
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0].port, "t0");
  EXPECT_FALSE(ports[0].offloaded);
  EXPECT_FALSE(ports[0].marked);
  // Both attempts, each with the PMD's answer: the marking rule refused at validation, the
  // steering rule validated and refused by the kernel at creation.
  EXPECT_EQ(ports[0].reason.rfind("VNI marks: validate: ", 0), 0u) << ports[0].reason;
  EXPECT_NE(ports[0].reason.find("; steering: create: "), std::string::npos) << ports[0].reason;
  ASSERT_TRUE(dp_.set_l3({}).ok());
  EXPECT_TRUE(dp_.stats().vxlan.ports.empty());
}

// ---- Port security -------------------------------------------------------------------------

PortSpec null_port(const std::string& name) {
  PortSpec spec;
  spec.name = name;
  spec.kind = PortKind::kNull;
  return spec;
}

PortSecuritySpec pod_rules(std::vector<uint32_t> ips = {testlib::ipv4("10.244.1.10")}) {
  return {testlib::mac("02:00:00:00:0a:01"), std::move(ips)};
}

TEST_F(DataplaneTest, PortSecurityIsSetReplacedAndRemovedWithoutReopening) {
  PortSpec pod = null_port("pod");
  pod.security = pod_rules();
  ASSERT_TRUE(dp_.add_port(pod).ok());
  const std::string device = dp_.stats().ports.at(0).device;
  std::optional<PortSecuritySpec> held = dp_.port_security("pod");
  ASSERT_TRUE(held.has_value()) << "rules from the port's start";
  EXPECT_EQ(testlib::mac_text(held->mac), "02:00:00:00:0a:01");
  EXPECT_EQ(held->ips, pod.security->ips);

  const std::vector<uint32_t> two = {testlib::ipv4("10.244.1.10"), testlib::ipv4("10.244.1.11")};
  ASSERT_TRUE(dp_.set_port_security("pod", pod_rules(two)).ok());
  held = dp_.port_security("pod");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->ips, two);
  ASSERT_TRUE(dp_.set_port_security("pod", std::nullopt).ok());
  EXPECT_FALSE(dp_.port_security("pod").has_value());
  EXPECT_EQ(dp_.stats().ports.at(0).device, device) << "reopened";
}

TEST_F(DataplaneTest, BadPortSecurityIsRefused) {
  ASSERT_TRUE(dp_.add_port(null_port("pod")).ok());
  EXPECT_EQ(dp_.set_port_security("nope", pod_rules()).message(), "port 'nope' does not exist");
  EXPECT_EQ(dp_.set_port_security("pod", pod_rules({})).message(),
            "port 'pod': security: 1 to 8 addresses, got 0");
  EXPECT_EQ(dp_.set_port_security("pod", pod_rules(std::vector<uint32_t>(9, 0x0af4010a))).message(),
            "port 'pod': security: 1 to 8 addresses, got 9");
  PortSecuritySpec multicast = pod_rules();
  multicast.mac = testlib::mac("01:00:5e:00:00:01");
  EXPECT_EQ(dp_.set_port_security("pod", multicast).message(),
            "port 'pod': security: mac is not a unicast address");
  EXPECT_FALSE(dp_.port_security("pod").has_value());
  PortSpec bad = null_port("bad");
  bad.security = multicast;
  EXPECT_FALSE(dp_.add_port(bad).ok());
  EXPECT_EQ(dp_.stats().ports.size(), 1u) << "refused before the device was opened";
}

// The rules are the port's, not its DPDK id's: a port opened later under the same id (before
// any other change is published) starts without them.
TEST_F(DataplaneTest, RemovedPortTakesItsRulesAlong) {
  PortSpec pod = null_port("pod");
  pod.security = pod_rules();
  ASSERT_TRUE(dp_.add_port(pod).ok());
  const uint16_t id = dp_.stats().ports.at(0).id;
  ASSERT_TRUE(dp_.remove_port("pod"));
  ASSERT_TRUE(dp_.add_port(null_port("next")).ok());
  ASSERT_EQ(dp_.stats().ports.at(0).id, id) << "the id was not reused; the test shows nothing";
  EXPECT_FALSE(dp_.port_security("next").has_value());
}

}  // namespace
}  // namespace np::dp
