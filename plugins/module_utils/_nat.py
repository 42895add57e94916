# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NAT, forward and isolation rules as an engine Resource, over the
packet-filter seam.

The rules are data (_filter_policy.NatRuleSpec); a backend turns them into
rules of its own, reads ours back and changes them in one step:
_filter_iptables (chains of ours jumped from the built-in ones,
iptables-restore --noflush per family) or _filter_nftables (a table of ours,
one nft transaction).  `firewall_backend` picks one; `auto` follows the
host's own firewall (see _host_firewall).  Rules of ours in the other
backend (of this group) are removed in the same run, after the new ones are
in place.

Every rule carries the comment "linuxns.net:<group>[:<comment>]"; a group is
what one task (or one container network) owns.  A purged group's rules are
kept in the order given: exempt and no_masquerade rules (returns) work only
ahead of the rules they exempt from.

Before any change the host's firewall is checked: a chain at the forward
hook of another table that would drop our forwarded traffic fails the run,
naming it - unless it can be let through (_admission): the chain
`host_firewall` names, and with the nftables backend iptables-nft's FORWARD
chains, get our accepts for the forwarded interfaces (marked, removed with
the group); where firewalld runs, the interfaces go into its zone for us
(_firewalld).
"""

import re
import shutil
import socket

from ansible_collections.linuxns.net.plugins.module_utils import _admission as admission
from ansible_collections.linuxns.net.plugins.module_utils import _firewalld as firewalld
from ansible_collections.linuxns.net.plugins.module_utils._engine import COVERED, Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._filter_iptables import IptablesBackend
from ansible_collections.linuxns.net.plugins.module_utils._filter_nftables import (
    FAMILY, TABLE, NftablesBackend, NftSeam, admission_script, ours)
from ansible_collections.linuxns.net.plugins.module_utils._filter_policy import BACKENDS as BACKEND_NAMES
from ansible_collections.linuxns.net.plugins.module_utils._filter_policy import FAMILY_NAMES, NatRuleSpec, label, rule_comment
from ansible_collections.linuxns.net.plugins.module_utils._host_firewall import HostFirewall
from ansible_collections.linuxns.net.plugins.module_utils._iptables import IptablesSeam
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, netns_name

HOST_FIREWALL_FAMILIES = ('ip', 'ip6', 'inet')
# The backends, by firewall_backend value (a new one: a file with the interface
# _filter_iptables.IptablesBackend describes, named here and in _filter_policy.BACKENDS).
BACKENDS = {'iptables': IptablesBackend, 'nftables': NftablesBackend}
# A DNAT rule's protocol and port (or range) in either backend's words: iptables'
# `-p udp ... --dport 8000:8009 -j DNAT`, nft's `udp dport 8000-8009 dnat ...`
_DNAT_PORT = re.compile(r'\b(tcp|udp|sctp)\b.*?\bdport (\d+)(?:[:-](\d+))?.*\b(?:DNAT|dnat)\b')
_PROTOCOL_NUMBERS = {'tcp': socket.IPPROTO_TCP, 'udp': socket.IPPROTO_UDP, 'sctp': socket.IPPROTO_SCTP}


class NatResource(Resource):
    needs_pyroute2 = False

    def __init__(self, seam):
        super().__init__(seam)
        self.backends = {}  # name -> the backend read() made, for the ops
        self.chosen = None

    @staticmethod
    def specs(params):
        group = label(params, 'group') or 'default'
        entries = [('rules[%d].' % i, e) for i, e in enumerate(params.get('rules') or [])]
        if params.get('kind'):
            entries.insert(0, ('', params))
        specs = []
        for prefix, entry in entries:
            label(entry, 'comment', prefix)
            specs.append(NatRuleSpec(dict(entry, group=group), prefix))
        if not specs and not params.get('purge'):
            raise ValidationError('rules', 'give kind (one rule), rules (a list), or purge=true')
        netns = netns_name(params['netns'], 'netns') if params.get('netns') else None
        families = sorted(set(s.family for s in specs)) or [FAMILY_NAMES[params.get('family') or 'ipv4']]
        backend = params.get('firewall_backend') or 'auto'
        if backend not in BACKEND_NAMES:
            raise ValidationError('firewall_backend', '%r is not one of %s' % (backend, ', '.join(BACKEND_NAMES)))
        # the interfaces our forward rules let traffic in and out of: what a foreign forward chain must admit
        interfaces = sorted(set(selector[1] for s in specs if s.kind == 'forward'
                                for selector in (s.in_interface, s.out_interface) if selector and not selector[0]))
        return {'netns': netns, 'state': params['state'], 'purge': bool(params.get('purge')), 'group': group,
                'specs': specs, 'families': families, 'backend': backend, 'interfaces': interfaces,
                'host_firewall': host_chain(params.get('host_firewall')), 'mark': rule_comment(group)}

    def read(self, desired):
        netns = desired['netns']
        host = HostFirewall.read(self.seam, netns)
        ours_in = ['nftables'] if host.ruleset and ours(host.ruleset) is not None else []
        name, variant = host.choose(desired['backend'], ours_in)
        self.backends = dict((key, cls(self.seam, variant)) for key, cls in BACKENDS.items())
        if not self.backends[name].available(host):
            raise ValidationError('firewall_backend', '%s needs the %s command (install the %s package)' % (
                name, 'nft' if name == 'nftables' else 'iptables-save', name))
        self.chosen = name
        current = {'_host': host, '_backend': name, '_others': []}
        current.update(self.backends[name].read(netns, desired['families'], host))
        for other, backend in sorted(self.backends.items()):  # ours there go (see plan)
            if other != name and backend.available(host):
                current.update(backend.read(netns, desired['families'], host))
                current['_others'].append(other)
        current.update(admission.read(host, desired, name))
        current.update(admission.legacy_read(host, desired, name))
        if host.firewalld() and shutil.which('firewall-cmd'):
            current[firewalld.SUBJECT] = firewalld.read(host.ruleset)
        return current

    def plan(self, desired, current):
        host, name = current['_host'], current['_backend']
        warnings = admission.check(host, desired, name, self.backends['iptables'].variant, firewalld.SUBJECT in current)
        plan = self.backends[name].plan(desired, current, desired['families'])
        actions, after = list(plan.actions), dict(plan.after)
        before = set()  # the interfaces the group's forward rules name now, in either backend
        for backend in self.backends.values():
            before |= backend.forward_interfaces(current, desired['mark'])
        zone, zone_after = admission.zone_plan(desired, current, before)
        if zone is not None:  # a zone made or deleted reloads firewalld, which empties iptables-nft's tables:
            actions.insert(0 if zone_after['zone'] else len(actions), zone)  # made first, deleted last
            after[firewalld.SUBJECT] = zone_after
        admit, admitted = admission.plan(host, desired, current, name)
        after.update(admitted)
        legacy, admitted = admission.legacy_plan(host, desired, current, name)
        actions, after = legacy + actions, dict(after, **admitted)
        if admit is not None:
            actions = _joined(actions, admit, self.backends[name])
        for other in current['_others']:  # ours in another backend go, after the new rules are in place
            cleanup = self.backends[other].plan(dict(desired, state='absent', purge=True), current, desired['families'])
            actions += cleanup.actions
            after.update((k, v) for k, v in cleanup.after.items() if not k.startswith('_') and v != current.get(k))
        flows = _gone_mappings(current, after)
        if flows:
            actions.append(Action('conntrack', 'conntrack', 'delete the connection tracking entries of %s (published '
                                  'ports that went or moved: their flows follow the new rules)'
                                  % ', '.join('%s/%s' % (p, low if low == high else '%d-%d' % (low, high)) for p, low, high in flows),
                                  {'netns': desired['netns'], 'flows': flows}, undo=COVERED))  # nothing to put back
        return Plan(actions, current, after, warnings=warnings)

    def op_conntrack(self, netns, flows):
        """Delete the conntrack entries of the ports in `flows` [(protocol,
        low, high)]: else a client's flow keeps the old mapping until its
        entry times out (UDP: as long as it sends)."""
        self.seam.delete_conntrack(netns, [(_PROTOCOL_NUMBERS[p], low, high) for p, low, high in flows])

    def execute(self, op, args):
        if op == 'firewalld':
            firewalld.apply(self.seam, **args)
        elif op == 'admit':
            seam = NftSeam(self.seam)
            seam.apply(args['netns'], admission_script(seam.ruleset(args['netns']), **args))
        elif op == 'admit_legacy':
            IptablesSeam(self.seam, 'legacy').restore(**args)
        else:
            backend = next((b for b in self.backends.values() if hasattr(b, 'op_' + op)), self)
            getattr(backend, 'op_' + op)(**args)

    def summary(self, desired, plan, observed):
        backend = self.backends[observed.get('_backend') or self.chosen]
        results = []
        for spec in desired['specs']:
            lines = [{'subject': subject, 'rule': text, 'present': line in (observed.get(subject) or [])}
                     for subject, line, text in backend.rules(spec)]
            for line in lines:
                line.update(zip(('table', 'chain'), _table_chain(line.pop('subject'))))
            results.append({'kind': spec.kind, 'family': 'ipv%d' % spec.family, 'rules': lines, 'backend': backend.name,
                            'state': 'present' if all(r['present'] for r in lines) else 'absent'})
        return results

    def extra_results(self, plan):
        return rule_changes(plan)


def _gone_mappings(before, after):
    """[(protocol, low, high)] of the DNAT rules of ours that `after` no
    longer has as they were (removed, or now to another target)."""
    flows = []
    for subject, lines in after.items():
        if subject.startswith('_'):
            continue
        for line in before.get(subject) or []:
            match = _DNAT_PORT.search(line) if isinstance(line, str) and line not in (lines or []) else None
            if match:
                flow = (match.group(1), int(match.group(2)), int(match.group(3) or match.group(2)))
                flows += [] if flow in flows else [flow]
    return flows


def rule_changes(plan):
    """{added, removed, firewall_backend}: our rules a plan adds and removes, as each backend writes them."""
    added, removed = [], []
    for subject, after in plan.after.items():
        if subject.startswith('_'):
            continue
        before = plan.before.get(subject) or []
        # the host's chains (host_firewall ...) and firewalld's zone read as nft's words
        show = next((cls for cls in BACKENDS.values() if cls.owns(subject)), NftablesBackend).display
        added.extend(show(subject, r) for r in (after or []) if r not in before)
        removed.extend(show(subject, r) for r in before if r not in (after or []))
    return {'added': added, 'removed': removed, 'firewall_backend': plan.before.get('_backend')}


def host_chain(value):
    """host_firewall: {family, table, chain, input_chain} of a foreign
    forward chain (and input chain in the same table), or None."""
    if not value:
        return None
    if not isinstance(value, dict) or set(value) - set(['family', 'table', 'chain', 'input_chain']) or not value.get('table') \
            or not value.get('chain'):
        raise ValidationError('host_firewall', 'give a dict with table and chain (and family: ip, ip6 or inet; input_chain)')
    family = value.get('family') or 'inet'
    if family not in HOST_FIREWALL_FAMILIES:
        raise ValidationError('host_firewall.family', '%r is not one of %s' % (family, ', '.join(HOST_FIREWALL_FAMILIES)))
    if (family, value['table']) == (FAMILY, TABLE):
        raise ValidationError('host_firewall.table', '%s %s is our own table' % (FAMILY, TABLE))
    for key in ('table', 'chain', 'input_chain'):
        label(value, key, 'host_firewall.')
    if value.get('input_chain') == value['chain']:
        raise ValidationError('host_firewall.input_chain', 'the input chain cannot be the forward chain %r' % value['chain'])
    return {'family': family, 'table': value['table'], 'chain': value['chain'], 'input_chain': value.get('input_chain')}


def _joined(actions, admit, backend):
    """With the nftables backend, the accepts in the host's chains go in the
    same transaction as our table."""
    for i, action in enumerate(actions):
        if backend.joins_admission and hasattr(backend, 'op_' + action.op):
            args = dict(action.args, admit=admit.args)
            undo = (action.undo[0], dict(action.undo[1], admit=admit.undo[1]))
            return actions[:i] + [Action(action.op, action.subject, '%s; %s' % (action.description, admit.description),
                                         args, undo)] + actions[i + 1:]
    return actions + [admit]


def _table_chain(subject):
    parts = subject.split()
    return (parts[1], parts[2]) if parts[0].startswith('ipv') else ('%s %s' % (parts[0], parts[1]), parts[2])
