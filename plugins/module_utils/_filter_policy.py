# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What we want the packet filter to do, as data, whatever the backend.

A NatRuleSpec is one validated rule of nat_rule (or of container_network's
policy): its kind, its matches (source, destination, interfaces, protocol,
port, conntrack states), its target (to) and the comment that marks it as
ours.  It says nothing about iptables or nftables: a backend
(_filter_iptables, _filter_nftables) turns it into rules in the chain its
kind belongs to (KIND_CHAIN) and reads ours back.

The logical chains, the same in every backend:
  postrouting  masquerade, snat, no_masquerade (return)
  dnat         dnat, for traffic to a local address (from other machines and the host)
  isolation    isolate (drop), exempt (return); decided before forward
  forward      forward accepts
"""

import ipaddress
import re

from ansible_collections.linuxns.net.plugins.module_utils._engine import OWNER_MARK
from ansible_collections.linuxns.net.plugins.module_utils._ports import PROTOCOLS
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, interface_name, network, port_range)

KINDS = ('masquerade', 'snat', 'dnat', 'forward', 'isolate', 'exempt', 'no_masquerade')
KIND_CHAIN = {'masquerade': 'postrouting', 'snat': 'postrouting', 'no_masquerade': 'postrouting', 'dnat': 'dnat',
              'forward': 'forward', 'isolate': 'isolation', 'exempt': 'isolation'}
CHAIN_ORDER = ('postrouting', 'dnat', 'isolation', 'forward')
# conntrack states in the order iptables-save prints them; SNAT and DNAT are
# conntrack statuses (iptables' conntrack match takes them as states)
CTSTATES = ('INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT')
CTSTATUSES = ('SNAT', 'DNAT')
FAMILY_NAMES = {'ipv4': 4, 'ipv6': 6}
BACKENDS = ('auto', 'iptables', 'nftables')
_LABEL = re.compile(r'^[A-Za-z0-9._/:@+-]{1,100}$')


class NatRuleSpec:
    """One rule, validated.  source, destination, in_interface and
    out_interface are (negated, value) or None; port is (low, high) or None;
    to is the target as given (address, address:port, [ipv6]:port), split in
    to_address and to_port; ctstate is the states in CTSTATES order, joined
    by commas."""

    def __init__(self, params, prefix):
        self.prefix = prefix
        self.to_address = self.to_port = None
        self.kind = params['kind']
        families = set()
        self.source = self._network(params.get('source'), 'source', families)
        self.destination = self._network(params.get('destination'), 'destination', families)
        self.in_interface = self._interface(params.get('in_interface'), 'in_interface')
        self.out_interface = self._interface(params.get('out_interface'), 'out_interface')
        self.protocol = params.get('protocol') or ('tcp' if self.kind == 'dnat' else None)
        if self.protocol not in (None,) + PROTOCOLS:
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
        self.comment = rule_comment(params['group'], params.get('comment'))

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
        return port_range(str(value), self.prefix + 'port')  # (low, high)

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
            port_range(port, self.prefix + 'to')
        self.to_address, self.to_port = address, port
        host = '[%s]' % address if address.version == 6 and port else str(address)
        return host + (':' + port if port else '')


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


def label(params, option, prefix=''):
    value = params.get(option)
    if value is not None and not _LABEL.match(value):
        raise ValidationError(prefix + option, '%r may use only letters, digits and ._/:@+- (1-100 characters)' % value)
    return value


def rule_comment(group, note=None):
    """The comment that marks a rule of ours: linuxns.net:<group>[:<note>]
    (without a note, the group's mark)."""
    return '%s:%s%s' % (OWNER_MARK, group, ':' + note if note else '')


def parse_comment(comment):
    """(group, note or None) of one of our rules' comment; None for any other."""
    owner, _sep, mark = (comment or '').partition(':')
    group, _sep, note = mark.partition(':')
    return (group, note or None) if owner == OWNER_MARK and group else None


def group_of(comment):
    """The group's mark (linuxns.net:<group>) of one of our rules' comment, else None."""
    parsed = parse_comment(comment)
    return rule_comment(parsed[0]) if parsed else None


def chain_content(desired, raw, wanted, group_mark, describe):
    """The rules a chain must hold, in a stable order: what is there stays
    where it is (other groups' rules untouched; this group's dropped when
    purged or removed), new rules of the group go last.  raw and wanted are
    a backend's rules; describe(rule) -> (canonical line, comment)."""
    wanted_lines = [describe(r)[0] for r in wanted]
    absent, purge = desired['state'] == 'absent', desired['purge']
    if purge and not absent:
        return _group_in_order(raw, wanted, wanted_lines, group_mark, describe)
    content, seen = [], set()
    for rule in raw:
        line, comment = describe(rule)
        if group_of(comment) == group_mark:
            keep = (not purge and line not in wanted_lines) if absent else (line in wanted_lines or not purge)
            if not keep or line in seen:  # a duplicate of ours is dropped too
                continue
        content.append(rule)
        seen.add(line)
    if not absent:
        content.extend(r for r, line in zip(wanted, wanted_lines) if line not in seen)
    return content


def _group_in_order(raw, wanted, wanted_lines, group_mark, describe):
    """A purged group's rules exactly as wanted, in that order, where the
    group's first rule was (last when it had none); other rules stay."""
    group, seen = [], set()
    for rule, line in zip(wanted, wanted_lines):
        if line not in seen:
            group.append(rule)
            seen.add(line)
    content, placed = [], False
    for rule in raw:
        if group_of(describe(rule)[1]) != group_mark:
            content.append(rule)
        elif not placed:
            content.extend(group)
            placed = True
    return content if placed else content + group
