// np-pod-shim: makes a kernel network namespace a "pod" on a vhost-user port. Run inside
// the pod's netns, it creates a tap interface there (net_tap) and a virtio_user port on the
// dataplane's socket, and forwards frames between the two, sleeping when idle so that a
// 2-core test machine stays responsive.
//
//   np-pod-shim --socket PATH [--iface eth0] [--server] [--file-prefix NAME]
//               [--idle-sleep-max-us N]
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr uint16_t kBurst = 32;
constexpr unsigned kEmptyPollsBeforeSleep = 256;

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

struct Options {
  std::string socket;
  std::string iface = "eth0";
  bool server = false;
  std::string file_prefix;
  unsigned idle_sleep_max_us = 500;
};

[[noreturn]] void fail(const std::string& message) {
  fprintf(stderr, "np-pod-shim: %s\n", message.c_str());
  exit(1);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--socket")
      o.socket = value();
    else if (arg == "--iface")
      o.iface = value();
    else if (arg == "--server")
      o.server = true;
    else if (arg == "--file-prefix")
      o.file_prefix = value();
    else if (arg == "--idle-sleep-max-us")
      o.idle_sleep_max_us = static_cast<unsigned>(std::stoul(value()));
    else
      fail("unknown argument '" + arg + "'");
  }
  if (o.socket.empty()) fail("--socket PATH is required");
  if (o.file_prefix.empty()) o.file_prefix = "np-pod-" + std::to_string(getpid());
  return o;
}

uint16_t open_port(const std::string& name, rte_mempool* pool) {
  uint16_t id;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) fail("no port " + name);
  rte_eth_conf conf{};
  // virtio_user in server mode accepts a reconnecting dataplane only from its link-state
  // interrupt handler.
  rte_eth_dev_info info;
  if (rte_eth_dev_info_get(id, &info) == 0 && (*info.dev_flags & RTE_ETH_DEV_INTR_LSC))
    conf.intr_conf.lsc = 1;
  if (rte_eth_dev_configure(id, 1, 1, &conf) != 0 ||
      rte_eth_rx_queue_setup(id, 0, 512, rte_eth_dev_socket_id(id), nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(id, 0, 512, rte_eth_dev_socket_id(id), nullptr) != 0 ||
      rte_eth_dev_start(id) != 0)
    fail("cannot start port " + name);
  rte_eth_promiscuous_enable(id);
  return id;
}

// Moves one burst from `from` to `to`; returns how many packets it received.
uint16_t forward(uint16_t from, uint16_t to) {
  rte_mbuf* pkts[kBurst];
  const uint16_t n = rte_eth_rx_burst(from, 0, pkts, kBurst);
  if (n == 0) return 0;
  const uint16_t sent = rte_eth_tx_burst(to, 0, pkts, n);
  if (sent < n) rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  // A server socket left by a killed shim would make bind() fail.
  struct stat st;
  if (o.server && lstat(o.socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
    unlink(o.socket.c_str());
  const std::string tap = "iface=" + o.iface;
  const std::string virtio = "path=" + o.socket + ",queues=1" + (o.server ? ",server=1" : "");
  std::vector<std::string> args = {argv[0],
                                   "--no-pci",
                                   "--single-file-segments",
                                   "-l",
                                   "0",
                                   "-m",
                                   "64",
                                   "--file-prefix",
                                   o.file_prefix,
                                   "--log-level",
                                   "*:warning",
                                   "--vdev",
                                   "net_tap0," + tap,
                                   "--vdev",
                                   "net_virtio_user0," + virtio};
  std::vector<char*> eal_argv;
  for (std::string& a : args) eal_argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0)
    fail(std::string("EAL init: ") + rte_strerror(rte_errno));
  rte_mempool* pool =
      rte_pktmbuf_pool_create("shim", 4095, 128, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
  if (pool == nullptr) fail("cannot allocate mbufs (hugepages?)");
  const uint16_t tap_port = open_port("net_tap0", pool);
  const uint16_t virtio_port = open_port("net_virtio_user0", pool);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  fprintf(stderr, "np-pod-shim: %s <-> %s ready\n", o.iface.c_str(), o.socket.c_str());

  unsigned empty_polls = 0, sleep_us = 0;
  while (!g_stop.load(std::memory_order_relaxed)) {
    if (forward(tap_port, virtio_port) + forward(virtio_port, tap_port) != 0) {
      empty_polls = 0;
      sleep_us = 0;
      continue;
    }
    if (o.idle_sleep_max_us == 0 || ++empty_polls < kEmptyPollsBeforeSleep) continue;
    sleep_us = sleep_us == 0 ? 1 : std::min(sleep_us * 2, o.idle_sleep_max_us);
    timespec ts{0, static_cast<long>(sleep_us) * 1000};
    nanosleep(&ts, nullptr);
  }
  for (uint16_t id : {tap_port, virtio_port}) {
    rte_eth_dev_stop(id);
    rte_eth_dev_close(id);
  }
  rte_eal_cleanup();
  return 0;
}
