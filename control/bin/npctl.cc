// npctl: the nodeplane CLI, a client of the gRPC API.
//   npctl [--server ADDR] [-o table|json] NOUN VERB ...
// Tables for people, `-o json` for scripts (a JSON array of objects for `list`). On error:
// the server's message on stderr and exit status 1 (2 for a usage error).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nodeplane.grpc.pb.h"

namespace {

namespace v1 = nodeplane::v1;
using Args = std::vector<std::string>;

constexpr char kDefaultServer[] = "unix:///run/nodeplane/api.sock";
constexpr char kUsage[] =
    "usage: npctl [--server ADDR] [-o table|json] NOUN VERB ...\n"
    "  port add NAME --type TYPE [--socket PATH] [--client] [--iface IFACE] [--device PCI]\n"
    "                [--path PATH] [--queues N] [--mac MAC] [--mtu N] [--bd ID]\n"
    "                [--allow-mac MAC --allow-ip IP [--allow-ip IP ...]]  (anti-spoofing)\n"
    "  port del NAME | port list\n"
    "  bd add ID --port NAME [--port NAME ...] [--no-learning] [--aging S] [--no-flood] "
    "[--max-macs N]\n"
    "  bd del ID | bd list\n"
    "  mac add MAC --bd ID --port NAME | mac del MAC --bd ID | mac list [--bd ID]\n"
    "  mac add MAC --vni N --remote IP | mac del MAC --vni N   (behind a remote VTEP)\n"
    "  interface add NAME (--port P | --bd ID) --ip A.B.C.D/LEN [--mac MAC] | del NAME | list\n"
    "  route add PREFIX via IP [via IP ...] | route add PREFIX --vxlan REMOTE --vni N --mac MAC\n"
    "  route add PREFIX --interface NAME | route del PREFIX | route list\n"
    "  neighbor add IP --mac MAC --interface NAME | neighbor del IP [--interface NAME]\n"
    "  neighbor list\n"
    "  vxlan set --local-ip IP [--port N] [--mac MAC]\n"
    "  vxlan add VNI --bd ID --remote IP [--remote IP ...] | vxlan del VNI | vxlan list\n"
    "  service add NAME --vip IP --port N [--protocol tcp|udp] [--backend IP:PORT[:WEIGHT] ...]\n"
    "              [--node-port N] [--affinity client_ip [--affinity-timeout S]]\n"
    "  service del NAME | service list\n"
    "  conntrack list [--service NAME] [--limit N]\n"
    "  stats\n";

struct UsageError {
  std::string message;
};

// Options after the positional words: --key value, or --flag.
class Options {
 public:
  Options(const Args& args, size_t first, const std::vector<std::string>& flags) {
    for (size_t i = first; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.rfind("--", 0) != 0) throw UsageError{"unexpected argument '" + a + "'"};
      if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
        values_[a].push_back("");
      } else if (i + 1 < args.size()) {
        values_[a].push_back(args[++i]);
      } else {
        throw UsageError{a + " needs a value"};
      }
    }
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second.back();
  }
  std::vector<std::string> all(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  uint32_t number(const std::string& key, uint32_t fallback = 0) const {
    return has(key) ? to_number(key, get(key)) : fallback;
  }
  static uint32_t to_number(const std::string& what, const std::string& text) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text[0] == '-' || v > UINT32_MAX)
      throw UsageError{what + ": '" + text + "' is not a number"};
    return static_cast<uint32_t>(v);
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

v1::PortType port_type(const std::string& name) {
  static const std::map<std::string, v1::PortType> types = {
      {"vhost-user", v1::PORT_TYPE_VHOST_USER},
      {"af-packet", v1::PORT_TYPE_AF_PACKET},
      {"tap", v1::PORT_TYPE_TAP},
      {"pci", v1::PORT_TYPE_PCI},
      {"virtio-user", v1::PORT_TYPE_VIRTIO_USER},
      {"ring", v1::PORT_TYPE_RING},
      {"null", v1::PORT_TYPE_NULL}};
  auto it = types.find(name);
  if (it == types.end()) throw UsageError{"--type: unknown port type '" + name + "'"};
  return it->second;
}

std::string type_name(v1::PortType type) {
  std::string name = v1::PortType_Name(type).substr(sizeof("PORT_TYPE_") - 1);
  for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return name;
}

std::string to_json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

template <typename Repeated>
void print_json_array(const Repeated& items) {
  std::string out = "[";
  for (int i = 0; i < items.size(); ++i) out += (i ? "," : "") + to_json(items.Get(i));
  printf("%s]\n", out.c_str());
}

// Prints rows as columns padded to the widest cell.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line +=
          c + 1 == row.size() ? row[c] : row[c] + std::string(width[c] - row[c].size() + 2, ' ');
    printf("%s\n", line.c_str());
  }
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == separator)
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

std::string protocol_name(v1::Protocol protocol) {
  return protocol == v1::PROTOCOL_UDP ? "udp" : protocol == v1::PROTOCOL_TCP ? "tcp" : "-";
}

class Cli {
 public:
  Cli(const std::string& server, bool json)
      : stub_(v1::Nodeplane::NewStub(
            grpc::CreateChannel(target(server), grpc::InsecureChannelCredentials()))),
        json_(json) {}

  int run(const Args& w) {
    const std::string noun = w.size() > 0 ? w[0] : "", verb = w.size() > 1 ? w[1] : "";
    if (noun == "port" && verb == "add") return port_add(w);
    if (noun == "port" && verb == "del")
      return del<v1::DeletePortRequest, v1::DeletePortResponse>(
          w, &Stub::DeletePort, [&](auto& r) { r.set_name(w.at(2)); });
    if (noun == "port" && verb == "list") return port_list();
    if (noun == "bd" && verb == "add") return bd_add(w);
    if (noun == "bd" && verb == "del")
      return del<v1::DeleteBridgeDomainRequest, v1::DeleteBridgeDomainResponse>(
          w, &Stub::DeleteBridgeDomain,
          [&](auto& r) { r.set_id(Options::to_number("ID", w.at(2))); });
    if (noun == "bd" && verb == "list") return bd_list();
    if (noun == "mac" && verb == "add") return mac_add(w);
    if (noun == "mac" && verb == "del") return mac_del(w);
    if (noun == "mac" && verb == "list") return mac_list(w);
    if (noun == "stats" && verb.empty()) return stats();
    if (noun == "interface") return interface_cmd(w);
    if (noun == "route") return route_cmd(w);
    if (noun == "neighbor") return neighbor_cmd(w);
    if (noun == "vxlan") return vxlan_cmd(w);
    if (noun == "service") return service_cmd(w);
    if (noun == "conntrack" && verb == "list") return conntrack_list(w);
    throw UsageError{"unknown command '" + noun + (verb.empty() ? "" : " " + verb) + "'"};
  }

 private:
  using Stub = v1::Nodeplane::Stub;

  static std::string target(const std::string& server) {
    // gRPC spells unix sockets "unix:/path"; the SPEC's form is unix:///path.
    if (server.rfind("unix://", 0) == 0) return "unix:" + server.substr(7);
    if (server.rfind("tcp://", 0) == 0) return server.substr(6);
    return server;
  }

  static int fail(const grpc::Status& st) {
    if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED)
      fprintf(stderr, "npctl: not implemented by this nodeplane yet (UNIMPLEMENTED)\n");
    else if (st.error_code() == grpc::StatusCode::UNAVAILABLE)
      fprintf(stderr, "npctl: cannot reach nodeplane: %s\n", st.error_message().c_str());
    else
      fprintf(stderr, "npctl: %s\n", st.error_message().c_str());
    return 1;
  }

  static std::unique_ptr<grpc::ClientContext> context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  int port_add(const Args& w) {
    if (w.size() < 3) throw UsageError{"port add needs a NAME"};
    Options o(w, 3, {"--client"});
    v1::AddPortRequest req;
    v1::Port* p = req.mutable_port();
    p->set_name(w[2]);
    if (!o.has("--type")) throw UsageError{"port add needs --type"};
    p->set_type(port_type(o.get("--type")));
    p->set_socket(o.get("--socket"));
    p->set_client(o.has("--client"));
    p->set_iface(o.get("--iface"));
    p->set_device(o.get("--device"));
    p->set_path(o.get("--path"));
    p->set_queues(o.number("--queues"));
    p->set_mac(o.get("--mac"));
    p->set_mtu(o.number("--mtu"));
    req.set_bridge_domain(o.number("--bd"));
    if (o.has("--allow-mac") || o.has("--allow-ip")) {
      if (!o.has("--allow-mac")) throw UsageError{"--allow-ip needs --allow-mac"};
      v1::PortSecurity* security = p->mutable_security();
      security->set_mac(o.get("--allow-mac"));
      for (const std::string& ip : o.all("--allow-ip")) security->add_ips(ip);
    }
    v1::AddPortResponse resp;
    if (grpc::Status st = stub_->AddPort(context().get(), req, &resp); !st.ok()) return fail(st);
    if (json_) printf("%s\n", to_json(resp.port()).c_str());
    return 0;
  }

  int port_list() {
    v1::ListPortsResponse resp;
    if (grpc::Status st = stub_->ListPorts(context().get(), {}, &resp); !st.ok()) return fail(st);
    if (json_) {
      print_json_array(resp.ports());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"NAME", "TYPE", "LINK", "BD", "RX_PKTS",
                                                   "TX_PKTS", "DROPS", "DEVICE", "SECURITY", "CNI",
                                                   "ATTACH"}};
    for (const v1::PortStatus& s : resp.ports()) {
      uint64_t drops = 0;
      for (const auto& [reason, n] : s.counters().drops()) drops += n;
      const v1::Port& p = s.port();
      const std::string attach = p.socket().empty() ? p.iface() + p.device() + p.path()
                                                    : p.socket() + (p.client() ? " (client)" : "");
      rows.push_back({p.name(), type_name(p.type()), s.link_up() ? "up" : "down",
                      s.bridge_domain() ? std::to_string(s.bridge_domain()) : "-",
                      std::to_string(s.counters().rx_packets()),
                      std::to_string(s.counters().tx_packets()), std::to_string(drops), s.device(),
                      security_text(p), attachment_text(p), attach});
    }
    print_table(rows);
    return 0;
  }

  // "MAC IP,IP" (the sources the port accepts), or "-".
  static std::string security_text(const v1::Port& p) {
    if (!p.has_security()) return "-";
    std::string ips;
    for (const std::string& ip : p.security().ips()) ips += (ips.empty() ? "" : ",") + ip;
    return p.security().mac() + " " + ips;
  }

  // "NETWORK/CONTAINER/IFNAME" of the CNI attachment, the container ID cut to 12 characters
  // as container runtimes show it; or "-".
  static std::string attachment_text(const v1::Port& p) {
    if (!p.has_attachment()) return "-";
    const v1::PortAttachment& a = p.attachment();
    return a.network() + "/" + a.container_id().substr(0, 12) + "/" + a.ifname();
  }

  int bd_add(const Args& w) {
    if (w.size() < 3) throw UsageError{"bd add needs an ID"};
    Options o(w, 3, {"--no-learning", "--no-flood"});
    v1::AddBridgeDomainRequest req;
    v1::BridgeDomain* d = req.mutable_bridge_domain();
    d->set_id(Options::to_number("ID", w[2]));
    for (const std::string& port : o.all("--port")) d->add_ports(port);
    if (o.has("--no-learning")) d->set_learning(false);
    if (o.has("--no-flood")) d->set_flood(false);
    if (o.has("--aging")) d->set_aging_s(o.number("--aging"));
    d->set_max_macs(o.number("--max-macs"));
    v1::AddBridgeDomainResponse resp;
    if (grpc::Status st = stub_->AddBridgeDomain(context().get(), req, &resp); !st.ok())
      return fail(st);
    if (json_) printf("%s\n", to_json(resp.bridge_domain()).c_str());
    return 0;
  }

  int bd_list() {
    v1::ListBridgeDomainsResponse resp;
    if (grpc::Status st = stub_->ListBridgeDomains(context().get(), {}, &resp); !st.ok())
      return fail(st);
    if (json_) {
      print_json_array(resp.bridge_domains());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {
        {"ID", "PORTS", "MACS", "LEARNING", "AGING_S", "FLOOD", "MAX_MACS"}};
    for (const v1::BridgeDomainStatus& s : resp.bridge_domains()) {
      const v1::BridgeDomain& d = s.bridge_domain();
      std::string ports;
      for (const std::string& p : d.ports()) ports += (ports.empty() ? "" : ",") + p;
      rows.push_back({std::to_string(d.id()), ports.empty() ? "-" : ports, std::to_string(s.macs()),
                      d.learning() ? "yes" : "no", std::to_string(d.aging_s()),
                      d.flood() ? "yes" : "no", d.max_macs() ? std::to_string(d.max_macs()) : "-"});
    }
    print_table(rows);
    return 0;
  }

  int mac_add(const Args& w) {
    if (w.size() < 3) throw UsageError{"mac add needs a MAC"};
    Options o(w, 3, {});
    if (o.has("--vni")) {
      if (o.has("--bd") || o.has("--port") || !o.has("--remote"))
        throw UsageError{"mac add MAC --vni N needs --remote IP (and no --bd or --port)"};
      v1::AddVxlanStaticMacRequest req;
      req.mutable_mac()->set_vni(o.number("--vni"));
      req.mutable_mac()->set_mac(w[2]);
      req.mutable_mac()->set_remote(o.get("--remote"));
      return change(&Stub::AddVxlanStaticMac, req);
    }
    v1::AddStaticMacRequest req;
    req.set_bridge_domain(o.number("--bd"));
    req.mutable_mac()->set_mac(w[2]);
    req.mutable_mac()->set_port(o.get("--port"));
    v1::AddStaticMacResponse resp;
    if (grpc::Status st = stub_->AddStaticMac(context().get(), req, &resp); !st.ok())
      return fail(st);
    return 0;
  }

  int mac_del(const Args& w) {
    if (w.size() < 3) throw UsageError{"mac del needs a MAC"};
    Options o(w, 3, {});
    if (o.has("--vni"))
      return del<v1::DeleteVxlanStaticMacRequest, v1::DeleteVxlanStaticMacResponse>(
          w, &Stub::DeleteVxlanStaticMac, [&](auto& r) {
            r.set_vni(o.number("--vni"));
            r.set_mac(w[2]);
          });
    return del<v1::DeleteStaticMacRequest, v1::DeleteStaticMacResponse>(
        w, &Stub::DeleteStaticMac, [&](auto& r) {
          r.set_bridge_domain(o.number("--bd"));
          r.set_mac(w[2]);
        });
  }

  int mac_list(const Args& w) {
    Options o(w, 2, {});
    v1::ListMacsRequest req;
    req.set_bridge_domain(o.number("--bd"));
    v1::ListMacsResponse resp;
    if (grpc::Status st = stub_->ListMacs(context().get(), req, &resp); !st.ok()) return fail(st);
    if (json_) {
      print_json_array(resp.macs());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"BD", "MAC", "PORT", "TYPE", "IDLE_S"}};
    for (const v1::MacEntry& m : resp.macs())
      rows.push_back({std::to_string(m.bridge_domain()), m.mac(),
                      m.remote_vtep().empty() ? m.port() : "vtep " + m.remote_vtep(),
                      m.static_() ? "static" : "learned",
                      m.static_() ? "-" : std::to_string(m.idle_s())});
    print_table(rows);
    return 0;
  }

  int stats() {
    v1::GetStatsResponse resp;
    if (grpc::Status st = stub_->GetStats(context().get(), {}, &resp); !st.ok()) return fail(st);
    if (json_) {
      printf("%s\n", to_json(resp).c_str());
      return 0;
    }
    std::vector<std::vector<std::string>> ports = {
        {"PORT", "LINK", "RX_PKTS", "RX_BYTES", "TX_PKTS", "TX_BYTES", "DROPS"}};
    for (const v1::PortStatus& s : resp.ports()) {
      std::string drops;
      for (const auto& [reason, n] : s.counters().drops())
        if (n) drops += (drops.empty() ? "" : " ") + reason + "=" + std::to_string(n);
      const v1::PortCounters& c = s.counters();
      ports.push_back({s.port().name(), s.link_up() ? "up" : "down", std::to_string(c.rx_packets()),
                       std::to_string(c.rx_bytes()), std::to_string(c.tx_packets()),
                       std::to_string(c.tx_bytes()), drops.empty() ? "0" : drops});
    }
    print_table(ports);
    printf("\n");
    std::vector<std::vector<std::string>> workers = {
        {"WORKER_LCORE", "POLLS", "BUSY_POLLS", "RX_PKTS", "BUSY_CYCLES/PKT", "BUSY_%"}};
    for (const v1::WorkerStats& w : resp.workers()) {
      const double total = static_cast<double>(w.busy_cycles() + w.idle_cycles());
      char per_pkt[32], busy[32];
      snprintf(per_pkt, sizeof per_pkt, "%.1f",
               w.rx_packets() ? double(w.busy_cycles()) / w.rx_packets() : 0.0);
      snprintf(busy, sizeof busy, "%.1f", total > 0 ? 100.0 * w.busy_cycles() / total : 0.0);
      workers.push_back({std::to_string(w.lcore()), std::to_string(w.polls()),
                         std::to_string(w.busy_polls()), std::to_string(w.rx_packets()), per_pkt,
                         busy});
    }
    print_table(workers);
    printf("\nMAC table: %u of %u entries\n", resp.macs(), resp.mac_capacity());
    const v1::L3Stats& l3 = resp.l3();
    std::string icmp;
    for (const auto& [type, n] : l3.icmp_sent())
      if (n) icmp += " " + type + "=" + std::to_string(n);
    printf(
        "L3: routes=%u neighbors=%u arp_requests_sent=%lu arp_replies_sent=%lu arp_misses=%lu "
        "arp_queue_drops=%lu arp_failed_drops=%lu punt_queue_drops=%lu icmp_rate_limited=%lu\n"
        "ICMP sent:%s\n",
        l3.routes(), l3.neighbors(), static_cast<unsigned long>(l3.arp_requests_sent()),
        static_cast<unsigned long>(l3.arp_replies_sent()),
        static_cast<unsigned long>(l3.arp_misses()),
        static_cast<unsigned long>(l3.arp_queue_drops()),
        static_cast<unsigned long>(l3.arp_failed_drops()),
        static_cast<unsigned long>(l3.punt_queue_drops()),
        static_cast<unsigned long>(l3.icmp_rate_limited()), icmp.empty() ? " none" : icmp.c_str());
    const v1::VxlanStats& vx = resp.vxlan();
    if (vx.vnis_size() > 0 || vx.remote_macs() > 0) {
      std::string vnis;
      for (const v1::VxlanVniCounters& v : vx.vnis()) {
        uint64_t drops = 0;
        for (const auto& [reason, n] : v.drops()) drops += n;
        vnis += " " + std::to_string(v.vni()) + ":encap=" + std::to_string(v.encap_packets()) +
                ",decap=" + std::to_string(v.decap_packets()) + ",drops=" + std::to_string(drops);
      }
      printf("VXLAN: remote_macs=%u VNIs:%s\n", vx.remote_macs(),
             vnis.empty() ? " none" : vnis.c_str());
    }
    const v1::ServicesStats& sv = resp.services();
    const v1::ConntrackStats& ct = sv.conntrack();
    std::string nat_drops;
    for (const auto& [reason, n] : ct.drops())
      if (n) nat_drops += " " + reason + "=" + std::to_string(n);
    printf(
        "Conntrack: flows=%u of %u created=%lu expired=%lu ended_backend_removed=%lu\n"
        "NAT drops:%s\n",
        ct.flows(), ct.max_flows(), static_cast<unsigned long>(ct.created()),
        static_cast<unsigned long>(ct.expired()),
        static_cast<unsigned long>(ct.ended_backend_removed()),
        nat_drops.empty() ? " none" : nat_drops.c_str());
    if (sv.services_size() > 0) {
      printf("\n");
      std::vector<std::vector<std::string>> services = {{"SERVICE", "PACKETS", "NEW_FLOWS"}};
      for (const v1::ServiceStats& s : sv.services())
        services.push_back({s.name(), std::to_string(s.packets()), std::to_string(s.new_flows())});
      print_table(services);
    }
    return 0;
  }

  // Sends a change; prints nothing (the response of an Add is empty).
  template <typename Request, typename Response>
  int change(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
             const Request& req) {
    Response resp;
    if (grpc::Status st = (stub_.get()->*rpc)(context().get(), req, &resp); !st.ok())
      return fail(st);
    return 0;
  }

  // interface add NAME (--port P | --bd ID) --ip A.B.C.D/LEN [--mac MAC] | del NAME | list
  int interface_cmd(const Args& w) {
    const std::string verb = w.at(1);
    if (verb == "list") return interface_list();
    if (verb == "del")
      return del<v1::DeleteInterfaceRequest, v1::DeleteInterfaceResponse>(
          w, &Stub::DeleteInterface, [&](auto& r) { r.set_name(w.at(2)); });
    if (verb != "add") throw UsageError{"interface: expected add, del or list"};
    Options o(w, 3, {});
    v1::AddInterfaceRequest req;
    v1::Interface* i = req.mutable_interface();
    i->set_name(w.at(2));
    if (o.has("--port") == o.has("--bd"))
      throw UsageError{"interface add needs one of --port or --bd"};
    if (o.has("--port")) i->set_port(o.get("--port"));
    if (o.has("--bd")) i->set_bridge_domain(o.number("--bd"));
    if (!o.has("--ip")) throw UsageError{"interface add needs --ip A.B.C.D/LEN"};
    i->set_ip(o.get("--ip"));
    i->set_mac(o.get("--mac"));
    return change(&Stub::AddInterface, req);
  }

  int interface_list() {
    v1::ListInterfacesResponse resp;
    if (grpc::Status st = stub_->ListInterfaces(context().get(), {}, &resp); !st.ok())
      return fail(st);
    if (json_) {
      print_json_array(resp.interfaces());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"NAME", "ATTACH", "IP", "MAC"}};
    for (const v1::Interface& i : resp.interfaces()) {
      const std::string attach = i.attachment_case() == v1::Interface::kPort
                                     ? "port " + i.port()
                                     : "bd " + std::to_string(i.bridge_domain());
      rows.push_back({i.name(), attach, i.ip(), i.mac().empty() ? "-" : i.mac()});
    }
    print_table(rows);
    return 0;
  }

  // route add PREFIX via IP [via IP ...] | add PREFIX --interface NAME
  //   | add PREFIX --vxlan REMOTE --vni N --mac MAC | del PREFIX | list
  int route_cmd(const Args& w) {
    const std::string verb = w.at(1);
    if (verb == "list") return route_list();
    if (verb == "del")
      return del<v1::DeleteRouteRequest, v1::DeleteRouteResponse>(
          w, &Stub::DeleteRoute, [&](auto& r) { r.set_prefix(w.at(2)); });
    if (verb != "add") throw UsageError{"route: expected add, del or list"};
    v1::AddRouteRequest req;
    v1::Route* r = req.mutable_route();
    r->set_prefix(w.at(2));
    size_t i = 3;
    for (; i + 1 < w.size() && w[i] == "via"; i += 2) r->add_next_hops()->set_via(w[i + 1]);
    if (i < w.size() && w[i] == "via") throw UsageError{"via needs an IP"};
    Options o(w, i, {});
    if (o.has("--interface")) r->add_next_hops()->set_interface(o.get("--interface"));
    if (o.has("--vxlan")) {
      v1::VxlanNextHop* v = r->add_next_hops()->mutable_vxlan();
      v->set_remote(o.get("--vxlan"));
      v->set_vni(o.number("--vni"));
      v->set_mac(o.get("--mac"));
    }
    if (r->next_hops_size() == 0)
      throw UsageError{"route add needs via IP, --interface or --vxlan"};
    return change(&Stub::AddRoute, req);
  }

  int route_list() {
    v1::ListRoutesResponse resp;
    if (grpc::Status st = stub_->ListRoutes(context().get(), {}, &resp); !st.ok()) return fail(st);
    if (json_) {
      print_json_array(resp.routes());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"PREFIX", "NEXT_HOPS"}};
    for (const v1::Route& r : resp.routes()) {
      std::string hops;
      for (const v1::NextHop& h : r.next_hops()) {
        if (!hops.empty()) hops += " ";
        if (h.kind_case() == v1::NextHop::kVia) hops += "via " + h.via();
        if (h.kind_case() == v1::NextHop::kInterface) hops += "interface " + h.interface();
        if (h.kind_case() == v1::NextHop::kVxlan)
          hops += "vxlan " + h.vxlan().remote() + " vni " + std::to_string(h.vxlan().vni()) +
                  " mac " + h.vxlan().mac();
      }
      rows.push_back({r.prefix(), hops});
    }
    print_table(rows);
    return 0;
  }

  // neighbor add IP --mac MAC --interface NAME | del IP [--interface NAME] | list
  int neighbor_cmd(const Args& w) {
    const std::string verb = w.at(1);
    if (verb == "list") return neighbor_list();
    Options o(w, 3, {});
    if (verb == "del")
      return del<v1::DeleteNeighborRequest, v1::DeleteNeighborResponse>(
          w, &Stub::DeleteNeighbor, [&](auto& r) {
            r.set_ip(w.at(2));
            r.set_interface(o.get("--interface"));
          });
    if (verb != "add") throw UsageError{"neighbor: expected add, del or list"};
    if (!o.has("--mac") || !o.has("--interface"))
      throw UsageError{"neighbor add needs --mac MAC and --interface NAME"};
    v1::AddNeighborRequest req;
    req.mutable_neighbor()->set_ip(w.at(2));
    req.mutable_neighbor()->set_mac(o.get("--mac"));
    req.mutable_neighbor()->set_interface(o.get("--interface"));
    return change(&Stub::AddNeighbor, req);
  }

  int neighbor_list() {
    v1::ListNeighborsResponse resp;
    if (grpc::Status st = stub_->ListNeighbors(context().get(), {}, &resp); !st.ok())
      return fail(st);
    if (json_) {
      print_json_array(resp.neighbors());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"IP", "MAC", "INTERFACE", "STATE", "AGE_S"}};
    for (const v1::Neighbor& n : resp.neighbors())
      rows.push_back({n.ip(), n.mac().empty() ? "-" : n.mac(), n.interface(), n.state(),
                      n.static_() ? "-" : std::to_string(n.age_s())});
    print_table(rows);
    return 0;
  }

  // vxlan set --local-ip IP [--port N] [--mac MAC] | add VNI --bd ID --remote IP [...]
  //   | del VNI | list
  int vxlan_cmd(const Args& w) {
    const std::string verb = w.at(1);
    if (verb == "list") return vxlan_list();
    if (verb == "set") {
      Options o(w, 2, {});
      if (!o.has("--local-ip")) throw UsageError{"vxlan set needs --local-ip IP"};
      v1::SetVxlanRequest req;
      req.mutable_vxlan()->set_local_ip(o.get("--local-ip"));
      req.mutable_vxlan()->set_port(o.number("--port"));
      req.mutable_vxlan()->set_mac(o.get("--mac"));
      return change(&Stub::SetVxlan, req);
    }
    if (verb == "del")
      return del<v1::DeleteVxlanTunnelRequest, v1::DeleteVxlanTunnelResponse>(
          w, &Stub::DeleteVxlanTunnel,
          [&](auto& r) { r.set_vni(Options::to_number("VNI", w.at(2))); });
    if (verb != "add") throw UsageError{"vxlan: expected set, add, del or list"};
    Options o(w, 3, {});
    if (!o.has("--bd")) throw UsageError{"vxlan add needs --bd ID"};
    v1::AddVxlanTunnelRequest req;
    req.mutable_tunnel()->set_vni(Options::to_number("VNI", w.at(2)));
    req.mutable_tunnel()->set_bridge_domain(o.number("--bd"));
    for (const std::string& remote : o.all("--remote")) req.mutable_tunnel()->add_remotes(remote);
    return change(&Stub::AddVxlanTunnel, req);
  }

  // The VTEP, a row per VNI (L3 VNIs have no bridge domain), and each port's classification.
  int vxlan_list() {
    v1::ListVxlanTunnelsResponse resp;
    if (grpc::Status st = stub_->ListVxlanTunnels(context().get(), {}, &resp); !st.ok())
      return fail(st);
    if (json_) {
      print_json_array(resp.tunnels());
      return 0;
    }
    const v1::Vxlan& v = resp.vxlan();
    if (v.local_ip().empty()) {
      printf("VTEP: not configured (npctl vxlan set --local-ip IP)\n");
    } else {
      printf("VTEP: %s port %u mac %s, remote MACs %u\n", v.local_ip().c_str(), v.port(),
             v.mac().empty() ? "(default)" : v.mac().c_str(), resp.remote_macs());
    }
    std::vector<std::vector<std::string>> rows = {
        {"VNI", "BD", "REMOTES", "ENCAP", "DECAP", "DROPS"}};
    for (const v1::VxlanTunnel& t : resp.tunnels()) {
      std::string remotes, drops;
      for (const std::string& r : t.remotes()) remotes += (remotes.empty() ? "" : ",") + r;
      for (const auto& [reason, n] : t.drops())
        if (n) drops += (drops.empty() ? "" : " ") + reason + "=" + std::to_string(n);
      rows.push_back({std::to_string(t.vni()),
                      t.bridge_domain() ? std::to_string(t.bridge_domain()) : "- (L3)",
                      remotes.empty() ? "-" : remotes, std::to_string(t.encap_packets()),
                      std::to_string(t.decap_packets()), drops.empty() ? "0" : drops});
    }
    print_table(rows);
    if (resp.static_macs_size() > 0) {
      printf("\n");
      std::vector<std::vector<std::string>> macs = {{"VNI", "STATIC_MAC", "REMOTE"}};
      for (const v1::VxlanStaticMac& m : resp.static_macs())
        macs.push_back({std::to_string(m.vni()), m.mac(), m.remote()});
      print_table(macs);
    }
    printf("\nVXLAN classification:\n");
    if (resp.offload_size() == 0) printf("  (no ports)\n");
    for (const v1::VxlanPortOffload& p : resp.offload()) {
      std::string how = p.marked()      ? "rte_flow, marked by VNI"
                        : p.offloaded() ? "rte_flow steering, VNI in software"
                                        : "software";
      if (!p.marked() && !p.reason().empty()) how += " (" + p.reason() + ")";
      printf("  %s: %s\n", p.port().c_str(), how.c_str());
    }
    return 0;
  }

  // service add NAME --vip IP --port N [--protocol tcp|udp] [--backend IP:PORT[:WEIGHT] ...]
  //   [--node-port N] [--affinity client_ip [--affinity-timeout S]] | del NAME | list
  int service_cmd(const Args& w) {
    const std::string verb = w.at(1);
    if (verb == "list") return service_list();
    if (verb == "del")
      return del<v1::DeleteServiceRequest, v1::DeleteServiceResponse>(
          w, &Stub::DeleteService, [&](auto& r) { r.set_name(w.at(2)); });
    if (verb != "add") throw UsageError{"service: expected add, del or list"};
    Options o(w, 3, {});
    if (!o.has("--vip") || !o.has("--port"))
      throw UsageError{"service add needs --vip IP and --port N"};
    v1::AddServiceRequest req;
    v1::Service* svc = req.mutable_service();
    svc->set_name(w.at(2));
    svc->set_vip(o.get("--vip"));
    svc->set_port(o.number("--port"));
    const std::string protocol = o.get("--protocol", "tcp");
    if (protocol != "tcp" && protocol != "udp") throw UsageError{"--protocol: expected tcp or udp"};
    svc->set_protocol(protocol == "tcp" ? v1::PROTOCOL_TCP : v1::PROTOCOL_UDP);
    svc->set_node_port(o.number("--node-port"));
    const std::string affinity = o.get("--affinity", "none");
    if (affinity != "none" && affinity != "client_ip")
      throw UsageError{"--affinity: expected none or client_ip"};
    svc->set_affinity(affinity == "client_ip" ? v1::AFFINITY_CLIENT_IP : v1::AFFINITY_NONE);
    if (o.has("--affinity-timeout")) {
      if (affinity != "client_ip")
        throw UsageError{"--affinity-timeout: only with --affinity client_ip"};
      svc->set_affinity_timeout_s(o.number("--affinity-timeout"));
    }
    for (const std::string& backend : o.all("--backend")) {
      const std::vector<std::string> parts = split(backend, ':');  // IP:PORT[:WEIGHT]
      if (parts.size() < 2 || parts.size() > 3)
        throw UsageError{"--backend: expected IP:PORT[:WEIGHT], got '" + backend + "'"};
      v1::Backend* b = svc->add_backends();
      b->set_ip(parts[0]);
      b->set_port(Options::to_number("--backend port", parts[1]));
      if (parts.size() == 3) b->set_weight(Options::to_number("--backend weight", parts[2]));
    }
    return change(&Stub::AddService, req);
  }

  // A row per service, then a row per backend with its weight and counters.
  int service_list() {
    v1::ListServicesResponse resp;
    if (grpc::Status st = stub_->ListServices(context().get(), {}, &resp); !st.ok())
      return fail(st);
    if (json_) {
      print_json_array(resp.services());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "VIP", "NODE_PORT", "AFFINITY", "BACKENDS", "PACKETS", "NEW_FLOWS"}};
    std::vector<std::vector<std::string>> backends = {
        {"SERVICE", "BACKEND", "WEIGHT", "PACKETS", "NEW_FLOWS"}};
    for (const v1::Service& s : resp.services()) {
      std::string list;
      for (const v1::Backend& b : s.backends()) {
        const std::string backend = b.ip() + ":" + std::to_string(b.port());
        list += (list.empty() ? "" : ",") + backend + "*" + std::to_string(b.weight());
        backends.push_back({s.name(), backend, std::to_string(b.weight()),
                            std::to_string(b.packets()), std::to_string(b.new_flows())});
      }
      const std::string affinity =
          s.affinity() == v1::AFFINITY_CLIENT_IP
              ? "client_ip (" + std::to_string(s.affinity_timeout_s()) + "s)"
              : "none";
      rows.push_back(
          {s.name(), s.vip() + ":" + std::to_string(s.port()) + "/" + protocol_name(s.protocol()),
           s.node_port() ? std::to_string(s.node_port()) : "-", affinity, list.empty() ? "-" : list,
           std::to_string(s.packets()), std::to_string(s.new_flows())});
    }
    print_table(rows);
    if (backends.size() > 1) {
      printf("\n");
      print_table(backends);
    }
    return 0;
  }

  // conntrack list [--service NAME] [--limit N]
  int conntrack_list(const Args& w) {
    Options o(w, 2, {});
    v1::ListConnectionsRequest req;
    req.set_service(o.get("--service"));
    req.set_limit(o.number("--limit"));
    v1::ListConnectionsResponse resp;
    if (grpc::Status st = stub_->ListConnections(context().get(), req, &resp); !st.ok())
      return fail(st);
    if (json_) {
      print_json_array(resp.connections());
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {
        {"PROTO", "CLIENT", "VIP", "BACKEND", "STATE", "IDLE_S", "SERVICE"}};
    for (const v1::Connection& c : resp.connections())
      rows.push_back({protocol_name(c.protocol()), c.client(), c.vip(), c.backend(), c.state(),
                      std::to_string(c.idle_s()), c.service()});
    print_table(rows);
    return 0;
  }

  template <typename Request, typename Response, typename Call, typename Fill>
  int del(const Args& w, Call call, Fill fill) {
    if (w.size() < 3) throw UsageError{w[0] + " del needs a name"};
    Request req;
    fill(req);
    Response resp;
    if (grpc::Status st = (stub_.get()->*call)(context().get(), req, &resp); !st.ok())
      return fail(st);
    if (json_) printf("%s\n", to_json(resp).c_str());
    return 0;
  }

  std::unique_ptr<Stub> stub_;
  bool json_;
};

}  // namespace

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  std::string server = kDefaultServer;
  bool json = false;
  size_t i = 0;
  try {
    for (; i < args.size() && args[i].rfind("-", 0) == 0; ++i) {
      if (args[i] == "--help" || args[i] == "-h") {
        printf("%s", kUsage);
        return 0;
      }
      if (i + 1 >= args.size()) throw UsageError{args[i] + " needs a value"};
      if (args[i] == "--server") {
        server = args[++i];
      } else if (args[i] == "-o") {
        const std::string format = args[++i];
        if (format != "table" && format != "json") throw UsageError{"-o: expected table or json"};
        json = format == "json";
      } else {
        throw UsageError{"unknown option '" + args[i] + "'"};
      }
    }
    if (i == args.size()) throw UsageError{"missing NOUN"};
    return Cli(server, json).run(Args(args.begin() + static_cast<long>(i), args.end()));
  } catch (const UsageError& e) {
    fprintf(stderr, "npctl: %s\n%s", e.message.c_str(), kUsage);
    return 2;
  } catch (const std::out_of_range&) {
    fprintf(stderr, "npctl: missing argument\n%s", kUsage);
    return 2;
  }
}
