// The gRPC API server (package nodeplane.v1) on a unix socket (mode 0600) or loopback TCP.
// Handlers run on gRPC's threads; every read or change of state runs on the control thread
// through the ControlQueue, so the Controller stays the single writer.
//
// Thread: start/stop: the main thread, before and after the control loop runs.
#pragma once

#include <memory>
#include <string>

#include "np/control/control_queue.h"
#include "np/control/controller.h"
#include "np/control/status.h"
#include "np/dp/dataplane.h"

namespace grpc {
class Server;
}

namespace np::control {

class NodeplaneService;

class ApiServer {
 public:
  ApiServer(ControlQueue& queue, Controller& controller, const dp::Dataplane& dataplane);
  ~ApiServer();

  // `listen` is unix:///ABSOLUTE/PATH or tcp://HOST:PORT (validated by the config loader).
  Status start(const std::string& listen);
  // Waits for calls in flight; they fail with UNAVAILABLE once the ControlQueue is closed.
  void stop();

 private:
  std::unique_ptr<NodeplaneService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string socket_path_;
};

}  // namespace np::control
