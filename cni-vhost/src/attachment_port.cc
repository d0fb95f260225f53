#include "np/cni/attachment_port.h"

#include <algorithm>

namespace np::cni {

namespace v1 = nodeplane::v1;

v1::Port make_port(const PortRequest& request) {
  v1::Port port;
  port.set_name(request.name);
  port.set_type(v1::PORT_TYPE_VHOST_USER);
  port.set_socket(request.socket);
  port.set_client(request.client);
  v1::PortSecurity* security = port.mutable_security();
  security->set_mac(request.mac);
  for (const std::string& ip : request.ips) security->add_ips(ip);
  v1::PortAttachment* attachment = port.mutable_attachment();
  attachment->set_network(request.owner.network);
  attachment->set_container_id(request.owner.container_id);
  attachment->set_ifname(request.owner.ifname);
  return port;
}

bool is_owned_by(const v1::Port& port, const AttachmentKey& owner) {
  return port.has_attachment() && port.attachment().network() == owner.network &&
         port.attachment().container_id() == owner.container_id &&
         port.attachment().ifname() == owner.ifname;
}

std::string describe_owner(const v1::Port& port) {
  if (!port.has_attachment() || port.attachment().network().empty()) return "no attachment";
  return "network " + port.attachment().network() + ", container " +
         port.attachment().container_id() + ", interface " + port.attachment().ifname();
}

std::vector<std::string> port_differences(const v1::PortStatus& have, const PortRequest& want,
                                          uint32_t bridge_domain) {
  std::vector<std::string> out;
  const v1::Port& p = have.port();
  if (p.type() != v1::PORT_TYPE_VHOST_USER) out.push_back("it is not a vhost-user port");
  if (p.socket() != want.socket)
    out.push_back("its socket is " + p.socket() + ", not " + want.socket);
  if (p.client() != want.client)
    out.push_back(std::string("it is in ") + (p.client() ? "client" : "server") + " mode");
  if (have.bridge_domain() != bridge_domain)
    out.push_back("it is in bridge domain " + std::to_string(have.bridge_domain()) + ", not " +
                  std::to_string(bridge_domain));
  if (p.security().mac() != want.mac)
    out.push_back("it accepts MAC '" + p.security().mac() + "', not " + want.mac);
  std::vector<std::string> ips(p.security().ips().begin(), p.security().ips().end());
  std::vector<std::string> wanted = want.ips;
  std::sort(ips.begin(), ips.end());
  std::sort(wanted.begin(), wanted.end());
  if (ips != wanted) {
    std::string list;
    for (const std::string& ip : ips) list += (list.empty() ? "" : ",") + ip;
    out.push_back("it accepts IPs [" + list + "], not the result's");
  }
  if (!is_owned_by(p, want.owner)) out.push_back("it belongs to " + describe_owner(p));
  return out;
}

}  // namespace np::cni
