#!/usr/bin/env python3
"""L3 integration: the real daemon routes between two kernel pods behind the gateway
interface of a bridge domain (10.88.0.1/24, vhost-user) and kernel hosts on two routed
af-packet uplinks in other subnets (10.89.0.1/24 and 10.91.0.1/24). Both directions ping
and move TCP data intact; `ping -t 1` gets time exceeded from the gateway; an unrouted
destination gets net unreachable; traceroute shows our hop; an ECMP route over both
uplinks spreads flows and keeps each on one path; routes change under traffic without
loss; ARP resolves the hosts (neighbor list)."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from pods_case import PodsTestCase, main  # noqa: E402
from topology import wait_for  # noqa: E402

GATEWAY = "10.88.0.1"
UPLINK1, HOST1 = "10.89.0.1", "10.89.0.2"
UPLINK2, HOST2 = "10.91.0.1", "10.91.0.2"
ANYCAST = "10.90.0.1"  # On both hosts' loopback: reached through the ECMP route.
UNROUTED = "10.99.99.1"

# Records the source port of every UDP datagram to ANYCAST:9999, one per line.
UDP_SINK = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("{ip}", 9999))
with open(sys.argv[1], "a", buffering=1) as out:
    while True:
        _, (_, port) = s.recvfrom(2048)
        out.write(f"{{port}}\\n")
"""

# Sends `flows` UDP flows (distinct source ports), `rounds` datagrams each.
UDP_FLOWS = """
import socket, sys, time
flows, rounds = int(sys.argv[1]), int(sys.argv[2])
socks = []
for _ in range(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    socks.append(s)
for _ in range(rounds):
    for s in socks:
        s.sendto(b"x" * 32, ("{ip}", 9999))
        time.sleep(0.001)
print(" ".join(str(s.getsockname()[1]) for s in socks))
"""


class L3RoutingTest(PodsTestCase):
    SUBNET = "10.88.0"  # Pods .2 and .3 (the gateway is .1).

    @classmethod
    def start(cls, t, uplink1):
        cls.pod1 = (cls.pod1[0], f"{cls.SUBNET}.2")
        cls.pod2 = (cls.pod2[0], f"{cls.SUBNET}.3")
        cls.route_host(HOST1, UPLINK1)
        cls.host2_ns, uplink2 = t.add_uplink_host("host2", f"{HOST2}/24")
        t.ns_exec(cls.host2_ns, "ip", "route", "add", "default", "via", UPLINK2)
        for ns in (cls.host_ns, cls.host2_ns):
            t.ns_exec(ns, "ip", "addr", "add", f"{ANYCAST}/32", "dev", "lo")
        cls.api = t.api
        t.start_nodeplane(f"""
{t.daemon_preamble()}ports:
  - {{name: pod1, type: vhost-user, socket: {t.socket_path('pod1')}}}
  - {{name: pod2, type: vhost-user, socket: {t.socket_path('pod2')}}}
  - {{name: up1, type: af-packet, iface: {uplink1}}}
  - {{name: up2, type: af-packet, iface: {uplink2}}}
bridge_domains:
  - {{id: 1, ports: [pod1, pod2]}}
interfaces:
  - {{name: pods-gw, bridge_domain: 1, ip: {GATEWAY}/24}}
  - {{name: wan1, port: up1, ip: {UPLINK1}/24}}
  - {{name: wan2, port: up2, ip: {UPLINK2}/24}}
routes:
  - {{prefix: 10.90.0.0/24, via: [{HOST1}, {HOST2}]}}
""")
        cls.attach_pods(GATEWAY)

    def test_1_pods_and_hosts_ping_both_ways_through_the_router(self):
        self.ping_until(self.pod1_ns, HOST1)
        for ns, ip in ((self.pod1_ns, HOST1), (self.pod2_ns, HOST2), (self.host_ns, self.pod1[1]),
                       (self.host2_ns, self.pod2[1]), (self.pod1_ns, self.pod2[1])):
            with self.subTest(ns=ns, dst=ip):
                self.ping(ns, ip)
        # Our own addresses answer, whichever interface the request arrives on.
        for ns, ip in ((self.pod1_ns, GATEWAY), (self.pod1_ns, UPLINK1), (self.host_ns, UPLINK1),
                       (self.host_ns, GATEWAY)):
            with self.subTest(ns=ns, ours=ip):
                self.ping(ns, ip)

    def test_2_tcp_transfer_arrives_intact_both_ways(self):
        self.ping_until(self.pod1_ns, HOST1)
        self.transfer(self.pod1_ns, self.host_ns, HOST1)
        self.transfer(self.host2_ns, self.pod2_ns, self.pod2[1], port=5202)

    def test_3_ttl_1_gets_time_exceeded_from_the_gateway(self):
        self.ping_until(self.pod1_ns, HOST1)
        r = self.topo.ns_exec(self.pod1_ns, "ping", "-c", "1", "-t", "1", "-W", "2", HOST1,
                              check=False)
        self.assertIn(f"From {GATEWAY}", r.stdout)
        self.assertIn("Time to live exceeded", r.stdout)

    def test_4_unrouted_destination_gets_net_unreachable(self):
        r = self.topo.ns_exec(self.pod1_ns, "ping", "-c", "1", "-W", "2", UNROUTED, check=False)
        self.assertIn(f"From {GATEWAY}", r.stdout)
        self.assertIn("Destination Net Unreachable", r.stdout)

    def test_5_traceroute_shows_our_hop(self):
        self.ping_until(self.pod1_ns, HOST1)
        r = self.topo.ns_exec(self.pod1_ns, "traceroute", "-n", "-q", "1", "-w", "2", "-m", "4",
                              HOST1, timeout=60)
        hops = [line.split()[1] for line in r.stdout.splitlines()[1:]]
        self.assertEqual(hops[:2], [GATEWAY, HOST1], r.stdout)

    def test_6_ecmp_spreads_flows_and_keeps_each_on_one_path(self):
        self.ping_until(self.pod1_ns, HOST1)
        self.ping_until(self.pod1_ns, HOST2)
        sinks = []
        for ns in (self.host_ns, self.host2_ns):
            path = os.path.join(self.topo.dir, f"{ns}.ports")
            open(path, "w").close()
            sinks.append((path, subprocess.Popen(
                ["ip", "netns", "exec", ns, "python3", "-c", UDP_SINK.format(ip=ANYCAST), path])))
        try:
            wait_for("the UDP sinks", lambda: all(":9999" in self.topo.ns_exec(
                ns, "ss", "-lun").stdout for ns in (self.host_ns, self.host2_ns)))
            flows, rounds = 200, 3
            sent = self.topo.ns_exec(self.pod1_ns, "python3", "-c", UDP_FLOWS.format(ip=ANYCAST),
                                     str(flows), str(rounds), timeout=60).stdout.split()

            def received():
                out = []
                for path, _ in sinks:
                    with open(path) as f:
                        out.append([line.strip() for line in f if line.strip()])
                return out
            wait_for("every datagram", lambda: sum(map(len, received())) >= flows * rounds)
        finally:
            for _, proc in sinks:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
        at1, at2 = (set(ports) for ports in received())
        self.assertEqual(at1 | at2, set(sent))
        self.assertFalse(at1 & at2, "a flow took both paths")
        self.assertGreater(len(at1), flows * 3 // 10, f"{len(at1)} of {flows} flows on host1")
        self.assertGreater(len(at2), flows * 3 // 10, f"{len(at2)} of {flows} flows on host2")

    def test_7_routes_change_under_traffic_without_loss(self):
        self.ping_until(self.pod1_ns, HOST1)
        pinger = subprocess.Popen(["ip", "netns", "exec", self.pod1_ns, "ping", "-c", "150", "-i",
                                   "0.02", "-W", "2", HOST1], stdout=subprocess.PIPE, text=True)
        for i in range(20):
            self.npctl_out("route", "add", f"172.20.{i}.0/24", "via", HOST1)
            self.npctl_out("route", "add", "10.90.0.0/24", "via", HOST1 if i % 2 else HOST2)
        for i in range(20):
            self.npctl_out("route", "del", f"172.20.{i}.0/24")
        self.npctl_out("route", "add", "10.90.0.0/24", "via", HOST1, "via", HOST2)
        out, _ = pinger.communicate(timeout=60)
        self.assertIn(" 0% packet loss", out, out)

    def test_8_listings_show_interfaces_routes_and_resolved_neighbors(self):
        self.ping_until(self.pod1_ns, HOST1)
        interfaces = json.loads(self.npctl_out("-o", "json", "interface", "list"))
        self.assertEqual(sorted(i["name"] for i in interfaces), ["pods-gw", "wan1", "wan2"])
        routes = json.loads(self.npctl_out("-o", "json", "route", "list"))
        self.assertIn("10.90.0.0/24", [r["prefix"] for r in routes])
        neighbors = json.loads(self.npctl_out("-o", "json", "neighbor", "list"))
        by_ip = {n["ip"]: n for n in neighbors}
        self.assertIn(HOST1, by_ip)
        self.assertEqual(by_ip[HOST1]["interface"], "wan1")
        self.assertEqual(by_ip[HOST1]["state"], "reachable")
        self.assertIn(self.pod1[1], by_ip)
        stats = self.npctl_out("stats")
        self.assertIn("neighbors=", stats)


if __name__ == "__main__":
    main("--npctl")
