# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's routes: every unicast route of every table of a
namespace (the lean reader), and routes replaced or deleted one at a time
(the lean writer), marked with ROUTE_PROTO.

A part of NetlinkSeam (see _netlink), which provides the core it uses:
session(), rtnl(), _cached(), changed() and _index(); and links()
(_netlink_links) to name each route's device.
"""

import errno

from ansible_collections.linuxns.net.plugins.module_utils import _rtnl as rtnl
from ansible_collections.linuxns.net.plugins.module_utils._rtnl import NetlinkRequestError

ROUTE_PROTO = 76  # marks routes this collection made (`ip route show proto 76`)
_RTN_UNICAST = 1
_AF_INET, _AF_INET6 = 2, 10


class RoutesMixin:

    def routes(self, netns):
        """Every unicast route of every table in `netns`, as plain dicts."""
        def read():
            names = dict((link['index'], name) for name, link in self.links(netns).items())
            return list(_read_routes(self.rtnl(netns), names))
        return self._cached(('routes', netns), read)

    def route(self, netns, command, route):
        """command: 'replace' (add or change in place) or 'del'.  `route` is a
        dict as routes() returns; the route is marked with ROUTE_PROTO."""
        family = _route_family(route)
        dst = route['dst'] if route['dst'] != 'default' else ('::/0' if family == _AF_INET6 else '0.0.0.0/0')
        if '/' not in dst:
            dst += '/128' if family == _AF_INET6 else '/32'
        same = {'family': family, 'dst': dst, 'table': route['table'], 'metric': route['metric']}
        args = dict(same)
        if command != 'del':
            args.update(proto=ROUTE_PROTO, scope=route['scope'], gateway=route.get('gateway'), prefsrc=route.get('src'),
                        oif=self._index(netns, route['dev']) if route.get('dev') else None, onlink=bool(route.get('onlink')))
        self.changed()
        writer = self.rtnl(netns)
        try:
            writer.route(command, **args)
        except NetlinkRequestError as exc:
            # IPv6 checks an onlink gateway against the table as it is: a route
            # to the same destination through another device (the one this
            # replaces: routes mode becoming vxlan) makes it a "device mismatch"
            if not (exc.errno == errno.EINVAL and command == 'replace' and family == _AF_INET6 and route.get('onlink')):
                raise
            writer.route('del', **same)
            writer.route('add', **args)


def _route_family(route):
    return _AF_INET6 if ':' in (route.get('gateway') or '') or ':' in route['dst'] else _AF_INET


def _read_routes(dumper, names):
    for family in (rtnl.AF_INET, rtnl.AF_INET6):
        for msg in dumper.routes(family):
            if msg['type'] != _RTN_UNICAST:
                continue
            yield {
                'dst': 'default' if msg['dst_len'] == 0 else '%s/%d' % (msg['dst'], msg['dst_len']),
                'family': 6 if family == rtnl.AF_INET6 else 4,
                'gateway': msg['gateway'],
                'dev': names.get(msg['oif']),
                'metric': msg['metric'],
                'table': msg['table'],
                'scope': msg['scope'],
                'src': msg['src'],
                'onlink': msg['onlink'],
                'proto': msg['proto'],
            }
