# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A plan in one line a person reads at a glance (every module's `summary`):
what it creates, changes, starts, stops and removes, counted by kind,
e.g. "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet
filter; start 2 workloads".  The same line in check mode and in the real
run, since both come from the same plan; "nothing to change" for none."""

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
_SINGLE = ('packet filter', 'host firewall', 'firewalld zone', 'record', 'forwarding setting')  # "the packet filter"
SUMMARY_NOUNS = {'namespaces': 'namespace', 'pairs': 'veth pair', 'bridges': 'bridge', 'devices': 'vxlan device',
                 'rules': 'packet filter', 'routes': 'route', 'cgroups': 'cgroup'}  # by a module's result key
_PLURAL = {'address': 'addresses', 'vxlan device': 'vxlan devices', 'bandwidth limit': 'bandwidth limits'}


def summary(actions, noun='object'):
    """The line for a plan's actions (engine Actions); `noun`: what a
    module that is not a composite manages (namespace, veth pair...)."""
    counts = {}
    for action in actions:
        part, _dot, op = action.op.rpartition('.')
        noun_of = _OP_NOUNS.get(op) or (_PART_NOUNS.get(part, part.replace('_', ' ')) if part else noun)
        verb = _VERBS.get(op, 'change')
        kinds = counts.setdefault(verb, {})
        kinds[noun_of] = kinds.get(noun_of, 0) + 1
    if not counts:
        return 'nothing to change'
    return '; '.join('%s %s' % (verb, ', '.join(_counted(noun, n) for noun, n in counts[verb].items()))
                     for verb in _ORDER if verb in counts)


def _counted(noun, number):
    if noun in _SINGLE:
        return 'the ' + noun
    return '%d %s' % (number, noun if number == 1 else _PLURAL.get(noun, noun + 's'))
