// Names derived from an attachment: deterministic, valid port names, distinct per attachment.
#include "np/cni/naming.h"

#include <gtest/gtest.h>

#include <set>

namespace np::cni {
namespace {

// "PREFIX-" followed by 8 lowercase hex digits, and nothing else.
bool has_shape(const std::string& name, const std::string& prefix) {
  if (name.size() != prefix.size() + 9 || name.compare(0, prefix.size(), prefix) != 0 ||
      name[prefix.size()] != '-')
    return false;
  return name.find_first_not_of("0123456789abcdef", prefix.size() + 1) == std::string::npos;
}

TEST(NamingTest, PortNameShape) {
  const std::string id(64, 'f');
  const std::string name = port_name("pods", id, "net1");
  EXPECT_EQ(name.size(), 25u);
  EXPECT_TRUE(has_shape(name, "cni-ffffffffffff")) << name;
  EXPECT_EQ(port_name("pods", id, "net1"), name);  // The same attachment, the same name.
  EXPECT_TRUE(has_shape(port_name("n", "a.b_c-D", "eth0"), "cni-a.b_c-D"));
}

TEST(NamingTest, PortNamesDifferPerAttachment) {
  const std::string id = "0123456789abcdef";
  std::set<std::string> names = {port_name("pods", id, "net1"), port_name("pods", id, "net2"),
                                 port_name("other", id, "net1"),
                                 port_name("pods", id + "0", "net1")};
  EXPECT_EQ(names.size(), 4u);
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  EXPECT_NE(port_name("ab", "c", "x"), port_name("a", "bc", "x"));
}

TEST(NamingTest, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(NamingTest, Paths) {
  EXPECT_EQ(socket_path("/run/pods", "cni-x"), "/run/pods/cni-x.sock");
  EXPECT_EQ(pod_file_path("/run/pods", "cni-x"), "/run/pods/cni-x.json");
  EXPECT_EQ(socket_path("/", "cni-x"), "/cni-x.sock");
}

TEST(NamingTest, MacFromIpv4) {
  EXPECT_EQ(mac_from_ipv4(0x0a42000b), "0a:58:0a:42:00:0b");
  EXPECT_TRUE(normalize_unicast_mac(mac_from_ipv4(0xffffffff)).has_value());
}

TEST(NamingTest, NormalizeUnicastMac) {
  EXPECT_EQ(normalize_unicast_mac("02:AB:cd:00:00:01"), "02:ab:cd:00:00:01");
  for (const char* bad :
       {"", "02:ab:cd:00:00", "02:ab:cd:00:00:01:02", "02-ab-cd-00-00-01", "0g:00:00:00:00:01",
        "00:00:00:00:00:00", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "02:ab:cd:00:00:1"})
    EXPECT_FALSE(normalize_unicast_mac(bad).has_value()) << bad;
}

}  // namespace
}  // namespace np::cni
