// nodeplane: the daemon. `nodeplane --config FILE` runs the data plane described by FILE;
// `nodeplane --check-config FILE` validates FILE and exits.
#include <rte_eal.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "np/control/api_server.h"
#include "np/control/apply.h"
#include "np/control/config_loader.h"
#include "np/control/control_queue.h"
#include "np/control/controller.h"
#include "np/control/metrics.h"
#include "np/control/metrics_server.h"
#include "np/control/state_file.h"
#include "np/control/telemetry.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

int usage(FILE* out, int status) {
  fprintf(out,
          "usage: nodeplane --config FILE [--stats-interval SECONDS]\n"
          "       nodeplane --check-config FILE\n");
  return status;
}

int run(const np::control::Config& config, unsigned stats_interval_s) {
  np::dp::DpStatus st = np::dp::init_eal(np::control::eal_options(config));
  if (!st.ok()) {
    fprintf(stderr, "nodeplane: %s\n", st.message().c_str());
    return 1;
  }
  int status = 0;
  try {
    np::dp::Dataplane dataplane(np::control::dataplane_options(config));
    np::control::Status applied = np::control::apply_config(config, dataplane);
    if (!applied.is_ok()) {
      fprintf(stderr, "nodeplane: %s\n", applied.message().c_str());
      status = 1;
    } else if (!(st = dataplane.start()).ok()) {
      fprintf(stderr, "nodeplane: %s\n", st.message().c_str());
      status = 1;
    } else {
      np::control::Controller controller(dataplane, config);
      np::control::ControlQueue queue;
      np::control::ApiServer api(queue, controller, dataplane);
      // Each scrape takes its snapshot on the control thread, the stats' only reader.
      np::control::MetricsServer metrics(config.metrics_listen, [&] {
        np::dp::DataplaneStats stats;
        if (!queue.run([&] { stats = dataplane.stats(); })) throw std::runtime_error("stopping");
        return np::control::render_metrics(stats, config.node_name);
      });
      np::control::register_telemetry([&queue, &dataplane](np::dp::DataplaneStats& stats) {
        return queue.run([&] { stats = dataplane.stats(); });
      });
      np::control::Status started = api.start(config.api_listen);
      if (started.is_ok()) started = metrics.start();
      if (!started.is_ok()) {
        fprintf(stderr, "nodeplane: %s\n", started.message().c_str());
        status = 1;
      } else {
        fprintf(stderr, "nodeplane: running %zu ports on %zu workers; API on %s\n",
                config.ports.size(), config.dpdk.workers.size(), config.api_listen.c_str());
        dataplane.run(g_stop, stats_interval_s, stdout, [&queue] { queue.drain(); });
        fprintf(stderr, "nodeplane: stopping\n");
      }
      queue.close();
      np::control::unregister_telemetry();
      metrics.stop();
      api.stop();
      dataplane.stop_workers();
      if (status == 0) dataplane.print_stats(stdout);
    }
    dataplane.shutdown();
  } catch (const std::exception& e) {
    fprintf(stderr, "nodeplane: %s\n", e.what());
    status = 1;
  }
  rte_eal_cleanup();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool check_only = false;
  unsigned stats_interval_s = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--config" || arg == "--check-config") {
      const char* v = value();
      if (v == nullptr) return usage(stderr, 2);
      config_path = v;
      check_only = arg == "--check-config";
    } else if (arg == "--stats-interval") {
      const char* v = value();
      char* end = nullptr;
      if (v == nullptr ||
          (stats_interval_s = static_cast<unsigned>(strtoul(v, &end, 10)), *end != '\0')) {
        fprintf(stderr, "nodeplane: --stats-interval needs a whole number of seconds\n");
        return 2;
      }
    } else if (arg == "--help" || arg == "-h") {
      return usage(stdout, 0);
    } else {
      fprintf(stderr, "nodeplane: unknown argument '%s'\n", arg.c_str());
      return usage(stderr, 2);
    }
  }
  if (config_path.empty()) return usage(stderr, 2);

  np::control::Config config;
  np::control::Status loaded = np::control::load_config_file(config_path, config);
  if (!loaded.is_ok()) {
    fprintf(stderr, "%s\n", loaded.message().c_str());
    return 1;
  }
  if (check_only) {
    printf("%s: ok\n", config_path.c_str());
    return 0;
  }
  // Once a change has been made over the API, the saved state is the desired state.
  const std::string state_path = np::control::state_file_path(config.state_dir);
  if (access(state_path.c_str(), F_OK) == 0) {
    if (np::control::Status restored = np::control::load_config_file(state_path, config);
        !restored.is_ok()) {
      fprintf(stderr,
              "nodeplane: the saved state is corrupt, refusing to start rather than lose it: %s\n"
              "(move %s away to start from %s)\n",
              restored.message().c_str(), state_path.c_str(), config_path.c_str());
      return 1;
    }
    fprintf(stderr, "nodeplane: restored the state saved in %s\n", state_path.c_str());
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  return run(config, stats_interval_s);
}
