# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Routes inside a namespace as an engine Resource.

A route is identified by (namespace, table, destination); its view is
  dst ('default' or a CIDR), gateway, dev, metric, table, scope, src, onlink,
  owned (made by this collection: proto 76).
A desired route that exists with another gateway/dev/metric/... is replaced in
place (`ip route replace`); when only the metric differs, the new route is
added first and the old one of ours removed, so there is no gap.
"""

import ipaddress

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._link_reader import LinkReader
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import where
from ansible_collections.linuxns.net.plugins.module_utils._netlink_routes import ROUTE_PROTO
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, interface_name, ip_address, missing_netns, netns_name, network)

TABLES = {'main': 254, 'local': 255, 'default': 253}
SCOPES = {'universe': 0, 'site': 200, 'link': 253, 'host': 254}
DEFAULT_METRIC = {4: 0, 6: 1024}  # what the kernel records when none is given


class RouteSpec:
    def __init__(self, params, prefix, netns, absent=False):
        self.prefix = prefix
        self.netns = netns
        gateway = params.get('gateway')
        self.dst, self.family = _destination(params.get('dst'), prefix + 'dst', gateway)
        self.gateway = _address(gateway, prefix + 'gateway', self.family)
        dev = params.get('dev')
        self.dev = interface_name(dev, prefix + 'dev') if dev else None
        if self.gateway is None and self.dev is None and not absent:
            raise ValidationError(prefix + 'gateway', 'a route needs a gateway, a dev, or both')
        if self.gateway and ipaddress.ip_address(self.gateway).is_link_local and not self.dev:
            raise ValidationError(prefix + 'dev', 'a link-local gateway (%s) needs dev' % self.gateway)
        metric = params.get('metric')
        self.metric = DEFAULT_METRIC[self.family] if metric is None else integer_range(metric, prefix + 'metric', 0, 2 ** 32 - 1)
        self.table = table_number(params.get('table'), prefix + 'table')
        scope = params.get('scope')
        if scope is None:  # as iproute2 does: a route without gateway is on-link
            scope = 'link' if self.gateway is None and self.family == 4 else 'universe'
        self.scope = _named_number(scope, prefix + 'scope', SCOPES, 0, 255)
        self.src = _address(params.get('src'), prefix + 'src', self.family)
        self.onlink = bool(params.get('onlink'))

    @property
    def subject(self):
        return route_subject(self.netns, self.family, self.dst, self.table, self.metric)

    def view(self):
        return {'dst': self.dst, 'family': self.family, 'gateway': self.gateway, 'dev': self.dev, 'metric': self.metric,
                'table': self.table, 'scope': self.scope, 'src': self.src, 'onlink': self.onlink, 'owned': True}


def route_subject(netns, family, dst, table, metric):
    return '%s%s table %d metric %d' % ('%s: ' % netns if netns else '',
                                        'default (IPv6)' if dst == 'default' and family == 6 else dst, table, metric)


def table_number(value, option):
    return _named_number('main' if value is None else value, option, TABLES, 1, 2 ** 32 - 1)


def _destination(value, option, gateway):
    if value in ('default', '0.0.0.0/0', '::/0'):
        return 'default', 6 if value == '::/0' or ':' in (gateway or '') else 4
    net = network(value, option, 'a network in CIDR notation or "default"')
    return str(net), net.version


def _address(value, option, family):
    if value is None:
        return None
    address = ip_address(value, option)
    if address.version != family:
        raise ValidationError(option, '%s is IPv%d but the destination is IPv%d' % (value, address.version, family))
    return str(address)


def _named_number(value, option, names, low, high):
    """A name from `names` or a whole number in [low, high] (a string of
    digits counts: table and scope come as raw values)."""
    if isinstance(value, str):
        if value.isdigit():
            value = int(value)
        elif value in names:
            return names[value]
        else:
            raise ValidationError(option, '%r is not one of %s or a number' % (value, ', '.join(sorted(names))))
    return integer_range(value, option, low, high)


ROUTE_KEYS = ('dst', 'gateway', 'dev', 'metric', 'table', 'scope', 'src', 'onlink')


class RouteResource(Resource):
    """Routes of one or many namespaces: an entry's netns overrides the
    top-level one, so a host's containers get their routes in one call."""

    @staticmethod
    def specs(params):
        netns = netns_name(params['netns'], 'netns') if params.get('netns') else None
        entries = [('routes[%d].' % i, e) for i, e in enumerate(params.get('routes') or [])]
        if params.get('dst'):
            entries.insert(0, ('', dict((k, params.get(k)) for k in ROUTE_KEYS)))
        absent = params['state'] == 'absent'
        specs = [RouteSpec(entry, prefix, netns_name(entry['netns'], prefix + 'netns') if entry.get('netns') else netns,
                           absent) for prefix, entry in entries]
        seen = set()
        for spec in specs:  # the repeat is named, not the first
            if spec.subject in seen:
                raise ValidationError(spec.prefix + 'dst', 'route %s is listed more than once' % spec.subject)
            seen.add(spec.subject)
        purge = bool(params.get('purge'))
        if not specs and not purge:
            raise ValidationError('routes', 'give dst (one route), routes (a list), or purge=true')
        tables = set(spec.table for spec in specs) or set([table_number(params.get('table'), 'table')])
        namespaces = []  # in the order given, each once
        for name in [spec.netns for spec in specs] or [netns]:
            if name not in namespaces:
                namespaces.append(name)
        return {'state': params['state'], 'namespaces': namespaces, 'routes': specs, 'purge': purge, 'purge_tables': tables}

    def read(self, desired):
        reader = LinkReader(self.seam)
        current = {'_links': {}, '_routes': {}}
        for netns in desired['namespaces']:
            links = reader.links(netns)
            current['_links'][netns], current['_routes'][netns] = links, []
            for route in (self.seam.routes(netns) if links is not None else []):
                view = _view(route)
                current[_subject_of(netns, view)] = view
                current['_routes'][netns].append(view)
        return current

    def plan(self, desired, current):
        actions, after, assumptions = [], dict(current), []
        for netns in desired['namespaces']:
            specs = [spec for spec in desired['routes'] if spec.netns == netns]
            actions.extend(self._plan_namespace(netns, specs, desired, current, after, assumptions))
        return Plan(actions, current, after, assumptions)

    def _plan_namespace(self, netns, specs, desired, current, after, assumptions):
        links, routes = current['_links'][netns], current['_routes'][netns]
        absent = desired['state'] == 'absent'
        actions = []
        if links is None and not absent:
            assumptions.append(missing_netns(netns))
        claimed = set()
        for spec in specs:
            same_dst = [v for v in routes if (v['family'], v['dst'], v['table']) == (spec.family, spec.dst, spec.table)]
            claimed.update(id(v) for v in same_dst)
            have = current.get(spec.subject)
            if absent:
                if have is not None and spec.gateway in (None, have['gateway']):
                    actions.append(_delete(netns, have, spec.subject))
                    after[spec.subject] = None
                continue
            if links is not None:
                self._check_reachable(spec, links, assumptions)
            wanted = spec.view()
            if have is None or _differs(have, wanted):
                undo = dict(route=have, command='replace') if have else dict(route=wanted, command='del')
                actions.append(Action('route', spec.subject, '%s route %s in %s' % (
                    'replace' if have else 'add', _describe(wanted), where(netns)),
                    {'netns': netns, 'command': 'replace', 'route': wanted}, undo=('route', dict(undo, netns=netns))))
            after[spec.subject] = wanted
            for old in same_dst:  # ours with another metric: the new route replaces it
                if old is not have and old['owned']:
                    actions.append(_delete(netns, old, _subject_of(netns, old)))
                    after[_subject_of(netns, old)] = None
        if desired['purge'] and not absent:
            for route in routes:
                if route['owned'] and route['table'] in desired['purge_tables'] and id(route) not in claimed:
                    actions.append(_delete(netns, route, _subject_of(netns, route)))
                    after[_subject_of(netns, route)] = None
        return actions

    @staticmethod
    def _check_reachable(spec, links, assumptions):
        """The kernel needs a gateway on a connected network, unless onlink."""
        if spec.dev is not None and spec.dev not in links:
            assumptions.append('%sdev: interface %s does not exist in %s' % (spec.prefix, spec.dev, where(spec.netns)))
            return
        if spec.gateway is None or spec.onlink or ipaddress.ip_address(spec.gateway).is_link_local:
            return
        gateway = ipaddress.ip_address(spec.gateway)
        candidates = [links[spec.dev]] if spec.dev else list(links.values())
        if not any(gateway in ipaddress.ip_interface(a).network for link in candidates for a in link['addresses']):
            raise ValidationError(spec.prefix + 'gateway', 'gateway %s is not on a network of %s in %s; add an address '
                                  'in its subnet first or set onlink=true'
                                  % (spec.gateway, spec.dev or 'any interface', where(spec.netns)))

    def verify(self, plan, observed):
        # Only the routes this plan is about: the kernel's own (e.g. IPv6
        # link-local, one per device under the same key) come and go with links.
        promised = set(a.subject for a in plan.actions) | set(
            s for s, v in plan.after.items() if isinstance(v, dict) and v.get('owned'))
        after = dict((s, v) for s, v in plan.after.items() if s in promised)
        return super().verify(Plan(plan.actions, plan.before, after), observed)

    def op_route(self, netns, command, route):
        self.seam.route(netns, command, route)

    def summary(self, desired, plan, observed):
        results = []
        for spec in desired['routes']:
            view = observed.get(spec.subject)
            changed = any(a.subject == spec.subject for a in plan.actions)
            action = 'unchanged'
            if changed:
                action = 'removed' if view is None else 'replaced' if plan.before.get(spec.subject) else 'added'
            results.append(dict(view or {'dst': spec.dst, 'table': spec.table, 'metric': spec.metric},
                                netns=spec.netns, state='absent' if view is None else 'present', action=action))
        return results


def _subject_of(netns, view):
    return route_subject(netns, view['family'], view['dst'], view['table'], view['metric'])


def _view(route):
    view = dict((key, route[key]) for key in ROUTE_KEYS)
    view['family'] = route['family']
    view['owned'] = route['proto'] == ROUTE_PROTO
    return view


def _differs(have, wanted):
    """Whether `have` must be replaced to become `wanted` (a dev left out of
    the request is whatever the kernel picks)."""
    return not have['owned'] or any(
        have[key] != wanted[key] for key in ROUTE_KEYS if not (key == 'dev' and wanted[key] is None))


def _describe(route):
    text = route['dst'] + (' (IPv6)' if route['dst'] == 'default' and route['family'] == 6 else '')
    if route.get('gateway'):
        text += ' via %s' % route['gateway']
    if route.get('dev'):
        text += ' dev %s' % route['dev']
    if route['metric'] != DEFAULT_METRIC[route['family']]:
        text += ' metric %d' % route['metric']
    if route['table'] != TABLES['main']:
        text += ' table %d' % route['table']
    return text


def _delete(netns, view, subject):
    return Action('route', subject, 'remove route %s in %s' % (_describe(view), where(netns)),
                  {'netns': netns, 'command': 'del', 'route': view},
                  undo=('route', {'netns': netns, 'command': 'replace', 'route': view}))
