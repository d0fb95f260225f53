#!/usr/bin/env python3
"""L2 integration: the real daemon bridges two kernel pods attached through vhost-user (pod1
with the daemon as server, pod2 with the daemon as client) and a kernel host on an af-packet
veth, all in one bridge domain. Every pair pings, a TCP transfer arrives intact, pods that
disconnect and reconnect (in both modes) get traffic again, and SIGTERM ends the daemon
cleanly (exit 0, its server sockets removed, stats printed)."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pods_case import PodsTestCase, main  # noqa: E402
from topology import wait_for  # noqa: E402


class L2PodsTest(PodsTestCase):
    @classmethod
    def start(cls, t, uplink):
        # pod2 serves its own socket; the daemon connects to it (client: true).
        t.start_pod("pod2", cls.pod2_ns, cls.pod2[0], f"{cls.pod2[1]}/24", server=True)
        t.start_nodeplane(f"""
{t.daemon_preamble()}ports:
  - {{name: pod1, type: vhost-user, socket: {t.socket_path('pod1')}}}
  - {{name: pod2, type: vhost-user, socket: {t.socket_path('pod2')}, client: true}}
  - {{name: uplink, type: af-packet, iface: {uplink}}}
bridge_domains:
  - id: 1
    ports: [pod1, pod2, uplink]
    aging_s: 300
""")
        cls.wait_daemon_file(t.socket_path("pod1"))
        t.start_pod("pod1", cls.pod1_ns, cls.pod1[0], f"{cls.pod1[1]}/24")
        t.wait_link_up("pod2")

    def test_1_every_pair_pings(self):
        pods = {self.pod1_ns: self.pod1[1], self.pod2_ns: self.pod2[1], self.host_ns: self.host}
        for src in pods:
            for dst_ns, dst_ip in pods.items():
                if src != dst_ns:
                    with self.subTest(src=src, dst=dst_ip):
                        self.ping(src, dst_ip)

    def test_2_tcp_transfer_arrives_intact(self):
        self.transfer(self.pod1_ns, self.host_ns, self.host)
        self.transfer(self.pod2_ns, self.pod1_ns, self.pod1[1])

    def test_3_server_mode_pod_reconnects_and_traffic_resumes(self):
        t = self.topo
        t.stop_pod("pod1")
        wait_for("pod1 link down", lambda: "port pod1 link down" in t.read("nodeplane.err"))
        r = t.ns_exec(self.pod2_ns, "ping", "-c", "1", "-W", "1", self.pod1[1], check=False)
        self.assertNotEqual(r.returncode, 0, "pod1 is disconnected")
        t.start_pod("pod1", self.pod1_ns, self.pod1[0], f"{self.pod1[1]}/24")
        self.ping_until(self.pod1_ns, self.pod2[1])
        self.ping(self.pod2_ns, self.pod1[1])
        self.ping(self.host_ns, self.pod1[1])
        self.transfer(self.host_ns, self.pod1_ns, self.pod1[1])

    def test_4_client_mode_port_reconnects_to_a_restarted_pod(self):
        t = self.topo
        t.stop_pod("pod2")
        wait_for("pod2 link down", lambda: "port pod2 link down" in t.read("nodeplane.err"))
        t.start_pod("pod2", self.pod2_ns, self.pod2[0], f"{self.pod2[1]}/24", server=True)
        t.wait_link_up("pod2", seen_before=1)
        self.ping_until(self.pod2_ns, self.pod1[1])
        self.ping(self.host_ns, self.pod2[1])
        self.transfer(self.pod1_ns, self.pod2_ns, self.pod2[1])

    def test_9_sigterm_exits_cleanly(self):
        t = self.topo
        for name in ("pod1", "pod2"):
            t.stop_pod(name)
        status, out = t.stop_nodeplane()
        self.assertEqual(status, 0, t.read("nodeplane.err"))
        self.assertFalse(os.path.exists(t.socket_path("pod1")), "the server socket is left behind")
        lines = {line.split()[1]: line for line in out.splitlines() if line.startswith("port ")}
        self.assertEqual(set(lines), {"pod1", "pod2", "uplink"}, out)
        for name, line in lines.items():
            fields = dict(f.split("=") for f in line.split()[2:])
            self.assertGreater(int(fields["rx_pkts"]), 0, line)
            self.assertGreater(int(fields["tx_pkts"]), 0, line)
        self.assertRegex(out, r"bd 1 macs=[3-9]")


if __name__ == "__main__":
    main()
