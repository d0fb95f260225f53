// The nodeplane API as nodeplane-cni uses it: ports and bridge domains over gRPC, with a
// deadline on every call, and gRPC statuses turned into CNI errors in one place.
//
// Thread: the plugin's one thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "nodeplane.grpc.pb.h"
#include "np/cni/error.h"

namespace np::cni {

inline constexpr std::chrono::milliseconds kApiDeadline{5000};

// gRPC's target for a SPEC address: unix:///PATH -> unix:/PATH, tcp://H:P -> H:P.
std::string grpc_target(const std::string& server);

// The CNI error for a failed call `what` to `server`: 11 when the daemon could not be
// reached (UNAVAILABLE, DEADLINE_EXCEEDED), 100 when it refused, with its message.
CniError to_cni_error(const grpc::Status& status, const std::string& what,
                      const std::string& server);

// True when `status` means the daemon was not reached (so nothing was changed, or, for
// DEADLINE_EXCEEDED, it may have been).
bool is_unreachable(const grpc::Status& status);

class DataplaneClient {
 public:
  explicit DataplaneClient(std::string server, std::chrono::milliseconds deadline = kApiDeadline);

  // Every call throws CniError (to_cni_error) when it fails.
  std::vector<nodeplane::v1::PortStatus> list_ports();
  std::optional<nodeplane::v1::PortStatus> find_port(const std::string& name);
  std::vector<nodeplane::v1::BridgeDomainStatus> list_bridge_domains();
  bool bridge_domain_exists(uint32_t id);
  // Creates (or replaces) `port` and, when bridge_domain != 0, puts it in that domain in the
  // same commit.
  nodeplane::v1::PortStatus add_port(const nodeplane::v1::Port& port, uint32_t bridge_domain);
  // True when a port was deleted, false when there was none.
  bool delete_port(const std::string& name);
  // delete_port that reports failure instead of throwing (for undoing earlier steps).
  grpc::Status try_delete_port(const std::string& name);

  const std::string& server() const { return server_; }

 private:
  std::unique_ptr<grpc::ClientContext> context() const;

  std::string server_;
  std::chrono::milliseconds deadline_;
  std::unique_ptr<nodeplane::v1::Nodeplane::Stub> stub_;
};

}  // namespace np::cni
