// Builds test frames in mbufs: Ethernet headers from MAC strings, payload of a given size.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace np::testlib {

inline rte_ether_addr mac(const std::string& text) {
  rte_ether_addr addr;
  if (rte_ether_unformat_addr(text.c_str(), &addr) != 0)
    throw std::invalid_argument("bad MAC " + text);
  return addr;
}

// "02:00:00:00:00:0a": lower-case text of a MAC, as tests write them.
inline std::string mac_text(const rte_ether_addr& addr) {
  char buf[RTE_ETHER_ADDR_FMT_SIZE];
  rte_ether_format_addr(buf, sizeof(buf), &addr);
  std::string text = buf;
  for (char& c : text) c = static_cast<char>(tolower(c));
  return text;
}

// An Ethernet frame dst <- src of `frame_len` bytes in total (header included), IPv4
// ethertype, payload bytes counting up from 0.
inline rte_mbuf* ether_frame(rte_mempool* pool, const std::string& dst, const std::string& src,
                             uint16_t frame_len = 64) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) throw std::runtime_error("mbuf pool empty");
  auto* data = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, frame_len));
  for (uint16_t i = 0; i < frame_len; ++i) data[i] = static_cast<uint8_t>(i);
  if (frame_len >= sizeof(rte_ether_hdr)) {
    auto* eth = reinterpret_cast<rte_ether_hdr*>(data);
    eth->dst_addr = mac(dst);
    eth->src_addr = mac(src);
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  }
  return m;
}

// A frame of `len` raw bytes, shorter than an Ethernet header when len < 14.
inline rte_mbuf* raw_frame(rte_mempool* pool, uint16_t len) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) throw std::runtime_error("mbuf pool empty");
  std::memset(rte_pktmbuf_append(m, len), 0xab, len);
  return m;
}

// A two-segment frame whose first segment holds only `first_len` bytes of the header.
inline rte_mbuf* split_frame(rte_mempool* pool, uint16_t first_len, uint16_t total_len) {
  rte_mbuf* head = raw_frame(pool, first_len);
  rte_mbuf* tail = raw_frame(pool, static_cast<uint16_t>(total_len - first_len));
  if (rte_pktmbuf_chain(head, tail) != 0) throw std::runtime_error("cannot chain mbufs");
  return head;
}

}  // namespace np::testlib
