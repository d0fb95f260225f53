// The API's services and connections <-> the config model and the data plane's rows: a
// malformed request is refused naming the request field; what comes back carries every
// counter, zeros included.
#include "api_convert.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <functional>
#include <string>
#include <vector>

#include "np/control/config_validate.h"

namespace np::control {
namespace {

namespace v1 = nodeplane::v1;

v1::Service web_request() {
  v1::Service s;
  s.set_name("web");
  s.set_vip("10.96.0.10");
  s.set_port(80);
  s.set_protocol(v1::PROTOCOL_TCP);
  s.set_node_port(30080);
  v1::Backend* a = s.add_backends();
  a->set_ip("10.244.1.5");
  a->set_port(8080);
  v1::Backend* b = s.add_backends();
  b->set_ip("10.244.1.6");
  b->set_port(8080);
  b->set_weight(3);
  return s;
}

TEST(ApiConvertServiceTest, ReadsEveryField) {
  v1::Service in = web_request();
  in.set_affinity(v1::AFFINITY_CLIENT_IP);
  in.set_affinity_timeout_s(600);
  ServiceConfig s;
  const Status st = from_proto(in, s);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(s.name, "web");
  EXPECT_EQ(s.vip, 0x0a60000au);
  EXPECT_EQ(s.port, 80u);
  EXPECT_EQ(s.protocol, ServiceProtocol::kTcp);
  EXPECT_EQ(s.node_port, 30080u);
  EXPECT_EQ(s.affinity, ServiceAffinity::kClientIp);
  EXPECT_EQ(s.affinity_timeout_s, 600u);
  ASSERT_EQ(s.backends.size(), 2u);
  EXPECT_EQ(s.backends[0].ip, 0x0af40105u);
  EXPECT_EQ(s.backends[0].port, 8080u);
  EXPECT_EQ(s.backends[0].weight, 1u) << "weight 0 is 1";
  EXPECT_EQ(s.backends[1].weight, 3u);
}

TEST(ApiConvertServiceTest, DefaultsAndUdp) {
  v1::Service in = web_request();
  in.set_protocol(v1::PROTOCOL_UDP);
  in.set_node_port(0);
  in.clear_backends();
  ServiceConfig s;
  ASSERT_TRUE(from_proto(in, s).is_ok());
  EXPECT_EQ(s.protocol, ServiceProtocol::kUdp);
  EXPECT_EQ(s.node_port, 0u);
  EXPECT_EQ(s.affinity, ServiceAffinity::kNone);
  EXPECT_FALSE(s.affinity_timeout_s.has_value()) << "0 is unset";
  EXPECT_TRUE(s.backends.empty());
}

// A request the form refuses: `change` spoils a good one, and from_proto must answer
// INVALID_ARGUMENT with `message` (naming the request field) and leave its output as it was.
template <typename Request>
struct FormCase {
  const char* name;
  std::function<void(Request&)> change;
  std::string message;
};

template <typename Config, typename Request>
void expect_refused(Request in, const FormCase<Request>& form) {
  form.change(in);
  Config out;
  out.name = "untouched";
  const Status st = from_proto(in, out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.message();
  EXPECT_EQ(st.message(), form.message);
  EXPECT_EQ(out.name, "untouched");
}

template <typename Request>
std::string form_case_name(const ::testing::TestParamInfo<FormCase<Request>>& info) {
  return info.param.name;
}

using ServiceFormCase = FormCase<v1::Service>;
class ApiConvertServiceFormTest : public ::testing::TestWithParam<ServiceFormCase> {};

TEST_P(ApiConvertServiceFormTest, RefusesNamingTheRequestField) {
  expect_refused<ServiceConfig>(web_request(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ApiConvertServiceFormTest,
    ::testing::Values(
        ServiceFormCase{"ProtocolUnspecified", [](v1::Service& s) { s.clear_protocol(); },
                        "service.protocol: required (PROTOCOL_TCP or PROTOCOL_UDP), got 0"},
        ServiceFormCase{"ProtocolUnknown",
                        [](v1::Service& s) { s.set_protocol(static_cast<v1::Protocol>(9)); },
                        "service.protocol: required (PROTOCOL_TCP or PROTOCOL_UDP), got 9"},
        ServiceFormCase{"AffinityUnknown",
                        [](v1::Service& s) { s.set_affinity(static_cast<v1::Affinity>(4)); },
                        "service.affinity: unknown value 4 (AFFINITY_NONE or AFFINITY_CLIENT_IP)"},
        ServiceFormCase{"VipEmpty", [](v1::Service& s) { s.clear_vip(); },
                        "service.vip: '' is not an IPv4 address (expected A.B.C.D)"},
        ServiceFormCase{"VipText", [](v1::Service& s) { s.set_vip("web.default"); },
                        "service.vip: 'web.default' is not an IPv4 address (expected A.B.C.D)"},
        ServiceFormCase{"BackendIpText",
                        [](v1::Service& s) { s.mutable_backends(1)->set_ip("10.244.1.256"); },
                        "service.backends[1].ip: '10.244.1.256' is not an IPv4 address (expected "
                        "A.B.C.D)"},
        ServiceFormCase{"TooManyBackends",
                        [](v1::Service& s) {
                          for (int i = 0; i < 999; ++i) *s.add_backends() = s.backends(0);
                        },
                        "service.backends: at most 1000, got 1001"}),
    form_case_name<v1::Service>);

// Values the form allows are validate_config's to judge, with the same field names.
TEST(ApiConvertServiceTest, ValuesAreLeftToValidation) {
  v1::Service in = web_request();
  in.mutable_backends(0)->set_weight(1001);
  in.set_affinity_timeout_s(60);
  ServiceConfig s;
  ASSERT_TRUE(from_proto(in, s).is_ok());
  Config c;
  c.services = {s};
  EXPECT_EQ(validate_config(c).message(),
            "service 'web': affinity_timeout_s: only with affinity client_ip");
  c.services[0].affinity_timeout_s.reset();
  EXPECT_EQ(validate_config(c).message(),
            "service 'web': backends[0].weight: must be 1..1000, got 1001");
}

TEST(ApiConvertServiceTest, WritesTheServiceWithItsCounters) {
  ServiceConfig s;
  ASSERT_TRUE(from_proto(web_request(), s).is_ok());
  s.affinity = ServiceAffinity::kClientIp;  // With the default timeout.
  dp::ServicesStats stats;
  dp::ServiceStats other;
  other.name = "other";
  other.packets = 99;
  dp::ServiceStats web;
  web.name = "web";
  web.packets = 41;
  web.new_flows = 4;
  web.backends = {{{0x0af40106, 8080, 3}, 11, 1}};  // The first backend has no counters yet.
  stats.services = {other, web};
  v1::Service out;
  to_proto(s, stats, out);
  EXPECT_EQ(out.name(), "web");
  EXPECT_EQ(out.vip(), "10.96.0.10");
  EXPECT_EQ(out.port(), 80u);
  EXPECT_EQ(out.protocol(), v1::PROTOCOL_TCP);
  EXPECT_EQ(out.node_port(), 30080u);
  EXPECT_EQ(out.affinity(), v1::AFFINITY_CLIENT_IP);
  EXPECT_EQ(out.affinity_timeout_s(), 10800u);
  EXPECT_EQ(out.packets(), 41u);
  EXPECT_EQ(out.new_flows(), 4u);
  ASSERT_EQ(out.backends_size(), 2);
  EXPECT_EQ(out.backends(0).ip(), "10.244.1.5");
  EXPECT_EQ(out.backends(0).weight(), 1u);
  EXPECT_EQ(out.backends(0).packets(), 0u);
  EXPECT_EQ(out.backends(1).port(), 8080u);
  EXPECT_EQ(out.backends(1).weight(), 3u);
  EXPECT_EQ(out.backends(1).packets(), 11u);
  EXPECT_EQ(out.backends(1).new_flows(), 1u);
  // Round trip.
  ServiceConfig back;
  ASSERT_TRUE(from_proto(out, back).is_ok());
  EXPECT_EQ(back.affinity_timeout_s, 10800u);
  EXPECT_EQ(back.backends.size(), 2u);
}

TEST(ApiConvertServiceTest, ServiceWithoutAffinityHasNoTimeout) {
  ServiceConfig s;
  ASSERT_TRUE(from_proto(web_request(), s).is_ok());
  v1::Service out;
  to_proto(s, dp::ServicesStats{}, out);
  EXPECT_EQ(out.affinity(), v1::AFFINITY_NONE);
  EXPECT_EQ(out.affinity_timeout_s(), 0u);
  EXPECT_EQ(out.packets(), 0u);
}

TEST(ApiConvertStatsTest, ServicesStatsCarryEveryDropReason) {
  dp::ServicesStats in;
  dp::ServiceStats web;
  web.name = "web";
  web.packets = 7;
  web.new_flows = 2;
  web.backends = {{{0x0af40105, 8080, 2}, 5, 1}};
  in.services = {web};
  in.conntrack.flows = 2;
  in.conntrack.max_flows = 1024;
  in.conntrack.created = 9;
  in.conntrack.expired = 6;
  in.conntrack.ended_backend_removed = 1;
  in.conntrack.drops[static_cast<unsigned>(dp::NatDrop::kTableFull)] = 4;
  v1::ServicesStats out;
  to_proto(in, out);
  ASSERT_EQ(out.services_size(), 1);
  EXPECT_EQ(out.services(0).name(), "web");
  EXPECT_EQ(out.services(0).packets(), 7u);
  EXPECT_EQ(out.services(0).new_flows(), 2u);
  ASSERT_EQ(out.services(0).backends_size(), 1);
  EXPECT_EQ(out.services(0).backends(0).backend(), "10.244.1.5:8080");
  EXPECT_EQ(out.services(0).backends(0).weight(), 2u);
  EXPECT_EQ(out.services(0).backends(0).packets(), 5u);
  EXPECT_EQ(out.services(0).backends(0).new_flows(), 1u);
  const v1::ConntrackStats& c = out.conntrack();
  EXPECT_EQ(c.flows(), 2u);
  EXPECT_EQ(c.max_flows(), 1024u);
  EXPECT_EQ(c.created(), 9u);
  EXPECT_EQ(c.expired(), 6u);
  EXPECT_EQ(c.ended_backend_removed(), 1u);
  EXPECT_EQ(c.drops_size(), static_cast<int>(dp::kNatDropCount));
  EXPECT_EQ(c.drops().at(dp::nat_drop_name(dp::NatDrop::kTableFull)), 4u);
  EXPECT_EQ(c.drops().at(dp::nat_drop_name(dp::NatDrop::kNoBackend)), 0u);
}

TEST(ApiConvertStatsTest, ConnectionRowAsText) {
  dp::ConnectionRow row;
  row.protocol = IPPROTO_UDP;
  row.client_ip = 0x0af40209;
  row.client_port = 40000;
  row.vip = 0xc0a80a0a;  // A node address: the flow came in on a node port.
  row.vip_port = 30053;
  row.backend_ip = 0x0af40107;
  row.backend_port = 53;
  row.state = "udp";
  row.idle_s = 12;
  row.service = "dns";
  v1::Connection out;
  to_proto(row, out);
  EXPECT_EQ(out.protocol(), v1::PROTOCOL_UDP);
  EXPECT_EQ(out.client(), "10.244.2.9:40000");
  EXPECT_EQ(out.vip(), "192.168.10.10:30053");
  EXPECT_EQ(out.backend(), "10.244.1.7:53");
  EXPECT_EQ(out.state(), "udp");
  EXPECT_EQ(out.idle_s(), 12u);
  EXPECT_EQ(out.service(), "dns");
  row.protocol = IPPROTO_TCP;
  to_proto(row, out);
  EXPECT_EQ(out.protocol(), v1::PROTOCOL_TCP);
}

// ---- Ports: security and attachment ------------------------------------------------------

v1::Port pod_request() {
  v1::Port p;
  p.set_name("pod-3f2a9c0d");
  p.set_type(v1::PORT_TYPE_VHOST_USER);
  p.set_socket("/run/nodeplane/pods/pod-3f2a9c0d.sock");
  v1::PortSecurity* s = p.mutable_security();
  s->set_mac("02:00:00:00:0A:01");
  s->add_ips("10.244.1.10");
  s->add_ips("10.244.1.11");
  v1::PortAttachment* a = p.mutable_attachment();
  a->set_network("pods");
  a->set_container_id("3f2a9c0d41b7");
  a->set_ifname("net1");
  return p;
}

TEST(ApiConvertPortTest, ReadsSecurityAndAttachment) {
  PortConfig p;
  const Status st = from_proto(pod_request(), p);
  ASSERT_TRUE(st.is_ok()) << st.message();
  ASSERT_TRUE(p.security.has_value());
  EXPECT_EQ(p.security->mac, (MacAddress{0x02, 0, 0, 0, 0x0a, 0x01}));
  EXPECT_EQ(p.security->ips, (std::vector<uint32_t>{0x0af4010a, 0x0af4010b}));
  ASSERT_TRUE(p.attachment.has_value());
  EXPECT_EQ(p.attachment->network, "pods");
  EXPECT_EQ(p.attachment->container_id, "3f2a9c0d41b7");
  EXPECT_EQ(p.attachment->ifname, "net1");
}

TEST(ApiConvertPortTest, WritesSecurityAndAttachmentAndReadsThemBack) {
  PortConfig p;
  ASSERT_TRUE(from_proto(pod_request(), p).is_ok());
  v1::Port out;
  to_proto(p, out);
  ASSERT_TRUE(out.has_security());
  EXPECT_EQ(out.security().mac(), "02:00:00:00:0a:01");
  ASSERT_EQ(out.security().ips_size(), 2);
  EXPECT_EQ(out.security().ips(0), "10.244.1.10");
  EXPECT_EQ(out.security().ips(1), "10.244.1.11");
  ASSERT_TRUE(out.has_attachment());
  EXPECT_EQ(out.attachment().network(), "pods");
  EXPECT_EQ(out.attachment().container_id(), "3f2a9c0d41b7");
  EXPECT_EQ(out.attachment().ifname(), "net1");
  PortConfig back;
  ASSERT_TRUE(from_proto(out, back).is_ok());
  EXPECT_EQ(back.security, p.security);
  EXPECT_EQ(back.attachment, p.attachment);
}

TEST(ApiConvertPortTest, WithoutThemNeitherIsSet) {
  v1::Port in = pod_request();
  in.clear_security();
  in.mutable_attachment()->Clear();  // Present but empty: no attachment.
  PortConfig p;
  ASSERT_TRUE(from_proto(in, p).is_ok());
  EXPECT_FALSE(p.security.has_value());
  EXPECT_FALSE(p.attachment.has_value());
  v1::Port out;
  to_proto(p, out);
  EXPECT_FALSE(out.has_security());
  EXPECT_FALSE(out.has_attachment());
}

using PortFormCase = FormCase<v1::Port>;
class ApiConvertPortFormTest : public ::testing::TestWithParam<PortFormCase> {};

TEST_P(ApiConvertPortFormTest, RefusesNamingTheRequestField) {
  expect_refused<PortConfig>(pod_request(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ApiConvertPortFormTest,
    ::testing::Values(
        PortFormCase{"MacMissing", [](v1::Port& p) { p.mutable_security()->clear_mac(); },
                     "port.security.mac: '' is not a MAC address (expected xx:xx:xx:xx:xx:xx)"},
        PortFormCase{"MacText", [](v1::Port& p) { p.mutable_security()->set_mac("pod-a"); },
                     "port.security.mac: 'pod-a' is not a MAC address (expected "
                     "xx:xx:xx:xx:xx:xx)"},
        PortFormCase{"MacMulticast",
                     [](v1::Port& p) { p.mutable_security()->set_mac("01:00:5e:00:00:01"); },
                     "port.security.mac: 01:00:5e:00:00:01 is not a unicast address"},
        PortFormCase{"NoIps", [](v1::Port& p) { p.mutable_security()->clear_ips(); },
                     "port.security.ips: 1 to 8 addresses, got 0"},
        PortFormCase{"NineIps",
                     [](v1::Port& p) {
                       for (int k = 2; k < 9; ++k)
                         p.mutable_security()->add_ips("10.244.1." + std::to_string(20 + k));
                     },
                     "port.security.ips: 1 to 8 addresses, got 9"},
        PortFormCase{"IpText", [](v1::Port& p) { p.mutable_security()->set_ips(1, "10.244.1"); },
                     "port.security.ips[1]: '10.244.1' is not an IPv4 address (expected "
                     "A.B.C.D)"},
        PortFormCase{"IpMulticast",
                     [](v1::Port& p) { p.mutable_security()->set_ips(1, "224.0.0.251"); },
                     "port.security.ips[1]: 224.0.0.251 is not a unicast host address"},
        PortFormCase{"IpZero", [](v1::Port& p) { p.mutable_security()->set_ips(0, "0.0.0.0"); },
                     "port.security.ips[0]: 0.0.0.0 is not a unicast host address"},
        PortFormCase{"IpTwice",
                     [](v1::Port& p) { p.mutable_security()->set_ips(1, "10.244.1.10"); },
                     "port.security.ips[1]: 10.244.1.10 is listed twice"},
        PortFormCase{
            "ContainerIdTooLong",
            [](v1::Port& p) { p.mutable_attachment()->set_container_id(std::string(257, 'a')); },
            "port.attachment.container_id: longer than 256 bytes"}),
    form_case_name<v1::Port>);

}  // namespace
}  // namespace np::control
