// The fuzzers' input format for a burst: frames as [length byte][length bytes], repeated.
#pragma once

#include <rte_mbuf.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "np/dp/limits.h"

namespace np::testlib {

// Copies up to kMaxBurst frames from `data` into mbufs of `pool`; returns how many.
inline uint16_t frames_from_fuzz_input(const uint8_t* data, size_t size, rte_mempool* pool,
                                       rte_mbuf** burst) {
  uint16_t n = 0;
  for (size_t off = 0; off < size && n < dp::kMaxBurst;) {
    const size_t len = std::min<size_t>(data[off], size - off - 1);
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(len)), data + off + 1, len);
    burst[n++] = m;
    off += 1 + len;
  }
  return n;
}

}  // namespace np::testlib
