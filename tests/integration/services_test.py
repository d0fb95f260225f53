#!/usr/bin/env python3
"""Services integration: the real daemon load-balances VIP 10.96.0.10:80 over two kernel
pods (10.66.0.2, 10.66.0.3 behind gateway 10.66.0.1) running real HTTP servers, reached by
curl from a kernel host on a routed af-packet uplink (10.67.0.2). New connections spread
over both backends; a keep-alive connection stays on its backend, and survives the other
backend's removal over npctl; client-IP affinity holds; the node port works from the host;
a pod reaches its own service (hairpin, SNAT to the gateway); a UDP service answers; a
service without backends refuses with a RST; npctl lists services and connections."""

import contextlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pods_case import PodsTestCase, main  # noqa: E402
from topology import wait_for  # noqa: E402

GATEWAY = "10.66.0.1"
UPLINK, HOST = "10.67.0.1", "10.67.0.2"
VIP = "10.96.0.10"

# An HTTP/1.1 server answering every GET with its name (keep-alive by default).
HTTP_SERVER = """
import http.server, sys
name = sys.argv[1].encode()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(name)))
        self.end_headers()
        self.wfile.write(name)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
"""

# A UDP server answering every datagram with its name.
UDP_SERVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
while True:
    _, peer = s.recvfrom(2048)
    s.sendto(sys.argv[1].encode(), peer)
"""

# One keep-alive connection: a GET, then (once the file argv[2] exists) five more; prints
# the backend of each.
KEEP_ALIVE = """
import http.client, os, sys, time
c = http.client.HTTPConnection(sys.argv[1], 80, timeout=10)
def get():
    c.request("GET", "/")
    return c.getresponse().read().decode()
print(get(), flush=True)
deadline = time.monotonic() + 20
while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:
    time.sleep(0.05)
print(" ".join(get() for _ in range(5)), flush=True)
"""

# SYNs to VIP:80 from `count` source ports through a raw socket (the kernel adds the IP
# header); nobody here holds those connections, so the table keeps them until they expire.
SYN_FLOOD = """
import random, socket, struct, sys
src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
def checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xffff)
    return ~(total + (total >> 16)) & 0xffff
for port in range(1024, 1024 + count):
    header = struct.pack("!HHIIBBHHH", port, 80, random.getrandbits(32), 0, 5 << 4, 0x02,
                         65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 20)
    header = header[:16] + struct.pack("!H", checksum(pseudo + header)) + header[18:]
    s.sendto(header, (dst, 0))
"""

UDP_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for _ in range(5):
    s.sendto(b"ping", (sys.argv[1], 53))
    try:
        data, peer = s.recvfrom(2048)
        print(data.decode(), peer[0], peer[1])
        break
    except socket.timeout:
        pass
"""


class ServicesTest(PodsTestCase):
    SUBNET = "10.66.0"

    @classmethod
    def start(cls, t, uplink):
        cls.pod1 = (cls.pod1[0], f"{cls.SUBNET}.2")
        cls.pod2 = (cls.pod2[0], f"{cls.SUBNET}.3")
        cls.route_host(HOST, UPLINK)
        cls.api = t.api
        t.start_nodeplane(f"""
{t.daemon_preamble()}ports:
  - {{name: pod1, type: vhost-user, socket: {t.socket_path('pod1')}}}
  - {{name: pod2, type: vhost-user, socket: {t.socket_path('pod2')}}}
  - {{name: up, type: af-packet, iface: {uplink}}}
bridge_domains:
  - {{id: 1, ports: [pod1, pod2]}}
interfaces:
  - {{name: pods-gw, bridge_domain: 1, ip: {GATEWAY}/24}}
  - {{name: wan, port: up, ip: {UPLINK}/24}}
conntrack:
  max_flows: 16384
services:
  - name: web
    vip: {VIP}
    port: 80
    node_port: 30080
    backends: [{{ip: {cls.pod1[1]}, port: 8080}}, {{ip: {cls.pod2[1]}, port: 8080}}]
  - name: dns
    vip: {VIP}
    port: 53
    protocol: udp
    backends: [{{ip: {cls.pod2[1]}, port: 5353}}]
""")
        cls.attach_pods(GATEWAY)
        cls.servers = [subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", HTTP_SERVER,
                                         name])
                       for name, ns in (("pod1", cls.pod1_ns), ("pod2", cls.pod2_ns))]
        cls.servers.append(subprocess.Popen(
            ["ip", "netns", "exec", cls.pod2_ns, "python3", "-c", UDP_SERVER, "pod2-udp"]))
        for ns in (cls.pod1_ns, cls.pod2_ns):
            wait_for("the HTTP servers", lambda ns=ns: ":8080" in t.ns_exec(ns, "ss", "-ltn").stdout)

    @classmethod
    def tearDownClass(cls):
        for p in getattr(cls, "servers", []):
            p.kill()
            p.wait()
        super().tearDownClass()

    def curl(self, ns, url, ok=True):
        r = self.topo.ns_exec(ns, "curl", "-s", "-S", "--max-time", "5", url, check=False,
                              timeout=15)
        if ok:
            self.assertEqual(r.returncode, 0, f"curl {url}: {r.stderr}")
        return r

    def set_web(self, *backends, extra=()):
        args = ["service", "add", "web", "--vip", VIP, "--port", "80", "--protocol", "tcp",
                "--node-port", "30080", *extra]
        for b in backends:
            args += ["--backend", f"{b}:8080"]
        self.npctl(*args)

    def setUp(self):
        self.set_web(self.pod1[1], self.pod2[1])
        self.ping_until(self.host_ns, self.pod1[1])

    def test_1_new_connections_spread_over_all_backends(self):
        seen = [self.curl(self.host_ns, f"http://{VIP}/").stdout for _ in range(30)]
        self.assertEqual(set(seen), {"pod1", "pod2"}, seen)

    @contextlib.contextmanager
    def keep_alive(self):
        """A keep-alive connection from the host to the VIP after its first request: yields
        (its backend, a function that makes five more requests and returns their backends)."""
        flag = os.path.join(self.topo.dir, "keepalive.go")
        if os.path.exists(flag):
            os.unlink(flag)
        client = subprocess.Popen(["ip", "netns", "exec", self.host_ns, "python3", "-c",
                                   KEEP_ALIVE, VIP, flag], stdout=subprocess.PIPE, text=True)

        def more():
            open(flag, "w").close()
            return client.stdout.readline().split()
        try:
            first = client.stdout.readline().strip()
            self.assertIn(first, ("pod1", "pod2"))
            yield first, more
        finally:
            client.kill()
            client.wait()
            client.stdout.close()

    def test_2_keep_alive_stays_on_its_backend_and_survives_removing_the_other(self):
        with self.keep_alive() as (first, more):
            other = self.pod2[1] if first == "pod1" else self.pod1[1]
            mine = self.pod1[1] if first == "pod1" else self.pod2[1]
            self.set_web(mine)  # The other backend leaves.
            self.assertNotIn(f"{other}:8080", self.npctl_out("service", "list"))
            self.assertEqual(more(), [first] * 5, "the connection stayed on its backend")

    def test_3_client_ip_affinity_holds(self):
        self.set_web(self.pod1[1], self.pod2[1], extra=("--affinity", "client_ip"))
        seen = {self.curl(self.host_ns, f"http://{VIP}/").stdout for _ in range(15)}
        self.assertEqual(len(seen), 1, seen)

    def test_4_node_port_from_a_host_on_the_uplink(self):
        seen = {self.curl(self.host_ns, f"http://{UPLINK}:30080/").stdout for _ in range(10)}
        self.assertTrue(seen <= {"pod1", "pod2"} and seen, seen)

    def test_5_hairpin_a_pod_reaches_its_own_service(self):
        self.set_web(self.pod1[1])
        self.assertEqual(self.curl(self.pod1_ns, f"http://{VIP}/").stdout, "pod1")
        # The other pod of the subnet too (SNAT: the backend answers through us).
        self.assertEqual(self.curl(self.pod2_ns, f"http://{VIP}/").stdout, "pod1")

    def test_6_udp_service_answers_from_the_vip(self):
        r = self.topo.ns_exec(self.host_ns, "python3", "-c", UDP_CLIENT, VIP, timeout=20)
        self.assertEqual(r.stdout.split(), ["pod2-udp", VIP, "53"], r.stdout)

    def test_7_service_without_backends_refuses_with_a_reset(self):
        self.npctl("service", "add", "empty", "--vip", "10.96.0.20", "--port", "80",
                   "--protocol", "tcp")
        r = self.curl(self.host_ns, "http://10.96.0.20/", ok=False)
        self.assertEqual(r.returncode, 7, r.stderr)  # curl: failed to connect (refused).
        self.npctl("service", "del", "empty")

    def test_8_listings_show_services_and_connections(self):
        self.curl(self.host_ns, f"http://{VIP}/")
        services = json.loads(self.npctl_out("-o", "json", "service", "list"))
        self.assertIn("web", json.dumps(services))
        conns = json.loads(self.npctl_out("-o", "json", "conntrack", "list", "--service", "web"))
        self.assertTrue(conns, conns)
        self.assertIn(HOST, json.dumps(conns))

    def test_9_a_syn_flood_fills_the_table_and_established_connections_go_on(self):
        with self.keep_alive() as (first, more):
            # Twice the table (max_flows 16384) in new connections.
            self.topo.ns_exec(self.host_ns, "python3", "-c", SYN_FLOOD, HOST, VIP, "32768",
                              timeout=120)
            stats = self.npctl_out("stats")
            full = re.search(r"table_full=(\d+)", stats)
            self.assertTrue(full and int(full.group(1)) > 0, stats)
            self.assertEqual(more(), [first] * 5, "the established connection went on")

if __name__ == "__main__":
    main("--npctl")
