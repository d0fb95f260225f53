#!/usr/bin/env python3
"""nodeplane-cni integration: the plugin run the way a container runtime runs it (CNI_*
variables, the network configuration on stdin) with Debian's host-local IPAM, against the
running daemon. ADD gives a result that passes a CNI 1.0.0 schema, a vhost-user port in the
bridge domain and the pod's JSON beside its socket; kernel pods attached to the returned
socket with the returned MAC and IP ping the gateway, each other and a host. CHECK passes,
and fails once the port is removed behind its back. DEL cleans port, socket, JSON and the
allocation, and succeeds twice, with no ADD, and after a daemon restart (while the daemon
is down it fails with 11 and keeps the address). GC removes leaked attachments, STATUS and
VERSION answer, client mode works, the anti-spoofing drops (and counts) a pod sending from
another IP or MAC, every bad input is a CNI error that leaves nothing behind, the example
conflist runs chained with portmap through libcni, as containerd, CRI-O and Multus run it
(np-libcni-runtime: ADD, CHECK with the cached result, DEL), ADDs and DELs of many pods run
side by side, a node with every DPDK port in use refuses ADD naming the limit, and a second
ADD of a running attachment leaves it alone."""

import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
import jsonschema  # noqa: E402  python3-jsonschema (tests/testlib/setup_host.sh).
from pods_case import PodsTestCase, main  # noqa: E402
from topology import sh, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BD = 10
NETWORK = "pods"
GATEWAY = "10.89.0.1"
VERSIONS = ["0.4.0", "1.0.0", "1.1.0"]
DNS = {"nameservers": ["10.96.0.10"], "search": ["default.svc.cluster.local"]}


def port_name(network, cid, ifname):
    """The plugin's port name (cni-vhost/src/naming.cc): FNV-1a 64 of network\\0cid\\0ifname."""
    h = 0xcbf29ce484222325
    for b in f"{network}\0{cid}\0{ifname}".encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"cni-{cid[:12]}-{h & 0xFFFFFFFF:08x}"


def host_local_dir():
    r = subprocess.run(["dpkg", "-L", "containernetworking-plugins"], capture_output=True,
                       text=True)
    for line in r.stdout.split():
        if line.endswith("/host-local"):
            return os.path.dirname(line)
    for d in ("/usr/lib/cni", "/opt/cni/bin"):
        if os.path.exists(os.path.join(d, "host-local")):
            return d
    raise RuntimeError("host-local not found: apt-get install containernetworking-plugins")


class CniTest(PodsTestCase):
    SUBNET = "10.89.0"

    @classmethod
    def start(cls, t, uplink):
        cls.api = t.api
        cls.sock_dir = os.path.join(t.dir, "pods")
        cls.ipam_dir = os.path.join(t.dir, "ipam")
        os.mkdir(cls.sock_dir)
        cls.cni_path = f"{os.path.dirname(os.path.abspath(cls.args.cni))}:{host_local_dir()}"
        with open(os.path.join(HERE, "cni_result_1.0.0.schema.json")) as f:
            cls.schema = jsonschema.Draft202012Validator(json.load(f))
        cls.daemon_config = f"""{t.daemon_preamble()}ports:
  - {{name: uplink, type: af-packet, iface: {uplink}}}
bridge_domains:
  - {{id: {BD}, ports: [uplink]}}
interfaces:
  - {{name: pods-gw, bridge_domain: {BD}, ip: {GATEWAY}/24}}
"""
        t.start_nodeplane(cls.daemon_config)
        cls.wait_api()

    @classmethod
    def wait_api(cls):
        t = cls.topo
        wait_for("the nodeplane API", lambda: t.daemon.poll() is not None or subprocess.run(
            [cls.args.npctl, "--server", cls.api, "bd", "list"], capture_output=True,
            timeout=10).returncode == 0, timeout=30)
        if t.daemon.poll() is not None:
            raise RuntimeError("nodeplane exited: " + t.read("nodeplane.err"))

    # --- running the plugin ------------------------------------------------------------------
    def conf(self, version="1.0.0", **changes):
        """The test network's config; a change to None removes the key."""
        c = {"cniVersion": version, "name": NETWORK, "type": "nodeplane-cni", "server": self.api,
             "socketDir": self.sock_dir, "bridgeDomain": BD, "mtu": 1500,
             "ipam": {"type": "host-local",
                      "ranges": [[{"subnet": f"{self.SUBNET}.0/24",
                                   "rangeStart": f"{self.SUBNET}.10",
                                   "rangeEnd": f"{self.SUBNET}.50", "gateway": GATEWAY}]],
                      "routes": [{"dst": "0.0.0.0/0"}], "dataDir": self.ipam_dir},
             "dns": DNS}
        for k, v in changes.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    def cni(self, command, cid="", ifname="net1", conf=None, netns=None, stdin=None, env=None,
            unset=()):
        """Runs nodeplane-cni as a runtime does; returns (exit status, stdout JSON or None,
        stderr)."""
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CNI_COMMAND": command,
             "CNI_CONTAINERID": cid, "CNI_NETNS": netns or f"/var/run/netns/{self.pod1_ns}",
             "CNI_IFNAME": ifname, "CNI_PATH": self.cni_path,
             "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=app"}
        e.update(env or {})
        for k in unset:
            e.pop(k, None)
        data = stdin if stdin is not None else json.dumps(conf or self.conf())
        r = subprocess.run([self.args.cni], input=data, env=e, capture_output=True, text=True,
                           timeout=90)
        out = None
        if r.stdout.strip():
            try:
                out = json.loads(r.stdout)
            except ValueError:
                self.fail(f"{command}: stdout is not JSON: {r.stdout!r}")
        return r.returncode, out, r.stderr

    def libcni_runner(self, conflist_file, cid, netns, ifname, args, capabilities):
        """A function running one command (add, check, del) of the conflist for this
        attachment through libcni (np-libcni-runtime), with libcni's result cache; it returns
        (exit status, stdout JSON or None, stderr)."""
        def run(command):
            r = subprocess.run(
                [self.args.libcni_runtime, "-conflist", conflist_file,
                 "-cache-dir", os.path.join(self.topo.dir, "libcni-cache"), "-id", cid,
                 "-netns", netns, "-ifname", ifname, "-args", args,
                 "-capabilities", json.dumps(capabilities), command],
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                     "CNI_PATH": self.cni_path},
                capture_output=True, text=True, timeout=90)
            return r.returncode, json.loads(r.stdout) if r.stdout.strip() else None, r.stderr
        return run

    def ok(self, command, cid="", ifname="net1", conf=None, **kw):
        rc, out, err = self.cni(command, cid, ifname, conf, **kw)
        self.assertEqual(rc, 0, f"{command} failed: {out} {err}")
        return out

    def error(self, command, code, msg_part, cid="", ifname="net1", conf=None, **kw):
        """Runs a command that must fail with CNI error `code` naming `msg_part`."""
        rc, out, err = self.cni(command, cid, ifname, conf, **kw)
        self.assertEqual(rc, 1, f"{command}: expected failure, got {rc}: {out} {err}")
        self.assertIsInstance(out, dict, f"{command}: no error object: {err}")
        self.assertEqual(out.get("code"), code, f"{command}: {out}")
        self.assertIn(msg_part, out.get("msg", ""), f"{command}: {out}")
        self.assertIn(out.get("cniVersion"), VERSIONS)
        self.assertTrue(err.strip(), "no message on stderr")
        return out

    def add(self, cid, ns, ifname="net1", conf=None, env=None):
        """ADD for (cid, ifname) in netns `ns`, DEL at clean-up; returns the result."""
        conf = conf or self.conf()
        out = self.ok("ADD", cid, ifname, conf, netns=f"/var/run/netns/{ns}", env=env)
        self.addCleanup(self.cni, "DEL", cid, ifname, conf)
        if conf["cniVersion"] == "1.0.0":
            self.validate(out)
        return out

    def validate(self, result):
        errors = [e.message for e in self.schema.iter_errors(result)]
        self.assertEqual(errors, [], f"not a CNI 1.0.0 result: {result}")
        for ip in result.get("ips", []):
            if "interface" in ip:
                self.assertLess(ip["interface"], len(result["interfaces"]))

    def attach(self, name, ns, result):
        """Starts a kernel pod in `ns` on the result's socket, with its MAC, IP and gateway."""
        itf, ip = result["interfaces"][0], result["ips"][0]
        self.attach_to(name, ns, itf["socketPath"], itf["mac"], ip["address"], ip["gateway"])

    def attach_to(self, name, ns, socket, mac, cidr, gateway, server=False):
        t = self.topo
        port = os.path.basename(socket)[:-len(".sock")]
        readies = t.read(f"{name}.shim.log").count("ready")
        t.start_pod(name, ns, mac, cidr, socket=socket, port=port, server=server)
        self.addCleanup(self.detach, name)
        if server:
            # A server-mode shim starts its tap port only once the daemon has connected, and
            # net_tap then gives eth0 a MAC of its own again: the port's anti-spoofing would
            # drop everything. Set the pod's MAC once the shim is ready.
            wait_for(f"pod shim {name} ready",
                     lambda: t.read(f"{name}.shim.log").count("ready") > readies)
            t.ns_exec(ns, "ip", "link", "set", "eth0", "address", mac)
        t.ns_exec(ns, "ip", "route", "replace", "default", "via", gateway)

    def detach(self, name):
        if name in self.topo.procs:
            self.topo.stop_pod(name)

    # --- what exists -----------------------------------------------------------------------
    def ports(self):
        return {p["port"]["name"]: p
                for p in json.loads(self.npctl_out("-o", "json", "port", "list"))}

    def allocations(self):
        """host-local's allocation files, as network/IP, in every network of the data dir."""
        out = []
        if os.path.isdir(self.ipam_dir):
            for net in sorted(os.listdir(self.ipam_dir)):
                for f in sorted(os.listdir(os.path.join(self.ipam_dir, net))):
                    if f != "lock" and not f.startswith("last_reserved_ip"):
                        out.append(f"{net}/{f}")
        return out

    def leftovers(self):
        return sorted(self.ports()), sorted(os.listdir(self.sock_dir)), self.allocations()

    def new_id(self):
        return secrets.token_hex(32)

    def paths(self, cid, ifname="net1", network=NETWORK):
        name = port_name(network, cid, ifname)
        return (name, os.path.join(self.sock_dir, name + ".sock"),
                os.path.join(self.sock_dir, name + ".json"))

    def drops(self, port):
        """The port's drop counters by reason (proto3 JSON prints uint64 as strings)."""
        return {k: int(v) for k, v in self.ports()[port]["counters"]["drops"].items()}

    def wait_drops(self, port, reason, at_least):
        """Waits until `port` has counted at least `at_least` drops for `reason` (the counters
        reach the API a moment after the packets)."""
        try:
            wait_for(f"{reason} drops on {port}",
                     lambda: self.drops(port)[reason] >= at_least, timeout=5)
        except TimeoutError:
            self.fail(f"{reason} on {port}: {self.drops(port)[reason]} drops, expected "
                      f">= {at_least}")

    # --- tests -------------------------------------------------------------------------------
    def test_01_version(self):
        for v in VERSIONS:
            out = self.ok("VERSION", stdin=json.dumps({"cniVersion": v}),
                          unset=("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"))
            self.assertEqual(out, {"cniVersion": v, "supportedVersions": VERSIONS})
        out = self.ok("VERSION", stdin='{"cniVersion": "9.9.9"}')
        self.assertEqual(out["supportedVersions"], VERSIONS)

    def test_02_add_attach_ping(self):
        a, b = self.new_id(), self.new_id()
        ra = self.add(a, self.pod1_ns)
        rb = self.add(b, self.pod2_ns)
        name, sock, pod_file = self.paths(a)
        itf, ip = ra["interfaces"][0], ra["ips"][0]
        self.assertEqual(itf["name"], "net1")
        self.assertEqual(itf["sandbox"], f"/var/run/netns/{self.pod1_ns}")
        self.assertEqual(itf["socketPath"], sock)
        addr = ip["address"].split("/")[0]
        self.assertEqual(itf["mac"], "0a:58:" + ":".join(f"{int(x):02x}" for x in addr.split(".")))
        self.assertEqual((ip["gateway"], ip["interface"]), (GATEWAY, 0))
        self.assertTrue(ip["address"].startswith(f"{self.SUBNET}.") and ip["address"].endswith("/24"))
        self.assertEqual(ra["routes"], [{"dst": "0.0.0.0/0"}])
        self.assertEqual(ra["dns"], DNS)
        # The pod's JSON beside its socket.
        with open(pod_file) as f:
            pod = json.load(f)
        self.assertEqual((pod["socketPath"], pod["mac"], pod["ip"], pod["gateway"], pod["mtu"]),
                         (sock, itf["mac"], ip["address"], GATEWAY, 1500))
        self.assertEqual((pod["address"], pod["prefixLength"]), (addr, 24))
        self.assertFalse(pod["virtioUserServer"])
        self.assertEqual((pod["routes"], pod["dns"]), (ra["routes"], DNS))
        self.assertEqual((pod["containerID"], pod["ifname"], pod["network"], pod["podName"]),
                         (a, "net1", NETWORK, "app"))
        # The port: vhost-user in server mode, in the domain, with anti-spoofing and owner tag.
        p = self.ports()[name]
        self.assertEqual((p["port"]["type"], p["port"]["socket"], p["port"]["client"]),
                         ("PORT_TYPE_VHOST_USER", sock, False))
        self.assertEqual(p["bridge_domain"], BD)
        self.assertEqual(p["port"]["security"], {"mac": itf["mac"], "ips": [addr]})
        self.assertEqual(p["port"]["attachment"],
                         {"network": NETWORK, "container_id": a, "ifname": "net1"})
        self.assertTrue(os.path.exists(sock))
        # Kernel pods on the sockets: the gateway (the domain's IRB), each other, the host.
        self.attach("pod1", self.pod1_ns, ra)
        self.attach("pod2", self.pod2_ns, rb)
        self.ping_until(self.pod1_ns, GATEWAY)
        self.ping(self.pod1_ns, rb["ips"][0]["address"].split("/")[0])
        self.ping(self.pod2_ns, GATEWAY)
        self.ping(self.pod2_ns, self.host)

    def test_03_check(self):
        cid = self.new_id()
        conf = self.conf()
        result = self.add(cid, self.pod1_ns, conf=conf)
        name, _, _ = self.paths(cid)
        self.assertIsNone(self.ok("CHECK", cid, conf=self.conf(prevResult=result)))
        self.error("CHECK", 7, "prevResult", cid)
        wrong = json.loads(json.dumps(result))
        wrong["interfaces"][0]["mac"] = "02:00:00:00:00:01"
        self.error("CHECK", 102, "differs", cid, conf=self.conf(prevResult=wrong))
        self.error("CHECK", 102, "no interface", cid, conf=self.conf(prevResult=result),
                   ifname="net9")
        self.npctl("port", "del", name)
        self.error("CHECK", 102, f"port {name} does not exist", cid,
                   conf=self.conf(prevResult=result))
        self.assertIsNone(self.ok("DEL", cid, conf=self.conf(prevResult=result)))

    def test_04_del_cleans_everything_and_is_idempotent(self):
        before = self.leftovers()
        cid = self.new_id()
        self.add(cid, self.pod1_ns)
        name, sock, pod_file = self.paths(cid)
        self.assertIn(name, self.ports())
        self.assertEqual(len(self.allocations()), len(before[2]) + 1)
        self.assertIsNone(self.ok("DEL", cid))
        self.assertNotIn(name, self.ports())
        self.assertFalse(os.path.exists(sock) or os.path.exists(pod_file))
        self.assertEqual(self.leftovers(), before)
        self.assertIsNone(self.ok("DEL", cid))  # Again.
        self.assertIsNone(self.ok("DEL", self.new_id()))  # Never added.
        self.assertIsNone(self.ok("DEL", cid, unset=("CNI_NETNS",)))  # The netns is gone.
        self.assertEqual(self.leftovers(), before)

    def test_05_del_across_a_daemon_restart(self):
        t = self.topo
        before = self.leftovers()
        cid = self.new_id()
        self.add(cid, self.pod1_ns)
        name, _, pod_file = self.paths(cid)
        allocated = self.allocations()
        t.stop_nodeplane()
        try:
            # Unreachable: the runtime must retry, and the address stays with the port.
            self.error("DEL", 11, "unreachable", cid)
            self.assertEqual(self.allocations(), allocated)
            self.assertTrue(os.path.exists(pod_file))
        finally:
            t.start_nodeplane(self.daemon_config)
            self.wait_api()
        self.assertIn(name, self.ports(), "the port comes back from the saved state")
        self.assertIsNone(self.ok("DEL", cid))
        self.assertEqual(self.leftovers(), before)

    def test_06_gc(self):
        keep, leak, half = self.new_id(), self.new_id(), self.new_id()
        rk = self.add(keep, self.pod1_ns)
        self.add(leak, self.pod2_ns)
        self.add(half, self.pod2_ns, ifname="net2")
        before_keep = self.ports()[self.paths(keep)[0]]
        # `half` lost its port behind the plugin's back: only its JSON and address are left.
        self.npctl("port", "del", self.paths(half, "net2")[0])
        conf = self.conf("1.1.0")
        self.error("GC", 7, "cni.dev/valid-attachments", conf=conf)
        conf["cni.dev/valid-attachments"] = [{"containerID": keep, "ifname": "net1"}]
        self.assertIsNone(self.ok("GC", conf=conf, unset=("CNI_CONTAINERID", "CNI_IFNAME",
                                                          "CNI_NETNS")))
        ports = self.ports()
        self.assertNotIn(self.paths(leak)[0], ports)
        self.assertIn("uplink", ports, "GC leaves ports of no network alone")
        self.assertEqual(ports[self.paths(keep)[0]]["port"], before_keep["port"])
        self.assertEqual(sorted(os.listdir(self.sock_dir)),
                         sorted(os.path.basename(p) for p in self.paths(keep)[1:]))
        self.assertEqual(self.allocations(), [f"{NETWORK}/{rk['ips'][0]['address'].split('/')[0]}"])
        # The kept pod still works.
        self.attach("pod1", self.pod1_ns, rk)
        self.ping_until(self.pod1_ns, GATEWAY)

    def test_07_status(self):
        self.assertIsNone(self.ok("STATUS", conf=self.conf("1.1.0"),
                                  unset=("CNI_CONTAINERID", "CNI_IFNAME", "CNI_NETNS")))
        self.error("STATUS", 51, "not available",
                   conf=self.conf("1.1.0", server=f"unix://{self.topo.dir}/nothing.sock"))
        self.error("STATUS", 50, "bridgeDomain 999", conf=self.conf("1.1.0", bridgeDomain=999))
        self.error("STATUS", 50, "no-such-ipam",
                   conf=self.conf("1.1.0", ipam={"type": "no-such-ipam"}))
        self.error("STATUS", 1, "1.1.0", conf=self.conf("1.0.0"))

    def test_08_client_mode(self):
        before = self.leftovers()
        cid = self.new_id()
        conf = self.conf(client=True)
        result = self.add(cid, self.pod1_ns, conf=conf)
        name, sock, pod_file = self.paths(cid)
        self.assertTrue(self.ports()[name]["port"]["client"])
        with open(pod_file) as f:
            self.assertTrue(json.load(f)["virtioUserServer"])
        ip = result["ips"][0]
        self.attach_to("pod1", self.pod1_ns, sock, result["interfaces"][0]["mac"], ip["address"],
                       GATEWAY, server=True)
        self.ping_until(self.pod1_ns, GATEWAY)
        self.assertIsNone(self.ok("CHECK", cid, conf=self.conf(client=True, prevResult=result)))
        self.detach("pod1")
        self.assertIsNone(self.ok("DEL", cid, conf=conf))
        self.assertEqual(self.leftovers(), before)

    def test_09_anti_spoofing(self):
        t = self.topo
        ra = self.add(self.new_id(), self.pod1_ns)
        rb = self.add(self.new_id(), self.pod2_ns)
        self.attach("pod1", self.pod1_ns, ra)
        self.attach("pod2", self.pod2_ns, rb)
        port_a = os.path.basename(ra["interfaces"][0]["socketPath"])[:-len(".sock")]
        port_b = os.path.basename(rb["interfaces"][0]["socketPath"])[:-len(".sock")]
        ip_b, mac_b = rb["ips"][0]["address"].split("/")[0], rb["interfaces"][0]["mac"]
        self.ping_until(self.pod1_ns, ip_b)
        drops = self.drops(port_a)
        self.assertIn("spoofed_ip", drops)
        self.assertIn("spoofed_mac", drops)

        # Another IP: with a static neighbor, so the IPv4 packets themselves go out.
        t.ns_exec(self.pod1_ns, "ip", "addr", "add", f"{self.SUBNET}.99/24", "dev", "eth0")
        t.ns_exec(self.pod1_ns, "ip", "neigh", "replace", ip_b, "lladdr", mac_b, "dev", "eth0")
        r = t.ns_exec(self.pod1_ns, "ping", "-c", "3", "-i", "0.2", "-W", "1", "-I",
                      f"{self.SUBNET}.99", ip_b, check=False)
        self.assertNotEqual(r.returncode, 0, "a ping from another IP got through")
        self.wait_drops(port_a, "spoofed_ip", drops["spoofed_ip"] + 3)
        t.ns_exec(self.pod1_ns, "ip", "addr", "del", f"{self.SUBNET}.99/24", "dev", "eth0")
        self.ping(self.pod1_ns, ip_b)

        # Another MAC (which flushes the neighbor table: the static entry goes in again).
        mac_a = ra["interfaces"][0]["mac"]
        t.ns_exec(self.pod1_ns, "ip", "link", "set", "eth0", "address", "02:89:00:00:00:99")
        t.ns_exec(self.pod1_ns, "ip", "neigh", "replace", ip_b, "lladdr", mac_b, "dev", "eth0")
        r = t.ns_exec(self.pod1_ns, "ping", "-c", "3", "-i", "0.2", "-W", "1", ip_b, check=False)
        self.assertNotEqual(r.returncode, 0, "a ping from another MAC got through")
        self.wait_drops(port_a, "spoofed_mac", drops["spoofed_mac"] + 3)
        t.ns_exec(self.pod1_ns, "ip", "link", "set", "eth0", "address", mac_a)
        self.ping_until(self.pod1_ns, ip_b)
        self.assertEqual(self.drops(port_b)["spoofed_ip"] + self.drops(port_b)["spoofed_mac"], 0)

    def test_10_bad_input_leaves_nothing_behind(self):
        t = self.topo
        cid = self.new_id()
        name, sock, pod_file = self.paths(cid)
        missing_dir = os.path.join(t.dir, "no-such-dir")
        ro_dir = os.path.join(t.dir, "ro")
        os.mkdir(ro_dir)
        sh("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro_dir)
        self.addCleanup(sh, "umount", ro_dir, check=False)
        cases = [
            ("not JSON", 6, "not JSON", dict(stdin="{nope")),
            ("bridgeDomain a string", 7, 'bridgeDomain: must be an integer 1-16777215, got the '
             'string "ten"', dict(conf=self.conf(bridgeDomain="ten"))),
            ("mtu a string", 7, "mtu", dict(conf=self.conf(mtu="x"))),
            ("ipam a list", 7, "ipam: must be an object", dict(conf=self.conf(ipam=[]))),
            ("no ipam", 7, "ipam is required", dict(conf=self.conf(ipam=None))),
            ("version", 1, "9.9.9", dict(conf=self.conf("9.9.9"))),
            ("unknown command", 4, "FOO", dict(env={"CNI_COMMAND": "FOO"})),
            ("path characters", 4, "CNI_CONTAINERID", dict(cid="../etc")),
            ("bad ifname", 4, "CNI_IFNAME", dict(ifname="a/b")),
            ("bad CNI_ARGS MAC", 4, "MAC", dict(env={"CNI_ARGS": "IgnoreUnknown=1;MAC=zz"})),
            ("unknown bridge domain", 7, "bridgeDomain: 999 does not exist",
             dict(conf=self.conf(bridgeDomain=999))),
            ("socketDir missing", 7, "socketDir", dict(conf=self.conf(socketDir=missing_dir))),
            ("socketDir read-only", 7, "not writable", dict(conf=self.conf(socketDir=ro_dir))),
            ("socketDir a file", 7, "not a folder",
             dict(conf=self.conf(socketDir=os.path.join(t.dir, "nodeplane.yaml")))),
            ("IPAM plugin missing", 101, "no-such-ipam",
             dict(conf=self.conf(ipam={"type": "no-such-ipam"}))),
            ("IPAM config refused", 101, "host-local",
             dict(conf=self.conf(ipam={"type": "host-local", "dataDir": self.ipam_dir}))),
            ("daemon unreachable", 11, "unreachable",
             dict(conf=self.conf(server=f"unix://{t.dir}/nothing.sock"))),
        ]
        for var in ("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"):
            cases.append((f"no {var}", 4, var, dict(unset=(var,))))
        before = self.leftovers()
        for what, code, part, kw in cases:
            with self.subTest(what):
                kw = dict(kw)
                self.error("ADD", code, part, kw.pop("cid", cid), **kw)
                self.assertEqual(self.leftovers(), before, f"{what}: something was left")
        self.assertFalse(os.path.exists(missing_dir), "socketDir was created")
        self.assertEqual(os.listdir(ro_dir), [])

    def test_11_failures_after_allocation_are_undone(self):
        t = self.topo
        cid = self.new_id()
        name, sock, pod_file = self.paths(cid)
        before = self.leftovers()

        # The only address of a one-address range is taken: the delegate refuses.
        one = self.conf()
        one["ipam"]["ranges"] = [[{"subnet": f"{self.SUBNET}.0/24", "rangeStart": f"{self.SUBNET}.60",
                                   "rangeEnd": f"{self.SUBNET}.60"}]]
        squatter_env = dict(os.environ, CNI_COMMAND="ADD", CNI_CONTAINERID="squatter",
                            CNI_NETNS="/var/run/netns/x", CNI_IFNAME="eth0", CNI_PATH=self.cni_path)
        host_local = os.path.join(host_local_dir(), "host-local")
        subprocess.run([host_local], input=json.dumps(one), env=squatter_env, check=True,
                       capture_output=True, text=True, timeout=30)
        taken = self.leftovers()
        out = self.error("ADD", 101, "host-local", cid, conf=one)
        self.assertIn("10.89.0.60", out.get("details", "") + out["msg"])
        self.assertEqual(self.leftovers(), taken)
        subprocess.run([host_local], input=json.dumps(one),
                       env=dict(squatter_env, CNI_COMMAND="DEL"), check=True, capture_output=True,
                       text=True, timeout=30)
        self.assertEqual(self.leftovers(), before)

        # The JSON cannot be written (a folder is in its place): port deleted, address released.
        os.mkdir(pod_file)
        try:
            self.error("ADD", 5, pod_file, cid)
            self.assertEqual(self.leftovers(), (before[0], sorted(before[1] + [name + ".json"]),
                                                before[2]))
        finally:
            os.rmdir(pod_file)

        # nodeplane refuses the port (another port has its socket): address released.
        self.npctl("port", "add", "squatter", "--type", "vhost-user", "--socket", sock)
        try:
            self.error("ADD", 100, "nodeplane refused AddPort", cid)
            self.assertEqual(self.leftovers(), (sorted(before[0] + ["squatter"]),
                                                sorted(before[1] + [name + ".sock"]), before[2]))
        finally:
            self.npctl("port", "del", "squatter")

        # A port of the same name that is someone else's is never taken over.
        self.npctl("port", "add", name, "--type", "ring")
        try:
            self.error("ADD", 100, "already exists", cid)
            self.assertIsNone(self.ok("DEL", cid))  # DEL leaves it alone too.
            self.assertIn(name, self.ports())
        finally:
            self.npctl("port", "del", name)
        self.assertEqual(self.leftovers(), before)

    def test_12_conflist_chained_with_portmap_through_libcni(self):
        with open(os.path.join(ROOT, "cni-vhost", "examples", "nodeplane.conflist")) as f:
            conflist = json.load(f)
        # The example as this machine's runtime would load it, with the test's paths.
        plugin = conflist["plugins"][0]
        self.assertEqual(plugin["type"], "nodeplane-cni")
        plugin.update(server=self.api, socketDir=self.sock_dir, bridgeDomain=BD)
        plugin["ipam"].update(dataDir=self.ipam_dir, ranges=[[{
            "subnet": f"{self.SUBNET}.0/24", "rangeStart": f"{self.SUBNET}.10",
            "rangeEnd": f"{self.SUBNET}.50", "gateway": GATEWAY}]])
        conflist_file = os.path.join(self.topo.dir, "nodeplane.conflist")
        with open(conflist_file, "w") as f:
            json.dump(conflist, f)
        before = self.leftovers()
        cid = self.new_id()
        run = self.libcni_runner(conflist_file, cid, f"/var/run/netns/{self.pod1_ns}", "net1",
                                 args=f"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;"
                                      f"K8S_POD_NAME=dpdk-app;K8S_POD_INFRA_CONTAINER_ID={cid}",
                                 capabilities={"mac": "02:89:00:00:00:aa",
                                               "portMappings": []})
        rc, result, err = run("add")
        self.assertEqual(rc, 0, f"libcni ADD: {result} {err}")
        self.addCleanup(run, "del")
        self.validate(result)  # As libcni parsed portmap's result and printed it.
        self.assertEqual(result["interfaces"][0]["mac"], "02:89:00:00:00:aa")
        # libcni 1.1 and portmap know CNI 1.0 types: socketPath (1.1) is not in their
        # result; the pod's file has it.
        name = port_name(conflist["name"], cid, "net1")
        with open(os.path.join(self.sock_dir, name + ".json")) as f:
            pod = json.load(f)
        self.assertEqual((pod["mac"], pod["podName"]), ("02:89:00:00:00:aa", "dpdk-app"))
        self.attach_to("pod1", self.pod1_ns, pod["socketPath"], pod["mac"], pod["ip"],
                       pod["gateway"])
        self.ping_until(self.pod1_ns, GATEWAY)
        self.assertEqual(run("check")[0], 0)  # prevResult: libcni's cached result.
        self.detach("pod1")
        self.npctl("port", "del", name)
        rc, out, err = run("check")
        self.assertEqual((rc, out["code"]), (1, 102), f"libcni CHECK: {out} {err}")
        self.assertIn(f"port {name} does not exist", out["msg"])
        self.assertEqual(run("del")[0], 0)
        self.assertEqual(self.leftovers(), before)
        self.assertEqual(run("del")[0], 0)  # libcni's cache is gone: DEL without prevResult.

    def test_13_versions_and_mac_from_cni_args(self):
        cid = self.new_id()
        result = self.add(cid, self.pod1_ns, conf=self.conf("0.4.0"))
        self.assertEqual(result["cniVersion"], "0.4.0")
        self.assertEqual(result["ips"][0]["version"], "4")
        self.assertIsNone(self.ok("CHECK", cid, conf=self.conf("0.4.0", prevResult=result)))
        cid2 = self.new_id()
        r11 = self.add(cid2, self.pod2_ns, conf=self.conf("1.1.0"))
        self.assertEqual(r11["interfaces"][0]["mtu"], 1500)
        self.assertNotIn("version", r11["ips"][0])
        # Without runtimeConfig.mac, a MAC in CNI_ARGS is the pod's.
        cid3 = self.new_id()
        r = self.add(cid3, self.pod1_ns, ifname="net3",
                     env={"CNI_ARGS": "IgnoreUnknown=1;MAC=02:89:00:00:00:BB"})
        self.assertEqual(r["interfaces"][0]["mac"], "02:89:00:00:00:bb")
        port = self.ports()[self.paths(cid3, "net3")[0]]["port"]
        self.assertEqual(port["security"]["mac"], "02:89:00:00:00:bb")
        # After another plugin: its result's entries pass through whole (1.1.0 fields too).
        prev = {"cniVersion": "1.1.0", "interfaces": [{"name": "eth0", "pciID": "0000:00:08.0"}],
                "ips": [{"address": "10.1.0.5/24", "interface": 0}],
                "routes": [{"dst": "10.2.0.0/16", "gw": "10.1.0.1", "table": 100}]}
        r = self.add(self.new_id(), self.pod2_ns, ifname="net4",
                     conf=self.conf("1.1.0", prevResult=prev))
        self.assertEqual((r["interfaces"][0], r["ips"][0], r["routes"][0]),
                         (prev["interfaces"][0], prev["ips"][0], prev["routes"][0]))
        self.assertEqual((r["interfaces"][1]["name"], r["ips"][1]["interface"]), ("net4", 1))

    def test_14_parallel_adds_and_dels(self):
        """Runtimes set up pods side by side: ADDs and DELs of many attachments at once."""
        before = self.leftovers()
        cids = [self.new_id() for _ in range(8)]
        with ThreadPoolExecutor(len(cids)) as pool:
            added = list(pool.map(lambda cid: self.cni("ADD", cid), cids))
        for cid in cids:
            self.addCleanup(self.cni, "DEL", cid)
        for rc, out, err in added:
            self.assertEqual(rc, 0, f"ADD: {out} {err}")
            self.validate(out)
        self.assertEqual(len({out["ips"][0]["address"] for _, out, _ in added}), len(cids))
        ports = self.ports()
        for cid in cids:
            name, _, pod_file = self.paths(cid)
            self.assertEqual(ports[name]["bridge_domain"], BD)
            self.assertTrue(os.path.exists(pod_file))
        with ThreadPoolExecutor(len(cids)) as pool:
            deleted = list(pool.map(lambda cid: self.cni("DEL", cid), cids))
        self.assertEqual([rc for rc, _, _ in deleted], [0] * len(cids), deleted)
        self.assertEqual(self.leftovers(), before)


    def test_15_a_node_full_of_ports(self):
        """With every DPDK port in use, ADD fails naming the limit and gives the address back."""
        before = self.leftovers()
        fill_dir = os.path.join(self.topo.dir, "fill")
        os.makedirs(fill_dir, exist_ok=True)
        fillers = []
        self.addCleanup(lambda: [self.npctl("port", "del", n, ok=False) for n in fillers])
        while True:
            self.assertLess(len(fillers), 1024, "no port limit reached")
            name = f"fill{len(fillers)}"
            r = self.npctl("port", "add", name, "--type", "vhost-user", "--socket",
                           os.path.join(fill_dir, name + ".sock"), ok=False)
            if r.returncode != 0:
                self.assertIn("ports: at most", r.stderr)
                break
            fillers.append(name)
        self.error("ADD", 100, "ports: at most", self.new_id())
        for name in fillers:
            self.npctl("port", "del", name)
        fillers.clear()
        self.assertEqual(self.leftovers(), before)

    def test_16_a_second_add_leaves_the_running_attachment_alone(self):
        """ADD again without DEL (a runtime retrying): host-local refuses the duplicate, and
        the pod that runs keeps its port and its address."""
        cid = self.new_id()
        self.add(cid, self.pod1_ns)
        name = self.paths(cid)[0]
        port, allocations = self.ports()[name]["port"], self.allocations()
        err = self.error("ADD", 101, "IPAM plugin 'host-local' (ADD) failed", cid)
        self.assertIn("duplicate", err.get("details", ""))
        self.assertEqual(self.ports()[name]["port"], port)
        self.assertEqual(self.allocations(), allocations)

if __name__ == "__main__":
    main("--npctl", "--cni", "--libcni-runtime")
