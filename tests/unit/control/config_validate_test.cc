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

}  // namespace
}  // namespace np::control
