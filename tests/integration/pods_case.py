"""The shared shape of the integration tests: two pod namespaces and a kernel host behind an
af-packet veth, around a daemon that each test class configures in start()."""

import argparse
import hashlib
import os
import subprocess
import sys
import unittest

from topology import Topology, hugepages_free, wait_for


class PodsTestCase(unittest.TestCase):
    args = None  # Set by main().
    SUBNET = "10.77.0"  # Pods are .1 and .2, the host .3.

    @classmethod
    def setUpClass(cls):
        if hugepages_free() < 200:
            raise unittest.SkipTest("needs 200 free 2 MB hugepages (echo 512 > /proc/sys/vm/nr_hugepages)")
        mac_prefix = "02:" + cls.SUBNET.split(".")[1]
        cls.pod1 = (f"{mac_prefix}:00:00:00:01", f"{cls.SUBNET}.1")
        cls.pod2 = (f"{mac_prefix}:00:00:00:02", f"{cls.SUBNET}.2")
        cls.host = f"{cls.SUBNET}.3"
        cls.topo = t = Topology(cls.args.nodeplane, cls.args.shim)
        try:
            cls.pod1_ns = t.add_netns("pod1")
            cls.pod2_ns = t.add_netns("pod2")
            cls.host_ns, uplink = t.add_uplink_host("host1", f"{cls.host}/24")
            cls.start(t, uplink)
        except BaseException:
            t.close()
            raise

    @classmethod
    def start(cls, topo, uplink):
        """Starts the daemon and attaches the pods; `uplink` is the af-packet interface."""
        raise NotImplementedError

    @classmethod
    def tearDownClass(cls):
        cls.topo.close()

    @classmethod
    def attach_pods(cls, gateway=None):
        """Attaches both pods to their vhost-user ports once the daemon has made them; with
        `gateway`, their default route goes through it."""
        t = cls.topo
        for name, ns, (mac, ip) in (("pod1", cls.pod1_ns, cls.pod1), ("pod2", cls.pod2_ns, cls.pod2)):
            cls.wait_daemon_file(t.socket_path(name))
            t.start_pod(name, ns, mac, f"{ip}/24")
            if gateway:
                t.ns_exec(ns, "ip", "route", "add", "default", "via", gateway)

    @classmethod
    def route_host(cls, address, gateway):
        """Moves the host from the pods' subnet to a routed one: `address`/24 on its uplink veth,
        default route via `gateway` (our interface there)."""
        t = cls.topo
        host_if = f"nph{t.tag}1"
        t.ns_exec(cls.host_ns, "ip", "addr", "flush", "dev", host_if)
        t.ns_exec(cls.host_ns, "ip", "addr", "add", f"{address}/24", "dev", host_if)
        t.ns_exec(cls.host_ns, "ip", "route", "add", "default", "via", gateway)

    @classmethod
    def wait_daemon_file(cls, path):
        t = cls.topo
        wait_for(path, lambda: os.path.exists(path) or t.daemon.poll() is not None)
        if t.daemon.poll() is not None:
            raise RuntimeError("nodeplane exited: " + t.read("nodeplane.err"))

    def npctl(self, *args, ok=True):
        """Runs npctl against the class's `api` (the test must pass --npctl); with `ok`, fails
        the test unless it succeeds."""
        r = subprocess.run([self.args.npctl, "--server", self.api, *args], capture_output=True,
                           text=True, timeout=30)
        if ok:
            self.assertEqual(r.returncode, 0, f"npctl {' '.join(args)}: {r.stderr}")
        return r

    def npctl_out(self, *args):
        """npctl's output; the test fails unless it succeeds."""
        return self.npctl(*args).stdout

    def ping(self, ns, ip, count=3):
        r = self.topo.ns_exec(ns, "ping", "-c", str(count), "-i", "0.2", "-W", "2", ip, check=False, timeout=30)
        self.assertEqual(r.returncode, 0, f"ping {ip} from {ns} failed:\n{r.stdout}{r.stderr}\n"
                         + self.topo.read("nodeplane.err"))

    def ping_until(self, ns, ip, timeout=15):
        wait_for(f"ping {ip} from {ns}", lambda: self.topo.ns_exec(
            ns, "ping", "-c", "1", "-W", "1", ip, check=False, timeout=10).returncode == 0,
            timeout=timeout, interval=0.2)

    def transfer(self, src_ns, dst_ns, dst_ip, size=400 * 1024, port=5201):
        """Sends `size` random bytes over TCP from src_ns to dst_ip:port in dst_ns and checks
        they arrive intact."""
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


def main(*extra_args):
    """Runs the tests of the calling module: --nodeplane, --shim and `extra_args` are required."""
    parser = argparse.ArgumentParser()
    for name in ("--nodeplane", "--shim") + extra_args:
        parser.add_argument(name, required=True)
    PodsTestCase.args, rest = parser.parse_known_args()
    unittest.main(module="__main__", argv=[sys.argv[0], "-v"] + rest)
