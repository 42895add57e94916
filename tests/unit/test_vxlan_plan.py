# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vxlan planner is pure: specs + current views -> actions."""

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError
from ansible_collections.linuxns.net.plugins.module_utils._vxlan import VxlanResource, VxlanSpec


def existing(**extra):
    view = {'name': 'vx0', 'netns': None, 'kind': 'vxlan', 'index': 9, 'mtu': 1450, 'mac': '02:00:00:00:00:09',
            'state': 'up', 'master': None, 'addresses': [], 'owned': True, 'vni': 1, 'local': '198.51.100.1',
            'port': 4789, 'dev': 'eth0', 'learning': True, 'peers': ['198.51.100.2', '198.51.100.3']}
    view.update(extra)
    return view


def plan(params, view):
    spec = VxlanSpec(dict({'name': 'vx0', 'vni': 1, 'local': '198.51.100.1', 'dev': 'eth0'}, **params))
    current = {'vx0': view, '_links': {None: {'eth0': {'kind': 'veth'}}}}
    return VxlanResource(None).plan([spec], current)


def test_new_device_is_created_then_configured():
    result = plan({'peers': ['198.51.100.3', '198.51.100.2'], 'addresses': ['10.244.1.0/32']}, None)
    assert [a.description for a in result.actions] == [
        'create vxlan vx0 in the host namespace (vni 1, udp port 4789, local 198.51.100.1, over eth0)',
        'add address 10.244.1.0/32 to vx0 in the host namespace',
        'set state of vx0 in the host namespace to up',
        'add peer 198.51.100.2 to the flood list of vxlan vx0 in the host namespace',
        'add peer 198.51.100.3 to the flood list of vxlan vx0 in the host namespace',
    ]
    assert result.after['vx0']['mtu'] is None  # the kernel's choice: not promised


def test_peers_exact_or_add_only():
    assert [a.args['command'] for a in plan({'peers': ['198.51.100.4']}, existing()).actions] == ['append', 'del', 'del']
    assert [a.args['command'] for a in plan({'peers': ['198.51.100.4'], 'purge_peers': False}, existing()).actions] == [
        'append']
    assert plan({}, existing()).actions == []  # peers not given: left alone


def test_identity_change_needs_recreate():
    with pytest.raises(ValidationError, match="^recreate: vxlan vx0 in the host namespace has vni 1 "
                                              r"\(wanted 2\), port 4789 \(wanted 8472\)"):
        plan({'vni': 2, 'port': 8472}, existing())
    actions = plan({'vni': 2, 'recreate': True}, existing()).actions
    assert [a.op for a in actions[:2]] == ['delete', 'create']


@pytest.mark.parametrize('params, message', [
    ({'vni': None}, 'vni: a vxlan device needs a VNI'),
    ({'local': 'fd00::1', 'peers': ['198.51.100.2']}, 'peers: every peer must be an IPv6 address'),
    ({'peers': ['nope']}, "peers: 'nope' is not an IP address"),
])
def test_validation(params, message):
    with pytest.raises(ValidationError, match='^' + message):
        VxlanSpec(dict({'name': 'vx0', 'vni': 1, 'local': '198.51.100.1'}, **params))
