// validate_config on desired states as the API builds them: each bad value, reference or
// duplicate is refused with its code and a message naming the resource and field.
#include "np/control/config_validate.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

#include "np/control/config_rules.h"

namespace np::control {
namespace {

Config base() {
  Config c;
  PortConfig a;
  a.name = "a";
  a.type = PortType::kVhostUser;
  a.socket = "/run/a.sock";
  PortConfig b;
  b.name = "b";
  b.type = PortType::kAfPacket;
  b.iface = "eth1";
  c.ports = {a, b};
  BridgeDomainConfig d;
  d.id = 1;
  d.ports = {"a", "b"};
  c.bridge_domains = {d};
  return c;
}

struct Case {
  const char* name;
  std::function<void(Config&)> change;
  StatusCode code;
  std::string message;
};

class ValidateTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateTest, RefusesWithCodeAndField) {
  Config c = base();
  GetParam().change(c);
  const Status st = validate_config(c);
  EXPECT_EQ(st.code(), GetParam().code) << st.message();
  EXPECT_EQ(st.message(), GetParam().message);
}

const MacAddress kMulticast = {0x01, 0, 0x5e, 0, 0, 1};
const MacAddress kUnicast = {0x02, 0, 0, 0, 0, 9};

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateTest,
    ::testing::Values(
        Case{"PortName", [](Config& c) { c.ports[0].name = "a/b"; }, StatusCode::kInvalidArgument,
             "port: name: 'a/b' is not 1-32 characters of A-Z a-z 0-9 _ . -"},
        Case{"PortNameTooLong", [](Config& c) { c.ports[0].name = std::string(33, 'x'); },
             StatusCode::kInvalidArgument,
             "port: name: '" + std::string(33, 'x') +
                 "' is not 1-32 characters of A-Z a-z 0-9 _ . -"},
        Case{"DuplicatePort", [](Config& c) { c.ports[1] = c.ports[0]; },
             StatusCode::kInvalidArgument, "port 'a': name: a port of that name exists"},
        Case{"MissingSocket", [](Config& c) { c.ports[0].socket.clear(); },
             StatusCode::kInvalidArgument, "port 'a': socket: required for vhost-user ports"},
        Case{"RelativeSocket", [](Config& c) { c.ports[0].socket = "a.sock"; },
             StatusCode::kInvalidArgument,
             "port 'a': socket: 'a.sock' is not an absolute path of at most 107 bytes"},
        Case{"KeyOfAnotherType", [](Config& c) { c.ports[1].socket = "/x.sock"; },
             StatusCode::kInvalidArgument, "port 'b': socket: not valid for af-packet ports"},
        Case{"ClientOnAfPacket", [](Config& c) { c.ports[1].client = true; },
             StatusCode::kInvalidArgument, "port 'b': client: not valid for af-packet ports"},
        Case{"BadIface", [](Config& c) { c.ports[1].iface = "eth 1"; },
             StatusCode::kInvalidArgument,
             "port 'b': iface: 'eth 1' is not a valid interface name"},
        Case{"DuplicateSocket",
             [](Config& c) {
               c.ports[1].type = PortType::kVhostUser;
               c.ports[1].iface.clear();
               c.ports[1].socket = c.ports[0].socket;
             },
             StatusCode::kInvalidArgument, "port 'b': socket: /run/a.sock is used by another port"},
        Case{"QueuesZero", [](Config& c) { c.ports[0].queues = 0; }, StatusCode::kInvalidArgument,
             "port 'a': queues: must be 1..16, got 0"},
        Case{"QueuesTooMany", [](Config& c) { c.ports[0].queues = 17; },
             StatusCode::kInvalidArgument, "port 'a': queues: must be 1..16, got 17"},
        Case{"MtuLow", [](Config& c) { c.ports[0].mtu = 67; }, StatusCode::kInvalidArgument,
             "port 'a': mtu: must be 68..9600, got 67"},
        Case{"MulticastMac", [](Config& c) { c.ports[0].mac = kMulticast; },
             StatusCode::kInvalidArgument,
             "port 'a': mac: 01:00:5e:00:00:01 is not a unicast address"},
        Case{"SecurityMacMulticast",
             [](Config& c) {
               c.ports[0].security = PortSecurityConfig{kMulticast, {0x0a000005}};
             },
             StatusCode::kInvalidArgument,
             "port 'a': security.mac: 01:00:5e:00:00:01 is not a unicast address"},
        Case{"SecurityNoIps",
             [](Config& c) {
               c.ports[0].security = PortSecurityConfig{kUnicast, {}};
             },
             StatusCode::kInvalidArgument, "port 'a': security.ips: 1 to 8 addresses, got 0"},
        Case{"SecurityNineIps",
             [](Config& c) {
               c.ports[0].security = PortSecurityConfig{kUnicast, {}};
               for (uint32_t k = 1; k <= 9; ++k) c.ports[0].security->ips.push_back(0x0a000000 + k);
             },
             StatusCode::kInvalidArgument, "port 'a': security.ips: 1 to 8 addresses, got 9"},
        Case{"SecurityIpLoopback",
             [](Config& c) {
               c.ports[0].security = PortSecurityConfig{kUnicast, {0x0a000005, 0x7f000001}};
             },
             StatusCode::kInvalidArgument,
             "port 'a': security.ips[1]: 127.0.0.1 is not a unicast host address"},
        Case{"SecurityIpTwice",
             [](Config& c) {
               c.ports[0].security = PortSecurityConfig{kUnicast, {0x0a000005, 0x0a000005}};
             },
             StatusCode::kInvalidArgument, "port 'a': security.ips[1]: 10.0.0.5 is listed twice"},
        Case{"AttachmentTooLong",
             [](Config& c) {
               c.ports[0].attachment = PortAttachmentConfig{std::string(257, 'n'), "", ""};
             },
             StatusCode::kInvalidArgument, "port 'a': attachment.network: longer than 256 bytes"},
        Case{"PciAddress",
             [](Config& c) {
               c.ports[1].type = PortType::kPci;
               c.ports[1].iface.clear();
               c.ports[1].device = "0000:00:04.8";
             },
             StatusCode::kInvalidArgument, "port 'b': device: '0000:00:04.8' is not a PCI address"},
        Case{"DomainIdZero", [](Config& c) { c.bridge_domains[0].id = 0; },
             StatusCode::kInvalidArgument, "bridge domain: id: must be 1..16777215, got 0"},
        Case{"DomainIdTooBig", [](Config& c) { c.bridge_domains[0].id = 1u << 24; },
             StatusCode::kInvalidArgument, "bridge domain: id: must be 1..16777215, got 16777216"},
        Case{"UnknownPort", [](Config& c) { c.bridge_domains[0].ports.push_back("zz"); },
             StatusCode::kNotFound, "bridge domain 1: ports: port 'zz' does not exist"},
        Case{"PortInTwoDomains",
             [](Config& c) {
               BridgeDomainConfig d;
               d.id = 2;
               d.ports = {"b"};
               c.bridge_domains.push_back(d);
             },
             StatusCode::kFailedPrecondition,
             "bridge domain 2: ports: port 'b' is already in bridge domain 1"},
        Case{"DuplicateDomain",
             [](Config& c) { c.bridge_domains.push_back({}), c.bridge_domains[1].id = 1; },
             StatusCode::kInvalidArgument, "bridge domain 1: id: listed twice"},
        Case{"AgingTooShort", [](Config& c) { c.bridge_domains[0].aging_s = 5; },
             StatusCode::kInvalidArgument,
             "bridge domain 1: aging_s: must be 0 or 10..1000000, got 5"},
        Case{"MacLimit", [](Config& c) { c.bridge_domains[0].max_macs = (1u << 24) + 1; },
             StatusCode::kInvalidArgument, "bridge domain 1: max_macs: must be at most 16777216"},
        Case{"StaticMulticast",
             [](Config& c) {
               c.bridge_domains[0].static_macs = {{kMulticast, "a", {}}};
             },
             StatusCode::kInvalidArgument,
             "bridge domain 1: static_macs: 01:00:5e:00:00:01 is not a unicast address"},
        Case{"StaticTwice",
             [](Config& c) {
               c.bridge_domains[0].static_macs = {{kUnicast, "a", {}}, {kUnicast, "b", {}}};
             },
             StatusCode::kInvalidArgument,
             "bridge domain 1: static_macs: 02:00:00:00:00:09 is listed twice"},
        Case{"StaticOnNonMember",
             [](Config& c) {
               c.bridge_domains[0].ports = {"a"};
               c.bridge_domains[0].static_macs = {{kUnicast, "b", {}}};
             },
             StatusCode::kFailedPrecondition,
             "bridge domain 1: static_macs: 02:00:00:00:00:09: port 'b' is not a member"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateConfigTest, AcceptsTheBase) { EXPECT_TRUE(validate_config(base()).is_ok()); }

// A port beyond what DPDK can hold is refused before anything is opened.
TEST(ValidateConfigTest, AtMostRteMaxEthportsPorts) {
  Config c = base();
  while (c.ports.size() < kMaxPorts) {
    PortConfig p;
    p.name = "r" + std::to_string(c.ports.size());
    p.type = PortType::kRing;
    c.ports.push_back(p);
  }
  EXPECT_TRUE(validate_config(c).is_ok());
  c.ports.push_back(c.ports.back());
  c.ports.back().name = "one-more";
  const Status st = validate_config(c);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(st.message(), too_many_ports());
}

// The base plus a routed port `c` with interface `up` (10.0.0.1/24), the gateway `gw` of
// domain 1 (10.1.0.1/24), a default route via 10.0.0.2, an ECMP route, a route out of `gw`
// and a static neighbor.
Config l3_base() {
  Config c = base();
  PortConfig routed;
  routed.name = "c";
  routed.type = PortType::kRing;
  c.ports.push_back(routed);
  InterfaceConfig up;
  up.name = "up";
  up.port = "c";
  up.ip = 0x0a000001;
  up.prefix_len = 24;
  InterfaceConfig gw;
  gw.name = "gw";
  gw.bridge_domain = 1;
  gw.ip = 0x0a010001;
  gw.prefix_len = 24;
  c.interfaces = {up, gw};
  RouteConfig def;
  def.next_hops = {{0x0a000002, "", {}}};
  RouteConfig ecmp;
  ecmp.prefix = 0x0a090000;
  ecmp.prefix_len = 16;
  ecmp.next_hops = {{0x0a000003, "", {}}, {0x0a010003, "", {}}};
  RouteConfig connected;
  connected.prefix = 0x0a080000;
  connected.prefix_len = 24;
  connected.next_hops = {{0, "gw", {}}};
  c.routes = {def, ecmp, connected};
  c.neighbors = {{0x0a000002, kUnicast, "up", {}}};
  return c;
}

class ValidateL3Test : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateL3Test, RefusesWithCodeAndField) {
  Config c = l3_base();
  GetParam().change(c);
  const Status st = validate_config(c);
  EXPECT_EQ(st.code(), GetParam().code) << st.message();
  EXPECT_EQ(st.message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateL3Test,
    ::testing::Values(
        Case{"InterfaceName", [](Config& c) { c.interfaces[0].name = "a b"; },
             StatusCode::kInvalidArgument,
             "interface: name: 'a b' is not 1-32 characters of A-Z a-z 0-9 _ . -"},
        Case{"DuplicateInterface", [](Config& c) { c.interfaces[1].name = "up"; },
             StatusCode::kInvalidArgument, "interface 'up': name: an interface of that name exists"},
        Case{"PortAndDomain", [](Config& c) { c.interfaces[0].bridge_domain = 1; },
             StatusCode::kInvalidArgument,
             "interface 'up': exactly one of port and bridge_domain is required"},
        Case{"NoAttachment", [](Config& c) { c.interfaces[1].bridge_domain = 0; },
             StatusCode::kInvalidArgument,
             "interface 'gw': exactly one of port and bridge_domain is required"},
        Case{"DanglingPort", [](Config& c) { c.interfaces[0].port = "zz"; }, StatusCode::kNotFound,
             "interface 'up': port: port 'zz' does not exist"},
        Case{"DanglingDomain", [](Config& c) { c.interfaces[1].bridge_domain = 2; },
             StatusCode::kNotFound, "interface 'gw': bridge_domain: bridge domain 2 does not exist"},
        Case{"PortRoutedAndBridged", [](Config& c) { c.bridge_domains[0].ports.push_back("c"); },
             StatusCode::kFailedPrecondition,
             "interface 'up': port: port 'c' is in bridge domain 1; a routed port cannot be "
             "bridged (give the domain an interface instead)"},
        Case{"TwoOnOnePort",
             [](Config& c) {
               c.interfaces[1].bridge_domain = 0;
               c.interfaces[1].port = "c";
             },
             StatusCode::kFailedPrecondition,
             "interface 'gw': port: port 'c' already has interface 'up'"},
        Case{"TwoOnOneDomain",
             [](Config& c) {
               c.interfaces[0].port.clear();
               c.interfaces[0].bridge_domain = 1;
             },
             StatusCode::kFailedPrecondition,
             "interface 'gw': bridge_domain: bridge domain 1 already has interface 'up'"},
        Case{"PrefixLength33", [](Config& c) { c.interfaces[0].prefix_len = 33; },
             StatusCode::kInvalidArgument, "interface 'up': ip: prefix length 33 out of range 1-32"},
        Case{"PrefixLength0", [](Config& c) { c.interfaces[0].prefix_len = 0; },
             StatusCode::kInvalidArgument, "interface 'up': ip: prefix length 0 out of range 1-32"},
        Case{"Overlap", [](Config& c) { c.interfaces[1].ip = 0x0a000081; },
             StatusCode::kInvalidArgument,
             "interface 'gw': ip: 10.0.0.129/24 overlaps interface 'up' (10.0.0.1/24)"},
        Case{"OverlapWider",
             [](Config& c) {
               c.interfaces[1].ip = 0x0a000101;
               c.interfaces[1].prefix_len = 8;
             },
             StatusCode::kInvalidArgument,
             "interface 'gw': ip: 10.0.1.1/8 overlaps interface 'up' (10.0.0.1/24)"},
        Case{"NetworkAddress", [](Config& c) { c.interfaces[0].ip = 0x0a000000; },
             StatusCode::kInvalidArgument,
             "interface 'up': ip: 10.0.0.0 is the network address of 10.0.0.0/24"},
        Case{"BroadcastAddress", [](Config& c) { c.interfaces[0].ip = 0x0a0000ff; },
             StatusCode::kInvalidArgument,
             "interface 'up': ip: 10.0.0.255 is the broadcast address of 10.0.0.0/24"},
        Case{"MulticastInterfaceMac", [](Config& c) { c.interfaces[0].mac = kMulticast; },
             StatusCode::kInvalidArgument,
             "interface 'up': mac: 01:00:5e:00:00:01 is not a unicast address"},
        Case{"RouteHostBits", [](Config& c) { c.routes[1].prefix = 0x0a090001; },
             StatusCode::kInvalidArgument,
             "route: prefix: prefix 10.9.0.1/16 has host bits set; did you mean 10.9.0.0/16?"},
        Case{"RouteLength33", [](Config& c) { c.routes[1].prefix_len = 33; },
             StatusCode::kInvalidArgument, "route: prefix: prefix length 33 out of range 0-32"},
        Case{"DuplicateRoute", [](Config& c) { c.routes.push_back(c.routes[1]); },
             StatusCode::kInvalidArgument, "route 10.9.0.0/16: prefix: listed twice"},
        Case{"ConnectedSubnet",
             [](Config& c) {
               c.routes[1].prefix = 0x0a010000;
               c.routes[1].prefix_len = 24;
             },
             StatusCode::kInvalidArgument,
             "route 10.1.0.0/24: prefix: is the subnet of interface 'gw' (a connected route)"},
        Case{"NoNextHop", [](Config& c) { c.routes[1].next_hops.clear(); },
             StatusCode::kInvalidArgument, "route 10.9.0.0/16: next_hops: at least one is required"},
        Case{"TooManyNextHops",
             [](Config& c) {
               c.routes[1].next_hops.clear();
               for (uint32_t k = 0; k < 17; ++k)
                 c.routes[1].next_hops.push_back({0x0a000010 + k, "", {}});
             },
             StatusCode::kInvalidArgument,
             "route 10.9.0.0/16: next_hops: at most 16 (ECMP), got 17"},
        Case{"NextHopBoth", [](Config& c) { c.routes[0].next_hops[0].interface = "up"; },
             StatusCode::kInvalidArgument,
             "route 0.0.0.0/0: next_hops[0]: exactly one of via, interface and vxlan is "
             "required"},
        Case{"InterfaceHopWithOthers",
             [](Config& c) { c.routes[1].next_hops.push_back({0, "up", {}}); },
             StatusCode::kInvalidArgument,
             "route 10.9.0.0/16: next_hops: a route through an interface has no other next hop"},
        Case{"ViaTwice",
             [](Config& c) { c.routes[1].next_hops[1] = c.routes[1].next_hops[0]; },
             StatusCode::kInvalidArgument,
             "route 10.9.0.0/16: via: next hop 10.0.0.3 is listed twice"},
        Case{"ViaOffSubnet", [](Config& c) { c.routes[0].next_hops[0].via = 0xc0000201; },
             StatusCode::kFailedPrecondition,
             "route 0.0.0.0/0: via: next hop 192.0.2.1 is not on any interface's subnet"},
        Case{"ViaOurAddress", [](Config& c) { c.routes[1].next_hops[1].via = 0x0a010001; },
             StatusCode::kInvalidArgument,
             "route 10.9.0.0/16: via: next hop 10.1.0.1 is the address of interface 'gw'"},
        Case{"ViaBroadcast", [](Config& c) { c.routes[0].next_hops[0].via = 0x0a0000ff; },
             StatusCode::kInvalidArgument,
             "route 0.0.0.0/0: via: next hop 10.0.0.255 is the broadcast address of interface "
             "'up'"},
        Case{"DanglingRouteInterface", [](Config& c) { c.routes[2].next_hops[0].interface = "zz"; },
             StatusCode::kNotFound, "route 10.8.0.0/24: interface: interface 'zz' does not exist"},
        Case{"InterfaceGoneUnderRoute", [](Config& c) { c.interfaces.pop_back(); },
             StatusCode::kFailedPrecondition,
             "route 10.9.0.0/16: via: next hop 10.1.0.3 is not on any interface's subnet"},
        Case{"DanglingNeighborInterface", [](Config& c) { c.neighbors[0].interface = "zz"; },
             StatusCode::kNotFound, "neighbor 10.0.0.2: interface: interface 'zz' does not exist"},
        Case{"NeighborOffSubnet", [](Config& c) { c.neighbors[0].interface = "gw"; },
             StatusCode::kFailedPrecondition,
             "neighbor 10.0.0.2: ip: not in the subnet of interface 'gw' (10.1.0.1/24)"},
        Case{"NeighborOurAddress", [](Config& c) { c.neighbors[0].ip = 0x0a000001; },
             StatusCode::kInvalidArgument,
             "neighbor 10.0.0.1: ip: is the address of interface 'up'"},
        Case{"NeighborZeroMac", [](Config& c) { c.neighbors[0].mac = {}; },
             StatusCode::kInvalidArgument,
             "neighbor 10.0.0.2: mac: 00:00:00:00:00:00 is not a unicast address"},
        Case{"NeighborTwice",
             [](Config& c) {
               c.neighbors.push_back(c.neighbors[0]);
               c.neighbors[1].mac[5] = 0x10;
             },
             StatusCode::kInvalidArgument,
             "neighbor 10.0.0.2: listed twice on interface 'up'"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The L3 base plus a VTEP on `up` (10.0.0.1), L2 VNI 100 extending domain 1 to two remote
// VTEPs, a static remote MAC, and a flannel-style route through L3 VNI 1.
Config vxlan_base() {
  Config c = l3_base();
  c.vxlan.local_ip = 0x0a000001;
  c.vxlan.mac = MacAddress{0x02, 0, 0, 0, 0x0b, 1};
  VxlanTunnelConfig t;
  t.vni = 100;
  t.bridge_domain = 1;
  t.remotes = {0xc0a80102, 0xc0a80103};
  c.vxlan.tunnels = {t};
  c.vxlan.static_macs = {{100, kUnicast, 0xc0a80103, {}}};
  RouteConfig pods;
  pods.prefix = 0x0af40200;  // 10.244.2.0/24
  pods.prefix_len = 24;
  NextHopConfig hop;
  hop.vxlan = VxlanNextHopConfig{0xc0a80109, 1, MacAddress{0x02, 0, 0, 0, 0x0b, 9}};
  pods.next_hops = {hop};
  c.routes.push_back(pods);
  return c;
}

class ValidateVxlanTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateVxlanTest, RefusesWithCodeAndField) {
  Config c = vxlan_base();
  GetParam().change(c);
  const Status st = validate_config(c);
  EXPECT_EQ(st.code(), GetParam().code) << st.message();
  EXPECT_EQ(st.message(), GetParam().message);
}

VxlanNextHopConfig& pods_hop(Config& c) { return *c.routes.back().next_hops[0].vxlan; }

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateVxlanTest,
    ::testing::Values(
        Case{"LocalIpNotInterface", [](Config& c) { c.vxlan.local_ip = 0x0a000009; },
             StatusCode::kFailedPrecondition,
             "vxlan: local_ip: 10.0.0.9 is not an interface address"},
        Case{"LocalIpLoopback", [](Config& c) { c.vxlan.local_ip = 0x7f000001; },
             StatusCode::kInvalidArgument,
             "vxlan: local_ip: 127.0.0.1 is not a unicast host address"},
        Case{"VtepInterfaceGone", [](Config& c) { c.interfaces.erase(c.interfaces.begin()); },
             StatusCode::kFailedPrecondition,
             "vxlan: local_ip: 10.0.0.1 is not an interface address"},
        Case{"PortTooBig", [](Config& c) { c.vxlan.port = 70000; }, StatusCode::kInvalidArgument,
             "vxlan: port: 70000 out of range 1-65535"},
        Case{"PortZero", [](Config& c) { c.vxlan.port = 0; }, StatusCode::kInvalidArgument,
             "vxlan: port: 0 out of range 1-65535"},
        Case{"MacMulticast", [](Config& c) { c.vxlan.mac = kMulticast; },
             StatusCode::kInvalidArgument,
             "vxlan: mac: 01:00:5e:00:00:01 is not a unicast address"},
        Case{"MacZero", [](Config& c) { c.vxlan.mac = MacAddress{}; }, StatusCode::kInvalidArgument,
             "vxlan: mac: 00:00:00:00:00:00 is not a unicast address"},
        Case{"TunnelWithoutVtep",
             [](Config& c) {
               c.vxlan.local_ip = 0;
               c.routes.pop_back();
             },
             StatusCode::kFailedPrecondition,
             "vxlan tunnel 100: vxlan.local_ip: not set (set the VTEP address first)"},
        Case{"VniZero", [](Config& c) { c.vxlan.tunnels[0].vni = 0; },
             StatusCode::kInvalidArgument, "vxlan tunnel: vni: must be 1..16777215, got 0"},
        Case{"VniTooBig", [](Config& c) { c.vxlan.tunnels[0].vni = 1u << 24; },
             StatusCode::kInvalidArgument,
             "vxlan tunnel: vni: must be 1..16777215, got 16777216"},
        Case{"VniTwice",
             [](Config& c) {
               c.vxlan.tunnels.push_back(c.vxlan.tunnels[0]);
               c.vxlan.tunnels[1].bridge_domain = 2;
             },
             StatusCode::kInvalidArgument, "vxlan tunnel 100: vni: listed twice"},
        Case{"NoDomain", [](Config& c) { c.vxlan.tunnels[0].bridge_domain = 0; },
             StatusCode::kInvalidArgument,
             "vxlan tunnel 100: bridge_domain: required (an L3 VNI needs no tunnel: routes name "
             "it)"},
        Case{"DanglingDomain", [](Config& c) { c.vxlan.tunnels[0].bridge_domain = 2; },
             StatusCode::kNotFound,
             "vxlan tunnel 100: bridge_domain: bridge domain 2 does not exist"},
        Case{"TwoVnisOneDomain",
             [](Config& c) {
               c.vxlan.tunnels.push_back(c.vxlan.tunnels[0]);
               c.vxlan.tunnels[1].vni = 200;
             },
             StatusCode::kFailedPrecondition,
             "vxlan tunnel 200: bridge_domain: bridge domain 1 already has VNI 100"},
        Case{"RemoteMulticast", [](Config& c) { c.vxlan.tunnels[0].remotes[1] = 0xe0000001; },
             StatusCode::kInvalidArgument,
             "vxlan tunnel 100: remotes: 224.0.0.1 is not a unicast host address"},
        Case{"RemoteZero", [](Config& c) { c.vxlan.tunnels[0].remotes[0] = 0; },
             StatusCode::kInvalidArgument,
             "vxlan tunnel 100: remotes: 0.0.0.0 is not a unicast host address"},
        Case{"RemoteOurs", [](Config& c) { c.vxlan.tunnels[0].remotes[1] = 0x0a010001; },
             StatusCode::kInvalidArgument,
             "vxlan tunnel 100: remotes: 10.1.0.1 is our own address (interface 'gw')"},
        Case{"RemoteTwice",
             [](Config& c) { c.vxlan.tunnels[0].remotes[1] = c.vxlan.tunnels[0].remotes[0]; },
             StatusCode::kInvalidArgument, "vxlan tunnel 100: remotes: 192.168.1.2 is listed twice"},
        Case{"StaticMacUnknownVni", [](Config& c) { c.vxlan.static_macs[0].vni = 7; },
             StatusCode::kNotFound,
             "vxlan static MAC 02:00:00:00:00:09: vni: VNI 7 is not an L2 VNI (no tunnel)"},
        Case{"StaticMacL3Vni", [](Config& c) { c.vxlan.static_macs[0].vni = 1; },
             StatusCode::kNotFound,
             "vxlan static MAC 02:00:00:00:00:09: vni: VNI 1 is not an L2 VNI (no tunnel)"},
        Case{"StaticMacMulticast", [](Config& c) { c.vxlan.static_macs[0].mac = kMulticast; },
             StatusCode::kInvalidArgument,
             "vxlan static MAC 01:00:5e:00:00:01: mac: not a unicast address"},
        Case{"StaticMacRemoteOurs", [](Config& c) { c.vxlan.static_macs[0].remote = 0x0a000001; },
             StatusCode::kInvalidArgument,
             "vxlan static MAC 02:00:00:00:00:09: remote: 10.0.0.1 is our own address (interface "
             "'up')"},
        Case{"StaticMacTwice",
             [](Config& c) { c.vxlan.static_macs.push_back(c.vxlan.static_macs[0]); },
             StatusCode::kInvalidArgument,
             "vxlan static MAC 02:00:00:00:00:09: listed twice in VNI 100"},
        Case{"StaticMacOnAPortToo",
             [](Config& c) { c.bridge_domains[0].static_macs = {{kUnicast, "a", {}}}; },
             StatusCode::kFailedPrecondition,
             "vxlan static MAC 02:00:00:00:00:09: mac: is a static MAC of bridge domain 1 on "
             "port 'a'"},
        Case{"RouteWithoutVtep",
             [](Config& c) {
               c.vxlan.local_ip = 0;
               c.vxlan.tunnels.clear();
               c.vxlan.static_macs.clear();
             },
             StatusCode::kFailedPrecondition,
             "route 10.244.2.0/24: vxlan: VXLAN is not configured (vxlan.local_ip is not set)"},
        Case{"RouteL2Vni", [](Config& c) { pods_hop(c).vni = 100; },
             StatusCode::kFailedPrecondition,
             "route 10.244.2.0/24: vxlan.vni: VNI 100 is the L2 VNI of bridge domain 1 (a route "
             "needs an L3 VNI)"},
        Case{"RouteVniZero", [](Config& c) { pods_hop(c).vni = 0; }, StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: vxlan.vni: must be 1..16777215, got 0"},
        Case{"RouteVniTooBig", [](Config& c) { pods_hop(c).vni = 1u << 24; },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: vxlan.vni: must be 1..16777215, got 16777216"},
        Case{"RouteRemoteOurs", [](Config& c) { pods_hop(c).remote = 0x0a010001; },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: vxlan.remote: 10.1.0.1 is our own address (interface 'gw')"},
        Case{"RouteRemoteMulticast", [](Config& c) { pods_hop(c).remote = 0xe0000001; },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: vxlan.remote: 224.0.0.1 is not a unicast host address"},
        Case{"RouteMacMulticast", [](Config& c) { pods_hop(c).mac = kMulticast; },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: vxlan.mac: 01:00:5e:00:00:01 is not a unicast address"},
        Case{"RouteVxlanWithVia",
             [](Config& c) { c.routes.back().next_hops.push_back({0x0a000002, "", {}}); },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: next_hops: a route through a VXLAN tunnel has no other next "
             "hop"},
        Case{"RouteTwoVxlanHops",
             [](Config& c) {
               c.routes.back().next_hops.push_back(c.routes.back().next_hops[0]);
               pods_hop(c).remote = 0xc0a8010a;
             },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: next_hops: a route through a VXLAN tunnel has no other next "
             "hop"},
        Case{"RouteVxlanAndViaInOneHop",
             [](Config& c) { c.routes.back().next_hops[0].via = 0x0a000002; },
             StatusCode::kInvalidArgument,
             "route 10.244.2.0/24: next_hops[0]: exactly one of via, interface and vxlan is "
             "required"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateConfigTest, AcceptsTheVxlanBase) {
  const Status st = validate_config(vxlan_base());
  EXPECT_TRUE(st.is_ok()) << st.message();
}

TEST(ValidateConfigTest, VxlanOffWithoutTunnelsOrRoutes) {
  Config c = l3_base();
  c.vxlan.mac = kMulticast;  // Not looked at while off.
  EXPECT_TRUE(validate_config(c).is_ok());
}

TEST(ValidateConfigTest, VxlanErrorsPointAtTheEntry) {
  Config c = vxlan_base();
  c.vxlan.mark = {20, 1};
  c.vxlan.local_ip_mark = {21, 13};
  c.vxlan.tunnels[0].mark = {23, 7};
  c.vxlan.local_ip = 0x0a000009;
  SourceMark where;
  EXPECT_FALSE(validate_l3(c, &where).is_ok());
  EXPECT_EQ(where.line, 21);
  EXPECT_EQ(where.column, 13);
  c = vxlan_base();
  c.vxlan.tunnels[0].mark = {23, 7};
  c.vxlan.tunnels[0].bridge_domain = 9;
  EXPECT_FALSE(validate_l3(c, &where).is_ok());
  EXPECT_EQ(where.line, 23);
  EXPECT_EQ(where.column, 7);
}

// The VXLAN base (our addresses 10.0.0.1, the VTEP, and 10.1.0.1) plus two services on one
// VIP: web (10.96.0.10:80/tcp, node port 30080, client IP affinity for 600 s, two weighted
// backends) and dns (10.96.0.10:53/udp, node port 30053, one backend).
Config services_base() {
  Config c = vxlan_base();
  ServiceConfig web;
  web.name = "web";
  web.vip = 0x0a60000a;
  web.port = 80;
  web.node_port = 30080;
  web.affinity = ServiceAffinity::kClientIp;
  web.affinity_timeout_s = 600;
  web.backends = {{0x0af40105, 8080, 1, {}}, {0x0af40106, 8080, 3, {}}};
  ServiceConfig dns;
  dns.name = "dns";
  dns.vip = 0x0a60000a;
  dns.port = 53;
  dns.protocol = ServiceProtocol::kUdp;
  dns.node_port = 30053;
  dns.backends = {{0x0af40107, 53, 1, {}}};
  c.services = {web, dns};
  return c;
}

class ValidateServicesTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateServicesTest, RefusesWithCodeAndField) {
  Config c = services_base();
  GetParam().change(c);
  const Status st = validate_config(c);
  EXPECT_EQ(st.code(), GetParam().code) << st.message();
  EXPECT_EQ(st.message(), GetParam().message);
}

ServiceConfig& web(Config& c) { return c.services[0]; }
ServiceConfig& dns(Config& c) { return c.services[1]; }

std::string not_a_name(const std::string& name) {
  return "service: name: '" + name +
         "' is not a Kubernetes name (1-63 of a-z 0-9 -, starting and ending with a letter or "
         "digit)";
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateServicesTest,
    ::testing::Values(
        Case{"NameEmpty", [](Config& c) { web(c).name = ""; }, StatusCode::kInvalidArgument,
             not_a_name("")},
        Case{"NameUpperCase", [](Config& c) { web(c).name = "Web"; },
             StatusCode::kInvalidArgument, not_a_name("Web")},
        Case{"NameLeadingDash", [](Config& c) { web(c).name = "-web"; },
             StatusCode::kInvalidArgument, not_a_name("-web")},
        Case{"NameUnderscore", [](Config& c) { web(c).name = "my_web"; },
             StatusCode::kInvalidArgument, not_a_name("my_web")},
        Case{"NameTooLong", [](Config& c) { web(c).name = std::string(64, 'a'); },
             StatusCode::kInvalidArgument,
             not_a_name(std::string(64, 'a'))},
        Case{"NameTwice", [](Config& c) { dns(c).name = "web"; }, StatusCode::kInvalidArgument,
             "service 'web': name: listed twice"},
        Case{"VipZero", [](Config& c) { web(c).vip = 0; }, StatusCode::kInvalidArgument,
             "service 'web': vip: 0.0.0.0 is not a unicast host address"},
        Case{"VipMulticast", [](Config& c) { web(c).vip = 0xe0000001; },
             StatusCode::kInvalidArgument,
             "service 'web': vip: 224.0.0.1 is not a unicast host address"},
        Case{"VipBroadcast", [](Config& c) { web(c).vip = 0xffffffff; },
             StatusCode::kInvalidArgument,
             "service 'web': vip: 255.255.255.255 is not a unicast host address"},
        Case{"VipInterfaceAddress", [](Config& c) { web(c).vip = 0x0a010001; },
             StatusCode::kInvalidArgument,
             "service 'web': vip: 10.1.0.1 is our own address (interface 'gw')"},
        Case{"VipVtepAddress", [](Config& c) { dns(c).vip = c.vxlan.local_ip; },
             StatusCode::kInvalidArgument,
             "service 'dns': vip: 10.0.0.1 is our own address (interface 'up')"},
        Case{"PortZero", [](Config& c) { web(c).port = 0; }, StatusCode::kInvalidArgument,
             "service 'web': port: must be 1..65535, got 0"},
        Case{"PortTooBig", [](Config& c) { web(c).port = 65536; }, StatusCode::kInvalidArgument,
             "service 'web': port: must be 1..65535, got 65536"},
        Case{"VipPortProtocolTwice",
             [](Config& c) {
               dns(c).port = 80;
               dns(c).protocol = ServiceProtocol::kTcp;
             },
             StatusCode::kFailedPrecondition,
             "service 'dns': vip: 10.96.0.10:80/tcp is already used by service 'web'"},
        Case{"NodePortBelowRange", [](Config& c) { web(c).node_port = 29999; },
             StatusCode::kInvalidArgument,
             "service 'web': node_port: 29999 is out of node_port_range 30000-32767"},
        Case{"NodePortAboveRange", [](Config& c) { web(c).node_port = 32768; },
             StatusCode::kInvalidArgument,
             "service 'web': node_port: 32768 is out of node_port_range 30000-32767"},
        Case{"RangeChangedUnderAService", [](Config& c) { c.node_port_min = 30081; },
             StatusCode::kInvalidArgument,
             "service 'web': node_port: 30080 is out of node_port_range 30081-32767"},
        Case{"NodePortProtocolTwice",
             [](Config& c) {
               dns(c).node_port = 30080;
               dns(c).protocol = ServiceProtocol::kTcp;
             },
             StatusCode::kFailedPrecondition,
             "service 'dns': node_port: 30080/tcp is already used by service 'web'"},
        Case{"AffinityTimeoutWithoutClientIp",
             [](Config& c) { web(c).affinity = ServiceAffinity::kNone; },
             StatusCode::kInvalidArgument,
             "service 'web': affinity_timeout_s: only with affinity client_ip"},
        Case{"AffinityTimeoutZero", [](Config& c) { web(c).affinity_timeout_s = 0; },
             StatusCode::kInvalidArgument,
             "service 'web': affinity_timeout_s: must be 1..86400, got 0"},
        Case{"AffinityTimeoutTooLong", [](Config& c) { web(c).affinity_timeout_s = 86401; },
             StatusCode::kInvalidArgument,
             "service 'web': affinity_timeout_s: must be 1..86400, got 86401"},
        Case{"TooManyBackends",
             [](Config& c) {
               web(c).backends.clear();
               for (uint32_t i = 0; i < 1001; ++i)
                 web(c).backends.push_back({0x0af40000 + i + 1, 8080, 1, {}});
             },
             StatusCode::kInvalidArgument, "service 'web': backends: at most 1000, got 1001"},
        Case{"BackendMulticast", [](Config& c) { web(c).backends[1].ip = 0xe0000001; },
             StatusCode::kInvalidArgument,
             "service 'web': backends[1].ip: 224.0.0.1 is not a unicast host address"},
        Case{"BackendZero", [](Config& c) { dns(c).backends[0].ip = 0; },
             StatusCode::kInvalidArgument,
             "service 'dns': backends[0].ip: 0.0.0.0 is not a unicast host address"},
        Case{"BackendLoopback", [](Config& c) { web(c).backends[0].ip = 0x7f000001; },
             StatusCode::kInvalidArgument,
             "service 'web': backends[0].ip: 127.0.0.1 is not a unicast host address"},
        Case{"BackendPortZero", [](Config& c) { web(c).backends[1].port = 0; },
             StatusCode::kInvalidArgument,
             "service 'web': backends[1].port: must be 1..65535, got 0"},
        Case{"BackendPortTooBig", [](Config& c) { web(c).backends[1].port = 65536; },
             StatusCode::kInvalidArgument,
             "service 'web': backends[1].port: must be 1..65535, got 65536"},
        Case{"BackendWeightZero", [](Config& c) { web(c).backends[1].weight = 0; },
             StatusCode::kInvalidArgument,
             "service 'web': backends[1].weight: must be 1..1000, got 0"},
        Case{"BackendWeightTooBig", [](Config& c) { web(c).backends[0].weight = 1001; },
             StatusCode::kInvalidArgument,
             "service 'web': backends[0].weight: must be 1..1000, got 1001"},
        Case{"BackendTwice",
             [](Config& c) {
               web(c).backends[1] = web(c).backends[0];
               web(c).backends[1].weight = 5;
             },
             StatusCode::kInvalidArgument,
             "service 'web': backends[1]: 10.244.1.5:8080 is listed twice"},
        Case{"MaxFlowsTooFew", [](Config& c) { c.conntrack.max_flows = 1023; },
             StatusCode::kInvalidArgument,
             "conntrack: max_flows: must be 1024..16777216, got 1023"},
        Case{"MaxFlowsTooMany", [](Config& c) { c.conntrack.max_flows = (1u << 24) + 1; },
             StatusCode::kInvalidArgument,
             "conntrack: max_flows: must be 1024..16777216, got 16777217"},
        Case{"SynTimeoutZero", [](Config& c) { c.conntrack.tcp_syn_s = 0; },
             StatusCode::kInvalidArgument, "conntrack: tcp_syn_s: must be 1..2592000, got 0"},
        Case{"EstablishedTimeoutTooLong",
             [](Config& c) { c.conntrack.tcp_established_s = 2592001; },
             StatusCode::kInvalidArgument,
             "conntrack: tcp_established_s: must be 1..2592000, got 2592001"},
        Case{"ClosingTimeoutZero", [](Config& c) { c.conntrack.tcp_closing_s = 0; },
             StatusCode::kInvalidArgument, "conntrack: tcp_closing_s: must be 1..2592000, got 0"},
        Case{"UdpTimeoutZero", [](Config& c) { c.conntrack.udp_s = 0; },
             StatusCode::kInvalidArgument, "conntrack: udp_s: must be 1..2592000, got 0"},
        Case{"RangeReversed",
             [](Config& c) {
               c.node_port_min = 32767;
               c.node_port_max = 30000;
             },
             StatusCode::kInvalidArgument,
             "node_port_range: 32767-30000: MIN is greater than MAX"},
        Case{"RangeFromZero", [](Config& c) { c.node_port_min = 0; },
             StatusCode::kInvalidArgument, "node_port_range: 0-32767: ports must be 1..65535"},
        Case{"RangeBeyondPorts", [](Config& c) { c.node_port_max = 65536; },
             StatusCode::kInvalidArgument,
             "node_port_range: 30000-65536: ports must be 1..65535"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateConfigTest, AcceptsTheServicesBase) {
  const Status st = validate_config(services_base());
  EXPECT_TRUE(st.is_ok()) << st.message();
}

TEST(ValidateConfigTest, ServicesAcceptTheirLimitsAndOptions) {
  Config c = services_base();
  // The same VIP, port and node port with the other protocol.
  dns(c).port = 80;
  dns(c).node_port = 30080;
  web(c).affinity_timeout_s.reset();  // client_ip with the default timeout.
  web(c).backends.clear();            // No backends: new flows are refused, not an error.
  web(c).name = std::string(63, 'a');
  dns(c).name = "0";
  c.node_port_min = 30080;
  c.node_port_max = 30080;
  c.conntrack.max_flows = 1u << 24;
  c.conntrack.tcp_syn_s = 1;
  c.conntrack.tcp_established_s = 2592000;
  Status st = validate_config(c);
  EXPECT_TRUE(st.is_ok()) << st.message();
  dns(c).backends.clear();
  for (uint32_t i = 0; i < 1000; ++i) dns(c).backends.push_back({0x0af50000 + i + 1, 53, 1000, {}});
  st = validate_config(c);
  EXPECT_TRUE(st.is_ok()) << st.message();
}

TEST(ValidateConfigTest, ServiceVipIsNotTheVtepAddress) {
  // validate_l3 makes the VTEP address an interface's; validate_services says which rule
  // broke when called alone.
  Config c;
  c.vxlan.local_ip = 0x0a000001;
  ServiceConfig s;
  s.name = "web";
  s.vip = c.vxlan.local_ip;
  s.port = 80;
  c.services = {s};
  const Status st = validate_services(c);
  EXPECT_EQ(st.message(), "service 'web': vip: 10.0.0.1 is our VTEP address (vxlan.local_ip)");
}

TEST(ValidateConfigTest, ServiceErrorsPointAtTheValue) {
  Config c = services_base();
  web(c).mark = {10, 5};
  web(c).vip_mark = {11, 10};
  web(c).node_port_mark = {13, 16};
  web(c).backends[1].mark = {16, 9};
  c.node_port_range_mark = {3, 18};
  const auto where_of = [](const Config& config) {
    SourceMark where;
    EXPECT_FALSE(validate_services(config, &where).is_ok());
    return std::make_pair(where.line, where.column);
  };
  Config bad = c;
  web(bad).vip = 0x0a010001;
  EXPECT_EQ(where_of(bad), std::make_pair(11, 10));
  bad = c;
  web(bad).node_port = 80;
  EXPECT_EQ(where_of(bad), std::make_pair(13, 16));
  bad = c;
  web(bad).backends[1].ip = 0;
  EXPECT_EQ(where_of(bad), std::make_pair(16, 9));
  bad = c;
  web(bad).port = 0;
  EXPECT_EQ(where_of(bad), std::make_pair(10, 5));
  bad = c;
  bad.node_port_min = 40000;
  EXPECT_EQ(where_of(bad), std::make_pair(3, 18));
  // Without value marks (a service from the API): the entry's.
  bad = c;
  web(bad).vip_mark = {};
  web(bad).vip = 0;
  EXPECT_EQ(where_of(bad), std::make_pair(10, 5));
}

TEST(ValidateConfigTest, AcceptsTheL3Base) {
  const Status st = validate_config(l3_base());
  EXPECT_TRUE(st.is_ok()) << st.message();
}

TEST(ValidateConfigTest, L3ErrorsPointAtTheEntry) {
  Config c = l3_base();
  c.routes[1].mark = {7, 3};
  c.routes[1].next_hops[1].mark = {8, 9};
  c.routes[1].next_hops[1].via = 0xc0000201;
  SourceMark where;
  EXPECT_FALSE(validate_l3(c, &where).is_ok());
  EXPECT_EQ(where.line, 8);
  EXPECT_EQ(where.column, 9);
  c = l3_base();
  c.interfaces[1].mark = {4, 5};
  c.interfaces[1].ip = 0x0a000081;
  EXPECT_FALSE(validate_l3(c, &where).is_ok());
  EXPECT_EQ(where.line, 4);
  EXPECT_EQ(where.column, 5);
}

}  // namespace
}  // namespace np::control
