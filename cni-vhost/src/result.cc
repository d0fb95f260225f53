#include "np/cni/result.h"

#include <arpa/inet.h>

#include "np/cni/error.h"
#include "np/cni/version.h"

namespace np::cni {
namespace {

using json = nlohmann::json;

bool is_cidr(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  const std::string addr = text.substr(0, slash), len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const int n = std::stoi(len);
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, addr.c_str(), &v4) == 1) return n <= 32;
  return inet_pton(AF_INET6, addr.c_str(), &v6) == 1 && n <= 128;
}

bool is_ip(const std::string& text) {
  in_addr v4;
  in6_addr v6;
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

// Reads JSON of a known shape and throws CniError(code_) naming the field when it is not.
class Reader {
 public:
  Reader(std::string what, int code) : what_(std::move(what)), code_(code) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw CniError(code_, what_ + ": " + field + " " + problem);
  }
  const json& object(const json& j, const std::string& field) const {
    if (!j.is_object()) fail(field, "must be an object");
    return j;
  }
  const json& array(const json& j, const std::string& field) const {
    if (!j.is_array()) fail(field, "must be an array");
    return j;
  }
  std::string string(const json& j, const std::string& field) const {
    if (!j.is_string()) fail(field, "must be a string");
    return j.get<std::string>();
  }
  std::vector<std::string> strings(const json& j, const std::string& field) const {
    std::vector<std::string> out;
    for (size_t i = 0; i < array(j, field).size(); ++i)
      out.push_back(string(j[i], field + "[" + std::to_string(i) + "]"));
    return out;
  }
  // An optional string member of object `j`: "" when absent.
  std::string optional_string(const json& j, const std::string& key,
                              const std::string& field) const {
    auto it = j.find(key);
    return it == j.end() ? "" : string(*it, field + "." + key);
  }
  std::string required_string(const json& j, const std::string& key,
                              const std::string& field) const {
    if (!j.contains(key)) fail(field + "." + key, "is required");
    return string(j[key], field + "." + key);
  }
  std::string required_cidr(const json& j, const std::string& key, const std::string& field) const {
    std::string text = required_string(j, key, field);
    if (!is_cidr(text)) fail(field + "." + key, "'" + text + "' is not a CIDR");
    return text;
  }
  std::string optional_ip(const json& j, const std::string& key, const std::string& field) const {
    std::string text = optional_string(j, key, field);
    if (!text.empty() && !is_ip(text))
      fail(field + "." + key, "'" + text + "' is not an IP address");
    return text;
  }
  // Calls parse(element, "key[i]") for each object of the optional list `key` of `j`.
  template <typename Parse>
  void each_object(const json& j, const std::string& key, Parse parse) const {
    if (!j.contains(key)) return;
    const json& list = array(j[key], key);
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string field = key + "[" + std::to_string(i) + "]";
      parse(object(list[i], field), field);
    }
  }

 private:
  std::string what_;
  int code_;
};

}  // namespace

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr a;
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::optional<Ipv4Cidr> parse_ipv4_cidr(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || !is_cidr(text)) return std::nullopt;
  std::optional<uint32_t> addr = parse_ipv4(text.substr(0, slash));
  if (!addr) return std::nullopt;
  return Ipv4Cidr{*addr, std::stoi(text.substr(slash + 1))};
}

std::string format_ipv4(uint32_t address) {
  in_addr a;
  a.s_addr = htonl(address);
  char out[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, out, sizeof(out));
  return out;
}

Dns parse_dns(const json& j, const std::string& what, int error_code) {
  const Reader r(what, error_code);
  Dns dns;
  r.object(j, "dns");
  if (j.contains("nameservers")) dns.nameservers = r.strings(j["nameservers"], "dns.nameservers");
  dns.domain = r.optional_string(j, "domain", "dns");
  if (j.contains("search")) dns.search = r.strings(j["search"], "dns.search");
  if (j.contains("options")) dns.options = r.strings(j["options"], "dns.options");
  for (const std::string& ns : dns.nameservers)
    if (!is_ip(ns)) r.fail("dns.nameservers", "'" + ns + "' is not an IP address");
  return dns;
}

Result parse_result(const json& j, const std::string& what, int error_code) {
  const Reader r(what, error_code);
  Result out;
  r.object(j, "the result");
  r.each_object(j, "interfaces", [&](const json& e, const std::string& field) {
    Interface itf;
    itf.name = r.required_string(e, "name", field);
    itf.mac = r.optional_string(e, "mac", field);
    itf.sandbox = r.optional_string(e, "sandbox", field);
    itf.socket_path = r.optional_string(e, "socketPath", field);
    if (e.contains("mtu")) {
      if (!e["mtu"].is_number_unsigned()) r.fail(field + ".mtu", "must be an integer >= 0");
      itf.mtu = e["mtu"].get<uint32_t>();
    }
    out.interfaces.push_back(itf);
  });
  r.each_object(j, "ips", [&](const json& e, const std::string& field) {
    IpConfig ip;
    ip.address = r.required_cidr(e, "address", field);
    ip.gateway = r.optional_ip(e, "gateway", field);
    if (e.contains("interface")) {
      const json& idx = e["interface"];
      if (!idx.is_number_integer() || idx.get<int64_t>() < 0 ||
          idx.get<int64_t>() >= static_cast<int64_t>(out.interfaces.size()))
        r.fail(field + ".interface", "must be the index of one of the interfaces");
      ip.interface = idx.get<int>();
    }
    out.ips.push_back(ip);
  });
  r.each_object(j, "routes", [&](const json& e, const std::string& field) {
    out.routes.push_back({r.required_cidr(e, "dst", field), r.optional_ip(e, "gw", field)});
  });
  if (j.contains("dns")) out.dns = parse_dns(j["dns"], what, error_code);
  return out;
}

nlohmann::ordered_json result_json_after(const nlohmann::json& prev, const Result& result,
                                         const std::string& version) {
  nlohmann::ordered_json out = result_json(result, version);
  for (const char* key : {"interfaces", "ips", "routes"}) {
    auto theirs = prev.find(key);
    if (theirs == prev.end() || !theirs->is_array() || !out.contains(key)) continue;
    for (size_t i = 0; i < theirs->size() && i < out[key].size(); ++i)
      out[key][i] = nlohmann::ordered_json((*theirs)[i]);
  }
  return out;
}

nlohmann::ordered_json result_json(const Result& result, const std::string& version) {
  const bool v1_1 = compare_versions(version, "1.1.0") >= 0;
  const bool v0_4 = compare_versions(version, "1.0.0") < 0;
  nlohmann::ordered_json out;
  out["cniVersion"] = version;
  if (!result.interfaces.empty()) {
    out["interfaces"] = nlohmann::ordered_json::array();
    for (const Interface& itf : result.interfaces) {
      nlohmann::ordered_json e;
      e["name"] = itf.name;
      if (!itf.mac.empty()) e["mac"] = itf.mac;
      if (v1_1 && itf.mtu) e["mtu"] = itf.mtu;
      if (!itf.sandbox.empty()) e["sandbox"] = itf.sandbox;
      if (!itf.socket_path.empty()) e["socketPath"] = itf.socket_path;
      out["interfaces"].push_back(e);
    }
  }
  if (!result.ips.empty()) {
    out["ips"] = nlohmann::ordered_json::array();
    for (const IpConfig& ip : result.ips) {
      nlohmann::ordered_json e;
      if (v0_4) e["version"] = parse_ipv4_cidr(ip.address) ? "4" : "6";
      e["address"] = ip.address;
      if (!ip.gateway.empty()) e["gateway"] = ip.gateway;
      if (ip.interface >= 0) e["interface"] = ip.interface;
      out["ips"].push_back(e);
    }
  }
  if (!result.routes.empty()) {
    out["routes"] = nlohmann::ordered_json::array();
    for (const Route& route : result.routes) {
      nlohmann::ordered_json e;
      e["dst"] = route.dst;
      if (!route.gw.empty()) e["gw"] = route.gw;
      out["routes"].push_back(e);
    }
  }
  nlohmann::ordered_json dns = nlohmann::ordered_json::object();
  if (!result.dns.nameservers.empty()) dns["nameservers"] = result.dns.nameservers;
  if (!result.dns.domain.empty()) dns["domain"] = result.dns.domain;
  if (!result.dns.search.empty()) dns["search"] = result.dns.search;
  if (!result.dns.options.empty()) dns["options"] = result.dns.options;
  out["dns"] = dns;
  return out;
}

}  // namespace np::cni
