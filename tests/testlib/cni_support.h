// What the CNI unit tests share: the error a call throws, and delegates written as scripts.
#pragma once

#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <string>

#include "np/cni/error.h"

namespace np::testlib {

// The CniError `call` throws; nullopt when it returns.
template <typename Call>
std::optional<cni::CniError> cni_error_of(Call call) {
  try {
    call();
  } catch (const cni::CniError& e) {
    return e;
  }
  return std::nullopt;
}

// A /bin/sh script `body` at `path`, with `mode` (executable by default).
inline void write_script(const std::string& path, const std::string& body, mode_t mode = 0755) {
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), mode);
}

}  // namespace np::testlib
