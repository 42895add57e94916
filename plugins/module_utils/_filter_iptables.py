# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The iptables backend of the packet-filter seam (see _filter_policy).

Chain layout (fixed names, never renamed; prune and teardown rely on them):
  nat    LINUXNS-POSTROUTING  <- POSTROUTING                      postrouting
  nat    LINUXNS-DNAT         <- PREROUTING -m addrtype LOCAL     dnat (from other machines)
                              <- OUTPUT ! -d 127.0.0.0/8 -m addrtype LOCAL  dnat (from the host itself, IPv4)
  filter LINUXNS-ISOLATION    <- FORWARD (before LINUXNS-FORWARD) isolation
  filter LINUXNS-FORWARD      <- FORWARD                          forward
Built-in chains get only the jump rule (comment "linuxns.net"), inserted
first; their policies and other rules are never touched.  The isolation
chain's jump is kept ahead of the forward chain's, so that its drops are
decided before any accept.  Every rule in our chains carries the comment
"linuxns.net:<group>[:<comment>]".  A change rewrites our changed chains
whole, in one iptables-restore --noflush per family: declaring a chain in
the input resets it, so a rewrite is atomic and idempotent.  A chain left
empty goes, with its jumps.

`variant` picks the tools: None runs `iptables` (whichever backend it is),
'legacy' and 'nft' the iptables-legacy and iptables-nft tools.
"""

import shutil

from ansible_collections.linuxns.net.plugins.module_utils._engine import OWNER_MARK, Action, Plan
from ansible_collections.linuxns.net.plugins.module_utils._filter_policy import KIND_CHAIN, chain_content, group_of, rule_comment
from ansible_collections.linuxns.net.plugins.module_utils._iptables import IptablesSeam, comment_of, normalize, parse_save

LOCAL = ['-m', 'addrtype', '--dst-type', 'LOCAL']
CHAINS = {
    'LINUXNS-POSTROUTING': ('nat', [('POSTROUTING', [])]),
    'LINUXNS-DNAT': ('nat', [('PREROUTING', LOCAL), ('OUTPUT', LOCAL)]),
    'LINUXNS-FORWARD': ('filter', [('FORWARD', [])]),
    'LINUXNS-ISOLATION': ('filter', [('FORWARD', [])]),
}
LOGICAL = {'postrouting': 'LINUXNS-POSTROUTING', 'dnat': 'LINUXNS-DNAT', 'forward': 'LINUXNS-FORWARD',
           'isolation': 'LINUXNS-ISOLATION'}
FIRST = 'LINUXNS-ISOLATION'  # its jump is the first of ours in FORWARD
KIND_TARGET = {'isolate': ['-j', 'DROP'], 'exempt': ['-j', 'RETURN'], 'no_masquerade': ['-j', 'RETURN']}


def _jump(family, builtin, condition, chain):
    extra = ['!', '-d', '127.0.0.0/8'] if family == 4 and builtin == 'OUTPUT' else []
    return extra + condition + ['-m', 'comment', '--comment', OWNER_MARK, '-j', chain]


def rule_tokens(spec):
    """[(our chain, tokens)] a NatRuleSpec stands for."""
    chain = LOGICAL[KIND_CHAIN[spec.kind]]
    tag = ['-m', 'comment', '--comment', spec.comment]
    matches = _match(spec.source, '-s') + _match(spec.destination, '-d') + _match(spec.in_interface, '-i') \
        + _match(spec.out_interface, '-o') + _ports(spec)
    if spec.kind == 'forward':
        back = _match(spec.destination, '-s') + _match(spec.source, '-d') + _match(spec.out_interface, '-i') \
            + _match(spec.in_interface, '-o') + ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED,DNAT']
        return [(chain, matches + tag + ['-j', 'ACCEPT']), (chain, back + tag + ['-j', 'ACCEPT'])]
    if spec.kind == 'dnat':
        return [(chain, matches + tag + ['-j', 'DNAT', '--to-destination', spec.to])]
    if spec.kind in KIND_TARGET:
        state = ['-m', 'conntrack', '--ctstate', spec.ctstate] if spec.ctstate else []
        return [(chain, matches + state + tag + KIND_TARGET[spec.kind])]
    target = ['-j', 'MASQUERADE'] if spec.kind == 'masquerade' else ['-j', 'SNAT', '--to-source', spec.to]
    rules = [(chain, matches + tag + target)]
    if spec.hairpin and spec.kind == 'masquerade' and spec.out_interface and spec.out_interface[0] and spec.source:
        # traffic of the subnet published back into its own bridge (hairpin NAT)
        hairpin = _match(spec.source, '-s') + ['-o', spec.out_interface[1], '-m', 'conntrack', '--ctstate', 'DNAT']
        rules.append((chain, hairpin + tag + target))
    return rules


def _ports(spec):
    if not spec.protocol:
        return []
    if not spec.port:
        return ['-p', spec.protocol]
    low, high = spec.port
    return ['-p', spec.protocol, '-m', spec.protocol, '--dport', str(low) if low == high else '%d:%d' % (low, high)]


def _match(selector, flag):
    if selector is None:
        return []
    negate, value = selector
    return (['!'] if negate else []) + [flag, value]


def _describe(tokens):
    return normalize(tokens), comment_of(tokens)


class IptablesBackend:
    """The backend interface (_nat.BACKENDS): name, available(host),
    owns(subject), rules(spec), display(subject, line), read(netns,
    families, host), plan(desired, current, families),
    forward_interfaces(current, group_mark) and the op_ methods its
    actions name."""

    name = 'iptables'
    joins_admission = False  # its actions are no nft transaction to put our accepts in

    def __init__(self, seam, variant=None):
        self.seam = IptablesSeam(seam, variant)
        self.variant = variant

    @staticmethod
    def available(host):
        del host
        return shutil.which('iptables-save') is not None

    @staticmethod
    def owns(subject):
        return subject.startswith('ipv')

    @staticmethod
    def subject(family, chain):
        return 'ipv%d %s %s' % (family, CHAINS[chain][0], chain)

    def rules(self, spec):
        """[(subject, canonical line, text a person reads)] of one spec."""
        return [(self.subject(spec.family, chain), normalize(tokens), '-A %s %s' % (chain, normalize(tokens)))
                for chain, tokens in rule_tokens(spec)]

    @staticmethod
    def display(subject, line):
        return '-A %s %s' % (subject.split()[-1], line)

    def read(self, netns, families, host=None):
        del host  # iptables-save reads for itself
        current = {'_raw': {}}
        for family in families:
            tables = parse_save(self.seam.save(netns, family))
            for table in ('nat', 'filter'):
                chains, rules = tables.get(table, ([], []))  # a table never used is not printed
                current['_raw'][(family, table)] = (chains, rules)
                for chain in [c for c, spec in CHAINS.items() if spec[0] == table]:
                    current[_subject(family, table, chain)] = [normalize(t) for c, t in rules if c == chain] \
                        if chain in chains else None
                for builtin in sorted(set(b for chain_table, jumps in CHAINS.values() if chain_table == table
                                          for b in _builtins(jumps))):
                    current[_subject(family, table, builtin)] = [
                        normalize(t) for c, t in rules if c == builtin and comment_of(t) == OWNER_MARK]
        return current

    def plan(self, desired, current, families):
        after, actions, group_mark = dict(current), [], rule_comment(desired['group'])
        for family in families:
            wanted = {}
            for spec in [s for s in desired['specs'] if s.family == family]:
                for chain, tokens in rule_tokens(spec):
                    wanted.setdefault(chain, []).append(tokens)
            writes = []
            for chain, (table, jumps) in sorted(CHAINS.items()):  # LINUXNS-FORWARD before LINUXNS-ISOLATION
                raw = [t for c, t in current['_raw'][(family, table)][1] if c == chain]
                content = chain_content(desired, raw, wanted.get(chain, []), group_mark, _describe)
                have = current[_subject(family, table, chain)]
                new = [normalize(t) for t in content] if content else None
                jumps_at = [(normalize(_jump(family, b, cond, chain)), _subject(family, table, b)) for b, cond in jumps]
                moved = set(line for line, key in jumps_at if new and line in after[key] and not _placed(chain, line, after[key]))
                jumps_ok = all(line in after[key] for line, key in jumps_at) and not moved
                if new == have and (new is None or jumps_ok):
                    continue
                writes.append((table, chain, jumps, raw if have is not None else None, content, moved))
                after[_subject(family, table, chain)] = new
                for line, key in jumps_at:
                    others = [j for j in after[key] if j != line]
                    if not new:
                        after[key] = others
                    elif line not in after[key] or line in moved:
                        after[key] = [line] + others  # first, where -I BUILTIN 1 puts it
            if writes:
                actions.append(self._restore_action(desired['netns'], family, writes, current))
        return Plan(actions, current, after)

    def _restore_action(self, netns, family, writes, current):
        forward, backward, notes = {}, {}, []
        for table, chain, jumps, old, new, moved in writes:
            had = set(j for b in _builtins(jumps) for j in current[_subject(family, table, b)])
            ours = set(normalize(_jump(family, b, cond, chain)) for b, cond in jumps)
            will_have = ours if new else set()
            forward.setdefault(table, []).extend(
                _chain_lines(family, chain, jumps, new or None, had, will_have, moved))
            backward.setdefault(table, []).extend(
                _chain_lines(family, chain, jumps, old, will_have, had & ours))
            before = set(normalize(t) for t in old or [])
            after = set(normalize(t) for t in new or [])
            notes.append('%s +%d -%d' % (chain, len(after - before), len(before - after)))
        tools = ', iptables-%s' % self.variant if self.variant else ''
        return Action('restore', 'ipv%d' % family, 'rewrite chains %s (IPv%d%s%s)' % (
            ', '.join(notes), family, ', namespace %s' % netns if netns else '', tools),
            {'netns': netns, 'family': family, 'text': _restore_text(forward)},
            undo=('restore', {'netns': netns, 'family': family, 'text': _restore_text(backward)}))

    @staticmethod
    def forward_interfaces(current, group_mark):
        """The interfaces the group's forward accepts name now."""
        found = set()
        for (_family, table), (_chains, rules) in (current.get('_raw') or {}).items():
            for chain, tokens in rules:
                if table == 'filter' and chain == 'LINUXNS-FORWARD' and group_of(comment_of(tokens)) == group_mark:
                    found.update(tokens[i + 1] for i, token in enumerate(tokens[:-1])
                                 if token in ('-i', '-o') and (i == 0 or tokens[i - 1] != '!'))
        return found

    def op_restore(self, netns, family, text):
        self.seam.restore(netns, family, text)


def _placed(chain, line, jumps):
    """Whether a jump in a built-in chain is where it must be: the isolation
    chain's before any other of ours."""
    return chain != FIRST or jumps[0] == line


def _builtins(jumps):
    return [builtin for builtin, condition in jumps]


def _subject(family, table, chain):
    return 'ipv%d %s %s' % (family, table, chain)


def _chain_lines(family, chain, jumps, content, jumps_now, jumps_wanted, moved=()):
    """iptables-restore lines that give `chain` this content (None: the chain
    goes) and move its jump rules from jumps_now to jumps_wanted (sets of
    normalized jump lines); a jump in `moved` is put first again."""
    lines = [':%s - [0:0]' % chain]  # creates the chain, or empties it
    lines.extend('-A %s %s' % (chain, _join(tokens)) for tokens in content or [])
    for builtin, condition in jumps:
        jump = _jump(family, builtin, condition, chain)
        present, wanted = normalize(jump) in jumps_now, normalize(jump) in jumps_wanted
        if normalize(jump) in moved:
            lines.append('-D %s %s' % (builtin, _join(jump)))
            present = False
        if wanted and not present:
            lines.append('-I %s 1 %s' % (builtin, _join(jump)))
        elif present and not wanted:
            lines.append('-D %s %s' % (builtin, _join(jump)))
    if content is None:
        lines.append('-X %s' % chain)
    return lines


def _join(tokens):
    """iptables-restore reads double quotes only (and a bare '!')."""
    return ' '.join('"%s"' % t if not t or any(c.isspace() for c in t) else t for t in tokens)


def _restore_text(by_table):
    text = []
    for table in sorted(by_table):
        text.append('*%s' % table)
        text.extend(by_table[table])
        text.append('COMMIT')
    return '\n'.join(text) + '\n'
