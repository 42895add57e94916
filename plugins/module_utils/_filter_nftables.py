# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The native nftables backend of the packet-filter seam (see _filter_policy).

Everything lives in one table of our own, `table inet linuxns`, so both
families change in one transaction and nothing of anyone else's is touched:

  chain nat-postrouting  nat hook postrouting 100   -> postrouting4 / postrouting6
  chain nat-prerouting   nat hook prerouting -100   fib daddr type local -> dnat4 / dnat6
  chain nat-output       nat hook output -100       fib daddr type local (not 127/8) -> dnat4 / dnat6
  chain filter-forward   filter hook forward 0      -> isolation4, forward4 / isolation6, forward6

The base chains hold only the jumps (`meta nfproto` picks the family); the
eight regular chains hold the rules, each with the comment
"linuxns.net:<group>[:<comment>]".  A published port that names nothing but
its protocol, port and target (container_network's, unless published on one
host address) is an element of the map ports4 or ports6 instead, keyed by
protocol . port, with the same comment; dnat4 / dnat6 end with the one rule
that looks the packet up there, so a thousand published ports cost one hash
lookup, not a thousand rules.  Elsewhere such an element reads as the rule it
stands for ("tcp dport 8080 dnat ip to 10.0.0.2:80"), so plans, diffs and
network_info treat both forms alike.  The table exists while any chain or
map has an entry; a run that empties them all deletes it.

Reads are one `nft -j list ruleset` (the JSON API; it also shows the host's
own tables to _host_firewall); each rule is turned back into the text this
backend writes, so ours and the kernel's compare as text.  A change is one
`nft -f -` script: a transaction, applied whole or not at all.
"""

import ipaddress
import json
import re

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan
from ansible_collections.linuxns.net.plugins.module_utils._filter_policy import CHAIN_ORDER, KIND_CHAIN, chain_content, group_of, rule_comment
from ansible_collections.linuxns.net.plugins.module_utils._iptables import FilterToolError, run_tool
from ansible_collections.linuxns.net.plugins.module_utils._nft_text import rule_line, rule_text
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

TABLE = 'linuxns'
FAMILY = 'inet'
COMMENT_MAX = 128  # bytes, nftables' limit on a rule comment
BASE_CHAINS = (  # (name, declaration, jumps)
    ('nat-postrouting', 'type nat hook postrouting priority 100; policy accept;',
     ['meta nfproto ipv4 jump postrouting4', 'meta nfproto ipv6 jump postrouting6']),
    ('nat-prerouting', 'type nat hook prerouting priority -100; policy accept;',
     ['fib daddr type local meta nfproto ipv4 jump dnat4', 'fib daddr type local meta nfproto ipv6 jump dnat6']),
    ('nat-output', 'type nat hook output priority -100; policy accept;',
     ['fib daddr type local ip daddr != 127.0.0.0/8 jump dnat4', 'fib daddr type local meta nfproto ipv6 jump dnat6']),
    ('filter-forward', 'type filter hook forward priority 0; policy accept;',
     ['meta nfproto ipv4 jump isolation4', 'meta nfproto ipv4 jump forward4',
      'meta nfproto ipv6 jump isolation6', 'meta nfproto ipv6 jump forward6']),
)
REGULAR_CHAINS = tuple('%s%d' % (logical, family) for family in (4, 6) for logical in CHAIN_ORDER)
PORT_MAPS = {4: 'ports4', 6: 'ports6'}  # published ports: protocol . port -> address . port
MAP_TYPES = {4: 'inet_proto . inet_service : ipv4_addr . inet_service', 6: 'inet_proto . inet_service : ipv6_addr . inet_service'}
LOOKUPS = dict((family, ('dnat%d' % family, 'dnat %s to meta l4proto . th dport map @%s' % (ip, PORT_MAPS[family])))
               for family, ip in ((4, 'ip'), (6, 'ip6')))  # (chain, rule) that ends it
ALL_CHAINS = tuple(b[0] for b in BASE_CHAINS) + REGULAR_CHAINS + tuple(PORT_MAPS.values())
_MAPPED = re.compile(r'^(tcp|udp|sctp) dport (\d+) dnat ip6? to \[?([^\]]*?)\]?:(\d+)( comment "[^"]*")?$')
_CT_STATES = ('invalid', 'established', 'related', 'new', 'untracked')  # the order nft prints them in
_CT_STATUSES = ('snat', 'dnat')


class NftSeam:
    """Runs `nft` inside a namespace."""

    def __init__(self, netlink):
        self.netlink = netlink

    def ruleset(self, netns):
        """The whole ruleset as the JSON API's list of objects."""
        text = run_tool(self.netlink, netns, ['nft', '-j', 'list', 'ruleset'], package='nftables')
        try:
            return json.loads(text or '{"nftables": []}')['nftables']
        except ValueError as exc:
            raise FilterToolError('nft -j list ruleset printed no JSON: %s' % exc)

    def apply(self, netns, script):
        """One transaction: every command of `script` or none."""
        run_tool(self.netlink, netns, ['nft', '-f', '-'], stdin=script, package='nftables')


# -- our rules as nft text -------------------------------------------------------

def rule_lines(spec):
    """[(our chain, rule text)] a NatRuleSpec stands for."""
    chain = '%s%d' % (KIND_CHAIN[spec.kind], spec.family)
    ip = 'ip' if spec.family == 4 else 'ip6'
    tag = comment_text(spec.comment, spec.prefix + 'comment')
    matches = _address(ip, 'saddr', spec.source) + _address(ip, 'daddr', spec.destination) \
        + _interface('iifname', spec.in_interface) + _interface('oifname', spec.out_interface) + _ports(spec)
    if spec.kind == 'forward':
        back = _address(ip, 'saddr', spec.destination) + _address(ip, 'daddr', spec.source) \
            + _interface('iifname', spec.out_interface) + _interface('oifname', spec.in_interface)
        return [(chain, rule_line(matches + ['accept'], tag))] + [
            (chain, rule_line(back + [state, 'accept'], tag)) for state in ('ct state established,related', 'ct status dnat')]
    if spec.kind == 'dnat':
        mapped = _mapped(spec)
        return [(PORT_MAPS[spec.family] if mapped else chain, rule_line(matches + ['dnat %s to %s' % (ip, _target(spec))], tag))]
    if spec.kind in ('isolate', 'exempt', 'no_masquerade'):
        verdict = 'drop' if spec.kind == 'isolate' else 'return'
        return [(chain, rule_line(matches + state + [verdict], tag)) for state in _ct_matches(spec.ctstate)]
    target = 'masquerade' if spec.kind == 'masquerade' else 'snat %s to %s' % (ip, spec.to)
    rules = [(chain, rule_line(matches + [target], tag))]
    if spec.hairpin and spec.kind == 'masquerade' and spec.out_interface and spec.out_interface[0] and spec.source:
        # traffic of the subnet published back into its own bridge (hairpin NAT)
        hairpin = _address(ip, 'saddr', spec.source) + _interface('oifname', (False, spec.out_interface[1]))
        rules.append((chain, rule_line(hairpin + ['ct status dnat', target], tag)))
    return rules


def _mapped(spec):
    """Whether a dnat rule is a map element: it matches its port alone and
    names one target port."""
    return not (spec.source or spec.destination or spec.in_interface or spec.out_interface) \
        and spec.port[0] == spec.port[1] and bool(spec.to_port) and spec.to_port.isdigit()


def element(line):
    """The map element a mapped rule's line stands for."""
    protocol, port, address, to_port, comment = _MAPPED.match(line).groups()
    return '%s . %s%s : %s . %s' % (protocol, port, comment or '', address, to_port)


def _element_line(family, item):
    """The line of a map element of the JSON API's list (see element)."""
    key, value = item
    comment = None
    if 'elem' in key:
        key, comment = key['elem']['val'], key['elem'].get('comment')
    (protocol, port), (address, to_port) = key['concat'], value['concat']
    target = '[%s]' % address if family == 6 else address
    return rule_line(['%s dport %s dnat %s to %s:%s' % (protocol, port, 'ip' if family == 4 else 'ip6', target, to_port)], comment)


def comment_text(comment, option):
    if len(comment.encode('utf-8')) > COMMENT_MAX:
        raise ValidationError(option, 'the rule comment %r is longer than the %d bytes nftables keeps: shorten the group '
                              'or the comment' % (comment, COMMENT_MAX))
    return comment


def _address(ip, field, selector):
    if selector is None:
        return []
    negate, value = selector
    net = ipaddress.ip_network(value, strict=False)
    text = str(net.network_address) if net.prefixlen == net.max_prefixlen else str(net)
    return ['%s %s %s%s' % (ip, field, '!= ' if negate else '', text)]


def _interface(key, selector):
    if selector is None:
        return []
    negate, name = selector
    return ['%s %s"%s"' % (key, '!= ' if negate else '', name)]


def _ports(spec):
    if not spec.protocol:
        return []
    if not spec.port:
        return ['meta l4proto %s' % spec.protocol]
    low, high = spec.port
    return ['%s dport %s' % (spec.protocol, low if low == high else '%d-%d' % (low, high))]


def _target(spec):
    address = spec.to_address
    if not spec.to_port:
        return str(address)
    return ('[%s]' % address if address.version == 6 else str(address)) + ':' + spec.to_port


def _ct_matches(ctstate):
    """iptables' --ctstate takes states and the statuses SNAT/DNAT at once
    (either matches); nft matches them apart: one rule each."""
    if not ctstate:
        return [[]]
    given = ctstate.lower().split(',')
    states = [s for s in _CT_STATES if s in given]
    statuses = [s for s in _CT_STATUSES if s in given]
    return [['ct %s %s' % (key, ','.join(values))] for key, values in (('state', states), ('status', statuses)) if values]


def _describe(line):
    """(line, comment) of a rule's text."""
    head, sep, comment = line.rpartition(' comment "')
    return line, (comment[:-1] if sep and comment.endswith('"') else None)


# -- the backend -------------------------------------------------------------------

def subject(chain):
    return '%s %s %s' % (FAMILY, TABLE, chain)


class NftablesBackend:
    """The backend interface: see _filter_iptables.IptablesBackend."""

    name = 'nftables'
    joins_admission = True  # our accepts in the host's chains go in the same transaction

    def __init__(self, seam, variant=None):
        del variant  # iptables' only
        self.seam = NftSeam(seam)

    @staticmethod
    def available(host):
        return host.ruleset is not None

    @staticmethod
    def owns(subject):
        return subject.startswith('%s %s ' % (FAMILY, TABLE))

    def rules(self, spec):
        """[(subject, canonical line, text a person reads)] of one spec."""
        return [(subject(chain), line, '%s: %s' % (subject(chain), line)) for chain, line in rule_lines(spec)]

    @staticmethod
    def display(subject_, line):
        return '%s: %s' % (subject_, line)

    def read(self, netns, families, host=None):
        """{subject: [rule text] or None} of our chains (both families: one
        table); '_chains' the same by chain name, None when our table does
        not exist.  The ruleset is the one `host` read, else read here."""
        del families
        chains = ours(host.ruleset if host is not None and host.ruleset is not None else self.seam.ruleset(netns))
        current = {'_chains': chains}
        for name in ALL_CHAINS:
            current[subject(name)] = None if chains is None else chains.get(name)
        return current

    def plan(self, desired, current, families):
        chains = current['_chains']
        have = dict((name, [line for line in (chains or {}).get(name) or [] if not _lookup(name, line)])
                    for name in REGULAR_CHAINS + tuple(PORT_MAPS.values()))
        group_mark = rule_comment(desired['group'])
        wanted = {}
        for spec in [s for s in desired['specs'] if s.family in families]:
            for chain, line in rule_lines(spec):
                wanted.setdefault(chain, []).append(line)
        final = dict(have)
        for family in families:
            for name in ['%s%d' % (logical, family) for logical in CHAIN_ORDER] + [PORT_MAPS[family]]:
                final[name] = chain_content(desired, have[name], wanted.get(name, []), group_mark, _describe)
        for family, name in PORT_MAPS.items():
            final[name] = _unique_keys(sorted(final[name]))
            if final[name]:
                chain, lookup = LOOKUPS[family]
                final[chain] = final[chain] + [lookup]
        keep = any(final.values())
        after = dict(current)
        for name in REGULAR_CHAINS + tuple(PORT_MAPS.values()):
            after[subject(name)] = final[name] if keep else None
        for name, _declaration, jumps in BASE_CHAINS:
            after[subject(name)] = list(jumps) if keep else None
        if all(after[subject(name)] == current[subject(name)] for name in ALL_CHAINS):
            return Plan([], current, after)
        return Plan([self._action(desired['netns'], chains, final if keep else None)], current, after)

    def _action(self, netns, chains, final):
        """One transaction from `chains` (None: no table) to `final` (None:
        no table), and the one back."""
        forward, notes = _script(chains, final), []
        for name in REGULAR_CHAINS + tuple(PORT_MAPS.values()):
            before, after = [set(line for line in (rules or {}).get(name) or [] if not _lookup(name, line)) for rules in (chains, final)]
            if before != after:
                notes.append('%s +%d -%d' % (name, len(after - before), len(before - after)))
        what = 'delete table %s %s' % (FAMILY, TABLE) if final is None else 'rewrite table %s %s: %s' % (
            FAMILY, TABLE, ', '.join(notes) or 'its jumps')
        return Action('nft', subject('').strip(), '%s%s' % (what, ' (namespace %s)' % netns if netns else ''),
                      {'netns': netns, 'script': forward}, undo=('nft', {'netns': netns, 'script': _script(final, chains)}))

    @staticmethod
    def forward_interfaces(current, group_mark):
        """The interfaces the group's forward accepts name now."""
        chains = current.get('_chains') or {}
        lines = [line for name in ('forward4', 'forward6') for line in chains.get(name) or []
                 if _describe(line)[1] and group_of(_describe(line)[1]) == group_mark]
        return set(re.findall(r'(?:^| )[io]ifname "([^"]+)"', ' '.join(lines)))

    def op_nft(self, netns, script, admit=None):
        """Apply `script`; with `admit` (see _host_firewall.admission_script)
        the accepts in the host's chain change in the same transaction."""
        if admit:
            script += admission_script(self.seam.ruleset(netns), **admit)
        self.seam.apply(netns, script)


def ours(ruleset):
    """{chain: [rule text]} of our table in a ruleset, None without it."""
    if not any('table' in o and (o['table']['family'], o['table']['name']) == (FAMILY, TABLE) for o in ruleset):
        return None
    chains = {}
    for item in ruleset:
        table = item.get('map')
        if table and (table['family'], table['table']) == (FAMILY, TABLE) and table['name'] in PORT_MAPS.values():
            family = 4 if table['name'] == PORT_MAPS[4] else 6
            chains[table['name']] = sorted(_element_line(family, e) for e in table.get('elem') or [])
        for kind in ('chain', 'rule'):
            value = item.get(kind)
            if value and (value['family'], value['table']) == (FAMILY, TABLE):
                name = value['name'] if kind == 'chain' else value['chain']
                rules = chains.setdefault(name, [])
                if kind == 'rule':
                    rules.append(rule_text(value))
    return chains


def chain_rules(ruleset, family, table, chain):
    """[(handle, text)] of a chain's rules in a ruleset; None when it does not exist."""
    if not any('chain' in o and (o['chain']['family'], o['chain']['table'], o['chain']['name']) == (family, table, chain)
               for o in ruleset):
        return None
    return [(o['rule']['handle'], rule_text(o['rule'])) for o in ruleset
            if 'rule' in o and (o['rule']['family'], o['rule']['table'], o['rule']['chain']) == (family, table, chain)]


def admission_script(ruleset, chains, netns=None):
    """nft commands that replace, in each of `chains` ({family, table,
    chain, mark, lines}), the rules marked `mark` by `lines`, inserted first
    (handles read from `ruleset`, just now)."""
    del netns  # the caller's, where the script runs
    script = []
    for chain in chains:
        where = '%s %s %s' % (chain['family'], chain['table'], chain['chain'])
        rules = chain_rules(ruleset, chain['family'], chain['table'], chain['chain']) or []
        script += ['delete rule %s handle %d' % (where, handle)
                   for handle, text in rules if text.endswith(' comment "%s"' % chain['mark'])]
        script += ['insert rule %s %s' % (where, line) for line in reversed(chain['lines'])]
    return ''.join(line + '\n' for line in script)


def _lookup(chain, line):
    """Whether `line` is the rule that ends `chain` with a map lookup."""
    return (chain, line) in LOOKUPS.values()


def _unique_keys(lines):
    """A map's lines, when no two publish one protocol and port."""
    seen = {}
    for line in lines:
        key = _MAPPED.match(line).group(1, 2)
        if key in seen:
            raise ValidationError('rules', '%s port %s is published twice: %s and %s (one group may own it, '
                                  'and to one target)' % (key + (seen[key], line)))
        seen[key] = line
    return lines


def _script(source, target):
    """nft commands that take our table from `source` to `target` ({chain:
    [rule]}, either None: no table).  Unchanged chains are not touched."""
    table = '%s %s' % (FAMILY, TABLE)
    if target is None:
        return 'delete table %s\n' % table if source is not None else ''
    lines = ['add table %s' % table]
    lines += ['add map %s %s { type %s; }' % (table, PORT_MAPS[family], MAP_TYPES[family]) for family in (4, 6)]
    lines += ['add chain %s %s' % (table, name) for name in REGULAR_CHAINS]
    lines += ['add chain %s %s { %s }' % (table, name, declaration) for name, declaration, _jumps in BASE_CHAINS]
    for name, _declaration, jumps in BASE_CHAINS:
        if (source or {}).get(name) != jumps:
            lines.append('flush chain %s %s' % (table, name))
            lines += ['add rule %s %s %s' % (table, name, jump) for jump in jumps]
    for name in REGULAR_CHAINS:
        if source is None or source.get(name) != target[name]:
            if source is not None:
                lines.append('flush chain %s %s' % (table, name))
            lines += ['add rule %s %s %s' % (table, name, line) for line in target[name]]
    for name in PORT_MAPS.values():
        elements = target.get(name) or []  # a table of an older version has no maps
        if (source or {}).get(name, []) != elements:
            if source is not None:
                lines.append('flush map %s %s' % (table, name))
            if elements:
                lines.append('add element %s %s { %s }' % (table, name, ', '.join(element(line) for line in elements)))
    return '\n'.join(lines) + '\n'
