#include "np/cni/net_config.h"

#include "np/cni/error.h"
#include "np/cni/naming.h"
#include "np/cni/version.h"

namespace np::cni {
namespace {

using json = nlohmann::ordered_json;

constexpr char kUnixScheme[] = "unix://";
constexpr char kTcpScheme[] = "tcp://";
// The longest port name naming.h makes: "cni-" + 12 + "-" + 8.
constexpr size_t kMaxPortNameSize = 25;

[[noreturn]] void invalid(const std::string& msg, const std::string& details = "") {
  throw CniError(kInvalidConfig, msg, details);
}

std::string type_name(const json& j) {
  if (j.is_string()) return "the string " + j.dump();
  if (j.is_number_float()) return "the number " + j.dump();
  if (j.is_number()) return "the number " + j.dump();
  if (j.is_boolean()) return j.dump();
  if (j.is_null()) return "null";
  return j.is_array() ? "an array" : "an object";
}

const json* member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string get_string(const json& obj, const char* key, bool required) {
  const json* v = member(obj, key);
  if (!v) {
    if (required) invalid(std::string(key) + " is required");
    return "";
  }
  if (!v->is_string()) invalid(std::string(key) + ": must be a string, got " + type_name(*v));
  return v->get<std::string>();
}

uint32_t get_uint(const json& obj, const char* key, uint32_t lo, uint32_t hi,
                  std::optional<uint32_t> fallback) {
  const json* v = member(obj, key);
  if (!v) {
    if (!fallback) invalid(std::string(key) + " is required");
    return *fallback;
  }
  const std::string range = std::to_string(lo) + "-" + std::to_string(hi);
  if (!v->is_number_integer() || v->get<int64_t>() < lo || v->get<int64_t>() > hi)
    invalid(std::string(key) + ": must be an integer " + range + ", got " + type_name(*v));
  return static_cast<uint32_t>(v->get<int64_t>());
}

bool has_dot_segment(const std::string& path) {
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    const std::string seg = path.substr(pos, end - pos);
    if (seg == "." || seg == "..") return true;
    pos = end + 1;
  }
  return false;
}

void check_server(const std::string& server) {
  const std::string shape = "unix:///ABSOLUTE/PATH or tcp://HOST:PORT";
  if (server.rfind(kUnixScheme, 0) == 0) {
    const std::string path = server.substr(sizeof(kUnixScheme) - 1);
    if (path.empty() || path[0] != '/' || path.size() > kMaxUnixPathSize)
      invalid("server: '" + server + "' is not " + shape);
    return;
  }
  if (server.rfind(kTcpScheme, 0) == 0) {
    const std::string rest = server.substr(sizeof(kTcpScheme) - 1);
    const size_t colon = rest.rfind(':');
    const std::string port = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (colon == 0 || colon == std::string::npos || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
        std::stoi(port) > 65535 || rest.find('/') != std::string::npos)
      invalid("server: '" + server + "' is not " + shape);
    return;
  }
  invalid("server: '" + server + "' is not " + shape);
}

std::vector<Attachment> parse_attachments(const json& list, const char* key) {
  if (!list.is_array()) invalid(std::string(key) + ": must be an array, got " + type_name(list));
  std::vector<Attachment> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    const json& e = list[i];
    if (!e.is_object()) invalid(field + ": must be an object");
    const json* cid = member(e, "containerID");
    const json* ifname = member(e, "ifname");
    if (!cid || !cid->is_string()) invalid(field + ".containerID: must be a string");
    if (!ifname || !ifname->is_string()) invalid(field + ".ifname: must be a string");
    out.push_back({cid->get<std::string>(), ifname->get<std::string>()});
  }
  return out;
}

}  // namespace

std::optional<std::string> peek_version(const std::string& stdin_text) {
  const json j = json::parse(stdin_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const json* v = member(j, "cniVersion");
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::string server_socket_path(const std::string& server) {
  return server.rfind(kUnixScheme, 0) == 0 ? server.substr(sizeof(kUnixScheme) - 1) : "";
}

NetConfig parse_net_config(const std::string& stdin_text, Command command) {
  NetConfig conf;
  conf.raw = json::parse(stdin_text, nullptr, false);
  if (conf.raw.is_discarded())
    throw CniError(kDecodeFailure, "the network configuration on stdin is not JSON");
  if (!conf.raw.is_object())
    throw CniError(kDecodeFailure, "the network configuration on stdin is not a JSON object");
  const json& j = conf.raw;

  conf.cni_version = get_string(j, "cniVersion", true);
  std::string supported;
  for (const std::string& v : supported_versions())
    supported += (supported.empty() ? "" : ", ") + v;
  if (!is_supported_version(conf.cni_version))
    throw CniError(kIncompatibleVersion, "cniVersion " + conf.cni_version + " is not supported",
                   "supported versions: " + supported);
  if (command == Command::kVersion) return conf;
  if ((command == Command::kGc || command == Command::kStatus) &&
      compare_versions(conf.cni_version, "1.1.0") < 0)
    throw CniError(kIncompatibleVersion, std::string(command_name(command)) +
                                             " needs cniVersion 1.1.0 or later, got " +
                                             conf.cni_version);

  conf.name = get_string(j, "name", true);
  if (!is_cni_name(conf.name))
    invalid("name: '" + conf.name + "' is not a network name",
            "letters, digits, '_', '.' and '-', starting with a letter or digit");

  if (member(j, "server")) conf.server = get_string(j, "server", true);
  check_server(conf.server);

  conf.socket_dir = get_string(j, "socketDir", true);
  while (conf.socket_dir.size() > 1 && conf.socket_dir.back() == '/') conf.socket_dir.pop_back();
  if (conf.socket_dir.empty() || conf.socket_dir[0] != '/' || has_dot_segment(conf.socket_dir))
    invalid("socketDir: '" + conf.socket_dir + "' is not an absolute path without '.' or '..'");
  const size_t longest = conf.socket_dir.size() + 1 + kMaxPortNameSize + sizeof(".sock") - 1;
  if (longest > kMaxUnixPathSize)
    invalid("socketDir: '" + conf.socket_dir + "' is too long: a socket in it would need " +
            std::to_string(longest) + " bytes, unix sockets take at most " +
            std::to_string(kMaxUnixPathSize));

  conf.bridge_domain = get_uint(j, "bridgeDomain", 1, kMaxBridgeDomain, std::nullopt);
  conf.mtu = get_uint(j, "mtu", kMinMtu, kMaxMtu, 1500);
  if (const json* client = member(j, "client")) {
    if (!client->is_boolean()) invalid("client: must be true or false, got " + type_name(*client));
    conf.client = client->get<bool>();
  }

  const json* ipam = member(j, "ipam");
  if (!ipam) invalid("ipam is required", "an object with the IPAM plugin's \"type\"");
  if (!ipam->is_object()) invalid("ipam: must be an object, got " + type_name(*ipam));
  conf.ipam = *ipam;
  const json* type = member(*ipam, "type");
  if (!type) invalid("ipam.type is required");
  if (!type->is_string()) invalid("ipam.type: must be a string, got " + type_name(*type));
  conf.ipam_type = type->get<std::string>();
  if (conf.ipam_type.empty() || conf.ipam_type.find('/') != std::string::npos ||
      conf.ipam_type == "." || conf.ipam_type == "..")
    invalid("ipam.type: '" + conf.ipam_type + "' is not a plugin name");

  if (const json* dns = member(j, "dns")) conf.dns = parse_dns(*dns, "dns", kInvalidConfig);

  if (const json* rc = member(j, "runtimeConfig")) {
    if (!rc->is_object()) invalid("runtimeConfig: must be an object, got " + type_name(*rc));
    if (member(*rc, "mac")) {
      const std::string mac = get_string(*rc, "mac", true);
      const std::optional<std::string> normal = normalize_unicast_mac(mac);
      if (!normal) invalid("runtimeConfig.mac: '" + mac + "' is not a unicast MAC address");
      conf.runtime_mac = *normal;
    }
  }

  if (const json* prev = member(j, "prevResult")) {
    if (!prev->is_object())
      throw CniError(kDecodeFailure, "prevResult: must be an object, got " + type_name(*prev));
    conf.prev_result = nlohmann::json::parse(prev->dump());
  }

  if (const json* valid = member(j, "cni.dev/valid-attachments"))
    conf.valid_attachments = parse_attachments(*valid, "cni.dev/valid-attachments");
  else if (const json* old = member(j, "cni.dev/attachments"))
    conf.valid_attachments = parse_attachments(*old, "cni.dev/attachments");
  return conf;
}

}  // namespace np::cni
