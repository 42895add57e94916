# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the link modules ask for: validated specs of veth pairs and bridges.

LinkEnd holds the settings of one interface (the options of the `link` doc
fragment, which vxlan devices take too); VethSpec is a pair of ends, BridgeSpec
a bridge.  Also how subjects and messages name a link and its namespace.
"""

from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, interface_address, interface_name, netns_name, unicast_mac, unique)


def link_subject(netns, name):
    return name if netns is None else '%s/%s' % (netns, name)


def where(netns):
    """How messages name a namespace."""
    return 'namespace %s' % netns if netns else 'the host namespace'


class LinkEnd:
    """Settings of one interface, validated; prefix names the options in messages.

    SETTINGS are the plain ones: read back from the kernel under the same
    name (the link view), compared, and changed in place by the seam's
    set_link - adding one is this list, its field here, its declaration in
    _options.LINK (and doc fragment `link`) and its netlink attribute."""

    SETTINGS = ('mtu', 'mac', 'txqueuelen')

    def __init__(self, params, prefix, defaults=None):
        params = dict(defaults or {}, **dict((k, v) for k, v in params.items() if v is not None))
        self.prefix = prefix
        self.name = interface_name(params.get('name'), prefix + 'name')
        netns = params.get('netns')
        self.netns = netns_name(netns, prefix + 'netns') if netns else None
        self.addresses = [str(interface_address(a, prefix + 'addresses'))
                          for a in unique(params.get('addresses') or [], prefix + 'addresses')]
        self.purge_addresses = params.get('purge_addresses') is not False
        self.mtu = params.get('mtu')
        if self.mtu is not None:
            integer_range(self.mtu, prefix + 'mtu', 68, 65535)
        self.mac = unicast_mac(params['mac'], prefix + 'mac') if params.get('mac') else None
        self.txqueuelen = params.get('txqueuelen')
        if self.txqueuelen is not None:
            integer_range(self.txqueuelen, prefix + 'txqueuelen', 0, 2 ** 32 - 1)
        bridge = params.get('bridge')
        self.bridge = interface_name(bridge, prefix + 'bridge') if bridge else None
        self.state = params.get('state') or 'up'

    @property
    def subject(self):
        return link_subject(self.netns, self.name)


class VethSpec:
    """A pair; its peer may be left out to delete a pair by one end's name
    (as `ip link del` does): peer is then None and found when read."""

    def __init__(self, params, prefix=''):
        self.state = params.get('state') or 'present'
        self.prefix = prefix
        link_state = 'down' if self.state == 'down' else 'up'
        peer = params.get('peer')
        self.end = LinkEnd(dict(params, state=link_state), prefix)
        self.recreate = bool(params.get('recreate'))
        self.peer = None
        if peer is None and self.absent:
            return
        if not isinstance(peer, dict) or not peer.get('name'):
            raise ValidationError(prefix + 'peer.name', 'the peer end needs a name (only state=absent works without peer)')
        self.peer = LinkEnd(peer, prefix + 'peer.', defaults={'state': link_state,
                                                              'purge_addresses': params.get('purge_addresses')})
        if (self.end.netns, self.end.name) == (self.peer.netns, self.peer.name):
            raise ValidationError(prefix + 'peer.name', 'both ends are %s in %s' % (self.end.name, where(self.end.netns)))

    @property
    def absent(self):
        return self.state == 'absent'

    def peer_in(self, current):
        """The peer end: as given, else the one `current` shows paired with
        this end (None when there is none, or it is in an unnamed namespace)."""
        if self.peer is not None:
            return self.peer
        found = (current.get(self.end.subject) or {}).get('peer') or {}
        if not found.get('name') or found.get('netns') == '?':
            return None
        return LinkEnd({'name': found['name'], 'netns': found['netns']}, self.prefix + 'peer.')


class BridgeSpec:
    def __init__(self, params, prefix=''):
        self.state = params.get('state') or 'present'
        self.link = LinkEnd(dict(params, state='down' if self.state == 'down' else 'up', bridge=None), prefix)
        self.stp = params.get('stp')
        delay = params.get('forward_delay')
        if delay is not None and not 0 <= delay <= 30:
            raise ValidationError(prefix + 'forward_delay', '%s is out of range 0-30 seconds' % delay)
        if delay is not None and self.stp and delay < 2:
            raise ValidationError(prefix + 'forward_delay', 'with stp on the kernel needs 2-30 seconds, got %s' % delay)
        self.forward_delay = delay
        ports = params.get('ports')
        self.ports = None if ports is None else [interface_name(p, prefix + 'ports') for p in unique(ports, prefix + 'ports')]
        self.purge_ports = bool(params.get('purge_ports'))
        self.hairpin = [interface_name(p, prefix + 'hairpin') for p in unique(params.get('hairpin') or [], prefix + 'hairpin')]
        self.force = bool(params.get('force'))

    @property
    def absent(self):
        return self.state == 'absent'


def specs_from(params, key, spec_class):
    """One spec from the top-level options, or one per entry of `key`."""
    if params.get(key):
        specs = [spec_class(dict(entry), '%s[%d].' % (key, i)) for i, entry in enumerate(params[key])]
    else:
        if not params.get('name'):
            raise ValidationError('name', 'give name (one object) or %s (a list)' % key)
        specs = [spec_class(params)]
    return specs
