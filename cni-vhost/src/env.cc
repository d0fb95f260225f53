#include "np/cni/env.h"

#include <cctype>

#include "np/cni/error.h"
#include "np/cni/naming.h"

namespace np::cni {
namespace {

struct CommandName {
  Command command;
  const char* name;
};
constexpr CommandName kCommands[] = {
    {Command::kAdd, "ADD"}, {Command::kDel, "DEL"},       {Command::kCheck, "CHECK"},
    {Command::kGc, "GC"},   {Command::kStatus, "STATUS"}, {Command::kVersion, "VERSION"},
};

// Which variables each command needs (CNI spec 1.1.0, "Parameters").
bool needs_container(Command c) {
  return c == Command::kAdd || c == Command::kDel || c == Command::kCheck;
}
bool needs_netns(Command c) { return c == Command::kAdd || c == Command::kCheck; }
bool needs_path(Command c) {
  return c == Command::kAdd || c == Command::kDel || c == Command::kCheck || c == Command::kGc;
}

std::string value_of(const std::function<const char*(const char*)>& lookup, const char* name) {
  const char* v = lookup(name);
  return v ? v : "";
}

}  // namespace

std::optional<Command> parse_command(const std::string& text) {
  for (const CommandName& c : kCommands)
    if (text == c.name) return c.command;
  return std::nullopt;
}

const char* command_name(Command command) {
  for (const CommandName& c : kCommands)
    if (c.command == command) return c.name;
  return "?";
}

std::string CniEnv::arg(const std::string& key) const {
  auto it = args.find(key);
  return it == args.end() ? "" : it->second;
}

std::optional<std::string> ifname_problem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name == "." || name == "..") return "may not be '.' or '..'";
  if (name.size() > 15) return "is longer than 15 characters";
  for (char c : name)
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
      return "may not contain '/', ':' or whitespace";
  return std::nullopt;
}

std::map<std::string, std::string> parse_cni_args(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(pos, end - pos);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0)
        throw CniError(kInvalidEnvironment, "CNI_ARGS: '" + pair + "' is not KEY=VALUE");
      out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    pos = end + 1;
  }
  return out;
}

CniEnv read_env(const std::function<const char*(const char*)>& lookup) {
  CniEnv env;
  const std::string command = value_of(lookup, "CNI_COMMAND");
  if (command.empty()) throw CniError(kInvalidEnvironment, "CNI_COMMAND is not set");
  const std::optional<Command> c = parse_command(command);
  if (!c)
    throw CniError(kInvalidEnvironment, "CNI_COMMAND: unknown command '" + command + "'",
                   "one of ADD, DEL, CHECK, GC, STATUS, VERSION");
  env.command = *c;
  if (env.command == Command::kVersion) return env;

  if (needs_container(env.command)) {
    env.container_id = value_of(lookup, "CNI_CONTAINERID");
    if (env.container_id.empty()) throw CniError(kInvalidEnvironment, "CNI_CONTAINERID is not set");
    if (!is_cni_name(env.container_id))
      throw CniError(kInvalidEnvironment,
                     "CNI_CONTAINERID: '" + env.container_id + "' is not a valid container ID",
                     "letters, digits, '_', '.' and '-', starting with a letter or digit");
    env.ifname = value_of(lookup, "CNI_IFNAME");
    if (env.ifname.empty()) throw CniError(kInvalidEnvironment, "CNI_IFNAME is not set");
    if (std::optional<std::string> problem = ifname_problem(env.ifname))
      throw CniError(kInvalidEnvironment, "CNI_IFNAME: '" + env.ifname + "' " + *problem);
  }
  env.netns = value_of(lookup, "CNI_NETNS");
  if (needs_netns(env.command) && env.netns.empty())
    throw CniError(kInvalidEnvironment, "CNI_NETNS is not set");

  const std::string path = value_of(lookup, "CNI_PATH");
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find(':', pos);
    if (end == std::string::npos) end = path.size();
    if (end > pos) env.path.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  if (needs_path(env.command) && env.path.empty())
    throw CniError(kInvalidEnvironment, "CNI_PATH is not set");

  env.args_text = value_of(lookup, "CNI_ARGS");
  env.args = parse_cni_args(env.args_text);
  return env;
}

}  // namespace np::cni
