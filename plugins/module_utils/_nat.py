# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NAT and forward rules as an engine Resource.

Chain layout (fixed names, never renamed; prune and teardown rely on them):
  nat    LINUXNS-POSTROUTING  <- POSTROUTING                      masquerade, snat
  nat    LINUXNS-DNAT         <- PREROUTING -m addrtype LOCAL     dnat (from other machines)
                              <- OUTPUT     -m addrtype LOCAL     dnat (from the host itself)
  filter LINUXNS-ISOLATION    <- FORWARD (before LINUXNS-FORWARD) isolate (drop), exempt (return)
  filter LINUXNS-FORWARD      <- FORWARD                          forward accepts
Built-in chains get only the jump rule (comment "linuxns.net"), inserted
first; their policies and other rules are never touched.  The isolation
chain's jump is kept ahead of the forward chain's, so that its drops are
decided before any accept.  A purged group's rules are kept in the order
given: exempt and no_masquerade rules (returns) work only ahead of the rules
they exempt from.  Every rule in our
chains carries the comment "linuxns.net:<group>[:<comment>]".  A change
rewrites our changed chains whole, in one iptables-restore --noflush per
family: declaring a chain in the input resets it, so a rewrite is atomic and
idempotent.  A chain left empty goes, with its jumps.
"""

import ipaddress
import re

from ansible_collections.linuxns.net.plugins.module_utils._engine import OWNER_MARK, Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._iptables import (
    IptablesSeam, comment_of, normalize, parse_save)
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, interface_name, netns_name, network)

LOCAL = ['-m', 'addrtype', '--dst-type', 'LOCAL']
CHAINS = {
    'LINUXNS-POSTROUTING': ('nat', [('POSTROUTING', [])]),
    'LINUXNS-DNAT': ('nat', [('PREROUTING', LOCAL), ('OUTPUT', LOCAL)]),
    'LINUXNS-FORWARD': ('filter', [('FORWARD', [])]),
    'LINUXNS-ISOLATION': ('filter', [('FORWARD', [])]),
}
FIRST = 'LINUXNS-ISOLATION'  # its jump is the first of ours in FORWARD
KIND_CHAIN = {'masquerade': 'LINUXNS-POSTROUTING', 'snat': 'LINUXNS-POSTROUTING', 'no_masquerade': 'LINUXNS-POSTROUTING',
              'dnat': 'LINUXNS-DNAT', 'forward': 'LINUXNS-FORWARD', 'isolate': 'LINUXNS-ISOLATION', 'exempt': 'LINUXNS-ISOLATION'}
KIND_TARGET = {'isolate': ['-j', 'DROP'], 'exempt': ['-j', 'RETURN'], 'no_masquerade': ['-j', 'RETURN']}
# conntrack states in the order iptables-save prints them
CTSTATES = ('INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT')
FAMILY_NAMES = {'ipv4': 4, 'ipv6': 6}
_LABEL = re.compile(r'^[A-Za-z0-9._/:@+-]{1,100}$')


def _jump(family, builtin, condition, chain):
    extra = ['!', '-d', '127.0.0.0/8'] if family == 4 and builtin == 'OUTPUT' else []
    return extra + condition + ['-m', 'comment', '--comment', OWNER_MARK, '-j', chain]


# -- specs -------------------------------------------------------------------

class NatRuleSpec:
    def __init__(self, params, prefix):
        self.prefix = prefix
        self.kind = params['kind']
        families = set()
        self.source = self._network(params.get('source'), 'source', families)
        self.destination = self._network(params.get('destination'), 'destination', families)
        self.in_interface = self._interface(params.get('in_interface'), 'in_interface')
        self.out_interface = self._interface(params.get('out_interface'), 'out_interface')
        self.protocol = params.get('protocol') or ('tcp' if self.kind == 'dnat' else None)
        if self.protocol not in (None, 'tcp', 'udp', 'sctp'):
            raise ValidationError(prefix + 'protocol', '%r is not one of tcp, udp, sctp' % self.protocol)
        self.port = self._port(params.get('port'))
        if self.port and not self.protocol:
            raise ValidationError(prefix + 'protocol', 'a port needs a protocol (tcp, udp or sctp)')
        self.to = self._to(params.get('to'), families)
        self.hairpin = params.get('hairpin') is not False
        self.ctstate = self._ctstate(params.get('ctstate'))
        if len(families) > 1:
            raise ValidationError(prefix + 'source', 'IPv4 and IPv6 are mixed in one rule')
        wanted = params.get('family')
        self.family = FAMILY_NAMES[wanted] if wanted else (families.pop() if families else 4)
        if families and self.family not in families:
            raise ValidationError(prefix + 'family', '%s does not match the addresses of the rule' % wanted)
        self.comment = OWNER_MARK + ':' + params['group'] + (':' + params['comment'] if params.get('comment') else '')

    def _network(self, value, option, families):
        if value is None:
            return None
        negate, value = _negation(value)
        net = network(value, self.prefix + option, 'an address or network in CIDR notation')
        families.add(net.version)
        return (negate, str(net))

    def _interface(self, value, option):
        if value is None:
            return None
        negate, name = _negation(value)
        return (negate, interface_name(name, self.prefix + option))

    def _port(self, value):
        if value is None:
            if self.kind == 'dnat':
                raise ValidationError(self.prefix + 'port', 'a dnat rule needs the port to publish')
            return None
        low, high = _port_range(str(value), self.prefix + 'port')
        return str(low) if low == high else '%d:%d' % (low, high)

    def _ctstate(self, value):
        if not value:
            return None
        if self.kind != 'exempt':
            raise ValidationError(self.prefix + 'ctstate', 'only exempt rules take ctstate')
        states = [str(v).upper() for v in ([value] if isinstance(value, str) else value)]
        unknown = [v for v in states if v not in CTSTATES]
        if unknown:
            raise ValidationError(self.prefix + 'ctstate', '%s is not one of %s' % (', '.join(unknown), ', '.join(CTSTATES)))
        return ','.join(v for v in CTSTATES if v in states)

    def _to(self, value, families):
        if self.kind not in ('dnat', 'snat'):
            if value is not None:
                raise ValidationError(self.prefix + 'to', 'only dnat and snat rules take to')
            return None
        if not value:
            raise ValidationError(self.prefix + 'to', 'a %s rule needs to (address or address:port)' % self.kind)
        try:
            address, port = _split_address_port(value)
        except ValueError:
            raise ValidationError(self.prefix + 'to', '%r is not address, address:port or [ipv6]:port' % value)
        families.add(address.version)
        if port is not None:
            if self.kind == 'snat':
                raise ValidationError(self.prefix + 'to', 'give snat only an address')
            _port_range(port, self.prefix + 'to')
        host = '[%s]' % address if address.version == 6 and port else str(address)
        return host + (':' + port if port else '')

    def rules(self):
        """[(table, chain, tokens)] this spec stands for."""
        chain = KIND_CHAIN[self.kind]
        table = CHAINS[chain][0]
        tag = ['-m', 'comment', '--comment', self.comment]
        if self.kind == 'forward':
            forward = _match(self.source, '-s') + _match(self.destination, '-d') + _match(self.in_interface, '-i') \
                + _match(self.out_interface, '-o') + self._ports()
            back = _match(self.destination, '-s') + _match(self.source, '-d') + _match(self.out_interface, '-i') \
                + _match(self.in_interface, '-o') + ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED,DNAT']
            return [(table, chain, forward + tag + ['-j', 'ACCEPT']), (table, chain, back + tag + ['-j', 'ACCEPT'])]
        matches = _match(self.source, '-s') + _match(self.destination, '-d') + _match(self.in_interface, '-i') \
            + _match(self.out_interface, '-o') + self._ports()
        if self.kind == 'dnat':
            return [(table, chain, matches + tag + ['-j', 'DNAT', '--to-destination', self.to])]
        if self.kind in KIND_TARGET:
            state = ['-m', 'conntrack', '--ctstate', self.ctstate] if self.ctstate else []
            return [(table, chain, matches + state + tag + KIND_TARGET[self.kind])]
        target = ['-j', 'MASQUERADE'] if self.kind == 'masquerade' else ['-j', 'SNAT', '--to-source', self.to]
        rules = [(table, chain, matches + tag + target)]
        if self.hairpin and self.kind == 'masquerade' and self.out_interface and self.out_interface[0] and self.source:
            # traffic of the subnet published back into its own bridge (hairpin NAT)
            hairpin = _match(self.source, '-s') + ['-o', self.out_interface[1], '-m', 'conntrack', '--ctstate', 'DNAT']
            rules.append((table, chain, hairpin + tag + target))
        return rules

    def _ports(self):
        if not self.protocol:
            return []
        return ['-p', self.protocol] + (['-m', self.protocol, '--dport', self.port] if self.port else [])


def _port_range(text, option):
    """'80' or '8000-8010' -> (low, high), each 1-65535, low <= high."""
    bounds = text.split('-')
    if len(bounds) > 2 or not all(b.strip().isdigit() for b in bounds):
        raise ValidationError(option, '%r is not a port or a range like 8000-8010' % text)
    low, high = int(bounds[0]), int(bounds[-1])
    integer_range(low, option, 1, 65535)
    integer_range(high, option, 1, 65535)
    if low > high:
        raise ValidationError(option, 'range %s goes backwards' % text)
    return low, high


def _split_address_port(value):
    """'10.0.0.2', '10.0.0.2:80', 'fd00::2', '[fd00::2]:80' -> (address, port or None)."""
    try:
        return ipaddress.ip_address(value), None
    except ValueError:
        match = re.match(r'^\[([^\]]+)\]:(.+)$', value) or re.match(r'^([^:\[\]]+):(.+)$', value)
        if not match:
            raise
        return ipaddress.ip_address(match.group(1)), match.group(2)


def _negation(value):
    value = str(value).strip()
    if value.startswith('!'):
        return True, value[1:].strip()
    return False, value


def _match(selector, flag):
    if selector is None:
        return []
    negate, value = selector
    return (['!'] if negate else []) + [flag, value]


def _label(params, option, prefix=''):
    value = params.get(option)
    if value is not None and not _LABEL.match(value):
        raise ValidationError(prefix + option, '%r may use only letters, digits and ._/:@+- (1-100 characters)' % value)
    return value


# -- resource ----------------------------------------------------------------

class NatResource(Resource):
    needs_pyroute2 = False

    def __init__(self, seam):
        super().__init__(IptablesSeam(seam))

    @staticmethod
    def specs(params):
        group = _label(params, 'group') or 'default'
        entries = [('rules[%d].' % i, e) for i, e in enumerate(params.get('rules') or [])]
        if params.get('kind'):
            entries.insert(0, ('', params))
        specs = []
        for prefix, entry in entries:
            _label(entry, 'comment', prefix)
            specs.append(NatRuleSpec(dict(entry, group=group), prefix))
        if not specs and not params.get('purge'):
            raise ValidationError('rules', 'give kind (one rule), rules (a list), or purge=true')
        netns = netns_name(params['netns'], 'netns') if params.get('netns') else None
        families = sorted(set(s.family for s in specs)) or [FAMILY_NAMES[params.get('family') or 'ipv4']]
        return {'netns': netns, 'state': params['state'], 'purge': bool(params.get('purge')), 'group': group,
                'specs': specs, 'families': families}

    def read(self, desired):
        current = {'_raw': {}}
        for family in desired['families']:
            tables = parse_save(self.seam.save(desired['netns'], family))
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

    def plan(self, desired, current):
        after, actions, group_mark = dict(current), [], OWNER_MARK + ':' + desired['group']
        for family in desired['families']:
            wanted = {}
            for spec in [s for s in desired['specs'] if s.family == family]:
                for table, chain, tokens in spec.rules():
                    wanted.setdefault(chain, []).append(tokens)
            writes = []
            for chain, (table, jumps) in sorted(CHAINS.items()):  # LINUXNS-FORWARD before LINUXNS-ISOLATION
                raw = [t for c, t in current['_raw'][(family, table)][1] if c == chain]
                content = self._chain_content(desired, raw, wanted.get(chain, []), group_mark)
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

    @staticmethod
    def _chain_content(desired, raw, wanted, group_mark):
        """Tokens of the rules a chain must hold, in a stable order: what is
        there stays where it is (other groups' rules untouched; this group's
        dropped when purged or removed), new rules of the group go last."""
        wanted_lines = [normalize(t) for t in wanted]
        absent, purge = desired['state'] == 'absent', desired['purge']
        if purge and not absent:
            return _group_in_order(raw, wanted, wanted_lines, group_mark)
        content, seen = [], set()
        for tokens in raw:
            line = normalize(tokens)
            if _group_of(tokens) == group_mark:
                keep = (not purge and line not in wanted_lines) if absent else (line in wanted_lines or not purge)
                if not keep or line in seen:  # a duplicate of ours is dropped too
                    continue
            content.append(tokens)
            seen.add(line)
        if not absent:
            content.extend(t for t, line in zip(wanted, wanted_lines) if line not in seen)
        return content

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
        return Action('restore', 'ipv%d' % family, 'rewrite chains %s (IPv%d%s)' % (
            ', '.join(notes), family, ', namespace %s' % netns if netns else ''),
            {'netns': netns, 'family': family, 'text': _restore_text(forward)},
            undo=('restore', {'netns': netns, 'family': family, 'text': _restore_text(backward)}))

    def op_restore(self, netns, family, text):
        self.seam.restore(netns, family, text)

    def summary(self, desired, plan, observed):
        results = []
        for spec in desired['specs']:
            lines = []
            for table, chain, tokens in spec.rules():
                present = normalize(tokens) in (observed.get(_subject(spec.family, table, chain)) or [])
                lines.append({'table': table, 'chain': chain, 'rule': '-A %s %s' % (chain, normalize(tokens)),
                              'present': present})
            results.append({'kind': spec.kind, 'family': 'ipv%d' % spec.family, 'rules': lines,
                            'state': 'present' if all(r['present'] for r in lines) else 'absent'})
        return results

    def extra_results(self, plan):
        added, removed = [], []
        for subject, after in plan.after.items():
            if subject.startswith('_'):
                continue
            before = plan.before.get(subject) or []
            chain = subject.split()[-1]
            added.extend('-A %s %s' % (chain, r) for r in (after or []) if r not in before)
            removed.extend('-A %s %s' % (chain, r) for r in before if r not in (after or []))
        return {'added': added, 'removed': removed}


def _group_in_order(raw, wanted, wanted_lines, group_mark):
    """A purged group's rules exactly as wanted, in that order, where the
    group's first rule was (last when it had none); other rules stay."""
    group, seen = [], set()
    for tokens, line in zip(wanted, wanted_lines):
        if line not in seen:
            group.append(tokens)
            seen.add(line)
    content, placed = [], False
    for tokens in raw:
        if _group_of(tokens) != group_mark:
            content.append(tokens)
        elif not placed:
            content.extend(group)
            placed = True
    return content if placed else content + group


def _placed(chain, line, jumps):
    """Whether a jump in a built-in chain is where it must be: the isolation
    chain's before any other of ours."""
    return chain != FIRST or jumps[0] == line


def _builtins(jumps):
    return [builtin for builtin, condition in jumps]


def _group_of(tokens):
    """'linuxns.net:<group>' of one of our rules, else None."""
    parts = (comment_of(tokens) or '').split(':')
    return ':'.join(parts[:2]) if parts[0] == OWNER_MARK and len(parts) > 1 else None


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
