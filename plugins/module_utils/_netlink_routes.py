# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's routes: every unicast route of every table of a
namespace, and routes replaced or deleted one at a time, marked with
ROUTE_PROTO.

A part of NetlinkSeam (see _netlink), which provides the core it uses:
session(), dumper(), _cached(), changed() and _index(); and links()
(_netlink_links) to name each route's device.
"""

import errno

from ansible_collections.linuxns.net.plugins.module_utils import _rtnl as rtnl

ROUTE_PROTO = 76  # marks routes this collection made (`ip route show proto 76`)
_RTN_UNICAST = 1
_RTNH_F_ONLINK = 4
_AF_INET, _AF_INET6 = 2, 10


class RoutesMixin:

    def routes(self, netns):
        """Every unicast route of every table in `netns`, as plain dicts."""
        def read():
            names = dict((link['index'], name) for name, link in self.links(netns).items())
            return list(_read_routes(self.dumper(netns), names))
        return self._cached(('routes', netns), read)

    def route(self, netns, command, route):
        """command: 'replace' (add or change in place) or 'del'.  `route` is a
        dict as routes() returns; the route is marked with ROUTE_PROTO."""
        family = _route_family(route)
        dst = route['dst'] if route['dst'] != 'default' else ('::/0' if family == _AF_INET6 else '0.0.0.0/0')
        args = {'dst': dst, 'family': family, 'table': route['table'], 'priority': route['metric']}
        if command != 'del':
            args['proto'] = ROUTE_PROTO
            args['scope'] = route['scope']
            for key, attr in (('gateway', 'gateway'), ('src', 'prefsrc')):
                if route.get(key):
                    args[attr] = route[key]
            if route.get('dev'):
                args['oif'] = self._index(netns, route['dev'])
            if route.get('onlink'):
                args['flags'] = _RTNH_F_ONLINK
        self.changed()
        try:
            self.session(netns).route(command, **args)
        except Exception as exc:  # pyroute2's NetlinkError, imported with the session
            # IPv6 checks an onlink gateway against the table as it is: a route
            # to the same destination through another device (the one this
            # replaces: routes mode becoming vxlan) makes it a "device mismatch"
            if not (getattr(exc, 'code', None) == errno.EINVAL and command == 'replace' and family == _AF_INET6
                    and route.get('onlink')):
                raise
            same = dict((key, args[key]) for key in ('dst', 'family', 'table', 'priority'))
            self.session(netns).route('del', **same)
            self.session(netns).route('add', **args)


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
