# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A plan in one line a person reads at a glance (every module's `summary`):
what it creates, changes, starts, stops and removes, counted by kind,
e.g. "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet
filter; start 2 workloads".  The same line in check mode and in the real
run, since both come from the same plan; "nothing to change" for none.
An object counts once per verb however many steps act on it (a cgroup made
in three hierarchies is one cgroup), and an object the plan creates or
removes is not also counted as changed; addresses, routes and sysctls
count one each."""

# What an action does, by its op (the part's own, after any 'part.')
_VERBS = {'create': 'create', 'mkdir': 'create', 'add_ifb': 'create', 'attach': 'create',
          'delete': 'remove', 'remove': 'remove', 'rmdir': 'remove', 'delete_ifb': 'remove', 'unshape': 'remove',
          'unredirect': 'remove', 'start': 'start', 'restart': 'restart', 'stop': 'stop', 'stop_strays': 'stop'}
_ORDER = ('create', 'change', 'start', 'restart', 'stop', 'remove')
# What it acts on: by op where the op says, else by the part (container_network's) it belongs to
_OP_NOUNS = {'address': 'address', 'route': 'route', 'sysctl': 'sysctl', 'nft': 'packet filter',
             'restore': 'packet filter', 'admit': 'host firewall', 'admit_legacy': 'host firewall',
             'firewalld': 'firewalld zone', 'loopback': 'loopback', 'forwarding': 'forwarding setting',
             'systemctl': 'unit', 'reload': 'unit', 'stop_strays': 'stray workload'}
_PART_NOUNS = {'netns': 'namespace', 'unnetns': 'namespace', 'veth': 'veth', 'unveth': 'veth', 'bridge': 'bridge',
               'unbridge': 'bridge', 'overlay': 'vxlan device', 'route': 'route', 'nat': 'packet filter',
               'forwarding': 'forwarding setting', 'cgroup': 'cgroup', 'uncgroup': 'cgroup', 'workload': 'workload',
               'stop': 'workload', 'bandwidth': 'bandwidth limit', 'unbandwidth': 'bandwidth limit',
               'record': 'record', 'boot': 'boot unit'}
_SINGLE = ('packet filter', 'host firewall', 'firewalld zone', 'record', 'forwarding setting', 'boot unit')
SUMMARY_NOUNS = {'namespaces': 'namespace', 'pairs': 'veth pair', 'bridges': 'bridge', 'devices': 'vxlan device',
                 'rules': 'packet filter', 'routes': 'route', 'cgroups': 'cgroup'}  # by a module's result key
_PLURAL = {'address': 'addresses', 'vxlan device': 'vxlan devices', 'bandwidth limit': 'bandwidth limits'}


def summary(actions, noun='object'):
    """The line for a plan's actions (engine Actions); `noun`: what a
    module that is not a composite manages (namespace, veth pair...)."""
    objects = {}  # verb: {noun: [keys, in order]}
    for number, action in enumerate(actions):
        part, _dot, op = action.op.rpartition('.')
        noun_of, key = _noun(part, op, noun), action.subject
        if part == 'boot':  # its files, links and reload are one thing to a reader
            noun_of = 'boot unit'
        elif op in _OP_NOUNS:  # an address, a route: each action is one
            key = number
        keys = objects.setdefault(_VERBS.get(op, 'change'), {}).setdefault(noun_of, [])
        if key not in keys:
            keys.append(key)
    for verb in ('create', 'remove'):  # what is made or removed is not changed as well
        for noun_of, keys in objects.get(verb, {}).items():
            changed = objects.get('change', {}).get(noun_of, [])
            changed[:] = [key for key in changed if key not in keys]
    counts = [(verb, [(n, len(keys)) for n, keys in objects[verb].items() if keys]) for verb in _ORDER if verb in objects]
    counts = [(verb, kinds) for verb, kinds in counts if kinds]
    if not counts:
        return 'nothing to change'
    return '; '.join('%s %s' % (verb, ', '.join(_counted(n, number) for n, number in kinds)) for verb, kinds in counts)


def _noun(part, op, noun):
    return _OP_NOUNS.get(op) or (_PART_NOUNS.get(part, part.replace('_', ' ')) if part else noun)


def _counted(noun, number):
    if noun in _SINGLE:
        return 'the ' + noun
    return '%d %s' % (number, noun if number == 1 else _PLURAL.get(noun, noun + 's'))
