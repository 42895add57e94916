# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A plan in one line: counted by kind, in the order create, change,
start, restart, stop, remove."""

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action
from ansible_collections.linuxns.net.plugins.module_utils._summary import summary


def actions(*ops):
    return [Action(op, 'subject %d' % number, 'what', {}) for number, op in enumerate(ops)]


def test_a_container_networks_plan_in_one_line():
    plan = actions('netns.create', 'netns.create', 'netns.loopback', 'veth.create', 'veth.address', 'veth.address',
                   'bridge.create', 'route.route', 'nat.nft', 'workload.start', 'workload.stop_strays',
                   'unveth.delete', 'record.write')
    assert summary(plan) == ('create 2 namespaces, 1 veth, 1 bridge; change 1 loopback, 2 addresses, 1 route, '
                             'the packet filter, the record; start 1 workload; stop 1 stray workload; remove 1 veth')


def test_a_single_modules_plan_and_none():
    assert summary(actions('create', 'sysctl', 'create'), 'namespace') == 'create 2 namespaces; change 1 sysctl'
    assert summary([]) == 'nothing to change'


def test_an_object_counts_once_and_what_is_made_is_not_also_changed():
    plan = [Action('cgroup.mkdir', 'linuxns/c1', 'create (cpu)'), Action('cgroup.mkdir', 'linuxns/c1', 'create (memory)'),
            Action('cgroup.write', 'linuxns/c1', 'set cpu.max'), Action('cgroup.write', 'linuxns/c2', 'set memory.max'),
            Action('bridge.create', 'link/cbr0', 'create'), Action('bridge.set_link', 'link/cbr0', 'attach ve-c1'),
            Action('veth.address', 'link/ve-c1', 'add 10.0.0.2/24'), Action('veth.address', 'link/ve-c1', 'add fd00::2/64'),
            Action('boot.write', 'file /etc/linuxns/boot.json', 'write'), Action('boot.link', 'unit a', 'enable a'),
            Action('boot.reload', 'systemd', 'reload')]
    assert summary(plan) == 'create 1 cgroup, 1 bridge; change 1 cgroup, 2 addresses, the boot unit'
