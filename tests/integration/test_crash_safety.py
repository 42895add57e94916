# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_network when a run is killed, runs overlap, or a container's
settings change: the next run always puts the host right."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import yaml

from conftest import Ansible
from firewalls import descendants
from kernel import RUN_NETNS, connect, netns_list, ping, sh
from test_container_network import host, network, record, snapshot, workload  # noqa: F401  pylint: disable=unused-import


def test_a_changed_fixed_address_converges_with_its_default_route(ansible, host):
    containers = [{'name': 'web', 'address': '10.88.0.5'}, {'name': 'db'}]
    assert ansible.play(network(host, containers)).rc == 0
    containers[0]['address'] = '10.88.0.6'
    check = ansible.play(network(host, containers), check=True)
    run = ansible.play(network(host, containers))
    assert run.rc == 0, run.output
    assert run.task('net')['actions'] == check.task('net')['actions']
    assert sh('ip -n web -br addr show eth0').split()[2] == '10.88.0.6/24'
    assert 'default via 10.88.0.1' in sh('ip -n web route')
    assert ping('db', '10.88.0.6') and record(host)['addresses']['web'] == '10.88.0.6/24'
    assert ansible.play(network(host, containers)).changed == []


def inside(*names):
    """Each container's addresses and routes."""
    return sh('; '.join('ip -n %s -br addr; ip -n %s route; ip -n %s -6 route' % (n, n, n) for n in names))


def test_a_failed_run_that_changed_an_address_rolls_back_to_the_exact_previous_state(ansible, host):
    containers = [{'name': 'web', 'address': '10.88.0.5'}, {'name': 'db'}]
    assert ansible.play(network(host, containers)).rc == 0
    before = snapshot() + inside('web', 'db')
    changed = [dict(containers[0], address='10.88.0.6'), containers[1], {'name': 'cpus', 'limits': {'cpuset_cpus': '999'}}]
    run = ansible.play(network(host, changed))
    assert run.failed == ['net'] and run.task('net')['not_rolled_back'] == [], run.output
    assert 'remove address 10.88.0.5/24 from eth0 in namespace web' in run.task('net')['rolled_back']
    assert snapshot() + inside('web', 'db') == before


def test_a_changed_subnet_moves_every_container_with_its_routes_in_both_families(ansible, host):
    containers = [{'name': 'web'}, {'name': 'db', 'address': '10.88.0.20'}]
    dual = dict(host, subnet6='fd00:88::/64')
    assert ansible.play(network(dual, containers)).rc == 0
    moved = dict(subnet='10.89.0.0/24', subnet6='fd00:89::/64')
    containers[1]['address'] = '10.89.0.20'
    check = ansible.play(network(dual, containers, **moved), check=True)
    run = ansible.play(network(dual, containers, **moved))
    assert run.rc == 0, run.output
    assert run.task('net')['actions'] == check.task('net')['actions']
    routes = inside('web', 'db')
    assert routes.count('default via 10.89.0.1 dev eth0') == 2 and routes.count('default via fd00:89::1 dev eth0') == 2
    assert '10.88.' not in routes and 'fd00:88:' not in routes
    assert ping('web', '10.89.0.20') and ping('db', 'fd00:89::2')
    assert ansible.play(network(dual, containers, **moved)).changed == []

    moved['gateway'] = '10.89.0.254'  # and then the gateway alone
    run = ansible.play(network(dual, containers, **moved))
    assert run.rc == 0, run.output
    assert inside('web', 'db').count('default via 10.89.0.254 dev eth0') == 2 and ping('web', '10.89.0.254')
    assert ansible.play(network(dual, containers, **moved)).changed == []


# -- killed runs ----------------------------------------------------------------

# In the command of this module's workloads: another sandbox's (the suite's other half) are not ours to count
MARK = 'lnstest-crash-%d' % os.getpid()


def marked(name):
    return '%s  # %s' % (workload(name), MARK)


def state_a():
    return [{'name': 'web', 'command': marked('web'), 'ports': [{'host': 8080, 'container': 80}],
             'limits': {'pids_max': 64}},
            {'name': 'db', 'address': '10.88.0.20'}]


def state_b():
    return [{'name': 'web', 'command': marked('www'), 'ports': [{'host': 8081, 'container': 80}],
             'limits': {'pids_max': 64}},
            {'name': 'db', 'address': '10.88.0.21'},
            {'name': 'new1', 'command': marked('new1'), 'limits': {'pids_max': 32}},
            {'name': 'new2', 'ports': [{'host': 9000, 'container': 80}]}]


def workload_processes():
    """{namespace name or 'elsewhere': count} of this module's workload
    processes (unshare with the options the module starts them with, and
    MARK in the command)."""
    inodes = dict((os.stat(os.path.join(RUN_NETNS, n)).st_ino, n) for n in netns_list())
    found = {}
    for entry in [e for e in os.listdir('/proc') if e.isdigit()]:
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                argv = handle.read().split(b'\0')
            inode = os.stat('/proc/%s/ns/net' % entry).st_ino
        except OSError:
            continue
        if os.path.basename(argv[0]) == b'unshare' and b'--kill-child' in argv and MARK.encode() in argv[-2]:
            where = inodes.get(inode, 'elsewhere')
            found[where] = found.get(where, 0) + 1
    return found


def settled(containers):
    """The host holds exactly `containers`: their namespaces, host ends,
    one workload each where a command is given, their cgroups - nothing more."""
    names = sorted(c['name'] for c in containers)
    assert netns_list() == sorted(names + ['outside'])
    ends = sorted(line.split('@')[0] for line in sh('ip -br link').split() if line.startswith('ve-'))
    assert ends == ['ve-' + n for n in names]
    assert workload_processes() == dict((c['name'], 1) for c in containers if c.get('command'))
    assert record_names() == names


def record_names():
    return sorted(json.loads(open(os.path.join(STATE['dir'], 'containers.json')).read())['containers'])


STATE = {}


def kill_points(ansible, host):
    """Where a run of state_b over state_a is killed: after the Nth applied
    action - the first two, a quarter, half, three quarters, the last but
    one - and between starting a workload and writing its pid file.
    LINUXNS_KILL_POINTS=all tries after every action (the closing note's sweep)."""
    assert ansible.play(network(host, state_a())).rc == 0
    count = len(ansible.play(network(host, state_b()), check=True).task('net')['actions'])
    counts = range(1, count) if os.environ.get('LINUXNS_KILL_POINTS') == 'all' else \
        sorted(set([1, 2, count // 4, count // 2, 3 * count // 4, count - 1]))
    return ['action:%d' % n for n in counts] + ['workload-started']


def test_a_run_killed_at_any_point_is_put_right_by_the_next_run_of_either_state(ansible, host):
    """SIGKILL mid-apply (the module dies where LINUXNS_FAILPOINT says; its
    workloads live on, as after a kill of the tree that spares them), then
    a run of the previous or the new state: it converges exactly, the next
    run changes nothing, and no namespace, veth, workload process or record
    entry is left over."""
    STATE['dir'] = host['state_dir']
    tried = []
    for index, point in enumerate(kill_points(ansible, host)):
        assert ansible.play(network(host, state_a())).rc == 0
        settled(state_a())
        killed = ansible.play(network(host, state_b()), environment={'LINUXNS_FAILPOINT': point})
        assert killed.rc != 0 and 'net' in killed.failed, (point, killed.output)
        target = state_a() if index % 2 else state_b()
        run = ansible.play(network(host, target))
        assert run.rc == 0, (point, run.output)
        assert ansible.play(network(host, target)).changed == [], point
        settled(target)
        tried.append(point)
    assert ansible.play(network(host, [], state='absent')).rc == 0
    assert workload_processes() == {} and netns_list() == ['outside']
    print('kill points tried: %s' % ', '.join(tried))


def test_a_whole_process_tree_killed_mid_apply_leaks_nothing(ansible, host):
    """The whole tree - ansible-playbook, its worker, the module (which runs
    in a session of its own) and what it started - SIGKILLed as soon as the
    first new namespace exists; a rerun of the previous state prunes it all."""
    STATE['dir'] = host['state_dir']
    assert ansible.play(network(host, state_a())).rc == 0
    playbook = os.path.join(str(ansible.workdir), 'killed.yml')
    with open(playbook, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                         'vars': {'ansible_python_interpreter': sys.executable}, 'tasks': network(host, state_b())}], handle)
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', playbook],
                            env=ansible.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while 'new1' not in netns_list() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    tree = descendants(proc.pid)
    for pid in [proc.pid] + tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    assert 'new1' in netns_list()  # it was mid-apply
    assert ansible.play(network(host, state_a())).rc == 0
    assert ansible.play(network(host, state_a())).changed == []
    settled(state_a())

    killed = ansible.play(network(host, state_b()), environment={'LINUXNS_FAILPOINT': 'action:4'})
    assert killed.failed == ['net']
    gone = ansible.play(network(host, [], state='absent'))  # straight from a killed run to absent
    assert gone.rc == 0, gone.output
    assert netns_list() == ['outside'] and workload_processes() == {}
    assert [line for line in sh('ip -br link').split() if line.startswith(('ve-', 'cbr0'))] == []


# -- runs at once ---------------------------------------------------------------

@pytest.mark.parametrize('runs', [2, 3])
def test_runs_at_once_take_turns_and_the_last_one_changes_nothing(tmp_path, collections_path, host, runs):
    """Two or three playbooks converging the same host at the same moment:
    one writes while the others wait on the host lock; each then plans from
    what the one before left, and every one succeeds."""
    STATE['dir'] = host['state_dir']
    players = [Ansible(str(tmp_path / ('player%d' % n)), collections_path) for n in range(runs)]
    for player in players:
        os.makedirs(player.workdir)
    results = [None] * runs

    def play(n):
        results[n] = players[n].play(network(host, state_b()))
    threads = [threading.Thread(target=play, args=(n,)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.rc for r in results] == [0] * runs, [r.output for r in results if r.rc]
    assert sorted(bool(r.changed) for r in results) == [False] * (runs - 1) + [True]
    settled(state_b())


# -- short forms ------------------------------------------------------------------

def test_containers_by_name_ports_and_commands_as_docker_writes_them(ansible, host):
    """`containers: [db]`, `ports: ["8080:80", "8053:53/udp"]` and a command
    as a list (exec form) mean what they mean to a Docker user."""
    containers = ['db', {'name': 'web', 'ports': ['8080:80', '8053:53/udp'],
                         'command': ['sh', '-c', 'exec %s' % marked('web')]}]
    run = ansible.play(network(host, containers))
    assert run.rc == 0, run.output
    web = [c for c in run.task('net')['containers'] if c['name'] == 'web'][0]
    assert web['ports'] == [{'protocol': 'tcp', 'host': 8080, 'container': 80, 'host_ip': None},
                            {'protocol': 'udp', 'host': 8053, 'container': 53, 'host_ip': None}]
    assert netns_list() == ['db', 'outside', 'web'] and workload_processes() == {'web': 1}
    assert connect('db', '10.88.0.1', 8080).startswith('web ')  # published, reached through the host
    assert ansible.play(network(host, containers)).changed == []
