# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What network_info reports of the packet filter: our rules, in whichever
backend they are (iptables' LINUXNS-* chains, our nft table inet linuxns),
and the host's own firewall as the packet-filter seam sees it before a run
(_host_firewall): which firewall, and which of its chains would drop our
bridges' forwarded traffic.  Read only."""

import re
import shutil

from ansible_collections.linuxns.net.plugins.module_utils import _firewalld as firewalld
from ansible_collections.linuxns.net.plugins.module_utils._engine import OWNER_MARK
from ansible_collections.linuxns.net.plugins.module_utils._filter_policy import parse_comment
from ansible_collections.linuxns.net.plugins.module_utils._filter_iptables import CHAINS
from ansible_collections.linuxns.net.plugins.module_utils._filter_nftables import FAMILY, LOOKUPS, PORT_MAPS, REGULAR_CHAINS, TABLE, ours
from ansible_collections.linuxns.net.plugins.module_utils._host_firewall import HostFirewall
from ansible_collections.linuxns.net.plugins.module_utils._iptables import FilterToolError, IptablesSeam, comment_of, normalize, parse_save

_TARGET_KINDS = {'MASQUERADE': 'masquerade', 'SNAT': 'snat', 'DNAT': 'dnat', 'ACCEPT': 'forward', 'DROP': 'isolate',
                 'RETURN': 'exempt'}
_NFT_VERDICT_KINDS = {'masquerade': 'masquerade', 'accept': 'forward', 'drop': 'isolate', 'return': 'exempt'}


def read_nat(seam, warnings, host=None):
    """Our chains and the rules in them, by group, in both backends; rules
    without our mark are foreign.  None when neither can be read."""
    nat, read_any = {'chains': [], 'groups': {}, 'foreign': []}, False
    iptables = IptablesSeam(seam)
    for family in (4, 6):
        if not shutil.which('iptables-save'):
            break
        try:
            tables = parse_save(iptables.save(None, family))
        except FilterToolError as exc:
            warnings.append('NAT rules of IPv%d not read: %s' % (family, exc))
            continue
        read_any = True
        _add_family(nat, family, tables)
    if host is not None and host.ruleset is not None:
        read_any = True
        _add_nft(nat, ours(host.ruleset) or {})
    return nat if read_any else None


def read_firewall(seam, bridges, warnings, judged='auto'):
    """The host's packet filter besides ours: the nftables tables, firewalld,
    iptables-legacy rules, the backend our rules are in, and the chains
    that would drop the traffic of `bridges` (our bridges) for the backend
    `judged` (auto: the one our rules are in, else auto's pick)."""
    try:
        host = HostFirewall.read(seam, None)
    except FilterToolError as exc:
        warnings.append('the host firewall was not read: %s' % exc)
        return None, None
    ours_in = (['nftables'] if host.ruleset and ours(host.ruleset) is not None else []) + \
        (['iptables'] if host.iptables_nft_rules(owned=True) or host.legacy_rules(owned=True) else [])
    backend, variant = host.choose('auto', [b for b in ours_in if b == 'nftables'])
    in_use = ours_in[0] if len(ours_in) == 1 else (ours_in and backend)
    seen_by = judged if judged != 'auto' else (in_use or backend)
    zoned = firewalld.read(host.ruleset)['runtime'] if host.firewalld() else []
    blocking, input_blocking = [
        [c for c in host.blocking(seen_by, variant, bridges, hook=hook)
         if not (c['firewalld'] and set(bridges) <= set(zoned))]  # our zone lets them through
        if bridges else [] for hook in ('forward', 'input')]
    facts = {'backend': in_use or None, 'auto': backend, 'iptables_variant': variant if (in_use or backend) == 'iptables' else None,
             'nftables': host.ruleset is not None, 'tables': ['%s %s' % t for t in host.tables()],
             'native_tables': ['%s %s' % t for t in host.native_tables()],
             'firewalld': host.firewalld(), 'firewalld_zone': zoned,
             'iptables_legacy': host.legacy_rules(), 'iptables_nft': host.iptables_nft_rules(),
             'bridges': sorted(bridges), 'judged_for': seen_by, 'blocking': blocking, 'input_blocking': input_blocking}
    return facts, host


def _add_family(nat, family, tables):
    for chain, (table, jumps) in sorted(CHAINS.items()):
        chains, rules = tables.get(table, ([], []))
        if chain not in chains:
            continue
        jumped_from = [builtin for builtin, _condition in jumps if any(
            c == builtin and comment_of(t) == OWNER_MARK and _value(t, '-j') == chain for c, t in rules)]
        nat['chains'].append({'family': 'ipv%d' % family, 'table': table, 'chain': chain, 'jumps': jumped_from})
        for tokens in [t for c, t in rules if c == chain]:
            _add_rule(nat, rule_view(family, table, chain, tokens))


def _add_nft(nat, chains):
    """Our chains and port maps (their elements read as the rules they
    stand for); the rule that looks a port map up is structure, as a jump."""
    for chain in REGULAR_CHAINS + tuple(PORT_MAPS.values()):
        if chain not in chains:
            continue
        family = 'ipv%s' % chain[-1]
        jumped_from = [base for base, rules in sorted(chains.items()) if any(r.endswith('jump ' + chain) for r in rules)]
        nat['chains'].append({'family': family, 'table': '%s %s' % (FAMILY, TABLE), 'chain': chain, 'jumps': jumped_from})
        for text in chains[chain]:
            if (chain, text) not in LOOKUPS.values():
                _add_rule(nat, nft_rule_view(family, chain, text))


def _add_rule(nat, rule):
    if rule['owned']:
        nat['groups'].setdefault(rule['group'], []).append(rule)
    else:
        nat['foreign'].append(rule)


def _mark(comment):
    group, note = parse_comment(comment) or (None, None)
    return {'owned': group is not None, 'group': group, 'comment': note}


def rule_view(family, table, chain, tokens):
    """A rule of one of our iptables chains: its text, owner, group, kind
    and, for a published port, what it publishes."""
    try:
        text = normalize(tokens)
    except FilterToolError:  # a foreign rule in a form we do not parse
        text = ' '.join(tokens)
    view = dict({'family': 'ipv%d' % family, 'table': table, 'chain': chain, 'rule': '-A %s %s' % (chain, text),
                 'kind': _kind(chain, _TARGET_KINDS.get(_value(tokens, '-j'), 'other'))}, **_mark(comment_of(tokens)))
    if view['kind'] == 'dnat':
        on = _value(tokens, '-d')  # published on one host address only (host_ip)
        view.update(protocol=_value(tokens, '-p'), port=_value(tokens, '--dport'), to=_value(tokens, '--to-destination'),
                    address=on.split('/')[0] if on else None)
    return view


def nft_rule_view(family, chain, text):
    """A rule of our nft table, as rule_view gives an iptables one."""
    body, _sep, comment = text.partition(' comment "')
    nat = re.search(r'(?:^| )([sd]nat) ip6? to ', body)
    kind = nat.group(1) if nat else _kind(chain, _NFT_VERDICT_KINDS.get(body.rsplit(' ', 1)[-1], 'other'))
    view = dict({'family': family, 'table': '%s %s' % (FAMILY, TABLE), 'chain': chain, 'rule': text, 'kind': kind},
                **_mark(comment[:-1] if comment else None))
    if kind == 'dnat':
        match = re.search(r'(?:^| )(tcp|udp|sctp) dport (\S+) .*dnat ip6? to (\S+)', body)
        on = re.search(r'(?:^| )ip6? daddr (?!type )(\S+)', body)  # host_ip
        if match:
            view.update(protocol=match.group(1), port=match.group(2).replace('-', ':'), to=match.group(3),
                        address=on.group(1) if on else None)
    return view


def _kind(chain, kind):
    """A return in the postrouting chain keeps the source (no_masquerade);
    elsewhere it exempts from isolation."""
    return 'no_masquerade' if kind == 'exempt' and 'postrouting' in chain.lower() else kind


def _value(tokens, flag):
    """The value after `flag` (long forms of -j and -p included)."""
    aliases = {'-j': ('-j', '--jump'), '-p': ('-p', '--protocol')}.get(flag, (flag,))
    for i, token in enumerate(tokens[:-1]):
        if token in aliases:
            return tokens[i + 1]
    return None
