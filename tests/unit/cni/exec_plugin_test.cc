// Running delegates: fake IPAM plugins written as /bin/sh scripts in a temporary CNI_PATH
// folder (success, error object, garbage, silence, a hang, a missing binary).
#include "np/cni/exec_plugin.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "np/cni/error.h"
#include "testlib/cni_support.h"
#include "testlib/temp_dir.h"

namespace np::cni {
namespace {

using namespace std::chrono_literals;

class ExecPluginTest : public ::testing::Test {
 protected:
  // A script `name` in the folder, made executable.
  void plugin(const std::string& name, const std::string& body, mode_t mode = 0755) {
    testlib::write_script(dir_ + "/" + name, body, mode);
  }

  // invoke_delegate's error; code 0 when it succeeds.
  CniError error_of(const std::string& type, std::chrono::milliseconds timeout = 5000ms) {
    return testlib::cni_error_of([&] {
             invoke_delegate(type, {dir_}, {{"CNI_COMMAND", "ADD"}}, "{}", timeout);
           })
        .value_or(CniError(0, ""));
  }

  testlib::TempDir temp_{"np-cni-exec"};
  const std::string dir_ = temp_.path();
};

TEST_F(ExecPluginTest, FindsPluginsInPathOrder) {
  plugin("ipam", "exit 0\n");
  plugin("noexec", "exit 0\n", 0644);
  std::filesystem::create_directory(dir_ + "/folder");
  EXPECT_EQ(find_plugin("ipam", {"/nonexistent", dir_}), dir_ + "/ipam");
  EXPECT_EQ(find_plugin("ipam", {dir_ + "/"}), dir_ + "/ipam");
  EXPECT_EQ(find_plugin("noexec", {dir_}), "");
  EXPECT_EQ(find_plugin("folder", {dir_}), "");
  EXPECT_EQ(find_plugin("missing", {dir_}), "");
}

TEST_F(ExecPluginTest, PassesEnvironmentAndStdin) {
  // Echoes its CNI_COMMAND and stdin back as JSON; stdout and stderr are kept apart.
  plugin("echo",
         "in=$(cat)\necho \"log line\" >&2\n"
         "printf '{\"command\":\"%s\",\"ifname\":\"%s\",\"stdin\":%s}' "
         "\"$CNI_COMMAND\" \"$CNI_IFNAME\" \"$in\"\n");
  const nlohmann::json out = invoke_delegate(
      "echo", {dir_}, {{"CNI_COMMAND", "ADD"}, {"CNI_IFNAME", "net1"}}, R"({"a": [1, 2]})", 5000ms);
  EXPECT_EQ(out["command"], "ADD");
  EXPECT_EQ(out["ifname"], "net1");
  EXPECT_EQ(out["stdin"]["a"][1], 2);
}

TEST_F(ExecPluginTest, LargeStdinDoesNotDeadlock) {
  // More than a pipe holds in both directions at once.
  plugin("cat", "cat\n");
  const std::string big = "{\"x\":\"" + std::string(1 << 20, 'y') + "\"}";
  const nlohmann::json out = invoke_delegate("cat", {dir_}, {}, big, 10000ms);
  EXPECT_EQ(out["x"].get<std::string>().size(), 1u << 20);
}

TEST_F(ExecPluginTest, ErrorObjectGoesToDetails) {
  plugin("fails",
         "cat >/dev/null\necho '{\"cniVersion\":\"1.0.0\",\"code\":999,"
         "\"msg\":\"no addresses left\",\"details\":\"range 10.66.0.10-10.66.0.10\"}'\nexit 1\n");
  const CniError e = error_of("fails");
  EXPECT_EQ(e.code(), kIpamFailed);
  EXPECT_EQ(e.msg(), "IPAM plugin 'fails' (ADD) failed: no addresses left");
  EXPECT_EQ(e.details(), "code 999: no addresses left (range 10.66.0.10-10.66.0.10)");
}

TEST_F(ExecPluginTest, GarbageAndBareFailures) {
  plugin("garbage", "echo 'not json'\n");
  EXPECT_EQ(error_of("garbage").code(), kIpamFailed);
  EXPECT_NE(error_of("garbage").msg().find("not a JSON object"), std::string::npos);
  plugin("dies", "echo oops >&2\nexit 3\n");
  const CniError e = error_of("dies");
  EXPECT_EQ(e.code(), kIpamFailed);
  EXPECT_NE(e.msg().find("exit status 3"), std::string::npos) << e.msg();
  EXPECT_EQ(e.details(), "oops");
  plugin("killed", "kill -9 $$\n");
  EXPECT_NE(error_of("killed").msg().find("exit status 137"), std::string::npos);
}

TEST_F(ExecPluginTest, SilenceIsNull) {
  // DEL prints nothing; a delegate that does not read its stdin is fine too.
  plugin("quiet", "exit 0\n");
  EXPECT_TRUE(invoke_delegate("quiet", {dir_}, {}, std::string(256 * 1024, ' '), 5000ms).is_null());
}

TEST_F(ExecPluginTest, MissingPlugin) {
  const CniError e = error_of("no-such-ipam");
  EXPECT_EQ(e.code(), kIpamFailed);
  EXPECT_EQ(e.msg(), "IPAM plugin 'no-such-ipam' not found in CNI_PATH");
  EXPECT_EQ(e.details(), "CNI_PATH=" + dir_);
}

TEST_F(ExecPluginTest, HangIsKilledWithWhatItStarted) {
  // The script and its child both hold stdout; both must go.
  plugin("hang", "sleep 30 &\necho $! > \"$PIDFILE\"\nsleep 30\n");
  const auto start = std::chrono::steady_clock::now();
  const ExecOutcome run =
      exec_program(dir_ + "/hang", {{"PIDFILE", dir_ + "/child.pid"}}, "", 1000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(run.started);
  EXPECT_TRUE(run.timed_out);
  int child = 0;
  std::ifstream(dir_ + "/child.pid") >> child;
  ASSERT_GT(child, 0);
  // The killed child is reaped by init shortly after; until then it may be a zombie.
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, comm, state;
    gone = !(stat >> pid >> comm >> state) || state == "Z";
    if (!gone) usleep(20000);
  }
  EXPECT_TRUE(gone) << "the delegate's child " << child << " survived the timeout";

  plugin("slow", "sleep 30\n");
  const CniError e = error_of("slow", 200ms);
  EXPECT_EQ(e.code(), kIpamFailed);
  EXPECT_EQ(e.msg(), "IPAM plugin 'slow' (ADD) timed out after 200 ms");
}

TEST_F(ExecPluginTest, ClosingItsPipesDoesNotEscapeTheTimeout) {
  plugin("mute", "exec >&- 2>&-\nsleep 30\n");
  const auto start = std::chrono::steady_clock::now();
  const CniError e = error_of("mute", 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(e.code(), kIpamFailed);
  EXPECT_EQ(e.msg(), "IPAM plugin 'mute' (ADD) timed out after 300 ms");
}

TEST_F(ExecPluginTest, NotExecutableFormat) {
  const std::string path = dir_ + "/badformat";
  std::ofstream(path) << "\x7f"
                         "ELFgarbage";
  chmod(path.c_str(), 0755);
  const CniError e = error_of("badformat");
  EXPECT_EQ(e.code(), kIpamFailed);
}

}  // namespace
}  // namespace np::cni
