# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/graph.yml on the built-in lab (3 hosts x 3 containers on the
default network and `back`): the picture holds every host, bridge,
container with its addresses, published port and the links between the
hosts, in host-gw and in VXLAN mode."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from kernel import sh

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(REPO, 'scripts', 'lab.py')
HOSTS = ['host1', 'host2', 'host3']
UNDERLAY = {'host1': '198.51.100.11', 'host2': '198.51.100.12', 'host3': '198.51.100.13'}
UNDERLAY6 = {'host1': '2001:db8:5100::b', 'host2': '2001:db8:5100::c', 'host3': '2001:db8:5100::d'}
# the lab's containers' interfaces: (inside, host end, bridge); c2 is on both networks, c3 on back only
INTERFACES = {'c1': [('eth0', 've-c1', 'cbr0')], 'c2': [('eth0', 've-c2', 'cbr0'), ('eth1', 'v1-c2', 'cbr1')],
              'c3': [('eth0', 'v1-c3', 'cbr1')]}


@pytest.fixture
def lab(tmp_path):
    directory = str(tmp_path / 'lab')
    subprocess.run([sys.executable, LAB, 'up', '--hosts', '3', '--containers', '3', '--dir', directory], check=True)
    with open(os.path.join(directory, 'lab.json')) as handle:
        state = json.load(handle)
    yield os.path.join(directory, 'inventory.yml'), state
    subprocess.run([sys.executable, LAB, 'down', '--dir', directory], check=True)


def addresses(state, host):
    """Each container's addresses as the host recorded them, on every network: {name: [CIDR...]}."""
    record = json.loads(sh('nsenter --target %d --net --mount -- cat /var/lib/linuxns/containers.json' % state['hosts'][host]))
    given = {}
    for network in [record] + list(record['networks'].values()):
        for name, cidr in network['addresses'].items():
            given.setdefault(name, []).append(cidr)
    return given


def twin(cidr):
    """The lab's IPv6 twin of a container address: 10.24N.H.X/24 is fd00:10:24N:H::X/64."""
    first, second, host, last = cidr.split('/')[0].split('.')
    return 'fd00:%s:%s:%s::%x/64' % (first, second, host, int(last))


def draw(ansible, inventory, directory, *extra):
    run = ansible.playbook('graph.yml', inventory, extra_args=['-e', 'graph_dir=%s' % directory] + list(extra))
    assert run.rc == 0, run.output
    with open(os.path.join(directory, 'network.mmd')) as handle:
        mermaid = handle.read()
    with open(os.path.join(directory, 'network.dot')) as handle:
        dot = handle.read()
    return run, mermaid, dot


def assert_hosts_bridges_containers(state, mermaid, dot):
    assert mermaid.startswith('flowchart TB\n')
    # one column per host, in the inventory's order, under the outside and the one underlay
    assert mermaid.index('outside>') < mermaid.index('underlay((') < mermaid.index('subgraph host1[') < \
        mermaid.index('subgraph host2[') < mermaid.index('subgraph host3[')
    for index, host in enumerate(HOSTS, start=1):
        assert '  subgraph %s["%s"]' % (host, host) in mermaid and 'subgraph "cluster_%s"' % host in dot
        # the lab is dual stack: every address has its IPv6 twin; networks are named from the record
        for bridge, network, octet in (('cbr0', 'default', 244), ('cbr1', 'back', 245)):
            assert '%s_bridge_%s{{"%s · %s<br/>10.%d.%d.0/24 · gw .1<br/>fd00:10:%d:%d::/64 · gw ::1"}}' % (
                host, bridge, network, bridge, octet, index, octet, index) in mermaid
        assert '%s_uplink_eth0(["eth0<br/>%s<br/>%s"])' % (host, UNDERLAY[host], UNDERLAY6[host]) in mermaid
        assert 'underlay === %s_uplink_eth0' % host in mermaid
        given = addresses(state, host)
        assert sorted(given) == ['c1', 'c2', 'c3'] and len(given['c2']) == 2
        for n, name in enumerate(sorted(given), start=1):
            lines = [name]
            for (inside, end, bridge), cidr in zip(INTERFACES[name], sorted(given[name])):
                lines += ['%s %s' % (inside, cidr.split('/')[0]), twin(cidr).split('/')[0]]
                assert '%s_bridge_%s ---|"%s ↔ %s"| %s_netns_%s' % (host, bridge, inside, end, host, name) in mermaid
            assert '%s_netns_%s["%s<br/>cpu 0.5 · memory 64M · pids 64"]' % (host, name, '<br/>'.join(lines)) in mermaid
            assert '\\n'.join(lines) in dot
            # the published port's path: from the host's uplink to the container
            assert '%s_uplink_eth0 -->|"tcp 808%d → 80"| %s_netns_%s' % (host, n, host, name) in mermaid
    # who may connect to whom, read from the isolation rules on the hosts
    assert 'networks["networks: who may connect to whom<br/>default → back ✓<br/>back → default ✗ isolated"]' in mermaid


def assert_dot_renders(directory, dot, run):
    if shutil.which('dot'):
        proc = subprocess.run(['dot', '-Tsvg'], input=dot, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr
        with open(os.path.join(directory, 'network.svg')) as handle:
            svg = handle.read()
        assert '<svg' in svg and 'eth0 10.245.3.3' in svg
    else:
        assert 'SVG skipped' in run.task('Say where the picture is')['msg'] and not os.path.exists(os.path.join(directory, 'network.svg'))


def test_graph_of_the_host_gw_lab(ansible, lab, tmp_path):
    inventory, state = lab
    assert ansible.playbook('site.yml', inventory).rc == 0
    directory = str(tmp_path / 'graph')
    run, mermaid, dot = draw(ansible, inventory, directory)
    assert_hosts_bridges_containers(state, mermaid, dot)
    # one line says how every pair of hosts is joined
    assert 'every pair of the 3 hosts: host-gw routes of default, back (IPv4, IPv6)' in mermaid
    assert '⇄' not in mermaid and 'VXLAN' not in mermaid
    # the README's picture is this one
    with open(os.path.join(REPO, 'docs', 'lab-network.dot')) as handle:
        assert handle.read() == dot, ('docs/lab-network.dot (the README picture) is not what the lab draws now: '
                                      'scripts/demo draws it; copy network.dot and network.svg to docs/lab-network.*')
    assert_dot_renders(directory, dot, run)
    assert run.task('Say where the picture is')['msg'] == '%s: network.mmd (Mermaid), network.dot (Graphviz)%s' % (
        directory, ', network.svg' if shutil.which('dot') else '; SVG skipped: Graphviz dot is not installed')

    # without Graphviz: the Mermaid and the .dot, and a word that the SVG was skipped
    bare = str(tmp_path / 'bare')
    run, mermaid_again, _dot = draw(ansible, inventory, bare, '-e', 'graph_dot=/nonexistent/dot')
    assert mermaid_again == mermaid
    assert run.task('Say where the picture is')['msg'].endswith('; SVG skipped: Graphviz dot is not installed')
    assert sorted(os.listdir(bare)) == ['network.dot', 'network.mmd']


def test_graph_of_the_vxlan_lab(ansible, lab, tmp_path):
    inventory, state = lab
    assert ansible.playbook('site.yml', inventory, extra_args=['-e', 'cluster_network_mode=vxlan']).rc == 0
    directory = str(tmp_path / 'graph')
    run, mermaid, dot = draw(ansible, inventory, directory)
    assert_hosts_bridges_containers(state, mermaid, dot)
    for index, host in enumerate(HOSTS, start=1):
        assert '%s_vxlan_lnsvx0[/"vxlan lnsvx0<br/>VNI 1, udp 4789<br/>10.244.%d.0<br/>fd00:10:244:%d::"/]' % (
            host, index, index) in mermaid
        assert '%s_uplink_eth0 ---|"udp 4789"| %s_vxlan_lnsvx0' % (host, host) in mermaid
    assert 'every pair of the 3 hosts: VXLAN VNI 1' in mermaid
    assert 'host-gw' not in mermaid  # the routes go through the overlay now
    assert_dot_renders(directory, dot, run)
