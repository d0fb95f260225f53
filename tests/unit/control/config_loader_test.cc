#include "np/control/config_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "np/control/config_rules.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace {

// A valid dpdk section on one line, so that the line numbers in the cases below are easy to read.
#define DPDK "dpdk: {lcores: [0, 1], workers: [1]}\n"
// Lines 1-3: dpdk, a port `r` free to be routed and a port `b` in bridge domain 5.
#define L3                                                                                       \
  DPDK "ports: [{name: r, type: ring}, {name: b, type: ring}]\nbridge_domains: [{id: 5, ports: " \
       "[b]}]\n"
// Line 4: interfaces `up` on `r` (10.0.0.1/24) and `gw` on domain 5 (10.1.0.1/24).
#define L3_IFACES                                                     \
  L3 "interfaces: [{name: up, port: r, ip: 10.0.0.1/24}, {name: gw, " \
     "bridge_domain: 5, ip: 10.1.0.1/24}]\n"
// Lines 5-7: a VTEP on `up` with tunnels starting at line 8.
#define VX_TUNNELS L3_IFACES "vxlan:\n  local_ip: 10.0.0.1\n  tunnels:\n"
// Lines 5-8: a VTEP with L2 VNI 100 on domain 5, static MACs starting at line 9.
#define VX_STATICS \
  L3_IFACES        \
  "vxlan:\n  local_ip: 10.0.0.1\n  tunnels: [{vni: 100, bridge_domain: 5}]\n  static_macs:\n"
// Line 5: the VTEP and VNI 100 on one line; routes on line 6.
#define VX_ROUTES L3_IFACES "vxlan: {local_ip: 10.0.0.1, tunnels: [{vni: 100, bridge_domain: 5}]}\n"
// Line 2: `services:`, the entries from line 3.
#define SVC DPDK "services:\n"

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* error;  // The message must start with this.
};

const ErrorCase kErrorCases[] = {
    // The document as a whole.
    {"EmptyFile", "", "t.yaml:1:1: missing required key 'dpdk' (the file is empty)"},
    {"OnlyComments", "# nothing\n", "t.yaml:1:1: missing required key 'dpdk' (the file is empty)"},
    {"MissingDpdk", "state_dir: /a\n", "t.yaml:1:1: missing required key 'dpdk'"},
    {"TopIsList", "- dpdk\n", "t.yaml:1:1: expected a map of keys, got a list"},
    {"TopIsScalar", "dpdk\n", "t.yaml:1:1: expected a map of keys, got a scalar"},
    {"SyntaxError", DPDK "ports: [a,\n",
     "t.yaml:3:1: invalid YAML: end of sequence flow not found"},
    {"BadIndent", DPDK "state_dir: /a\n  x: 1\n", "t.yaml:3:4: invalid YAML: illegal map value"},
    {"UndefinedAlias", DPDK "state_dir: *dir\n", "t.yaml:2:12: invalid YAML: "},
    {"TwoDocuments", DPDK "---\n" DPDK, "t.yaml:3:1: expected one YAML document, found a second"},
    // yaml-cpp 0.7's LoadAll loops forever on these (found by tests/fuzz/config_loader_fuzz).
    {"StrayComma", ",", "t.yaml:1:1: invalid YAML: unexpected ','"},
    {"StrayCommaAfterList", "- a\n,", "t.yaml:2:1: invalid YAML: unexpected ','"},

    // Top-level keys.
    {"UnknownTopKey", DPDK "dpdk_x: 1\n", "t.yaml:2:1: unknown key 'dpdk_x' at the top level"},
    {"DuplicateTopKey", DPDK "state_dir: /a\nstate_dir: /b\n",
     "t.yaml:3:1: duplicate key 'state_dir' at the top level"},
    {"NonScalarKey", DPDK "[a]: 1\n",
     "t.yaml:2:1: expected a key name at the top level, got a list"},
    {"NullKey", DPDK "~: 1\n", "t.yaml:2:1: expected a key name at the top level, got null"},

    // node
    {"NodeNotMap", DPDK "node: a\n", "t.yaml:2:7: 'node': expected a map, got a scalar"},
    {"NodeUnknownKey", DPDK "node: {nmae: a}\n", "t.yaml:2:8: unknown key 'nmae' in node"},
    {"NodeNameEmpty", DPDK "node: {name: ''}\n", "t.yaml:2:14: 'name': must not be empty"},
    {"NodeNameList", DPDK "node: {name: [a]}\n",
     "t.yaml:2:14: 'name': expected a string, got a list"},

    // dpdk
    {"DpdkNotMap", "dpdk: [0, 1]\n", "t.yaml:1:7: 'dpdk': expected a map, got a list"},
    {"DpdkNull", "dpdk:\n", "t.yaml:1:1: 'dpdk' has no value"},
    {"DpdkUnknownKey", "dpdk:\n  lcores: [0, 1]\n  worker: [1]\n",
     "t.yaml:3:3: unknown key 'worker' in dpdk"},
    {"DpdkDuplicateKey", "dpdk:\n  lcores: [0, 1]\n  lcores: [0, 1]\n",
     "t.yaml:3:3: duplicate key 'lcores' in dpdk"},
    {"LcoresNotList", "dpdk: {lcores: 0}\n",
     "t.yaml:1:16: 'lcores': expected a list, got a scalar"},
    {"LcoresEmpty", "dpdk: {lcores: []}\n", "t.yaml:1:16: 'lcores': must not be empty"},
    {"LcoresDuplicate", "dpdk: {lcores: [0, 1, 1]}\n",
     "t.yaml:1:23: 'lcores': lcore 1 is listed twice"},
    {"LcoreTooBig", "dpdk: {lcores: [0, 128]}\n",
     "t.yaml:1:20: 'lcores': 128 is out of range (0..127)"},
    {"LcoreNegative", "dpdk: {lcores: [0, -1]}\n",
     "t.yaml:1:20: 'lcores': must not be negative, got -1"},
    {"LcoreNotNumber", "dpdk: {lcores: [0, one]}\n",
     "t.yaml:1:20: 'lcores': expected an unsigned integer, got 'one'"},
    {"LcoreHex", "dpdk: {lcores: [0, 0x1]}\n",
     "t.yaml:1:20: 'lcores': expected an unsigned integer, got '0x1'"},
    {"WorkersEmpty", "dpdk: {lcores: [0, 1], workers: []}\n",
     "t.yaml:1:33: 'workers': must not be empty"},
    {"WorkersDuplicate", "dpdk: {lcores: [0, 1], workers: [1, 1]}\n",
     "t.yaml:1:37: 'workers': lcore 1 is listed twice"},
    {"WorkerNotLcore", "dpdk: {lcores: [0, 1], workers: [1, 2]}\n",
     "t.yaml:1:37: 'workers': lcore 2 is not in 'lcores'"},
    {"WorkerIsMain", "dpdk: {lcores: [3, 1], workers: [3]}\n",
     "t.yaml:1:34: 'workers': lcore 3 is the main lcore (the first in 'lcores'), not a worker"},
    {"DefaultWorkerNotLcore", "dpdk: {lcores: [2, 3]}\n",
     "t.yaml:1:7: 'workers' (not given, so the default): lcore 1 is not in 'lcores'"},
    {"MemoryTooSmall", "dpdk: {memory_mb: 63}\n",
     "t.yaml:1:19: 'memory_mb': 63 is out of range (64..65536)"},
    {"MemoryTooBig", "dpdk: {memory_mb: 65537}\n",
     "t.yaml:1:19: 'memory_mb': 65537 is out of range (64..65536)"},
    {"MemoryOverflow", "dpdk: {memory_mb: 99999999999999999999999}\n",
     "t.yaml:1:19: 'memory_mb': 99999999999999999999999 is out of range (64..65536)"},
    {"MemoryFraction", "dpdk: {memory_mb: 1.5}\n",
     "t.yaml:1:19: 'memory_mb': expected an unsigned integer, got '1.5'"},
    {"MemoryNull", "dpdk: {memory_mb: ~}\n", "t.yaml:1:8: 'memory_mb' has no value"},
    {"MemoryMap", "dpdk: {memory_mb: {a: 1}}\n",
     "t.yaml:1:19: 'memory_mb': expected an unsigned integer, got a map"},
    {"FilePrefixBad", "dpdk: {file_prefix: a/b}\n",
     "t.yaml:1:21: 'file_prefix': 'a/b' may hold only A-Z a-z 0-9 _ -"},
    {"FilePrefixEmpty", "dpdk: {file_prefix: \"\"}\n",
     "t.yaml:1:21: 'file_prefix': must not be empty"},
    {"HugeNotBool", "dpdk: {huge: yes}\n",
     "t.yaml:1:14: 'huge': expected true or false, got 'yes'"},
    {"HugeNumber", "dpdk: {huge: 1}\n", "t.yaml:1:14: 'huge': expected true or false, got '1'"},
    {"ExtraArgsNotList", "dpdk: {extra_args: --vdev}\n",
     "t.yaml:1:20: 'extra_args': expected a list, got a scalar"},
    {"ExtraArgMap", "dpdk: {extra_args: [{a: 1}]}\n",
     "t.yaml:1:21: 'extra_args': expected a string, got a map"},
    {"IdleSleepTooBig", "dpdk: {idle_sleep_max_us: 100001}\n",
     "t.yaml:1:27: 'idle_sleep_max_us': 100001 is out of range (0..100000)"},

    // api, metrics, state_dir
    {"ApiNotMap", DPDK "api: unix:///a.sock\n", "t.yaml:2:6: 'api': expected a map, got a scalar"},
    {"ApiUnknownKey", DPDK "api: {listn: x}\n", "t.yaml:2:7: unknown key 'listn' in api"},
    {"ApiNotLoopback", DPDK "api: {listen: 'tcp://0.0.0.0:50051'}\n",
     "t.yaml:2:15: 'listen': 'tcp://0.0.0.0:50051' is not a valid address (expected "
     "unix:///ABSOLUTE/PATH or tcp://HOST:PORT"},
    {"ApiUnixRelative", DPDK "api: {listen: 'unix://run/api.sock'}\n",
     "t.yaml:2:15: 'listen': 'unix://run/api.sock' is not a valid address"},
    {"ApiNoScheme", DPDK "api: {listen: '127.0.0.1:50051'}\n",
     "t.yaml:2:15: 'listen': '127.0.0.1:50051' is not a valid address"},
    {"ApiNoPort", DPDK "api: {listen: 'tcp://localhost'}\n",
     "t.yaml:2:15: 'listen': 'tcp://localhost' is not a valid address"},
    {"MetricsUnknownKey", DPDK "metrics:\n  listen: 127.0.0.1:9469\n  path: /metrics\n",
     "t.yaml:4:3: unknown key 'path' in metrics"},
    {"MetricsPortZero", DPDK "metrics: {listen: '127.0.0.1:0'}\n",
     "t.yaml:2:19: 'listen': '127.0.0.1:0' is not a valid address (expected IP:PORT)"},
    {"MetricsHostName", DPDK "metrics: {listen: 'localhost:9469'}\n",
     "t.yaml:2:19: 'listen': 'localhost:9469' is not a valid address (expected IP:PORT)"},
    {"MetricsBadIpv6", DPDK "metrics: {listen: '[::g]:9469'}\n",
     "t.yaml:2:19: 'listen': '[::g]:9469' is not a valid address"},
    {"MetricsPortTooBig", DPDK "metrics: {listen: '127.0.0.1:65536'}\n",
     "t.yaml:2:19: 'listen': '127.0.0.1:65536' is not a valid address"},
    {"MetricsNoHost", DPDK "metrics: {listen: ':9469'}\n",
     "t.yaml:2:19: 'listen': ':9469' is not a valid address"},
    {"StateDirRelative", DPDK "state_dir: var/lib\n",
     "t.yaml:2:12: 'state_dir': 'var/lib' is not an absolute path"},
    {"StateDirList", DPDK "state_dir: [/a]\n",
     "t.yaml:2:12: 'state_dir': expected a string, got a list"},

    // ports: shape and common keys
    {"PortsNotList", DPDK "ports: {name: a}\n", "t.yaml:2:8: 'ports': expected a list, got a map"},
    {"PortNotMap", DPDK "ports: [a]\n", "t.yaml:2:9: ports[0]: expected a map, got a scalar"},
    {"PortUnknownKey", DPDK "ports:\n  - name: pod1\n    type: vhost-user\n    sockt: /a.sock\n",
     "t.yaml:5:5: unknown key 'sockt' in port 'pod1'"},
    {"PortUnknownKeyNoName", DPDK "ports: [{nmae: a, type: ring}]\n",
     "t.yaml:2:10: unknown key 'nmae' in ports[0]"},
    {"PortDuplicateKey", DPDK "ports: [{name: a, type: ring, type: tap}]\n",
     "t.yaml:2:31: duplicate key 'type' in port 'a'"},
    {"PortMissingName", DPDK "ports:\n  - {name: a, type: ring}\n  - {type: ring}\n",
     "t.yaml:4:5: missing required key 'name' in ports[1]"},
    {"PortMissingType", DPDK "ports: [{name: a}]\n",
     "t.yaml:2:9: missing required key 'type' in port 'a'"},
    {"PortNameEmpty", DPDK "ports: [{name: '', type: ring}]\n",
     "t.yaml:2:16: 'name': must not be empty"},
    {"PortNameSpace", DPDK "ports: [{name: 'a b', type: ring}]\n",
     "t.yaml:2:16: 'name': 'a b' is not a valid port name (1 to 32 characters of A-Z a-z 0-9 _ . "
     "-)"},
    {"PortNameTooLong", DPDK "ports: [{name: a23456789012345678901234567890123, type: ring}]\n",
     "t.yaml:2:16: 'name': 'a23456789012345678901234567890123' is not a valid port name"},
    {"PortTypeUnknown", DPDK "ports: [{name: a, type: veth}]\n",
     "t.yaml:2:25: 'type': unknown port type 'veth' (expected vhost-user, af-packet, tap, pci, "
     "virtio-user, ring or null)"},
    {"PortTypeEmpty", DPDK "ports: [{name: a, type: ~}]\n", "t.yaml:2:19: 'type' has no value"},
    {"QueuesZero", DPDK "ports: [{name: a, type: ring, queues: 0}]\n",
     "t.yaml:2:39: 'queues': 0 is out of range (1..16)"},
    {"QueuesTooMany", DPDK "ports: [{name: a, type: ring, queues: 17}]\n",
     "t.yaml:2:39: 'queues': 17 is out of range (1..16)"},
    {"QueuesWord", DPDK "ports: [{name: a, type: ring, queues: two}]\n",
     "t.yaml:2:39: 'queues': expected an unsigned integer, got 'two'"},
    {"QueuesNegative", DPDK "ports: [{name: a, type: ring, queues: -2}]\n",
     "t.yaml:2:39: 'queues': must not be negative, got -2"},
    {"MtuTooSmall", DPDK "ports: [{name: a, type: ring, mtu: 67}]\n",
     "t.yaml:2:36: 'mtu': 67 is out of range (68..9600)"},
    {"MtuTooBig", DPDK "ports: [{name: a, type: ring, mtu: 9601}]\n",
     "t.yaml:2:36: 'mtu': 9601 is out of range (68..9600)"},
    {"MacNotHex", DPDK "ports: [{name: a, type: ring, mac: '00:11:zz:33:44:55'}]\n",
     "t.yaml:2:36: 'mac': '00:11:zz:33:44:55' is not a MAC address (expected xx:xx:xx:xx:xx:xx)"},
    {"MacShort", DPDK "ports: [{name: a, type: ring, mac: '00:11:22:33:44'}]\n",
     "t.yaml:2:36: 'mac': '00:11:22:33:44' is not a MAC address"},
    {"MacDashes", DPDK "ports: [{name: a, type: ring, mac: 00-11-22-33-44-55}]\n",
     "t.yaml:2:36: 'mac': '00-11-22-33-44-55' is not a MAC address"},
    {"MacMulticast", DPDK "ports: [{name: a, type: ring, mac: '01:00:5e:00:00:01'}]\n",
     "t.yaml:2:36: 'mac': 01:00:5e:00:00:01 is a multicast address, not unicast"},
    {"MacBroadcast", DPDK "ports: [{name: a, type: ring, mac: 'ff:ff:ff:ff:ff:ff'}]\n",
     "t.yaml:2:36: 'mac': ff:ff:ff:ff:ff:ff is a multicast address, not unicast"},
    {"MacZero", DPDK "ports: [{name: a, type: ring, mac: '00:00:00:00:00:00'}]\n",
     "t.yaml:2:36: 'mac': the all-zero address is not allowed"},

    // ports: keys per type
    {"VhostMissingSocket", DPDK "ports:\n  - name: a\n    type: vhost-user\n",
     "t.yaml:3:5: missing required key 'socket' for vhost-user port 'a'"},
    {"VhostSocketRelative", DPDK "ports: [{name: a, type: vhost-user, socket: a.sock}]\n",
     "t.yaml:2:45: 'socket': 'a.sock' is not an absolute path"},
    {"VhostSocketTooLong",
     // A path of 108 bytes: one more than fits in sockaddr_un.sun_path with its NUL.
     DPDK "ports: [{name: a, type: vhost-user, socket: "
          "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}]\n",
     "t.yaml:2:45: 'socket': path is longer than 107 bytes, the limit of a unix socket"},
    {"VhostClientNotBool", DPDK "ports: [{name: a, type: vhost-user, socket: /a, client: 1}]\n",
     "t.yaml:2:57: 'client': expected true or false, got '1'"},
    {"VhostWithIface", DPDK "ports: [{name: a, type: vhost-user, socket: /a, iface: eth0}]\n",
     "t.yaml:2:49: 'iface' is not valid for vhost-user port 'a'"},
    {"AfPacketWithClient", DPDK "ports: [{name: a, type: af-packet, iface: eth0, client: true}]\n",
     "t.yaml:2:49: 'client' is not valid for af-packet port 'a'"},
    {"AfPacketMissingIface", DPDK "ports: [{name: a, type: af-packet}]\n",
     "t.yaml:2:9: missing required key 'iface' for af-packet port 'a'"},
    {"TapMissingIface", DPDK "ports: [{name: a, type: tap}]\n",
     "t.yaml:2:9: missing required key 'iface' for tap port 'a'"},
    {"TapWithDevice", DPDK "ports: [{name: a, type: tap, iface: t0, device: 00:04.0}]\n",
     "t.yaml:2:41: 'device' is not valid for tap port 'a'"},
    {"IfaceTooLong", DPDK "ports: [{name: a, type: af-packet, iface: abcdefghijklmnop}]\n",
     "t.yaml:2:43: 'iface': 'abcdefghijklmnop' is not a valid interface name (1 to 15 characters, "
     "no '/', ':' or whitespace)"},
    {"IfaceSlash", DPDK "ports: [{name: a, type: tap, iface: a/b}]\n",
     "t.yaml:2:37: 'iface': 'a/b' is not a valid interface name"},
    {"IfaceColon", DPDK "ports: [{name: a, type: tap, iface: 'eth0:1'}]\n",
     "t.yaml:2:37: 'iface': 'eth0:1' is not a valid interface name"},
    {"IfaceSpace", DPDK "ports: [{name: a, type: tap, iface: 'a b'}]\n",
     "t.yaml:2:37: 'iface': 'a b' is not a valid interface name"},
    {"IfaceDotDot", DPDK "ports: [{name: a, type: tap, iface: ..}]\n",
     "t.yaml:2:37: 'iface': '..' is not a valid interface name"},
    {"PciMissingDevice", DPDK "ports: [{name: a, type: pci}]\n",
     "t.yaml:2:9: missing required key 'device' for pci port 'a'"},
    {"PciWithPath", DPDK "ports: [{name: a, type: pci, device: 00:04.0, path: /a}]\n",
     "t.yaml:2:47: 'path' is not valid for pci port 'a'"},
    {"PciNoFunction", DPDK "ports: [{name: a, type: pci, device: '0000:00:04'}]\n",
     "t.yaml:2:38: 'device': '0000:00:04' is not a PCI address (expected 0000:00:04.0 or 00:04.0)"},
    {"PciFunctionEight", DPDK "ports: [{name: a, type: pci, device: '00:04.8'}]\n",
     "t.yaml:2:38: 'device': '00:04.8' is not a PCI address"},
    {"PciNotHex", DPDK "ports: [{name: a, type: pci, device: 'zz:04.0'}]\n",
     "t.yaml:2:38: 'device': 'zz:04.0' is not a PCI address"},
    {"VirtioUserMissingPath", DPDK "ports: [{name: a, type: virtio-user}]\n",
     "t.yaml:2:9: missing required key 'path' for virtio-user port 'a'"},
    {"VirtioUserPathRelative", DPDK "ports: [{name: a, type: virtio-user, path: dev/vhost-net}]\n",
     "t.yaml:2:44: 'path': 'dev/vhost-net' is not an absolute path"},
    {"VirtioUserWithSocket", DPDK "ports: [{name: a, type: virtio-user, path: /a, socket: /b}]\n",
     "t.yaml:2:48: 'socket' is not valid for virtio-user port 'a'"},
    {"RingWithSocket", DPDK "ports: [{name: a, type: ring, socket: /a}]\n",
     "t.yaml:2:31: 'socket' is not valid for ring port 'a'"},
    {"NullWithIface", DPDK "ports: [{name: a, type: null, iface: eth0}]\n",
     "t.yaml:2:31: 'iface' is not valid for null port 'a'"},

    // ports: duplicates
    {"DuplicatePortName", DPDK "ports:\n  - {name: a, type: ring}\n  - {name: a, type: null}\n",
     "t.yaml:4:12: duplicate port name 'a' (first defined at line 3)"},
    {"DuplicateSocket",
     DPDK "ports:\n  - {name: a, type: vhost-user, socket: /s}\n"
          "  - {name: b, type: vhost-user, socket: /s}\n",
     "t.yaml:4:41: 'socket': '/s' is already used by port 'a'"},
    {"DuplicateIface",
     DPDK "ports:\n  - {name: a, type: af-packet, iface: eth0}\n"
          "  - {name: b, type: af-packet, iface: eth0}\n",
     "t.yaml:4:39: 'iface': 'eth0' is already used by port 'a'"},
    {"DuplicateIfaceTapAndAfPacket",
     DPDK
     "ports:\n  - {name: a, type: tap, iface: t0}\n  - {name: b, type: af-packet, iface: t0}\n",
     "t.yaml:4:39: 'iface': 't0' is already used by port 'a'"},

    // ports: security and attachment
    {"SecurityNotMap", DPDK "ports: [{name: a, type: ring, security: 02:00:00:00:0a:01}]\n",
     "t.yaml:2:41: 'security': expected a map, got a scalar"},
    {"SecurityUnknownKey",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ip: [10.0.0.5]}}]\n",
     "t.yaml:2:68: unknown key 'ip' in security of port 'a'"},
    {"SecurityMissingIps",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01'}}]\n",
     "t.yaml:2:41: missing required key 'ips' in security of port 'a'"},
    {"SecurityMissingMac", DPDK "ports: [{name: a, type: ring, security: {ips: [10.0.0.5]}}]\n",
     "t.yaml:2:41: missing required key 'mac' in security of port 'a'"},
    {"SecurityMacBad",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a', ips: [10.0.0.5]}}]\n",
     "t.yaml:2:47: 'mac': '02:00:00:00:0a' is not a MAC address (expected xx:xx:xx:xx:xx:xx)"},
    {"SecurityMacMulticast",
     DPDK "ports: [{name: a, type: ring, security: {mac: '01:00:5e:00:00:01', ips: [10.0.0.5]}}]\n",
     "t.yaml:2:47: 'mac': 01:00:5e:00:00:01 is a multicast address, not unicast"},
    {"SecurityIpsNotList",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: 10.0.0.5}}]\n",
     "t.yaml:2:73: 'ips': expected a list, got a scalar"},
    {"SecurityIpsEmpty",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: []}}]\n",
     "t.yaml:2:73: 'ips': 1 to 8 addresses, got 0"},
    {"SecurityIpsNine",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: [10.0.0.1, "
          "10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9]}}]\n",
     "t.yaml:2:73: 'ips': 1 to 8 addresses, got 9"},
    {"SecurityIpBad",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: [10.0.0.5, "
          "10.0.0]}}]\n",
     "t.yaml:2:84: 'ips': '10.0.0' is not an IPv4 address (expected A.B.C.D)"},
    {"SecurityIpMulticast",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: "
          "[224.0.0.251]}}]\n",
     "t.yaml:2:74: 'ips': 224.0.0.251 is not a unicast host address"},
    {"SecurityIpTwice",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: [10.0.0.5, "
          "10.0.0.5]}}]\n",
     "t.yaml:2:84: 'ips': 10.0.0.5 is listed twice"},
    {"SecurityIpList",
     DPDK "ports: [{name: a, type: ring, security: {mac: '02:00:00:00:0a:01', ips: "
          "[[10.0.0.5]]}}]\n",
     "t.yaml:2:74: 'ips': expected a string, got a list"},
    {"AttachmentNotMap", DPDK "ports: [{name: a, type: ring, attachment: pods}]\n",
     "t.yaml:2:43: 'attachment': expected a map, got a scalar"},
    {"AttachmentUnknownKey",
     DPDK "ports: [{name: a, type: ring, attachment: {network: pods, pod: x}}]\n",
     "t.yaml:2:59: unknown key 'pod' in attachment of port 'a'"},
    {"AttachmentEmptyString", DPDK "ports: [{name: a, type: ring, attachment: {network: ''}}]\n",
     "t.yaml:2:53: 'network': must not be empty"},
    {"AttachmentList", DPDK "ports: [{name: a, type: ring, attachment: {ifname: [net1]}}]\n",
     "t.yaml:2:52: 'ifname': expected a string, got a list"},

    // bridge_domains
    {"DomainsNotList", DPDK "bridge_domains: {id: 1}\n",
     "t.yaml:2:17: 'bridge_domains': expected a list, got a map"},
    {"DomainNotMap", DPDK "bridge_domains: [1]\n",
     "t.yaml:2:18: bridge_domains[0]: expected a map, got a scalar"},
    {"DomainUnknownKey", DPDK "bridge_domains:\n  - id: 1\n    learn: true\n",
     "t.yaml:4:5: unknown key 'learn' in bridge_domains[0]"},
    {"DomainMissingId", DPDK "bridge_domains: [{id: 1}, {ports: []}]\n",
     "t.yaml:2:27: missing required key 'id' in bridge_domains[1]"},
    {"DomainIdZero", DPDK "bridge_domains: [{id: 0}]\n",
     "t.yaml:2:23: 'id': 0 is out of range (1..16777215)"},
    {"DomainIdTooBig", DPDK "bridge_domains: [{id: 16777216}]\n",
     "t.yaml:2:23: 'id': 16777216 is out of range (1..16777215)"},
    {"DomainIdNegative", DPDK "bridge_domains: [{id: -5}]\n",
     "t.yaml:2:23: 'id': must not be negative, got -5"},
    {"DomainIdDuplicate", DPDK "bridge_domains:\n  - id: 7\n  - id: 7\n",
     "t.yaml:4:9: 'id': bridge domain 7 is already defined at line 3"},
    {"DomainPortsNotList", DPDK "bridge_domains: [{id: 1, ports: a}]\n",
     "t.yaml:2:33: 'ports': expected a list, got a scalar"},
    {"DomainPortMissing",
     DPDK
     "ports: [{name: pod1, type: ring}]\nbridge_domains:\n  - id: 1\n    ports: [pod1, pod9]\n",
     "t.yaml:5:19: bridge_domains[0].ports: port 'pod9' does not exist"},
    {"DomainPortTwice",
     DPDK "ports: [{name: a, type: ring}]\nbridge_domains: [{id: 1, ports: [a, a]}]\n",
     "t.yaml:3:37: bridge_domains[0].ports: port 'a' is listed twice"},
    {"PortInTwoDomains",
     DPDK "ports: [{name: a, type: ring}]\nbridge_domains:\n  - {id: 1, ports: [a]}\n"
          "  - {id: 2, ports: [a]}\n",
     "t.yaml:5:21: bridge_domains[1].ports: port 'a' is already in bridge domain 1"},
    {"LearningNotBool", DPDK "bridge_domains: [{id: 1, learning: on}]\n",
     "t.yaml:2:36: 'learning': expected true or false, got 'on'"},
    {"FloodNotBool", DPDK "bridge_domains: [{id: 1, flood: 'no'}]\n",
     "t.yaml:2:33: 'flood': expected true or false, got 'no'"},
    {"AgingTooShort", DPDK "bridge_domains: [{id: 1, aging_s: 9}]\n",
     "t.yaml:2:35: 'aging_s': 9 is out of range (0 to never age, else 10..1000000)"},
    {"AgingTooLong", DPDK "bridge_domains: [{id: 1, aging_s: 1000001}]\n",
     "t.yaml:2:35: 'aging_s': 1000001 is out of range (0 to never age, else 10..1000000)"},
    {"AgingOverflow", DPDK "bridge_domains: [{id: 1, aging_s: 99999999999999999999}]\n",
     "t.yaml:2:35: 'aging_s': 99999999999999999999 is out of range"},
    {"AgingNegative", DPDK "bridge_domains: [{id: 1, aging_s: -300}]\n",
     "t.yaml:2:35: 'aging_s': must not be negative, got -300"},
    {"MaxMacsTooMany", DPDK "bridge_domains: [{id: 1, max_macs: 16777217}]\n",
     "t.yaml:2:36: 'max_macs': 16777217 is out of range (0..16777216)"},
    {"StaticMacsNotList", DPDK "bridge_domains: [{id: 1, static_macs: {}}]\n",
     "t.yaml:2:39: 'static_macs': expected a list, got a map"},
    {"StaticMacNotMap", DPDK "bridge_domains: [{id: 1, static_macs: [a]}]\n",
     "t.yaml:2:40: bridge_domains[0].static_macs[0]: expected a map, got a scalar"},
    {"StaticMacUnknownKey",
     DPDK "ports: [{name: a, type: ring}]\nbridge_domains:\n  - id: 1\n    ports: [a]\n"
          "    static_macs:\n      - {mac: '02:00:00:00:00:01', port: a, vlan: 3}\n",
     "t.yaml:7:45: unknown key 'vlan' in bridge_domains[0].static_macs[0]"},
    {"StaticMacMissingMac", DPDK "bridge_domains: [{id: 1, static_macs: [{port: a}]}]\n",
     "t.yaml:2:40: missing required key 'mac' in bridge_domains[0].static_macs[0]"},
    {"StaticMacMissingPort",
     DPDK "bridge_domains: [{id: 1, static_macs: [{mac: '02:00:00:00:00:01'}]}]\n",
     "t.yaml:2:40: missing required key 'port' in bridge_domains[0].static_macs[0]"},
    {"StaticMacBad", DPDK "bridge_domains: [{id: 1, static_macs: [{mac: '02:00', port: a}]}]\n",
     "t.yaml:2:46: 'mac': '02:00' is not a MAC address"},
    {"StaticMacMulticast",
     DPDK "bridge_domains: [{id: 1, static_macs: [{mac: '33:33:00:00:00:01', port: a}]}]\n",
     "t.yaml:2:46: 'mac': 33:33:00:00:00:01 is a multicast address, not unicast"},
    {"StaticMacPortNotMember",
     DPDK "ports: [{name: a, type: ring}, {name: b, type: ring}]\nbridge_domains:\n"
          "  - id: 4\n    ports: [a]\n    static_macs: [{mac: '02:00:00:00:00:01', port: b}]\n",
     "t.yaml:6:52: 'port': port 'b' is not a member of bridge domain 4"},
    {"StaticMacDuplicate",
     DPDK "ports: [{name: a, type: ring}]\nbridge_domains:\n  - id: 4\n    ports: [a]\n"
          "    static_macs:\n      - {mac: '02:00:00:00:00:01', port: a}\n"
          "      - {mac: '02:00:00:00:00:01', port: a}\n",
     "t.yaml:8:15: 'mac': 02:00:00:00:00:01 is already a static MAC of bridge domain 4 (line 7)"},

    // interfaces
    {"InterfacesNotList", L3 "interfaces: {}\n",
     "t.yaml:4:13: 'interfaces': expected a list, got a map"},
    {"InterfaceUnknownKey", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.1/24, vrf: 1}]\n",
     "t.yaml:4:50: unknown key 'vrf' in interface 'x'"},
    {"InterfaceNoName", L3 "interfaces: [{port: r, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:14: missing required key 'name' in interfaces[0]"},
    {"InterfaceBadName", L3 "interfaces: [{name: 'a b', port: r, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:21: 'name': 'a b' is not a valid interface name"},
    {"InterfaceNoAttachment", L3 "interfaces: [{name: x, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:14: missing required key 'port' or 'bridge_domain' in interface 'x'"},
    {"InterfacePortAndDomain",
     L3 "interfaces: [{name: x, port: r, bridge_domain: 5, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:48: 'port' and 'bridge_domain' are exclusive in interface 'x'"},
    {"InterfaceNoIp", L3 "interfaces: [{name: x, port: r}]\n",
     "t.yaml:4:14: missing required key 'ip' in interface 'x'"},
    {"InterfaceIpNoLength", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.1}]\n",
     "t.yaml:4:37: 'ip': '10.0.0.1' is not an IPv4 prefix A.B.C.D/LEN"},
    {"InterfaceIpBadOctet", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.256/24}]\n",
     "t.yaml:4:37: 'ip': '10.0.0.256/24' is not an IPv4 prefix A.B.C.D/LEN"},
    {"InterfaceIpLength33", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.1/33}]\n",
     "t.yaml:4:37: 'ip': prefix length 33 out of range 1-32"},
    {"InterfaceIpLength0", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.1/0}]\n",
     "t.yaml:4:37: 'ip': prefix length 0 out of range 1-32"},
    {"InterfaceMulticastMac",
     L3 "interfaces: [{name: x, port: r, ip: 10.0.0.1/24, mac: '01:00:5e:00:00:01'}]\n",
     "t.yaml:4:55: 'mac': 01:00:5e:00:00:01 is a multicast address, not unicast"},
    {"InterfaceDuplicateName",
     L3 "interfaces:\n  - {name: x, port: r, ip: 10.0.0.1/24}\n"
        "  - {name: x, bridge_domain: 5, ip: 10.1.0.1/24}\n",
     "t.yaml:6:12: duplicate interface name 'x' (first defined at line 5)"},
    {"InterfaceUnknownPort", L3 "interfaces: [{name: x, port: zz, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:14: interface 'x': port: port 'zz' does not exist"},
    {"InterfaceUnknownDomain", L3 "interfaces: [{name: x, bridge_domain: 6, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:14: interface 'x': bridge_domain: bridge domain 6 does not exist"},
    {"InterfacePortRoutedAndBridged", L3 "interfaces: [{name: x, port: b, ip: 10.0.0.1/24}]\n",
     "t.yaml:4:14: interface 'x': port: port 'b' is in bridge domain 5; a routed port cannot be "
     "bridged"},
    {"InterfaceSecondOnPort",
     L3 "interfaces:\n  - {name: x, port: r, ip: 10.0.0.1/24}\n"
        "  - {name: y, port: r, ip: 10.1.0.1/24}\n",
     "t.yaml:6:5: interface 'y': port: port 'r' already has interface 'x'"},
    {"InterfaceSecondOnDomain",
     L3 "interfaces:\n  - {name: x, bridge_domain: 5, ip: 10.0.0.1/24}\n"
        "  - {name: y, bridge_domain: 5, ip: 10.1.0.1/24}\n",
     "t.yaml:6:5: interface 'y': bridge_domain: bridge domain 5 already has interface 'x'"},
    {"InterfacesOverlap",
     L3 "interfaces:\n  - {name: x, port: r, ip: 10.0.1.1/24}\n"
        "  - {name: y, bridge_domain: 5, ip: 10.0.0.1/16}\n",
     "t.yaml:6:5: interface 'y': ip: 10.0.0.1/16 overlaps interface 'x' (10.0.1.1/24)"},
    {"InterfaceNetworkAddress", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.0/24}]\n",
     "t.yaml:4:14: interface 'x': ip: 10.0.0.0 is the network address of 10.0.0.0/24"},
    {"InterfaceBroadcastAddress", L3 "interfaces: [{name: x, port: r, ip: 10.0.0.255/24}]\n",
     "t.yaml:4:14: interface 'x': ip: 10.0.0.255 is the broadcast address of 10.0.0.0/24"},
    {"InterfaceLoopback", L3 "interfaces: [{name: x, port: r, ip: 127.0.0.1/8}]\n",
     "t.yaml:4:14: interface 'x': ip: 127.0.0.1 is not a host address"},

    // routes
    {"RoutesNotList", L3_IFACES "routes: 1\n",
     "t.yaml:5:9: 'routes': expected a list, got a scalar"},
    {"RouteNoPrefix", L3_IFACES "routes: [{via: 10.0.0.2}]\n",
     "t.yaml:5:10: missing required key 'prefix' in routes[0]"},
    {"RouteUnknownKey", L3_IFACES "routes: [{prefix: 0.0.0.0/0, via: 10.0.0.2, metric: 1}]\n",
     "t.yaml:5:45: unknown key 'metric' in routes[0]"},
    {"RouteVxlanWithoutVtep",
     L3_IFACES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 1, mac: "
               "'02:00:00:00:00:01'}}]\n",
     "t.yaml:5:39: route 10.9.0.0/16: vxlan: VXLAN is not configured (vxlan.local_ip is not "
     "set)"},
    {"RouteVxlanL2Vni",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 100, mac: "
               "'02:00:00:00:00:01'}}]\n",
     "t.yaml:6:39: route 10.9.0.0/16: vxlan.vni: VNI 100 is the L2 VNI of bridge domain 5 (a "
     "route needs an L3 VNI)"},
    {"RouteVxlanRemoteOurs",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 10.0.0.1, vni: 1, mac: "
               "'02:00:00:00:00:01'}}]\n",
     "t.yaml:6:39: route 10.9.0.0/16: vxlan.remote: 10.0.0.1 is our own address (interface "
     "'up')"},
    {"RouteVxlanRemoteMulticast",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 239.0.0.1, vni: 1, mac: "
               "'02:00:00:00:00:01'}}]\n",
     "t.yaml:6:48: 'remote': 239.0.0.1 is not a unicast host address"},
    {"RouteVxlanAndVia",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, via: 10.0.0.2, vxlan: {remote: 192.168.1.2, vni: "
               "1, mac: '02:00:00:00:00:01'}}]\n",
     "t.yaml:6:54: 'vxlan' and 'via' are exclusive in routes[0] (a route goes through one VXLAN "
     "next hop, gateways or an interface)"},
    {"RouteVxlanVniZero",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 0, mac: "
               "'02:00:00:00:00:01'}}]\n",
     "t.yaml:6:66: 'vni': 0 is out of range (1..16777215)"},
    {"RouteVxlanVniTooBig",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 16777216, mac: "
               "'02:00:00:00:00:01'}}]\n",
     "t.yaml:6:66: 'vni': 16777216 is out of range (1..16777215)"},
    {"RouteVxlanNoMac",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 1}}]\n",
     "t.yaml:6:39: missing required key 'mac' in routes[0].vxlan"},
    {"RouteVxlanMulticastMac",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 1, mac: "
               "'01:00:5e:00:00:01'}}]\n",
     "t.yaml:6:74: 'mac': 01:00:5e:00:00:01 is a multicast address, not unicast"},
    {"RouteVxlanNotMap", VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: 192.168.1.2}]\n",
     "t.yaml:6:39: routes[0].vxlan: expected a map, got a scalar"},
    {"RouteVxlanUnknownKey",
     VX_ROUTES "routes: [{prefix: 10.9.0.0/16, vxlan: {remote: 192.168.1.2, vni: 1, mac: "
               "'02:00:00:00:00:01', ttl: 8}}]\n",
     "t.yaml:6:95: unknown key 'ttl' in routes[0].vxlan"},
    {"RouteHostBits", L3_IFACES "routes: [{prefix: 10.9.0.1/16, via: 10.0.0.2}]\n",
     "t.yaml:5:19: 'prefix': prefix 10.9.0.1/16 has host bits set; did you mean 10.9.0.0/16?"},
    {"RouteLength33", L3_IFACES "routes: [{prefix: 10.9.0.1/33, via: 10.0.0.2}]\n",
     "t.yaml:5:19: 'prefix': prefix length 33 out of range 0-32"},
    {"RouteNoNextHop", L3_IFACES "routes: [{prefix: 10.9.0.0/16}]\n",
     "t.yaml:5:10: missing required key 'via', 'interface' or 'vxlan' in routes[0]"},
    {"RouteViaAndInterface",
     L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: 10.0.0.2, interface: up}]\n",
     "t.yaml:5:58: 'via' and 'interface' are exclusive in routes[0]"},
    {"RouteViaNotIp", L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: gateway}]\n",
     "t.yaml:5:37: 'via': 'gateway' is not an IPv4 address (expected A.B.C.D)"},
    {"RouteViaEmptyList", L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: []}]\n",
     "t.yaml:5:37: 'via': must not be empty"},
    {"RouteViaTwice", L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: [10.0.0.2, 10.0.0.2]}]\n",
     "t.yaml:5:48: 'via': next hop 10.0.0.2 is listed twice"},
    {"RouteTooManyVias",
     L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: [10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, "
               "10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9, 10.0.0.10, 10.0.0.11, 10.0.0.12, "
               "10.0.0.13, 10.0.0.14, 10.0.0.15, 10.0.0.16, 10.0.0.17, 10.0.0.18]}]\n",
     "t.yaml:5:37: 'via': at most 16 next hops (ECMP), got 17"},
    {"RouteDuplicatePrefix",
     L3_IFACES "routes:\n  - {prefix: 10.9.0.0/16, via: 10.0.0.2}\n"
               "  - {prefix: 10.9.0.0/16, via: 10.0.0.3}\n",
     "t.yaml:7:14: 'prefix': route 10.9.0.0/16 is already defined at line 6"},
    {"RouteViaOffSubnet", L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: 192.0.2.1}]\n",
     "t.yaml:5:37: route 10.9.0.0/16: via: next hop 192.0.2.1 is not on any interface's subnet"},
    {"RouteViaOurAddress", L3_IFACES "routes: [{prefix: 10.9.0.0/16, via: 10.0.0.1}]\n",
     "t.yaml:5:37: route 10.9.0.0/16: via: next hop 10.0.0.1 is the address of interface 'up'"},
    {"RouteUnknownInterface", L3_IFACES "routes: [{prefix: 10.9.0.0/16, interface: nope}]\n",
     "t.yaml:5:43: route 10.9.0.0/16: interface: interface 'nope' does not exist"},
    {"RouteConnectedSubnet", L3_IFACES "routes: [{prefix: 10.0.0.0/24, via: 10.1.0.9}]\n",
     "t.yaml:5:10: route 10.0.0.0/24: prefix: is the subnet of interface 'up' (a connected "
     "route)"},

    // neighbors
    {"NeighborsNotList", L3_IFACES "neighbors: {}\n",
     "t.yaml:5:12: 'neighbors': expected a list, got a map"},
    {"NeighborUnknownKey",
     L3_IFACES "neighbors: [{ip: 10.0.0.9, mac: '02:00:00:00:00:09', interface: up, age: 1}]\n",
     "t.yaml:5:69: unknown key 'age' in neighbors[0]"},
    {"NeighborNoMac", L3_IFACES "neighbors: [{ip: 10.0.0.9, interface: up}]\n",
     "t.yaml:5:13: missing required key 'mac' in neighbors[0]"},
    {"NeighborBadIp",
     L3_IFACES "neighbors: [{ip: 10.0.0, mac: '02:00:00:00:00:09', interface: up}]\n",
     "t.yaml:5:18: 'ip': '10.0.0' is not an IPv4 address (expected A.B.C.D)"},
    {"NeighborZeroMac",
     L3_IFACES "neighbors: [{ip: 10.0.0.9, mac: '00:00:00:00:00:00', interface: up}]\n",
     "t.yaml:5:33: 'mac': the all-zero address is not allowed"},
    {"NeighborUnknownInterface",
     L3_IFACES "neighbors: [{ip: 10.0.0.9, mac: '02:00:00:00:00:09', interface: nope}]\n",
     "t.yaml:5:13: neighbor 10.0.0.9: interface: interface 'nope' does not exist"},
    {"NeighborOffSubnet",
     L3_IFACES "neighbors: [{ip: 10.1.0.9, mac: '02:00:00:00:00:09', interface: up}]\n",
     "t.yaml:5:13: neighbor 10.1.0.9: ip: not in the subnet of interface 'up' (10.0.0.1/24)"},
    {"NeighborTwice",
     L3_IFACES "neighbors:\n  - {ip: 10.0.0.9, mac: '02:00:00:00:00:09', interface: up}\n"
               "  - {ip: 10.0.0.9, mac: '02:00:00:00:00:0a', interface: up}\n",
     "t.yaml:7:5: neighbor 10.0.0.9: listed twice on interface 'up'"},

    // vxlan
    {"VxlanNotMap", L3_IFACES "vxlan: 1\n", "t.yaml:5:8: 'vxlan': expected a map, got a scalar"},
    {"VxlanUnknownKey", L3_IFACES "vxlan: {local_ip: 10.0.0.1, vtep: 1}\n",
     "t.yaml:5:29: unknown key 'vtep' in vxlan"},
    {"VxlanNoLocalIp", L3_IFACES "vxlan: {port: 4789}\n",
     "t.yaml:5:8: missing required key 'local_ip' in vxlan"},
    {"VxlanLocalIpNotIp", L3_IFACES "vxlan: {local_ip: vtep}\n",
     "t.yaml:5:19: 'local_ip': 'vtep' is not an IPv4 address (expected A.B.C.D)"},
    {"VxlanLocalIpMulticast", L3_IFACES "vxlan: {local_ip: 239.1.1.1}\n",
     "t.yaml:5:19: 'local_ip': 239.1.1.1 is not a unicast host address"},
    {"VxlanLocalIpNotOurs", L3_IFACES "vxlan: {local_ip: 10.0.0.9}\n",
     "t.yaml:5:19: vxlan: local_ip: 10.0.0.9 is not an interface address"},
    {"VxlanPortTooBig", L3_IFACES "vxlan: {local_ip: 10.0.0.1, port: 70000}\n",
     "t.yaml:5:35: 'port': 70000 is out of range (1..65535)"},
    {"VxlanPortZero", L3_IFACES "vxlan: {local_ip: 10.0.0.1, port: 0}\n",
     "t.yaml:5:35: 'port': 0 is out of range (1..65535)"},
    {"VxlanPortNegative", L3_IFACES "vxlan: {local_ip: 10.0.0.1, port: -1}\n",
     "t.yaml:5:35: 'port': must not be negative, got -1"},
    {"VxlanMulticastMac", L3_IFACES "vxlan: {local_ip: 10.0.0.1, mac: '01:00:5e:00:00:01'}\n",
     "t.yaml:5:34: 'mac': 01:00:5e:00:00:01 is a multicast address, not unicast"},
    {"VxlanZeroMac", L3_IFACES "vxlan: {local_ip: 10.0.0.1, mac: '00:00:00:00:00:00'}\n",
     "t.yaml:5:34: 'mac': the all-zero address is not allowed"},
    {"TunnelsNotList", L3_IFACES "vxlan: {local_ip: 10.0.0.1, tunnels: {}}\n",
     "t.yaml:5:38: 'tunnels': expected a list, got a map"},
    {"TunnelNoDomain", VX_TUNNELS "    - {vni: 100}\n",
     "t.yaml:8:7: missing required key 'bridge_domain' in vxlan.tunnels[0]"},
    {"TunnelUnknownKey", VX_TUNNELS "    - {vni: 100, bridge_domain: 5, flood: true}\n",
     "t.yaml:8:36: unknown key 'flood' in vxlan.tunnels[0]"},
    {"TunnelVniZero", VX_TUNNELS "    - {vni: 0, bridge_domain: 5}\n",
     "t.yaml:8:13: 'vni': 0 is out of range (1..16777215)"},
    {"TunnelVniTooBig", VX_TUNNELS "    - {vni: 16777216, bridge_domain: 5}\n",
     "t.yaml:8:13: 'vni': 16777216 is out of range (1..16777215)"},
    {"TunnelVniTwice",
     VX_TUNNELS "    - {vni: 100, bridge_domain: 5}\n    - {vni: 100, bridge_domain: 5}\n",
     "t.yaml:9:13: 'vni': VNI 100 is already defined at line 8"},
    {"TunnelUnknownDomain", VX_TUNNELS "    - {vni: 100, bridge_domain: 6}\n",
     "t.yaml:8:7: vxlan tunnel 100: bridge_domain: bridge domain 6 does not exist"},
    {"TunnelDomainTwice",
     VX_TUNNELS "    - {vni: 100, bridge_domain: 5}\n    - {vni: 200, bridge_domain: 5}\n",
     "t.yaml:9:7: vxlan tunnel 200: bridge_domain: bridge domain 5 already has VNI 100"},
    {"TunnelRemoteNotIp", VX_TUNNELS "    - {vni: 100, bridge_domain: 5, remotes: [x]}\n",
     "t.yaml:8:46: 'remotes': 'x' is not an IPv4 address (expected A.B.C.D)"},
    {"TunnelRemoteMulticast",
     VX_TUNNELS "    - {vni: 100, bridge_domain: 5, remotes: [224.0.0.5]}\n",
     "t.yaml:8:46: 'remotes': 224.0.0.5 is not a unicast host address"},
    {"TunnelRemoteTwice",
     VX_TUNNELS "    - {vni: 100, bridge_domain: 5, remotes: [192.168.1.2, 192.168.1.2]}\n",
     "t.yaml:8:59: 'remotes': 192.168.1.2 is listed twice"},
    {"TunnelRemoteOurs", VX_TUNNELS "    - {vni: 100, bridge_domain: 5, remotes: [10.1.0.1]}\n",
     "t.yaml:8:7: vxlan tunnel 100: remotes: 10.1.0.1 is our own address (interface 'gw')"},
    {"VxlanStaticUnknownVni",
     VX_STATICS "    - {vni: 7, mac: '02:00:00:00:00:09', remote: 192.168.1.2}\n",
     "t.yaml:9:7: vxlan static MAC 02:00:00:00:00:09: vni: VNI 7 is not an L2 VNI (no tunnel)"},
    {"VxlanStaticNoRemote", VX_STATICS "    - {vni: 100, mac: '02:00:00:00:00:09'}\n",
     "t.yaml:9:7: missing required key 'remote' in vxlan.static_macs[0]"},
    {"VxlanStaticBroadcast",
     VX_STATICS "    - {vni: 100, mac: 'ff:ff:ff:ff:ff:ff', remote: 192.168.1.2}\n",
     "t.yaml:9:23: 'mac': ff:ff:ff:ff:ff:ff is a multicast address, not unicast"},
    {"VxlanStaticTwice",
     VX_STATICS "    - {vni: 100, mac: '02:00:00:00:00:09', remote: 192.168.1.2}\n"
                "    - {vni: 100, mac: '02:00:00:00:00:09', remote: 192.168.1.3}\n",
     "t.yaml:10:23: 'mac': 02:00:00:00:00:09 is already a static MAC of VNI 100 (line 9)"},
    {"VxlanStaticRemoteOurs",
     VX_STATICS "    - {vni: 100, mac: '02:00:00:00:00:09', remote: 10.0.0.1}\n",
     "t.yaml:9:7: vxlan static MAC 02:00:00:00:00:09: remote: 10.0.0.1 is our own address "
     "(interface 'up')"},

    // services, conntrack, node_port_range
    {"ServicesNotList", DPDK "services: {}\n",
     "t.yaml:2:11: 'services': expected a list, got a map"},
    {"ServiceNotMap", SVC "  - web\n", "t.yaml:3:5: services[0]: expected a map, got a scalar"},
    {"ServiceNoName", SVC "  - {vip: 10.96.0.1, port: 80}\n",
     "t.yaml:3:5: missing required key 'name' in services[0]"},
    {"ServiceNoVip", SVC "  - {name: web, port: 80}\n",
     "t.yaml:3:5: missing required key 'vip' in service 'web'"},
    {"ServiceNoPort", SVC "  - {name: web, vip: 10.96.0.1}\n",
     "t.yaml:3:5: missing required key 'port' in service 'web'"},
    {"ServiceUnknownKey", SVC "  - {name: web, vip: 10.96.0.1, port: 80, type: ClusterIP}\n",
     "t.yaml:3:43: unknown key 'type' in service 'web'"},
    {"ServiceNameUpper", SVC "  - {name: Web, vip: 10.96.0.1, port: 80}\n",
     "t.yaml:3:12: 'name': 'Web' is not a Kubernetes name (1 to 63 characters of a-z 0-9 -, "
     "starting and ending with a letter or digit)"},
    {"ServiceNameTrailingDash", SVC "  - {name: web-, vip: 10.96.0.1, port: 80}\n",
     "t.yaml:3:12: 'name': 'web-' is not a Kubernetes name (1 to 63 characters of a-z 0-9 -, "
     "starting and ending with a letter or digit)"},
    {"ServiceNameTooLong",
     SVC "  - {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, vip: "
         "10.96.0.1, port: 80}\n",
     "t.yaml:3:12: 'name': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is "
     "not a Kubernetes name (1 to 63 characters of a-z 0-9 -, starting and ending with a letter or "
     "digit)"},
    {"ServiceNameTwice",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80}\n  - {name: web, vip: 10.96.0.2, port: 80}\n",
     "t.yaml:4:12: duplicate service name 'web' (first defined at line 3)"},
    {"ServiceVipNotIp", SVC "  - {name: web, vip: 10.96.0, port: 80}\n",
     "t.yaml:3:22: 'vip': '10.96.0' is not an IPv4 address (expected A.B.C.D)"},
    {"ServiceVipMulticast", SVC "  - {name: web, vip: 224.0.0.1, port: 80}\n",
     "t.yaml:3:22: 'vip': 224.0.0.1 is not a unicast host address"},
    {"ServiceVipIsOurs", L3_IFACES "services: [{name: web, vip: 10.1.0.1, port: 80}]\n",
     "t.yaml:5:29: service 'web': vip: 10.1.0.1 is our own address (interface 'gw')"},
    {"ServicePortZero", SVC "  - {name: web, vip: 10.96.0.1, port: 0}\n",
     "t.yaml:3:39: 'port': 0 is out of range (1..65535)"},
    {"ServicePortTooBig", SVC "  - {name: web, vip: 10.96.0.1, port: 65536}\n",
     "t.yaml:3:39: 'port': 65536 is out of range (1..65535)"},
    {"ServiceVipPortTwice",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80}\n  - {name: api, vip: 10.96.0.1, port: 80, "
         "protocol: tcp}\n",
     "t.yaml:4:22: service 'api': vip: 10.96.0.1:80/tcp is already used by service 'web'"},
    {"ServiceProtocolSctp", SVC "  - {name: web, vip: 10.96.0.1, port: 80, protocol: sctp}\n",
     "t.yaml:3:53: 'protocol': expected tcp or udp, got 'sctp'"},
    {"ServiceProtocolUpper", SVC "  - {name: web, vip: 10.96.0.1, port: 80, protocol: TCP}\n",
     "t.yaml:3:53: 'protocol': expected tcp or udp, got 'TCP'"},
    {"ServiceAffinityBad", SVC "  - {name: web, vip: 10.96.0.1, port: 80, affinity: ClientIP}\n",
     "t.yaml:3:53: 'affinity': expected none or client_ip, got 'ClientIP'"},
    {"AffinityTimeoutWithoutClientIp",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, affinity_timeout_s: 60}\n",
     "t.yaml:3:63: 'affinity_timeout_s': only with 'affinity: client_ip' in service 'web'"},
    {"AffinityTimeoutWithNone",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, affinity: none, affinity_timeout_s: 60}\n",
     "t.yaml:3:79: 'affinity_timeout_s': only with 'affinity: client_ip' in service 'web'"},
    {"AffinityTimeoutZero",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, affinity: client_ip, affinity_timeout_s: 0}\n",
     "t.yaml:3:84: 'affinity_timeout_s': 0 is out of range (1..86400)"},
    {"AffinityTimeoutTooBig",
     SVC
     "  - {name: web, vip: 10.96.0.1, port: 80, affinity: client_ip, affinity_timeout_s: 86401}\n",
     "t.yaml:3:84: 'affinity_timeout_s': 86401 is out of range (1..86400)"},
    {"NodePortZero", SVC "  - {name: web, vip: 10.96.0.1, port: 80, node_port: 0}\n",
     "t.yaml:3:54: 'node_port': 0 is out of range (1..65535)"},
    {"NodePortOutOfDefaultRange",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, node_port: 8080}\n",
     "t.yaml:3:54: service 'web': node_port: 8080 is out of node_port_range 30000-32767"},
    {"NodePortOutOfGivenRange",
     SVC
     "  - {name: web, vip: 10.96.0.1, port: 80, node_port: 30080}\nnode_port_range: 31000-31999\n",
     "t.yaml:3:54: service 'web': node_port: 30080 is out of node_port_range 31000-31999"},
    {"NodePortTwice",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, node_port: 30080}\n  - {name: api, vip: "
         "10.96.0.2, port: 80, node_port: 30080}\n",
     "t.yaml:4:54: service 'api': node_port: 30080/tcp is already used by service 'web'"},
    {"BackendsNotList", SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: 10.244.1.5}\n",
     "t.yaml:3:53: 'backends': expected a list, got a scalar"},
    {"BackendNotMap", SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [10.244.1.5]}\n",
     "t.yaml:3:54: services[0].backends[0]: expected a map, got a scalar"},
    {"BackendNoPort",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 10.244.1.5}]}\n",
     "t.yaml:3:54: missing required key 'port' in services[0].backends[0]"},
    {"BackendUnknownKey",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 10.244.1.5, port: 8080, zone: "
         "a}]}\n",
     "t.yaml:3:83: unknown key 'zone' in services[0].backends[0]"},
    {"BackendIpNotIp",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: pod-a, port: 8080}]}\n",
     "t.yaml:3:59: 'ip': 'pod-a' is not an IPv4 address (expected A.B.C.D)"},
    {"BackendIpBroadcast",
     SVC
     "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 255.255.255.255, port: 8080}]}\n",
     "t.yaml:3:59: 'ip': 255.255.255.255 is not a unicast host address"},
    {"BackendIpLoopback",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 127.0.0.1, port: 8080}]}\n",
     "t.yaml:3:59: 'ip': 127.0.0.1 is not a unicast host address"},
    {"BackendPortZero",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 10.244.1.5, port: 0}]}\n",
     "t.yaml:3:77: 'port': 0 is out of range (1..65535)"},
    {"BackendWeightZero",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 10.244.1.5, port: 8080, "
         "weight: 0}]}\n",
     "t.yaml:3:91: 'weight': 0 is out of range (1..1000)"},
    {"BackendWeightTooBig",
     SVC "  - {name: web, vip: 10.96.0.1, port: 80, backends: [{ip: 10.244.1.5, port: 8080, "
         "weight: 1001}]}\n",
     "t.yaml:3:91: 'weight': 1001 is out of range (1..1000)"},
    {"BackendTwice",
     SVC "  - name: web\n    vip: 10.96.0.1\n    port: 80\n    backends:\n      - {ip: 10.244.1.5, "
         "port: 8080}\n      - {ip: 10.244.1.5, port: 8080, weight: 2}\n",
     "t.yaml:8:9: service 'web': backends[1]: 10.244.1.5:8080 is listed twice"},
    {"ConntrackNotMap", DPDK "conntrack: 1000\n",
     "t.yaml:2:12: 'conntrack': expected a map, got a scalar"},
    {"ConntrackUnknownKey", DPDK "conntrack: {max_flows: 2048, tcp_fin_s: 5}\n",
     "t.yaml:2:30: unknown key 'tcp_fin_s' in conntrack"},
    {"MaxFlowsTooSmall", DPDK "conntrack: {max_flows: 1023}\n",
     "t.yaml:2:24: 'max_flows': 1023 is out of range (1024..16777216)"},
    {"MaxFlowsTooBig", DPDK "conntrack: {max_flows: 16777217}\n",
     "t.yaml:2:24: 'max_flows': 16777217 is out of range (1024..16777216)"},
    {"UdpTimeoutZero", DPDK "conntrack: {udp_s: 0}\n",
     "t.yaml:2:20: 'udp_s': 0 is out of range (1..2592000)"},
    {"EstablishedTimeoutTooBig", DPDK "conntrack:\n  tcp_established_s: 2592001\n",
     "t.yaml:3:22: 'tcp_established_s': 2592001 is out of range (1..2592000)"},
    {"SynTimeoutNegative", DPDK "conntrack: {tcp_syn_s: -1}\n",
     "t.yaml:2:24: 'tcp_syn_s': must not be negative, got -1"},
    {"ClosingTimeoutNotNumber", DPDK "conntrack: {tcp_closing_s: 10s}\n",
     "t.yaml:2:28: 'tcp_closing_s': expected an unsigned integer, got '10s'"},
    {"NodePortRangeOneNumber", DPDK "node_port_range: 30000\n",
     "t.yaml:2:18: 'node_port_range': expected MIN-MAX (e.g. 30000-32767), got '30000'"},
    {"NodePortRangeList", DPDK "node_port_range: [30000, 32767]\n",
     "t.yaml:2:18: 'node_port_range': expected a string, got a list"},
    {"NodePortRangeZero", DPDK "node_port_range: 0-100\n",
     "t.yaml:2:18: 'node_port_range': 0 is out of range (1..65535)"},
    {"NodePortRangeTooBig", DPDK "node_port_range: 30000-65536\n",
     "t.yaml:2:18: 'node_port_range': 65536 is out of range (1..65535)"},
    {"NodePortRangeReversed", DPDK "node_port_range: 32767-30000\n",
     "t.yaml:2:18: 'node_port_range': MIN 32767 is greater than MAX 30000"},
    {"NodePortRangeSpaces", DPDK "node_port_range: 30000 - 32767\n",
     "t.yaml:2:18: 'node_port_range': expected MIN-MAX (e.g. 30000-32767), got '30000 - 32767'"},

};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ConfigErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrorTest, FailsWithMessage) {
  const ErrorCase& c = GetParam();
  Config out;
  const Status status = load_config_text(c.yaml, "t.yaml", out);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind(c.error, 0), 0u)
      << "message:  " << status.message() << "\nexpected: " << c.error << "...";
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrorTest, testing::ValuesIn(kErrorCases),
                         [](const testing::TestParamInfo<ErrorCase>& info) {
                           return std::string(info.param.name);
                         });

Config load_ok(const std::string& yaml) {
  Config config;
  const Status status = load_config_text(yaml, "t.yaml", config);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return config;
}

MacAddress mac(const std::string& text) {
  MacAddress parsed{};
  EXPECT_TRUE(parse_mac(text, parsed)) << text;
  return parsed;
}

TEST(ConfigLoaderTest, DefaultsWhenOnlyDpdkIsGiven) {
  const Config config = load_ok("dpdk: {}\n");
  const Config defaults;
  EXPECT_EQ(config.file, "t.yaml");
  EXPECT_EQ(config.node_name, "");
  EXPECT_EQ(config.dpdk.lcores, defaults.dpdk.lcores);
  EXPECT_EQ(config.dpdk.workers, defaults.dpdk.workers);
  EXPECT_EQ(config.dpdk.memory_mb, defaults.dpdk.memory_mb);
  EXPECT_EQ(config.dpdk.file_prefix, defaults.dpdk.file_prefix);
  EXPECT_EQ(config.dpdk.huge, defaults.dpdk.huge);
  EXPECT_TRUE(config.dpdk.extra_args.empty());
  EXPECT_EQ(config.dpdk.idle_sleep_max_us, defaults.dpdk.idle_sleep_max_us);
  EXPECT_EQ(config.dpdk.mark.line, 1);
  EXPECT_EQ(config.dpdk.mark.column, 7);
  EXPECT_EQ(config.api_listen, "unix:///run/nodeplane/api.sock");
  EXPECT_EQ(config.metrics_listen, "127.0.0.1:9469");
  EXPECT_EQ(config.state_dir, "/var/lib/nodeplane");
  EXPECT_TRUE(config.ports.empty());
  EXPECT_TRUE(config.bridge_domains.empty());
}

TEST(ConfigLoaderTest, PortAndDomainDefaults) {
  const Config config = load_ok(DPDK "ports: [{name: r, type: ring}]\nbridge_domains: [{id: 3}]\n");
  ASSERT_EQ(config.ports.size(), 1u);
  const PortConfig& port = config.ports[0];
  EXPECT_EQ(port.type, PortType::kRing);
  EXPECT_EQ(port.queues, 1u);
  EXPECT_FALSE(port.mac.has_value());
  EXPECT_FALSE(port.mtu.has_value());
  EXPECT_FALSE(port.client);
  ASSERT_EQ(config.bridge_domains.size(), 1u);
  const BridgeDomainConfig& domain = config.bridge_domains[0];
  EXPECT_EQ(domain.id, 3u);
  EXPECT_TRUE(domain.ports.empty());
  EXPECT_TRUE(domain.learning);
  EXPECT_EQ(domain.aging_s, 300u);
  EXPECT_TRUE(domain.flood);
  EXPECT_EQ(domain.max_macs, 0u);
  EXPECT_TRUE(domain.static_macs.empty());
}

TEST(ConfigLoaderTest, ReadsEveryValue) {
  const Config config = load_ok(R"(node: {name: node-a}
dpdk:
  lcores: [4, 5, 6]
  workers: [6, 5]
  memory_mb: 65536
  file_prefix: np_test-1
  huge: false
  extra_args: [--vdev=net_null0, "-l 2"]
  idle_sleep_max_us: 0
api: {listen: 'tcp://[::1]:50051'}
metrics: {listen: '0.0.0.0:9100'}
state_dir: /tmp/np
ports:
  - name: pod1
    type: vhost-user
    socket: /run/np/pod1.sock
    client: true
    queues: 16
    mac: 02:AB:cd:00:00:01
    mtu: 9600
  - {name: up, type: af-packet, iface: eth1, mtu: 68}
  - {name: t, type: tap, iface: np-t0}
  - {name: nic, type: pci, device: 0000:af:1f.7}
  - {name: nic2, type: pci, device: 00:04.0}
  - {name: vu, type: virtio-user, path: /dev/vhost-net}
  - {name: null, type: null}
bridge_domains:
  - id: 16777215
    ports: [pod1, up]
    learning: false
    aging_s: 10
    flood: FALSE
    max_macs: 16777216
    static_macs:
      - {mac: '02:00:00:00:00:09', port: up}
  - {id: 1, ports: [t, nic], aging_s: 0}
)");
  EXPECT_EQ(config.node_name, "node-a");
  EXPECT_EQ(config.dpdk.lcores, (std::vector<unsigned>{4, 5, 6}));
  EXPECT_EQ(config.dpdk.workers, (std::vector<unsigned>{6, 5}));
  EXPECT_EQ(config.dpdk.memory_mb, 65536u);
  EXPECT_EQ(config.dpdk.file_prefix, "np_test-1");
  EXPECT_FALSE(config.dpdk.huge);
  EXPECT_EQ(config.dpdk.extra_args, (std::vector<std::string>{"--vdev=net_null0", "-l 2"}));
  EXPECT_EQ(config.dpdk.idle_sleep_max_us, 0u);
  EXPECT_EQ(config.dpdk.mark.line, 3);
  EXPECT_EQ(config.dpdk.mark.column, 3);
  EXPECT_EQ(config.api_listen, "tcp://[::1]:50051");
  EXPECT_EQ(config.metrics_listen, "0.0.0.0:9100");
  EXPECT_EQ(config.state_dir, "/tmp/np");

  ASSERT_EQ(config.ports.size(), 7u);
  const PortConfig& pod = config.ports[0];
  EXPECT_EQ(pod.name, "pod1");
  EXPECT_EQ(pod.type, PortType::kVhostUser);
  EXPECT_EQ(pod.socket, "/run/np/pod1.sock");
  EXPECT_TRUE(pod.client);
  EXPECT_EQ(pod.queues, 16u);
  EXPECT_EQ(pod.mac, mac("02:ab:cd:00:00:01"));
  EXPECT_EQ(pod.mtu, 9600u);
  EXPECT_EQ(pod.mark.line, 14);
  EXPECT_EQ(pod.mark.column, 5);
  EXPECT_EQ(config.ports[1].type, PortType::kAfPacket);
  EXPECT_EQ(config.ports[1].iface, "eth1");
  EXPECT_EQ(config.ports[1].mtu, 68u);
  EXPECT_EQ(config.ports[1].mark.line, 21);
  EXPECT_EQ(config.ports[1].mark.column, 5);
  EXPECT_EQ(config.ports[2].type, PortType::kTap);
  EXPECT_EQ(config.ports[2].iface, "np-t0");
  EXPECT_EQ(config.ports[3].type, PortType::kPci);
  EXPECT_EQ(config.ports[3].device, "0000:af:1f.7");
  EXPECT_EQ(config.ports[4].device, "00:04.0");
  EXPECT_EQ(config.ports[5].type, PortType::kVirtioUser);
  EXPECT_EQ(config.ports[5].path, "/dev/vhost-net");
  // A plain `null` is YAML's null value, yet it is also a port type (and here a name).
  EXPECT_EQ(config.ports[6].name, "null");
  EXPECT_EQ(config.ports[6].type, PortType::kNull);

  ASSERT_EQ(config.bridge_domains.size(), 2u);
  const BridgeDomainConfig& first = config.bridge_domains[0];
  EXPECT_EQ(first.id, 16777215u);
  EXPECT_EQ(first.ports, (std::vector<std::string>{"pod1", "up"}));
  EXPECT_FALSE(first.learning);
  EXPECT_EQ(first.aging_s, 10u);
  EXPECT_FALSE(first.flood);
  EXPECT_EQ(first.max_macs, 16777216u);
  EXPECT_EQ(first.mark.line, 28);
  EXPECT_EQ(first.mark.column, 5);
  ASSERT_EQ(first.static_macs.size(), 1u);
  EXPECT_EQ(first.static_macs[0].mac, mac("02:00:00:00:00:09"));
  EXPECT_EQ(first.static_macs[0].port, "up");
  EXPECT_EQ(first.static_macs[0].mark.line, 35);
  EXPECT_EQ(first.static_macs[0].mark.column, 9);
  EXPECT_EQ(config.bridge_domains[1].id, 1u);
  EXPECT_EQ(config.bridge_domains[1].aging_s, 0u);
  EXPECT_EQ(config.bridge_domains[1].ports, (std::vector<std::string>{"t", "nic"}));
}

TEST(ConfigLoaderTest, ReadsPortSecurityAndAttachment) {
  const Config config = load_ok(DPDK R"(ports:
  - name: pod1
    type: vhost-user
    socket: /run/nodeplane/pods/pod1.sock
    security: {mac: 02:00:00:00:0A:01, ips: [10.244.1.10, 10.244.1.11]}
    attachment: {network: pods, container_id: 3f2a9c0d41b7, ifname: net1}
  - name: pod2
    type: ring
    attachment: {ifname: eth1}
  - {name: pod3, type: ring, attachment: {}}
)");
  ASSERT_EQ(config.ports.size(), 3u);
  const PortConfig& pod1 = config.ports[0];
  ASSERT_TRUE(pod1.security.has_value());
  EXPECT_EQ(pod1.security->mac, mac("02:00:00:00:0a:01"));
  EXPECT_EQ(pod1.security->ips, (std::vector<uint32_t>{0x0af4010a, 0x0af4010b}));
  EXPECT_EQ(pod1.attachment, (PortAttachmentConfig{"pods", "3f2a9c0d41b7", "net1"}));
  EXPECT_FALSE(config.ports[1].security.has_value());
  EXPECT_EQ(config.ports[1].attachment, (PortAttachmentConfig{"", "", "eth1"}));
  EXPECT_FALSE(config.ports[2].attachment.has_value()) << "an empty map is no attachment";
}

TEST(ConfigLoaderTest, AttachmentFieldTooLongNamesTheKey) {
  Config out;
  const std::string yaml =
      DPDK "ports: [{name: a, type: ring, attachment: {container_id: " + std::string(257, 'a') +
      "}}]\n";
  const Status st = load_config_text(yaml, "t.yaml", out);
  EXPECT_EQ(st.message(), "t.yaml:2:58: 'container_id': longer than 256 bytes");
}

TEST(ConfigLoaderTest, ReadsInterfacesRoutesAndNeighbors) {
  const Config config =
      load_ok(L3
              "interfaces:\n"
              "  - {name: up, port: r, ip: 10.0.0.1/24, mac: '02:00:00:00:00:01'}\n"
              "  - {name: gw, bridge_domain: 5, ip: 10.1.0.1/31}\n"
              "routes:\n"
              "  - {prefix: 0.0.0.0/0, via: 10.0.0.2}\n"
              "  - prefix: 10.9.0.0/16\n"
              "    via: [10.0.0.3, 10.1.0.0]\n"
              "  - {prefix: 10.8.0.7/32, interface: gw}\n"
              "neighbors: [{ip: 10.0.0.2, mac: '02:00:00:00:00:07', interface: up}]\n");
  ASSERT_EQ(config.interfaces.size(), 2u);
  const InterfaceConfig& up = config.interfaces[0];
  EXPECT_EQ(up.name, "up");
  EXPECT_EQ(up.port, "r");
  EXPECT_EQ(up.bridge_domain, 0u);
  EXPECT_EQ(up.ip, 0x0a000001u);
  EXPECT_EQ(up.prefix_len, 24);
  EXPECT_EQ(up.mac, mac("02:00:00:00:00:01"));
  EXPECT_EQ(up.mark.line, 5);
  EXPECT_EQ(up.mark.column, 5);
  const InterfaceConfig& gw = config.interfaces[1];
  EXPECT_TRUE(gw.port.empty());
  EXPECT_EQ(gw.bridge_domain, 5u);
  EXPECT_EQ(gw.prefix_len, 31);  // A /31 has no network or broadcast address (RFC 3021).
  EXPECT_FALSE(gw.mac.has_value());

  ASSERT_EQ(config.routes.size(), 3u);
  EXPECT_EQ(config.routes[0].prefix, 0u);
  EXPECT_EQ(config.routes[0].prefix_len, 0);
  ASSERT_EQ(config.routes[0].next_hops.size(), 1u);
  EXPECT_EQ(config.routes[0].next_hops[0].via, 0x0a000002u);
  EXPECT_TRUE(config.routes[0].next_hops[0].interface.empty());
  ASSERT_EQ(config.routes[1].next_hops.size(), 2u);  // ECMP.
  EXPECT_EQ(config.routes[1].prefix, 0x0a090000u);
  EXPECT_EQ(config.routes[1].next_hops[1].via, 0x0a010000u);
  EXPECT_EQ(config.routes[1].next_hops[1].mark.line, 10);
  EXPECT_EQ(config.routes[1].mark.line, 9);
  ASSERT_EQ(config.routes[2].next_hops.size(), 1u);
  EXPECT_EQ(config.routes[2].prefix_len, 32);
  EXPECT_EQ(config.routes[2].next_hops[0].via, 0u);
  EXPECT_EQ(config.routes[2].next_hops[0].interface, "gw");

  ASSERT_EQ(config.neighbors.size(), 1u);
  EXPECT_EQ(config.neighbors[0].ip, 0x0a000002u);
  EXPECT_EQ(config.neighbors[0].mac, mac("02:00:00:00:00:07"));
  EXPECT_EQ(config.neighbors[0].interface, "up");
}

TEST(ConfigLoaderTest, ReadsVxlan) {
  const Config config =
      load_ok(L3_IFACES
              "vxlan:\n"
              "  local_ip: 10.0.0.1\n"
              "  port: 8472\n"
              "  mac: '02:00:00:00:0b:01'\n"
              "  tunnels:\n"
              "    - {vni: 100, bridge_domain: 5, remotes: [192.168.1.2, 192.168.1.3]}\n"
              "  static_macs: [{vni: 100, mac: '02:00:00:00:0a:02', remote: 192.168.1.3}]\n"
              "routes:\n"
              "  - {prefix: 10.244.2.0/24, vxlan: {remote: 192.168.1.2, vni: 1, mac: "
              "'02:00:00:00:0b:02'}}\n");
  const VxlanConfig& v = config.vxlan;
  EXPECT_EQ(v.local_ip, 0x0a000001u);
  EXPECT_EQ(v.port, 8472u);
  EXPECT_EQ(v.mac, mac("02:00:00:00:0b:01"));
  EXPECT_EQ(v.mark.line, 6);
  EXPECT_EQ(v.local_ip_mark.line, 6);
  EXPECT_EQ(v.local_ip_mark.column, 13);
  ASSERT_EQ(v.tunnels.size(), 1u);
  EXPECT_EQ(v.tunnels[0].vni, 100u);
  EXPECT_EQ(v.tunnels[0].bridge_domain, 5u);
  EXPECT_EQ(v.tunnels[0].remotes, (std::vector<uint32_t>{0xc0a80102, 0xc0a80103}));
  EXPECT_EQ(v.tunnels[0].mark.line, 10);
  ASSERT_EQ(v.static_macs.size(), 1u);
  EXPECT_EQ(v.static_macs[0].vni, 100u);
  EXPECT_EQ(v.static_macs[0].mac, mac("02:00:00:00:0a:02"));
  EXPECT_EQ(v.static_macs[0].remote, 0xc0a80103u);
  ASSERT_EQ(config.routes.size(), 1u);
  ASSERT_EQ(config.routes[0].next_hops.size(), 1u);
  const NextHopConfig& hop = config.routes[0].next_hops[0];
  EXPECT_EQ(hop.via, 0u);
  EXPECT_TRUE(hop.interface.empty());
  ASSERT_TRUE(hop.vxlan.has_value());
  EXPECT_EQ(hop.vxlan->remote, 0xc0a80102u);
  EXPECT_EQ(hop.vxlan->vni, 1u);
  EXPECT_EQ(hop.vxlan->mac, mac("02:00:00:00:0b:02"));
  EXPECT_EQ(hop.mark.line, 13);
}

TEST(ConfigLoaderTest, VxlanDefaults) {
  const Config none = load_ok(DPDK);
  EXPECT_EQ(none.vxlan.local_ip, 0u);
  const Config config = load_ok(L3_IFACES "vxlan: {local_ip: 10.1.0.1}\n");
  EXPECT_EQ(config.vxlan.local_ip, 0x0a010001u);
  EXPECT_EQ(config.vxlan.port, 4789u);
  EXPECT_FALSE(config.vxlan.mac.has_value());
  EXPECT_TRUE(config.vxlan.tunnels.empty());
  EXPECT_TRUE(config.vxlan.static_macs.empty());
}

TEST(ConfigLoaderTest, ReadsServicesConntrackAndNodePortRange) {
  const Config config =
      load_ok(DPDK
              "conntrack:\n"
              "  max_flows: 1024\n"
              "  tcp_syn_s: 5\n"
              "  tcp_established_s: 2592000\n"
              "  tcp_closing_s: 1\n"
              "  udp_s: 60\n"
              "node_port_range: 1-65535\n"
              "services:\n"
              "  - name: web\n"
              "    vip: 10.96.0.10\n"
              "    port: 80\n"
              "    protocol: tcp\n"
              "    node_port: 30080\n"
              "    affinity: client_ip\n"
              "    affinity_timeout_s: 86400\n"
              "    backends:\n"
              "      - {ip: 10.244.1.5, port: 8080, weight: 1000}\n"
              "      - {ip: 10.244.1.5, port: 8081}\n"
              "  - {name: dns, vip: 10.96.0.10, port: 53, protocol: udp, node_port: "
              "30080, backends: []}\n"
              "  - {name: a-0, vip: 10.96.0.11, port: 65535, node_port: 1}\n");
  EXPECT_EQ(config.conntrack.max_flows, 1024u);
  EXPECT_EQ(config.conntrack.tcp_syn_s, 5u);
  EXPECT_EQ(config.conntrack.tcp_established_s, 2592000u);
  EXPECT_EQ(config.conntrack.tcp_closing_s, 1u);
  EXPECT_EQ(config.conntrack.udp_s, 60u);
  EXPECT_EQ(config.conntrack.mark.line, 3);
  EXPECT_EQ(config.node_port_min, 1u);
  EXPECT_EQ(config.node_port_max, 65535u);
  EXPECT_EQ(config.node_port_range_mark.line, 8);
  ASSERT_EQ(config.services.size(), 3u);
  const ServiceConfig& web = config.services[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.vip, 0x0a60000au);
  EXPECT_EQ(web.port, 80u);
  EXPECT_EQ(web.protocol, ServiceProtocol::kTcp);
  EXPECT_EQ(web.node_port, 30080u);
  EXPECT_EQ(web.affinity, ServiceAffinity::kClientIp);
  EXPECT_EQ(web.affinity_timeout_s, 86400u);
  EXPECT_EQ(web.mark.line, 10);
  EXPECT_EQ(web.mark.column, 5);
  EXPECT_EQ(web.vip_mark.line, 11);
  EXPECT_EQ(web.vip_mark.column, 10);
  EXPECT_EQ(web.node_port_mark.line, 14);
  ASSERT_EQ(web.backends.size(), 2u);
  EXPECT_EQ(web.backends[0].ip, 0x0af40105u);
  EXPECT_EQ(web.backends[0].port, 8080u);
  EXPECT_EQ(web.backends[0].weight, 1000u);
  EXPECT_EQ(web.backends[0].mark.line, 18);
  EXPECT_EQ(web.backends[0].mark.column, 9);
  EXPECT_EQ(web.backends[1].port, 8081u);
  EXPECT_EQ(web.backends[1].weight, 1u);
  // The same VIP and node port with the other protocol is another service.
  const ServiceConfig& dns = config.services[1];
  EXPECT_EQ(dns.protocol, ServiceProtocol::kUdp);
  EXPECT_EQ(dns.vip, web.vip);
  EXPECT_EQ(dns.node_port, 30080u);
  EXPECT_EQ(dns.affinity, ServiceAffinity::kNone);
  EXPECT_FALSE(dns.affinity_timeout_s.has_value());
  EXPECT_TRUE(dns.backends.empty());
  EXPECT_EQ(config.services[2].name, "a-0");
  EXPECT_EQ(config.services[2].node_port, 1u);
}

TEST(ConfigLoaderTest, ServiceDefaults) {
  const Config none = load_ok(DPDK);
  const ConntrackConfig defaults;
  EXPECT_EQ(none.conntrack.max_flows, 262144u);
  EXPECT_EQ(none.conntrack.tcp_syn_s, defaults.tcp_syn_s);
  EXPECT_EQ(none.conntrack.tcp_established_s, defaults.tcp_established_s);
  EXPECT_EQ(none.conntrack.tcp_closing_s, defaults.tcp_closing_s);
  EXPECT_EQ(none.conntrack.udp_s, defaults.udp_s);
  EXPECT_EQ(none.node_port_min, 30000u);
  EXPECT_EQ(none.node_port_max, 32767u);
  EXPECT_TRUE(none.services.empty());
  const Config config =
      load_ok(DPDK "conntrack: {udp_s: 5}\nservices: [{name: web, vip: 10.96.0.1, port: 80}]\n");
  EXPECT_EQ(config.conntrack.udp_s, 5u);
  EXPECT_EQ(config.conntrack.max_flows, 262144u);
  ASSERT_EQ(config.services.size(), 1u);
  const ServiceConfig& web = config.services[0];
  EXPECT_EQ(web.protocol, ServiceProtocol::kTcp);
  EXPECT_EQ(web.node_port, 0u);
  EXPECT_EQ(web.affinity, ServiceAffinity::kNone);
  EXPECT_FALSE(web.affinity_timeout_s.has_value());
  EXPECT_TRUE(web.backends.empty());
}

TEST(ConfigLoaderTest, AtMostAThousandBackends) {
  std::string yaml =
      DPDK "services:\n  - name: web\n    vip: 10.96.0.1\n    port: 80\n    backends:\n";
  for (int i = 0; i < 1000; ++i)
    yaml += "      - {ip: 10.244." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) +
            ", port: 8080}\n";
  EXPECT_EQ(load_ok(yaml).services.at(0).backends.size(), 1000u);
  yaml += "      - {ip: 10.245.0.1, port: 8080}\n";
  Config config;
  const Status st = load_config_text(yaml, "t.yaml", config);
  EXPECT_EQ(st.message(), "t.yaml:7:7: 'backends': at most 1000, got 1001");
}

TEST(ConfigLoaderTest, AtMostRteMaxEthportsPorts) {
  std::string yaml = DPDK "ports:\n";
  for (size_t i = 0; i < kMaxPorts; ++i)
    yaml += "  - {name: p" + std::to_string(i) + ", type: ring}\n";
  EXPECT_EQ(load_ok(yaml).ports.size(), kMaxPorts);
  yaml += "  - {name: one-more, type: ring}\n";
  Config config;
  const Status st = load_config_text(yaml, "t.yaml", config);
  EXPECT_EQ(st.message(), "t.yaml:" + std::to_string(kMaxPorts + 3) + ":5: ports: at most " +
                              std::to_string(kMaxPorts) +
                              " (each is a DPDK port, and RTE_MAX_ETHPORTS of this DPDK build is " +
                              std::to_string(kMaxPorts) + ")");
}

TEST(ConfigLoaderTest, AcceptsEveryApiAddressForm) {
  for (const char* listen :
       {"unix:///run/np.sock", "tcp://127.0.0.1:1", "tcp://localhost:65535", "tcp://[::1]:50051"}) {
    const Config config = load_ok(DPDK "api: {listen: '" + std::string(listen) + "'}\n");
    EXPECT_EQ(config.api_listen, listen);
  }
}

TEST(ConfigLoaderTest, LiteralNullTypeWithComment) {
  const Config config = load_ok(DPDK "ports:\n  - name: sink\n    type: null  # drops all\n");
  ASSERT_EQ(config.ports.size(), 1u);
  EXPECT_EQ(config.ports[0].type, PortType::kNull);
}

TEST(ConfigLoaderTest, LeavesOutUntouchedOnError) {
  Config out;
  out.file = "before.yaml";
  out.node_name = "before";
  out.dpdk.memory_mb = 4242;
  out.ports.push_back(PortConfig{});
  const Status status = load_config_text(
      "node: {name: after}\ndpdk: {memory_mb: 1024}\nports: [{}]\n", "t.yaml", out);
  EXPECT_FALSE(status.is_ok());
  EXPECT_EQ(out.file, "before.yaml");
  EXPECT_EQ(out.node_name, "before");
  EXPECT_EQ(out.dpdk.memory_mb, 4242u);
  EXPECT_EQ(out.ports.size(), 1u);
}

TEST(ConfigLoaderTest, MissingFileNamesThePath) {
  Config out;
  out.node_name = "before";
  const std::string path = "/nonexistent/nodeplane/cfg.yaml";
  const Status status = load_config_file(path, out);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), path + ": cannot read: No such file or directory");
  EXPECT_EQ(out.node_name, "before");
}

TEST(ConfigLoaderTest, DirectoryIsNotAFile) {
  Config out;
  const Status status = load_config_file("/", out);
  EXPECT_EQ(status.message(), "/: cannot read: Is a directory");
}

TEST(ConfigLoaderTest, FileErrorsNameTheFile) {
  const std::string path = testing::TempDir() + "config_loader_test.yaml";
  std::ofstream(path) << "dpdk: {lcores: [0, x]}\n";
  Config out;
  const Status status = load_config_file(path, out);
  std::remove(path.c_str());
  EXPECT_EQ(status.message(), path + ":1:20: 'lcores': expected an unsigned integer, got 'x'");
}

class ExampleTest : public testing::TestWithParam<const char*> {};

TEST_P(ExampleTest, LoadsCleanly) {
  const std::string path = std::string(NP_SOURCE_DIR) + "/control/examples/" + GetParam();
  Config config;
  const Status status = load_config_file(path, config);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(config.file, path);
  EXPECT_FALSE(config.ports.empty());
  EXPECT_FALSE(config.bridge_domains.empty());
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTest,
                         testing::Values("minimal.yaml", "pods.yaml", "reference.yaml"));

TEST(ConfigLoaderTest, ReferenceExampleHasEveryPortType) {
  Config config;
  const std::string path = std::string(NP_SOURCE_DIR) + "/control/examples/reference.yaml";
  ASSERT_TRUE(load_config_file(path, config).is_ok());
  for (PortType type : {PortType::kVhostUser, PortType::kAfPacket, PortType::kTap, PortType::kPci,
                        PortType::kVirtioUser, PortType::kRing, PortType::kNull}) {
    const bool found = std::any_of(config.ports.begin(), config.ports.end(),
                                   [type](const PortConfig& port) { return port.type == type; });
    EXPECT_TRUE(found) << port_type_name(type);
  }
}

TEST(ConfigLoaderTest, ReferenceExampleHasPortSecurityAndAttachment) {
  Config config;
  const std::string path = std::string(NP_SOURCE_DIR) + "/control/examples/reference.yaml";
  ASSERT_TRUE(load_config_file(path, config).is_ok());
  EXPECT_TRUE(std::any_of(config.ports.begin(), config.ports.end(), [](const PortConfig& p) {
    return p.security.has_value() && p.attachment.has_value();
  }));
}

TEST(ConfigLoaderTest, ReferenceExampleHasL3) {
  Config config;
  const std::string path = std::string(NP_SOURCE_DIR) + "/control/examples/reference.yaml";
  ASSERT_TRUE(load_config_file(path, config).is_ok());
  EXPECT_TRUE(std::any_of(config.interfaces.begin(), config.interfaces.end(),
                          [](const InterfaceConfig& i) { return i.bridge_domain != 0; }));
  EXPECT_TRUE(std::any_of(config.interfaces.begin(), config.interfaces.end(),
                          [](const InterfaceConfig& i) { return !i.port.empty(); }));
  EXPECT_TRUE(std::any_of(config.routes.begin(), config.routes.end(),
                          [](const RouteConfig& r) { return r.next_hops.size() > 1; }));
  EXPECT_FALSE(config.neighbors.empty());
  EXPECT_NE(config.vxlan.local_ip, 0u);
  EXPECT_TRUE(std::any_of(
      config.vxlan.tunnels.begin(), config.vxlan.tunnels.end(),
      [](const VxlanTunnelConfig& t) { return t.bridge_domain == 10 && t.remotes.size() == 2; }));
  EXPECT_TRUE(std::any_of(config.routes.begin(), config.routes.end(), [](const RouteConfig& r) {
    return r.next_hops.size() == 1 && r.next_hops[0].vxlan.has_value();
  }));
}

TEST(Ipv4Test, ParsesAndFormats) {
  uint32_t addr = 0;
  ASSERT_TRUE(parse_ipv4("192.168.0.255", addr));
  EXPECT_EQ(addr, 0xc0a800ffu);
  EXPECT_EQ(format_ipv4(addr), "192.168.0.255");
  for (const char* text : {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.4 ",
                           "-1.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4/8", "1234.2.3.4"}) {
    uint32_t unchanged = 7;
    EXPECT_FALSE(parse_ipv4(text, unchanged)) << text;
    EXPECT_EQ(unchanged, 7u);
  }
  uint8_t len = 0;
  EXPECT_EQ(parse_ipv4_prefix("10.0.0.0/8", 0, addr, len), "");
  EXPECT_EQ(len, 8);
  EXPECT_EQ(parse_ipv4_prefix("10.0.0.0/", 0, addr, len),
            "'10.0.0.0/' is not an IPv4 prefix A.B.C.D/LEN");
  EXPECT_EQ(host_bits_problem(0x0a000001, 24),
            "prefix 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?");
  EXPECT_EQ(host_bits_problem(0x0a000000, 24), "");
  EXPECT_EQ(host_bits_problem(0, 0), "");
  EXPECT_TRUE(subnets_overlap(0x0a000000, 8, 0x0a010000, 16));
  EXPECT_FALSE(subnets_overlap(0x0a000000, 16, 0x0a010000, 16));
}

TEST(PortTypeNameTest, NamesAsInTheConfig) {
  EXPECT_STREQ(port_type_name(PortType::kVhostUser), "vhost-user");
  EXPECT_STREQ(port_type_name(PortType::kAfPacket), "af-packet");
  EXPECT_STREQ(port_type_name(PortType::kTap), "tap");
  EXPECT_STREQ(port_type_name(PortType::kPci), "pci");
  EXPECT_STREQ(port_type_name(PortType::kVirtioUser), "virtio-user");
  EXPECT_STREQ(port_type_name(PortType::kRing), "ring");
  EXPECT_STREQ(port_type_name(PortType::kNull), "null");
}

TEST(MacAddressTest, ParsesAndFormats) {
  MacAddress parsed{};
  ASSERT_TRUE(parse_mac("0A:1b:2C:3d:4E:ff", parsed));
  EXPECT_EQ(parsed, (MacAddress{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0xff}));
  EXPECT_EQ(format_mac(parsed), "0a:1b:2c:3d:4e:ff");
}

TEST(MacAddressTest, RejectsOtherFormsAndLeavesMacUnchanged) {
  for (const char* text : {"", "0a:1b:2c:3d:4e", "0a:1b:2c:3d:4e:ff:00", "0a-1b-2c-3d-4e-ff",
                           "0a:1b:2c:3d:4e:fg", "a:1b:2c:3d:4e:ff0", " 0a:1b:2c:3d:4e:f"}) {
    MacAddress unchanged{1, 2, 3, 4, 5, 6};
    EXPECT_FALSE(parse_mac(text, unchanged)) << text;
    EXPECT_EQ(unchanged, (MacAddress{1, 2, 3, 4, 5, 6}));
  }
}

}  // namespace
}  // namespace np::control
