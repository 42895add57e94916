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
import re
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
    assert mermaid.startswith('flowchart LR\n')
    for index, host in enumerate(HOSTS, start=1):
        assert '  subgraph %s["%s"]' % (host, host) in mermaid and 'subgraph "cluster_%s"' % host in dot
        # the lab is dual stack: every address has its IPv6 twin
        assert ('%s_bridge_cbr0{{"bridge cbr0<br/>10.244.%d.0/24<br/>fd00:10:244:%d::/64<br/>gateway 10.244.%d.1<br/>'
                'gateway fd00:10:244:%d::1"}}' % (host, index, index, index, index)) in mermaid
        assert '%s_uplink_eth0(["eth0<br/>%s/24<br/>%s/64"])' % (host, UNDERLAY[host], UNDERLAY6[host]) in mermaid
        assert '%s_uplink_eth0 --- underlay_198_51_100_0_24' % host in mermaid
        assert ('%s_bridge_cbr1{{"bridge cbr1<br/>10.245.%d.0/24<br/>fd00:10:245:%d::/64<br/>gateway 10.245.%d.1<br/>'
                'gateway fd00:10:245:%d::1"}}' % (host, index, index, index, index)) in mermaid
        given = addresses(state, host)
        assert sorted(given) == ['c1', 'c2', 'c3'] and len(given['c2']) == 2
        for n, name in enumerate(sorted(given), start=1):
            lines = [name] + sorted(given[name]) + sorted(twin(cidr) for cidr in given[name]) + ['tcp 808%d → 80' % n]
            assert '%s_netns_%s["%s<br/>cpu 0.5, memory 64M, pids 64"]' % (host, name, '<br/>'.join(lines)) in mermaid
            for inside, end, bridge in INTERFACES[name]:
                assert '%s_netns_%s ---|"%s ↔ %s"| %s_bridge_%s' % (host, name, inside, end, host, bridge) in mermaid
            assert '\\n'.join(lines) in dot


def assert_dot_renders(directory, dot, run):
    if shutil.which('dot'):
        proc = subprocess.run(['dot', '-Tsvg'], input=dot, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr
        with open(os.path.join(directory, 'network.svg')) as handle:
            svg = handle.read()
        assert '<svg' in svg and '10.245.3.3/24' in svg
    else:
        assert 'SVG skipped' in run.task('Say where the picture is')['msg'] and not os.path.exists(os.path.join(directory, 'network.svg'))


def test_graph_of_the_host_gw_lab(ansible, lab, tmp_path):
    inventory, state = lab
    assert ansible.playbook('site.yml', inventory).rc == 0
    directory = str(tmp_path / 'graph')
    run, mermaid, dot = draw(ansible, inventory, directory)
    assert_hosts_bridges_containers(state, mermaid, dot)
    # every pair of hosts joined once per network by its host-gw routes, both ways, bridge to bridge of that network
    for bridge, network in (('cbr0', '244'), ('cbr1', '245')):
        pairs = re.findall(r'^  (host\d)_bridge_%s <-\.->\|"host-gw<br/>([^"]+)"\| (host\d)_bridge_%s$' % (bridge, bridge), mermaid, re.M)
        assert sorted((a, b) for a, _labels, b in pairs) == [('host1', 'host2'), ('host1', 'host3'), ('host2', 'host3')]
        for a, labels, b in pairs:
            assert sorted(labels.split('<br/>')) == sorted(
                ['10.%s.%s.0/24 via %s' % (network, h[-1], UNDERLAY[h]) for h in (a, b)]
                + ['fd00:10:%s:%s::/64 via %s' % (network, h[-1], UNDERLAY6[h]) for h in (a, b)])
    assert '<==>' not in mermaid and dot.count('style=dashed, color="#1f6feb"') == 6
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
        assert '%s_vxlan_lnsvx0[/"vxlan lnsvx0<br/>VNI 1, udp 4789<br/>10.244.%d.0/32<br/>fd00:10:244:%d::/128"/]' % (
            host, index, index) in mermaid
        assert '%s_vxlan_lnsvx0 ---|"udp 4789"| %s_uplink_eth0' % (host, host) in mermaid
    pairs = re.findall(r'^  (host\d)_vxlan_lnsvx0 <==>\|"VXLAN VNI 1"\| (host\d)_vxlan_lnsvx0$', mermaid, re.M)
    assert sorted(pairs) == [('host1', 'host2'), ('host1', 'host3'), ('host2', 'host3')]
    assert 'host-gw' not in mermaid  # the routes go through the overlay now
    assert_dot_renders(directory, dot, run)
