# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The topology filters: network_info facts of many hosts -> one model -> Mermaid and Graphviz."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxns.net.plugins.filter import topology as layout
from ansible_collections.linuxns.net.plugins.filter.topology import (
    FilterModule, topology, topology_dot, topology_mermaid)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- facts as network_info returns them ------------------------------------------

def link(name, index, kind=None, addresses=(), master=None, peer=None, owned=True, **extra):
    view = {'name': name, 'index': index, 'kind': kind, 'addresses': list(addresses), 'master': master,
            'owned': owned, 'alias': None, 'state': 'up', 'mtu': 1500, 'mac': None, 'netns': None}
    if peer is not None:
        view['peer'] = peer
    view.update(extra)
    return view


def peer(netns, ifname, seen=True):
    return {'netns': netns, 'ifname': ifname, 'index': 2, 'seen': seen}


def container(name, address, owned=True):
    return {'name': name, 'owned': owned, 'stale': False, 'links': {
        'lo': link('lo', 1, addresses=['127.0.0.1/8']),
        'eth0': link('eth0', 2, 'veth', [address], peer=peer(None, 've-' + name)),
    }, 'routes': []}


def host_facts(index, mode='routes', peers=(2,), extra_namespaces=None):
    """Host N of a cluster: eth0 198.51.100.1N/24, cbr0 with 10.244.N.1/24, containers c1 and c2."""
    underlay = '198.51.100.1%d' % index
    links = {
        'lo': link('lo', 1, addresses=['127.0.0.1/8']),
        'eth0': link('eth0', 2, 'veth', [underlay + '/24'], peer=peer(None, None, seen=False), owned=False),
        'cbr0': link('cbr0', 3, 'bridge', ['10.244.%d.1/24' % index], ports=['ve-c1', 've-c2']),
        've-c1': link('ve-c1', 4, 'veth', master='cbr0', peer=peer('c1', 'eth0')),
        've-c2': link('ve-c2', 5, 'veth', master='cbr0', peer=peer('c2', 'eth0')),
    }
    routes = [{'dst': '198.51.100.0/24', 'gateway': None, 'dev': 'eth0'},
              {'dst': 'default', 'gateway': '198.51.100.1', 'dev': 'eth0'}]
    if mode == 'routes':
        routes += [{'dst': '10.244.%d.0/24' % p, 'gateway': '198.51.100.1%d' % p, 'dev': 'eth0'} for p in peers]
    else:
        links['lnsvx0'] = link('lnsvx0', 6, 'vxlan', ['10.244.%d.0/32' % index], vxlan={
            'vni': 1, 'port': 4789, 'local': underlay, 'dev': None, 'learning': True,
            'flood': ['198.51.100.1%d' % p for p in peers]})
    namespaces = {'c1': container('c1', '10.244.%d.2/24' % index), 'c2': container('c2', '10.244.%d.3/24' % index)}
    namespaces.update(extra_namespaces or {})
    dnat = {'kind': 'dnat', 'protocol': 'tcp', 'port': '8081', 'to': '10.244.%d.2:80' % index, 'owned': True, 'group': 'cbr0'}
    return {
        'hostname': 'host%d' % index,
        'host': {'name': None, 'forwarding': {'ipv4': True, 'ipv6': False}, 'links': links, 'routes': routes},
        'namespaces': namespaces,
        'nat': {'chains': [], 'groups': {'cbr0': [dnat, {'kind': 'masquerade', 'owned': True, 'group': 'cbr0'}]}, 'foreign': []},
        'cgroups': {'lab/host%d/c1' % index: {
            'name': 'c1', 'parent': 'lab/host%d' % index, 'cpu': 0.5, 'memory': '64M', 'pids_max': 'max', 'members': [42]}},
        'record': {'bridge': 'cbr0', 'subnet': '10.244.%d.0/24' % index, 'gateway': '10.244.%d.1' % index,
                   'addresses': {'c1': '10.244.%d.2/24' % index}},
    }


def cluster(mode='routes'):
    return {'host1': host_facts(1, mode, peers=(2,)), 'host2': host_facts(2, mode, peers=(1,))}


# -- the model -------------------------------------------------------------------

def test_model_of_a_routed_cluster():
    model = topology(cluster())
    host1 = model['hosts'][0]
    assert [h['name'] for h in model['hosts']] == ['host1', 'host2']
    assert [u['name'] for u in host1['uplinks']] == ['eth0']
    assert host1['bridges'] == [{'name': 'cbr0', 'addresses': ['10.244.1.1/24'], 'owned': True,
                                 'subnets': ['10.244.1.0/24'], 'ports': ['ve-c1', 've-c2'], 'network': 'default'}]
    c1 = host1['containers'][0]
    assert (c1['name'], c1['addresses'], c1['interfaces'][0]['host_end'], c1['interfaces'][0]['bridge']) == (
        'c1', ['10.244.1.2/24'], 've-c1', 'cbr0')
    assert c1['ports'] == [{'protocol': 'tcp', 'host_port': '8081', 'container_port': '80', 'host_ip': None}]
    assert c1['limits'] == {'cpu': 0.5, 'memory': '64M'}  # unlimited pids is not a limit
    assert host1['containers'][1]['ports'] == [] and host1['containers'][1]['limits'] is None
    assert model['underlays'] == [{'network': '198.51.100.0/24', 'members': [['host1', 'eth0'], ['host2', 'eth0']]}]
    # one link per pair of hosts, both routes on it
    assert model['links'] == [{'kind': 'host-gw', 'ends': [['host1', 'bridge:cbr0'], ['host2', 'bridge:cbr0']],
                               'labels': ['10.244.2.0/24 via 198.51.100.12', '10.244.1.0/24 via 198.51.100.11']}]


def test_model_of_an_overlay():
    model = topology(cluster('vxlan'))
    assert model['hosts'][0]['vxlans'] == [{'name': 'lnsvx0', 'addresses': ['10.244.1.0/32'], 'owned': True, 'vni': 1,
                                            'port': 4789, 'local': '198.51.100.11', 'flood': ['198.51.100.12'],
                                            'master': None}]
    assert model['links'] == [{'kind': 'vxlan', 'ends': [['host1', 'vxlan:lnsvx0'], ['host2', 'vxlan:lnsvx0']],
                               'labels': ['VXLAN VNI 1']}]


def test_a_flood_entry_to_an_unknown_address_or_another_vni_draws_nothing():
    facts = cluster('vxlan')
    facts['host1']['host']['links']['lnsvx0']['vxlan']['flood'] = ['203.0.113.9']
    facts['host2']['host']['links']['lnsvx0']['vxlan'].update(vni=2, flood=[])
    assert topology(facts)['links'] == []


def test_foreign_and_stale_namespaces_and_veths_between_namespaces():
    lonely = {'name': 'lonely', 'owned': False, 'stale': False, 'links': {
        'lo': link('lo', 1), 'x1': link('x1', 2, 'veth', ['192.168.9.1/30'], peer=peer('c2', 'x2'), owned=False)}}
    gone = {'name': 'gone', 'owned': False, 'stale': True, 'links': None}
    facts = {'host1': host_facts(1, extra_namespaces={'lonely': lonely, 'gone': gone})}
    facts['host1']['namespaces']['c2']['links']['x2'] = link('x2', 3, 'veth', peer=peer('lonely', 'x1'))
    host = topology(facts)['hosts'][0]
    assert [c['name'] for c in host['containers']] == ['c1', 'c2', 'lonely']
    assert host['containers'][2]['owned'] is False
    mermaid = topology_mermaid(facts)
    # drawn once, whichever end it is seen from
    assert len(re.findall(r'host1_netns_(c2|lonely) ---\|"(x2 ↔ x1|x1 ↔ x2)"\| host1_netns_(c2|lonely)', mermaid)) == 1
    assert re.search(r'^  class .*host1_netns_lonely.* foreign$', mermaid, re.M)
    assert 'gone' not in mermaid


def test_facts_given_as_a_list_or_one_host():
    assert [h['name'] for h in topology([host_facts(1), host_facts(2)])['hosts']] == ['host1', 'host2']
    assert [h['name'] for h in topology(host_facts(1))['hosts']] == ['host1']


@pytest.mark.parametrize('bad', [{'host1': None}, {'host1': {'hostname': 'x'}}, 'text', 3])
def test_no_facts_is_a_clear_error(bad):
    with pytest.raises(AnsibleFilterError, match='network_info'):
        topology(bad)


# -- the drawings ----------------------------------------------------------------

def two_networks(index):
    """Host N with the lab's networks: default on cbr0 (isolated), back on cbr1 that admits default."""
    facts = host_facts(index)
    facts['host']['links']['cbr1'] = link('cbr1', 10, 'bridge', ['10.245.%d.1/24' % index, 'fd00:10:245:%d::1/64' % index])
    facts['record']['networks'] = {'back': {'bridge': 'cbr1', 'subnet': '10.245.%d.0/24' % index,
                                            'subnet6': 'fd00:10:245:%d::/64' % index}}
    facts['nat']['groups']['cbr0'] += [
        {'kind': 'isolate', 'rule': '-A LINUXNS-ISOLATION -o cbr0 -m comment --comment linuxns.net:cbr0 -j DROP'},
        {'kind': 'exempt', 'rule': '-A LINUXNS-ISOLATION -i cbr0 -o cbr0 -j RETURN'},
        {'kind': 'isolate', 'rule': 'oifname "cbr1" drop comment "linuxns.net:cbr0"'},  # nftables' syntax
        {'kind': 'exempt', 'rule': 'iifname "cbr0" oifname "cbr1" return'},
        {'kind': 'exempt', 'rule': '! -i cbr1 -o cbr0 -j RETURN'},  # negated: admits no one
    ]
    return facts


def test_networks_are_named_from_the_record_and_their_isolation_read_from_either_backends_rules():
    model = topology({'host1': two_networks(1), 'host2': two_networks(2)})
    assert [(b['name'], b['network']) for b in model['hosts'][0]['bridges']] == [('cbr0', 'default'), ('cbr1', 'back')]
    assert model['hosts'][0]['isolation'] == {'cbr0': ['cbr0'], 'cbr1': ['cbr0']}
    assert model['networks'] == [{'name': 'default', 'slot': 0, 'admits': ['default']},
                                 {'name': 'back', 'slot': 1, 'admits': ['default', 'back']}]
    # a host where back does not admit default: not admitted cluster-wide
    strict = two_networks(3)
    strict['nat']['groups']['cbr0'] = [r for r in strict['nat']['groups']['cbr0'] if 'iifname "cbr0"' not in r.get('rule', '')]
    model = topology({'host1': two_networks(1), 'host3': strict})
    assert model['networks'][1]['admits'] == ['back']
    # no isolation rules: every network admits every other
    assert topology(cluster())['networks'] == [{'name': 'default', 'slot': 0, 'admits': ['default']}]


def test_mermaid_flowchart():
    text = topology_mermaid({'host1': two_networks(1), 'host2': two_networks(2)})
    assert text.startswith('flowchart TB\n')
    # outside and one underlay on top, then one column per host in the order given
    assert text.index('outside>"outside') < text.index('underlay((') < text.index('subgraph host1') < text.index('subgraph host2')
    assert ('underlay(("underlay<br/>198.51.100.0/24<br/>host1 ⇄ host2: host-gw routes of default (IPv4)"))') in text
    assert 'host1_bridge_cbr0{{"default · cbr0<br/>10.244.1.0/24 · gw .1"}}' in text
    assert 'host1_bridge_cbr1{{"back · cbr1<br/>10.245.1.0/24 · gw .1<br/>fd00:10:245:1::/64 · gw ::1"}}' in text
    assert 'host1_netns_c1["c1<br/>eth0 10.244.1.2<br/>cpu 0.5 · memory 64M"]' in text
    assert 'host1_bridge_cbr0 ---|"eth0 ↔ ve-c1"| host1_netns_c1' in text
    assert 'host1_uplink_eth0 -->|"tcp 8081 → 80"| host1_netns_c1' in text  # the published port's path
    assert 'host1_uplink_eth0 -.- host1_bridge_cbr0' in text
    assert 'underlay === host1_uplink_eth0' in text and 'outside === underlay' in text
    assert ('networks["networks: who may connect to whom<br/>default → back ✓<br/>back → default ✗ isolated"]') in text
    assert 'classDef c1f6feb fill:#dbe9ff,stroke:#1f6feb' in text and 'classDef cd18616 fill:#fff1db,stroke:#d18616' in text
    assert re.search(r'^  class host1_bridge_cbr1,host2_bridge_cbr1 cd18616$', text, re.M)
    assert text.count('subgraph') == 2 and text.count('\n  end\n') == 2
    # every edge joins nodes that are declared; every coloured edge is styled
    declared = set(re.findall(r'^ +(\w+)[\[\(\{>]', text, re.M))
    edges = re.findall(r'^  (\w+) [-<=.>]+(?:\|"[^"]*"\|)? (\w+)$', text, re.M)
    for a, b in edges:
        assert a in declared and b in declared
    assert max(int(n) for n in re.findall(r'^  linkStyle (\d+) ', text, re.M)) < len(edges)


def test_mermaid_overlay_and_quotes():
    facts = cluster('vxlan')
    facts['host1']['hostname'] = 'node "one"'
    text = topology_mermaid(facts, direction='LR')
    assert text.startswith('flowchart LR\n')
    assert 'host1 ⇄ host2: VXLAN VNI 1' in text
    assert 'host1_uplink_eth0 ---|"udp 4789"| host1_vxlan_lnsvx0' in text
    assert 'host1_vxlan_lnsvx0 -.- host1_bridge_cbr0' in text
    assert 'subgraph host1["host1 (node #quot;one#quot;)"]' in text


def test_the_underlay_summarises_a_full_mesh_and_caps_the_pairs_it_lists():
    hosts = dict(('host%d' % n, host_facts(n, peers=[p for p in range(1, 5) if p != n])) for n in range(1, 5))
    assert layout._underlay_lines(topology(hosts)) == [
        'underlay', '198.51.100.0/24', 'every pair of the 4 hosts: host-gw routes of default (IPv4)']
    many = dict(('host%d' % n, host_facts(n, peers=[n + 1])) for n in range(1, 9))
    lines = layout._underlay_lines(topology(many))
    assert lines[2] == 'host1 ⇄ host2: host-gw routes of default (IPv4)' and lines[-1] == 'host7 ⇄ host8: host-gw routes of default (IPv4)'
    many['host9'] = host_facts(9, peers=[10])
    many['host10'] = host_facts(10, peers=[1])
    lines = layout._underlay_lines(topology(many))
    assert len(lines) == 2 + layout.PAIR_LINES + 1 and lines[-1] == '… and 2 more pairs'


def test_dot_graph():
    text = topology_dot({'host1': two_networks(1), 'host2': two_networks(2)}, name='lab')
    assert text.startswith('graph "lab" {\n') and text.endswith('}\n')
    assert 'subgraph "cluster_host1" {' in text and text.index('cluster_host1') < text.index('cluster_host2')
    assert 'underlay [label="underlay\\n198.51.100.0/24\\n' in text and 'ordering=out' in text
    assert ('host1_netns_c1 [label="c1\\neth0 10.244.1.2\\ncpu 0.5 · memory 64M", shape=box, color="#1f6feb", '
            'fillcolor="#dbe9ff", style="rounded,filled"];') in text
    assert 'host1_uplink_eth0 -- host1_netns_c1 [penwidth=2, fontcolor="#1a7f37", color="#2da44e", label="tcp 8081 → 80"];' in text
    assert '<font color="#d18616"><b>back</b></font> → <font color="#1f6feb"><b>default</b></font>' in text
    assert text.count('{') == text.count('}')


def test_ids_stay_unique_and_safe():
    facts = {'a-b': host_facts(1), 'a_b': host_facts(2)}
    text = topology_mermaid(facts)
    assert 'subgraph a_b["a-b (host1)"]' in text and 'subgraph a_b_2["a_b (host2)"]' in text
    assert 'a_b_netns_c1["c1<br/>eth0 10.244.1.2' in text and 'a_b_netns_c1_2["c1<br/>eth0 10.244.2.2' in text


@pytest.mark.skipif(not shutil.which('dot'), reason="Graphviz's dot is not installed")
@pytest.mark.parametrize('mode', ['routes', 'vxlan'])
def test_dot_parses_with_graphviz(mode):
    proc = subprocess.run(['dot', '-Tsvg'], input=topology_dot(cluster(mode)), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    assert '<svg' in proc.stdout and 'eth0 10.244.1.2' in proc.stdout


def test_filters_are_registered_and_documented():
    assert sorted(FilterModule().filters()) == ['topology', 'topology_dot', 'topology_mermaid']
    root = next(p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'linuxns', 'net')))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root, ANSIBLE_NOCOLOR='1')
    for name in ('topology', 'topology_mermaid', 'topology_dot'):
        proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '-t', 'filter',
                               'linuxns.net.' + name], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, check=False)
        assert proc.returncode == 0 and 'EXAMPLES' in proc.stdout and '[WARNING]' not in proc.stdout, proc.stdout


def test_a_routed_container_and_a_veth_pair_on_the_host():
    facts = host_facts(1, extra_namespaces={'r': {'name': 'r', 'owned': True, 'stale': False, 'links': {
        'eth0': link('eth0', 2, 'veth', ['10.9.0.2/30'], peer=peer(None, 'vr-r'))}}})
    links = facts['host']['links']
    links['vr-r'] = link('vr-r', 7, 'veth', ['10.9.0.1/30'], peer=peer('r', 'eth0'))
    links['pa'] = link('pa', 8, 'veth', ['10.8.0.1/30'], peer=peer(None, 'pb'))
    links['pb'] = link('pb', 9, 'veth', ['10.8.0.2/30'], peer=peer(None, 'pa'))
    host = topology(facts)['hosts'][0]
    assert [v['name'] for v in host['veths']] == ['vr-r', 'pa', 'pb']
    assert [u['name'] for u in host['uplinks']] == ['eth0']
    text = topology_mermaid(facts)
    assert 'host1_veth_vr_r(["vr-r<br/>10.9.0.1"])' in text
    assert 'host1_veth_vr_r ---|"eth0"| host1_netns_r' in text
    assert text.count('host1_veth_pa --- host1_veth_pb') == 1 and 'host1_veth_pb --- host1_veth_pa' not in text


def test_a_route_to_another_hosts_subnet_starts_at_the_bridge_of_the_same_network():
    host = {'bridges': [{'name': 'cbr0', 'subnets': ['10.244.1.0/24', 'fd00:10:244:1::/64']},
                        {'name': 'cbr1', 'subnets': ['10.245.1.0/24', 'fd00:10:245:1::/64']}]}
    assert [layout._home(host, 'eth0', dst) for dst in ('10.244.2.0/24', '10.245.2.0/24', 'fd00:10:245:2::/64', '192.168.0.0/24')] == [
        'bridge:cbr0', 'bridge:cbr1', 'bridge:cbr1', 'bridge:cbr0']
    assert layout._home({'bridges': []}, 'eth0', '10.244.2.0/24') == 'uplink:eth0'


def test_a_published_port_label_says_its_host_address_and_range():
    assert layout._published({'protocol': 'udp', 'host_port': '53', 'container_port': '5353', 'host_ip': '127.0.0.1'}) \
        == 'udp 127.0.0.1:53 → 5353'
    assert layout._published({'protocol': 'tcp', 'host_port': '8000:8009', 'container_port': '8000-8009',
                              'host_ip': 'fd00::1'}) == 'tcp [fd00::1]:8000-8009 → 8000-8009'


def test_a_declared_mac_is_drawn_and_a_kernel_made_one_is_not():
    """The record's `macs` (what container_network was asked for) label the
    interface; c2's MAC, made by the kernel, changes with every new veth."""
    facts = host_facts(1)
    facts['namespaces']['c2']['links']['eth0']['mac'] = '5e:11:22:33:44:55'
    facts['record']['macs'] = {'c1': {'eth0': '02:42:ac:11:00:02'}}
    model = topology({'host1': facts})
    assert [[i['mac'] for i in c['interfaces']] for c in model['hosts'][0]['containers']] == [['02:42:ac:11:00:02'], [None]]
    text = topology_dot({'host1': facts})
    assert 'label="c1\\neth0 10.244.1.2\\neth0 mac 02:42:ac:11:00:02\\ncpu 0.5 · memory 64M"' in text
    assert '5e:11:22' not in text and '5e:11:22' not in topology_mermaid({'host1': facts})
    assert 'eth0 mac 02:42:ac:11:00:02' in topology_mermaid({'host1': facts})
