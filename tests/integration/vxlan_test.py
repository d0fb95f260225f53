#!/usr/bin/env python3
"""VXLAN integration against the Linux kernel's vxlan device as the remote VTEP. nodeplane's
VTEP is 192.168.50.1 on a routed af-packet uplink; behind the uplink, netns "node2" is a
second node at 192.168.50.2 with:
  - vx42 (VNI 42): an L2 VNI shared with nodeplane's bridge domain 1, where pod1 lives; the
    kernel host 10.42.0.2 sits on vx42;
  - flannel.1 (VNI 1), configured the way flannel configures a node (its own MAC, onlink
    route to our pod subnet, permanent neighbor, fdb entry): our pod2 (10.244.1.5, behind
    gateway 10.244.1.1) reaches node2's 10.244.2.0 through an L3 VNI route.
Pings both ways, a TCP transfer arrives intact, answers to L3-VNI packets (echo reply, time
exceeded) go back into the tunnel, the frames on the wire are VXLAN with the
right VNI (tcpdump), the remote MAC is learned behind its VTEP, and per-port offload status
is reported (software on af-packet)."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pods_case import PodsTestCase, main  # noqa: E402

OUR_VTEP, NODE2_VTEP = "192.168.50.1", "192.168.50.2"
L2_HOST = "10.42.0.2"
OUR_VTEP_MAC = "02:76:00:00:00:01"
FLANNEL_MAC = "02:76:00:00:00:02"

# Broadcast UDP into the L2 VNI as fast as one Python thread can, for 4 seconds.
UDP_FLOOD = """
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
end = time.monotonic() + 4
while time.monotonic() < end:
    for _ in range(100):
        s.sendto(b"x" * 64, ("10.42.0.255", 9))
"""


class VxlanTest(PodsTestCase):
    SUBNET = "10.42.0"  # pod1 10.42.0.1 in the L2 VNI; pod2 moves to 10.244.1.5.

    @classmethod
    def start(cls, t, uplink):
        cls.pod2 = (cls.pod2[0], "10.244.1.5")
        node2, node2_if = cls.host_ns, f"nph{t.tag}1"
        t.ns_exec(node2, "ip", "addr", "flush", "dev", node2_if)
        t.ns_exec(node2, "ip", "addr", "add", f"{NODE2_VTEP}/24", "dev", node2_if)
        # The L2 VNI, as in LAB.md: head-end flooding to our VTEP.
        t.ns_exec(node2, "ip", "link", "add", "vx42", "type", "vxlan", "id", "42", "dstport",
                  "4789", "local", NODE2_VTEP, "dev", node2_if, "nolearning")
        t.ns_exec(node2, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx42", "dst",
                  OUR_VTEP)
        t.ns_exec(node2, "ip", "link", "set", "vx42", "up")
        t.ns_exec(node2, "ip", "addr", "add", f"{L2_HOST}/24", "dev", "vx42")
        # flannel's vxlan backend on node2 (subnet 10.244.2.0/24), peering with us (10.244.1.0/24).
        t.ns_exec(node2, "ip", "link", "add", "flannel.1", "address", FLANNEL_MAC, "type", "vxlan",
                  "id", "1", "dstport", "4789", "local", NODE2_VTEP, "dev", node2_if, "nolearning")
        t.ns_exec(node2, "ip", "link", "set", "flannel.1", "up")
        t.ns_exec(node2, "ip", "addr", "add", "10.244.2.0/32", "dev", "flannel.1")
        t.ns_exec(node2, "ip", "route", "add", "10.244.1.0/24", "via", "10.244.1.0", "dev",
                  "flannel.1", "onlink")
        t.ns_exec(node2, "ip", "neigh", "add", "10.244.1.0", "lladdr", OUR_VTEP_MAC, "dev",
                  "flannel.1", "nud", "permanent")
        t.ns_exec(node2, "bridge", "fdb", "append", OUR_VTEP_MAC, "dev", "flannel.1", "dst",
                  OUR_VTEP)
        cls.api = t.api
        t.start_nodeplane(f"""
{t.daemon_preamble()}ports:
  - {{name: pod1, type: vhost-user, socket: {t.socket_path('pod1')}}}
  - {{name: pod2, type: vhost-user, socket: {t.socket_path('pod2')}}}
  - {{name: up, type: af-packet, iface: {uplink}}}
bridge_domains:
  - {{id: 1, ports: [pod1]}}
  - {{id: 2, ports: [pod2]}}
interfaces:
  - {{name: wan, port: up, ip: {OUR_VTEP}/24}}
  - {{name: pods-gw, bridge_domain: 2, ip: 10.244.1.1/24}}
routes:
  - {{prefix: 10.244.2.0/24, vxlan: {{remote: {NODE2_VTEP}, vni: 1, mac: "{FLANNEL_MAC}"}}}}
vxlan:
  local_ip: {OUR_VTEP}
  mac: "{OUR_VTEP_MAC}"
  tunnels:
    - {{vni: 42, bridge_domain: 1, remotes: [{NODE2_VTEP}]}}
""")
        cls.attach_pods()  # pod1 stays in the L2 VNI's subnet; pod2 goes through its gateway.
        t.ns_exec(cls.pod2_ns, "ip", "route", "add", "default", "via", "10.244.1.1")

    def test_1_l2_vni_pings_both_ways_with_the_kernel_vtep(self):
        self.ping_until(self.pod1_ns, L2_HOST, timeout=20)
        self.ping(self.pod1_ns, L2_HOST)
        self.ping(self.host_ns, self.pod1[1])

    def test_2_l2_vni_moves_tcp_intact(self):
        self.ping_until(self.pod1_ns, L2_HOST, timeout=20)
        self.transfer(self.pod1_ns, self.host_ns, L2_HOST)
        self.transfer(self.host_ns, self.pod1_ns, self.pod1[1], port=5202)

    def test_3_frames_on_the_wire_are_vxlan_with_the_vni(self):
        self.ping_until(self.pod1_ns, L2_HOST, timeout=20)
        node2_if = f"nph{self.topo.tag}1"
        capture = subprocess.Popen(
            ["ip", "netns", "exec", self.host_ns, "tcpdump", "-nn", "-l", "-c", "2", "-i", node2_if,
             f"udp port 4789 and src host {OUR_VTEP}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.ping(self.pod1_ns, L2_HOST, count=4)
            out, err = capture.communicate(timeout=20)
        finally:
            if capture.poll() is None:
                capture.kill()
        self.assertIn("VXLAN", out, f"tcpdump: {err}")
        self.assertIn("vni 42", out)

    def test_4_remote_mac_is_learned_behind_its_vtep(self):
        self.ping_until(self.pod1_ns, L2_HOST, timeout=20)
        macs = json.loads(self.npctl_out("-o", "json", "mac", "list", "--bd", "1"))
        remote = [m for m in macs if m.get("remoteVtep") or m.get("remote_vtep")]
        self.assertTrue(remote, macs)
        self.assertIn(NODE2_VTEP, json.dumps(remote))

    def test_5_l3_vni_reaches_a_flannel_node_both_ways(self):
        self.ping_until(self.pod2_ns, "10.244.2.0", timeout=20)
        self.ping(self.pod2_ns, "10.244.2.0")
        self.ping(self.host_ns, self.pod2[1])

    def test_5a_answers_from_an_l3_vni_go_back_into_the_tunnel(self):
        self.ping_until(self.pod2_ns, "10.244.2.0", timeout=20)
        # Echo replies from our gateway and time exceeded from our router reach node2 through
        # flannel.1, as the kernel's vxlan device would send them.
        self.ping(self.host_ns, "10.244.1.1")
        r = self.topo.ns_exec(self.host_ns, "ping", "-c", "1", "-t", "1", "-W", "2", self.pod2[1],
                              check=False, timeout=10)
        self.assertIn("Time to live exceeded", r.stdout, r.stdout)

    def test_7_a_flooding_remote_does_not_starve_local_traffic(self):
        self.ping_until(self.pod1_ns, L2_HOST, timeout=20)
        decap_before = self.decapsulated(42)
        # node2 floods broadcast into the L2 VNI (flooded to pod1) while pod2, local to this
        # node, pings its gateway every 20 ms.
        flood = subprocess.Popen(["ip", "netns", "exec", self.host_ns, "python3", "-c", UDP_FLOOD],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            r = self.topo.ns_exec(self.pod2_ns, "ping", "-c", "150", "-i", "0.02", "-W", "2",
                                  "10.244.1.1", check=False, timeout=60)
        finally:
            flood.wait(timeout=30)
        self.assertIn(" 0% packet loss", r.stdout, r.stdout)
        self.assertGreater(self.decapsulated(42) - decap_before, 5000, "the flood came through")

    def decapsulated(self, vni):
        tunnels = json.loads(self.npctl_out("-o", "json", "vxlan", "list"))
        return int(next(t for t in tunnels if t["vni"] == vni)["decap_packets"])

    def test_6_listing_shows_counters_and_software_classification(self):
        self.ping_until(self.pod1_ns, L2_HOST, timeout=20)
        out = self.npctl_out("vxlan", "list")
        self.assertIn("42", out)
        self.assertIn("software", out)


if __name__ == "__main__":
    main("--npctl")
