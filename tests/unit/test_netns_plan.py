# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netns planner is pure: given desired specs and a current state it
returns actions; no kernel needed."""

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._netns import NamespaceSpec, NetnsResource
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def view(name, inode=100, lo='up', owned=True, v4=False, v6=False):
    return {'name': name, 'id': inode, 'lo': lo, 'owned': owned, 'forwarding': {'ipv4': v4, 'ipv6': v6}}


def plan(specs, current):
    return NetnsResource(seam=None).plan(specs, current)


def ops(p):
    return [(a.op, a.subject) for a in p.actions]


def test_create_missing_keep_existing():
    p = plan([NamespaceSpec('a'), NamespaceSpec('b')], {'netns/a': None, 'netns/b': view('b')})
    assert ops(p) == [('create', 'netns/a')]
    assert p.actions[0].undo == ('remove', {'name': 'a'})
    assert p.after['netns/a']['owned'] is True and p.after['netns/a']['id'] is None
    assert p.after['netns/b'] == view('b')


def test_absent_removes_and_can_restore():
    p = plan([NamespaceSpec('a', 'absent'), NamespaceSpec('gone', 'absent')],
             {'netns/a': view('a'), 'netns/gone': None})
    assert ops(p) == [('remove', 'netns/a')]
    assert p.actions[0].undo == ('restore', {'name': 'a'})
    assert p.after == {'netns/a': None, 'netns/gone': None}


def test_stale_entry_is_replaced():
    p = plan([NamespaceSpec('s')], {'netns/s': {'name': 's', 'id': None, 'stale': True}})
    assert ops(p) == [('remove', 'netns/s'), ('create', 'netns/s')]
    assert p.actions[0].undo is None  # nothing to restore: it held no namespace


def test_loopback_only_enforced_when_asked():
    current = {'netns/a': view('a', lo='down')}
    assert ops(plan([NamespaceSpec('a')], current)) == []
    p = plan([NamespaceSpec('a', loopback='up')], current)
    assert ops(p) == [('loopback', 'netns/a')]
    assert p.actions[0].undo == ('loopback', {'name': 'a', 'up': False})
    assert p.after['netns/a']['lo'] == 'up'


def test_forwarding_change_remembers_previous_values():
    p = plan([NamespaceSpec('a', forwarding=True)], {'netns/a': view('a', v4=False, v6=True)})
    assert ops(p) == [('forwarding', 'netns/a')]
    assert p.actions[0].undo == ('restore_forwarding', {'name': 'a', 'values': {'ipv4': False, 'ipv6': True}})
    assert p.after['netns/a']['forwarding'] == {'ipv4': True, 'ipv6': True}
    assert ops(plan([NamespaceSpec('a', forwarding=True)], {'netns/a': view('a', v4=True, v6=True)})) == []


def test_forwarding_ignores_missing_ipv6():
    current = {'netns/a': view('a', v4=True, v6=None)}
    assert ops(plan([NamespaceSpec('a', forwarding=True)], current)) == []


def test_adopt_binds_the_pid_namespace():
    spec = NamespaceSpec('web', pid=42)
    p = plan([spec], {'netns/web': None, 'pid/42': view(None, inode=555, owned=False)})
    assert ops(p) == [('attach', 'netns/web')]
    assert p.after['netns/web']['id'] == 555 and p.after['netns/web']['name'] == 'web'
    already = {'netns/web': view('web', inode=555, owned=False), 'pid/42': view(None, inode=555, owned=False)}
    assert ops(plan([spec], already)) == []


def test_adopt_conflict_needs_rebind():
    current = {'netns/web': view('web', inode=1), 'pid/42': view(None, inode=2)}
    with pytest.raises(ValidationError, match='pid: network namespace name web is bound to namespace 1'):
        plan([NamespaceSpec('web', pid=42)], current)
    p = plan([NamespaceSpec('web', pid=42, rebind=True)], current)
    assert ops(p) == [('remove', 'netns/web'), ('attach', 'netns/web')]


def test_specs_from_params_validate_everything_first():
    params = {'name': ['a', 'b'], 'state': 'present', 'pid': None, 'rebind': False,
              'loopback': None, 'forwarding': None}
    assert [s.name for s in NetnsResource.specs(params)] == ['a', 'b']
    with pytest.raises(ValidationError, match="^name: "):
        NetnsResource.specs(dict(params, name=['a', 'b/c']))
    with pytest.raises(ValidationError, match='^pid: .*exactly one name'):
        NetnsResource.specs(dict(params, pid=1))
