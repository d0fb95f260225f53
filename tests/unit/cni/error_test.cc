// Errors: the spec's JSON object, the version list, and gRPC statuses mapped to CNI codes.
#include "np/cni/error.h"

#include <gtest/gtest.h>

#include "np/cni/dataplane_client.h"
#include "np/cni/version.h"

namespace np::cni {
namespace {

TEST(ErrorTest, JsonObject) {
  EXPECT_EQ(error_json(CniError(kInvalidConfig, "mtu: bad", "68-9600"), "1.0.0").dump(),
            R"({"cniVersion":"1.0.0","code":7,"msg":"mtu: bad","details":"68-9600"})");
  EXPECT_EQ(error_json(CniError(kTryAgainLater, "later"), "0.4.0").dump(),
            R"({"cniVersion":"0.4.0","code":11,"msg":"later"})");
}

TEST(ErrorTest, GrpcStatusesMapToCniCodes) {
  const std::pair<grpc::StatusCode, int> cases[] = {
      {grpc::StatusCode::UNAVAILABLE, kTryAgainLater},
      {grpc::StatusCode::DEADLINE_EXCEEDED, kTryAgainLater},
      {grpc::StatusCode::INVALID_ARGUMENT, kDataplaneRefused},
      {grpc::StatusCode::NOT_FOUND, kDataplaneRefused},
      {grpc::StatusCode::FAILED_PRECONDITION, kDataplaneRefused},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, kDataplaneRefused},
      {grpc::StatusCode::UNIMPLEMENTED, kDataplaneRefused},
  };
  for (const auto& [status, code] : cases) {
    const CniError e = to_cni_error(grpc::Status(status, "port 'x': no"), "AddPort x", "unix:///s");
    EXPECT_EQ(e.code(), code) << status;
    if (code == kTryAgainLater) {
      EXPECT_EQ(e.msg(), "nodeplane API unix:///s unreachable (AddPort x)");
      EXPECT_EQ(e.details(), "port 'x': no");
    } else {
      EXPECT_EQ(e.msg(), "nodeplane refused AddPort x: port 'x': no");
    }
  }
}

TEST(ErrorTest, GrpcTargets) {
  EXPECT_EQ(grpc_target("unix:///run/nodeplane/api.sock"), "unix:/run/nodeplane/api.sock");
  EXPECT_EQ(grpc_target("tcp://127.0.0.1:5000"), "127.0.0.1:5000");
}

TEST(VersionTest, SupportedAndCompared) {
  EXPECT_EQ(supported_versions(), (std::vector<std::string>{"0.4.0", "1.0.0", "1.1.0"}));
  EXPECT_TRUE(is_supported_version("1.0.0"));
  EXPECT_FALSE(is_supported_version("0.3.1"));
  EXPECT_LT(compare_versions("0.4.0", "1.0.0"), 0);
  EXPECT_LT(compare_versions("1.0.0", "1.0.10"), 0);
  EXPECT_GT(compare_versions("1.1.0", "1.0.99"), 0);
  EXPECT_EQ(compare_versions("1.0.0", "1.0.0"), 0);
  for (const char* bad : {"", "1", "1.0", "1.0.0.0", "v1.0.0", "1.0.x", "1..0"})
    EXPECT_FALSE(parse_semver(bad).has_value()) << bad;
}

TEST(VersionTest, HighestCommonVersion) {
  const std::vector<std::string> ours = {"0.3.1", "0.4.0", "1.0.0", "1.1.0"};
  const std::vector<std::string> host_local = {"0.1.0", "0.2.0", "0.3.0",
                                               "0.3.1", "0.4.0", "1.0.0"};
  EXPECT_EQ(highest_common_version(ours, host_local, "1.1.0"), "1.0.0");
  EXPECT_EQ(highest_common_version(ours, host_local, "0.4.0"), "0.4.0");
  EXPECT_FALSE(highest_common_version(ours, {"0.2.0"}, "1.1.0").has_value());
}

TEST(VersionTest, VersionAnswer) {
  EXPECT_EQ(version_json("1.0.0").dump(),
            R"({"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]})");
  EXPECT_EQ(version_json("9.9.9")["cniVersion"], "1.1.0");
  EXPECT_EQ(version_json("")["cniVersion"], "1.1.0");
}

}  // namespace
}  // namespace np::cni
