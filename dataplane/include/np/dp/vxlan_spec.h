// What the control side asks of VXLAN (RFC 7348): our VTEP, L2 VNIs that extend bridge
// domains to remote VTEPs (head-end replication to a flood list), static remote MACs, and
// the rows and counters it reports. Addresses are host byte order. L3 VNIs need no tunnel
// entry: a route's vxlan next hop (NextHopSpec::vxlan) names its VNI.
//
// Thread: control only.
#pragma once

#include <rte_ether.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace np::dp {

inline constexpr uint16_t kVxlanDefaultPort = 4789;
inline constexpr uint32_t kVxlanMaxVni = (1u << 24) - 1;

struct VxlanTunnelSpec {
  uint32_t vni = 0;
  uint32_t bridge_domain = 0;     // The domain this L2 VNI extends.
  std::vector<uint32_t> remotes;  // Remote VTEPs that get broadcast, multicast, unknown.
};

struct VxlanStaticMac {
  uint32_t vni = 0;  // An L2 VNI.
  rte_ether_addr mac{};
  uint32_t remote = 0;  // The VTEP behind which `mac` lives.
};

struct VxlanSpec {
  uint32_t local_ip = 0;  // Our VTEP address (one of our interfaces' addresses); 0 = off.
  uint16_t port = kVxlanDefaultPort;
  // Our VTEP's inner MAC: decapsulated frames to it are routed (L3 VNIs). Default: one
  // derived from local_ip, locally administered.
  std::optional<rte_ether_addr> mac;
  std::vector<VxlanTunnelSpec> tunnels;
  std::vector<VxlanStaticMac> static_macs;
};

// A flannel-style next hop: the inner frame goes to `mac` inside `vni`, outer IP `remote`.
struct VxlanNextHopSpec {
  uint32_t remote = 0;
  uint32_t vni = 0;
  rte_ether_addr mac{};
};

// Why VXLAN dropped a packet (per VNI where the VNI is known, else on the port).
enum class VxlanDrop : uint8_t {
  kTruncated,      // Shorter than outer headers + VXLAN header + inner Ethernet.
  kBadFlags,       // I flag clear, or reserved bits set.
  kUnknownVni,     // No tunnel or route uses the VNI.
  kNotOurVtep,     // Outer destination is not our VTEP address (or, in an L3 VNI, the inner
                   // destination is not our VTEP MAC).
  kUnknownRemote,  // An L2 VNI's frame from a VTEP not in its flood list or static MACs.
  kMtuExceeded,    // The encapsulated frame would exceed the uplink MTU.
  kNoRouteToVtep,  // No route to the remote VTEP.
  kNoHeadroom,     // The frame had no room in front for the outer headers.
  kCount,
};
inline constexpr unsigned kVxlanDropCount = static_cast<unsigned>(VxlanDrop::kCount);
const char* vxlan_drop_name(VxlanDrop drop);

struct VxlanVniStats {
  uint32_t vni = 0;
  uint32_t bridge_domain = 0;  // 0 for an L3 VNI.
  uint64_t encap_pkts = 0, decap_pkts = 0;
  std::array<uint64_t, kVxlanDropCount> drops{};
};

// Whether a port classifies VXLAN in hardware (rte_flow) or in software, and why.
struct VxlanPortOffload {
  std::string port;
  bool offloaded = false;  // rte_flow steers VXLAN to our VTEP,
  bool marked = false;     // and marks each packet with its VNI.
  std::string reason;      // The PMD's refusals, for what is not offloaded.
};

struct VxlanStats {
  std::vector<VxlanVniStats> vnis;
  std::vector<VxlanPortOffload> ports;
  uint32_t remote_macs = 0;  // Learned and static remote MACs.
};

}  // namespace np::dp
