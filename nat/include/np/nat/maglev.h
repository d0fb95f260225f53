// Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of prime size M in
// which each backend owns about weight/total of the entries. The backends take turns
// claiming their next preferred entry that is still free; a backend's preferences (a
// permutation of the table: offset + j * skip mod M) come from its identity, not from its
// place in the list, so adding or removing one leaves most entries with their backend.
//
// Thread: built on the control thread (off the fast path); a worker reads a published
// table with lookup().
#pragma once

#include <cstdint>
#include <vector>

namespace np::nat {

inline constexpr uint32_t kDefaultMaglevSize = 65537;
inline constexpr uint32_t kMaxMaglevSize = 1000003;
inline constexpr uint32_t kMaxBackendWeight = 1000;
inline constexpr uint16_t kNoBackend = 0xffff;

struct MaglevBackend {
  uint64_t key = 0;     // The backend's identity (address and port): its preferences.
  uint32_t weight = 1;  // 1..kMaxBackendWeight.
};

bool is_prime(uint32_t n);

// The table for `backends` (at most kNoBackend of them): entry = index into `backends`.
// `size` must be prime; no backends: every entry kNoBackend. Weights take turns by credit
// (each turn a backend earns its weight and claims an entry per max-weight earned), so
// shares follow the weights while claims stay interleaved.
std::vector<uint16_t> build_maglev(const std::vector<MaglevBackend>& backends, uint32_t size);

// The backend of a flow with hash `hash`.
inline uint16_t maglev_lookup(const std::vector<uint16_t>& table, uint32_t hash) {
  return table[hash % table.size()];
}

}  // namespace np::nat
