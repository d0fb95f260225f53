#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

#include <string>
#include <vector>

#include "np/dp/dataplane.h"

namespace np::dp {

DpStatus init_eal(const EalOptions& options) {
  std::string lcores;
  for (unsigned lcore : options.lcores)
    lcores += (lcores.empty() ? "" : ",") + std::to_string(lcore);
  std::vector<std::string> args = {"nodeplane",
                                   "-l",
                                   lcores,
                                   "--main-lcore",
                                   std::to_string(options.lcores.front()),
                                   "--file-prefix",
                                   options.file_prefix,
                                   "-m",
                                   std::to_string(options.memory_mb)};
  // rte_vhost narrates every vhost-user message at info level.
  args.insert(args.end(), {"--log-level", "lib.vhost.config:warning"});
  if (!options.huge) args.push_back("--no-huge");
  if (options.pci_devices.empty()) args.push_back("--no-pci");
  for (const std::string& dev : options.pci_devices) {
    args.push_back("-a");
    args.push_back(dev);
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0)
    return DpStatus::error(
        std::string("DPDK EAL init failed: ") + rte_strerror(rte_errno) +
        (options.huge ? " (are hugepages reserved? echo 512 > /proc/sys/vm/nr_hugepages)" : ""));
  // dpdk-dumpcap, a secondary process, captures live ports through the pdump server.
  if (rte_pdump_init() != 0)
    return DpStatus::error(std::string("pdump init failed: ") + rte_strerror(rte_errno));
  return {};
}

}  // namespace np::dp
