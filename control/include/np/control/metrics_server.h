// The HTTP endpoint Prometheus scrapes: GET /metrics at `metrics.listen`, served by civetweb
// on its own threads. The server holds no metrics itself; each scrape calls the `render`
// function given at construction (the daemon's takes a stats snapshot on the control thread
// through ControlQueue::run and calls render_metrics).
//
// Thread: construction, start(), stop() and destruction: one thread, the control thread in the
// daemon. `render` runs on a civetweb worker thread, never two calls at once.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "np/control/status.h"

struct mg_connection;
struct mg_context;

namespace np::control {

class MetricsServer {
 public:
  // Returns the exposition text of one scrape. It may throw; the scrape then gets a 500.
  using RenderFn = std::function<std::string()>;

  // `listen` is HOST:PORT with an IPv4 host ("127.0.0.1:9469") or a bracketed IPv6 host
  // ("[::1]:9469"); port 0 picks a free port (see port()). Does not listen until start().
  MetricsServer(std::string listen, RenderFn render);
  // Stops the server (see stop()).
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Starts listening and serving: GET (and HEAD) /metrics answers 200 with Content-Type
  // `text/plain; version=0.0.4; charset=utf-8`, another method on /metrics 405, any other
  // path 404. Returns an error naming the address if `listen` is malformed or cannot be
  // bound (e.g. the port is in use), or if the server is already running.
  Status start();

  // Stops listening and waits for requests in flight to finish, so `render` must be able to
  // return while this runs (in the daemon, the control loop must still drain the queue, or
  // the render function must fail fast). Does nothing if not running.
  void stop();

  // The TCP port listened on (the one chosen when `listen` said port 0); 0 when not running.
  uint16_t port() const { return port_; }

 private:
  // civetweb's log callback: collects messages into start_log_ while start() runs (to explain
  // a failure), prints them to stderr afterwards.
  static int log_message(const mg_connection* conn, const char* message);
  static int handle_request(mg_connection* conn, void* self);
  int handle(mg_connection* conn);

  std::string listen_;
  RenderFn render_;
  std::mutex render_mutex_;  // Serialises calls to render_ from civetweb's threads.
  mg_context* context_ = nullptr;
  uint16_t port_ = 0;
  std::mutex log_mutex_;  // Guards starting_ and start_log_ against civetweb's threads.
  bool starting_ = false;
  std::vector<std::string> start_log_;
};

}  // namespace np::control
