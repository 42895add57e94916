# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_network's results, from one run's layout (_network_layout)
and plan: one entry per container, with what this run did to it, and the
network's own (addresses, subnets, gateways, networks, rule changes, boot)."""

import collections

from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import ifb_name
from ansible_collections.linuxns.net.plugins.module_utils._nat import rule_changes


def container_results(layout, plan, observed):
    """The `containers` result: every container that stays, as laid out."""
    results, touched = [], _touched(layout, plan)
    for c in layout.keep:
        interfaces = layout.interfaces(c)
        first = interfaces[0]
        results.append({'name': c.name, 'netns': c.name, 'interface': first.inside, 'veth': first.host_end,
                        'address': first.cidr, 'address6': first.cidr6, 'ports': c.ports, 'limits': c.limits,
                        'networks': [{'network': i.network.name, 'interface': i.inside, 'veth': i.host_end, 'address': i.cidr,
                                      'address6': i.cidr6, 'mac': i.mac} for i in interfaces],
                        'bandwidth': (observed.get('bandwidth') or {}).get('bandwidth/' + first.host_end),
                        'workload': (observed.get('workload') or {}).get('workload/' + c.name),
                        'action': _outcome(touched.get(c.name))})
    return results


def network_results(layout, plan):
    """The results about the network as a whole."""
    spec = layout.spec
    rules = plan.parts['nat'] if 'nat' in plan.parts else None
    firsts = dict((c.name, layout.first(c)) for c in layout.keep)
    result = {'pruned': layout.gone, 'addresses': dict((n, f.cidr) for n, f in firsts.items()),
              'bridge': spec.bridge, 'subnet': str(spec.subnet) if spec.subnet else None,
              'gateway': str(spec.gateway) if spec.gateway else None, 'boot': layout.boot.results(),
              'subnet6': str(spec.subnet6) if spec.subnet6 else None, 'gateway6': str(spec.gateway6) if spec.gateway6 else None,
              'addresses6': dict((n, f.cidr6) for n, f in firsts.items() if f.cidr6),
              'networks': dict((net.name, layout.network_record(net)) for net in layout.networks)}
    if rules is not None:
        result['rules'] = rule_changes(rules)
    return result


def _touched(layout, plan):
    """{container: the actions that concern it}, by their subjects: its
    namespace, workload, ifb, each veth's host end and inside end, and a
    subject NAME: ... or .../NAME (its cgroup, its routes)."""
    owners, kept = {}, set(c.name for c in layout.keep)
    for c in layout.keep:
        subjects = ['netns/' + c.name, 'workload/' + c.name, 'bandwidth/' + ifb_name(c.name)]
        for i in layout.interfaces(c):
            subjects += [i.host_end, 'bandwidth/' + i.host_end, '%s/%s' % (c.name, i.inside)]
        owners.update(dict.fromkeys(subjects, c.name))
    touched = collections.defaultdict(list)
    for action in plan.actions:
        subject = action.subject.split(' ', 1)[1]
        name = owners.get(subject) or (subject.split(': ', 1)[0] if ': ' in subject else subject.rsplit('/', 1)[-1])
        if name in kept:
            touched[name].append(action)
    return touched


def _outcome(actions):
    if not actions:
        return 'unchanged'
    return 'created' if any(a.op == 'netns.create' for a in actions) else 'updated'
