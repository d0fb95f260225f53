#include "np/cni/version.h"

#include <algorithm>
#include <cstdlib>

namespace np::cni {

const std::vector<std::string>& supported_versions() {
  static const std::vector<std::string> versions = {"0.4.0", "1.0.0", "1.1.0"};
  return versions;
}

std::optional<Semver> parse_semver(const std::string& text) {
  Semver v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    size_t end = pos;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == pos || end - pos > 6) return std::nullopt;
    *parts[i] = std::atoi(text.substr(pos, end - pos).c_str());
    if (i < 2) {
      if (end >= text.size() || text[end] != '.') return std::nullopt;
      pos = end + 1;
    } else if (end != text.size()) {
      return std::nullopt;
    }
  }
  return v;
}

int compare_versions(const std::string& a, const std::string& b) {
  const std::optional<Semver> x = parse_semver(a), y = parse_semver(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  if (x->major != y->major) return x->major < y->major ? -1 : 1;
  if (x->minor != y->minor) return x->minor < y->minor ? -1 : 1;
  if (x->patch != y->patch) return x->patch < y->patch ? -1 : 1;
  return 0;
}

bool is_supported_version(const std::string& version) {
  const auto& v = supported_versions();
  return std::find(v.begin(), v.end(), version) != v.end();
}

std::optional<std::string> highest_common_version(const std::vector<std::string>& ours,
                                                  const std::vector<std::string>& theirs,
                                                  const std::string& limit) {
  std::optional<std::string> best;
  for (const std::string& v : ours) {
    if (std::find(theirs.begin(), theirs.end(), v) == theirs.end()) continue;
    if (compare_versions(v, limit) > 0) continue;
    if (!best || compare_versions(v, *best) > 0) best = v;
  }
  return best;
}

nlohmann::ordered_json version_json(const std::string& requested) {
  nlohmann::ordered_json out;
  out["cniVersion"] = is_supported_version(requested) ? requested : supported_versions().back();
  out["supportedVersions"] = supported_versions();
  return out;
}

}  // namespace np::cni
