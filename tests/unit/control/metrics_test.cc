#include "np/control/metrics.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "np/control/metrics_registry.h"
#include "np/control/metrics_server.h"
#include "np/dp/dataplane.h"
#include "np/dp/drop_reason.h"

namespace np::control {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const std::string& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

// The lines of `text` that start with `prefix`, in order.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& l : lines_of(text)) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  }
  return out;
}

// Two ports (one named with characters that need escaping), one worker, one bridge domain.
dp::DataplaneStats sample_stats() {
  dp::DataplaneStats s;
  s.tsc_hz = 2'400'000'000;
  dp::PortStats p1;
  p1.name = "pod\"1";
  p1.id = 0;
  p1.link_up = true;
  p1.rx_pkts = 100;
  p1.rx_bytes = 6400;
  p1.tx_pkts = 90;
  p1.tx_bytes = 5760;
  p1.device_rx_missed = 17;
  p1.drops[static_cast<unsigned>(dp::DropReason::kRunt)] = 3;
  p1.drops[static_cast<unsigned>(dp::DropReason::kTxFull)] = 7;
  dp::PortStats p2;
  p2.name = "uplink";
  p2.id = 1;
  p2.link_up = false;
  // Above 2^53: must come out exactly, not rounded through a double.
  p2.rx_bytes = 18'446'744'073'709'551'615ull;
  p2.drops[static_cast<unsigned>(dp::DropReason::kLinkDown)] = 5;
  s.ports = {p1, p2};

  dp::WorkerStats w;
  w.lcore = 3;
  w.polls = 25;
  w.busy_polls = 15;
  w.rx_pkts = 321;
  w.busy_cycles = 123456;
  w.idle_cycles = 654321;
  w.learn_events_dropped = 2;
  // 0, 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64-127, 128+
  w.poll_sizes = {10, 5, 3, 2, 0, 0, 1, 0, 4};
  s.workers = {w};

  dp::DomainStats d;
  d.id = 10;
  d.macs = 4;
  d.max_macs = 100;
  d.learned = 6;
  d.moved = 1;
  d.limit_reached = 0;
  d.table_full = 0;
  s.domains = {d};
  s.macs = 4;
  s.mac_capacity = 65536;

  s.l3.routes = 7;
  s.l3.neighbors = 3;
  s.l3.arp_requests_sent = 11;
  s.l3.arp_replies_sent = 12;
  s.l3.arp_misses = 13;
  s.l3.arp_queue_drops = 14;
  s.l3.arp_failed_drops = 15;
  s.l3.punt_queue_drops = 16;
  s.l3.icmp_rate_limited = 17;
  for (unsigned k = 0; k < dp::kIcmpKindCount; ++k) s.l3.icmp_sent[k] = 100 + k;

  dp::VxlanVniStats l2;
  l2.vni = 100;
  l2.bridge_domain = 1;
  l2.encap_pkts = 21;
  l2.decap_pkts = 22;
  for (unsigned r = 0; r < dp::kVxlanDropCount; ++r) l2.drops[r] = 200 + r;
  dp::VxlanVniStats l3;
  l3.vni = 1;
  l3.encap_pkts = 31;
  l3.decap_pkts = 32;
  s.vxlan.vnis = {l2, l3};
  s.vxlan.ports = {{"uplink", false, false, "steering: create: Operation not supported"},
                   {"nic0", true, false, "VNI marks: validate: MARK not supported"},
                   {"nic1", true, true, ""}};
  s.vxlan.remote_macs = 5;

  dp::ServiceStats web;
  web.name = "web";
  web.packets = 41;
  web.new_flows = 4;
  web.backends = {{{0x0af40105, 8080, 1}, 30, 3}, {{0x0af40106, 8080, 2}, 11, 1}};
  dp::ServiceStats dns;  // No backends.
  dns.name = "dns";
  dns.packets = 2;
  s.services.services = {web, dns};
  s.services.conntrack.flows = 3;
  s.services.conntrack.max_flows = 262144;
  s.services.conntrack.created = 5;
  s.services.conntrack.expired = 1;
  s.services.conntrack.ended_backend_removed = 1;
  for (unsigned r = 0; r < dp::kNatDropCount; ++r) s.services.conntrack.drops[r] = 300 + r;
  return s;
}

TEST(MetricsTextTest, WritesHelpTypeAndEscapedLabels) {
  MetricsText text;
  auto& f = text.family("x_packets_total", "Packets \\ seen\non a port.", MetricType::kCounter);
  f.add({{"port", "a\"b\\c\nd"}}, 7);
  f.add({}, 1);
  EXPECT_EQ(text.render(),
            "# HELP x_packets_total Packets \\\\ seen\\non a port.\n"
            "# TYPE x_packets_total counter\n"
            "x_packets_total{port=\"a\\\"b\\\\c\\nd\"} 7\n"
            "x_packets_total 1\n");
}

TEST(MetricsTextTest, FormatsValues) {
  MetricsText text;
  auto& f = text.family("x", "X.", MetricType::kGauge);
  f.add({{"v", "max"}}, std::numeric_limits<uint64_t>::max());
  f.add({{"v", "half"}}, 0.5);
  f.add({{"v", "nan"}}, std::nan(""));
  f.add({{"v", "inf"}}, std::numeric_limits<double>::infinity());
  f.add({{"v", "-inf"}}, -std::numeric_limits<double>::infinity());
  f.add({{"v", "neg"}}, -3);
  const std::string out = text.render();
  EXPECT_TRUE(has_line(out, "x{v=\"max\"} 18446744073709551615")) << out;
  EXPECT_TRUE(has_line(out, "x{v=\"half\"} 0.5")) << out;
  EXPECT_TRUE(has_line(out, "x{v=\"nan\"} NaN")) << out;
  EXPECT_TRUE(has_line(out, "x{v=\"inf\"} +Inf")) << out;
  EXPECT_TRUE(has_line(out, "x{v=\"-inf\"} -Inf")) << out;
  EXPECT_TRUE(has_line(out, "x{v=\"neg\"} -3")) << out;
}

TEST(MetricsTextTest, HistogramIsCumulativeWithInfSumAndCount) {
  MetricsText text;
  auto& h = text.family("x_seconds", "X.", MetricType::kHistogram);
  h.add_histogram({{"a", "b"}}, {0.25, 1, 10}, {1, 2, 0, 4}, 12.5);
  EXPECT_EQ(text.render(),
            "# HELP x_seconds X.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{a=\"b\",le=\"0.25\"} 1\n"
            "x_seconds_bucket{a=\"b\",le=\"1\"} 3\n"
            "x_seconds_bucket{a=\"b\",le=\"10\"} 3\n"
            "x_seconds_bucket{a=\"b\",le=\"+Inf\"} 7\n"
            "x_seconds_sum{a=\"b\"} 12.5\n"
            "x_seconds_count{a=\"b\"} 7\n");
}

TEST(MetricsTextTest, SameFamilyTwiceAndEmptyFamiliesOmitted) {
  MetricsText text;
  text.family("empty", "Nothing.", MetricType::kGauge);
  auto& a = text.family("g", "G.", MetricType::kGauge);
  auto& b = text.family("g", "Ignored.", MetricType::kGauge);
  EXPECT_EQ(&a, &b);
  a.add({{"k", "1"}}, 1);
  b.add({{"k", "2"}}, 2);
  EXPECT_EQ(text.render(), "# HELP g G.\n# TYPE g gauge\ng{k=\"1\"} 1\ng{k=\"2\"} 2\n");
}

TEST(RenderMetricsTest, PortSeries) {
  const std::string out = render_metrics(sample_stats(), "node-a");
  EXPECT_TRUE(has_line(out, "nodeplane_port_rx_packets_total{port=\"pod\\\"1\"} 100")) << out;
  EXPECT_TRUE(has_line(out, "nodeplane_port_rx_bytes_total{port=\"pod\\\"1\"} 6400"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_tx_packets_total{port=\"pod\\\"1\"} 90"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_tx_bytes_total{port=\"pod\\\"1\"} 5760"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_rx_bytes_total{port=\"uplink\"} 18446744073709551615"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_link_up{port=\"pod\\\"1\"} 1"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_link_up{port=\"uplink\"} 0"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_port_drops_total counter"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_drops_total{port=\"pod\\\"1\",reason=\"runt\"} 3"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_drops_total{port=\"pod\\\"1\",reason=\"tx_full\"} 7"));
  EXPECT_TRUE(
      has_line(out, "nodeplane_port_drops_total{port=\"pod\\\"1\",reason=\"link_down\"} 0"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_drops_total{port=\"uplink\",reason=\"link_down\"} 5"));
  // Every reason for every port, zeros included.
  EXPECT_EQ(lines_starting(out, "nodeplane_port_drops_total{port=\"uplink\",").size(),
            dp::kDropReasonCount);
  EXPECT_EQ(lines_starting(out, "nodeplane_port_drops_total{").size(), 2 * dp::kDropReasonCount);
}

TEST(RenderMetricsTest, WorkerSeriesAndPacketsPerPollHistogram) {
  const std::string out = render_metrics(sample_stats(), "node-a");
  EXPECT_TRUE(has_line(out, "nodeplane_worker_busy_cycles_total{lcore=\"3\"} 123456"));
  EXPECT_TRUE(has_line(out, "nodeplane_worker_idle_cycles_total{lcore=\"3\"} 654321"));
  EXPECT_TRUE(has_line(out, "nodeplane_port_rx_missed_total{port=\"pod\\\"1\"} 17"));
  EXPECT_TRUE(has_line(out, "nodeplane_worker_polls_total{lcore=\"3\"} 25"));
  EXPECT_TRUE(has_line(out, "nodeplane_worker_learn_events_dropped_total{lcore=\"3\"} 2"));
  EXPECT_TRUE(has_line(out, "nodeplane_tsc_hz 2400000000"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_worker_packets_per_poll histogram"));
  const std::vector<std::string> expected = {
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"0\"} 10",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"1\"} 15",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"3\"} 18",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"7\"} 20",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"15\"} 20",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"31\"} 20",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"63\"} 21",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"127\"} 21",
      "nodeplane_worker_packets_per_poll_bucket{lcore=\"3\",le=\"+Inf\"} 25",
      "nodeplane_worker_packets_per_poll_sum{lcore=\"3\"} 321",
      "nodeplane_worker_packets_per_poll_count{lcore=\"3\"} 25",
  };
  EXPECT_EQ(lines_starting(out, "nodeplane_worker_packets_per_poll_"), expected) << out;
}

TEST(RenderMetricsTest, TableSeriesAndInfo) {
  const std::string out = render_metrics(sample_stats(), "node \"a\"");
  EXPECT_TRUE(has_line(out, "nodeplane_bridge_domain_macs{bd=\"10\"} 4"));
  EXPECT_TRUE(has_line(out, "nodeplane_bridge_domain_max_macs{bd=\"10\"} 100"));
  EXPECT_TRUE(has_line(out, "nodeplane_bridge_domain_learned_total{bd=\"10\"} 6"));
  EXPECT_TRUE(has_line(out, "nodeplane_bridge_domain_moved_total{bd=\"10\"} 1"));
  EXPECT_TRUE(has_line(out, "nodeplane_bridge_domain_limit_reached_total{bd=\"10\"} 0"));
  EXPECT_TRUE(has_line(out, "nodeplane_bridge_domain_table_full_total{bd=\"10\"} 0"));
  EXPECT_TRUE(has_line(out, "nodeplane_mac_table_entries 4"));
  EXPECT_TRUE(has_line(out, "nodeplane_mac_table_capacity 65536"));
  EXPECT_TRUE(has_line(out, "nodeplane_info{node=\"node \\\"a\\\"\"} 1"));
}

TEST(RenderMetricsTest, L3Series) {
  const std::string out = render_metrics(sample_stats(), "node-a");
  EXPECT_TRUE(has_line(out, "nodeplane_routes 7")) << out;
  EXPECT_TRUE(has_line(out, "nodeplane_neighbors 3"));
  EXPECT_TRUE(has_line(out, "nodeplane_arp_requests_sent_total 11"));
  EXPECT_TRUE(has_line(out, "nodeplane_arp_replies_sent_total 12"));
  EXPECT_TRUE(has_line(out, "nodeplane_arp_misses_total 13"));
  EXPECT_TRUE(has_line(out, "nodeplane_arp_queue_drops_total 14"));
  EXPECT_TRUE(has_line(out, "nodeplane_arp_failed_drops_total 15"));
  EXPECT_TRUE(has_line(out, "nodeplane_punt_queue_drops_total 16"));
  EXPECT_TRUE(has_line(out, "nodeplane_icmp_rate_limited_total 17"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_icmp_sent_total counter"));
  EXPECT_EQ(lines_starting(out, "nodeplane_icmp_sent_total{").size(), dp::kIcmpKindCount);
  for (unsigned k = 0; k < dp::kIcmpKindCount; ++k) {
    const std::string type = dp::icmp_kind_name(static_cast<dp::IcmpKind>(k));
    EXPECT_TRUE(has_line(
        out, "nodeplane_icmp_sent_total{type=\"" + type + "\"} " + std::to_string(100 + k)))
        << type;
  }
}

TEST(RenderMetricsTest, VxlanSeries) {
  const std::string out = render_metrics(sample_stats(), "node-a");
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_vxlan_encap_packets_total counter")) << out;
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_vxlan_decap_packets_total counter"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_vxlan_drops_total counter"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_vxlan_offload gauge"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_vxlan_remote_macs gauge"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_encap_packets_total{vni=\"100\"} 21"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_decap_packets_total{vni=\"100\"} 22"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_encap_packets_total{vni=\"1\"} 31"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_decap_packets_total{vni=\"1\"} 32"));
  // Every reason for every VNI, zeros included.
  EXPECT_EQ(lines_starting(out, "nodeplane_vxlan_drops_total{").size(), 2 * dp::kVxlanDropCount);
  for (unsigned r = 0; r < dp::kVxlanDropCount; ++r) {
    const std::string reason = dp::vxlan_drop_name(static_cast<dp::VxlanDrop>(r));
    EXPECT_TRUE(has_line(out, "nodeplane_vxlan_drops_total{vni=\"100\",reason=\"" + reason +
                                  "\"} " + std::to_string(200 + r)))
        << reason;
    EXPECT_TRUE(has_line(out, "nodeplane_vxlan_drops_total{vni=\"1\",reason=\"" + reason + "\"} 0"))
        << reason;
  }
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_offload{port=\"uplink\"} 0"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_offload{port=\"nic0\"} 1"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_offload{port=\"nic1\"} 2"));
  EXPECT_TRUE(has_line(out, "nodeplane_vxlan_remote_macs 5"));
}

TEST(RenderMetricsTest, ServiceAndConntrackSeries) {
  const std::string out = render_metrics(sample_stats(), "node-a");
  for (const char* counter :
       {"service_packets", "service_new_flows", "backend_packets", "backend_new_flows",
        "conntrack_created", "conntrack_expired", "conntrack_ended", "nat_drops"})
    EXPECT_TRUE(has_line(out, std::string("# TYPE nodeplane_") + counter + "_total counter"))
        << counter;
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_conntrack_flows gauge"));
  EXPECT_TRUE(has_line(out, "# TYPE nodeplane_conntrack_max_flows gauge"));
  EXPECT_TRUE(has_line(out, "nodeplane_service_packets_total{service=\"web\"} 41")) << out;
  EXPECT_TRUE(has_line(out, "nodeplane_service_new_flows_total{service=\"web\"} 4"));
  EXPECT_TRUE(has_line(out, "nodeplane_service_packets_total{service=\"dns\"} 2"));
  EXPECT_TRUE(has_line(out, "nodeplane_service_new_flows_total{service=\"dns\"} 0"));
  EXPECT_TRUE(has_line(
      out, "nodeplane_backend_packets_total{service=\"web\",backend=\"10.244.1.5:8080\"} 30"));
  EXPECT_TRUE(has_line(
      out, "nodeplane_backend_new_flows_total{service=\"web\",backend=\"10.244.1.5:8080\"} 3"));
  EXPECT_TRUE(has_line(
      out, "nodeplane_backend_packets_total{service=\"web\",backend=\"10.244.1.6:8080\"} 11"));
  EXPECT_TRUE(has_line(
      out, "nodeplane_backend_new_flows_total{service=\"web\",backend=\"10.244.1.6:8080\"} 1"));
  EXPECT_EQ(lines_starting(out, "nodeplane_backend_packets_total{").size(), 2u);
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_flows 3"));
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_max_flows 262144"));
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_created_total 5"));
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_expired_total 1"));
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_ended_total{reason=\"backend_removed\"} 1"));
  EXPECT_EQ(lines_starting(out, "nodeplane_nat_drops_total{").size(), dp::kNatDropCount);
  for (unsigned r = 0; r < dp::kNatDropCount; ++r) {
    const std::string reason = dp::nat_drop_name(static_cast<dp::NatDrop>(r));
    EXPECT_TRUE(has_line(
        out, "nodeplane_nat_drops_total{reason=\"" + reason + "\"} " + std::to_string(300 + r)))
        << reason;
  }
}

TEST(RenderMetricsTest, NoServicesStillShowTheTableAndEveryDropReason) {
  const std::string out = render_metrics(dp::DataplaneStats{}, "n");
  EXPECT_TRUE(lines_starting(out, "nodeplane_service_").empty());
  EXPECT_TRUE(lines_starting(out, "nodeplane_backend_").empty());
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_flows 0"));
  EXPECT_TRUE(has_line(out, "nodeplane_conntrack_ended_total{reason=\"backend_removed\"} 0"));
  EXPECT_EQ(lines_starting(out, "nodeplane_nat_drops_total{").size(), dp::kNatDropCount);
  for (unsigned r = 0; r < dp::kNatDropCount; ++r)
    EXPECT_TRUE(has_line(out, std::string("nodeplane_nat_drops_total{reason=\"") +
                                  dp::nat_drop_name(static_cast<dp::NatDrop>(r)) + "\"} 0"));
}

TEST(RenderMetricsTest, EveryFamilyIsPrefixedAndTyped) {
  const std::string out = render_metrics(sample_stats(), "node-a");
  std::set<std::string> helped, typed;
  for (const std::string& l : lines_of(out)) {
    if (l.rfind("# HELP ", 0) == 0) {
      helped.insert(l.substr(7, l.find(' ', 7) - 7));
    } else if (l.rfind("# TYPE ", 0) == 0) {
      typed.insert(l.substr(7, l.find(' ', 7) - 7));
    } else {
      EXPECT_EQ(l.rfind("nodeplane_", 0), 0u) << l;
    }
  }
  EXPECT_EQ(helped, typed);
  EXPECT_EQ(helped.size(), 50u);
  for (const std::string& name : helped) EXPECT_EQ(name.rfind("nodeplane_", 0), 0u) << name;
}

TEST(RenderMetricsTest, EmptyStatsStillRender) {
  const std::string out = render_metrics(dp::DataplaneStats{}, "n");
  EXPECT_TRUE(has_line(out, "nodeplane_info{node=\"n\"} 1"));
  EXPECT_TRUE(has_line(out, "nodeplane_mac_table_entries 0"));
  EXPECT_TRUE(lines_starting(out, "nodeplane_port_").empty());
}

// Runs `promtool check metrics` on `text`; returns its exit status and fills `output`.
int promtool_check(const std::string& text, std::string& output) {
  char path[] = "/tmp/np_metrics_test_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return -1;
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!written) {
    unlink(path);
    return -1;
  }
  const std::string command = std::string("/usr/bin/promtool check metrics < ") + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    unlink(path);
    return -1;
  }
  char buf[512];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) output.append(buf, n);
  const int status = pclose(pipe);
  unlink(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(RenderMetricsTest, PromtoolCheckMetricsIsClean) {
  if (access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "/usr/bin/promtool is missing";
  const std::string out = render_metrics(sample_stats(), "node \"a\"\nb\\c");
  std::string output;
  EXPECT_EQ(promtool_check(out, output), 0) << output << "\n" << out;
  EXPECT_EQ(output, "");
}

// A reply to a plain HTTP/1.0 request over a POSIX socket.
struct HttpReply {
  int status = 0;
  std::string headers;  // The status line and headers, as received.
  std::string body;
};

HttpReply http_request(uint16_t port, const std::string& method, const std::string& path) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return reply;
  }
  const std::string request =
      method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return reply;
  }
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) raw.append(buf, n);
  close(fd);
  const size_t end = raw.find("\r\n\r\n");
  // civetweb answers in the request's version, HTTP/1.0.
  if (end == std::string::npos || raw.compare(0, 7, "HTTP/1.") != 0) return reply;
  reply.headers = raw.substr(0, end + 2);
  reply.body = raw.substr(end + 4);
  reply.status = std::atoi(raw.c_str() + 9);
  return reply;
}

TEST(MetricsServerTest, ServesMetrics) {
  int calls = 0;
  MetricsServer server("127.0.0.1:0", [&] {
    ++calls;
    return render_metrics(sample_stats(), "node-a");
  });
  const Status st = server.start();
  ASSERT_TRUE(st.is_ok()) << st.message();
  ASSERT_NE(server.port(), 0);

  const HttpReply ok = http_request(server.port(), "GET", "/metrics");
  EXPECT_EQ(ok.status, 200) << ok.headers;
  EXPECT_NE(ok.headers.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos)
      << ok.headers;
  EXPECT_EQ(ok.body, render_metrics(sample_stats(), "node-a"));
  EXPECT_EQ(calls, 1);

  const HttpReply head = http_request(server.port(), "HEAD", "/metrics");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");

  const HttpReply other = http_request(server.port(), "GET", "/other");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics/x").status, 404);

  const HttpReply post = http_request(server.port(), "POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.headers.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << post.headers;
  EXPECT_EQ(calls, 2);  // GET and HEAD render; the errors do not.
}

TEST(MetricsServerTest, RenderFailureIs500) {
  MetricsServer server("127.0.0.1:0",
                       []() -> std::string { throw std::runtime_error("stopping"); });
  ASSERT_TRUE(server.start().is_ok());
  const HttpReply reply = http_request(server.port(), "GET", "/metrics");
  EXPECT_EQ(reply.status, 500);
  EXPECT_NE(reply.body.find("stopping"), std::string::npos) << reply.body;
}

TEST(MetricsServerTest, PortInUseIsAnErrorNamingTheAddress) {
  MetricsServer first("127.0.0.1:0", [] { return std::string(); });
  ASSERT_TRUE(first.start().is_ok());
  const std::string address = "127.0.0.1:" + std::to_string(first.port());
  MetricsServer second(address, [] { return std::string(); });
  const Status st = second.start();
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find(address), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("in use"), std::string::npos) << st.message();
  EXPECT_EQ(second.port(), 0);
  // The first server is unaffected.
  EXPECT_EQ(http_request(first.port(), "GET", "/metrics").status, 200);
}

TEST(MetricsServerTest, StartTwiceAndRestart) {
  MetricsServer server("127.0.0.1:0", [] { return std::string("up 1\n"); });
  ASSERT_TRUE(server.start().is_ok());
  EXPECT_FALSE(server.start().is_ok());
  server.stop();
  EXPECT_EQ(server.port(), 0);
  server.stop();  // Idempotent.
  ASSERT_TRUE(server.start().is_ok());
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics").body, "up 1\n");
}

TEST(MetricsServerTest, RejectsMalformedListen) {
  for (const char* listen :
       {"9469", "127.0.0.1", "127.0.0.1:", "127.0.0.1:9469s", "127.0.0.1:70000", "localhost:9469",
        "1.2.3.4:1,5.6.7.8:2", "::1:9469"}) {
    MetricsServer server(listen, [] { return std::string(); });
    const Status st = server.start();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(st.message().find(listen), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace np::control
