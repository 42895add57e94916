# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The network half of a container runtime, as CNI asks it of one: per
container, make its network namespace, then ADD each plugin of a chained
conflist in order, handing every plugin the previous one's result.

  python bench/cni_runtime.py PLAN.json

PLAN: {"cni_path": DIR, "conflist": {...}, "containers": [{"name", "portMappings"}]}.
This is the `cni` contender of bench/run: the reference plugins (bridge with
host-local IPAM, portmap) doing the same job as linuxns.net.container_network.
"""

import json
import os
import subprocess
import sys


def plugin_config(conflist, plugin, container, previous):
    """The config one plugin reads on stdin, as libcni builds it."""
    config = dict(plugin, cniVersion=conflist['cniVersion'], name=conflist['name'])
    if plugin.get('capabilities', {}).get('portMappings'):
        config['runtimeConfig'] = {'portMappings': container['portMappings']}
    if previous is not None:
        config['prevResult'] = previous
    return config


def add_plugin(cni_path, plugin_type, config, name):
    env = dict(os.environ, CNI_COMMAND='ADD', CNI_CONTAINERID='bench-' + name,
               CNI_NETNS='/run/netns/' + name, CNI_IFNAME='eth0', CNI_PATH=cni_path)
    proc = subprocess.run([os.path.join(cni_path, plugin_type)], input=json.dumps(config).encode(),
                          env=env, capture_output=True, check=False)
    if proc.returncode != 0:
        raise SystemExit('cni: %s ADD for %s failed (rc %d): %s %s'
                         % (plugin_type, name, proc.returncode, proc.stdout.decode(), proc.stderr.decode()))
    return json.loads(proc.stdout)


def add_container(plan, container):
    subprocess.run(['ip', 'netns', 'add', container['name']], check=True)
    result = None
    for plugin in plan['conflist']['plugins']:
        config = plugin_config(plan['conflist'], plugin, container, result)
        result = add_plugin(plan['cni_path'], plugin['type'], config, container['name'])


def main():
    with open(sys.argv[1]) as handle:
        plan = json.load(handle)
    for container in plan['containers']:
        add_container(plan, container)


if __name__ == '__main__':
    main()
