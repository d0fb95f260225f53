// The Controller against a real Dataplane (no workers, null ports): a commit that changes
// ports, bridge domains, interfaces and VXLAN together reaches the data plane in an order it
// accepts; a change refused by validation or by the data plane leaves the state, the state
// file and the data plane as they were.
#include "np/control/controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "np/control/apply.h"
#include "np/control/config_rules.h"
#include "np/control/mac_address.h"
#include "np/control/state_file.h"
#include "testlib/eal_env.h"
#include "testlib/temp_dir.h"

namespace np::control {
namespace {

using Strings = std::vector<std::string>;

uint32_t ip(const char* text) {
  uint32_t addr = 0;
  EXPECT_TRUE(parse_ipv4(text, addr)) << text;
  return addr;
}

MacAddress mac(const char* text) {
  MacAddress m{};
  EXPECT_TRUE(parse_mac(text, m)) << text;
  return m;
}

constexpr uint32_t kPodDomain = 7;
constexpr uint32_t kL2Vni = 4096;
constexpr uint32_t kL3Vni = 1;
constexpr const char* kVtepIp = "192.168.10.10";  // Ours, on interface "wan" (port "up").
constexpr const char* kRemoteVtep = "192.168.10.20";
constexpr const char* kOtherVtep = "192.168.10.21";
constexpr const char* kRemotePod = "02:00:00:00:0a:21";  // Behind kOtherVtep in kL2Vni.
constexpr const char* kFlannelPeerMac = "02:00:00:00:0b:20";
constexpr const char* kMissingIface = "np-absent0";   // A valid name no interface has.
constexpr const char* kPodMac = "02:00:00:00:0a:01";  // A pod's own MAC (port security).

// A null device: it opens anywhere and, unlike net_ring (which leaves 15 of its 16 rings'
// memzones behind on close), gives back all it took.
PortConfig null_port(const std::string& name) {
  PortConfig p;
  p.name = name;
  p.type = PortType::kNull;
  return p;
}

BridgeDomainConfig bridge_domain(uint32_t id, Strings ports) {
  BridgeDomainConfig d;
  d.id = id;
  d.ports = std::move(ports);
  return d;
}

// Ports pod0 and pod1 in bridge domain 7; nothing routed, no VXLAN.
Config plain_l2(const std::string& state_dir) {
  Config c;
  c.state_dir = state_dir;
  c.ports = {null_port("pod0"), null_port("pod1")};
  c.bridge_domains = {bridge_domain(kPodDomain, {"pod0", "pod1"})};
  return c;
}

// The uplink: port "up", interface "wan" 192.168.10.10/24 on it, our VTEP on that address.
void add_vtep(Config& c) {
  c.ports.push_back(null_port("up"));
  InterfaceConfig wan;
  wan.name = "wan";
  wan.port = "up";
  wan.ip = ip(kVtepIp);
  wan.prefix_len = 24;
  c.interfaces.push_back(wan);
  c.vxlan.local_ip = wan.ip;
}

void add_l2_vni(Config& c, uint32_t vni, uint32_t domain, std::vector<uint32_t> remotes) {
  VxlanTunnelConfig t;
  t.vni = vni;
  t.bridge_domain = domain;
  t.remotes = std::move(remotes);
  c.vxlan.tunnels.push_back(t);
}

void add_remote_mac(Config& c, uint32_t vni, const char* address, const char* remote) {
  VxlanStaticMacConfig m;
  m.vni = vni;
  m.mac = mac(address);
  m.remote = ip(remote);
  c.vxlan.static_macs.push_back(m);
}

// A flannel-style route: `prefix`/24 into L3 VNI 1 to `remote`.
void add_flannel_route(Config& c, const char* prefix, const char* remote) {
  RouteConfig r;
  r.prefix = ip(prefix);
  r.prefix_len = 24;
  NextHopConfig hop;
  hop.vxlan = VxlanNextHopConfig{ip(remote), kL3Vni, mac(kFlannelPeerMac)};
  r.next_hops = {hop};
  c.routes.push_back(r);
}

// plain_l2 in a VXLAN overlay: the uplink and VTEP, L2 VNI 4096 extending domain 7 to
// 192.168.10.20, pod MAC 02:00:00:00:0a:21 pinned behind 192.168.10.21, and 10.244.2.0/24
// routed into L3 VNI 1 to 192.168.10.20.
Config overlay(const std::string& state_dir) {
  Config c = plain_l2(state_dir);
  add_vtep(c);
  add_l2_vni(c, kL2Vni, kPodDomain, {ip(kRemoteVtep)});
  add_remote_mac(c, kL2Vni, kRemotePod, kOtherVtep);
  add_flannel_route(c, "10.244.2.0", kRemoteVtep);
  return c;
}

BackendConfig backend(const char* address, uint32_t port, uint32_t weight = 1) {
  BackendConfig b;
  b.ip = ip(address);
  b.port = port;
  b.weight = weight;
  return b;
}

// Service "web": 10.96.0.10:80/tcp, node port 30080, over two pods (the second weighted 2).
ServiceConfig web_service() {
  ServiceConfig s;
  s.name = "web";
  s.vip = ip("10.96.0.10");
  s.port = 80;
  s.node_port = 30080;
  s.backends = {backend("10.244.1.5", 8080), backend("10.244.1.6", 8080, 2)};
  return s;
}

// overlay() with service "web".
Config overlay_with_web(const std::string& state_dir) {
  Config c = overlay(state_dir);
  c.services = {web_service()};
  return c;
}

PortConfig* find_port(Config& c, const std::string& name) {
  for (PortConfig& p : c.ports)
    if (p.name == name) return &p;
  return nullptr;
}
const PortConfig* find_port(const Config& c, const std::string& name) {
  for (const PortConfig& p : c.ports)
    if (p.name == name) return &p;
  return nullptr;
}

std::string join(const Strings& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Strings sorted(Strings items) {
  std::sort(items.begin(), items.end());
  return items;
}

}  // namespace

// A data plane built by apply_config and a Controller over it; the state directory is a
// fresh temporary one, removed after each test (after the controller and the data plane).
class ControllerTest : public ::testing::Test {
 protected:
  void start(const Config& config) {
    testlib::ensure_eal();
    dp::DataplaneOptions options;
    options.mbuf_count = 4095;
    options.mac_table_capacity = 1024;
    options.conntrack_max_flows = 4096;
    dataplane_ = std::make_unique<dp::Dataplane>(options);
    const Status st = apply_config(config, *dataplane_);
    ASSERT_TRUE(st.is_ok()) << st.message();
    controller_ = std::make_unique<Controller>(*dataplane_, config);
  }

  // Controller::commit (a friend of this fixture): most orderings only show when one commit
  // changes many things, and each public operation changes one.
  Status commit(Config desired) { return controller_->commit(std::move(desired)); }
  const Config& state() const { return controller_->state(); }

  // The state file's text; empty while there is none (nothing committed yet).
  std::string saved_state() const {
    std::ifstream in(state_file_path(state_dir_));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // What the data plane holds, as it lists it.
  Strings ports() const {
    Strings out;
    for (const dp::PortStats& p : dataplane_->stats().ports) out.push_back(p.name);
    return sorted(out);
  }
  Strings domains() const {
    Strings out;
    for (const dp::DomainStats& d : dataplane_->stats().domains)
      out.push_back(std::to_string(d.id));
    return sorted(out);
  }
  Strings interfaces() const {
    Strings out;
    for (const dp::InterfaceRow& i : dataplane_->list_interfaces())
      out.push_back(
          i.name + " on " +
          (i.port.empty() ? "domain " + std::to_string(i.bridge_domain) : "port " + i.port) + " " +
          format_prefix(i.ip, i.prefix_len));
    return sorted(out);
  }
  // The VNIs, "4096 on domain 7" (L2) or "1 routed" (L3). The data plane adds a VNI 0 row
  // (drops before a VNI is known) exactly while VXLAN is on: that is vxlan_on().
  Strings vnis() const {
    Strings out;
    for (const dp::VxlanVniStats& v : dataplane_->stats().vxlan.vnis)
      if (v.vni != 0)
        out.push_back(std::to_string(v.vni) + (v.bridge_domain
                                                   ? " on domain " + std::to_string(v.bridge_domain)
                                                   : std::string(" routed")));
    return sorted(out);
  }
  bool vxlan_on() const {
    const std::vector<dp::VxlanVniStats> rows = dataplane_->stats().vxlan.vnis;
    return std::any_of(rows.begin(), rows.end(),
                       [](const dp::VxlanVniStats& v) { return v.vni == 0; });
  }
  // The MAC table: "02:..:21 in domain 7 behind 192.168.10.21 (static)" or "... on port p".
  Strings macs() const {
    Strings out;
    for (const dp::MacRow& row : dataplane_->list_macs()) {
      MacAddress m;
      std::copy(std::begin(row.mac.addr_bytes), std::end(row.mac.addr_bytes), m.begin());
      out.push_back(
          format_mac(m) + " in domain " + std::to_string(row.domain_id) +
          (row.remote_vtep ? " behind " + format_ipv4(row.remote_vtep) : " on port " + row.port) +
          (row.is_static ? " (static)" : ""));
    }
    return sorted(out);
  }
  uint32_t routes() const { return dataplane_->stats().l3.routes; }
  // The services the data plane reports: "web: 10.244.1.5:8080*1 10.244.1.6:8080*2".
  Strings services() const {
    Strings out;
    for (const dp::ServiceStats& svc : dataplane_->stats().services.services) {
      std::string row = svc.name + ":";
      for (const dp::BackendStats& b : svc.backends)
        row += " " + format_ipv4(b.backend.ip) + ":" + std::to_string(b.backend.port) + "*" +
               std::to_string(b.backend.weight);
      out.push_back(row);
    }
    return sorted(out);
  }
  // The data plane's ports in bridge domains: "pod0 in 7".
  Strings members() const {
    Strings out;
    for (const dp::PortStats& p : dataplane_->stats().ports)
      if (p.bridge_domain != 0) out.push_back(p.name + " in " + std::to_string(p.bridge_domain));
    return sorted(out);
  }
  // The anti-spoofing rules the workers hold: "pod0: 02:00:00:00:0a:01 10.0.0.5,10.0.0.6".
  Strings securities() const {
    Strings out;
    for (const dp::PortStats& p : dataplane_->stats().ports) {
      const std::optional<dp::PortSecuritySpec> rules = dataplane_->port_security(p.name);
      if (!rules) continue;
      MacAddress m;
      std::copy(std::begin(rules->mac.addr_bytes), std::end(rules->mac.addr_bytes), m.begin());
      Strings ips;
      for (uint32_t a : rules->ips) ips.push_back(format_ipv4(a));
      std::string row = p.name + ": " + format_mac(m) + " ";
      for (size_t k = 0; k < ips.size(); ++k) row += (k ? "," : "") + ips[k];
      out.push_back(row);
    }
    return sorted(out);
  }
  // The DPDK device of port `name` (a new one each time the port is opened), or "".
  std::string device_of(const std::string& name) const {
    for (const dp::PortStats& p : dataplane_->stats().ports)
      if (p.name == name) return p.device;
    return "";
  }
  // All of the above in one text, to compare before and after.
  std::string listing() const {
    return "ports: " + join(ports()) + "\nmembers: " + join(members()) +
           "\nsecurity: " + join(securities()) + "\ndomains: " + join(domains()) +
           "\ninterfaces: " + join(interfaces()) + "\nvxlan: " + (vxlan_on() ? "on" : "off") +
           "\nvnis: " + join(vnis()) + "\nmacs: " + join(macs()) +
           "\nroutes: " + std::to_string(routes()) + "\nservices: " + join(services()) + "\n";
  }

  // The data plane holds overlay().
  void expect_overlay_held() const {
    EXPECT_EQ(ports(), (Strings{"pod0", "pod1", "up"}));
    EXPECT_EQ(domains(), Strings{"7"});
    EXPECT_EQ(interfaces(), Strings{"wan on port up 192.168.10.10/24"});
    EXPECT_TRUE(vxlan_on());
    EXPECT_EQ(vnis(), (Strings{"1 routed", "4096 on domain 7"}));
    EXPECT_EQ(macs(), Strings{"02:00:00:00:0a:21 in domain 7 behind 192.168.10.21 (static)"});
    EXPECT_EQ(routes(), 1u);
  }

  // The state file reads back as the controller's state (to_yaml covers every field but the
  // source marks).
  void expect_state_saved() const { EXPECT_EQ(saved_state(), to_yaml(state())); }

  // Runs `change`, which must fail; the state, the state file and the data plane are then
  // as they were. Returns what `change` returned.
  Status expect_nothing_changed_by(const std::function<Status()>& change) {
    const std::string state_before = to_yaml(state());
    const std::string saved_before = saved_state();
    const std::string held_before = listing();
    const Status st = change();
    EXPECT_FALSE(st.is_ok());
    EXPECT_EQ(to_yaml(state()), state_before);
    EXPECT_EQ(saved_state(), saved_before);
    EXPECT_EQ(listing(), held_before);
    return st;
  }
  // The same, refused with `code` and `message`.
  void expect_refused(const std::function<Status()>& change, StatusCode code,
                      const std::string& message) {
    const Status st = expect_nothing_changed_by(change);
    EXPECT_EQ(st.code(), code) << st.message();
    EXPECT_EQ(st.message(), message);
  }

  testlib::TempDir state_{"np-controller"};
  const std::string state_dir_ = state_.path();
  std::unique_ptr<dp::Dataplane> dataplane_;
  std::unique_ptr<Controller> controller_;
};

namespace {

// Starts from plain_l2().
class ControllerFromPlainL2Test : public ControllerTest {
 protected:
  void SetUp() override {
    ControllerTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(start(plain_l2(state_dir_)));
  }
};

// Starts from overlay().
class ControllerInOverlayTest : public ControllerTest {
 protected:
  void SetUp() override {
    ControllerTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(start(overlay(state_dir_)));
    expect_overlay_held();
  }
};

// The interface, VTEP, tunnel, remote MAC and route all need the new port: they reach the
// data plane after it.
TEST_F(ControllerFromPlainL2Test, OneCommitAddsUplinkVtepTunnelRemoteMacAndFlannelRoute) {
  const Status st = commit(overlay(state_dir_));
  ASSERT_TRUE(st.is_ok()) << st.message();
  expect_overlay_held();
  EXPECT_EQ(to_yaml(state()), to_yaml(overlay(state_dir_)));
  expect_state_saved();
}

// The same, one public operation (one commit) at a time, in the order an API client would.
TEST_F(ControllerFromPlainL2Test, PublicOperationsBuildTheOverlayOneAtATime) {
  Config target = overlay(state_dir_);
  ASSERT_TRUE(controller_->add_port(*find_port(target, "up")).is_ok());
  ASSERT_TRUE(controller_->add_interface(target.interfaces[0]).is_ok());
  ASSERT_TRUE(controller_->set_vxlan(target.vxlan).is_ok());
  ASSERT_TRUE(controller_->add_vxlan_tunnel(target.vxlan.tunnels[0]).is_ok());
  ASSERT_TRUE(controller_->add_vxlan_static_mac(target.vxlan.static_macs[0]).is_ok());
  const Status st = controller_->add_route(target.routes[0]);
  ASSERT_TRUE(st.is_ok()) << st.message();
  expect_overlay_held();
  EXPECT_EQ(to_yaml(state()), to_yaml(target));
  expect_state_saved();
}

// VXLAN goes before the port under its VTEP interface is closed.
TEST_F(ControllerInOverlayTest, OneCommitRemovesAllOfVxlanBackToPlainL2) {
  const Status st = commit(plain_l2(state_dir_));
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(ports(), (Strings{"pod0", "pod1"}));
  EXPECT_EQ(domains(), Strings{"7"});
  EXPECT_TRUE(interfaces().empty()) << join(interfaces());
  EXPECT_FALSE(vxlan_on());
  EXPECT_TRUE(vnis().empty()) << join(vnis());
  EXPECT_TRUE(macs().empty()) << join(macs());
  EXPECT_EQ(dataplane_->stats().vxlan.remote_macs, 0u);
  EXPECT_EQ(routes(), 0u);
  EXPECT_EQ(to_yaml(state()), to_yaml(plain_l2(state_dir_)));
  expect_state_saved();
}

// The tunnel's domain does not exist before the commit: it comes after the domain.
TEST_F(ControllerInOverlayTest, NewBridgeDomainAndItsTunnelInOneCommit) {
  Config desired = overlay(state_dir_);
  desired.ports.push_back(null_port("pod2"));
  desired.bridge_domains.push_back(bridge_domain(8, {"pod2"}));
  add_l2_vni(desired, 5000, 8, {ip(kRemoteVtep), ip(kOtherVtep)});
  add_remote_mac(desired, 5000, "02:00:00:00:0c:21", kOtherVtep);
  const Status st = commit(desired);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(domains(), (Strings{"7", "8"}));
  EXPECT_EQ(vnis(), (Strings{"1 routed", "4096 on domain 7", "5000 on domain 8"}));
  EXPECT_EQ(macs(), (Strings{"02:00:00:00:0a:21 in domain 7 behind 192.168.10.21 (static)",
                             "02:00:00:00:0c:21 in domain 8 behind 192.168.10.21 (static)"}));
  EXPECT_EQ(to_yaml(state()), to_yaml(desired));
  expect_state_saved();
}

// Also from plain L2: the VTEP, the new domain and its tunnel in one commit.
TEST_F(ControllerFromPlainL2Test, NewBridgeDomainAndItsTunnelWithTheVtepInOneCommit) {
  Config desired = plain_l2(state_dir_);
  add_vtep(desired);
  desired.ports.push_back(null_port("pod2"));
  desired.bridge_domains.push_back(bridge_domain(8, {"pod2"}));
  add_l2_vni(desired, 5000, 8, {ip(kRemoteVtep)});
  const Status st = commit(desired);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(domains(), (Strings{"7", "8"}));
  EXPECT_TRUE(vxlan_on());
  EXPECT_EQ(vnis(), Strings{"5000 on domain 8"});
  expect_state_saved();
}

// add_port with new settings for the port under the VTEP: the port is closed and reopened
// (its interface, and with it VXLAN, come off and back on around that).
TEST_F(ControllerInOverlayTest, ReopeningTheVtepUplinkWithNewSettingsKeepsVxlan) {
  auto device_of_up = [&] {
    for (const dp::PortStats& p : dataplane_->stats().ports)
      if (p.name == "up") return p.device;
    return std::string();
  };
  const std::string device_before = device_of_up();
  PortConfig up = null_port("up");
  up.queues = 2;
  const Status st = controller_->add_port(up);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_NE(device_of_up(), device_before) << "the port was not reopened";
  expect_overlay_held();
  Config expected = overlay(state_dir_);
  find_port(expected, "up")->queues = 2;
  EXPECT_EQ(to_yaml(state()), to_yaml(expected));
  expect_state_saved();
}

TEST_F(ControllerInOverlayTest, DeletingTheDomainOfATunnelIsRefusedNamingTheVni) {
  bool deleted = true;
  expect_refused([&] { return controller_->delete_bridge_domain(kPodDomain, deleted); },
                 StatusCode::kFailedPrecondition,
                 "bridge domain 7: VXLAN VNI 4096 extends it (delete the tunnel first)");
  EXPECT_FALSE(deleted);
}

TEST_F(ControllerInOverlayTest, DeletingTheVtepInterfaceIsRefused) {
  bool deleted = true;
  expect_refused([&] { return controller_->delete_interface("wan", deleted); },
                 StatusCode::kFailedPrecondition,
                 "interface 'wan': its address 192.168.10.10 is vxlan.local_ip (change the VXLAN "
                 "settings first)");
  EXPECT_FALSE(deleted);
}

TEST_F(ControllerInOverlayTest, TurningVxlanOffWhileATunnelUsesItIsRefused) {
  VxlanConfig off;
  off.local_ip = 0;
  expect_refused([&] { return controller_->set_vxlan(off); }, StatusCode::kFailedPrecondition,
                 "vxlan tunnel 4096: vxlan.local_ip: not set (set the VTEP address first)");
}

TEST_F(ControllerInOverlayTest, TurningVxlanOffWhileARouteUsesItIsRefused) {
  bool deleted = false;
  ASSERT_TRUE(controller_->delete_vxlan_tunnel(kL2Vni, deleted).is_ok());
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(state().vxlan.static_macs.empty()) << "the tunnel's static MACs go with it";
  EXPECT_EQ(vnis(), Strings{"1 routed"});
  EXPECT_TRUE(macs().empty()) << join(macs());
  VxlanConfig off;
  off.local_ip = 0;
  expect_refused([&] { return controller_->set_vxlan(off); }, StatusCode::kFailedPrecondition,
                 "route 10.244.2.0/24: vxlan: VXLAN is not configured (vxlan.local_ip is not "
                 "set)");
}

TEST_F(ControllerInOverlayTest, TunnelOnAMissingDomainIsRefusedNamingTheField) {
  VxlanTunnelConfig tunnel;
  tunnel.vni = 5000;
  tunnel.bridge_domain = 99;
  tunnel.remotes = {ip(kRemoteVtep)};
  expect_refused([&] { return controller_->add_vxlan_tunnel(tunnel); }, StatusCode::kNotFound,
                 "vxlan tunnel 5000: bridge_domain: bridge domain 99 does not exist");
}

// Validation passes; the data plane takes the VXLAN changes that the old ports carry, then
// cannot open the new af-packet port. Everything goes back, including those VXLAN changes.
TEST_F(ControllerInOverlayTest, PortTheDeviceRefusesRollsBackTheVxlanChangesOfItsCommit) {
  Config desired = overlay(state_dir_);
  PortConfig ext;
  ext.name = "ext";
  ext.type = PortType::kAfPacket;
  ext.iface = kMissingIface;
  desired.ports.push_back(ext);
  desired.bridge_domains.push_back(bridge_domain(8, {"ext"}));
  add_l2_vni(desired, 5000, 8, {ip(kRemoteVtep)});
  desired.vxlan.tunnels[0].remotes.push_back(ip(kOtherVtep));  // Flood 4096 to .21 too.
  desired.vxlan.static_macs[0].remote = ip(kRemoteVtep);       // The pod moved to .20.
  add_flannel_route(desired, "10.244.3.0", kOtherVtep);
  expect_refused([&] { return commit(desired); }, StatusCode::kFailedPrecondition,
                 "port 'ext': interface 'np-absent0' does not exist");
  expect_overlay_held();

  // The data plane is where the controller thinks: the same change without the bad port
  // goes through.
  desired.ports.pop_back();
  desired.bridge_domains.back().ports.clear();
  const Status st = commit(desired);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(vnis(), (Strings{"1 routed", "4096 on domain 7", "5000 on domain 8"}));
  EXPECT_EQ(macs(), Strings{"02:00:00:00:0a:21 in domain 7 behind 192.168.10.20 (static)"});
  EXPECT_EQ(routes(), 2u);
  expect_state_saved();
}

// The VTEP's uplink reopened on a device that cannot be opened: by then VXLAN and the
// interface are off and the old port closed; all come back.
TEST_F(ControllerInOverlayTest, VtepUplinkTheDeviceRefusesRollsBackToTheOldPortAndVxlan) {
  Config desired = overlay(state_dir_);
  PortConfig* up = find_port(desired, "up");
  up->type = PortType::kAfPacket;
  up->iface = kMissingIface;
  add_flannel_route(desired, "10.244.3.0", kOtherVtep);
  expect_refused([&] { return commit(desired); }, StatusCode::kFailedPrecondition,
                 "port 'up': interface 'np-absent0' does not exist");
  expect_overlay_held();
}

// The data plane gives each VNI a counter slot for the daemon's lifetime, 256 at most;
// validation cannot know how many are spent. The refusal comes at the last step, after the new port
// and domains are in: they go again.
TEST_F(ControllerInOverlayTest, VniTheDataPlaneHasNoRoomForRollsBackNewPortAndDomains) {
  Config desired = overlay(state_dir_);
  desired.ports.push_back(null_port("pod2"));
  constexpr uint32_t kNewDomains = 255;  // With VNIs 1 and 4096: 257 VNIs.
  for (uint32_t id = 100; id < 100 + kNewDomains; ++id) {
    desired.bridge_domains.push_back(bridge_domain(id, id == 100 ? Strings{"pod2"} : Strings{}));
    add_l2_vni(desired, 10000 + id, id, {ip(kRemoteVtep)});
  }
  expect_refused([&] { return commit(desired); }, StatusCode::kFailedPrecondition,
                 "vxlan: more than 256 VNIs over the daemon's lifetime");
  expect_overlay_held();
}

// A change the data plane took whole but the state file cannot record is taken back whole.
TEST_F(ControllerTest, StateFileThatCannotBeWrittenRollsBackAWholeChange) {
  std::ofstream(state_dir_ + "/file") << "not a directory\n";
  const std::string unwritable = state_dir_ + "/file/state";
  ASSERT_NO_FATAL_FAILURE(start(overlay(unwritable)));
  const Status st = expect_nothing_changed_by([&] { return commit(plain_l2(unwritable)); });
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.message();
  EXPECT_EQ(st.message().rfind("state_dir " + unwritable + ": ", 0), 0u) << st.message();
  expect_overlay_held();
}

// ---- Ports for pods: joining a domain with AddPort, security, attachment ------------------

PortSecurityConfig pod_security(std::vector<const char*> ips, const char* address = kPodMac) {
  PortSecurityConfig s;
  s.mac = mac(address);
  for (const char* a : ips) s.ips.push_back(ip(a));
  return s;
}

// A pod's port as nodeplane-cni makes it: security and attachment set.
PortConfig pod_port(const std::string& name) {
  PortConfig p = null_port(name);
  p.security = pod_security({"10.244.1.10"});
  p.attachment = PortAttachmentConfig{"pods", "3f2a9c0d41b7", "net1"};
  return p;
}

// The port and its membership arrive together: the new port is in domain 7 in the state,
// the state file and the data plane, with its rules, after one call.
TEST_F(ControllerFromPlainL2Test, AddPortWithBridgeDomainJoinsItInTheSameCommit) {
  const Status st = controller_->add_port(pod_port("pod2"), kPodDomain);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(ports(), (Strings{"pod0", "pod1", "pod2"}));
  EXPECT_EQ(members(), (Strings{"pod0 in 7", "pod1 in 7", "pod2 in 7"}));
  EXPECT_EQ(securities(), Strings{"pod2: 02:00:00:00:0a:01 10.244.1.10"});
  EXPECT_EQ(state().bridge_domains[0].ports, (Strings{"pod0", "pod1", "pod2"}));
  ASSERT_NE(find_port(state(), "pod2"), nullptr);
  EXPECT_EQ(find_port(state(), "pod2")->attachment,
            (PortAttachmentConfig{"pods", "3f2a9c0d41b7", "net1"}));
  expect_state_saved();
  // Again, the same: nothing moves, the port stays open.
  const std::string device = device_of("pod2");
  ASSERT_TRUE(controller_->add_port(pod_port("pod2"), kPodDomain).is_ok());
  EXPECT_EQ(device_of("pod2"), device);
  EXPECT_EQ(state().bridge_domains[0].ports, (Strings{"pod0", "pod1", "pod2"}));
}

TEST_F(ControllerFromPlainL2Test, AddPortWithoutBridgeDomainLeavesMembershipAsItIs) {
  ASSERT_TRUE(controller_->add_port(pod_port("pod2")).is_ok());
  ASSERT_TRUE(controller_->add_port(pod_port("pod0")).is_ok());
  EXPECT_EQ(members(), (Strings{"pod0 in 7", "pod1 in 7"}));
  EXPECT_EQ(state().bridge_domains[0].ports, (Strings{"pod0", "pod1"}));
  expect_state_saved();
}

TEST_F(ControllerFromPlainL2Test, AddPortToAnUnknownBridgeDomainChangesNothing) {
  expect_refused([&] { return controller_->add_port(pod_port("pod2"), 999); },
                 StatusCode::kNotFound, "bridge_domain: 999 does not exist");
  EXPECT_EQ(ports(), (Strings{"pod0", "pod1"}));
}

// A port the data plane cannot open does not join the domain either (all or nothing).
TEST_F(ControllerFromPlainL2Test, AddPortWithBridgeDomainTheDeviceRefusesChangesNothing) {
  PortConfig ext = pod_port("ext");
  ext.type = PortType::kAfPacket;
  ext.iface = kMissingIface;
  expect_refused([&] { return controller_->add_port(ext, kPodDomain); },
                 StatusCode::kFailedPrecondition,
                 "port 'ext': interface 'np-absent0' does not exist");
}

// A join that validation refuses takes the port's new settings back with it: the routed
// uplink is not reopened with two queues (a client doing it in two calls would have).
TEST_F(ControllerInOverlayTest, AddPortWhoseJoinIsRefusedLeavesThePortAsItWas) {
  const std::string device = device_of("up");
  PortConfig up = null_port("up");
  up.queues = 2;
  expect_refused([&] { return controller_->add_port(up, kPodDomain); },
                 StatusCode::kFailedPrecondition,
                 "interface 'wan': port: port 'up' is in bridge domain 7; a routed port cannot be "
                 "bridged (give the domain an interface instead)");
  EXPECT_EQ(device_of("up"), device);
  EXPECT_EQ(find_port(state(), "up")->queues, 1u);
}

// Joining another domain leaves the first one (and the port's static MACs there), without
// reopening the port.
TEST_F(ControllerFromPlainL2Test, AddPortWithBridgeDomainMovesThePort) {
  ASSERT_TRUE(controller_->add_bridge_domain(bridge_domain(8, {})).is_ok());
  ASSERT_TRUE(
      controller_->add_static_mac(kPodDomain, {mac("02:00:00:00:00:31"), "pod1", {}}).is_ok());
  const std::string device = device_of("pod1");
  const Status st = controller_->add_port(null_port("pod1"), 8);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(device_of("pod1"), device) << "the port was reopened";
  EXPECT_EQ(members(), (Strings{"pod0 in 7", "pod1 in 8"}));
  EXPECT_EQ(state().bridge_domains[0].ports, Strings{"pod0"});
  EXPECT_TRUE(state().bridge_domains[0].static_macs.empty());
  EXPECT_TRUE(macs().empty()) << join(macs());
  expect_state_saved();
}

// Security and attachment are not device settings: changing them keeps the port open; the
// workers get the new rules.
TEST_F(ControllerFromPlainL2Test, ReplacingSecurityOrAttachmentDoesNotReopenThePort) {
  const std::string device = device_of("pod0");
  PortConfig pod0 = pod_port("pod0");
  ASSERT_TRUE(controller_->add_port(pod0).is_ok());
  EXPECT_EQ(device_of("pod0"), device) << "reopened to set security";
  EXPECT_EQ(securities(), Strings{"pod0: 02:00:00:00:0a:01 10.244.1.10"});
  expect_state_saved();

  pod0.security = pod_security({"10.244.1.10", "10.244.1.11"}, "02:00:00:00:0a:02");
  ASSERT_TRUE(controller_->add_port(pod0).is_ok());
  EXPECT_EQ(device_of("pod0"), device) << "reopened to change security";
  EXPECT_EQ(securities(), Strings{"pod0: 02:00:00:00:0a:02 10.244.1.10,10.244.1.11"});

  pod0.attachment->container_id = "77aa";
  ASSERT_TRUE(controller_->add_port(pod0).is_ok());
  EXPECT_EQ(device_of("pod0"), device) << "reopened to change the attachment";
  EXPECT_EQ(find_port(state(), "pod0")->attachment->container_id, "77aa");

  pod0.security.reset();
  pod0.attachment.reset();
  ASSERT_TRUE(controller_->add_port(pod0).is_ok());
  EXPECT_EQ(device_of("pod0"), device) << "reopened to remove security";
  EXPECT_TRUE(securities().empty()) << join(securities());
  EXPECT_EQ(members(), (Strings{"pod0 in 7", "pod1 in 7"}));
  expect_state_saved();
}

// A port reopened for a device setting comes back with the rules of the same commit.
TEST_F(ControllerFromPlainL2Test, ReopenedPortTakesItsNewSecurity) {
  const std::string device = device_of("pod0");
  PortConfig pod0 = pod_port("pod0");
  pod0.queues = 2;
  ASSERT_TRUE(controller_->add_port(pod0).is_ok());
  EXPECT_NE(device_of("pod0"), device);
  EXPECT_EQ(securities(), Strings{"pod0: 02:00:00:00:0a:01 10.244.1.10"});
  EXPECT_EQ(members(), (Strings{"pod0 in 7", "pod1 in 7"}));
}

// A deleted port's rules go with it: a port opened next (on the same DPDK port id) has none.
TEST_F(ControllerFromPlainL2Test, DeletedPortLeavesNoRulesBehind) {
  ASSERT_TRUE(controller_->add_port(pod_port("pod2"), kPodDomain).is_ok());
  bool deleted = false;
  ASSERT_TRUE(controller_->delete_port("pod2", deleted).is_ok());
  EXPECT_TRUE(securities().empty()) << join(securities());
  ASSERT_TRUE(controller_->add_port(null_port("pod3"), kPodDomain).is_ok());
  EXPECT_TRUE(securities().empty()) << join(securities());
}

// The data plane took the new rules, the state file could not record them: the rules of
// ports kept open go back as they were (and a start applies a config's rules).
TEST_F(ControllerTest, StateFileThatCannotBeWrittenRollsBackSecurity) {
  std::ofstream(state_dir_ + "/file") << "not a directory\n";
  const std::string unwritable = state_dir_ + "/file/state";
  Config before = plain_l2(unwritable);
  before.ports[0].security = pod_security({"10.244.1.10"});
  ASSERT_NO_FATAL_FAILURE(start(before));
  EXPECT_EQ(securities(), Strings{"pod0: 02:00:00:00:0a:01 10.244.1.10"});
  Config desired = before;
  desired.ports[0].security = pod_security({"10.244.1.99"});
  desired.ports[1].security = pod_security({"10.244.1.98"}, "02:00:00:00:0a:03");
  const Status st = expect_nothing_changed_by([&] { return commit(desired); });
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.message();
  EXPECT_EQ(securities(), Strings{"pod0: 02:00:00:00:0a:01 10.244.1.10"});
}

TEST_F(ControllerFromPlainL2Test, SecurityOutOfRangeIsRefusedNamingTheField) {
  PortConfig pod2 = pod_port("pod2");
  pod2.security->ips = {ip("10.244.1.10"), ip("224.0.0.1")};
  expect_refused([&] { return controller_->add_port(pod2, kPodDomain); },
                 StatusCode::kInvalidArgument,
                 "port 'pod2': security.ips[1]: 224.0.0.1 is not a unicast host address");
}

// ---- Services ----------------------------------------------------------------------------

TEST_F(ControllerFromPlainL2Test, AddServiceReachesTheDataPlaneAndIsSaved) {
  const Status st = controller_->add_service(web_service());
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(services(), Strings{"web: 10.244.1.5:8080*1 10.244.1.6:8080*2"});
  ASSERT_EQ(state().services.size(), 1u);
  EXPECT_EQ(state().services[0].name, "web");
  expect_state_saved();
}

TEST_F(ControllerFromPlainL2Test, AddServiceOfAnExistingNameReplacesIt) {
  ASSERT_TRUE(controller_->add_service(web_service()).is_ok());
  ServiceConfig web = web_service();
  web.backends = {backend("10.244.1.7", 8080, 5)};
  web.affinity = ServiceAffinity::kClientIp;
  const Status st = controller_->add_service(web);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(services(), Strings{"web: 10.244.1.7:8080*5"});
  ASSERT_EQ(state().services.size(), 1u);
  EXPECT_EQ(state().services[0].affinity, ServiceAffinity::kClientIp);
  expect_state_saved();
}

TEST_F(ControllerFromPlainL2Test, DeleteServiceIsIdempotent) {
  ASSERT_TRUE(controller_->add_service(web_service()).is_ok());
  bool deleted = false;
  ASSERT_TRUE(controller_->delete_service("web", deleted).is_ok());
  EXPECT_TRUE(deleted);
  EXPECT_TRUE(services().empty()) << join(services());
  EXPECT_TRUE(state().services.empty());
  expect_state_saved();
  ASSERT_TRUE(controller_->delete_service("web", deleted).is_ok());
  EXPECT_FALSE(deleted);
}

TEST_F(ControllerInOverlayTest, ServiceOnOurVtepAddressIsRefusedNamingTheField) {
  ServiceConfig web = web_service();
  web.vip = ip(kVtepIp);
  expect_refused([&] { return controller_->add_service(web); }, StatusCode::kInvalidArgument,
                 "service 'web': vip: 192.168.10.10 is our own address (interface 'wan')");
}

TEST_F(ControllerInOverlayTest, SecondServiceOnTheSameNodePortIsRefused) {
  ASSERT_TRUE(controller_->add_service(web_service()).is_ok());
  ServiceConfig api = web_service();
  api.name = "api";
  api.vip = ip("10.96.0.11");
  expect_refused([&] { return controller_->add_service(api); }, StatusCode::kFailedPrecondition,
                 "service 'api': node_port: 30080/tcp is already used by service 'web'");
}

// The table's size is the data plane's from its start: no commit changes it.
TEST_F(ControllerInOverlayTest, ConnectionTableSizeIsFixedAtStart) {
  Config desired = overlay(state_dir_);
  desired.conntrack.max_flows = 1024;
  expect_refused([&] { return commit(desired); }, StatusCode::kFailedPrecondition,
                 "conntrack: max_flows: the connection table's size is fixed at start (262144); "
                 "change it in the config file and restart");
}

// Timeouts and the node port range go to the data plane with the services.
TEST_F(ControllerInOverlayTest, OneCommitChangesPortsVxlanServicesAndTimeouts) {
  Config desired = overlay_with_web(state_dir_);
  desired.ports.push_back(null_port("pod2"));
  desired.bridge_domains[0].ports.push_back("pod2");
  desired.conntrack.udp_s = 5;
  desired.node_port_min = 30000;
  desired.node_port_max = 30100;
  ServiceConfig dns;
  dns.name = "dns";
  dns.vip = ip("10.96.0.10");
  dns.port = 53;
  dns.protocol = ServiceProtocol::kUdp;
  dns.node_port = 30080;  // The same number as web's, over UDP.
  desired.services.push_back(dns);
  const Status st = commit(desired);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(services(), (Strings{"dns:", "web: 10.244.1.5:8080*1 10.244.1.6:8080*2"}));
  expect_state_saved();
  // And back: the services go, VXLAN stays.
  ASSERT_TRUE(commit(overlay(state_dir_)).is_ok());
  EXPECT_TRUE(services().empty()) << join(services());
  expect_overlay_held();
  expect_state_saved();
}

// A change the data plane took whole but the state file cannot record is taken back whole,
// services included.
TEST_F(ControllerTest, StateFileThatCannotBeWrittenRollsBackServices) {
  std::ofstream(state_dir_ + "/file") << "not a directory\n";
  const std::string unwritable = state_dir_ + "/file/state";
  ASSERT_NO_FATAL_FAILURE(start(overlay_with_web(unwritable)));
  EXPECT_EQ(services(), Strings{"web: 10.244.1.5:8080*1 10.244.1.6:8080*2"});
  Config desired = overlay_with_web(unwritable);
  desired.services[0].backends.pop_back();
  const Status st = expect_nothing_changed_by([&] { return commit(desired); });
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.message();
  EXPECT_EQ(services(), Strings{"web: 10.244.1.5:8080*1 10.244.1.6:8080*2"});
}

}  // namespace
}  // namespace np::control
