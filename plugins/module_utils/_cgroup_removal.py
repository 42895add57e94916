# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How cgroups are removed, for _cgroup's planner (which reads cgroupfs
through the seam, never writes): a group's members moved to a refuge, its
directories, the ancestors we made that are left empty, and on v2 the
controllers we enabled for them in a parent that stays."""

import os

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def removed_dirs(desired, current):
    """(groups, ancestors): the directories of the groups to remove, and
    the ancestors that go with them: found repeatedly, each one we made
    (marked) that holds no process and whose child groups all go, unless a
    group this call keeps lives below it."""
    tree = current['_tree']
    groups = set(path for spec in desired if spec.state == 'absent' and current.get(spec.path)
                 for path in current[spec.path]['paths'])
    removed = set(groups)
    kept = set(spec.path for spec in desired if spec.state != 'absent')
    growing = True
    while growing:
        growing = False
        for full, node in tree.items():
            if full in removed or not node or node['mark'] is None or node['procs'] \
                    or any(path == node['path'] or path.startswith(node['path'] + '/') for path in kept):
                continue
            if all(os.path.join(full, child) in removed for child in node['children']):
                removed.add(full)
                growing = True
    return groups, removed - groups


def plan_unused_ancestors(tree, ancestors, removed):
    """Remove the ancestors that go (deepest first), then, on v2, stop
    handing down the controllers we enabled for them in a parent that stays
    and is left with no child group."""
    actions = []
    for full in sorted(ancestors, key=lambda full: (-full.count('/'), full)):
        node = tree[full]
        actions.append(Action('rmdir', node['path'], 'remove cgroup %s (made by linuxns.net for its groups, now empty)'
                              % full, {'path': full}, undo=('mkdir', {'path': full, 'cpuset': False, 'mark': node['mark']})))
    for full, node in sorted(tree.items()):
        if not node or not node['v2'] or full in removed or not node['children']:
            continue
        children = [tree.get(os.path.join(full, child)) for child in node['children']]
        if not all(os.path.join(full, child) in removed for child in node['children']):
            continue
        ours = set(c for child in children if child and child['mark'] for c in child['mark'].get('enabled') or [])
        controllers = sorted(c for c in ours if c in node['subtree'])
        if controllers:
            where = node['path'] or 'the cgroup root'
            actions.append(Action('disable', where, 'disable %s for the children of %s (enabled by linuxns.net for '
                                  'groups now removed)' % (', '.join(controllers), where),
                                  {'path': full, 'controllers': controllers},
                                  undo=('enable', {'path': full, 'controllers': controllers})))
    return actions


def plan_removal(seam, spec, group, have, removed, tree):
    """Remove a group: its members moved to their refuge (or the run
    refused, as members_on_remove says), then its directories."""
    if have is None:
        return []
    actions = []
    if have['members']:
        if spec.members_on_remove == 'fail':
            raise ValidationError(spec.prefix + 'members_on_remove', 'cgroup %s still has processes %s; set members_on_remove=move '
                                  'to move them to %s' % (spec.path, ', '.join(map(str, have['members'])), spec.parent))
        for hierarchy in sorted(set(group['used'].values()), key=lambda h: h.mount):
            refuge = _refuge(seam, hierarchy, spec.parent, removed)
            for pid in have['members']:
                actions.append(Action('attach', spec.path, 'move pid %d to %s' % (pid, refuge or 'the cgroup root'),
                                      {'path': hierarchy.path(refuge), 'pid': pid},
                                      undo=('attach', {'path': hierarchy.path(spec.path), 'pid': pid})))
    for path in have['paths']:
        if seam.exists(path):
            mark = (tree.get(path) or {}).get('mark')
            actions.append(Action('rmdir', spec.path, 'remove cgroup %s' % path, {'path': path},
                                  undo=('mkdir', {'path': path, 'cpuset': False, 'mark': mark})))
    return actions


def _refuge(seam, hierarchy, parent, removed=()):
    """Where members of a removed group go: the parent on v1; on v2 the
    nearest ancestor that may hold processes (one handing controllers to
    its children may not), at worst the root; never an ancestor this
    plan removes."""
    while parent and (hierarchy.path(parent) in removed or hierarchy.version == 2 and seam.read(
            os.path.join(hierarchy.path(parent), 'cgroup.subtree_control'))):
        parent = os.path.dirname(parent)
    return parent
