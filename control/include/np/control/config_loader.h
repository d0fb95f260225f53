// Loading and validating the YAML config file (SPEC.md, "Configuration").
//
// Thread: control only (start-up). Errors come back as one Status whose message has the
// form "FILE:LINE:COL: message", naming the key or value that is wrong.
#pragma once

#include <string>

#include "np/control/config.h"
#include "np/control/status.h"

namespace np::control {

// Parses and validates `path`. On error `out` is left untouched.
Status load_config_file(const std::string& path, Config& out);

// Same, from text already in memory; `file_name` is used in messages only.
Status load_config_text(const std::string& text, const std::string& file_name, Config& out);

}  // namespace np::control
