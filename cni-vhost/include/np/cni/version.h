// CNI spec versions: what this plugin speaks, comparing versions, and picking the version to
// speak with a delegate (host-local from containernetworking-plugins 1.1 stops at 1.0.0).
//
// Thread: any.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace np::cni {

// The versions this plugin accepts in cniVersion, oldest first. GC and STATUS need 1.1.0.
const std::vector<std::string>& supported_versions();

// The version an error is reported in when stdin's cniVersion is unknown or unreadable.
inline constexpr char kDefaultVersion[] = "1.0.0";

struct Semver {
  int major = 0;
  int minor = 0;
  int patch = 0;
};

// Parses "MAJOR.MINOR.PATCH" (each a decimal number); nullopt for anything else.
std::optional<Semver> parse_semver(const std::string& text);

// <0, 0 or >0 as a is older than, the same as or newer than b. Unparsable versions sort first.
int compare_versions(const std::string& a, const std::string& b);

bool is_supported_version(const std::string& version);

// The newest version in both `ours` and `theirs` that is not newer than `limit`; nullopt when
// there is none.
std::optional<std::string> highest_common_version(const std::vector<std::string>& ours,
                                                  const std::vector<std::string>& theirs,
                                                  const std::string& limit);

// The answer to CNI_COMMAND=VERSION: {cniVersion, supportedVersions}. cniVersion is
// `requested` when we support it, else the newest we support.
nlohmann::ordered_json version_json(const std::string& requested);

}  // namespace np::cni
