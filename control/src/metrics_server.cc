#include "np/control/metrics_server.h"

#include <arpa/inet.h>
#include <civetweb.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace np::control {
namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Checks HOST:PORT as civetweb's listening_ports takes it: an IPv4 literal or a bracketed IPv6
// literal, then a decimal port. civetweb itself would also take suffixes (s, r) and lists, which
// must not slip in through the config.
bool valid_listen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  unsigned long value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return false;
  unsigned char addr[16];
  if (host.front() == '[' && host.back() == ']' && host.size() > 2) {
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), addr) == 1;
  }
  return inet_pton(AF_INET, host.c_str(), addr) == 1;
}

// Sends a whole response with a text body; HEAD gets the headers only.
void send_response(mg_connection* conn, bool head, int status, const char* content_type,
                   const std::string& body, const char* allow = nullptr) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", content_type, -1);
  mg_response_header_add(conn, "Content-Length", std::to_string(body.size()).c_str(), -1);
  if (allow != nullptr) mg_response_header_add(conn, "Allow", allow, -1);
  mg_response_header_send(conn);
  if (!head && !body.empty()) mg_write(conn, body.data(), body.size());
}

}  // namespace

MetricsServer::MetricsServer(std::string listen, RenderFn render)
    : listen_(std::move(listen)), render_(std::move(render)) {}

MetricsServer::~MetricsServer() { stop(); }

Status MetricsServer::start() {
  if (context_ != nullptr) {
    return {StatusCode::kFailedPrecondition,
            "metrics server on " + listen_ + " is already running"};
  }
  if (!valid_listen(listen_)) {
    return invalid_argument("metrics.listen: '" + listen_ +
                            "' is not HOST:PORT with an IP address (e.g. 127.0.0.1:9469)");
  }
  // civetweb wants its global initialisation once, before any server starts, and not
  // concurrently with another start.
  static std::once_flag library_once;
  std::call_once(library_once, [] { mg_init_library(0); });

  mg_callbacks callbacks;
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.log_message = &MetricsServer::log_message;
  const char* options[] = {"listening_ports", listen_.c_str(),
                           // Two request threads: Prometheus scrapes once every few seconds.
                           "num_threads", "2",
                           // A stuck client must not hold a thread (and stop()) for long.
                           "request_timeout_ms", "10000", "enable_keep_alive", "no", nullptr};
  mg_init_data init;
  memset(&init, 0, sizeof(init));
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = options;
  char error_text[256] = "";
  unsigned error_code = 0;
  mg_error_data error;
  memset(&error, 0, sizeof(error));
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);

  {
    std::lock_guard<std::mutex> lock(log_mutex_);
    starting_ = true;
    start_log_.clear();
  }
  context_ = mg_start2(&init, &error);
  std::vector<std::string> start_log;
  {
    std::lock_guard<std::mutex> lock(log_mutex_);
    starting_ = false;
    start_log.swap(start_log_);
  }
  if (context_ == nullptr) {
    // civetweb's summary ("Failed to setup server ports") hides the cause it logged just
    // before ("cannot bind to ...: 98 (Address already in use)"); prefer the cause.
    std::string cause;
    for (const std::string& line : start_log) {
      if (line == error_text) continue;
      if (!cause.empty()) cause += "; ";
      cause += line;
    }
    if (cause.empty()) cause = error_text[0] != '\0' ? error_text : "civetweb failed to start";
    return {StatusCode::kFailedPrecondition,
            "metrics.listen: cannot listen on " + listen_ + ": " + cause};
  }
  mg_set_request_handler(context_, "/", &MetricsServer::handle_request, this);
  mg_server_port ports[1];
  port_ = mg_get_server_ports(context_, 1, ports) == 1 ? static_cast<uint16_t>(ports[0].port) : 0;
  return Status::ok();
}

void MetricsServer::stop() {
  if (context_ == nullptr) return;
  mg_stop(context_);
  context_ = nullptr;
  port_ = 0;
}

int MetricsServer::log_message(const mg_connection* conn, const char* message) {
  const mg_context* context = conn != nullptr ? mg_get_context(conn) : nullptr;
  auto* self =
      context != nullptr ? static_cast<MetricsServer*>(mg_get_user_data(context)) : nullptr;
  if (self != nullptr) {
    std::lock_guard<std::mutex> lock(self->log_mutex_);
    if (self->starting_) {
      self->start_log_.emplace_back(message);
      return 1;
    }
  }
  fprintf(stderr, "nodeplane: metrics server: %s\n", message);
  return 1;
}

int MetricsServer::handle_request(mg_connection* conn, void* self) {
  return static_cast<MetricsServer*>(self)->handle(conn);
}

int MetricsServer::handle(mg_connection* conn) {
  const mg_request_info* request = mg_get_request_info(conn);
  const char* uri = request->local_uri != nullptr ? request->local_uri : "";
  const char* method = request->request_method != nullptr ? request->request_method : "";
  const bool head = strcmp(method, "HEAD") == 0;
  if (strcmp(uri, "/metrics") != 0) {
    send_response(conn, head, 404, "text/plain; charset=utf-8", "Not found; try /metrics\n");
    return 404;
  }
  if (!head && strcmp(method, "GET") != 0) {
    send_response(conn, false, 405, "text/plain; charset=utf-8", "Method not allowed\n",
                  "GET, HEAD");
    return 405;
  }
  std::string body;
  try {
    std::lock_guard<std::mutex> lock(render_mutex_);
    body = render_();
  } catch (const std::exception& e) {
    send_response(conn, head, 500, "text/plain; charset=utf-8",
                  std::string("Cannot render metrics: ") + e.what() + "\n");
    return 500;
  } catch (...) {
    send_response(conn, head, 500, "text/plain; charset=utf-8", "Cannot render metrics\n");
    return 500;
  }
  send_response(conn, head, 200, kContentType, body);
  return 200;
}

}  // namespace np::control
