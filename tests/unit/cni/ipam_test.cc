// The IPAM delegate, played by /bin/sh scripts: the version both speak, what each command
// sends (environment, config), and what comes back.
#include "np/cni/ipam.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>

#include "np/cni/error.h"
#include "testlib/cni_support.h"
#include "testlib/temp_dir.h"

namespace np::cni {
namespace {

// Answers VERSION with SUPPORTED (a JSON list), records every other call's command,
// container, interface and stdin in LOG, and prints an ADD result.
constexpr char kFakeIpamHead[] = R"(in=$(cat)
if [ "$CNI_COMMAND" = VERSION ]; then
  echo '{"cniVersion":"1.0.0","supportedVersions":)";
constexpr char kFakeIpamTail[] = R"(}'
  exit 0
fi
printf '%s %s %s %s\n' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_IFNAME" "$in" >> "$(dirname "$0")/log"
if [ "$CNI_COMMAND" = ADD ]; then
  echo '{"cniVersion":"1.0.0","ips":[{"address":"10.66.0.10/24","gateway":"10.66.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}'
fi
)";

class IpamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_fake("fake-ipam", R"(["0.3.1","0.4.0","1.0.0"])");  // As Debian's host-local.
    env_.command = Command::kAdd;
    env_.container_id = "c1";
    env_.ifname = "net1";
    env_.netns = "/var/run/netns/p";
    env_.path = {dir_};
  }

  void install_fake(const std::string& name, const std::string& supported) {
    testlib::write_script(dir_ + "/" + name,
                          std::string(kFakeIpamHead) + supported + kFakeIpamTail);
  }

  NetConfig conf(const std::string& version) {
    NetConfig c;
    c.cni_version = version;
    c.name = "pods";
    c.ipam_type = "fake-ipam";
    c.raw = {{"cniVersion", version},
             {"name", "pods"},
             {"ipam", {{"type", "fake-ipam"}}},
             {"prevResult", {{"cniVersion", version}}}};
    return c;
  }

  std::vector<std::string> log() {
    std::ifstream in(dir_ + "/log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  testlib::TempDir temp_{"np-cni-ipam"};
  const std::string dir_ = temp_.path();
  CniEnv env_;
};

TEST_F(IpamTest, NegotiatesDownToWhatTheDelegateSpeaks) {
  NetConfig c = conf("1.1.0");
  Ipam ipam(c, env_);
  EXPECT_EQ(ipam.version(), "1.0.0");
  EXPECT_FALSE(ipam.speaks_1_1());
  NetConfig old = conf("0.4.0");
  Ipam ipam_old(old, env_);
  EXPECT_EQ(ipam_old.version(), "0.4.0");
}

TEST_F(IpamTest, AddSendsTheConfigInTheCommonVersion) {
  NetConfig c = conf("1.1.0");
  Ipam ipam(c, env_);
  const Result r = ipam.add();
  ASSERT_EQ(r.ips.size(), 1u);
  EXPECT_EQ(r.ips[0].address, "10.66.0.10/24");
  const std::vector<std::string> calls = log();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].substr(0, 12), "ADD c1 net1 ");
  const nlohmann::json sent = nlohmann::json::parse(calls[0].substr(12));
  EXPECT_EQ(sent["cniVersion"], "1.0.0");
  EXPECT_EQ(sent["ipam"]["type"], "fake-ipam");
  EXPECT_FALSE(sent.contains("prevResult"));  // Ours is not the delegate's business.
}

TEST_F(IpamTest, DelAndCheck) {
  NetConfig c = conf("1.0.0");
  Ipam ipam(c, env_);
  ipam.del("other", "eth9");
  Result prev;
  prev.ips.push_back({"10.66.0.10/24", "10.66.0.1", -1});
  ipam.check(prev);
  const std::vector<std::string> calls = log();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].substr(0, 15), "DEL other eth9 ");
  EXPECT_EQ(calls[1].substr(0, 14), "CHECK c1 net1 ");
  const nlohmann::json sent = nlohmann::json::parse(calls[1].substr(14));
  EXPECT_EQ(sent["prevResult"]["ips"][0]["address"], "10.66.0.10/24");
}

TEST_F(IpamTest, GcAndStatusReachADelegateThatSpeaks1_1) {
  install_fake("ipam-1.1", R"(["1.0.0","1.1.0"])");
  NetConfig c = conf("1.1.0");
  c.ipam_type = "ipam-1.1";
  c.raw["ipam"]["type"] = "ipam-1.1";
  Ipam ipam(c, env_);
  ASSERT_TRUE(ipam.speaks_1_1());
  ipam.gc({{"c1", "net1"}, {"c2", "eth0"}});
  ipam.status();
  const std::vector<std::string> calls = log();
  ASSERT_EQ(calls.size(), 2u);
  ASSERT_EQ(calls[0].substr(0, 5), "GC   ");  // GC has no container or interface.
  const nlohmann::json sent = nlohmann::json::parse(calls[0].substr(5));
  EXPECT_EQ(sent["cniVersion"], "1.1.0");
  EXPECT_EQ(sent["ipam"]["type"], "ipam-1.1");
  EXPECT_EQ(sent["cni.dev/valid-attachments"],
            nlohmann::json::parse(
                R"([{"containerID":"c1","ifname":"net1"},{"containerID":"c2","ifname":"eth0"}])"));
  EXPECT_FALSE(sent.contains("prevResult"));
  EXPECT_EQ(calls[1].substr(0, 9), "STATUS   ");
  EXPECT_EQ(nlohmann::json::parse(calls[1].substr(9))["cniVersion"], "1.1.0");
}

TEST_F(IpamTest, NoCommonVersion) {
  testlib::write_script(dir_ + "/old-ipam", "echo '{\"supportedVersions\":[\"0.2.0\"]}'\n");
  NetConfig c = conf("1.0.0");
  c.ipam_type = "old-ipam";
  Ipam ipam(c, env_);
  const std::optional<CniError> e = testlib::cni_error_of([&] { ipam.version(); });
  ASSERT_TRUE(e.has_value()) << "accepted";
  EXPECT_EQ(e->code(), kIpamFailed);
  EXPECT_EQ(e->details(), "it supports: 0.2.0");
}

TEST_F(IpamTest, AddWithoutAResultFails) {
  testlib::write_script(
      dir_ + "/mute-ipam",
      "[ \"$CNI_COMMAND\" = VERSION ] && echo '{\"supportedVersions\":[\"1.0.0\"]}'\n"
      "exit 0\n");
  NetConfig c = conf("1.0.0");
  c.ipam_type = "mute-ipam";
  Ipam ipam(c, env_);
  const std::optional<CniError> e = testlib::cni_error_of([&] { ipam.add(); });
  ASSERT_TRUE(e.has_value()) << "accepted";
  EXPECT_EQ(e->code(), kIpamFailed);
  EXPECT_NE(e->msg().find("printed no result"), std::string::npos);
}

}  // namespace
}  // namespace np::cni
