# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's links: read every link of a namespace with its
addresses (one dump), create veth pairs, bridges and vxlan devices, change
their settings, bridge ports and addresses, delete them; lo's state and alias.
Everything but vxlan devices goes through the lean writer (_rtnl_write);
those through pyroute2.

A part of NetlinkSeam (see _netlink), which provides the core it uses:
session(), rtnl(), _cached(), changed(), _index(), _target(), _ns_file(),
_indexes and _here_fd.
"""

import errno
import os

from ansible_collections.linuxns.net.plugins.module_utils import _rtnl as rtnl
from ansible_collections.linuxns.net.plugins.module_utils._rtnl import NetlinkRequestError

_LOOPBACK_INDEX = 1  # the kernel always gives lo ifindex 1 in every namespace
# what _rtnl's dump has that a link here does not (kind-specific fields come from _kind_fields)
_DUMP_ONLY = ('name', 'master_index', 'data', 'slave_data')


class LinksMixin:

    def loopback(self, netns):
        """(is_up, alias) of `lo` in `netns` (from the namespace's one link dump)."""
        lo = next(link for link in self.links(netns).values() if link['index'] == _LOOPBACK_INDEX)
        return lo['up'], lo['alias']

    def set_loopback(self, netns, up=None, alias=None):
        changes = {}
        if up is not None:
            changes['state'] = 'up' if up else 'down'
        if alias is not None:
            changes['ifalias'] = alias
        if changes:
            self.changed()
            self.rtnl(netns).set_link(index=_LOOPBACK_INDEX, **changes)

    def links(self, netns):
        """{ifname: link dict} of every link in `netns`, addresses included."""
        return self._cached(('links', netns), lambda: self._read_links(netns))

    def _read_links(self, netns):
        dumper = self.rtnl(netns)
        addresses = {}
        for index, cidr in dumper.addresses():
            addresses.setdefault(index, []).append(cidr)
        raw = dumper.links()
        by_index = dict((link['index'], link) for link in raw)
        links = {}
        for link in raw:
            master = by_index.get(link['master_index'])
            links[link['name']] = dict((key, value) for key, value in link.items() if key not in _DUMP_ONLY)
            links[link['name']].update(master=master['name'] if master else None,
                                       addresses=sorted(addresses.get(link['index'], [])),
                                       **_kind_fields(link, by_index))
        self._indexes.update(((netns, name), link['index']) for name, link in links.items())
        return links

    def netnsid(self, netns, other):
        """The id under which `netns` knows namespace `other`, or None."""
        return self._cached(('netnsid', netns, other), lambda: self._read_netnsid(netns, other))

    def _read_netnsid(self, netns, other):
        fd = os.open(self._ns_file(other) if other else '/proc/self/ns/net', os.O_RDONLY)
        try:
            return self.rtnl(netns).netnsid(fd)
        finally:
            os.close(fd)

    def add_veth(self, netns, name, peer_netns, peer_name, mtu=None, master=None, up=False):
        """Create a pair whose peer is born in its namespace under its name,
        with its mtu and master set and the first end up in the same request."""
        self.changed()
        here = self._here_fd if peer_netns is None else None
        fd = here if here is not None else os.open(self._ns_file(peer_netns), os.O_RDONLY)
        try:
            master_index = self._index(netns, master) if master else None
            self.rtnl(netns).add_veth(name, peer_name, fd, mtu=mtu, master=master_index, up=up)
        finally:
            if here is None:
                os.close(fd)

    def add_bridge(self, netns, name, stp, forward_delay):
        self.changed()
        self.rtnl(netns).add_bridge(name, stp, forward_delay)

    def set_bridge(self, netns, name, stp=None, forward_delay=None):
        self.changed()
        self.rtnl(netns).set_bridge(self._index(netns, name), stp, forward_delay)

    def set_link(self, netns, name, **changes):
        """Change the link's settings (_link_specs.LinkEnd.SETTINGS), state,
        master (a name or None) or ifalias."""
        if 'master' in changes:
            master = changes.pop('master')
            changes['master'] = self._index(netns, master) if master else 0
        self.changed()
        self.rtnl(netns).set_link(**dict(self._target(netns, name), **changes))

    def set_hairpin(self, netns, name, enabled):
        self.changed()
        self.rtnl(netns).set_hairpin(self._index(netns, name), enabled)

    def address(self, netns, name, command, cidr):
        """command: 'replace' (add, or keep if present) or 'del' (_rtnl_write)."""
        self.changed()
        try:
            self.rtnl(netns).address(command, self._index(netns, name), cidr)
        except NetlinkRequestError as exc:
            # gone already: taking a link down flushes its IPv6 addresses, so a
            # rollback that took it down first finds nothing left to delete
            if not (command == 'del' and exc.errno == errno.EADDRNOTAVAIL):
                raise

    def add_vxlan(self, netns, name, vni, local, port, dev, learning):
        args = {'vxlan_id': vni, 'vxlan_port': port, 'vxlan_learning': 1 if learning else 0}
        if local:
            args['vxlan_local6' if ':' in local else 'vxlan_local'] = local
        if dev:
            args['vxlan_link'] = self._index(netns, dev)
        self.changed()
        self.session(netns).link('add', ifname=name, kind='vxlan', **args)

    def set_vxlan(self, netns, name, learning):
        self.changed()
        self.session(netns).link('set', index=self._index(netns, name), kind='vxlan',
                                 vxlan_learning=1 if learning else 0)

    def delete_link(self, netns, name):
        index = self._index(netns, name)
        self.changed()
        self._indexes.pop((netns, name), None)
        self.rtnl(netns).delete_link(index)


def _kind_fields(link, by_index):
    """Bridge, bridge port and vxlan settings from a dumped link's raw attributes."""
    data, slave = link['data'], link['slave_data']
    fields = {'stp': None, 'forward_delay': None, 'hairpin': bool(rtnl.u8(slave.get(rtnl.BRPORT_MODE))) if slave else None}
    if link['kind'] == 'bridge':
        fields.update(stp=rtnl.u32(data.get(rtnl.BRIDGE['stp'])), forward_delay=rtnl.u32(data.get(rtnl.BRIDGE['forward_delay'])))
    elif link['kind'] == 'vxlan':
        dev = by_index.get(rtnl.u32(data.get(rtnl.VXLAN['link'])))
        fields.update(vni=rtnl.u32(data.get(rtnl.VXLAN['id'])), port=rtnl.be16(data.get(rtnl.VXLAN['port'])),
                      local=rtnl.ip(rtnl.AF_INET, data.get(rtnl.VXLAN['local'])) or rtnl.ip(rtnl.AF_INET6, data.get(rtnl.VXLAN['local6'])),
                      dev=dev['name'] if dev else None, learning=bool(rtnl.u8(data.get(rtnl.VXLAN['learning']))))
    return fields
