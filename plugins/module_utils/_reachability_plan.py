# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability module's input, validated (pure): its sources, the
checks (source-target pairs, and ports), and the matrix's columns."""

import os

from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, ip_address, netns_name, unique)

MAX_CHECKS = 65536  # the targets of one source are numbered by the 16-bit ICMP sequence
MAX_RETRIES = 10
MAX_SECONDS = 60.0  # for timeout and delay: with MAX_RETRIES, a task ends within 11 minutes


class Source:
    """Where probes start: netns '' is the module's own namespace.  option
    names the input it came from, for errors found when opening it."""

    def __init__(self, netns, label, option):
        self.netns = netns
        self.label = label
        self.option = option


class Check:
    """One source-target pair: an echo (port None) or a TCP connect, tried up
    to 1 + retries times."""

    __slots__ = ('source', 'column', 'address', 'port', 'seq', 'tries', 'started', 'trying', 'blocked_since', 'ok', 'error',
                 'sock', 'isolated')

    def __init__(self, source, column, address, port=None, seq=0, isolated=False):
        self.isolated = isolated  # expected to get no answer: a firewall between them
        self.source = source
        self.column = column
        self.address = address
        self.port = port
        self.seq = seq
        self.tries = 0
        self.started = None
        self.trying = False  # a try is under way: sent, neither answered nor given up
        self.blocked_since = None  # when a full send buffer first held this check back
        self.ok = None  # None while undecided
        self.error = None
        self.sock = None

    @property
    def family(self):
        return self.address.version


def namespace(value, option):
    """'' or null: the module's own namespace; an absolute path (e.g.
    /proc/PID/ns/net) as given; anything else a name under /run/netns."""
    if value is None or value == '':
        return ''
    value = str(value)
    if value.startswith('/'):
        if '\0' in value:
            raise ValidationError(option, 'namespace path %r must not contain a NUL byte' % value)
        return os.path.normpath(value)
    return netns_name(value, option)


def seconds(value, option, allow_zero=False):
    """A number of seconds, bounded so every task ends."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(option, '%r is not a number of seconds' % (value,))
    if not 0 <= value <= MAX_SECONDS or (value == 0 and not allow_zero):  # nan fails every comparison
        raise ValidationError(option, '%s is out of range: %s and at most %d seconds'
                              % (value, 'at least 0' if allow_zero else 'more than 0', MAX_SECONDS))
    return float(value)


def _target(value, option):
    """(label, address, namespaces it must not answer) of a plain address or
    a {name, address, blocked_from} dict."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(['name', 'address', 'blocked_from']))
        if unknown:
            raise ValidationError(option, 'unknown key(s) %s; a target has name, address and blocked_from' % ', '.join(unknown))
        if value.get('address') in (None, ''):
            raise ValidationError(option, 'a target needs an address')
        address = ip_address(value['address'], option + '.address')
        blocked = value.get('blocked_from') or []
        if not isinstance(blocked, list):
            raise ValidationError(option + '.blocked_from', 'give a list of source namespaces')
        return str(value.get('name') or address), address, set(namespace(n, option + '.blocked_from') for n in blocked)
    if value in (None, ''):
        raise ValidationError(option, 'a target needs an address')
    address = ip_address(value, option)
    return str(address), address, set()


def endpoint(address, port):
    """address:port, with the brackets IPv6 needs."""
    return ('[%s]:%d' if address.version == 6 else '%s:%d') % (address, port)


class Plan:
    """Sources, matrix columns and checks, from the module's parameters."""

    def __init__(self, sources, columns, checks, settings):
        self.sources = sources
        self.columns = columns
        self.checks = checks
        self.timeout, self.delay, self.retries, self.sources_at_once = settings

    def waves(self):
        """The checks in waves of `sources_at_once` sources (all at once for
        0), sources in order: each wave's checks, retries included, are
        decided before the next wave starts."""
        size = self.sources_at_once or len(self.sources) or 1
        for first in range(0, len(self.sources), size):
            wave = set(source.netns for source in self.sources[first:first + size])
            checks = [check for check in self.checks if check.source.netns in wave]
            if checks:
                yield checks


def plan(params, here_label):
    """Validate every option (ValidationError names the one at fault) and
    list the checks: every source to every target, then each port."""
    settings = (seconds(params['timeout'], 'timeout'), seconds(params['delay'], 'delay', allow_zero=True),
                integer_range(params['retries'], 'retries', 0, MAX_RETRIES),
                integer_range(params.get('sources_at_once') or 0, 'sources_at_once', 0, MAX_CHECKS))
    sources = _sources(params, here_label)
    targets = [_target(value, 'targets[%d]' % i) for i, value in enumerate(params.get('targets') or [])]
    unique([label for label, _address, _blocked in targets], 'targets')
    ports = [_port(value, 'ports[%d]' % i) for i, value in enumerate(params.get('ports') or [])]
    total = len(sources) * len(targets) + len(ports)
    if total > MAX_CHECKS:
        raise ValidationError('targets', '%d checks asked for; at most %d in one task' % (total, MAX_CHECKS))
    for i, (_name, _address, blocked) in enumerate(targets):
        strangers = sorted(blocked - set(source.netns for source in sources))
        if strangers:
            raise ValidationError('targets[%d].blocked_from' % i, '%s is not one of the sources' % ', '.join(strangers))
    checks = [Check(source, label, address, seq=seq, isolated=source.netns in blocked)
              for source in sources for seq, (label, address, blocked) in enumerate(targets)]
    by_netns = dict((source.netns, source) for source in sources)
    for i, (netns, label, address, port) in enumerate(ports):
        source = by_netns.setdefault(netns, Source(netns, _label(netns, here_label), 'ports[%d].source' % i))
        checks.append(Check(source, label, address, port=port))
    _each_pair_once(checks)
    sources = ordered(sources + [check.source for check in checks if check.port])
    unique([source.label for source in sources], 'sources')  # a namespace named like the host
    columns = ordered([label for label, _address, _blocked in targets] + [label for _netns, label, _address, _port in ports])
    return Plan(sources, columns, checks, settings)


def _each_pair_once(checks):
    """Targets are unique, so a pair listed twice involves a port check."""
    seen = set()
    for check in checks:
        pair = (check.source.label, check.column)
        if pair in seen:
            raise ValidationError('ports', '%s -> %s is listed more than once; give the port check another name' % pair)
        seen.add(pair)


def _label(netns, here_label):
    return netns or here_label


def _sources(params, here_label):
    names = params.get('sources')
    if names is None:
        names = ['']
    netns = unique([namespace(name, 'sources') for name in names], 'sources')
    sources = [Source(name, _label(name, here_label), 'sources') for name in netns]
    unique([source.label for source in sources], 'sources')
    return sources


def _port(value, option):
    address = ip_address(value.get('address'), option + '.address')
    port = integer_range(value.get('port'), option + '.port', 1, 65535)
    netns = namespace(value.get('source'), option + '.source')
    return netns, str(value.get('name') or endpoint(address, port)), address, port


def ordered(values):
    seen = set()
    return [v for v in values if not (v in seen or seen.add(v))]
