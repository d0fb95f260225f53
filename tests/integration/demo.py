#!/usr/bin/env python3
"""The built-in demo topology: nodeplane bridging two kernel pods on vhost-user in one bridge
domain whose gateway interface (10.77.0.1) routes to a kernel host on a routed af-packet
uplink in another subnet (10.78.0.0/24), and load-balances service VIP 10.96.0.10:80 over
HTTP servers in both pods. The pods ping each other (switched) and the host (routed), the
host fetches the service once a second (the answering pod is printed), while the daemon
prints its stats; Ctrl-C (or --duration) ends it and removes everything it made."""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from topology import Topology, wait_for  # noqa: E402

CONFIG = """
node: {{name: demo}}
dpdk:
  lcores: [0, 1]
  workers: [1]
  memory_mb: 256
  file_prefix: np{tag}-dp
state_dir: {state_dir}
ports:
  - {{name: pod1, type: vhost-user, socket: {pod1}}}
  - {{name: pod2, type: vhost-user, socket: {pod2}}}
  - {{name: uplink, type: af-packet, iface: {uplink}}}
bridge_domains:
  - id: 1
    ports: [pod1, pod2]
interfaces:
  - {{name: pods-gw, bridge_domain: 1, ip: 10.77.0.1/24}}
  - {{name: wan0, port: uplink, ip: 10.78.0.1/24}}
conntrack: {{max_flows: 65536}}
services:
  - name: web
    vip: 10.96.0.10
    port: 80
    node_port: 30080
    backends: [{{ip: 10.77.0.2, port: 8080}}, {{ip: 10.77.0.3, port: 8080}}]
"""

# Fetches the service once a second and prints which pod answered.
CLIENT = "while true; do echo \"curl http://10.96.0.10/ -> $(curl -s --max-time 2 http://10.96.0.10/)\"; sleep 1; done"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodeplane", default="build/nodeplane")
    parser.add_argument("--shim", default="build/np-pod-shim")
    parser.add_argument("--duration", type=float, default=20, help="seconds to run (0: until Ctrl-C)")
    args = parser.parse_args()

    topo = Topology(os.path.abspath(args.nodeplane), os.path.abspath(args.shim))
    pingers = []
    try:
        pod1, pod2 = topo.add_netns("pod1"), topo.add_netns("pod2")
        host, uplink = topo.add_uplink_host("host1", "10.78.0.2/24")
        topo.ns_exec(host, "ip", "route", "add", "default", "via", "10.78.0.1")
        config = topo.start_nodeplane(CONFIG.format(tag=topo.tag, state_dir=f"{topo.dir}/state",
                                                    pod1=topo.socket_path("pod1"),
                                                    pod2=topo.socket_path("pod2"), uplink=uplink),
                                      stats_interval_s=2)
        wait_for("vhost-user sockets", lambda: os.path.exists(topo.socket_path("pod2")))
        for name, ns, ip in (("pod1", pod1, "10.77.0.2"), ("pod2", pod2, "10.77.0.3")):
            topo.start_pod(name, ns, f"02:77:00:00:00:0{name[-1]}", f"{ip}/24")
            topo.ns_exec(ns, "ip", "route", "add", "default", "via", "10.77.0.1")
            # An HTTP server whose page names its pod.
            root = os.path.join(topo.dir, name)
            os.makedirs(root)
            with open(os.path.join(root, "index.html"), "w") as page:
                page.write(name)
            pingers.append(subprocess.Popen(
                ["ip", "netns", "exec", ns, "python3", "-m", "http.server", "8080", "--directory",
                 root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        print(f"config: {config}\npod1 10.77.0.2, pod2 10.77.0.3 (vhost-user, bridge domain 1, "
              f"gateway 10.77.0.1); host1 10.78.0.2 (routed af-packet uplink {uplink})\n"
              "service web: 10.96.0.10:80 (node port 30080) over HTTP servers in both pods\n"
              "while it runs: build/npctl port list, build/npctl mac list, build/npctl route list, "
              "build/npctl neighbor list, build/npctl service list, build/npctl conntrack list, "
              "build/npctl stats, curl -s 127.0.0.1:9469/metrics\n",
              flush=True)
        for ns, target in ((pod1, "10.77.0.3"), (pod2, "10.78.0.2"), (host, "10.77.0.2")):
            pingers.append(subprocess.Popen(["ip", "netns", "exec", ns, "ping", "-i", "0.5", target]))
        pingers.append(subprocess.Popen(["ip", "netns", "exec", host, "sh", "-c", CLIENT]))
        deadline = time.monotonic() + args.duration if args.duration else None
        shown = 0
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.5)
            stats = topo.read("nodeplane.out")
            if len(stats) > shown:
                print("--- nodeplane stats ---\n" + stats[shown:], end="", flush=True)
                shown = len(stats)
    except KeyboardInterrupt:
        pass
    finally:
        for p in pingers:
            p.terminate()
            p.wait(timeout=5)
        if topo.daemon is not None:
            status, out = topo.stop_nodeplane()
            print(f"--- nodeplane exited with status {status}; final stats ---")
            print(out.splitlines() and "\n".join(out.splitlines()[-6:]))
        topo.close()


if __name__ == "__main__":
    main()
