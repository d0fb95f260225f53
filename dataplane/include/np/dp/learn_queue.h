// Facts a worker discovers about MAC addresses, carried to the control thread (the MAC
// table's single writer) through one lock-free single-producer queue per worker.
//
// Thread: push: the owning worker only. pop: control only.
#pragma once

#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>

#include "np/dp/mac_table.h"

namespace np::dp {

struct LearnEvent {
  MacKey key;     // Domain index + source MAC.
  uint16_t port;  // Where the source was seen.
};

using LearnQueue = boost::lockfree::spsc_queue<LearnEvent, boost::lockfree::capacity<4096>>;

}  // namespace np::dp
