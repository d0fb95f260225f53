// The saved state reads back, through the config loader, as the state that was saved.
#include "np/control/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "np/control/config_loader.h"

namespace np::control {
namespace {

// Ring ports "up" (to be routed) and "pod" (in bridge domain 7).
Config routed_and_bridged_ports() {
  Config c;
  PortConfig routed;
  routed.name = "up";
  routed.type = PortType::kRing;
  PortConfig member = routed;
  member.name = "pod";
  c.ports = {routed, member};
  BridgeDomainConfig domain;
  domain.id = 7;
  domain.ports = {"pod"};
  c.bridge_domains = {domain};
  return c;
}

// Interface "wan" on port "up"; the caller sets its address.
InterfaceConfig interface_on_up() {
  InterfaceConfig wan;
  wan.name = "wan";
  wan.port = "up";
  return wan;
}

TEST(StateFileTest, RoundTripsThroughTheLoader) {
  Config c;
  ASSERT_TRUE(
      load_config_file(std::string(NP_SOURCE_DIR) + "/control/examples/reference.yaml", c).is_ok());
  Config back;
  const Status st = load_config_text(to_yaml(c), "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message() << "\n" << to_yaml(c);
  EXPECT_EQ(to_yaml(back), to_yaml(c));
  ASSERT_EQ(back.ports.size(), c.ports.size());
  for (size_t i = 0; i < c.ports.size(); ++i) {
    EXPECT_EQ(back.ports[i].name, c.ports[i].name);
    EXPECT_EQ(back.ports[i].type, c.ports[i].type);
    EXPECT_EQ(back.ports[i].mac, c.ports[i].mac);
    EXPECT_EQ(back.ports[i].mtu, c.ports[i].mtu);
  }
  ASSERT_EQ(back.bridge_domains.size(), c.bridge_domains.size());
  EXPECT_EQ(back.bridge_domains[0].static_macs.size(), c.bridge_domains[0].static_macs.size());
  EXPECT_EQ(back.dpdk.workers, c.dpdk.workers);
  EXPECT_EQ(back.interfaces.size(), c.interfaces.size());
  EXPECT_EQ(back.routes.size(), c.routes.size());
  EXPECT_EQ(back.neighbors.size(), c.neighbors.size());
  EXPECT_EQ(back.vxlan.local_ip, c.vxlan.local_ip);
  EXPECT_EQ(back.vxlan.tunnels.size(), c.vxlan.tunnels.size());
  EXPECT_EQ(back.vxlan.static_macs.size(), c.vxlan.static_macs.size());
  EXPECT_EQ(back.services.size(), c.services.size());
  EXPECT_FALSE(c.services.empty()) << "reference.yaml shows services";
  EXPECT_EQ(back.conntrack.max_flows, c.conntrack.max_flows);
}

TEST(StateFileTest, RoundTripsInterfacesRoutesAndNeighbors) {
  Config c = routed_and_bridged_ports();
  InterfaceConfig wan = interface_on_up();
  wan.ip = 0xc0a83202;  // 192.168.50.2/24
  wan.prefix_len = 24;
  InterfaceConfig gw;
  gw.name = "gw";
  gw.bridge_domain = 7;
  gw.ip = 0x0af40101;  // 10.244.1.1/24
  gw.prefix_len = 24;
  gw.mac = MacAddress{0x02, 0, 0, 0, 1, 1};
  c.interfaces = {wan, gw};
  RouteConfig def;
  def.next_hops = {{0xc0a83201, "", {}}};
  RouteConfig ecmp;
  ecmp.prefix = 0x0a000000;
  ecmp.prefix_len = 8;
  ecmp.next_hops = {{0xc0a8320b, "", {}}, {0xc0a8320c, "", {}}};
  RouteConfig onlink;
  onlink.prefix = 0xac100000;
  onlink.prefix_len = 24;
  onlink.next_hops = {{0, "wan", {}}};
  c.routes = {def, ecmp, onlink};
  c.neighbors = {{0xc0a83201, MacAddress{0x02, 0, 0, 0, 0x50, 1}, "wan", {}}};

  const std::string yaml = to_yaml(c);
  Config back;
  const Status st = load_config_text(yaml, "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message() << "\n" << yaml;
  EXPECT_EQ(to_yaml(back), yaml);
  ASSERT_EQ(back.interfaces.size(), 2u);
  EXPECT_EQ(back.interfaces[0].port, "up");
  EXPECT_EQ(back.interfaces[0].ip, wan.ip);
  EXPECT_EQ(back.interfaces[0].prefix_len, 24);
  EXPECT_FALSE(back.interfaces[0].mac.has_value());
  EXPECT_EQ(back.interfaces[1].bridge_domain, 7u);
  EXPECT_EQ(back.interfaces[1].mac, gw.mac);
  ASSERT_EQ(back.routes.size(), 3u);
  for (size_t r = 0; r < c.routes.size(); ++r) {
    EXPECT_EQ(back.routes[r].prefix, c.routes[r].prefix);
    EXPECT_EQ(back.routes[r].prefix_len, c.routes[r].prefix_len);
    ASSERT_EQ(back.routes[r].next_hops.size(), c.routes[r].next_hops.size());
    for (size_t h = 0; h < c.routes[r].next_hops.size(); ++h) {
      EXPECT_EQ(back.routes[r].next_hops[h].via, c.routes[r].next_hops[h].via);
      EXPECT_EQ(back.routes[r].next_hops[h].interface, c.routes[r].next_hops[h].interface);
    }
  }
  ASSERT_EQ(back.neighbors.size(), 1u);
  EXPECT_EQ(back.neighbors[0].ip, c.neighbors[0].ip);
  EXPECT_EQ(back.neighbors[0].mac, c.neighbors[0].mac);
  EXPECT_EQ(back.neighbors[0].interface, "wan");
}

TEST(StateFileTest, RoundTripsVxlan) {
  Config c = routed_and_bridged_ports();
  InterfaceConfig wan = interface_on_up();
  wan.ip = 0xc0a80a0a;  // 192.168.10.10/24
  wan.prefix_len = 24;
  c.interfaces = {wan};
  c.vxlan.local_ip = wan.ip;
  c.vxlan.port = 8472;
  c.vxlan.mac = MacAddress{0x02, 0, 0, 0, 0x0b, 0x0a};
  VxlanTunnelConfig l2;
  l2.vni = 4096;
  l2.bridge_domain = 7;
  l2.remotes = {0xc0a80a14, 0xc0a80a15};
  c.vxlan.tunnels = {l2};
  c.vxlan.static_macs = {{4096, MacAddress{0x02, 0, 0, 0, 0x0a, 0x15}, 0xc0a80a15, {}}};
  RouteConfig pods;
  pods.prefix = 0x0af40200;  // 10.244.2.0/24
  pods.prefix_len = 24;
  NextHopConfig hop;
  hop.vxlan = VxlanNextHopConfig{0xc0a80a14, 1, MacAddress{0x02, 0, 0, 0, 0x0b, 0x14}};
  pods.next_hops = {hop};
  c.routes = {pods};

  const std::string yaml = to_yaml(c);
  Config back;
  const Status st = load_config_text(yaml, "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message() << "\n" << yaml;
  EXPECT_EQ(to_yaml(back), yaml);
  EXPECT_EQ(back.vxlan.local_ip, c.vxlan.local_ip);
  EXPECT_EQ(back.vxlan.port, 8472u);
  EXPECT_EQ(back.vxlan.mac, c.vxlan.mac);
  ASSERT_EQ(back.vxlan.tunnels.size(), 1u);
  EXPECT_EQ(back.vxlan.tunnels[0].vni, 4096u);
  EXPECT_EQ(back.vxlan.tunnels[0].bridge_domain, 7u);
  EXPECT_EQ(back.vxlan.tunnels[0].remotes, l2.remotes);
  ASSERT_EQ(back.vxlan.static_macs.size(), 1u);
  EXPECT_EQ(back.vxlan.static_macs[0].vni, 4096u);
  EXPECT_EQ(back.vxlan.static_macs[0].mac, c.vxlan.static_macs[0].mac);
  EXPECT_EQ(back.vxlan.static_macs[0].remote, 0xc0a80a15u);
  ASSERT_EQ(back.routes.size(), 1u);
  ASSERT_EQ(back.routes[0].next_hops.size(), 1u);
  EXPECT_EQ(back.routes[0].next_hops[0].vxlan, hop.vxlan);
  EXPECT_EQ(back.routes[0].next_hops[0].via, 0u);
  EXPECT_TRUE(back.routes[0].next_hops[0].interface.empty());
}

TEST(StateFileTest, RoundTripsServicesConntrackAndNodePortRange) {
  Config c = routed_and_bridged_ports();
  c.conntrack.max_flows = 4096;
  c.conntrack.tcp_syn_s = 7;
  c.conntrack.tcp_established_s = 600;
  c.conntrack.tcp_closing_s = 3;
  c.conntrack.udp_s = 45;
  c.node_port_min = 31000;
  c.node_port_max = 31999;
  ServiceConfig web;
  web.name = "web";
  web.vip = 0x0a60000a;  // 10.96.0.10
  web.port = 80;
  web.node_port = 31080;
  web.affinity = ServiceAffinity::kClientIp;
  web.affinity_timeout_s = 600;
  web.backends = {{0x0af40105, 8080, 1, {}}, {0x0af40106, 8081, 1000, {}}};
  ServiceConfig dns;
  dns.name = "dns";
  dns.vip = 0x0a60000a;
  dns.port = 53;
  dns.protocol = ServiceProtocol::kUdp;
  dns.backends = {{0x0af40107, 53, 2, {}}};
  ServiceConfig empty;  // No backends, client IP affinity with the default timeout.
  empty.name = "empty";
  empty.vip = 0x0a60000b;
  empty.port = 443;
  empty.affinity = ServiceAffinity::kClientIp;
  c.services = {web, dns, empty};

  const std::string yaml = to_yaml(c);
  Config back;
  const Status st = load_config_text(yaml, "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message() << "\n" << yaml;
  EXPECT_EQ(to_yaml(back), yaml);
  EXPECT_EQ(back.conntrack.max_flows, 4096u);
  EXPECT_EQ(back.conntrack.tcp_syn_s, 7u);
  EXPECT_EQ(back.conntrack.tcp_established_s, 600u);
  EXPECT_EQ(back.conntrack.tcp_closing_s, 3u);
  EXPECT_EQ(back.conntrack.udp_s, 45u);
  EXPECT_EQ(back.node_port_min, 31000u);
  EXPECT_EQ(back.node_port_max, 31999u);
  ASSERT_EQ(back.services.size(), 3u);
  for (size_t i = 0; i < c.services.size(); ++i) {
    const ServiceConfig &a = c.services[i], &b = back.services[i];
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.vip, a.vip);
    EXPECT_EQ(b.port, a.port);
    EXPECT_EQ(b.protocol, a.protocol);
    EXPECT_EQ(b.node_port, a.node_port);
    EXPECT_EQ(b.affinity, a.affinity);
    EXPECT_EQ(b.affinity_timeout_s, a.affinity_timeout_s);
    ASSERT_EQ(b.backends.size(), a.backends.size()) << a.name;
    for (size_t k = 0; k < a.backends.size(); ++k) {
      EXPECT_EQ(b.backends[k].ip, a.backends[k].ip);
      EXPECT_EQ(b.backends[k].port, a.backends[k].port);
      EXPECT_EQ(b.backends[k].weight, a.backends[k].weight);
    }
  }
}

TEST(StateFileTest, RoundTripsPortSecurityAndAttachment) {
  Config c = routed_and_bridged_ports();
  PortConfig pod = c.ports[1];
  pod.security =
      PortSecurityConfig{MacAddress{0x02, 0, 0, 0, 0x0a, 0x01}, {0x0af4010a, 0x0af4010b}};
  pod.attachment = PortAttachmentConfig{"pods", "3f2a9c0d41b7", "net1"};
  PortConfig partial;  // An attachment with a field left empty.
  partial.name = "pod2";
  partial.type = PortType::kRing;
  partial.attachment = PortAttachmentConfig{"pods", "", "eth1"};
  c.ports[1] = pod;
  c.ports.push_back(partial);

  const std::string yaml = to_yaml(c);
  EXPECT_NE(yaml.find("security: {mac: 02:00:00:00:0a:01, ips: [10.244.1.10, 10.244.1.11]}"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("attachment: {network: pods, container_id: 3f2a9c0d41b7, ifname: net1}"),
            std::string::npos)
      << yaml;
  Config back;
  const Status st = load_config_text(yaml, "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message() << "\n" << yaml;
  EXPECT_EQ(to_yaml(back), yaml);
  ASSERT_EQ(back.ports.size(), 3u);
  EXPECT_FALSE(back.ports[0].security.has_value());
  EXPECT_FALSE(back.ports[0].attachment.has_value());
  EXPECT_EQ(back.ports[1].security, pod.security);
  EXPECT_EQ(back.ports[1].attachment, pod.attachment);
  EXPECT_FALSE(back.ports[2].security.has_value());
  EXPECT_EQ(back.ports[2].attachment, partial.attachment);
}

// A state file written before ports had security or an attachment still loads.
TEST(StateFileTest, OldStateFileWithoutSecurityOrAttachmentLoads) {
  const std::string old_state =
      "dpdk: {lcores: [0, 1], workers: [1]}\n"
      "ports:\n"
      "  - name: pod1\n"
      "    type: vhost-user\n"
      "    socket: /run/nodeplane/pods/pod1.sock\n"
      "    queues: 1\n"
      "bridge_domains:\n"
      "  - {id: 7, ports: [pod1], learning: true, aging_s: 300, flood: true, max_macs: 0}\n";
  Config back;
  const Status st = load_config_text(old_state, "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message();
  ASSERT_EQ(back.ports.size(), 1u);
  EXPECT_FALSE(back.ports[0].security.has_value());
  EXPECT_FALSE(back.ports[0].attachment.has_value());
  EXPECT_EQ(to_yaml(back).find("security"), std::string::npos);
  EXPECT_EQ(to_yaml(back).find("attachment"), std::string::npos);
}

TEST(StateFileTest, DefaultsWriteConntrackAndRangeButNoServices) {
  Config back;
  const Status st = load_config_text(to_yaml(Config{}), "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(back.conntrack.max_flows, ConntrackConfig{}.max_flows);
  EXPECT_EQ(back.node_port_min, kDefaultNodePortMin);
  EXPECT_EQ(back.node_port_max, kDefaultNodePortMax);
  EXPECT_EQ(to_yaml(Config{}).find("services"), std::string::npos);
}

TEST(StateFileTest, VxlanOffWritesNoSection) {
  Config c;
  EXPECT_EQ(to_yaml(c).find("vxlan"), std::string::npos);
}

TEST(StateFileTest, SaveReplacesTheFileWholeAndPrivately) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("np-state-" + std::to_string(getpid()));
  Config c;
  c.state_dir = dir;
  ASSERT_TRUE(save_state(c).is_ok());
  c.node_name = "second";
  ASSERT_TRUE(save_state(c).is_ok());
  Config back;
  ASSERT_TRUE(load_config_file(state_file_path(dir), back).is_ok());
  EXPECT_EQ(back.node_name, "second");
  EXPECT_FALSE(std::filesystem::exists(state_file_path(dir) + ".tmp"));
  EXPECT_EQ(
      std::filesystem::status(state_file_path(dir)).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

TEST(StateFileTest, UnwritableDirectoryIsAnError) {
  Config c;
  c.state_dir = "/proc/np-no-such-dir";
  const Status st = save_state(c);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("/proc/np-no-such-dir"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace np::control
