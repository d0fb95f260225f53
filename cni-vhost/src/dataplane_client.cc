#include "np/cni/dataplane_client.h"

namespace np::cni {

namespace v1 = nodeplane::v1;

std::string grpc_target(const std::string& server) {
  if (server.rfind("unix://", 0) == 0) return "unix:" + server.substr(7);
  if (server.rfind("tcp://", 0) == 0) return server.substr(6);
  return server;
}

bool is_unreachable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

CniError to_cni_error(const grpc::Status& status, const std::string& what,
                      const std::string& server) {
  if (is_unreachable(status))
    return CniError(kTryAgainLater, "nodeplane API " + server + " unreachable (" + what + ")",
                    status.error_message());
  return CniError(kDataplaneRefused, "nodeplane refused " + what + ": " + status.error_message());
}

DataplaneClient::DataplaneClient(std::string server, std::chrono::milliseconds deadline)
    : server_(std::move(server)),
      deadline_(deadline),
      stub_(v1::Nodeplane::NewStub(
          grpc::CreateChannel(grpc_target(server_), grpc::InsecureChannelCredentials()))) {}

std::unique_ptr<grpc::ClientContext> DataplaneClient::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + deadline_);
  ctx->set_wait_for_ready(false);  // A missing daemon fails at once, with UNAVAILABLE.
  return ctx;
}

std::vector<v1::PortStatus> DataplaneClient::list_ports() {
  v1::ListPortsResponse resp;
  const grpc::Status st = stub_->ListPorts(context().get(), v1::ListPortsRequest(), &resp);
  if (!st.ok()) throw to_cni_error(st, "ListPorts", server_);
  return {resp.ports().begin(), resp.ports().end()};
}

std::optional<v1::PortStatus> DataplaneClient::find_port(const std::string& name) {
  for (v1::PortStatus& p : list_ports())
    if (p.port().name() == name) return p;
  return std::nullopt;
}

std::vector<v1::BridgeDomainStatus> DataplaneClient::list_bridge_domains() {
  v1::ListBridgeDomainsResponse resp;
  const grpc::Status st =
      stub_->ListBridgeDomains(context().get(), v1::ListBridgeDomainsRequest(), &resp);
  if (!st.ok()) throw to_cni_error(st, "ListBridgeDomains", server_);
  return {resp.bridge_domains().begin(), resp.bridge_domains().end()};
}

bool DataplaneClient::bridge_domain_exists(uint32_t id) {
  for (const v1::BridgeDomainStatus& d : list_bridge_domains())
    if (d.bridge_domain().id() == id) return true;
  return false;
}

v1::PortStatus DataplaneClient::add_port(const v1::Port& port, uint32_t bridge_domain) {
  v1::AddPortRequest req;
  *req.mutable_port() = port;
  req.set_bridge_domain(bridge_domain);
  v1::AddPortResponse resp;
  const grpc::Status st = stub_->AddPort(context().get(), req, &resp);
  if (!st.ok()) throw to_cni_error(st, "AddPort " + port.name(), server_);
  return resp.port();
}

grpc::Status DataplaneClient::try_delete_port(const std::string& name) {
  v1::DeletePortRequest req;
  req.set_name(name);
  v1::DeletePortResponse resp;
  return stub_->DeletePort(context().get(), req, &resp);
}

bool DataplaneClient::delete_port(const std::string& name) {
  v1::DeletePortRequest req;
  req.set_name(name);
  v1::DeletePortResponse resp;
  const grpc::Status st = stub_->DeletePort(context().get(), req, &resp);
  if (!st.ok()) throw to_cni_error(st, "DeletePort " + name, server_);
  return resp.deleted();
}

}  // namespace np::cni
