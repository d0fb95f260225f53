"""Test hosts for integration tests: network namespaces, veth uplinks, kernel pods on
vhost-user (through np-pod-shim), and the nodeplane daemon. Everything a Topology creates
it removes on close(), whatever happened in between; every wait is bounded."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def sh(*args, timeout=30, check=True, capture=True):
    return subprocess.run(args, check=check, timeout=timeout, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.PIPE if capture else None)


def wait_for(what, predicate, timeout=15.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def free_tcp_port():
    """A loopback TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hugepages_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return 0


class Topology:
    def __init__(self, nodeplane, shim):
        self.nodeplane_bin = nodeplane
        self.shim_bin = shim
        self.tag = f"{os.getpid() % 100000}"
        self.dir = tempfile.mkdtemp(prefix="np-it-")
        self.netns = []
        self.links = []
        self.procs = {}
        self.prefixes = []
        self.daemon = None
        self.daemon_out = os.path.join(self.dir, "nodeplane.out")
        self.daemon_err = os.path.join(self.dir, "nodeplane.err")
        self.api = f"unix://{self.dir}/api.sock"  # The daemon's API unless a test says otherwise.

    # --- hosts -----------------------------------------------------------------------------
    def add_netns(self, name):
        ns = f"np{self.tag}-{name}"
        sh("ip", "netns", "add", ns)
        self.netns.append(ns)
        self.ns_exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        self.ns_exec(ns, "ip", "link", "set", "lo", "up")
        return ns

    def ns_exec(self, ns, *args, timeout=30, check=True):
        return sh("ip", "netns", "exec", ns, *args, timeout=timeout, check=check)

    def add_uplink_host(self, name, ip_cidr):
        """A kernel host in its own netns behind a veth; returns (netns, dataplane-side iface)."""
        ns = self.add_netns(name)
        dp_if, host_if = f"npd{self.tag}{name[-1]}", f"nph{self.tag}{name[-1]}"
        sh("ip", "link", "add", dp_if, "type", "veth", "peer", "name", host_if)
        self.links.append(dp_if)
        sh("ip", "link", "set", host_if, "netns", ns)
        sh("sysctl", "-qw", f"net.ipv6.conf.{dp_if}.disable_ipv6=1")
        sh("ip", "link", "set", dp_if, "up")
        # A packet socket gets the kernel's GSO super-frames and partial checksums as they
        # are, so the host sends finished frames (README: af-packet ports).
        self.ns_exec(ns, "ethtool", "-K", host_if, "tx", "off", "tso", "off", "gso", "off")
        self.ns_exec(ns, "ip", "link", "set", host_if, "up")
        self.ns_exec(ns, "ip", "addr", "add", ip_cidr, "dev", host_if)
        return ns, dp_if

    def socket_path(self, name):
        return os.path.join(self.dir, f"{name}.sock")

    def start_pod(self, name, ns, mac, ip_cidr, server=False, socket=None, port=None):
        """Attaches netns `ns` to the vhost-user socket of port `name` as a kernel pod. With
        `server`, the pod owns the socket and the daemon's port is in client mode. `socket`
        and `port` default to socket_path(name) and `name` (a CNI-made port has its own)."""
        socket = socket or self.socket_path(name)
        port = port or name
        prefix = f"np{self.tag}-{name}"
        self.prefixes.append(prefix)
        link_ups = self.read("nodeplane.err").count(f"port {port} link up")
        log_name = f"{name}.shim.log"
        log_start = len(self.read(log_name))
        if server and os.path.exists(socket):
            os.unlink(socket)  # Left by the pod's previous shim.
        with open(os.path.join(self.dir, f"{name}.shim.log"), "a") as log:
            self.procs[name] = subprocess.Popen(
                ["ip", "netns", "exec", ns, self.shim_bin, "--socket", socket,
                 "--iface", "eth0", "--file-prefix", prefix] + (["--server"] if server else []),
                stdout=log, stderr=log)
        # net_tap gives eth0 a random MAC when it creates it; set ours only after that: once the
        # shim is ready, or for a server-mode shim (ready only once the daemon connects), once
        # virtio_user, created after net_tap, has its socket listening.
        ready = (lambda: os.path.exists(socket)) if server else (
            lambda: "ready" in self.read(log_name)[log_start:])
        wait_for(f"pod shim {name}", lambda: ready() or self.procs[name].poll() is not None)
        if self.procs[name].poll() is not None:
            raise RuntimeError(f"pod shim {name} exited: {self.read(log_name)}")
        self.ns_exec(ns, "ip", "link", "set", "eth0", "address", mac)
        self.ns_exec(ns, "ip", "addr", "replace", ip_cidr, "dev", "eth0")
        self.ns_exec(ns, "ip", "link", "set", "eth0", "up")
        if self.daemon is not None:
            self.wait_link_up(port, link_ups)

    def wait_link_up(self, name, seen_before=0):
        """Waits until the daemon has reported `name`'s link up more than `seen_before` times."""
        wait_for(f"nodeplane to see {name}'s link up",
                 lambda: self.read("nodeplane.err").count(f"port {name} link up") > seen_before)

    def stop_pod(self, name):
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)

    # --- the daemon ------------------------------------------------------------------------
    def daemon_preamble(self, api=None, metrics=None):
        """The start of a daemon config: one worker on lcore 1, this topology's file prefix,
        the API and metrics listeners, the state directory."""
        api = api or self.api
        metrics = metrics or f"127.0.0.1:{free_tcp_port()}"
        return f"""dpdk:
  lcores: [0, 1]
  workers: [1]
  memory_mb: 256
  file_prefix: np{self.tag}-dp
api: {{listen: "{api}"}}
metrics: {{listen: "{metrics}"}}
state_dir: {self.dir}/state
"""

    def start_nodeplane(self, config_text, stats_interval_s=0):
        path = os.path.join(self.dir, "nodeplane.yaml")
        with open(path, "w") as f:
            f.write(config_text)
        self.prefixes.append(f"np{self.tag}-dp")
        with open(self.daemon_out, "w") as out, open(self.daemon_err, "w") as err:
            self.daemon = subprocess.Popen(
                [self.nodeplane_bin, "--config", path, "--stats-interval", str(stats_interval_s)],
                stdout=out, stderr=err)
        return path

    def stop_nodeplane(self):
        """SIGTERM; returns (exit status, stdout)."""
        self.daemon.send_signal(signal.SIGTERM)
        status = self.daemon.wait(timeout=30)
        self.daemon = None
        return status, self.read("nodeplane.out")

    def read(self, name):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()
        except OSError:
            return ""

    # --- clean-up --------------------------------------------------------------------------
    def close(self):
        for proc in list(self.procs.values()) + ([self.daemon] if self.daemon else []):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        for link in self.links:
            sh("ip", "link", "del", link, check=False)
        for ns in self.netns:
            sh("ip", "netns", "del", ns, check=False)
        for prefix in self.prefixes:
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
            for f in os.listdir("/dev/hugepages") if os.path.isdir("/dev/hugepages") else []:
                if f.startswith(prefix):
                    os.unlink(os.path.join("/dev/hugepages", f))
        shutil.rmtree(self.dir, ignore_errors=True)
