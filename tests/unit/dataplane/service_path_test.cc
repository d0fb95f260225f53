// Services through the whole IPv4 path on built packets: a client behind up0 (10.0.0.2)
// reaches VIP 10.96.0.10:80 whose backends are hosts behind up1 (10.0.1.2 and 10.0.1.3,
// port 8080). Checks the translated bytes and checksums both ways, the spread and
// stickiness of flows, backend removal, refusals without backends, a full table, the TCP
// state machine with expiry, a node port with SNAT, and ICMP errors about translated packets
// (passing through, or made by us after translating).
#include <gtest/gtest.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <array>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "testlib/l3_stage.h"

namespace np::dp {
namespace {

using testlib::ipv4;
using testlib::Ipv4Frame;
using testlib::kUp0Mac;
using testlib::kUp1Mac;
using testlib::mac;

constexpr const char* kClientMac = "02:00:00:00:01:01";  // 10.0.0.2, behind port 0.
constexpr const char* kHostB = "02:00:00:00:02:02";      // 10.0.1.2, behind port 1.
constexpr const char* kHostC = "02:00:00:00:02:03";      // 10.0.1.3, behind port 1.
constexpr const char* kHostD = "02:00:00:00:02:04";      // 10.0.1.4, behind port 1.
constexpr uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kRst = 0x04;

class ServicePathTest : public ::testing::Test {
 protected:
  ServicePathTest() {
    free_at_start_ = rte_mempool_avail_count(pool_);
    stage_ = std::make_unique<testlib::L3Stage>();
    stage_->apply({}, {{0, ipv4("10.0.0.2"), mac(kClientMac)},
                       {1, ipv4("10.0.1.2"), mac(kHostB)},
                       {1, ipv4("10.0.1.3"), mac(kHostC)}});
    set({web()});
  }
  ~ServicePathTest() override {
    stage_.reset();
    EXPECT_EQ(rte_mempool_avail_count(pool_), free_at_start_) << "an mbuf leaked";
  }

  static ServiceSpec web(std::vector<BackendSpec> backends = {{ipv4("10.0.1.2"), 8080, 1},
                                                              {ipv4("10.0.1.3"), 8080, 1}}) {
    ServiceSpec s;
    s.name = "web";
    s.vip = ipv4("10.96.0.10");
    s.port = 80;
    s.node_port = 30080;
    s.backends = std::move(backends);
    return s;
  }
  void set(std::vector<ServiceSpec> services) {
    ServicesSpec spec;
    spec.services = std::move(services);
    stage_->set_services(spec);
  }
  // A TCP segment from the client to `dst`:`dport`, through up0.
  rte_mbuf* from_client(uint16_t sport, uint8_t flags, const char* dst = "10.96.0.10",
                        uint16_t dport = 80, uint32_t seq = 1000) {
    return testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                       .src_mac = kClientMac,
                                       .src = "10.0.0.2",
                                       .dst = dst,
                                       .proto = IPPROTO_TCP,
                                       .payload = 20,
                                       .src_port = sport,
                                       .dst_port = dport,
                                       .tcp_flags = flags,
                                       .tcp_seq = seq});
  }
  // From a backend behind up1 back to `dst`:`dport`.
  rte_mbuf* from_backend(const char* src, const char* src_mac, uint16_t dport, uint8_t flags,
                         const char* dst = "10.0.0.2") {
    return testlib::ipv4_frame(pool_, {.dst_mac = kUp1Mac,
                                       .src_mac = src_mac,
                                       .src = src,
                                       .dst = dst,
                                       .proto = IPPROTO_TCP,
                                       .payload = 20,
                                       .src_port = 8080,
                                       .dst_port = dport,
                                       .tcp_flags = flags});
  }
  rte_mbuf* one(uint16_t port) {
    auto out = stage_->take_tx(port);
    EXPECT_EQ(out.size(), 1u) << "frames out of port " << port;
    for (size_t i = 1; i < out.size(); ++i) rte_pktmbuf_free(out[i]);
    return out.empty() ? nullptr : out[0];
  }
  // Both checksums right (as a receiver checks them).
  static void expect_checksums(rte_mbuf* m) {
    rte_ipv4_hdr* ip = testlib::ipv4_header(m);
    EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff) << "IPv4 header checksum";
    EXPECT_EQ(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0) << "TCP/UDP checksum";
  }
  static uint16_t sport(rte_mbuf* m) {
    return rte_be_to_cpu_16(*reinterpret_cast<rte_be16_t*>(testlib::ipv4_header(m) + 1));
  }
  static uint16_t dport(rte_mbuf* m) {
    return rte_be_to_cpu_16(*(reinterpret_cast<rte_be16_t*>(testlib::ipv4_header(m) + 1) + 1));
  }
  // A TCP segment from the client to the VIP, to change before building.
  static testlib::Ipv4Frame client_segment() {
    return {.dst_mac = kUp0Mac,
            .src_mac = kClientMac,
            .src = "10.0.0.2",
            .dst = "10.96.0.10",
            .proto = IPPROTO_TCP,
            .payload = 20,
            .src_port = 40000,
            .dst_port = 80};
  }
  // A packet's IPv4 header and first 8 bytes of TCP/UDP, as an ICMP error quotes them.
  using Quote = std::array<uint8_t, sizeof(rte_ipv4_hdr) + 8>;
  static Quote quote_of(rte_mbuf* m) {
    Quote q;
    std::memcpy(q.data(), testlib::ipv4_header(m), q.size());
    return q;
  }
  struct IcmpError {
    uint8_t type, code;
    const char* from;  // Our interface's address.
    const char* to;    // The sender of the quoted packet.
    uint16_t mtu = 0;  // Fragmentation needed: the next hop's MTU; else unused (0).
  };
  // The one frame out of `port` is error `e` to `to_mac`, quoting `sent` exactly as its
  // sender sent it, with every checksum right: the outer IPv4 header, the ICMP message, the
  // quoted IPv4 header (and the quoted UDP checksum, being the sender's).
  void expect_error(uint16_t port, const char* to_mac, const IcmpError& e, const Quote& sent) {
    rte_mbuf* m = one(port);
    if (m == nullptr) return;
    rte_ipv4_hdr* ip = testlib::ipv4_header(m);
    EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(m, rte_ether_hdr*)->dst_addr), to_mac);
    EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4(e.from))) << "from our interface";
    EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4(e.to))) << "to the packet's sender";
    EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff) << "IPv4 header checksum";
    const auto* icmp = reinterpret_cast<const uint8_t*>(ip + 1);
    EXPECT_EQ(icmp[0], e.type);
    EXPECT_EQ(icmp[1], e.code);
    EXPECT_EQ(rte_be_to_cpu_16(testlib::icmp_header(m)->icmp_seq_nb), e.mtu);
    const size_t icmp_len = rte_be_to_cpu_16(ip->total_length) - sizeof(*ip);
    if (icmp_len == 8 + sent.size()) {
      EXPECT_EQ(rte_raw_cksum(icmp, icmp_len), 0xffff) << "ICMP checksum";
      const uint8_t* quote = icmp + 8;
      EXPECT_EQ(rte_raw_cksum(quote, sizeof(rte_ipv4_hdr)), 0xffff) << "quoted IPv4 checksum";
      EXPECT_EQ(std::memcmp(quote + 12, sent.data() + 12, 8), 0) << "quoted addresses";
      EXPECT_EQ(std::memcmp(quote + 20, sent.data() + 20, 4), 0) << "quoted ports";
      Quote got;
      std::memcpy(got.data(), quote, got.size());
      EXPECT_EQ(got, sent) << "the quote byte by byte";
    } else {
      ADD_FAILURE() << "ICMP message of " << icmp_len << " bytes";
    }
    rte_pktmbuf_free(m);
  }
  // Sends `f` in on `port`: nothing is forwarded, and its sender (`sender_mac`) gets error `e`
  // quoting `f` as it was sent.
  void expect_error_answering(uint16_t port, const testlib::Ipv4Frame& f, const char* sender_mac,
                              const IcmpError& e) {
    rte_mbuf* m = testlib::ipv4_frame(pool_, f);
    const Quote sent = quote_of(m);
    stage_->process(port, m);
    EXPECT_TRUE(stage_->take_tx(1 - port).empty()) << "forwarded";
    expect_error(port, sender_mac, e, sent);
  }
  // The web service's backends in up1's subnet, by address.
  static const char* backend_mac(const std::string& ip) {
    return ip == "10.0.1.2" ? kHostB : kHostC;
  }
  uint64_t nat_drops(NatDrop d) const {
    return stage_->ctx.counters.nat_drops[static_cast<unsigned>(d)].get();
  }
  ServicesStats stats() const { return stage_->services.stats({&stage_->ctx.counters}); }
  // Ticks the control side until expiry has looked at every flow (a tick checks a slice).
  void sweep(uint64_t now_tsc) {
    const uint32_t max = stage_->services.conntrack().max_flows();
    for (uint32_t checked = 0; checked < max; checked += stage_->services.expiry_slice())
      stage_->services.tick(now_tsc);
  }

  rte_mempool* pool_ = testlib::test_pool();
  unsigned free_at_start_ = 0;
  std::unique_ptr<testlib::L3Stage> stage_;
};

TEST_F(ServicePathTest, DnatsToABackendAndTranslatesTheReplyBack) {
  stage_->process(0, from_client(40000, kSyn));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out);
  const uint32_t backend = rte_be_to_cpu_32(ip->dst_addr);
  ASSERT_TRUE(backend == ipv4("10.0.1.2") || backend == ipv4("10.0.1.3"));
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.0.2"))) << "the client's address kept";
  EXPECT_EQ(dport(out), 8080);
  EXPECT_EQ(sport(out), 40000);
  EXPECT_EQ(ip->time_to_live, 63);
  expect_checksums(out);
  const char* backend_mac = backend == ipv4("10.0.1.2") ? kHostB : kHostC;
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(out, rte_ether_hdr*)->dst_addr), backend_mac);
  rte_pktmbuf_free(out);

  const std::string backend_ip = backend == ipv4("10.0.1.2") ? "10.0.1.2" : "10.0.1.3";
  stage_->process(1, from_backend(backend_ip.c_str(), backend_mac, 40000, kSyn | kAck));
  out = one(0);
  ASSERT_NE(out, nullptr);
  ip = testlib::ipv4_header(out);
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.96.0.10"))) << "answered from the VIP";
  EXPECT_EQ(sport(out), 80);
  EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_EQ(dport(out), 40000);
  expect_checksums(out);
  rte_pktmbuf_free(out);

  const std::vector<ConnectionRow> rows = stage_->services.connections("", 10, rte_rdtsc());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "established") << "the backend answered the SYN";
  EXPECT_EQ(rows[0].service, "web");
  EXPECT_EQ(rows[0].backend_ip, backend);
  const ServicesStats s = stats();
  EXPECT_EQ(s.services[0].new_flows, 1u);
  EXPECT_EQ(s.services[0].packets, 1u) << "the client's packets";
  EXPECT_EQ(s.conntrack.flows, 1u);
}

TEST_F(ServicePathTest, AnIcmpErrorAboutATranslatedPacketIsTranslatedToo) {
  stage_->process(0, from_client(40000, kSyn));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  // The backend's host answers "port unreachable", quoting the packet as it got it.
  const rte_ipv4_hdr* sent = testlib::ipv4_header(out);
  const uint32_t backend = rte_be_to_cpu_32(sent->dst_addr);
  rte_mbuf* error =
      testlib::ipv4_frame(pool_, {.dst_mac = kUp1Mac,
                                  .src_mac = backend == ipv4("10.0.1.2") ? kHostB : kHostC,
                                  .src = format_ipv4(backend),
                                  .dst = "10.0.0.2",
                                  .proto = IPPROTO_ICMP,
                                  .payload = 8 + 28});
  auto* icmp = reinterpret_cast<uint8_t*>(testlib::ipv4_header(error) + 1);
  icmp[0] = 3;  // Destination unreachable,
  icmp[1] = 3;  // port.
  std::memcpy(icmp + 8, sent, 28);
  icmp[2] = icmp[3] = 0;
  const uint16_t sum = static_cast<uint16_t>(~rte_raw_cksum(icmp, 36));
  std::memcpy(icmp + 2, &sum, 2);
  rte_pktmbuf_free(out);

  stage_->process(1, error);
  out = one(0);
  ASSERT_NE(out, nullptr);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out);
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.96.0.10"))) << "the error from the VIP";
  EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
  icmp = reinterpret_cast<uint8_t*>(ip + 1);
  EXPECT_EQ(rte_raw_cksum(icmp, 36), 0xffff) << "ICMP checksum";
  const auto* quoted = reinterpret_cast<const rte_ipv4_hdr*>(icmp + 8);
  EXPECT_EQ(quoted->dst_addr, rte_cpu_to_be_32(ipv4("10.96.0.10")))
      << "quoting what the client sent";
  EXPECT_EQ(rte_be_to_cpu_16(*reinterpret_cast<const rte_be16_t*>(icmp + 8 + 20 + 2)), 80);
  EXPECT_EQ(rte_raw_cksum(quoted, sizeof(*quoted)), 0xffff);
  rte_pktmbuf_free(out);
}

// The other way: the client's side cannot take the backend's (translated) packet and says
// so to the VIP; the backend must hear it (path MTU discovery of downloads).
TEST_F(ServicePathTest, AnIcmpErrorAboutATranslatedReplyReachesTheBackend) {
  stage_->process(0, from_client(40000, kSyn));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  const rte_be32_t backend = testlib::ipv4_header(out)->dst_addr;
  const char* backend_mac = backend == rte_cpu_to_be_32(ipv4("10.0.1.2")) ? kHostB : kHostC;
  rte_pktmbuf_free(out);
  stage_->process(1, from_backend(format_ipv4(rte_be_to_cpu_32(backend)).c_str(), backend_mac,
                                  40000, kSyn | kAck));
  rte_mbuf* reply = one(0);  // VIP:80 -> client:40000, as the client got it.
  ASSERT_NE(reply, nullptr);
  rte_mbuf* error = testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                                .src_mac = kClientMac,
                                                .src = "10.0.0.2",
                                                .dst = "10.96.0.10",
                                                .proto = IPPROTO_ICMP,
                                                .payload = 8 + 28});
  auto* icmp = reinterpret_cast<uint8_t*>(testlib::ipv4_header(error) + 1);
  icmp[0] = 3;  // Destination unreachable,
  icmp[1] = 4;  // fragmentation needed.
  std::memcpy(icmp + 8, testlib::ipv4_header(reply), 28);
  icmp[2] = icmp[3] = 0;
  const uint16_t sum = static_cast<uint16_t>(~rte_raw_cksum(icmp, 36));
  std::memcpy(icmp + 2, &sum, 2);
  rte_pktmbuf_free(reply);

  stage_->process(0, error);
  out = one(1);
  ASSERT_NE(out, nullptr);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out);
  EXPECT_EQ(ip->dst_addr, backend) << "to the backend that sent the packet";
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
  icmp = reinterpret_cast<uint8_t*>(ip + 1);
  EXPECT_EQ(rte_raw_cksum(icmp, 36), 0xffff) << "ICMP checksum";
  const auto* quoted = reinterpret_cast<const rte_ipv4_hdr*>(icmp + 8);
  EXPECT_EQ(quoted->src_addr, backend) << "quoting what the backend sent";
  EXPECT_EQ(rte_be_to_cpu_16(*reinterpret_cast<const rte_be16_t*>(icmp + 8 + 20)), 8080);
  rte_pktmbuf_free(out);
}

// The errors our router makes about a packet after DNAT go to the client and quote the packet
// as it sent it (to the VIP), or its stack cannot match them to its socket.
TEST_F(ServicePathTest, NetUnreachableAfterDnatQuotesWhatTheClientSent) {
  ServiceSpec far = web({{ipv4("192.0.2.7"), 5353, 1}});  // No route there.
  far.name = "far";
  far.protocol = IPPROTO_UDP;
  far.port = 53;
  far.node_port = 0;
  set({far});
  expect_error_answering(0,
                         {.dst_mac = kUp0Mac,
                          .src_mac = kClientMac,
                          .src = "10.0.0.2",
                          .dst = "10.96.0.10",
                          .payload = 30,
                          .src_port = 5000,
                          .dst_port = 53,
                          .udp_checksum = true},
                         kClientMac, {3, 0, "10.0.0.1", "10.0.0.2"});
  EXPECT_EQ(stage_->drops(0, DropReason::kNoRoute), 1u);
}

TEST_F(ServicePathTest, FragmentationNeededAfterDnatQuotesWhatTheClientSent) {
  testlib::Ipv4Frame f = client_segment();
  f.payload = 1600;
  f.dont_fragment = true;
  expect_error_answering(0, f, kClientMac, {3, 4, "10.0.0.1", "10.0.0.2", kDefaultMtu});
}

// The TTL is checked after the service stage (on the route's path).
TEST_F(ServicePathTest, TimeExceededAfterDnatQuotesWhatTheClientSent) {
  testlib::Ipv4Frame f = client_segment();
  f.ttl = 1;
  expect_error_answering(0, f, kClientMac, {11, 0, "10.0.0.1", "10.0.0.2"});
}

// Host unreachable comes from the control thread, after the backend never answered ARP.
TEST_F(ServicePathTest, HostUnreachableAfterDnatQuotesWhatTheClientSent) {
  set({web({{ipv4("10.0.1.9"), 8080, 1}})});  // In up1's subnet, never answering ARP.
  rte_mbuf* m = testlib::ipv4_frame(pool_, client_segment());
  // Quoted as it left the worker for ARP: its TTL already decremented.
  Quote sent = quote_of(m);
  auto* sent_ip = reinterpret_cast<rte_ipv4_hdr*>(sent.data());
  --sent_ip->time_to_live;
  sent_ip->hdr_checksum = 0;
  sent_ip->hdr_checksum = rte_ipv4_cksum(sent_ip);
  stage_->process(0, m);
  stage_->drain_punts();
  for (int i = 0; i < 4; ++i) {
    stage_->now_ms += 1000;
    stage_->l3.tick(stage_->now_ms);
  }
  stage_->run_injected();
  for (rte_mbuf* request : stage_->take_tx(1)) rte_pktmbuf_free(request);
  expect_error(0, kClientMac, {3, 1, "10.0.0.1", "10.0.0.2"}, sent);
}

// The other way: "fragmentation needed" about the backend's (reverse-NATed) answer reaches
// the backend, quoting its packet as it sent it (path MTU discovery of downloads).
TEST_F(ServicePathTest, FragmentationNeededAboutATranslatedReplyGoesToTheBackend) {
  stage_->process(0, from_client(40000, kSyn));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  const std::string backend = format_ipv4(rte_be_to_cpu_32(testlib::ipv4_header(out)->dst_addr));
  rte_pktmbuf_free(out);
  expect_error_answering(1,
                         {.dst_mac = kUp1Mac,
                          .src_mac = backend_mac(backend),
                          .src = backend,
                          .dst = "10.0.0.2",
                          .proto = IPPROTO_TCP,
                          .payload = 1600,
                          .src_port = 8080,
                          .dst_port = 40000,
                          .dont_fragment = true,
                          .tcp_flags = kSyn | kAck},
                         backend_mac(backend), {3, 4, "10.0.1.1", backend.c_str(), kDefaultMtu});
}

// Hairpin (client and backend in up1's subnet): SNATed to 10.0.1.1. Without the translation
// the error about the client's packet would go to ourselves.
TEST_F(ServicePathTest, TimeExceededAfterHairpinSnatReachesTheSenderEitherWay) {
  testlib::Ipv4Frame f = client_segment();
  f.dst_mac = kUp1Mac;
  f.src_mac = kHostD;
  f.src = "10.0.1.4";
  stage_->process(1, testlib::ipv4_frame(pool_, f));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out);
  ASSERT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.1.1"))) << "SNATed";
  const std::string backend = format_ipv4(rte_be_to_cpu_32(ip->dst_addr));
  const uint16_t snat_port = sport(out);
  rte_pktmbuf_free(out);

  f.ttl = 1;
  f.tcp_flags = kAck;
  expect_error_answering(1, f, kHostD, {11, 0, "10.0.1.1", "10.0.1.4"});
  expect_error_answering(1,
                         {.dst_mac = kUp1Mac,
                          .src_mac = backend_mac(backend),
                          .src = backend,
                          .dst = "10.0.1.1",
                          .proto = IPPROTO_TCP,
                          .ttl = 1,
                          .payload = 20,
                          .src_port = 8080,
                          .dst_port = snat_port,
                          .tcp_flags = kSyn | kAck},
                         backend_mac(backend), {11, 0, "10.0.1.1", backend.c_str()});
}

TEST_F(ServicePathTest, UdpWithAChecksumIsTranslatedWithIt) {
  ServiceSpec dns = web();
  dns.name = "dns";
  dns.protocol = IPPROTO_UDP;
  dns.port = 53;
  dns.node_port = 0;
  set({dns});
  rte_mbuf* m = testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                            .src_mac = kClientMac,
                                            .src = "10.0.0.2",
                                            .dst = "10.96.0.10",
                                            .payload = 30,
                                            .src_port = 5353,
                                            .dst_port = 53,
                                            .udp_checksum = true});
  stage_->process(0, m);
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  EXPECT_NE(testlib::l4_checksum(out), 0);
  expect_checksums(out);
  const auto rows = stage_->services.connections("dns", 10, rte_rdtsc());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "udp");
  rte_pktmbuf_free(out);
}

TEST_F(ServicePathTest, NewFlowsSpreadOverBackendsAndEachStaysOnItsOwn) {
  std::map<uint16_t, uint32_t> backend_of;
  std::set<uint32_t> used;
  for (uint16_t p = 30000; p < 30200; ++p) {
    stage_->process(0, from_client(p, kSyn));
    rte_mbuf* out = one(1);
    ASSERT_NE(out, nullptr);
    backend_of[p] = testlib::ipv4_header(out)->dst_addr;
    used.insert(backend_of[p]);
    rte_pktmbuf_free(out);
  }
  EXPECT_EQ(used.size(), 2u) << "both backends get new connections";
  for (uint16_t p = 30000; p < 30200; p += 7) {
    stage_->process(0, from_client(p, kAck));
    rte_mbuf* out = one(1);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(testlib::ipv4_header(out)->dst_addr, backend_of[p]) << "flow from port " << p;
    rte_pktmbuf_free(out);
  }
}

TEST_F(ServicePathTest, RemovingABackendEndsItsFlowsAndLeavesTheOthers) {
  std::map<uint16_t, uint32_t> backend_of;
  for (uint16_t p = 30000; p < 30100; ++p) {
    stage_->process(0, from_client(p, kSyn));
    rte_mbuf* out = one(1);
    ASSERT_NE(out, nullptr);
    backend_of[p] = testlib::ipv4_header(out)->dst_addr;
    rte_pktmbuf_free(out);
  }
  const uint32_t c = rte_cpu_to_be_32(ipv4("10.0.1.3"));
  uint64_t on_c = 0;
  for (const auto& [p, b] : backend_of) on_c += b == c;
  set({web({{ipv4("10.0.1.2"), 8080, 1}})});
  const ServicesStats s = stats();
  EXPECT_EQ(s.conntrack.ended_backend_removed, on_c);
  EXPECT_EQ(s.conntrack.flows, backend_of.size() - on_c);
  for (const auto& [p, b] : backend_of) {
    if (b == c) continue;
    stage_->process(0, from_client(p, kAck));
    rte_mbuf* out = one(1);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(testlib::ipv4_header(out)->dst_addr, b) << "a flow of the staying backend moved";
    rte_pktmbuf_free(out);
  }
}

TEST_F(ServicePathTest, WithoutBackendsTcpGetsARstAndUdpPortUnreachable) {
  ServiceSpec empty = web({});
  ServiceSpec udp = web({});
  udp.name = "udp";
  udp.protocol = IPPROTO_UDP;
  udp.node_port = 0;
  set({empty, udp});
  stage_->process(0, from_client(40000, kSyn, "10.96.0.10", 80, 77));
  rte_mbuf* rst = one(0);
  ASSERT_NE(rst, nullptr);
  rte_ipv4_hdr* ip = testlib::ipv4_header(rst);
  auto* tcp = reinterpret_cast<rte_tcp_hdr*>(ip + 1);
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.96.0.10")));
  EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_EQ(sport(rst), 80);
  EXPECT_EQ(dport(rst), 40000);
  EXPECT_EQ(tcp->tcp_flags, kRst | kAck);
  EXPECT_EQ(rte_be_to_cpu_32(tcp->recv_ack), 78u) << "the SYN acknowledged";
  EXPECT_EQ(testlib::mac_text(rte_pktmbuf_mtod(rst, rte_ether_hdr*)->dst_addr), kClientMac);
  expect_checksums(rst);
  rte_pktmbuf_free(rst);

  stage_->process(0, testlib::ipv4_frame(pool_, {.dst_mac = kUp0Mac,
                                                 .src_mac = kClientMac,
                                                 .src = "10.0.0.2",
                                                 .dst = "10.96.0.10",
                                                 .src_port = 5000,
                                                 .dst_port = 80}));
  rte_mbuf* icmp = one(0);
  ASSERT_NE(icmp, nullptr);
  EXPECT_EQ(testlib::icmp_header(icmp)->icmp_type, 3);
  EXPECT_EQ(testlib::icmp_header(icmp)->icmp_code, 3);
  rte_pktmbuf_free(icmp);
  EXPECT_EQ(nat_drops(NatDrop::kNoBackend), 2u);
  EXPECT_EQ(stats().conntrack.flows, 0u) << "nothing tracked";
}

TEST_F(ServicePathTest, ResetsFollowRfc793AndAResetIsNeverAnswered) {
  set({web({})});
  // A segment with ACK (an established client whose backends all left): <SEQ=SEG.ACK><RST>.
  rte_mbuf* m = from_client(40000, kAck);
  reinterpret_cast<rte_tcp_hdr*>(testlib::ipv4_header(m) + 1)->recv_ack = rte_cpu_to_be_32(555);
  testlib::set_l4_checksum(m, 0);
  testlib::set_l4_checksum(
      m, rte_ipv4_udptcp_cksum(testlib::ipv4_header(m), testlib::ipv4_header(m) + 1));
  stage_->process(0, m);
  rte_mbuf* rst = one(0);
  ASSERT_NE(rst, nullptr);
  const auto* tcp = reinterpret_cast<const rte_tcp_hdr*>(testlib::ipv4_header(rst) + 1);
  EXPECT_EQ(tcp->tcp_flags, kRst);
  EXPECT_EQ(rte_be_to_cpu_32(tcp->sent_seq), 555u);
  expect_checksums(rst);
  rte_pktmbuf_free(rst);
  // A RST gets no answer.
  stage_->process(0, from_client(40001, kRst));
  EXPECT_TRUE(stage_->take_tx(0).empty());
  EXPECT_EQ(stage_->drops(0, DropReason::kService), 2u);
}

TEST_F(ServicePathTest, TwoPacketsOfANewConnectionInOneBurstBothGoThrough) {
  // A SYN and its retransmission (or a client's first two datagrams) in one burst.
  rte_mbuf* burst[] = {from_client(40000, kSyn), from_client(40000, kSyn)};
  stage_->process(0, burst, 2);
  auto out = stage_->take_tx(1);
  ASSERT_EQ(out.size(), 2u) << "the second packet found the flow the first one made";
  EXPECT_EQ(testlib::ipv4_header(out[0])->dst_addr, testlib::ipv4_header(out[1])->dst_addr);
  for (rte_mbuf* o : out) rte_pktmbuf_free(o);
  EXPECT_EQ(stats().conntrack.flows, 1u);
  EXPECT_EQ(nat_drops(NatDrop::kTableFull), 0u);
}

TEST_F(ServicePathTest, ASegmentWithoutSynIsTrackedButEstablishedOnlyOnceAnswered) {
  stage_->process(0, from_client(40000, kAck));
  rte_pktmbuf_free(one(1));
  EXPECT_EQ(stage_->services.connections("", 1, rte_rdtsc()).at(0).state, "syn")
      << "a stray segment must not hold the table for the established timeout";
}

TEST_F(ServicePathTest, AFullTableDropsNewFlowsAndKeepsEstablishedOnes) {
  const uint32_t max = stage_->services.conntrack().max_flows();
  for (uint32_t i = 0; i < max; ++i) {
    stage_->process(0, from_client(static_cast<uint16_t>(1024 + i), kSyn));
    stage_->release_tx();
  }
  EXPECT_EQ(stats().conntrack.flows, max);
  stage_->process(0, from_client(static_cast<uint16_t>(1024 + max), kSyn));
  EXPECT_TRUE(stage_->take_tx(1).empty());
  EXPECT_EQ(nat_drops(NatDrop::kTableFull), 1u);
  // An established connection goes on.
  stage_->process(0, from_client(1024, kAck));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  rte_pktmbuf_free(out);
}

TEST_F(ServicePathTest, TcpStatesAndTheirTimeouts) {
  stage_->ctx.now_tsc = rte_rdtsc();  // As a worker's loop sets it.
  stage_->process(0, from_client(40000, kSyn));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  const std::string b = testlib::ipv4_header(out)->dst_addr == rte_cpu_to_be_32(ipv4("10.0.1.2"))
                            ? "10.0.1.2"
                            : "10.0.1.3";
  const char* bmac = backend_mac(b);
  rte_pktmbuf_free(out);
  auto state = [&] { return stage_->services.connections("", 1, rte_rdtsc()).at(0).state; };
  EXPECT_EQ(state(), "syn");
  stage_->process(1, from_backend(b.c_str(), bmac, 40000, kSyn | kAck));
  rte_pktmbuf_free(one(0));
  EXPECT_EQ(state(), "established");
  // Idle for less than the established timeout (7200 s): kept.
  const uint64_t hz = rte_get_tsc_hz();
  sweep(rte_rdtsc() + 3600 * hz);
  EXPECT_EQ(stats().conntrack.flows, 1u);
  stage_->process(0, from_client(40000, kFin | kAck));
  rte_pktmbuf_free(one(1));
  EXPECT_EQ(state(), "closing");
  // Closing: gone 10 s later.
  sweep(rte_rdtsc() + 11 * hz);
  EXPECT_EQ(stats().conntrack.flows, 0u);
  EXPECT_EQ(stats().conntrack.expired, 1u);
}

TEST_F(ServicePathTest, NodePortToAHostBackendIsSnatedToOurAddress) {
  stage_->process(0, from_client(40000, kSyn, "10.0.0.1", 30080));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  rte_ipv4_hdr* ip = testlib::ipv4_header(out);
  // The backend is no pod of ours: its answer must come back through us.
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.0.1")));
  EXPECT_EQ(dport(out), 8080);
  const uint16_t snat_port = sport(out);
  const std::string b =
      ip->dst_addr == rte_cpu_to_be_32(ipv4("10.0.1.2")) ? "10.0.1.2" : "10.0.1.3";
  expect_checksums(out);
  rte_pktmbuf_free(out);
  stage_->process(1, from_backend(b.c_str(), backend_mac(b), snat_port, kSyn | kAck, "10.0.0.1"));
  out = one(0);
  ASSERT_NE(out, nullptr);
  ip = testlib::ipv4_header(out);
  EXPECT_EQ(ip->src_addr, rte_cpu_to_be_32(ipv4("10.0.0.1")));
  EXPECT_EQ(sport(out), 30080);
  EXPECT_EQ(ip->dst_addr, rte_cpu_to_be_32(ipv4("10.0.0.2")));
  EXPECT_EQ(dport(out), 40000);
  expect_checksums(out);
  rte_pktmbuf_free(out);
}

TEST_F(ServicePathTest, ClientIpAffinityKeepsAClientOnOneBackend) {
  stage_->ctx.now_tsc = rte_rdtsc();  // As a worker's loop sets it.
  ServiceSpec sticky = web();
  sticky.client_ip_affinity = true;
  set({sticky});
  std::set<uint32_t> used;
  for (uint16_t p = 30000; p < 30050; ++p) {
    stage_->process(0, from_client(p, kSyn));
    rte_mbuf* out = one(1);
    ASSERT_NE(out, nullptr);
    used.insert(testlib::ipv4_header(out)->dst_addr);
    rte_pktmbuf_free(out);
  }
  EXPECT_EQ(used.size(), 1u) << "every connection of the client on one backend";
  // The connections go after their SYN timeout, the client's affinity after its own.
  const uint64_t hz = rte_get_tsc_hz();
  sweep(stage_->ctx.now_tsc + 31 * hz);
  EXPECT_EQ(stage_->services.conntrack().live(), 1u) << "the affinity record stays";
  sweep(stage_->ctx.now_tsc + 10801 * hz);
  EXPECT_EQ(stage_->services.conntrack().live(), 0u);
}

TEST_F(ServicePathTest, ChangingOneServiceLeavesAnotherOnesConnectionsAlone) {
  ServiceSpec other = web({{ipv4("10.0.1.3"), 9090, 1}});
  other.name = "other";
  other.port = 81;
  other.node_port = 0;
  set({web(), other});
  stage_->process(0, from_client(40000, kSyn));
  rte_mbuf* out = one(1);
  ASSERT_NE(out, nullptr);
  const rte_be32_t backend = testlib::ipv4_header(out)->dst_addr;
  rte_pktmbuf_free(out);
  other.backends = {{ipv4("10.0.1.2"), 9191, 3}};  // Its backend replaced,
  set({web(), other});
  set({web()});  // then the service removed.
  EXPECT_EQ(stats().conntrack.ended_backend_removed, 0u);
  stage_->process(0, from_client(40000, kAck));
  out = one(1);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(testlib::ipv4_header(out)->dst_addr, backend);
  EXPECT_EQ(dport(out), 8080);
  rte_pktmbuf_free(out);
}

TEST_F(ServicePathTest, BadServicesAreRefusedNamingTheField) {
  auto refused = [&](ServiceSpec s, const std::string& field) {
    ServicesSpec spec;
    spec.services = {web(), std::move(s)};
    try {
      stage_->set_services(spec);
      ADD_FAILURE() << "accepted; expected an error about " << field;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  ServiceSpec other = web();
  other.name = "other";
  refused(other, "vip: 10.96.0.10:80 is already");
  other.port = 81;
  refused(other, "node_port: 30080 is already");
  other.node_port = 40000;
  refused(other, "node_port: 40000 is outside 30000-32767");
  other.node_port = 0;
  other.backends = {{ipv4("224.0.0.1"), 80, 1}};
  refused(other, "backends[0].ip: 224.0.0.1 is not unicast");
  other.backends = {{ipv4("10.0.1.2"), 80, 0}};
  refused(other, "backends[0].weight: 0");
  other.backends = {};
  other.vip = ipv4("10.0.0.1");
  refused(other, "is one of our interface addresses");
  // And the services in place still work.
  stage_->process(0, from_client(40000, kSyn));
  rte_pktmbuf_free(one(1));
}

}  // namespace
}  // namespace np::dp
