# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The network half of Podman, as Podman asks it of netavark: per container,
make its network namespace, then `netavark setup` it with the network
options Podman writes (the network, the container's static address, its
published ports).

  python bench/netavark_runtime.py PLAN.json

PLAN: {"netavark": BINARY, "config_dir": DIR, "network": {...network_info...},
"containers": [{"name", "address", "port"}]}.  This is the `netavark`
contender of bench/run: Debian's netavark (Podman 4's network stack) doing
the same job as linuxns.net.container_network.
"""

import hashlib
import json
import subprocess
import sys


def network_options(plan, container):
    """What Podman hands netavark on stdin for one container."""
    network = plan['network']
    return {
        'container_id': hashlib.sha256(container['name'].encode()).hexdigest(),
        'container_name': container['name'],
        'networks': {network['name']: {'interface_name': 'eth0', 'static_ips': [container['address']]}},
        'network_info': {network['name']: network},
        'port_mappings': [{'host_ip': '', 'container_port': 80, 'host_port': container['port'],
                           'range': 1, 'protocol': 'tcp'}],
    }


def setup(plan, container):
    subprocess.run(['ip', 'netns', 'add', container['name']], check=True)
    proc = subprocess.run([plan['netavark'], '--config', plan['config_dir'], 'setup', '/run/netns/' + container['name']],
                          input=json.dumps(network_options(plan, container)).encode(), capture_output=True, check=False)
    if proc.returncode != 0:
        raise SystemExit('netavark: setup of %s failed (rc %d): %s %s'
                         % (container['name'], proc.returncode, proc.stdout.decode(), proc.stderr.decode()))


def main():
    with open(sys.argv[1]) as handle:
        plan = json.load(handle)
    for container in plan['containers']:
        setup(plan, container)


if __name__ == '__main__':
    main()
