// The CNI commands, one flow each (CNI spec 1.1.0, "Section 2: Execution Protocol").
//
// Thread: the plugin's one thread. Each returns what goes to stdout ("" for nothing) and
// throws CniError when the command fails; a failing ADD has undone what it did first.
#pragma once

#include <string>

#include "np/cni/env.h"
#include "np/cni/net_config.h"

namespace np::cni {

// Allocates the address, creates the pod's vhost-user port in the bridge domain (with
// anti-spoofing and its owner tag), writes the pod's JSON and returns the result.
std::string cmd_add(const CniEnv& env, const NetConfig& conf);

// Removes the port, its files and the allocation. Succeeds when there is nothing to remove;
// fails with 11 (and keeps the allocation) when nodeplane is unreachable.
std::string cmd_del(const CniEnv& env, const NetConfig& conf);

// Verifies the port, the socket, the pod's JSON and the allocation against prevResult.
std::string cmd_check(const CniEnv& env, const NetConfig& conf);

// Removes the ports of this network whose attachment is not in cni.dev/valid-attachments.
std::string cmd_gc(const CniEnv& env, const NetConfig& conf);

// Succeeds when nodeplane answers and has the bridge domain (51 / 50 otherwise).
std::string cmd_status(const CniEnv& env, const NetConfig& conf);

// Runs `env.command` (not VERSION).
std::string run_command(const CniEnv& env, const NetConfig& conf);

// The pod's MAC: runtimeConfig.mac, else CNI_ARGS MAC, else mac_from_ipv4(`first_ipv4`).
// Throws CniError 4 for a CNI_ARGS MAC that is not a unicast MAC.
std::string choose_mac(const CniEnv& env, const NetConfig& conf, uint32_t first_ipv4);

}  // namespace np::cni
