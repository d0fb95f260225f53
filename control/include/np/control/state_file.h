// The live desired state on disk: STATE_DIR/state.yaml, in the config file's own format, so
// the loader reads it back with the same checks. Every accepted change rewrites it atomically
// (write a temporary file, fsync, rename over the old one, fsync the directory).
//
// Thread: control only.
#pragma once

#include <string>

#include "np/control/config.h"
#include "np/control/status.h"

namespace np::control {

std::string state_file_path(const std::string& state_dir);
// `config` as YAML the loader accepts.
std::string to_yaml(const Config& config);
Status save_state(const Config& config);

}  // namespace np::control
