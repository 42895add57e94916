# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A plan in one line: counted by kind, in the order create, change,
start, restart, stop, remove."""

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action
from ansible_collections.linuxns.net.plugins.module_utils._summary import summary


def actions(*ops):
    return [Action(op, 'subject', 'what', {}) for op in ops]


def test_a_container_networks_plan_in_one_line():
    plan = actions('netns.create', 'netns.create', 'netns.loopback', 'veth.create', 'veth.address', 'veth.address',
                   'bridge.create', 'route.route', 'nat.nft', 'workload.start', 'workload.stop_strays',
                   'unveth.delete', 'record.write')
    assert summary(plan) == ('create 2 namespaces, 1 veth, 1 bridge; change 1 loopback, 2 addresses, 1 route, '
                             'the packet filter, the record; start 1 workload; stop 1 stray workload; remove 1 veth')


def test_a_single_modules_plan_and_none():
    assert summary(actions('create', 'sysctl', 'create'), 'namespace') == 'create 2 namespaces; change 1 sysctl'
    assert summary([]) == 'nothing to change'
