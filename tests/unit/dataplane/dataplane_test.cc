// The Dataplane facade without workers: ports on ring devices, bridge domains replaced as
// the API replaces them, static MACs kept in place across unrelated changes.
#include "np/dp/dataplane.h"

#include <gtest/gtest.h>

#include "testlib/eal_env.h"
#include "testlib/packet_builder.h"

namespace np::dp {
namespace {

class DataplaneTest : public ::testing::Test {
 protected:
  static DataplaneOptions options() {
    DataplaneOptions o;
    o.mbuf_count = 4095;
    o.mac_table_capacity = 1024;
    return o;
  }
  static PortSpec ring(const std::string& name) {
    PortSpec spec;
    spec.name = name;
    spec.kind = PortKind::kRing;
    return spec;
  }
  static BridgeDomainSpec domain(uint32_t id, std::vector<std::string> ports,
                                 std::vector<StaticMac> statics = {}) {
    BridgeDomainSpec d;
    d.id = id;
    d.ports = std::move(ports);
    d.static_macs = std::move(statics);
    return d;
  }

  bool eal_ = (testlib::ensure_eal(), true);
  Dataplane dp_{options()};
};

TEST_F(DataplaneTest, StaticMacsStayInPlaceAcrossUnrelatedChanges) {
  ASSERT_TRUE(dp_.add_port(ring("r0")).ok());
  ASSERT_TRUE(dp_.add_port(ring("r1")).ok());
  ASSERT_TRUE(dp_.add_port(ring("r2")).ok());
  const StaticMac s{testlib::mac("02:00:00:00:00:05"), "r1"};
  ASSERT_TRUE(dp_.set_bridge_domains({domain(7, {"r0", "r1"}, {s})}).ok());
  ASSERT_EQ(dp_.list_macs().size(), 1u);
  ASSERT_TRUE(dp_.set_bridge_domains({domain(7, {"r0", "r1"}, {s}), domain(8, {"r2"})}).ok());
  const std::vector<MacRow> rows = dp_.list_macs();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].domain_id, 7u);
  EXPECT_EQ(rows[0].port, "r1");
  EXPECT_TRUE(rows[0].is_static);
  ASSERT_TRUE(dp_.set_bridge_domains({domain(7, {"r0", "r1"})}).ok());
  EXPECT_TRUE(dp_.list_macs().empty()) << "a static MAC no longer configured is removed";
}

TEST_F(DataplaneTest, RefusesBadDomainsAndChangesNothing) {
  ASSERT_TRUE(dp_.add_port(ring("r0")).ok());
  ASSERT_TRUE(dp_.add_port(ring("r1")).ok());
  ASSERT_TRUE(dp_.set_bridge_domains({domain(1, {"r0"})}).ok());
  EXPECT_FALSE(dp_.set_bridge_domains({domain(2, {"nope"})}).ok());
  EXPECT_FALSE(dp_.set_bridge_domains({domain(2, {"r0"}), domain(3, {"r0"})}).ok());
  EXPECT_FALSE(
      dp_.set_bridge_domains({domain(2, {"r0"}, {{testlib::mac("02:00:00:00:00:01"), "r1"}})})
          .ok());
  const DataplaneStats stats = dp_.stats();
  ASSERT_EQ(stats.domains.size(), 1u);
  EXPECT_EQ(stats.domains[0].id, 1u);
}

TEST_F(DataplaneTest, PortsAreAddedRemovedAndNamedOnce) {
  ASSERT_TRUE(dp_.add_port(ring("r0")).ok());
  EXPECT_FALSE(dp_.add_port(ring("r0")).ok()) << "duplicate name";
  ASSERT_EQ(dp_.stats().ports.size(), 1u);
  EXPECT_TRUE(dp_.remove_port("r0"));
  EXPECT_FALSE(dp_.remove_port("r0"));
  EXPECT_TRUE(dp_.stats().ports.empty());
  EXPECT_TRUE(dp_.add_port(ring("r0")).ok()) << "the name is free again";
}

}  // namespace
}  // namespace np::dp
