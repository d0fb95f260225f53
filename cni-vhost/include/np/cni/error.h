// Errors of nodeplane-cni: the CNI error object (SPEC: "Error" in the CNI spec) and its codes.
//
// Thread: any. Every step of the plugin throws CniError; bin/nodeplane_cni.cc is the one
// place that catches it and prints it as JSON on stdout with exit status 1.
#pragma once

#include <exception>
#include <string>

#include <nlohmann/json.hpp>

namespace np::cni {

// Codes 1-99 are the CNI spec's (1.1.0, "Error"); 100 and up are this plugin's.
enum ErrorCode : int {
  kIncompatibleVersion = 1,    // cniVersion not supported (or too old for GC/STATUS)
  kUnsupportedField = 2,       // a supported key with a value we cannot serve (IPv6 only)
  kUnknownContainer = 3,       // not used: DEL of an unknown container succeeds
  kInvalidEnvironment = 4,     // a CNI_* variable missing or malformed
  kIoFailure = 5,              // reading stdin or writing the pod's file failed
  kDecodeFailure = 6,          // stdin or prevResult is not the JSON it should be
  kInvalidConfig = 7,          // a config key with the wrong type or value
  kTryAgainLater = 11,         // nodeplane is unreachable: the runtime should retry
  kNotAvailable = 50,          // STATUS: cannot serve ADD (the bridge domain is missing)
  kNotAvailableExisting = 51,  // STATUS: the dataplane is down, existing pods are cut off
  kDataplaneRefused = 100,     // nodeplane refused a request, or a name collision
  kIpamFailed = 101,           // the IPAM delegate failed, was not found or timed out
  kCheckMismatch = 102,        // CHECK found the attachment differs from prevResult
  kInternal = 999,             // A bug (libcni's "internal error" code)
};

class CniError : public std::exception {
 public:
  CniError(int code, std::string msg, std::string details = "")
      : code_(code), msg_(std::move(msg)), details_(std::move(details)) {}

  int code() const { return code_; }
  const std::string& msg() const { return msg_; }
  const std::string& details() const { return details_; }
  const char* what() const noexcept override { return msg_.c_str(); }

 private:
  int code_;
  std::string msg_;
  std::string details_;
};

// The spec's error object: {cniVersion, code, msg, details}; `details` only when not empty.
nlohmann::ordered_json error_json(const CniError& error, const std::string& cni_version);

}  // namespace np::cni
