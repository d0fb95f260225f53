// The saved state reads back, through the config loader, as the state that was saved.
#include "np/control/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "np/control/config_loader.h"

namespace np::control {
namespace {

TEST(StateFileTest, RoundTripsThroughTheLoader) {
  Config c;
  ASSERT_TRUE(
      load_config_file(std::string(NP_SOURCE_DIR) + "/control/examples/reference.yaml", c).is_ok());
  Config back;
  const Status st = load_config_text(to_yaml(c), "state.yaml", back);
  ASSERT_TRUE(st.is_ok()) << st.message() << "\n" << to_yaml(c);
  EXPECT_EQ(to_yaml(back), to_yaml(c));
  ASSERT_EQ(back.ports.size(), c.ports.size());
  for (size_t i = 0; i < c.ports.size(); ++i) {
    EXPECT_EQ(back.ports[i].name, c.ports[i].name);
    EXPECT_EQ(back.ports[i].type, c.ports[i].type);
    EXPECT_EQ(back.ports[i].mac, c.ports[i].mac);
    EXPECT_EQ(back.ports[i].mtu, c.ports[i].mtu);
  }
  ASSERT_EQ(back.bridge_domains.size(), c.bridge_domains.size());
  EXPECT_EQ(back.bridge_domains[0].static_macs.size(), c.bridge_domains[0].static_macs.size());
  EXPECT_EQ(back.dpdk.workers, c.dpdk.workers);
}

TEST(StateFileTest, SaveReplacesTheFileWholeAndPrivately) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("np-state-" + std::to_string(getpid()));
  Config c;
  c.state_dir = dir;
  ASSERT_TRUE(save_state(c).is_ok());
  c.node_name = "second";
  ASSERT_TRUE(save_state(c).is_ok());
  Config back;
  ASSERT_TRUE(load_config_file(state_file_path(dir), back).is_ok());
  EXPECT_EQ(back.node_name, "second");
  EXPECT_FALSE(std::filesystem::exists(state_file_path(dir) + ".tmp"));
  EXPECT_EQ(
      std::filesystem::status(state_file_path(dir)).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

TEST(StateFileTest, UnwritableDirectoryIsAnError) {
  Config c;
  c.state_dir = "/proc/np-no-such-dir";
  const Status st = save_state(c);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("/proc/np-no-such-dir"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace np::control
