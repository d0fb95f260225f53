// EAL for a benchmark: on 2 MB hugepages when enough are free, as the daemon's tables are
// (with 4 KB pages, lookups in tables of millions of entries add a TLB miss each), unless
// NP_BENCH_HUGE=0; else testlib's EAL without hugepages. EAL pins its main thread to its
// lcore's CPU: the main lcore is the first CPU the process was started on, and the startup
// affinity (taskset) is restored after.
#pragma once

#include <rte_eal.h>
#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "testlib/eal_env.h"

namespace np::testlib {

// `min_free_pages`: the hugepages the benchmark needs; `memory_mb`: the no-huge EAL's size.
inline void init_bench_eal(const char* name, unsigned min_free_pages, unsigned memory_mb) {
  cpu_set_t startup;
  CPU_ZERO(&startup);
  sched_getaffinity(0, sizeof(startup), &startup);
  int first_cpu = 0;
  while (first_cpu < CPU_SETSIZE && !CPU_ISSET(first_cpu, &startup)) ++first_cpu;
  const char* env = std::getenv("NP_BENCH_HUGE");
  bool huge = env == nullptr || std::strcmp(env, "0") != 0;
  if (huge) {
    unsigned free_pages = 0;
    if (FILE* f = std::fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r")) {
      if (std::fscanf(f, "%u", &free_pages) != 1) free_pages = 0;
      std::fclose(f);
    }
    huge = free_pages >= min_free_pages;
  }
  if (huge) {
    std::vector<std::string> args = {
        name,          "--in-memory", "--no-pci", "--lcores", "0@" + std::to_string(first_cpu),
        "--log-level", "*:error"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
      std::fprintf(stderr, "EAL on hugepages failed (retry with NP_BENCH_HUGE=0)\n");
      abort();
    }
  }
  ensure_eal(memory_mb);  // Initialises EAL without hugepages unless done above.
  sched_setaffinity(0, sizeof(startup), &startup);
  std::fprintf(stderr, "EAL memory: %s, main thread on CPU %d\n",
               huge ? "2 MB hugepages" : "4 KB pages (--no-huge)", sched_getcpu());
}

}  // namespace np::testlib
