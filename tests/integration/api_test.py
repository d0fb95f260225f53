#!/usr/bin/env python3
"""Control plane integration: the running daemon driven through npctl (gRPC). Ports, bridge
domain members and static MACs are added and removed while a pod keeps pinging without loss;
bad requests fail with messages naming the field and change nothing; `-o json` parses; the
API socket is mode 0600; /metrics passes promtool; DPDK's telemetry socket serves
nodeplane's counters; dpdk-dumpcap captures a live port; and a restart restores everything
programmed over the API, so a pod on a client-mode port talks again with no API call."""

import concurrent.futures
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from pods_case import PodsTestCase, main  # noqa: E402
from topology import free_tcp_port  # noqa: E402


class ApiTest(PodsTestCase):
    SUBNET = "10.78.0"

    @classmethod
    def start(cls, t, uplink):
        cls.api = t.api
        cls.metrics = f"127.0.0.1:{free_tcp_port()}"
        # pod2 is a server-mode pod: its port is added over the API, in client mode.
        t.start_pod("pod2", cls.pod2_ns, cls.pod2[0], f"{cls.pod2[1]}/24", server=True)
        cls.config = t.start_nodeplane(f"""
{t.daemon_preamble(metrics=cls.metrics)}ports:
  - {{name: pod1, type: vhost-user, socket: {t.socket_path('pod1')}}}
  - {{name: uplink, type: af-packet, iface: {uplink}}}
bridge_domains:
  - {{id: 1, ports: [pod1, uplink]}}
""")
        cls.wait_daemon_file(f"{t.dir}/api.sock")
        t.start_pod("pod1", cls.pod1_ns, cls.pod1[0], f"{cls.pod1[1]}/24")

    def ports(self):
        return {p["port"]["name"]: p for p in json.loads(self.npctl("-o", "json", "port", "list").stdout)}

    def test_1_socket_is_private_and_lists_parse(self):
        mode = stat.S_IMODE(os.stat(f"{self.topo.dir}/api.sock").st_mode)
        self.assertEqual(mode, 0o600)
        ports = self.ports()
        self.assertEqual(set(ports), {"pod1", "uplink"})
        self.assertTrue(ports["pod1"]["link_up"])
        self.assertEqual(ports["pod1"]["bridge_domain"], 1)
        self.assertIn("NAME", self.npctl("port", "list").stdout)

    def test_2_changes_under_traffic_lose_nothing(self):
        t = self.topo
        pinger = subprocess.Popen(["ip", "netns", "exec", self.pod1_ns, "ping", "-q", "-i", "0.02", "-c", "300",
                                   "-W", "1", self.host], stdout=subprocess.PIPE, text=True)
        try:
            link_ups = t.read("nodeplane.err").count("port pod2 link up")
            self.npctl("port", "add", "pod2", "--type", "vhost-user", "--socket", t.socket_path("pod2"), "--client")
            t.wait_link_up("pod2", link_ups)
            self.npctl("bd", "add", "1", "--port", "pod1", "--port", "uplink", "--port", "pod2")
            self.ping(self.pod2_ns, self.pod1[1])
            self.npctl("port", "add", "spare", "--type", "ring")
            self.npctl("bd", "add", "2", "--port", "spare")
            self.npctl("mac", "add", "02:78:00:00:00:99", "--bd", "1", "--port", "uplink")
            macs = json.loads(self.npctl("-o", "json", "mac", "list", "--bd", "1").stdout)
            self.assertIn(("02:78:00:00:00:99", "uplink", True),
                          {(m["mac"], m["port"], m["static"]) for m in macs})
            self.assertIn(self.pod1[0], {m["mac"] for m in macs}, "learned MACs are listed")
            self.npctl("mac", "del", "02:78:00:00:00:99", "--bd", "1")
            self.npctl("bd", "del", "2")
            self.npctl("port", "del", "spare")
            self.assertEqual(json.loads(self.npctl("-o", "json", "port", "del", "spare").stdout), {"deleted": False})
        finally:
            out, _ = pinger.communicate(timeout=60)
        self.assertIn("300 packets transmitted, 300 received", out)
        self.assertEqual(set(self.ports()), {"pod1", "uplink", "pod2"})

    def services(self):
        return {s["name"]: s for s in json.loads(self.npctl("-o", "json", "service", "list").stdout)}

    def test_2b_services_over_the_api(self):
        pod1, pod2 = self.pod1[1], self.pod2[1]
        self.npctl("service", "add", "web", "--vip", "10.96.0.1", "--port", "80", "--protocol", "tcp",
                   "--backend", f"{pod1}:8080", "--backend", f"{pod2}:8080:3", "--node-port", "30080",
                   "--affinity", "client_ip", "--affinity-timeout", "600")
        self.npctl("service", "add", "dns", "--vip", "10.96.0.1", "--port", "53", "--protocol", "udp")
        web = self.services()["web"]
        self.assertEqual((web["vip"], web["port"], web["protocol"], web["node_port"], web["affinity"],
                          web["affinity_timeout_s"]),
                         ("10.96.0.1", 80, "PROTOCOL_TCP", 30080, "AFFINITY_CLIENT_IP", 600))
        self.assertEqual([(b["ip"], b["port"], b["weight"]) for b in web["backends"]],
                         [(pod1, 8080, 1), (pod2, 8080, 3)])
        self.assertEqual(self.services()["dns"]["backends"], [])
        table = self.npctl("service", "list").stdout
        self.assertIn("10.96.0.1:80/tcp", table)
        self.assertIn(f"{pod2}:8080*3", table)
        # Add of an existing name replaces it; delete is idempotent.
        self.npctl("service", "add", "dns", "--vip", "10.96.0.1", "--port", "53", "--protocol", "udp",
                   "--backend", f"{pod1}:53")
        self.assertEqual([b["ip"] for b in self.services()["dns"]["backends"]], [pod1])
        self.assertEqual(json.loads(self.npctl("-o", "json", "service", "del", "dns").stdout), {"deleted": True})
        self.assertEqual(json.loads(self.npctl("-o", "json", "service", "del", "dns").stdout), {"deleted": False})
        self.assertEqual(set(self.services()), {"web"})
        self.assertIsInstance(json.loads(self.npctl("-o", "json", "conntrack", "list", "--service", "web").stdout),
                              list)
        self.assertIn("CLIENT", self.npctl("conntrack", "list", "--limit", "10").stdout)
        stats = json.loads(self.npctl("-o", "json", "stats").stdout)
        self.assertEqual(stats["services"]["conntrack"]["max_flows"], 262144)
        self.assertIn("web", {s["name"] for s in stats["services"]["services"]})

    def test_3_bad_requests_name_the_field_and_change_nothing(self):
        before = self.npctl("-o", "json", "bd", "list").stdout
        services_before = self.services()
        cases = [
            (["port", "add", "x", "--type", "ring", "--mac", "zz"], "port.mac: 'zz' is not a MAC address"),
            (["port", "add", "a/b", "--type", "ring"], "port: name: 'a/b' is not"),
            (["port", "add", "v", "--type", "vhost-user"], "port 'v': socket: required for vhost-user ports"),
            (["port", "add", "q", "--type", "ring", "--queues", "70"], "port 'q': queues: must be 1..16, got 70"),
            (["bd", "add", "1", "--port", "nope"], "bridge domain 1: ports: port 'nope' does not exist"),
            (["bd", "add", "0", "--port", "pod1"], "bridge domain: id: must be 1..16777215, got 0"),
            (["bd", "add", "3", "--port", "pod1"], "port 'pod1' is already in bridge domain 1"),
            (["mac", "add", "01:00:5e:00:00:01", "--bd", "1", "--port", "pod1"], "is not a unicast address"),
            (["mac", "add", "02:00:00:00:00:01", "--bd", "77", "--port", "pod1"], "bridge_domain: 77 does not exist"),
            (["bd", "add", "5"] + ["--port", "p"] * 4097, "bridge_domain: at most 4096 ports and static MACs"),
            (["route", "add", "10.0.0.0/8", "via", "10.78.0.9"],
             "route 10.0.0.0/8: via: next hop 10.78.0.9 is not on any interface's subnet"),
            (["route", "add", "10.0.0.1/8", "via", "10.78.0.9"],
             "route.prefix: prefix 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?"),
            (["interface", "add", "x", "--port", "nope", "--ip", "10.9.0.1/24"],
             "interface 'x': port: port 'nope' does not exist"),
            (["interface", "add", "x", "--bd", "1", "--ip", "10.9.0.1/33"],
             "interface.ip: prefix length 33 out of range 1-32"),
            (["interface", "add", "x", "--port", "pod1", "--ip", "10.9.0.1/24"],
             "interface 'x': port: port 'pod1' is in bridge domain 1"),
            (["neighbor", "add", "10.9.0.2", "--mac", "02:00:00:00:00:09", "--interface", "nope"],
             "neighbor 10.9.0.2: interface: interface 'nope' does not exist"),
            (["service", "add", "web", "--vip", "10.96.0.1", "--port", "80", "--protocol", "tcp",
              "--backend", "10.78.0.1:8080", "--backend", "224.0.0.1:8080"],
             "service 'web': backends[1].ip: 224.0.0.1 is not a unicast host address"),
            (["service", "add", "web", "--vip", "10.96.0.1", "--port", "80", "--backend", "10.78.0.1:8080",
              "--node-port", "8080"], "service 'web': node_port: 8080 is out of node_port_range 30000-32767"),
            (["service", "add", "Web", "--vip", "10.96.0.1", "--port", "80"], "service: name: 'Web' is not"),
            (["service", "add", "web", "--vip", "10.96.0", "--port", "80"], "service.vip: '10.96.0' is not an IPv4"),
            (["conntrack", "list", "--service", "nope"], "service: service 'nope' does not exist"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = self.npctl(*args, ok=False)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(message, r.stderr)
        self.assertEqual(self.npctl("-o", "json", "bd", "list").stdout, before)
        self.assertEqual(self.services(), services_before)
        self.assertNotIn("x", self.ports())
        self.assertEqual(self.npctl("bogus", ok=False).returncode, 2)

    def test_4_metrics_are_served_and_lint_clean(self):
        with urllib.request.urlopen(f"http://{self.metrics}/metrics", timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertIn("version=0.0.4", r.headers["Content-Type"])
            text = r.read().decode()
        self.assertRegex(text, r'nodeplane_port_rx_packets_total\{port="pod1"\} [1-9]')
        self.assertIn('nodeplane_port_drops_total{port="pod1",reason="runt"} 0', text)
        self.assertIn('nodeplane_worker_packets_per_poll_bucket{lcore="1",le="+Inf"}', text)
        self.assertRegex(text, r'nodeplane_bridge_domain_macs\{bd="1"\} [1-9]')
        self.assertIn('nodeplane_service_packets_total{service="web"}', text)
        self.assertIn('nodeplane_conntrack_max_flows 262144', text)
        self.assertIn('nodeplane_nat_drops_total{reason="table_full"} 0', text)
        promtool = shutil.which("promtool")
        if promtool is None:
            self.skipTest("promtool (package prometheus) is not installed")
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def telemetry(self, command):
        """One command over DPDK's telemetry socket (the protocol dpdk-telemetry.py speaks)."""
        path = f"/var/run/dpdk/np{self.topo.tag}-dp/dpdk_telemetry.v2"
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.settimeout(10)
            s.connect(path)
            json.loads(s.recv(4096))  # The greeting.
            s.send(command.encode())
            return json.loads(s.recv(65536))

    def test_5_telemetry_serves_nodeplane_counters(self):
        self.assertEqual(set(self.telemetry("/nodeplane/ports")["/nodeplane/ports"]), set(self.ports()))
        stats = self.telemetry("/nodeplane/port_stats,pod1")["/nodeplane/port_stats"]
        self.assertEqual(stats["link_up"], 1)
        self.assertGreater(stats["rx_packets"], 0)
        self.assertIn("drop_runt", stats)
        self.assertEqual(self.telemetry("/nodeplane/workers")["/nodeplane/workers"], [1])
        self.assertGreater(self.telemetry("/nodeplane/worker_stats,1")["/nodeplane/worker_stats"]["polls"], 0)

    def test_6_dumpcap_captures_a_live_port(self):
        device = self.ports()["pod1"]["device"]
        capture = os.path.join(self.topo.dir, "pod1.pcapng")
        dumpcap = subprocess.Popen(["dpdk-dumpcap", f"--file-prefix=np{self.topo.tag}-dp", "-i", device,
                                    "-c", "4", "-w", capture, "-q"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        try:
            # Ping until the capture has its packets (dumpcap attaches asynchronously).
            for _ in range(40):
                if dumpcap.poll() is not None:
                    break
                self.topo.ns_exec(self.pod1_ns, "ping", "-c", "1", "-W", "1", self.host, check=False)
            out, _ = dumpcap.communicate(timeout=10)
        finally:
            if dumpcap.poll() is None:
                dumpcap.kill()
                dumpcap.wait()
        self.assertEqual(dumpcap.returncode, 0, out)
        with open(capture, "rb") as f:
            data = f.read()
        self.assertEqual(data[:4], b"\x0a\x0d\x0d\x0a", "a pcapng section header")
        self.assertIn(bytes.fromhex(self.pod1[0].replace(":", "")), data, "frames from pod1 are in it")

    def test_7_api_flood_and_aborted_calls_do_not_disturb_forwarding(self):
        pinger = subprocess.Popen(["ip", "netns", "exec", self.pod1_ns, "ping", "-q", "-i", "0.02", "-c", "250",
                                   "-W", "1", self.host], stdout=subprocess.PIPE, text=True)
        aborted = ["timeout", "-s", "KILL", "0.05", self.args.npctl, "--server", self.api]
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                calls = [pool.submit(self.npctl, "stats") for _ in range(40)]
                calls += [pool.submit(subprocess.run, aborted + ["port", "list"], capture_output=True, timeout=30)
                          for _ in range(20)]
                calls += [pool.submit(self.npctl, "bd", "add", "9", "--port", "nope", ok=False) for _ in range(20)]
                for call in calls:
                    call.result()
        finally:
            out, _ = pinger.communicate(timeout=60)
        self.assertIn("250 packets transmitted, 250 received", out)
        self.assertIsNone(self.topo.daemon.poll(), "the daemon is still running")
        self.assertEqual(set(self.ports()), {"pod1", "uplink", "pod2"})

    def test_8_corrupt_state_stops_the_start_and_names_the_file(self):
        state_dir = os.path.join(self.topo.dir, "corrupt")
        os.makedirs(state_dir)
        state = os.path.join(state_dir, "state.yaml")
        with open(state, "w") as f:
            f.write("ports: [\n")
        config = os.path.join(self.topo.dir, "corrupt.yaml")
        with open(config, "w") as f:
            f.write(f"dpdk: {{lcores: [0, 1], workers: [1]}}\nstate_dir: {state_dir}\n")
        r = subprocess.run([self.args.nodeplane, "--config", config], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"the saved state is corrupt, refusing to start rather than lose it: {state}:", r.stderr)
        with open(state) as f:
            self.assertEqual(f.read(), "ports: [\n", "the state file is left as it was")

    def test_8_api_on_loopback_tcp(self):
        port = free_tcp_port()
        config = os.path.join(self.topo.dir, "tcp.yaml")
        with open(config, "w") as f:
            f.write(f"""dpdk: {{lcores: [0, 1], workers: [1], memory_mb: 256, huge: false, file_prefix: np{self.topo.tag}-tcp}}
api: {{listen: "tcp://127.0.0.1:{port}"}}
metrics: {{listen: "127.0.0.1:{free_tcp_port()}"}}
state_dir: {self.topo.dir}/tcp-state
ports: [{{name: r0, type: ring}}]
""")
        self.topo.prefixes.append(f"np{self.topo.tag}-tcp")
        daemon = subprocess.Popen([self.args.nodeplane, "--config", config], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        try:
            server = f"tcp://127.0.0.1:{port}"
            for _ in range(100):
                r = subprocess.run([self.args.npctl, "--server", server, "-o", "json", "port", "list"],
                                   capture_output=True, text=True, timeout=30)
                if r.returncode == 0 or daemon.poll() is not None:
                    break
                time.sleep(0.1)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([p["port"]["name"] for p in json.loads(r.stdout)], ["r0"])
        finally:
            daemon.terminate()
            _, err = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, err)

    def test_9_restart_restores_api_state_without_replay(self):
        t = self.topo
        self.assertIn("pod2", self.ports(), "test_2 added pod2 over the API")
        t.stop_pod("pod1")  # A server-mode pod does not survive its socket's owner.
        status, _ = t.stop_nodeplane()
        self.assertEqual(status, 0)
        self.assertFalse(os.path.exists(f"{t.dir}/api.sock"), "the API socket is removed at exit")
        with open(self.config) as f:
            t.start_nodeplane(f.read())
        t.wait_link_up("pod2")
        self.assertIn("restored the state saved in", t.read("nodeplane.err"))
        self.assertEqual(set(self.ports()), {"pod1", "uplink", "pod2"})
        self.assertEqual([b["weight"] for b in self.services()["web"]["backends"]], [1, 3], "test_2b added it")
        # pod2 kept running as the server; the restored client-mode port reconnected to it.
        self.ping(self.pod2_ns, self.host)
        self.ping(self.host_ns, self.pod2[1])


if __name__ == "__main__":
    main("--npctl")
