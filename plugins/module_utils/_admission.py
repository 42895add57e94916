# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Our interfaces let through the host's own forward chains.

A drop at the forward hook in any table is final, so where the host's
firewall drops what it does not accept, our accepts alone do nothing.  Two
ways through, both planned here as actions of the packet-filter resource:

- accepts in the host's chain: `iifname IF accept` and `oifname IF accept`,
  marked with the group's comment, inserted first (nft, one transaction
  with our table), in the chain host_firewall names and, with the nftables
  backend, in iptables-nft's FORWARD chains that drop (Docker, ufw) - where
  the iptables backend would insert its jump;
- the same accepts in iptables-legacy's FORWARD chain, where it drops,
  with the nftables backend (iptables-legacy-restore --noflush);
- firewalld: our interfaces in its zone (see _firewalld).

A chain that holds our group's accepts but is no longer wanted loses them.
"""

from ansible_collections.linuxns.net.plugins.module_utils import _firewalld as firewalld
from ansible_collections.linuxns.net.plugins.module_utils._engine import Action
from ansible_collections.linuxns.net.plugins.module_utils._filter_nftables import FAMILY, TABLE, comment_text
from ansible_collections.linuxns.net.plugins.module_utils._host_firewall import (
    IPTABLES_TABLES, LEGACY_TABLE, admission_rules, describe_blocking, describe_input)
from ansible_collections.linuxns.net.plugins.module_utils._iptables import comment_of, normalize, parse_save
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

PREFIX = 'host_firewall '
LEGACY_PREFIX = PREFIX + 'iptables-legacy '
LEGACY = LEGACY_PREFIX + 'ipv%d FORWARD'


def read(host, desired, backend):
    """{subject: [our group's accepts]} of every chain they may be in: the
    chain host_firewall names, iptables-nft's blocking FORWARD chains (with
    the nftables backend), and any chain of the host that holds them now."""
    mark = ' comment "%s"' % desired['mark']
    chains = wanted_chains(host, desired, backend)
    for item in host.ruleset or []:
        rule = item.get('rule')
        if rule and rule.get('comment') == desired['mark'] and (rule['family'], rule['table']) != (FAMILY, TABLE):
            chains.add((rule['family'], rule['table'], rule['chain']))
    current = {}
    for family, table, chain in chains:
        rules = host.chain_rules(family, table, chain)
        current[PREFIX + ' '.join((family, table, chain))] = None if rules is None else [
            text for _handle, text in rules if text.endswith(mark)]
    return current


def wanted_chains(host, desired, backend):
    """The chains our accepts must be in while the group is present."""
    chains = set(named_chains(desired))
    if backend == 'nftables':
        chains |= set(_key(c) for c in host.blocking(backend, None, desired['interfaces'], desired['mark']) if _iptables_forward(c))
    return chains


def named_chains(desired):
    """{(family, table, chain): hook} of the host's chains host_firewall names."""
    named = desired['host_firewall'] or {}
    chains = {}
    if named:
        chains[_key(named)] = 'forward'
    if named.get('input_chain'):
        chains[(named['family'], named['table'], named['input_chain'])] = 'input'
    return chains


def plan(host, desired, current, backend):
    """(action or None, {subject: lines after}): our accepts in the chains
    that need them, none elsewhere (see kept and left for a group that
    several tasks share)."""
    named = named_chains(desired)
    for key, hook in sorted(named.items()):
        if current.get(PREFIX + ' '.join(key)) is None:
            raise ValidationError('host_firewall.input_chain' if hook == 'input' else 'host_firewall',
                                  'there is no chain %s %s %s in the ruleset' % key)
    comment_text(desired['mark'], 'group')
    readable = wanted_chains(host, desired, backend)  # read() looks at these, and at those that hold our accepts
    changes, after = [], {}
    for subject, have in sorted(current.items()):
        if not subject.startswith(PREFIX) or have is None or subject.startswith(LEGACY_PREFIX):
            continue
        key = tuple(subject[len(PREFIX):].split())
        lines = admission_rules(desired['interfaces'], desired['mark'], named.get(key, 'forward'))
        want = kept(have, lines, desired) if key in readable else left(have, lines, desired)
        if have != want:
            changes.append((dict(zip(('family', 'table', 'chain'), key)), have, want))
            after[subject] = want if want or key in readable else None
    if not changes:
        return None, after
    args = [dict(c, mark=desired['mark'], lines=want) for c, _have, want in changes]
    undo = [dict(c, mark=desired['mark'], lines=have) for c, have, _want in changes]
    what = '; '.join('%s %s %s %s' % (('let %s in' if named.get(_key(c)) == 'input' else 'let %s through') % ', '.join(
        desired['interfaces']) if want else 'take our accepts out of', c['family'], c['table'], c['chain']) for c, _have, want in changes)
    return Action('admit', PREFIX.strip(), what, {'netns': desired['netns'], 'chains': args},
                  undo=('admit', {'netns': desired['netns'], 'chains': undo})), after


def left(have, lines, desired):
    """The group's accepts left in a chain that does not need them (a task
    with no forward rule does not say so for the group, unless it purges)."""
    if desired['purge']:
        return []
    return list(have) if desired['state'] == 'present' else [line for line in have if line not in lines]


def kept(have, lines, desired):
    """The group's accepts a chain that needs them keeps: exactly `lines`
    when the group is purged (container_network's always is), else those
    there plus or minus this task's, as nat_rule's rules themselves."""
    if desired['purge']:
        return list(lines) if desired['state'] == 'present' else []
    if desired['state'] == 'present':
        return list(have) + [line for line in lines if line not in have]
    return [line for line in have if line not in lines]


def legacy_read(host, desired, backend):
    """{subject: [our group's accepts, normalized]} of iptables-legacy's
    FORWARD chain per family where it drops (nftables backend) or holds them."""
    current = {}
    for family, text in sorted(host.legacy.items()):
        rules = [normalize(t) for c, t in parse_save(text).get('filter', ([], []))[1]
                 if c == 'FORWARD' and comment_of(t) == desired['mark']]
        if rules or _legacy_wanted(host, desired, backend, family):
            current[LEGACY % family] = rules
    return current


def _legacy_wanted(host, desired, backend, family):
    return backend == 'nftables' and any(c['table'] == LEGACY_TABLE and c['family'] == ('ip' if family == 4 else 'ip6')
                                         for c in host.blocking(backend, None, desired['interfaces'], desired['mark']))


def legacy_plan(host, desired, current, backend):
    """([action], {subject: lines after}): our accepts in iptables-legacy's
    FORWARD where wanted, none elsewhere."""
    actions, after = [], {}
    for family in (4, 6):
        subject = LEGACY % family
        if subject not in current:
            continue
        wanted = _legacy_wanted(host, desired, backend, family)
        lines = [normalize([flag, name, '-m', 'comment', '--comment', desired['mark'], '-j', 'ACCEPT'])
                 for name in desired['interfaces'] for flag in ('-i', '-o')]
        want = kept(current[subject], lines, desired) if wanted else []
        if want == current[subject]:
            continue
        after[subject] = want if want or wanted else None
        forward = ['-D FORWARD %s' % line for line in current[subject]] + ['-I FORWARD 1 %s' % line for line in reversed(want)]
        backward = ['-D FORWARD %s' % line for line in want] + ['-I FORWARD 1 %s' % line for line in reversed(current[subject])]
        actions.append(Action('admit_legacy', subject, '%s iptables-legacy FORWARD (IPv%d)' % (
            'let %s through' % ', '.join(desired['interfaces']) if want else 'take our accepts out of', family),
            {'netns': desired['netns'], 'family': family, 'text': _filter_text(forward)},
            undo=('admit_legacy', {'netns': desired['netns'], 'family': family, 'text': _filter_text(backward)})))
    return actions, after


def _filter_text(lines):
    return '*filter\n%s\nCOMMIT\n' % '\n'.join(lines)


def zone_plan(desired, current, before):
    """Where firewalld runs: (action or None, view after) that put the
    group's interfaces in its zone for us; `before`: the interfaces the
    group's forward rules named before this run."""
    if firewalld.SUBJECT not in current:
        return None, None
    if not desired['purge']:  # this task's interfaces only, as kept() for the accepts
        add, remove = (desired['interfaces'], []) if desired['state'] == 'present' else ([], desired['interfaces'])
    elif desired['state'] == 'absent':
        add, remove = [], sorted(set(before) | set(desired['interfaces']))
    else:
        add, remove = desired['interfaces'], sorted(set(before) - set(desired['interfaces']))
    have = current[firewalld.SUBJECT]
    after = firewalld.wanted(have, add, remove)
    return firewalld.action(desired['netns'], have, after), after


def _key(chain):
    return (chain['family'], chain['table'], chain['chain'])


def _iptables_forward(chain):
    return chain['family'] in ('ip', 'ip6') and chain['table'] in IPTABLES_TABLES and chain['chain'] == 'FORWARD'


def check(host, desired, backend, variant, zoned):
    """Fail before any change when a chain of the host would still drop our
    forwarded traffic: one neither named, nor admitted here, nor
    firewalld's (zoned).  Returns the warnings for chains that would drop
    the containers' traffic to the host itself (the input hook)."""
    if desired['state'] != 'present' or not desired['interfaces']:
        return []
    admitted = wanted_chains(host, desired, backend)
    found = [c for c in host.blocking(backend, variant, desired['interfaces'], desired['mark'])
             if _key(c) not in admitted and not (zoned and c['firewalld'])
             and not (backend == 'nftables' and c['table'] == LEGACY_TABLE)]  # see legacy_plan
    if found:
        raise ValidationError('host_firewall', describe_blocking(found, desired['interfaces']))
    dropping = [c for c in host.blocking(backend, variant, desired['interfaces'], desired['mark'], 'input')
                if _key(c) not in admitted and not (zoned and c['firewalld'])]
    return [describe_input(dropping, desired['interfaces'], desired['families'])] if dropping else []
