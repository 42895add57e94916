# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The host's own firewall, as the packet-filter seam must respect it.

nftables' rule: an accept ends only its own base chain, while a drop in any
table at the same hook is final.  So accepts in our chains (iptables' or our
nft table) cannot let traffic through a forward hook where another table
drops it: a hardened nftables ruleset (`table inet filter`, policy drop),
firewalld (`table inet firewalld`, which rejects what no zone accepts) or a
FORWARD DROP in the other iptables backend (legacy vs nf_tables).  Such a
chain is found here before any change, and the run fails naming it, with the
rules that would let our bridges through - unless the user names the chain
(host_firewall), and we add those rules there ourselves.

What is read: `nft -j list ruleset` (every nf_tables table, the ones
iptables-nft makes included) when nft is installed, and iptables-legacy-save
when that is.  From it, `auto` picks the backend where the host's own rules
are: iptables-legacy rules -> iptables (legacy tools); iptables-nft rules
(Docker, ufw, netfilter-persistent) -> iptables (nf_tables tools); a native
nftables ruleset -> nftables; else the backend our rules are in already;
else iptables.
"""

import re
import shutil

from ansible_collections.linuxns.net.plugins.module_utils._engine import OWNER_MARK
from ansible_collections.linuxns.net.plugins.module_utils._filter_nftables import FAMILY, TABLE, NftSeam, chain_rules
from ansible_collections.linuxns.net.plugins.module_utils._iptables import FilterToolError, IptablesSeam, comment_of, parse_save
from ansible_collections.linuxns.net.plugins.module_utils._nft_text import rule_text

IPTABLES_TABLES = ('filter', 'nat', 'mangle', 'raw', 'security')  # what iptables-nft makes, in families ip and ip6
LEGACY_TABLE = 'filter (iptables-legacy)'  # how a dropping legacy FORWARD chain is named
_FINAL = ('drop', 'reject')


class HostFirewall:
    """What one namespace's packet filter holds besides ours."""

    def __init__(self, ruleset, legacy):
        self.ruleset = ruleset  # the JSON API's objects, or None when nft is not installed
        self.legacy = legacy  # {family: iptables-legacy-save text}, {} when it holds no table

    @classmethod
    def read(cls, netlink, netns):
        ruleset = NftSeam(netlink).ruleset(netns) if shutil.which('nft') else None
        legacy = {}
        if shutil.which('iptables-legacy-save'):
            seam = IptablesSeam(netlink, 'legacy')
            for family in _legacy_families(netlink, netns):
                try:
                    text = seam.save(netns, family)
                except FilterToolError:
                    continue
                if parse_save(text):
                    legacy[family] = text
        return cls(ruleset, legacy)

    # -- what is there ----------------------------------------------------------

    def tables(self):
        """[(family, name)] of every nf_tables table."""
        return [(o['table']['family'], o['table']['name']) for o in self.ruleset or [] if 'table' in o]

    def firewalld(self):
        return ('inet', 'firewalld') in self.tables()

    def native_tables(self):
        """Tables neither ours nor iptables-nft's."""
        return [t for t in self.tables() if t != (FAMILY, TABLE) and not _iptables_table(*t)]

    def iptables_nft_rules(self, owned=False):
        """Whether iptables-nft holds foreign rules or a non-accept policy
        (with owned: rules of ours)."""
        if owned:
            return any(_iptables_table(r['family'], r['table']) and _owned_nft(r) for r in self._rules())
        return any(_iptables_table(c['family'], c['table']) and c.get('policy', 'accept') != 'accept'
                   for c in self._chains()) or any(_iptables_table(r['family'], r['table']) and not _owned_nft(r)
                                                   for r in self._rules())

    def legacy_rules(self, owned=False):
        """Whether iptables-legacy holds foreign rules or a non-accept policy
        (with owned: rules of ours)."""
        for text in self.legacy.values():
            for table in parse_save(text).values():
                if any(_owned_save(chain, tokens) == owned for chain, tokens in table[1]):
                    return True
            if not owned and any(policy not in ('ACCEPT', '-') for policy in _policies(text).values()):
                return True
        return False

    def choose(self, wanted, ours_in):
        """(backend, iptables variant) for firewall_backend `wanted` (auto,
        iptables, nftables); ours_in: the backends our rules are in now.
        The variant (None: whatever `iptables` is) follows the host's own
        iptables rules, else ours."""
        legacy, nft = self.legacy_rules(), self.iptables_nft_rules()
        if not legacy and not nft:
            legacy, nft = self.legacy_rules(owned=True), self.iptables_nft_rules(owned=True)
        variant = None
        if nft and shutil.which('iptables-nft-save'):
            variant = 'nft'
        elif legacy and shutil.which('iptables-legacy-save'):
            variant = 'legacy'
        if wanted != 'auto':
            return wanted, variant
        if self.legacy_rules() or self.iptables_nft_rules():
            return 'iptables', variant
        if self.native_tables():
            return 'nftables', None
        if ours_in or variant:
            return (ours_in or ['iptables'])[0], variant
        return ('iptables' if shutil.which('iptables-restore') or not shutil.which('nft') else 'nftables'), None

    # -- what would drop our traffic --------------------------------------------

    def blocking(self, backend, variant, interfaces, ignore=None, hook='forward'):
        """Chains at `hook` (forward, or input: traffic from the containers
        to the host itself), not ours, that drop what no rule of theirs
        accepts, and that do not let `interfaces` through: [dict].  Rules
        with the comment `ignore` (our group's accepts, which a run may take
        out) do not count as letting them through."""
        found = []
        for chain in self._chains():
            if chain.get('hook') != hook or chain.get('type', 'filter') != 'filter':
                continue
            key = (chain['family'], chain['table'])
            if key == (FAMILY, TABLE) or (hook == 'forward' and backend == 'iptables' and variant != 'legacy'
                                          and _iptables_table(*key)):
                continue  # ours, or where our iptables jump goes first
            rules = [r for r in self._rules() if (r['family'], r['table'], r['chain']) == key + (chain['name'],)]
            final = _final_verdict(chain.get('policy'), rules)
            if final and not admits([rule_text(r) for r in rules if not ignore or r.get('comment') != ignore], interfaces, hook):
                found.append({'family': key[0], 'table': key[1], 'chain': chain['name'], 'hook': hook, 'drops': final,
                              'firewalld': key == ('inet', 'firewalld')})
        if backend != 'iptables' or variant != 'legacy' or hook == 'input':
            found.extend(self._legacy_blocking(hook))
        return found

    def _legacy_blocking(self, hook):
        """iptables-legacy's FORWARD (or INPUT) chains that drop."""
        found, name = [], hook.upper()
        for family, text in sorted(self.legacy.items()):
            rules = [t for c, t in parse_save(text).get('filter', ([], []))[1] if c == name]
            policy = _policies(text).get('filter ' + name)
            if policy == 'DROP' or (rules and rules[-1][-2:] in (['-j', 'DROP'], ['-j', 'REJECT'])):
                found.append({'family': 'ip' if family == 4 else 'ip6', 'table': LEGACY_TABLE, 'chain': name,
                              'hook': hook, 'drops': 'policy drop' if policy == 'DROP' else 'a final drop rule',
                              'firewalld': False})
        return found

    def chain_rules(self, family, table, chain):
        """[(handle, text)] of a foreign chain's rules; None when it does not exist."""
        return chain_rules(self.ruleset or [], family, table, chain)

    def _chains(self):
        return [o['chain'] for o in self.ruleset or [] if 'chain' in o]

    def _rules(self):
        return [o['rule'] for o in self.ruleset or [] if 'rule' in o]


def admission_rules(interfaces, group_mark, hook='forward'):
    """Rules that let traffic from and to our bridges through a foreign
    forward chain (our own chains still decide isolation: a drop is final),
    or, at the input hook, from our bridges to the host."""
    keys = ('iifname', 'oifname') if hook == 'forward' else ('iifname',)
    return ['%s "%s" accept comment "%s"' % (key, name, group_mark) for name in interfaces for key in keys]


def admits(rules, interfaces, hook='forward'):
    """Whether a chain's rules accept everything from and to `interfaces`
    (as admission_rules do, with or without our comment)."""
    plain = set(r.split(' comment "')[0] for r in rules)
    return all(line.split(' comment "')[0] in plain for line in admission_rules(interfaces, OWNER_MARK, hook))


def describe_blocking(found, interfaces, option='host_firewall'):
    """The error for chains that drop our traffic: what, where, and what to do."""
    problems, advice = [], []
    for chain in found:
        problems.append('%s %s, chain %s (hook %s, %s)' % (chain['family'], chain['table'], chain['chain'], chain['hook'], chain['drops']))
        if chain['firewalld']:
            advice.append('firewalld is running: put the bridges in a zone that accepts them, e.g. ' + '; '.join(
                'firewall-cmd --permanent --zone=trusted --add-interface=%s' % i for i in interfaces) + '; firewall-cmd --reload')
        elif chain['table'] == LEGACY_TABLE:
            advice.append('the host\'s rules are in iptables-legacy: use firewall_backend=iptables (auto picks it), which '
                          'writes there')
        else:
            advice.append('add these rules (or name the chain in %s: {family: %s, table: %s, chain: %s} and this collection '
                          'adds and removes them): %s' % (option, chain['family'], chain['table'], chain['chain'], '; '.join(
                              'nft insert rule %s %s %s %s' % (chain['family'], chain['table'], chain['chain'], r)
                              for r in reversed(admission_rules(interfaces, OWNER_MARK)))))
    return ('the host\'s firewall would drop the containers\' forwarded traffic before our rules can accept it '
            '(an accept ends only its own chain; a drop anywhere at the hook is final): %s. Nothing was changed. %s'
            % ('; '.join(problems), ' '.join(advice)))


def describe_input(found, interfaces, families, option='host_firewall.input_chain'):
    """The warning for chains that drop the containers' traffic to the host
    itself: forwarding, egress and published ports still work."""
    where = '; '.join('%s %s, chain %s (%s)' % (c['family'], c['table'], c['chain'], c['drops']) for c in found)
    rules = '; '.join('nft insert rule %s %s %s %s' % (c['family'], c['table'], c['chain'], r) for c in found
                      if c['table'] != LEGACY_TABLE and not c['firewalld'] for r in admission_rules(interfaces, OWNER_MARK, 'input'))
    ipv6 = (', and IPv6 needs the host to answer neighbour solicitations there (accept icmpv6 nd-neighbor-solicit) '
            'to forward at all') if 6 in families else ''
    remedy = (' To let them in: %s - or name the chain in %s and this collection adds and removes that rule.'
              % (rules, option)) if rules else ''
    return ('the host\'s firewall drops traffic from the containers (%s) to the host itself at the input hook: %s. '
            'Forwarding, egress and published ports work, but containers cannot reach services on the host (its '
            'gateway addresses)%s.%s' % (', '.join(interfaces), where, ipv6, remedy))


def _legacy_families(netlink, netns):
    """The families whose iptables-legacy tables exist in `netns`: the
    kernel lists them in ip_tables_names / ip6_tables_names (iptables-nft's
    tables are not there), so a host without any costs no iptables-legacy-save."""
    families = []
    with netlink.inside(netns):
        for family, name in ((4, 'ip_tables_names'), (6, 'ip6_tables_names')):
            try:
                with open('/proc/thread-self/net/' + name) as handle:
                    if handle.read().strip():
                        families.append(family)
            except IOError:  # no legacy x_tables in this kernel: nothing there
                continue
    return families


def _owned_nft(rule):
    """Ours, as iptables-nft's rules show in the JSON API (its comments do not):
    in a chain of ours, or a jump to one."""
    jumps = [e.get('jump', e.get('goto')) for e in rule.get('expr') or [] if 'jump' in e or 'goto' in e]
    return rule['chain'].startswith('LINUXNS-') or any(j['target'].startswith('LINUXNS-') for j in jumps) \
        or (rule.get('comment') or '').startswith(OWNER_MARK)


def _owned_save(chain, tokens):
    return chain.startswith('LINUXNS-') or (comment_of(tokens) or '').startswith(OWNER_MARK)


def _iptables_table(family, name):
    return family in ('ip', 'ip6') and name in IPTABLES_TABLES


def _policies(save_text):
    """{'TABLE CHAIN': policy} of an iptables-save text ('-' for a chain of its own)."""
    policies, table = {}, None
    for line in save_text.splitlines():
        if line.startswith('*'):
            table = line[1:].strip()
        match = re.match(r'^:(\S+) (\S+)', line)
        if match and table:
            policies['%s %s' % (table, match.group(1))] = match.group(2)
    return policies


def _final_verdict(policy, rules):
    """'policy drop', 'a final drop rule' (or reject: a rule with no match,
    as firewalld ends its chains), or None."""
    if policy == 'drop':
        return 'policy drop'
    verdicts = [list(e)[0] for e in (rules[-1].get('expr') or []) if 'counter' not in e] if rules else []
    if len(verdicts) == 1 and verdicts[0] in _FINAL:
        return 'a final %s rule' % verdicts[0]
    return None
