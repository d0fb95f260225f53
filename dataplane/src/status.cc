#include "np/dp/status.h"

#include <cstring>

namespace np::dp {

DpStatus DpStatus::from_errno(const std::string& what, int err) {
  if (err < 0) err = -err;
  return error(what + ": " + std::strerror(err));
}

}  // namespace np::dp
