// The CNI_* variables: which each command needs, and their rules.
#include "np/cni/env.h"

#include <gtest/gtest.h>

#include <map>

#include "np/cni/error.h"
#include "np/cni/naming.h"
#include "testlib/cni_support.h"

namespace np::cni {
namespace {

using Vars = std::map<std::string, std::string>;

Vars add_vars() {
  return {{"CNI_COMMAND", "ADD"},
          {"CNI_CONTAINERID", "c0ffee"},
          {"CNI_NETNS", "/var/run/netns/pod"},
          {"CNI_IFNAME", "net1"},
          {"CNI_PATH", "/opt/cni/bin:/usr/lib/cni"},
          {"CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=app"}};
}

CniEnv read(const Vars& vars) {
  return read_env([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

// The code and message of read(vars)'s error; code 0 when it succeeds.
std::pair<int, std::string> error_of(const Vars& vars) {
  const std::optional<CniError> e = testlib::cni_error_of([&] { read(vars); });
  return e ? std::pair<int, std::string>{e->code(), e->msg()} : std::pair<int, std::string>{0, ""};
}

TEST(EnvTest, AddReadsEverything) {
  const CniEnv env = read(add_vars());
  EXPECT_EQ(env.command, Command::kAdd);
  EXPECT_EQ(env.container_id, "c0ffee");
  EXPECT_EQ(env.netns, "/var/run/netns/pod");
  EXPECT_EQ(env.ifname, "net1");
  EXPECT_EQ(env.path, (std::vector<std::string>{"/opt/cni/bin", "/usr/lib/cni"}));
  EXPECT_EQ(env.arg("K8S_POD_NAME"), "app");
  EXPECT_EQ(env.arg("MISSING"), "");
}

TEST(EnvTest, MissingVariablesPerCommand) {
  struct Case {
    const char* command;
    const char* unset;
    bool fails;
  };
  const Case cases[] = {
      {"ADD", "CNI_CONTAINERID", true}, {"ADD", "CNI_NETNS", true},
      {"ADD", "CNI_IFNAME", true},      {"ADD", "CNI_PATH", true},
      {"ADD", "CNI_ARGS", false},       {"DEL", "CNI_NETNS", false},
      {"DEL", "CNI_CONTAINERID", true}, {"DEL", "CNI_PATH", true},
      {"CHECK", "CNI_NETNS", true},     {"GC", "CNI_CONTAINERID", false},
      {"GC", "CNI_PATH", true},         {"STATUS", "CNI_PATH", false},
      {"STATUS", "CNI_IFNAME", false},  {"VERSION", "CNI_PATH", false},
  };
  for (const Case& c : cases) {
    Vars vars = add_vars();
    vars["CNI_COMMAND"] = c.command;
    vars.erase(c.unset);
    const auto [code, msg] = error_of(vars);
    if (c.fails) {
      EXPECT_EQ(code, kInvalidEnvironment) << c.command << " without " << c.unset;
      EXPECT_NE(msg.find(c.unset), std::string::npos) << msg;
    } else {
      EXPECT_EQ(code, 0) << c.command << " without " << c.unset << ": " << msg;
    }
  }
}

TEST(EnvTest, CommandRules) {
  Vars vars = add_vars();
  vars.erase("CNI_COMMAND");
  EXPECT_EQ(error_of(vars).first, kInvalidEnvironment);
  vars["CNI_COMMAND"] = "FOO";
  EXPECT_EQ(error_of(vars), std::make_pair(int(kInvalidEnvironment),
                                           std::string("CNI_COMMAND: unknown command 'FOO'")));
  vars["CNI_COMMAND"] = "add";  // Commands are upper case.
  EXPECT_EQ(error_of(vars).first, kInvalidEnvironment);
  EXPECT_EQ(parse_command("STATUS"), Command::kStatus);
  EXPECT_STREQ(command_name(Command::kGc), "GC");
}

TEST(EnvTest, ContainerIdRules) {
  for (const char* bad : {"../etc", "a/b", ".hidden", "-x", "_x", "a b", "a;b", "a\nb", ""}) {
    EXPECT_FALSE(is_cni_name(bad)) << bad;
    if (*bad) {
      Vars vars = add_vars();
      vars["CNI_CONTAINERID"] = bad;
      EXPECT_EQ(error_of(vars).first, kInvalidEnvironment) << bad;
    }
  }
  for (const char* good : {"a", "0123abcdef", "pod_1.x-y", "A..B"})
    EXPECT_TRUE(is_cni_name(good)) << good;
}

TEST(EnvTest, IfnameRules) {
  for (const char* bad : {".", "..", "a/b", "a:b", "a b", "a\tb", "0123456789abcdef"}) {
    EXPECT_TRUE(ifname_problem(bad).has_value()) << bad;
    Vars vars = add_vars();
    vars["CNI_IFNAME"] = bad;
    EXPECT_EQ(error_of(vars).first, kInvalidEnvironment) << bad;
  }
  EXPECT_FALSE(ifname_problem("eth0").has_value());
  EXPECT_FALSE(ifname_problem("0123456789abcde").has_value());  // 15 characters.
}

TEST(EnvTest, CniArgs) {
  EXPECT_EQ(parse_cni_args(""), (std::map<std::string, std::string>{}));
  EXPECT_EQ(parse_cni_args("A=1;B=;C=x=y;;"),
            (std::map<std::string, std::string>{{"A", "1"}, {"B", ""}, {"C", "x=y"}}));
  for (const char* bad : {"A", "=1", "A=1;B"}) {
    const std::optional<CniError> e = testlib::cni_error_of([&] { parse_cni_args(bad); });
    ASSERT_TRUE(e.has_value()) << bad;
    EXPECT_EQ(e->code(), kInvalidEnvironment);
    EXPECT_NE(e->msg().find("CNI_ARGS"), std::string::npos);
  }
}

TEST(EnvTest, EmptyPathEntriesAreDropped) {
  Vars vars = add_vars();
  vars["CNI_PATH"] = ":/a::/b:";
  EXPECT_EQ(read(vars).path, (std::vector<std::string>{"/a", "/b"}));
  vars["CNI_PATH"] = ":";
  EXPECT_EQ(error_of(vars).first, kInvalidEnvironment);
}

}  // namespace
}  // namespace np::cni
