// The CNI result: JSON per version, and parsing of delegate results and prevResults.
#include "np/cni/result.h"

#include <gtest/gtest.h>

#include "np/cni/error.h"
#include "testlib/cni_support.h"

namespace np::cni {
namespace {

Result pod_result() {
  Result r;
  r.interfaces.push_back({"net1", "0a:58:0a:42:00:0b", "/var/run/netns/p", "/run/p/x.sock", 1500});
  r.ips.push_back({"10.66.0.11/24", "10.66.0.1", 0});
  r.routes.push_back({"0.0.0.0/0", ""});
  r.routes.push_back({"10.96.0.0/12", "10.66.0.1"});
  r.dns.nameservers = {"10.96.0.10"};
  r.dns.search = {"svc.cluster.local"};
  return r;
}

TEST(ResultTest, Version100) {
  const auto j = result_json(pod_result(), "1.0.0");
  EXPECT_EQ(j.dump(),
            R"({"cniVersion":"1.0.0","interfaces":[{"name":"net1","mac":"0a:58:0a:42:00:0b",)"
            R"("sandbox":"/var/run/netns/p","socketPath":"/run/p/x.sock"}],)"
            R"("ips":[{"address":"10.66.0.11/24","gateway":"10.66.0.1","interface":0}],)"
            R"("routes":[{"dst":"0.0.0.0/0"},{"dst":"10.96.0.0/12","gw":"10.66.0.1"}],)"
            R"("dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]}})");
}

TEST(ResultTest, Version110HasInterfaceMtu) {
  const auto j = result_json(pod_result(), "1.1.0");
  EXPECT_EQ(j["interfaces"][0]["mtu"], 1500);
  EXPECT_EQ(j["interfaces"][0]["socketPath"], "/run/p/x.sock");
  EXPECT_FALSE(j["ips"][0].contains("version"));
}

TEST(ResultTest, Version040HasIpVersion) {
  Result r = pod_result();
  r.ips.push_back({"fd00::5/64", "", 0});
  const auto j = result_json(r, "0.4.0");
  EXPECT_EQ(j["ips"][0]["version"], "4");
  EXPECT_EQ(j["ips"][1]["version"], "6");
  EXPECT_FALSE(j["interfaces"][0].contains("mtu"));
}

TEST(ResultTest, EmptyResultStillHasDns) {
  EXPECT_EQ(result_json(Result{}, "1.0.0").dump(), R"({"cniVersion":"1.0.0","dns":{}})");
}

TEST(ResultTest, RoundTrip) {
  for (const char* v : {"0.4.0", "1.0.0", "1.1.0"}) {
    const Result back =
        parse_result(nlohmann::json::parse(result_json(pod_result(), v).dump()), "r", 6);
    EXPECT_EQ(result_json(back, v), result_json(pod_result(), v)) << v;
  }
}

// A chained plugin's fields this model does not hold pass through; ours follow.
TEST(ResultTest, EntriesOfPrevResultPassThroughWhole) {
  const nlohmann::json prev = nlohmann::json::parse(
      R"({"cniVersion":"1.1.0","interfaces":[{"name":"eth0","pciID":"0000:00:08.0"}],)"
      R"("ips":[{"address":"10.1.0.5/24","interface":0}],)"
      R"("routes":[{"dst":"10.2.0.0/16","gw":"10.1.0.1","table":100,"priority":5}]})");
  Result r = parse_result(prev, "prevResult", 6);
  const Result ours = pod_result();
  r.interfaces.push_back(ours.interfaces[0]);
  r.ips.push_back({"10.66.0.11/24", "10.66.0.1", 1});
  r.routes.push_back(ours.routes[0]);
  const auto j = result_json_after(prev, r, "1.1.0");
  EXPECT_EQ(j["interfaces"][0].dump(), R"({"name":"eth0","pciID":"0000:00:08.0"})");
  EXPECT_EQ(j["interfaces"][1]["socketPath"], "/run/p/x.sock");
  EXPECT_EQ(j["ips"][1]["interface"], 1);
  EXPECT_EQ(j["routes"][0].dump(),
            R"({"dst":"10.2.0.0/16","gw":"10.1.0.1","priority":5,"table":100})");
  EXPECT_EQ(j["routes"][1].dump(), R"({"dst":"0.0.0.0/0"})");
  EXPECT_EQ(result_json_after(nlohmann::json::object(), ours, "1.1.0"), result_json(ours, "1.1.0"));
}

TEST(ResultTest, ParsesHostLocalOutput) {
  const Result r = parse_result(nlohmann::json::parse(R"({"cniVersion": "1.0.0",
      "ips": [{"address": "10.66.0.10/24", "gateway": "10.66.0.1"}],
      "routes": [{"dst": "0.0.0.0/0"}], "dns": {}})"),
                                "ipam", kIpamFailed);
  ASSERT_EQ(r.ips.size(), 1u);
  EXPECT_EQ(r.ips[0].address, "10.66.0.10/24");
  EXPECT_EQ(r.ips[0].interface, -1);
  EXPECT_EQ(r.routes[0].dst, "0.0.0.0/0");
  EXPECT_TRUE(r.dns.empty());
}

TEST(ResultTest, BadResultsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "must be an object"},
      {R"({"ips": {}})", "ips must be an array"},
      {R"({"ips": [{"gateway": "10.0.0.1"}]})", "ips[0].address is required"},
      {R"({"ips": [{"address": "10.0.0.300/24"}]})", "ips[0].address"},
      {R"({"ips": [{"address": "10.0.0.3"}]})", "is not a CIDR"},
      {R"({"ips": [{"address": "10.0.0.3/24", "gateway": "x"}]})", "ips[0].gateway"},
      {R"({"ips": [{"address": "10.0.0.3/24", "interface": 0}]})", "ips[0].interface"},
      {R"({"interfaces": [{"mac": "x"}]})", "interfaces[0].name is required"},
      {R"({"interfaces": [{"name": 1}]})", "interfaces[0].name must be a string"},
      {R"({"routes": [{"gw": "10.0.0.1"}]})", "routes[0].dst is required"},
      {R"({"routes": [{"dst": "0.0.0.0/0", "gw": 5}]})", "routes[0].gw must be a string"},
      {R"({"dns": {"nameservers": "1.1.1.1"}})", "dns.nameservers must be an array"},
  };
  for (const auto& [input, part] : cases) {
    const std::optional<CniError> e = testlib::cni_error_of(
        [&] { parse_result(nlohmann::json::parse(input), "prevResult", kDecodeFailure); });
    ASSERT_TRUE(e.has_value()) << input;
    EXPECT_EQ(e->code(), kDecodeFailure);
    EXPECT_NE(e->msg().find(part), std::string::npos) << e->msg() << " / " << part;
    EXPECT_EQ(e->msg().rfind("prevResult: ", 0), 0u) << e->msg();
  }
}

TEST(ResultTest, Ipv4Helpers) {
  EXPECT_EQ(parse_ipv4("10.66.0.1"), 0x0a420001u);
  EXPECT_FALSE(parse_ipv4("10.66.0").has_value());
  const auto c = parse_ipv4_cidr("10.66.0.11/24");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->address, 0x0a42000bu);
  EXPECT_EQ(c->prefix_len, 24);
  EXPECT_FALSE(parse_ipv4_cidr("10.66.0.11/33").has_value());
  EXPECT_FALSE(parse_ipv4_cidr("fd00::1/64").has_value());
  EXPECT_FALSE(parse_ipv4_cidr("10.66.0.11").has_value());
  EXPECT_EQ(format_ipv4(0x0a42000b), "10.66.0.11");
}

}  // namespace
}  // namespace np::cni
