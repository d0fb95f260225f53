#!/usr/bin/env python3
"""L2 integration: the real daemon bridges two kernel pods attached through vhost-user (pod1
with the daemon as server, pod2 with the daemon as client) and a kernel host on an af-packet
veth, all in one bridge domain. Every pair pings, a TCP transfer arrives intact, pods that
disconnect and reconnect (in both modes) get traffic again, and SIGTERM ends the daemon
cleanly (exit 0, its server sockets removed, stats printed)."""

import argparse
import hashlib
import os
import subprocess
import sys
import unittest

from topology import Topology, hugepages_free, sh, wait_for

ARGS = None

POD1 = ("02:77:00:00:00:01", "10.77.0.1")
POD2 = ("02:77:00:00:00:02", "10.77.0.2")
HOST = "10.77.0.3"


class L2PodsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if hugepages_free() < 200:
            raise unittest.SkipTest("needs 200 free 2 MB hugepages (echo 512 > /proc/sys/vm/nr_hugepages)")
        cls.topo = t = Topology(ARGS.nodeplane, ARGS.shim)
        try:
            cls.pod1_ns = t.add_netns("pod1")
            cls.pod2_ns = t.add_netns("pod2")
            cls.host_ns, uplink = t.add_uplink_host("host1", f"{HOST}/24")
            # pod2 serves its own socket; the daemon connects to it (client: true).
            t.start_pod("pod2", cls.pod2_ns, POD2[0], f"{POD2[1]}/24", server=True)
            t.start_nodeplane(f"""
dpdk:
  lcores: [0, 1]
  workers: [1]
  memory_mb: 256
  file_prefix: np{t.tag}-dp
ports:
  - {{name: pod1, type: vhost-user, socket: {t.socket_path('pod1')}}}
  - {{name: pod2, type: vhost-user, socket: {t.socket_path('pod2')}, client: true}}
  - {{name: uplink, type: af-packet, iface: {uplink}}}
bridge_domains:
  - id: 1
    ports: [pod1, pod2, uplink]
    aging_s: 300
""")
            wait_for("the daemon's vhost-user server socket",
                     lambda: os.path.exists(t.socket_path("pod1")) or t.daemon.poll() is not None)
            if t.daemon.poll() is not None:
                raise RuntimeError("nodeplane exited: " + t.read("nodeplane.err"))
            t.start_pod("pod1", cls.pod1_ns, POD1[0], f"{POD1[1]}/24")
            t.wait_link_up("pod2")
        except BaseException:
            t.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.topo.close()

    def ping(self, ns, ip, count=3):
        r = self.topo.ns_exec(ns, "ping", "-c", str(count), "-i", "0.2", "-W", "2", ip,
                              check=False, timeout=30)
        self.assertEqual(r.returncode, 0, f"ping {ip} from {ns} failed:\n{r.stdout}{r.stderr}\n"
                         + self.topo.read("nodeplane.err"))

    def ping_until(self, ns, ip, timeout=15):
        wait_for(f"ping {ip} from {ns}", lambda: self.topo.ns_exec(
            ns, "ping", "-c", "1", "-W", "1", ip, check=False, timeout=10).returncode == 0,
            timeout=timeout, interval=0.2)

    def transfer(self, src_ns, dst_ns, dst_ip, size=400 * 1024, port=5201):
        data = os.urandom(size)
        src = os.path.join(self.topo.dir, "tx.bin")
        dst = os.path.join(self.topo.dir, "rx.bin")
        with open(src, "wb") as f:
            f.write(data)
        with open(dst, "wb") as out:
            server = subprocess.Popen(["ip", "netns", "exec", dst_ns, "nc", "-l", "-N", str(port)],
                                      stdout=out, stderr=subprocess.DEVNULL)
            try:
                wait_for("the nc listener", lambda: str(port) in self.topo.ns_exec(
                    dst_ns, "ss", "-ltn").stdout)
                with open(src, "rb") as f:
                    subprocess.run(["ip", "netns", "exec", src_ns, "nc", "-N", "-w", "10", dst_ip,
                                    str(port)], stdin=f, check=True, timeout=60)
                server.wait(timeout=30)
            finally:
                if server.poll() is None:
                    server.kill()
                    server.wait()
        with open(dst, "rb") as f:
            received = f.read()
        self.assertEqual(len(received), size)
        self.assertEqual(hashlib.sha256(received).hexdigest(), hashlib.sha256(data).hexdigest())

    def test_1_every_pair_pings(self):
        pods = {self.pod1_ns: POD1[1], self.pod2_ns: POD2[1], self.host_ns: HOST}
        for src in pods:
            for dst_ns, dst_ip in pods.items():
                if src != dst_ns:
                    with self.subTest(src=src, dst=dst_ip):
                        self.ping(src, dst_ip)

    def test_2_tcp_transfer_arrives_intact(self):
        self.transfer(self.pod1_ns, self.host_ns, HOST)
        self.transfer(self.pod2_ns, self.pod1_ns, POD1[1])

    def test_3_server_mode_pod_reconnects_and_traffic_resumes(self):
        t = self.topo
        t.stop_pod("pod1")
        wait_for("pod1 link down", lambda: "port pod1 link down" in t.read("nodeplane.err"))
        r = t.ns_exec(self.pod2_ns, "ping", "-c", "1", "-W", "1", POD1[1], check=False)
        self.assertNotEqual(r.returncode, 0, "pod1 is disconnected")
        t.start_pod("pod1", self.pod1_ns, POD1[0], f"{POD1[1]}/24")
        self.ping_until(self.pod1_ns, POD2[1])
        self.ping(self.pod2_ns, POD1[1])
        self.ping(self.host_ns, POD1[1])
        self.transfer(self.host_ns, self.pod1_ns, POD1[1])

    def test_4_client_mode_port_reconnects_to_a_restarted_pod(self):
        t = self.topo
        t.stop_pod("pod2")
        wait_for("pod2 link down", lambda: "port pod2 link down" in t.read("nodeplane.err"))
        t.start_pod("pod2", self.pod2_ns, POD2[0], f"{POD2[1]}/24", server=True)
        t.wait_link_up("pod2", seen_before=1)
        self.ping_until(self.pod2_ns, POD1[1])
        self.ping(self.host_ns, POD2[1])
        self.transfer(self.pod1_ns, self.pod2_ns, POD2[1])

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
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodeplane", required=True)
    parser.add_argument("--shim", required=True)
    ARGS, rest = parser.parse_known_args()
    sys.path.insert(0, os.path.dirname(__file__))
    unittest.main(argv=[sys.argv[0], "-v"] + rest)
