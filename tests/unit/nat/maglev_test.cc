// Maglev tables: the spread over backends (equal and weighted), the entries that move when
// a backend leaves or joins, and independence from the backends' order in the list.
#include "np/nat/maglev.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace np::nat {
namespace {

std::vector<MaglevBackend> backends(uint32_t n, uint64_t first_key = 1) {
  std::vector<MaglevBackend> out;
  for (uint32_t i = 0; i < n; ++i) out.push_back({(0x0a000000ULL + first_key + i) << 16 | 8080, 1});
  return out;
}

// Entries per backend.
std::vector<uint32_t> shares(const std::vector<uint16_t>& table, size_t n) {
  std::vector<uint32_t> count(n, 0);
  for (uint16_t e : table) ++count.at(e);
  return count;
}

// The backend key of each entry, so tables over different lists compare by identity.
std::vector<uint64_t> owners(const std::vector<uint16_t>& table,
                             const std::vector<MaglevBackend>& list) {
  std::vector<uint64_t> out;
  for (uint16_t e : table) out.push_back(list.at(e).key);
  return out;
}

TEST(MaglevTest, SizesArePrime) {
  EXPECT_TRUE(is_prime(kDefaultMaglevSize));
  EXPECT_TRUE(is_prime(251));
  EXPECT_FALSE(is_prime(65536));
  EXPECT_FALSE(is_prime(1));
  EXPECT_FALSE(is_prime(0));
  EXPECT_FALSE(is_prime(65535));
}

TEST(MaglevTest, EqualBackendsGetTheirShareWithinOnePercent) {
  for (uint32_t n : {2u, 3u, 10u, 100u, 1000u}) {
    const std::vector<uint16_t> table = build_maglev(backends(n), kDefaultMaglevSize);
    const double ideal = static_cast<double>(kDefaultMaglevSize) / n;
    for (uint32_t count : shares(table, n))
      EXPECT_LE(std::abs(count - ideal), std::max(0.01 * ideal, 1.0)) << n << " backends";
  }
}

TEST(MaglevTest, WeightedBackendsGetSharesInProportionWithinOnePercent) {
  std::vector<MaglevBackend> list = backends(4);
  const uint32_t weights[] = {1, 2, 3, 10};
  for (size_t i = 0; i < list.size(); ++i) list[i].weight = weights[i];
  const std::vector<uint32_t> count = shares(build_maglev(list, kDefaultMaglevSize), 4);
  for (size_t i = 0; i < list.size(); ++i) {
    const double ideal = kDefaultMaglevSize * weights[i] / 16.0;
    EXPECT_LE(std::abs(count[i] - ideal), 0.01 * ideal) << "weight " << weights[i];
  }
}

TEST(MaglevTest, RemovingABackendRemapsItsShareAndAlmostNothingElse) {
  const std::vector<MaglevBackend> before = backends(10);
  std::vector<MaglevBackend> after = before;
  after.erase(after.begin() + 3);
  const std::vector<uint64_t> a = owners(build_maglev(before, kDefaultMaglevSize), before);
  const std::vector<uint64_t> b = owners(build_maglev(after, kDefaultMaglevSize), after);
  uint32_t of_removed = 0, others_moved = 0;
  for (size_t e = 0; e < a.size(); ++e) {
    if (a[e] == before[3].key)
      ++of_removed;
    else if (a[e] != b[e])
      ++others_moved;
  }
  EXPECT_GT(of_removed, 0u);
  // Maglev trades a little disruption for balance (the paper's figure 12): entries of the
  // backends that stay move only when their owner's walk meets a freed entry first.
  EXPECT_LT(others_moved, kDefaultMaglevSize / 50)
      << others_moved << " entries of staying backends moved";
}

TEST(MaglevTest, AddingABackendTakesAboutOneNth) {
  const std::vector<MaglevBackend> before = backends(10);
  std::vector<MaglevBackend> after = before;
  after.push_back(backends(1, 100)[0]);
  const std::vector<uint64_t> a = owners(build_maglev(before, kDefaultMaglevSize), before);
  const std::vector<uint64_t> b = owners(build_maglev(after, kDefaultMaglevSize), after);
  uint32_t to_new = 0, moved = 0;
  for (size_t e = 0; e < a.size(); ++e) {
    moved += a[e] != b[e];
    to_new += b[e] == after.back().key;
  }
  const double ideal = kDefaultMaglevSize / 11.0;
  EXPECT_LE(std::abs(to_new - ideal), 0.01 * ideal);
  EXPECT_LT(moved - to_new, kDefaultMaglevSize / 50) << "entries moved between old backends";
}

TEST(MaglevTest, TheTableDependsOnIdentitiesNotOnTheirOrder) {
  std::vector<MaglevBackend> list = backends(7);
  const std::vector<uint64_t> a = owners(build_maglev(list, 251), list);
  std::reverse(list.begin(), list.end());
  EXPECT_EQ(owners(build_maglev(list, 251), list), a);
}

TEST(MaglevTest, NoBackendsMeansEveryEntryEmpty) {
  const std::vector<uint16_t> table = build_maglev({}, 251);
  ASSERT_EQ(table.size(), 251u);
  EXPECT_TRUE(std::all_of(table.begin(), table.end(), [](uint16_t e) { return e == kNoBackend; }));
}

}  // namespace
}  // namespace np::nat
