#include "np/nat/maglev.h"

#include <algorithm>
#include <numeric>

namespace np::nat {
namespace {

// SplitMix64's finalizer: a well-mixed 64-bit value from any key.
uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A backend's walk through the table: offset, offset + skip, offset + 2 skip, ... (mod M).
// With M prime and 0 < skip < M the walk visits every entry once.
struct Preferences {
  uint32_t next;  // The entry it wants next.
  uint32_t skip;
};

}  // namespace

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  for (uint32_t d = 2; uint64_t{d} * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}

std::vector<uint16_t> build_maglev(const std::vector<MaglevBackend>& backends, uint32_t size) {
  std::vector<uint16_t> table(size, kNoBackend);
  if (backends.empty()) return table;
  std::vector<Preferences> prefs;
  uint32_t max_weight = 0;
  for (const MaglevBackend& b : backends) {
    prefs.push_back({static_cast<uint32_t>(mix(b.key) % size),
                     static_cast<uint32_t>(mix(b.key ^ 0x9e3779b97f4a7c15ULL) % (size - 1) + 1)});
    max_weight = std::max(max_weight, b.weight);
  }
  // Turns go in key order: who claims a contested entry first must not depend on the
  // order the backends were listed in.
  std::vector<uint16_t> turns(backends.size());
  std::iota(turns.begin(), turns.end(), 0);
  std::sort(turns.begin(), turns.end(),
            [&](uint16_t a, uint16_t b) { return backends[a].key < backends[b].key; });
  std::vector<uint64_t> credit(backends.size(), 0);
  uint32_t filled = 0;
  while (filled < size) {
    for (const uint16_t i : turns) {
      credit[i] += backends[i].weight;
      for (; credit[i] >= max_weight && filled < size; credit[i] -= max_weight) {
        Preferences& p = prefs[i];
        while (table[p.next] != kNoBackend) p.next = (p.next + p.skip) % size;
        table[p.next] = static_cast<uint16_t>(i);
        p.next = (p.next + p.skip) % size;
        ++filled;
      }
    }
  }
  return table;
}

}  // namespace np::nat
