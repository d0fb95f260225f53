// The result of a data-plane control operation: empty on success, else a message.
//
// Thread: any.
#pragma once

#include <string>
#include <utility>

namespace np::dp {

class [[nodiscard]] DpStatus {
 public:
  DpStatus() = default;
  static DpStatus error(std::string message) { return DpStatus(std::move(message)); }
  // An error from a DPDK call returning -errno (or setting rte_errno): "what: strerror".
  static DpStatus from_errno(const std::string& what, int err);

  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }

 private:
  explicit DpStatus(std::string message) : message_(std::move(message)) {}
  std::string message_;
};

}  // namespace np::dp
