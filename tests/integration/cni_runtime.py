"""A small CNI runtime, as libcni (containerd, CRI-O, Multus) runs a network configuration
list: plugins found by `type` in CNI_PATH; `name` and `cniVersion` of the list injected into
each plugin's config; `runtimeConfig` holding only the capabilities a plugin declares; ADD in
order, each plugin getting the previous one's result as `prevResult`; CHECK in order and DEL
in reverse, both with the cached result of the ADD."""

import json
import os
import subprocess


class CniPluginError(Exception):
    def __init__(self, plugin, command, returncode, error, stderr):
        super().__init__(f"{plugin} {command}: exit {returncode}: {error} {stderr}")
        self.returncode = returncode
        self.error = error


class ConflistRuntime:
    def __init__(self, conflist, cni_path, timeout=60):
        self.conflist = conflist
        self.cni_path = cni_path
        self.timeout = timeout

    def find(self, plugin_type):
        for d in self.cni_path.split(":"):
            path = os.path.join(d, plugin_type)
            if d and os.path.isfile(path) and os.access(path, os.X_OK):
                return path
        raise FileNotFoundError(f"{plugin_type} not in CNI_PATH {self.cni_path}")

    def plugin_config(self, plugin, prev_result, runtime_config):
        conf = dict(plugin)
        conf["name"] = self.conflist["name"]
        conf["cniVersion"] = self.conflist["cniVersion"]
        caps = plugin.get("capabilities", {})
        wanted = {k: v for k, v in runtime_config.items() if caps.get(k)}
        if wanted:
            conf["runtimeConfig"] = wanted
        if prev_result is not None:
            conf["prevResult"] = prev_result
        return conf

    def exec_plugin(self, plugin, command, attachment, prev_result, runtime_config):
        env = dict(os.environ)
        env.update({"CNI_COMMAND": command, "CNI_CONTAINERID": attachment["containerID"],
                    "CNI_NETNS": attachment["netns"], "CNI_IFNAME": attachment["ifname"],
                    "CNI_ARGS": attachment.get("args", ""), "CNI_PATH": self.cni_path})
        conf = self.plugin_config(plugin, prev_result, runtime_config)
        r = subprocess.run([self.find(plugin["type"])], input=json.dumps(conf), env=env,
                           capture_output=True, text=True, timeout=self.timeout)
        out = json.loads(r.stdout) if r.stdout.strip() else None
        if r.returncode != 0:
            raise CniPluginError(plugin["type"], command, r.returncode, out, r.stderr)
        return out

    def add(self, attachment, runtime_config=None):
        """ADD through every plugin in order; returns the last result (what the runtime keeps)."""
        result = None
        for plugin in self.conflist["plugins"]:
            result = self.exec_plugin(plugin, "ADD", attachment, result, runtime_config or {})
        return result

    def check(self, attachment, cached, runtime_config=None):
        for plugin in self.conflist["plugins"]:
            self.exec_plugin(plugin, "CHECK", attachment, cached, runtime_config or {})

    def delete(self, attachment, cached, runtime_config=None):
        for plugin in reversed(self.conflist["plugins"]):
            self.exec_plugin(plugin, "DEL", attachment, cached, runtime_config or {})
