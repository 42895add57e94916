# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading links: the kernel's view of a link (from the netlink seam) as ours.

link_view() makes the view every link Resource compares and returns (see
_links); LinkReader reads each namespace's links once per read() and finds
a veth's peer, wherever its namespace.
"""

import ipaddress
import itertools

from ansible_collections.linuxns.net.plugins.module_utils._engine import is_owned
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import LinkEnd

CLOCK_TICKS = 100  # IFLA_BR_FORWARD_DELAY is in USER_HZ ticks


def _is_link_local(cidr):
    return ipaddress.ip_interface(cidr).ip.is_link_local and ':' in cidr


def link_view(link, name, netns):
    view = dict(
        ((field, link[field]) for field in LinkEnd.SETTINGS),
        name=name, netns=netns, kind=link['kind'], index=link['index'], state='up' if link['up'] else 'down',
        master=link['master'], addresses=[a for a in link['addresses'] if not _is_link_local(a)],
        owned=is_owned(link['alias']),
    )
    if link['kind'] == 'bridge':
        view['stp'] = bool(link['stp'])
        view['forward_delay'] = link['forward_delay'] / float(CLOCK_TICKS)
    return view


class LinkReader:
    """Reads each namespace's links once per read()."""

    def __init__(self, seam):
        self.seam = seam
        self.cache = {}
        self.namespaces = None
        self._named = None  # the live namespaces' names, sorted: the last places a peer is looked for

    def links(self, netns):
        """{name: link} in `netns`, or None when the namespace does not exist."""
        if netns not in self.cache:
            if netns is not None:
                if self.namespaces is None:
                    self.namespaces = self.seam.namespaces()
                entry = self.namespaces.get(netns)
                if entry is None or entry.stale:
                    self.cache[netns] = None
                    return None
            self.cache[netns] = self.seam.links(netns)
        return self.cache[netns]

    def link(self, netns, name):
        links = self.links(netns)
        return links.get(name) if links else None

    def peer_of(self, link, netns, peer_netns):
        """(name, netns) of a veth's peer if it lives in netns or peer_netns,
        else (None, '?') for a peer somewhere else."""
        if link['link_netnsid'] is None:
            candidates = [netns]
        else:
            # the expected namespace first; every named one only when the pair is wrong
            others = itertools.chain([peer_netns, None], self._named_namespaces())
            candidates = (ns for ns in others if ns != netns and self.links(ns) is not None
                          and self.seam.netnsid(netns, ns) == link['link_netnsid'])
        for ns in candidates:
            for name, other in (self.links(ns) or {}).items():
                if other['index'] == link['link_index'] and other['kind'] == 'veth':
                    return name, ns
        return None, '?'

    def _named_namespaces(self):
        """Sorted once per read, not per veth: a host may hold hundreds."""
        if self._named is None:
            if self.namespaces is None:
                self.namespaces = self.seam.namespaces()
            self._named = sorted(n for n, e in self.namespaces.items() if not e.stale)
        return self._named
