# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reach: the managed-host Pythons and pyroute2 versions people have.

Every module runs and converges on the Python running these tests (3.13 in
the integration stage, 3.9 in the compat stage) and reruns unchanged on each
other managed-host Python that scripts/compat provides
(.venv-compat-hosts/py3.10, py3.11, py3.12), and a host with Debian 12's
pyroute2 0.7 gets a clear message before any change.  Whichever ansible-core
runs the tests (2.21 in the integration stage, 2.14 in the compat stage), no
run may warn that it does not support the collection."""

import os
import subprocess
import sys

import pytest

from conftest import REPO
from kernel import netns_list, remove_cgroups, sh

HOSTS = os.path.join(REPO, '.venv-compat-hosts')
OLD_PYROUTE2 = os.path.join(HOSTS, 'pyroute2-0.7', 'bin', 'python')
UNSUPPORTED = 'does not support Ansible version'


def interpreters():
    """(this Python, [the other managed-host Pythons]): those of
    .venv-compat-hosts that scripts/compat made (else this one again)."""
    others = [os.path.join(HOSTS, 'py3.%d' % minor, 'bin', 'python') for minor in (10, 11, 12)]
    others = [python for python in others if os.path.exists(python)]
    return sys.executable, others or [sys.executable]


def every_module(parent, state='present'):
    """One task of each module: a bridge network of two namespaces with routes,
    NAT, a cgroup and an overlay device, then probes and facts."""
    present = state == 'present'
    if not present:
        return [
            {'name': 'vxlan', 'linuxns.net.vxlan': {'name': 'cpvx0', 'state': 'absent'}},
            {'name': 'cgroup_limit', 'linuxns.net.cgroup_limit': {'name': 'cpa', 'parent': parent, 'state': 'absent'}},
            {'name': 'nat_rule', 'linuxns.net.nat_rule': {'group': 'compat', 'purge': True, 'state': 'absent'}},
            {'name': 'bridge', 'linuxns.net.bridge': {'name': 'cpbr0', 'state': 'absent'}},
            {'name': 'netns', 'linuxns.net.netns': {'name': ['cpa', 'cpb'], 'state': 'absent'}},
        ]
    return [
        {'name': 'netns', 'linuxns.net.netns': {'name': ['cpa', 'cpb']}},
        {'name': 'bridge', 'linuxns.net.bridge': {'name': 'cpbr0', 'addresses': ['10.79.0.1/24']}},
        {'name': 'veth', 'linuxns.net.veth': {'pairs': [
            {'name': 'cpv-a', 'bridge': 'cpbr0', 'peer': {'name': 'eth0', 'netns': 'cpa', 'addresses': ['10.79.0.2/24']}},
            {'name': 'cpv-b', 'bridge': 'cpbr0', 'peer': {'name': 'eth0', 'netns': 'cpb', 'addresses': ['10.79.0.3/24']}}]}},
        {'name': 'netns_route', 'linuxns.net.netns_route': {'routes': [
            {'netns': 'cpa', 'dst': 'default', 'gateway': '10.79.0.1'},
            {'netns': 'cpb', 'dst': 'default', 'gateway': '10.79.0.1'}]}},
        {'name': 'nat_rule', 'linuxns.net.nat_rule': {'group': 'compat', 'purge': True, 'rules': [
            {'kind': 'masquerade', 'source': '10.79.0.0/24', 'out_interface': '!cpbr0'},
            {'kind': 'dnat', 'port': 8079, 'to': '10.79.0.2:80'}]}},
        {'name': 'cgroup_limit', 'linuxns.net.cgroup_limit': {'name': 'cpa', 'parent': parent, 'netns': 'cpa',
                                                              'memory': '64M', 'pids_max': '20'}},
        {'name': 'vxlan', 'linuxns.net.vxlan': {'name': 'cpvx0', 'vni': 79, 'local': '10.79.0.1',
                                                'peers': ['10.79.0.8', '10.79.0.9']}},
        {'name': 'reachability', 'linuxns.net.reachability': {'sources': ['cpa', 'cpb'],
                                                              'targets': ['10.79.0.1', '10.79.0.2', '10.79.0.3']}},
        {'name': 'network_info', 'linuxns.net.network_info': {'netns': ['cpa', 'cpb'], 'cgroup_parents': [parent]},
         'register': 'info'},
    ]


def container_network(state_dir, parent, state='present'):
    return [{'name': 'container_network', 'linuxns.net.container_network': {
        'bridge': 'cpcbr0', 'subnet': '10.78.0.0/24', 'state_dir': state_dir, 'cgroup_parent': parent, 'state': state,
        'containers': [{'name': 'cpweb', 'ports': [{'host': 8078, 'container': 80}],
                        'limits': {'cpu': '0.5', 'memory': '64M', 'pids_max': '32'}},
                       {'name': 'cpdb'}]}}]


@pytest.fixture
def parent():
    name = 'lnstest-compat-%d' % os.getpid()
    yield name
    sh('ip link del cpvx0; ip link del cpbr0; ip link del cpcbr0', check=False)
    sh('iptables-save | grep -v linuxns.net:compat | iptables-restore', check=False)
    remove_cgroups(name)


def supported(run):
    assert UNSUPPORTED not in run.output, run.output
    return run


def on(python, tasks):
    """tasks, each run by `python` on the managed host."""
    return [dict(task, vars={'ansible_python_interpreter': python}) for task in tasks]


def test_every_module_on_every_managed_python(ansible, parent, tmp_path):
    """Each module converges on one managed-host Python and finds nothing to
    change when run again on each other one (they read the same state the
    same way); the one-call module likewise; then all of it is removed."""
    first, others = interpreters()
    facts = [{'name': 'python', 'ansible.builtin.setup': {'gather_subset': ['!all', '!min', 'python']}}]
    run = supported(ansible.play(on(first, facts + every_module(parent))))
    assert run.rc == 0, run.output
    assert run.task('python')['ansible_facts']['ansible_python']['executable'] == first
    made = {'netns', 'bridge', 'veth', 'netns_route', 'nat_rule', 'cgroup_limit', 'vxlan'}
    assert run.failed == [] and set(run.changed) == made, run.output
    assert {'cpa', 'cpb'} <= set(run.task('network_info')['network']['namespaces']), run.output
    assert sh('ip netns exec cpa ping -c 1 -W 2 10.79.0.3').count('1 received') == 1
    assert 'linuxns.net:compat' in sh('iptables-save -t nat')

    for second in others:
        run = supported(ansible.play(on(second, facts + every_module(parent))))
        assert run.rc == 0 and run.changed == [], run.output
        assert run.task('python')['ansible_facts']['ansible_python']['executable'] == second

    state_dir = str(tmp_path / 'state')
    both = [dict(task, name='%s on %d' % (task['name'], number))
            for number, python in enumerate([first] + others, start=1)
            for task in on(python, container_network(state_dir, parent))]
    run = supported(ansible.play(both))
    assert run.rc == 0 and run.changed == ['container_network on 1'], run.output
    assert {'cpweb', 'cpdb'} <= set(netns_list())

    run = supported(ansible.play(on(second, container_network(state_dir, parent, 'absent') +
                                    every_module(parent, 'absent'))))
    assert run.rc == 0, run.output
    assert netns_list() == [] and 'linuxns.net:compat' not in sh('iptables-save -t nat')
    assert not os.path.exists('/sys/class/net/cpbr0') and not os.path.exists('/sys/class/net/cpcbr0')


@pytest.mark.skipif(not os.path.exists(OLD_PYROUTE2), reason='no %s (made by scripts/compat)' % OLD_PYROUTE2)
def test_debian_pyroute2_0_7_gets_a_clear_message_before_any_change(ansible, parent, tmp_path):
    """Debian 12's python3-pyroute2 is 0.7: the netlink modules name the version
    and what they need, and change nothing; nat_rule, which never needs pyroute2, works."""
    found = subprocess.run([OLD_PYROUTE2, '-c', 'import pyroute2; print(pyroute2.__version__)'],
                           stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
    assert found.startswith('0.7.')
    args = ['-e', 'ansible_python_interpreter=%s' % OLD_PYROUTE2]
    tasks = [dict(task, ignore_errors=True) for task in
             container_network(str(tmp_path / 'state'), parent) + every_module(parent)[:1]]
    run = supported(ansible.play(tasks, extra_args=args))
    assert run.failed == ['container_network', 'netns'], run.output
    for name in run.failed:
        assert 'pyroute2 %s is too old, need >= 0.9' % found in run.task(name)['msg'], run.output
    assert netns_list() == [] and not os.path.exists('/sys/class/net/cpbr0')
    assert not os.path.exists('/sys/class/net/cpcbr0') and 'LINUXNS' not in sh('iptables-save')

    nat = [task for task in every_module(parent) if task['name'] == 'nat_rule']
    run = supported(ansible.play(nat, extra_args=args))
    assert run.rc == 0 and run.changed == ['nat_rule'], run.output
    assert 'linuxns.net:compat' in sh('iptables-save -t nat')
    run = supported(ansible.play(every_module(parent, 'absent')[2:3], extra_args=args))
    assert run.rc == 0 and 'linuxns.net:compat' not in sh('iptables-save -t nat'), run.output
