# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The built-in lab: N simulated hosts on one machine.

  .venv/bin/python scripts/lab.py up [--hosts N] [--containers K] [--dir DIR]   bring a lab up, write DIR/inventory.yml
  .venv/bin/python scripts/lab.py down [--dir DIR]                              tear it down

Each host is a long-lived process in its own network, mount and UTS namespaces
(made by `unshare` without --fork, so the recorded pid holds them), with
private /run/netns and /var/lib/linuxns, sysfs remounted, and its own
/etc/hosts and /etc/resolv.conf.  Its eth0 is a veth into the `lab-switch`
namespace, whose bridge joins all hosts on 198.51.100.0/24; an extra host
`outside` (198.51.100.250) stands for the rest of the world.  Ansible reaches
the hosts through the linuxns.net.nsenter connection.

It must run inside tests/sandbox: it creates namespaces and links, which must
never touch the machine's own network.
"""

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

SUBNET = '198.51.100'
SWITCH = 'lab-switch'
OUTSIDE_ADDRESS = SUBNET + '.250'
DEFAULT_DIR = '/tmp/linuxns-lab'
CLUSTER_CIDR = '10.244.0.0/16'
CGROUP_PARENT = 'linuxns-lab'
# The demo workload: accepts TCP connections on port 80 and closes them (light
# enough for 100 containers on 2 cores).
RESPONDER = ('import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); '
             "s.bind(('0.0.0.0', 80)); s.listen(64); [c.close() for c, a in iter(s.accept, None)]")

HOST_SETUP = '''
set -e
mount -t tmpfs lab-netns /run/netns
mount -t tmpfs lab-state /var/lib/linuxns
mount --bind {dir}/{name}.hosts /etc/hosts
mount --bind {dir}/resolv.conf /etc/resolv.conf
if mountpoint -q /sys/fs/cgroup; then
    keep=$(mktemp -d /run/netns/.cgroup.XXXXXX)
    mount --rbind /sys/fs/cgroup "$keep"
    mount -t sysfs sysfs /sys
    mount --move "$keep" /sys/fs/cgroup
    rmdir "$keep"
else
    mount -t sysfs sysfs /sys
fi
hostname {name}
ip link set lo up
touch {dir}/{name}.ready
exec sleep infinity
'''


def run(*command):
    subprocess.run(command, check=True)


def start_host(lab_dir, name):
    with open(os.path.join(lab_dir, name + '.hosts'), 'w') as handle:
        handle.write('127.0.0.1 localhost %s\n::1 localhost\n' % name)
    # A pid namespace too, so that everything started on the host (workloads)
    # dies with it: unshare forks the host's init and kills it when killed.
    proc = subprocess.Popen(['unshare', '--net', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc',
                             '--propagation', 'private', '--', 'sh', '-c', HOST_SETUP.format(dir=lab_dir, name=name)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
    ready = os.path.join(lab_dir, name + '.ready')
    deadline = time.time() + 10
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit('lab: host %s did not start' % name)
        time.sleep(0.01)
    with open('/proc/%d/task/%d/children' % (proc.pid, proc.pid)) as handle:
        init = int(handle.read().split()[0])  # the host's pid 1, holder of all its namespaces
    return proc.pid, init


def plug(pid, name, address):
    """eth0 of the host, a port of the switch bridge."""
    port = 'p-' + name[:13]
    run('ip', '-n', SWITCH, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', str(pid))
    run('ip', '-n', SWITCH, 'link', 'set', port, 'master', 'lab-br', 'up')
    enter = ['nsenter', '--target', str(pid), '--net', '--']
    run(*(enter + ['ip', 'addr', 'add', address + '/24', 'dev', 'eth0']))
    run(*(enter + ['ip', 'link', 'set', 'eth0', 'up']))


def containers_of(index, count):
    """Demo containers: each answers TCP on port 80, published on the host as 808N."""
    return [{'name': 'c%d' % n, 'ports': [{'host': 8080 + n, 'container': 80}],
             'limits': {'cpu': '0.5', 'memory': '64M', 'pids_max': '64'},
             'command': '%s -c %s' % (sys.executable, shlex.quote(RESPONDER))}
            for n in range(1, count + 1)]


def inventory(hosts, outside_pid, count):
    cluster = {}
    for index, (name, pid) in enumerate(hosts, start=1):
        cluster[name] = {
            'linuxns_lab_pid': pid,
            'cluster_network_underlay_address': '%s.%d' % (SUBNET, 10 + index),
            'cluster_network_host_subnet': '10.244.%d.0/24' % index,
            'containers_list': containers_of(index, count),
            # cgroups are machine-wide, not per lab host: give each host its own parent
            'containers_cgroup_parent': '%s/%s' % (CGROUP_PARENT, name),
        }
    return {'all': {
        'vars': {'ansible_connection': 'linuxns.net.nsenter', 'ansible_python_interpreter': sys.executable,
                 'cluster_network_cidr': CLUSTER_CIDR, 'lab_outside_address': OUTSIDE_ADDRESS},
        'children': {
            'cluster': {'hosts': cluster},
            'outside': {'hosts': {'internet': {
                'linuxns_lab_pid': outside_pid, 'cluster_network_underlay_address': OUTSIDE_ADDRESS}}},
        },
    }}


def up(args):
    if not os.environ.get('LINUXNS_SANDBOX'):
        raise SystemExit('lab: run inside tests/sandbox (it creates namespaces and links)')
    if os.path.exists(os.path.join(args.dir, 'lab.json')):
        raise SystemExit('lab: %s already holds a lab; run "scripts/lab.py down" first' % args.dir)
    started = time.time()
    os.makedirs(args.dir, exist_ok=True)
    os.makedirs('/var/lib/linuxns', exist_ok=True)
    with open(os.path.join(args.dir, 'resolv.conf'), 'w') as handle:
        handle.write('# lab hosts resolve nothing: no DNS server to wait for\n')
    run('ip', 'netns', 'add', SWITCH)
    run('ip', '-n', SWITCH, 'link', 'add', 'lab-br', 'type', 'bridge')
    run('ip', '-n', SWITCH, 'link', 'set', 'lab-br', 'up')
    run('ip', '-n', SWITCH, 'link', 'set', 'lo', 'up')
    hosts, leaders = [], []
    for index in range(1, args.hosts + 1):
        name = 'host%d' % index
        leader, pid = start_host(args.dir, name)
        plug(pid, name, '%s.%d' % (SUBNET, 10 + index))
        hosts.append((name, pid))
        leaders.append(leader)
    leader, outside = start_host(args.dir, 'outside')
    leaders.append(leader)
    plug(outside, 'outside', OUTSIDE_ADDRESS)
    state = {'hosts': dict(hosts), 'outside': outside, 'leaders': leaders}
    with open(os.path.join(args.dir, 'lab.json'), 'w') as handle:
        json.dump(state, handle)
    with open(os.path.join(args.dir, 'inventory.yml'), 'w') as handle:
        json.dump(inventory(hosts, outside, args.containers), handle, indent=2)  # JSON is YAML
    print('lab: %d hosts and outside up in %.1f s; inventory %s'
          % (args.hosts, time.time() - started, os.path.join(args.dir, 'inventory.yml')))


def remove_cgroups():
    """The lab hosts' cgroups (their processes died with the hosts)."""
    with open('/proc/self/mountinfo') as handle:
        mounts = [line.split()[4] for line in handle if ' - cgroup' in line]
    for mount in mounts:
        top = os.path.join(mount, CGROUP_PARENT)
        for root, _dirs, _files in sorted(os.walk(top), key=lambda entry: -entry[0].count('/')):
            try:
                os.rmdir(root)
            except OSError as exc:
                print('lab: could not remove cgroup %s: %s' % (root, exc))


def down(args):
    path = os.path.join(args.dir, 'lab.json')
    if os.path.exists(path):
        with open(path) as handle:
            state = json.load(handle)
        for leader in state['leaders']:
            try:
                os.kill(leader, signal.SIGKILL)  # unshare ignores SIGTERM; --kill-child takes the host's pid namespace along
            except ProcessLookupError:
                pass
        deadline = time.time() + 5
        while any(os.path.exists('/proc/%d' % pid) for pid in state['hosts'].values()) and time.time() < deadline:
            time.sleep(0.05)
    subprocess.run(['ip', 'netns', 'delete', SWITCH], stderr=subprocess.DEVNULL, check=False)
    remove_cgroups()
    shutil.rmtree(args.dir, ignore_errors=True)
    print('lab: down')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('command', choices=['up', 'down'])
    parser.add_argument('--hosts', type=int, default=3)
    parser.add_argument('--containers', type=int, default=3, help='demo containers per host')
    parser.add_argument('--dir', default=DEFAULT_DIR)
    args = parser.parse_args()
    if not 1 <= args.hosts <= 200:
        raise SystemExit('lab: --hosts must be 1-200')
    {'up': up, 'down': down}[args.command](args)


if __name__ == '__main__':
    main()
