// validate_config on desired states as the API builds them: each bad value, reference or
// duplicate is refused with its code and a message naming the resource and field.
#include "np/control/config_validate.h"

#include <gtest/gtest.h>

#include <functional>

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
