# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Published ports as container_network takes them: a dict, or Docker's
short form (8080:80, 8053:53/udp, 127.0.0.1:8080:80, 8000-8009:8000-8009),
checked once for the module and for the roles' checks (filter
cluster_problems)."""

import re

from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, ip_address, port_range

PROTOCOLS = ('tcp', 'udp', 'sctp')
_PORT_FORM = re.compile(r'^(?:(?P<ip>\d+\.\d+\.\d+\.\d+|\[[0-9A-Fa-f:.]+\]):)?(?P<host>\d+(?:-\d+)?)(?::(?P<container>\d+(?:-\d+)?))?'
                        r'(?:/(?P<protocol>[a-z]+))?$')


def short_form(value, option):
    """'[IP:]HOST[:CONTAINER][/PROTOCOL]' (HOST and CONTAINER ports or ranges
    like 8000-8009) -> {host, container, protocol, host_ip}."""
    match = _PORT_FORM.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if match is None:
        raise ValidationError(option, '%r is not a published port: give HOST:CONTAINER, HOST:CONTAINER/udp, '
                              'IP:HOST:CONTAINER ([IPv6]:HOST:CONTAINER), a range (8000-8009:8000-8009) or a dict '
                              'with host, container, protocol and host_ip' % (value,))
    port = {'host': match.group('host'), 'container': match.group('container') or match.group('host'),
            'protocol': match.group('protocol') or 'tcp'}
    if match.group('ip'):
        port['host_ip'] = match.group('ip').strip('[]')
    return port


def _port(params, prefix):
    protocol = params.get('protocol') or 'tcp'
    if protocol not in PROTOCOLS:
        raise ValidationError(prefix + 'protocol', '%r is not one of %s' % (protocol, ', '.join(PROTOCOLS)))
    if params.get('host') is None:
        raise ValidationError(prefix + 'host', 'a published port needs the host port')
    host = port_range(params['host'], prefix + 'host')
    container = port_range(params['container'], prefix + 'container') if params.get('container') is not None else host
    if host[0] != host[1] and container != host:  # DNAT keeps a connection's port when it is in the target range
        raise ValidationError(prefix + 'container', 'a range is published on the same ports of the container: give the '
                              'range %d-%d (or leave container out)' % host)
    if host[0] == host[1] and container[0] != container[1]:
        raise ValidationError(prefix + 'container', 'one host port is published on one container port, not a range')
    host_ip = ip_address(str(params['host_ip']), prefix + 'host_ip') if params.get('host_ip') else None
    if host_ip is not None and (host_ip.is_loopback or host_ip.is_unspecified):
        raise ValidationError(prefix + 'host_ip', '%s: give one of the host\'s own addresses (loopback and the unspecified '
                              'address are not published on: omit host_ip to publish on every address)' % host_ip)
    return {'protocol': protocol, 'host': _port_text(host), 'container': _port_text(container),
            'host_ip': str(host_ip) if host_ip else None}


def published_port(entry, option):
    """A published port as a dict or Docker's short form, checked: {protocol,
    host, container, host_ip}, a port an int and a range a string (8000-8009).
    The module's and the roles' checks (filter cluster_problems) alike."""
    return _port(entry if isinstance(entry, dict) else short_form(entry, option), option + '.')


def _port_text(bounds):
    return bounds[0] if bounds[0] == bounds[1] else '%d-%d' % bounds


class HostPorts:
    """The host ports published so far, to find the one a new port overlaps
    (same protocol, an address of both) without comparing every pair: a host
    may publish thousands.  Single ports are looked up; ranges, rare, are
    compared."""

    def __init__(self):
        self._singles = {}  # (protocol, port) -> [(host_ip, owner)]
        self._ranges = []  # (protocol, low, high, host_ip, owner)

    def claim(self, port, owner):
        """Take `port` for `owner`: the owner of an earlier port it overlaps, else None."""
        low, high = port_range(port['host'], 'host')
        clash = next(self._overlapping(port['protocol'], low, high, port['host_ip']), None)
        if low == high:
            self._singles.setdefault((port['protocol'], low), []).append((port['host_ip'], owner))
        else:
            self._ranges.append((port['protocol'], low, high, port['host_ip'], owner))
        return clash

    def _overlapping(self, protocol, low, high, host_ip):
        if low == high:
            singles = self._singles.get((protocol, low), ())
        else:
            singles = ((ip, owner) for (proto, number), taken in self._singles.items()
                       if proto == protocol and low <= number <= high for ip, owner in taken)
        for ip, owner in singles:
            if _shared_address(ip, host_ip):
                yield owner
        for proto, other_low, other_high, ip, owner in self._ranges:
            if proto == protocol and low <= other_high and other_low <= high and _shared_address(ip, host_ip):
                yield owner


def _shared_address(one, other):
    """Whether two host_ip (None: every address) publish on an address of both."""
    return one is None or other is None or one == other
