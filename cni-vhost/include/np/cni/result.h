// The CNI result (CNI spec, "Success"): the model, JSON in each supported version, and
// parsing of results from a delegate or a prevResult. Also the IPv4 text helpers the
// results need.
//
// Thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace np::cni {

struct Ipv4Cidr {
  uint32_t address = 0;  // Host byte order.
  int prefix_len = 0;
};

// "A.B.C.D" (host byte order) / "A.B.C.D/LEN"; nullopt for anything else.
std::optional<uint32_t> parse_ipv4(const std::string& text);
std::optional<Ipv4Cidr> parse_ipv4_cidr(const std::string& text);
std::string format_ipv4(uint32_t address);

struct Interface {
  std::string name;
  std::string mac;
  std::string sandbox;
  std::string socket_path;  // A 1.1.0 field, also printed at 1.0.0 (SPEC.md asks for it).
  uint32_t mtu = 0;         // 1.1.0 only; 0 = not printed.
};

struct IpConfig {
  std::string address;  // CIDR, IPv4 or IPv6.
  std::string gateway;  // "" = none.
  int interface = -1;   // Index into Result::interfaces; -1 = none.
};

struct Route {
  std::string dst;  // CIDR.
  std::string gw;   // "" = none.
};

struct Dns {
  std::vector<std::string> nameservers;
  std::string domain;
  std::vector<std::string> search;
  std::vector<std::string> options;

  bool empty() const {
    return nameservers.empty() && domain.empty() && search.empty() && options.empty();
  }
};

struct Result {
  std::vector<Interface> interfaces;
  std::vector<IpConfig> ips;
  std::vector<Route> routes;
  Dns dns;
};

// Parses a result of version 0.3.0 to 1.1.0 (what IPAM delegates print, a prevResult).
// Throws CniError `error_code` naming `what` and the field that is wrong.
Result parse_result(const nlohmann::json& json, const std::string& what, int error_code);

// Parses a `dns` object (config or result). Throws CniError `error_code` naming `what`.
Dns parse_dns(const nlohmann::json& json, const std::string& what, int error_code);

// `result` as the JSON of `version` (0.4.0: ips carry "version"; 1.1.0: interfaces carry
// "mtu"). Empty fields are left out; `dns` is always there, as the reference plugins print it.
nlohmann::ordered_json result_json(const Result& result, const std::string& version);

// result_json of a `result` that begins with the entries of `prev` (the prevResult it was
// parsed from, in the same version): those are printed as `prev` has them, so that fields
// of other plugins this model does not hold (a route's `table`, an interface's `pciID`)
// pass through the chain untouched.
nlohmann::ordered_json result_json_after(const nlohmann::json& prev, const Result& result,
                                         const std::string& version);

}  // namespace np::cni
