// The files in socketDir: the folder check, the pod's JSON written whole, removal rules.
#include "np/cni/pod_file.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "np/cni/error.h"
#include "testlib/cni_support.h"
#include "testlib/temp_dir.h"

namespace np::cni {
namespace {

class PodFileTest : public ::testing::Test {
 protected:
  int code_of_check(const std::string& dir) {
    const std::optional<CniError> e = testlib::cni_error_of([&] { check_socket_dir(dir); });
    return e ? e->code() : 0;
  }

  testlib::TempDir temp_{"np-cni-files"};
  const std::string dir_ = temp_.path();
};

TEST_F(PodFileTest, SocketDirCheckLeavesNothing) {
  EXPECT_EQ(code_of_check(dir_), 0);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
  EXPECT_EQ(code_of_check(dir_ + "/missing"), kInvalidConfig);
  std::ofstream(dir_ + "/file") << "x";
  EXPECT_EQ(code_of_check(dir_ + "/file"), kInvalidConfig);
}

TEST_F(PodFileTest, WritesReadsAndRemoves) {
  const std::string path = dir_ + "/pod.json";
  write_pod_file(path, {{"mac", "0a:58:0a:42:00:0b"}, {"mtu", 1500}});
  EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms(0644));
  const auto back = read_pod_file(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ((*back)["mtu"], 1500);
  write_pod_file(path, {{"mac", "02:00:00:00:00:01"}});  // Replaced whole.
  EXPECT_EQ((*read_pod_file(path))["mac"], "02:00:00:00:00:01");
  EXPECT_FALSE(read_pod_file(path)->contains("mtu"));
  EXPECT_EQ(remove_pod_file(path), "");
  EXPECT_EQ(remove_pod_file(path), "");  // Gone already.
  EXPECT_FALSE(read_pod_file(path).has_value());
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(PodFileTest, WriteOverAFolderFailsAndCleansUp) {
  const std::string path = dir_ + "/pod.json";
  std::filesystem::create_directory(path);
  const std::optional<CniError> e = testlib::cni_error_of([&] {
    write_pod_file(path, {{"a", 1}});
  });
  ASSERT_TRUE(e.has_value()) << "wrote over a folder";
  EXPECT_EQ(e->code(), kIoFailure);
  EXPECT_NE(e->msg().find(path), std::string::npos);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);  // No temp file.
  EXPECT_EQ(remove_pod_file(path), "");  // Not ours: left alone, and no reason to fail DEL.
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

// socketDir is shared with pods: what a pod leaves at its file's name is never followed,
// never blocks, and goes on removal.
TEST_F(PodFileTest, WhatAPodLeftInPlaceOfItsFile) {
  const std::string target = dir_ + "/target.json";
  write_pod_file(target, {{"mac", "02:00:00:00:00:01"}});
  const std::string link = dir_ + "/link.json", fifo = dir_ + "/fifo.json",
                    big = dir_ + "/big.json";
  std::filesystem::create_symlink(target, link);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  std::ofstream(big) << "{\"pad\": \"" << std::string(100 * 1024, 'x') << "\"}";
  for (const std::string& path : {link, fifo, big}) {
    EXPECT_FALSE(read_pod_file(path).has_value()) << path;
    EXPECT_EQ(remove_pod_file(path), "") << path;
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(path))) << path;
  }
  EXPECT_TRUE(read_pod_file(target).has_value()) << "the link's target is untouched";
}

TEST_F(PodFileTest, OnlySocketsAreRemovedAsSockets) {
  const std::string sock = dir_ + "/pod.sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  close(fd);
  EXPECT_TRUE(is_socket(sock));
  EXPECT_EQ(remove_socket_file(sock), "");
  EXPECT_FALSE(std::filesystem::exists(sock));
  std::ofstream(sock) << "not a socket";
  EXPECT_EQ(remove_socket_file(sock), "");
  EXPECT_TRUE(std::filesystem::exists(sock));  // A file of another kind is left alone.
}

}  // namespace
}  // namespace np::cni
