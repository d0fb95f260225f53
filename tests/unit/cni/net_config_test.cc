// The network configuration: every bad input gives its CNI code and a message naming the key.
#include "np/cni/net_config.h"

#include <gtest/gtest.h>

#include "np/cni/error.h"
#include "testlib/cni_support.h"

namespace np::cni {
namespace {

// A valid configuration with `extra` keys merged over it (a null value removes the key).
std::string config(const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json c = {{"cniVersion", "1.0.0"},
                      {"name", "pods"},
                      {"type", "nodeplane-cni"},
                      {"server", "unix:///run/nodeplane/api.sock"},
                      {"socketDir", "/run/nodeplane/pods"},
                      {"bridgeDomain", 10},
                      {"ipam", {{"type", "host-local"}, {"subnet", "10.66.0.0/24"}}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (it.value().is_null())
      c.erase(it.key());
    else
      c[it.key()] = it.value();
  }
  return c.dump();
}

TEST(NetConfigTest, ValidConfigHasDefaults) {
  const NetConfig c = parse_net_config(config(), Command::kAdd);
  EXPECT_EQ(c.cni_version, "1.0.0");
  EXPECT_EQ(c.name, "pods");
  EXPECT_EQ(c.socket_dir, "/run/nodeplane/pods");
  EXPECT_EQ(c.bridge_domain, 10u);
  EXPECT_EQ(c.mtu, 1500u);
  EXPECT_FALSE(c.client);
  EXPECT_EQ(c.ipam_type, "host-local");
  EXPECT_EQ(c.ipam["subnet"], "10.66.0.0/24");
  EXPECT_FALSE(c.dns.has_value());
  EXPECT_FALSE(c.prev_result.has_value());
}

TEST(NetConfigTest, OptionalKeysAndRuntimeKeys) {
  const NetConfig c = parse_net_config(
      config({{"server", "tcp://127.0.0.1:50051"},
              {"socketDir", "/run/np/"},
              {"mtu", 9000},
              {"client", true},
              {"dns", {{"nameservers", {"10.96.0.10"}}, {"search", {"svc.cluster.local"}}}},
              {"runtimeConfig", {{"mac", "0A:58:0A:42:00:0B"}}},
              {"prevResult", {{"cniVersion", "1.0.0"}}},
              {"cni.dev/valid-attachments", {{{"containerID", "abc"}, {"ifname", "net1"}}}},
              {"someRuntimeKey", {1, 2, 3}}}),
      Command::kAdd);
  EXPECT_EQ(c.server, "tcp://127.0.0.1:50051");
  EXPECT_EQ(c.socket_dir, "/run/np");
  EXPECT_EQ(c.mtu, 9000u);
  EXPECT_TRUE(c.client);
  ASSERT_TRUE(c.dns.has_value());
  EXPECT_EQ(c.dns->nameservers, std::vector<std::string>{"10.96.0.10"});
  EXPECT_EQ(c.runtime_mac, "0a:58:0a:42:00:0b");
  EXPECT_TRUE(c.prev_result.has_value());
  ASSERT_TRUE(c.valid_attachments.has_value());
  EXPECT_EQ(c.valid_attachments->size(), 1u);
  EXPECT_EQ((*c.valid_attachments)[0].container_id, "abc");
}

TEST(NetConfigTest, OldAttachmentsKeyIsAFallback) {
  const NetConfig c = parse_net_config(
      config({{"cniVersion", "1.1.0"},
              {"cni.dev/attachments", {{{"containerID", "x"}, {"ifname", "eth0"}}}}}),
      Command::kGc);
  ASSERT_TRUE(c.valid_attachments.has_value());
  EXPECT_EQ((*c.valid_attachments)[0].ifname, "eth0");
}

struct BadCase {
  const char* what;
  std::string input;
  Command command;
  int code;
  const char* message_part;
};

TEST(NetConfigTest, BadInputTable) {
  const BadCase cases[] = {
      {"not JSON", "{not json", Command::kAdd, kDecodeFailure, "not JSON"},
      {"empty", "", Command::kAdd, kDecodeFailure, "not JSON"},
      {"an array", "[1]", Command::kAdd, kDecodeFailure, "not a JSON object"},
      {"no version", config({{"cniVersion", nullptr}}), Command::kAdd, kInvalidConfig,
       "cniVersion is required"},
      {"version a number", config({{"cniVersion", 1}}), Command::kAdd, kInvalidConfig,
       "cniVersion: must be a string"},
      {"unknown version", config({{"cniVersion", "9.9.9"}}), Command::kAdd, kIncompatibleVersion,
       "9.9.9"},
      {"0.3.1", config({{"cniVersion", "0.3.1"}}), Command::kAdd, kIncompatibleVersion, "0.3.1"},
      {"GC at 1.0.0", config(), Command::kGc, kIncompatibleVersion, "1.1.0"},
      {"STATUS at 0.4.0", config({{"cniVersion", "0.4.0"}}), Command::kStatus, kIncompatibleVersion,
       "1.1.0"},
      {"no name", config({{"name", nullptr}}), Command::kAdd, kInvalidConfig, "name is required"},
      {"bad name", config({{"name", "../x"}}), Command::kAdd, kInvalidConfig, "name:"},
      {"bridgeDomain a string", config({{"bridgeDomain", "ten"}}), Command::kAdd, kInvalidConfig,
       "bridgeDomain: must be an integer 1-16777215, got the string \"ten\""},
      {"bridgeDomain 0", config({{"bridgeDomain", 0}}), Command::kAdd, kInvalidConfig,
       "bridgeDomain"},
      {"bridgeDomain too big", config({{"bridgeDomain", 16777216}}), Command::kAdd, kInvalidConfig,
       "bridgeDomain"},
      {"bridgeDomain a float", config({{"bridgeDomain", 10.5}}), Command::kAdd, kInvalidConfig,
       "bridgeDomain"},
      {"bridgeDomain negative", config({{"bridgeDomain", -1}}), Command::kAdd, kInvalidConfig,
       "bridgeDomain"},
      {"no bridgeDomain", config({{"bridgeDomain", nullptr}}), Command::kAdd, kInvalidConfig,
       "bridgeDomain is required"},
      {"mtu a string", config({{"mtu", "x"}}), Command::kAdd, kInvalidConfig, "mtu: must be"},
      {"mtu too small", config({{"mtu", 67}}), Command::kAdd, kInvalidConfig, "mtu"},
      {"mtu too big", config({{"mtu", 9601}}), Command::kAdd, kInvalidConfig, "mtu"},
      {"client a string", config({{"client", "yes"}}), Command::kAdd, kInvalidConfig,
       "client: must be true or false"},
      {"no socketDir", config({{"socketDir", nullptr}}), Command::kAdd, kInvalidConfig,
       "socketDir is required"},
      {"relative socketDir", config({{"socketDir", "pods"}}), Command::kAdd, kInvalidConfig,
       "socketDir"},
      {"socketDir with ..", config({{"socketDir", "/run/../etc"}}), Command::kAdd, kInvalidConfig,
       "socketDir"},
      {"socketDir too long", config({{"socketDir", "/" + std::string(80, 'd')}}), Command::kAdd,
       kInvalidConfig, "too long"},
      {"socketDir a number", config({{"socketDir", 5}}), Command::kAdd, kInvalidConfig,
       "socketDir: must be a string"},
      {"server without scheme", config({{"server", "/run/np.sock"}}), Command::kAdd, kInvalidConfig,
       "server"},
      {"server relative", config({{"server", "unix://np.sock"}}), Command::kAdd, kInvalidConfig,
       "server"},
      {"server tcp no port", config({{"server", "tcp://127.0.0.1"}}), Command::kAdd, kInvalidConfig,
       "server"},
      {"server tcp port 0", config({{"server", "tcp://127.0.0.1:0"}}), Command::kAdd,
       kInvalidConfig, "server"},
      {"no ipam", config({{"ipam", nullptr}}), Command::kAdd, kInvalidConfig, "ipam is required"},
      {"ipam an array", config({{"ipam", nlohmann::json::array()}}), Command::kAdd, kInvalidConfig,
       "ipam: must be an object"},
      {"ipam without type", config({{"ipam", {{"subnet", "10.0.0.0/8"}}}}), Command::kAdd,
       kInvalidConfig, "ipam.type is required"},
      {"ipam type a path", config({{"ipam", {{"type", "../../bin/sh"}}}}), Command::kAdd,
       kInvalidConfig, "ipam.type"},
      {"ipam type a number", config({{"ipam", {{"type", 3}}}}), Command::kAdd, kInvalidConfig,
       "ipam.type: must be a string"},
      {"dns a string", config({{"dns", "8.8.8.8"}}), Command::kAdd, kInvalidConfig, "dns"},
      {"dns bad nameserver", config({{"dns", {{"nameservers", {"x"}}}}}), Command::kAdd,
       kInvalidConfig, "nameservers"},
      {"runtime mac multicast", config({{"runtimeConfig", {{"mac", "01:00:5e:00:00:01"}}}}),
       Command::kAdd, kInvalidConfig, "runtimeConfig.mac"},
      {"runtime mac garbage", config({{"runtimeConfig", {{"mac", "zz"}}}}), Command::kAdd,
       kInvalidConfig, "runtimeConfig.mac"},
      {"prevResult an array", config({{"prevResult", nlohmann::json::array()}}), Command::kCheck,
       kDecodeFailure, "prevResult"},
      {"attachments not a list", config({{"cni.dev/valid-attachments", 1}}), Command::kAdd,
       kInvalidConfig, "valid-attachments"},
      {"attachment without ifname",
       config({{"cni.dev/valid-attachments", {{{"containerID", "a"}}}}}), Command::kAdd,
       kInvalidConfig, "ifname"},
  };
  for (const BadCase& c : cases) {
    const std::optional<CniError> e =
        testlib::cni_error_of([&] { parse_net_config(c.input, c.command); });
    ASSERT_TRUE(e.has_value()) << c.what << ": accepted";
    EXPECT_EQ(e->code(), c.code) << c.what << ": " << e->msg();
    EXPECT_NE(e->msg().find(c.message_part), std::string::npos)
        << c.what << ": '" << e->msg() << "' does not name '" << c.message_part << "'";
  }
}

TEST(NetConfigTest, VersionReadsOnlyTheVersion) {
  EXPECT_NO_THROW(parse_net_config(R"({"cniVersion": "1.1.0"})", Command::kVersion));
  EXPECT_EQ(peek_version(R"({"cniVersion": "0.4.0", "x": 1})"), "0.4.0");
  EXPECT_FALSE(peek_version("nope").has_value());
  EXPECT_FALSE(peek_version(R"({"cniVersion": 1})").has_value());
}

TEST(NetConfigTest, ServerSocketPath) {
  EXPECT_EQ(server_socket_path("unix:///run/np/api.sock"), "/run/np/api.sock");
  EXPECT_EQ(server_socket_path("tcp://127.0.0.1:1"), "");
}

}  // namespace
}  // namespace np::cni
