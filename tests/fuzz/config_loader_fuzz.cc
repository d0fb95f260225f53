// Fuzzes the config loader: any text either loads or yields one FILE:LINE:COL error; it
// never crashes, hangs or leaks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "np/control/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  np::control::Config config;
  const np::control::Status status = np::control::load_config_text(
      std::string(reinterpret_cast<const char*>(data), size), "f.yaml", config);
  if (!status.is_ok() && status.message().rfind("f.yaml:", 0) != 0)
    abort();  // Errors name the file.
  return 0;
}
