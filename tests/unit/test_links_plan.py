# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The veth and bridge planners are pure: specs + current views -> actions."""

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._bridge import BridgeResource
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import BridgeSpec, LinkEnd, VethSpec
from ansible_collections.linuxns.net.plugins.module_utils._links import plan_addresses
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError
from ansible_collections.linuxns.net.plugins.module_utils._veth import VethResource


def link(name, netns=None, kind='veth', addresses=(), state='up', master=None, peer=None, **extra):
    view = {'name': name, 'netns': netns, 'kind': kind, 'index': 7, 'mtu': 1500, 'mac': '02:00:00:00:00:07',
            'state': state, 'master': master, 'addresses': list(addresses), 'owned': True}
    if peer is not None:
        view['peer'] = peer
    view.update(extra)
    return view


def descriptions(plan):
    return [a.description for a in plan.actions]


def test_removing_a_primary_reasserts_kept_secondaries():
    end = LinkEnd({'name': 'v', 'addresses': ['10.0.0.3/24']}, '')
    view = link('v', addresses=['10.0.0.2/24', '10.0.0.3/24'])
    actions = plan_addresses(end, view)
    assert [(a.args['command'], a.args['cidr']) for a in actions] == [('del', '10.0.0.2/24'), ('replace', '10.0.0.3/24')]
    assert view['addresses'] == ['10.0.0.3/24']


def test_add_only_keeps_everything():
    end = LinkEnd({'name': 'v', 'addresses': ['10.0.0.3/24'], 'purge_addresses': False}, '')
    view = link('v', addresses=['10.0.0.2/24'])
    assert [a.args['command'] for a in plan_addresses(end, view)] == ['replace']
    assert view['addresses'] == ['10.0.0.2/24', '10.0.0.3/24']


def pair(**params):
    params.setdefault('peer', {'name': 'veth1', 'netns': 'ns1'})
    return VethSpec(dict(name='veth2', **params))


def test_new_pair_is_created_with_its_settings_then_addressed():
    spec = pair(bridge='br0', mtu=1450, peer={'name': 'veth1', 'netns': 'ns1', 'addresses': ['172.18.0.2/24'], 'mtu': 1450})
    current = {'veth2': None, 'ns1/veth1': None,
               '_links': {None: {'br0': link('br0', kind='bridge')}, 'ns1': {}}}
    plan = VethResource(None).plan([spec], current)
    # mtu, bridge and both states go with the create request: no extra round trips
    assert descriptions(plan) == [
        'create veth pair veth2 in the host namespace with peer veth1 in namespace ns1',
        'add address 172.18.0.2/24 to veth1 in namespace ns1',
    ]
    assert plan.actions[0].args == {'netns': None, 'name': 'veth2', 'peer_netns': 'ns1', 'peer_name': 'veth1',
                                    'mtu': 1450, 'master': 'br0', 'up': True, 'peer_up': True}
    assert plan.after['veth2']['master'] == 'br0' and plan.after['ns1/veth1']['state'] == 'up'
    assert plan.assumptions == []


def test_new_pair_with_different_mtus_sets_them_after_create():
    spec = pair(mtu=1400, peer={'name': 'veth1', 'netns': 'ns1'})
    plan = VethResource(None).plan([spec], {'veth2': None, 'ns1/veth1': None, '_links': {None: {}, 'ns1': {}}})
    assert descriptions(plan) == [
        'create veth pair veth2 in the host namespace with peer veth1 in namespace ns1',
        'set mtu of veth2 in the host namespace to 1400',
    ]
    assert plan.actions[0].undo == ('delete', {'netns': None, 'name': 'veth2'})


def test_missing_namespace_and_bridge_become_assumptions():
    current = {'veth2': None, 'ns1/veth1': None, '_links': {None: {}, 'ns1': None}}
    plan = VethResource(None).plan([pair(bridge='br0')], current)
    assert plan.assumptions == ['peer.netns: network namespace ns1 does not exist',
                                'bridge: bridge br0 does not exist in the host namespace']


def test_foreign_kind_is_refused():
    current = {'veth2': link('veth2', kind='tun'), 'ns1/veth1': None, '_links': {}}
    with pytest.raises(ValidationError, match='^name: veth2 in the host namespace is a tun device, not a veth'):
        VethResource(None).plan([pair()], current)


def test_wrong_peer_is_refused_without_recreate():
    current = {'veth2': link('veth2', peer={'name': 'other', 'netns': 'ns2'}),
               'ns1/veth1': None, '_links': {None: {}, 'ns1': {}}}
    with pytest.raises(ValidationError, match='paired with other in ns2, not with veth1 in namespace ns1'):
        VethResource(None).plan([pair()], current)
    plan = VethResource(None).plan([pair(recreate=True)], current)
    assert [a.op for a in plan.actions][:2] == ['delete', 'create']


def test_bridge_with_foreign_ports_needs_force():
    current = {'br0': link('br0', kind='bridge', stp=False, forward_delay=15.0, ports=['eth5'], hairpin=[]),
               '_links': {None: {}}, '_foreign_ports': {'br0': ['eth5']}}
    with pytest.raises(ValidationError, match=r'^force: bridge br0 .* \(eth5\)'):
        BridgeResource(None).plan([BridgeSpec({'name': 'br0', 'state': 'absent'})], current)
    plan = BridgeResource(None).plan([BridgeSpec({'name': 'br0', 'state': 'absent', 'force': True})], current)
    assert descriptions(plan) == ['delete bridge br0 in the host namespace']


@pytest.mark.parametrize('params, message', [
    ({'name': 'br0', 'forward_delay': 1, 'stp': True}, 'forward_delay: with stp on'),
    ({'name': 'br0', 'ports': ['a', 'a']}, "ports: 'a' is listed more than once"),
    ({'name': 'br0', 'hairpin': ['bad/']}, "hairpin: interface name 'bad/'"),
])
def test_bridge_spec_validation(params, message):
    with pytest.raises(ValidationError, match='^' + message):
        BridgeSpec(params)
