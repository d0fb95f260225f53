#include "np/control/api_server.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <vector>

#include "api_convert.h"
#include "nodeplane.grpc.pb.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace v1 = nodeplane::v1;
namespace {

constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kTcpScheme = "tcp://";

grpc::Status to_grpc(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
      return {grpc::StatusCode::INVALID_ARGUMENT, st.message()};
    case StatusCode::kNotFound:
      return {grpc::StatusCode::NOT_FOUND, st.message()};
    case StatusCode::kFailedPrecondition:
      return {grpc::StatusCode::FAILED_PRECONDITION, st.message()};
    case StatusCode::kResourceExhausted:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, st.message()};
    case StatusCode::kInternal:
      break;
  }
  return {grpc::StatusCode::INTERNAL, st.message()};
}

const grpc::Status kStopping{grpc::StatusCode::UNAVAILABLE, "nodeplane is stopping"};

constexpr uint32_t kDefaultConnectionLimit = 1000;
// About 4 MB of response at most, the clients' default receive limit.
constexpr uint32_t kMaxConnectionLimit = 65536;

}  // namespace

// Each handler converts the request (form errors name the request field), then does its work
// on the control thread.
class NodeplaneService final : public v1::Nodeplane::Service {
 public:
  NodeplaneService(ControlQueue& queue, Controller& controller, const dp::Dataplane& dataplane)
      : queue_(queue), controller_(controller), dataplane_(dataplane) {}

  grpc::Status AddPort(grpc::ServerContext*, const v1::AddPortRequest* req,
                       v1::AddPortResponse* resp) override {
    PortConfig port;
    if (Status st = from_proto(req->port(), port); !st.is_ok()) return to_grpc(st);
    return on_control([&] {
      Status st = controller_.add_port(port, req->bridge_domain());
      if (st.is_ok()) fill_port_status(port, dataplane_.stats(), *resp->mutable_port());
      return st;
    });
  }

  grpc::Status DeletePort(grpc::ServerContext*, const v1::DeletePortRequest* req,
                          v1::DeletePortResponse* resp) override {
    bool deleted = false;
    grpc::Status st = on_control([&] { return controller_.delete_port(req->name(), deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  grpc::Status ListPorts(grpc::ServerContext*, const v1::ListPortsRequest*,
                         v1::ListPortsResponse* resp) override {
    return on_control([&] {
      const dp::DataplaneStats stats = dataplane_.stats();
      for (const PortConfig& port : controller_.state().ports)
        fill_port_status(port, stats, *resp->add_ports());
      return Status::ok();
    });
  }

  grpc::Status AddBridgeDomain(grpc::ServerContext*, const v1::AddBridgeDomainRequest* req,
                               v1::AddBridgeDomainResponse* resp) override {
    BridgeDomainConfig domain;
    if (Status st = from_proto(req->bridge_domain(), domain); !st.is_ok()) return to_grpc(st);
    return on_control([&] {
      Status st = controller_.add_bridge_domain(domain);
      if (st.is_ok())
        fill_domain_status(domain, dataplane_.stats(), *resp->mutable_bridge_domain());
      return st;
    });
  }

  grpc::Status DeleteBridgeDomain(grpc::ServerContext*, const v1::DeleteBridgeDomainRequest* req,
                                  v1::DeleteBridgeDomainResponse* resp) override {
    bool deleted = false;
    grpc::Status st =
        on_control([&] { return controller_.delete_bridge_domain(req->id(), deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  grpc::Status ListBridgeDomains(grpc::ServerContext*, const v1::ListBridgeDomainsRequest*,
                                 v1::ListBridgeDomainsResponse* resp) override {
    return on_control([&] {
      const dp::DataplaneStats stats = dataplane_.stats();
      for (const BridgeDomainConfig& d : controller_.state().bridge_domains)
        fill_domain_status(d, stats, *resp->add_bridge_domains());
      return Status::ok();
    });
  }

  grpc::Status AddStaticMac(grpc::ServerContext*, const v1::AddStaticMacRequest* req,
                            v1::AddStaticMacResponse*) override {
    StaticMacConfig mac;
    if (Status st = from_proto(req->mac(), "mac", mac); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_static_mac(req->bridge_domain(), mac); });
  }

  grpc::Status DeleteStaticMac(grpc::ServerContext*, const v1::DeleteStaticMacRequest* req,
                               v1::DeleteStaticMacResponse* resp) override {
    MacAddress mac;
    if (Status st = parse_mac_field(req->mac(), "mac", mac); !st.is_ok()) return to_grpc(st);
    bool deleted = false;
    grpc::Status st = on_control(
        [&] { return controller_.delete_static_mac(req->bridge_domain(), mac, deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  grpc::Status ListMacs(grpc::ServerContext*, const v1::ListMacsRequest* req,
                        v1::ListMacsResponse* resp) override {
    return on_control([&] {
      for (const dp::MacRow& row : dataplane_.list_macs(req->bridge_domain()))
        to_proto(row, *resp->add_macs());
      return Status::ok();
    });
  }

  grpc::Status AddInterface(grpc::ServerContext*, const v1::AddInterfaceRequest* req,
                            v1::AddInterfaceResponse*) override {
    InterfaceConfig interface;
    if (Status st = from_proto(req->interface(), interface); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_interface(interface); });
  }

  grpc::Status DeleteInterface(grpc::ServerContext*, const v1::DeleteInterfaceRequest* req,
                               v1::DeleteInterfaceResponse* resp) override {
    bool deleted = false;
    grpc::Status st =
        on_control([&] { return controller_.delete_interface(req->name(), deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  // The configured interfaces, each with the MAC the data plane uses (its own choice when
  // none is configured).
  grpc::Status ListInterfaces(grpc::ServerContext*, const v1::ListInterfacesRequest*,
                              v1::ListInterfacesResponse* resp) override {
    return on_control([&] {
      const std::vector<dp::InterfaceRow> rows = dataplane_.list_interfaces();
      for (const InterfaceConfig& interface : controller_.state().interfaces) {
        v1::Interface* out = resp->add_interfaces();
        to_proto(interface, *out);
        for (const dp::InterfaceRow& row : rows)
          if (row.name == interface.name) {
            MacAddress mac;
            std::memcpy(mac.data(), row.mac.addr_bytes, mac.size());
            out->set_mac(format_mac(mac));
          }
      }
      return Status::ok();
    });
  }

  grpc::Status AddRoute(grpc::ServerContext*, const v1::AddRouteRequest* req,
                        v1::AddRouteResponse*) override {
    RouteConfig route;
    if (Status st = from_proto(req->route(), route); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_route(route); });
  }

  grpc::Status DeleteRoute(grpc::ServerContext*, const v1::DeleteRouteRequest* req,
                           v1::DeleteRouteResponse* resp) override {
    uint32_t prefix = 0;
    uint8_t len = 0;
    if (Status st = parse_prefix_field(req->prefix(), "prefix", 0, true, prefix, len); !st.is_ok())
      return to_grpc(st);
    bool deleted = false;
    grpc::Status st = on_control([&] { return controller_.delete_route(prefix, len, deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  grpc::Status ListRoutes(grpc::ServerContext*, const v1::ListRoutesRequest*,
                          v1::ListRoutesResponse* resp) override {
    return on_control([&] {
      for (const RouteConfig& route : controller_.state().routes)
        to_proto(route, *resp->add_routes());
      return Status::ok();
    });
  }

  grpc::Status AddNeighbor(grpc::ServerContext*, const v1::AddNeighborRequest* req,
                           v1::AddNeighborResponse*) override {
    NeighborConfig neighbor;
    if (Status st = from_proto(req->neighbor(), neighbor); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_neighbor(neighbor); });
  }

  grpc::Status DeleteNeighbor(grpc::ServerContext*, const v1::DeleteNeighborRequest* req,
                              v1::DeleteNeighborResponse* resp) override {
    uint32_t ip = 0;
    if (Status st = parse_ipv4_field(req->ip(), "ip", ip); !st.is_ok()) return to_grpc(st);
    bool deleted = false;
    grpc::Status st =
        on_control([&] { return controller_.delete_neighbor(ip, req->interface(), deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  // The data plane's neighbor table: static entries and those learned by ARP.
  grpc::Status ListNeighbors(grpc::ServerContext*, const v1::ListNeighborsRequest*,
                             v1::ListNeighborsResponse* resp) override {
    return on_control([&] {
      for (const dp::NeighborRow& row : dataplane_.list_neighbors())
        to_proto(row, *resp->add_neighbors());
      return Status::ok();
    });
  }

  grpc::Status SetVxlan(grpc::ServerContext*, const v1::SetVxlanRequest* req,
                        v1::SetVxlanResponse*) override {
    VxlanConfig settings;
    if (Status st = from_proto(req->vxlan(), settings); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.set_vxlan(settings); });
  }

  grpc::Status AddVxlanTunnel(grpc::ServerContext*, const v1::AddVxlanTunnelRequest* req,
                              v1::AddVxlanTunnelResponse*) override {
    VxlanTunnelConfig tunnel;
    if (Status st = from_proto(req->tunnel(), tunnel); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_vxlan_tunnel(tunnel); });
  }

  grpc::Status DeleteVxlanTunnel(grpc::ServerContext*, const v1::DeleteVxlanTunnelRequest* req,
                                 v1::DeleteVxlanTunnelResponse* resp) override {
    bool deleted = false;
    grpc::Status st =
        on_control([&] { return controller_.delete_vxlan_tunnel(req->vni(), deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  // The VTEP, its L2 VNIs and the L3 VNIs routes use, with counters, static remote MACs and
  // each port's VXLAN classification (rte_flow or software).
  grpc::Status ListVxlanTunnels(grpc::ServerContext*, const v1::ListVxlanTunnelsRequest*,
                                v1::ListVxlanTunnelsResponse* resp) override {
    return on_control([&] {
      fill_vxlan_tunnels(controller_.state(), dataplane_.stats().vxlan, *resp);
      return Status::ok();
    });
  }

  grpc::Status AddVxlanStaticMac(grpc::ServerContext*, const v1::AddVxlanStaticMacRequest* req,
                                 v1::AddVxlanStaticMacResponse*) override {
    VxlanStaticMacConfig mac;
    if (Status st = from_proto(req->mac(), mac); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_vxlan_static_mac(mac); });
  }

  grpc::Status DeleteVxlanStaticMac(grpc::ServerContext*,
                                    const v1::DeleteVxlanStaticMacRequest* req,
                                    v1::DeleteVxlanStaticMacResponse* resp) override {
    MacAddress mac;
    if (Status st = parse_mac_field(req->mac(), "mac", mac); !st.is_ok()) return to_grpc(st);
    bool deleted = false;
    grpc::Status st =
        on_control([&] { return controller_.delete_vxlan_static_mac(req->vni(), mac, deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  grpc::Status AddService(grpc::ServerContext*, const v1::AddServiceRequest* req,
                          v1::AddServiceResponse*) override {
    if (!req->has_service()) return to_grpc(invalid_argument("service: required"));
    ServiceConfig service;
    if (Status st = from_proto(req->service(), service); !st.is_ok()) return to_grpc(st);
    return on_control([&] { return controller_.add_service(service); });
  }

  grpc::Status DeleteService(grpc::ServerContext*, const v1::DeleteServiceRequest* req,
                             v1::DeleteServiceResponse* resp) override {
    bool deleted = false;
    grpc::Status st = on_control([&] { return controller_.delete_service(req->name(), deleted); });
    resp->set_deleted(deleted);
    return st;
  }

  // The configured services, each with its counters and its backends'.
  grpc::Status ListServices(grpc::ServerContext*, const v1::ListServicesRequest*,
                            v1::ListServicesResponse* resp) override {
    return on_control([&] {
      const dp::ServicesStats stats = dataplane_.stats().services;
      for (const ServiceConfig& service : controller_.state().services)
        to_proto(service, stats, *resp->add_services());
      return Status::ok();
    });
  }

  grpc::Status ListConnections(grpc::ServerContext*, const v1::ListConnectionsRequest* req,
                               v1::ListConnectionsResponse* resp) override {
    const uint32_t limit = req->limit() == 0 ? kDefaultConnectionLimit : req->limit();
    if (limit > kMaxConnectionLimit)
      return to_grpc(invalid_argument("limit: at most " + std::to_string(kMaxConnectionLimit) +
                                      ", got " + std::to_string(limit)));
    return on_control([&] {
      const std::vector<ServiceConfig>& services = controller_.state().services;
      if (!req->service().empty() &&
          std::none_of(services.begin(), services.end(),
                       [&](const ServiceConfig& s) { return s.name == req->service(); }))
        return Status{StatusCode::kNotFound,
                      "service: service '" + req->service() + "' does not exist"};
      for (const dp::ConnectionRow& row : dataplane_.list_connections(req->service(), limit))
        to_proto(row, *resp->add_connections());
      return Status::ok();
    });
  }

  grpc::Status GetStats(grpc::ServerContext*, const v1::GetStatsRequest*,
                        v1::GetStatsResponse* resp) override {
    return on_control([&] {
      const dp::DataplaneStats stats = dataplane_.stats();
      for (const PortConfig& port : controller_.state().ports)
        fill_port_status(port, stats, *resp->add_ports());
      for (const dp::WorkerStats& w : stats.workers) to_proto(w, *resp->add_workers());
      for (const BridgeDomainConfig& d : controller_.state().bridge_domains)
        fill_domain_status(d, stats, *resp->add_bridge_domains());
      resp->set_tsc_hz(stats.tsc_hz);
      resp->set_macs(stats.macs);
      resp->set_mac_capacity(stats.mac_capacity);
      to_proto(stats.l3, *resp->mutable_l3());
      to_proto(stats.vxlan, *resp->mutable_vxlan());
      to_proto(stats.services, *resp->mutable_services());
      return Status::ok();
    });
  }

 private:
  // Runs `fn` on the control thread; UNAVAILABLE if the daemon stops first.
  grpc::Status on_control(const std::function<Status()>& fn) {
    Status result;
    if (!queue_.run([&] { result = fn(); })) return kStopping;
    return to_grpc(result);
  }

  void fill_port_status(const PortConfig& port, const dp::DataplaneStats& stats,
                        v1::PortStatus& out) const {
    to_proto(port, *out.mutable_port());
    for (const dp::PortStats& p : stats.ports)
      if (p.name == port.name) {
        out.set_link_up(p.link_up);
        out.set_device(p.device);
        out.set_dpdk_port_id(p.id);
        to_proto(p, *out.mutable_counters());
      }
    for (const BridgeDomainConfig& d : controller_.state().bridge_domains)
      if (std::find(d.ports.begin(), d.ports.end(), port.name) != d.ports.end())
        out.set_bridge_domain(d.id);
  }

  static void fill_domain_status(const BridgeDomainConfig& domain, const dp::DataplaneStats& stats,
                                 v1::BridgeDomainStatus& out) {
    to_proto(domain, *out.mutable_bridge_domain());
    for (const dp::DomainStats& d : stats.domains)
      if (d.id == domain.id) {
        out.set_macs(d.macs);
        out.set_learned(d.learned);
        out.set_moved(d.moved);
        out.set_limit_reached(d.limit_reached);
      }
  }

  ControlQueue& queue_;
  Controller& controller_;
  const dp::Dataplane& dataplane_;
};

ApiServer::ApiServer(ControlQueue& queue, Controller& controller, const dp::Dataplane& dataplane)
    : service_(std::make_unique<NodeplaneService>(queue, controller, dataplane)) {}

ApiServer::~ApiServer() { stop(); }

Status ApiServer::start(const std::string& listen) {
  std::string address;
  if (listen.rfind(kUnixScheme, 0) == 0) {
    socket_path_ = listen.substr(kUnixScheme.size());
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(socket_path_).parent_path(), ec);
    unlink(socket_path_.c_str());  // A socket left by a daemon that did not stop cleanly.
    address = "unix:" + socket_path_;
  } else {
    address = listen.substr(kTcpScheme.size());
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  builder.SetMaxReceiveMessageSize(4 << 20);
  // Only root may drive the data plane: the socket is created mode 0600 (umask 077).
  const mode_t old_umask = umask(0077);
  server_ = builder.BuildAndStart();
  umask(old_umask);
  if (!server_) return internal_error("api.listen: cannot listen on " + listen);
  if (!socket_path_.empty() && chmod(socket_path_.c_str(), 0600) != 0)
    return internal_error("api.listen: cannot chmod " + socket_path_);
  return Status::ok();
}

void ApiServer::stop() {
  if (!server_) return;
  server_->Shutdown();
  server_.reset();
  if (!socket_path_.empty()) unlink(socket_path_.c_str());
}

}  // namespace np::control
