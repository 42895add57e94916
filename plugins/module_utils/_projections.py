# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What earlier parts of container_network's plan promise, as later parts
read it (the composite's `project` hooks): links, routes, cgroups and
workloads that do not exist yet in check mode, or that an earlier part
changes."""

from ansible_collections.linuxns.net.plugins.module_utils._cgroup import CgroupResource
from ansible_collections.linuxns.net.plugins.module_utils._routes import route_subject


LINK_PARTS = ('overlay', 'bridge', 'veth')


def project_links(current, plans):
    """current['_links'] ({netns: {name: link}}) as it will be: namespaces
    the netns part creates exist (empty), links earlier link parts promise
    are there with their kind, master and addresses."""
    links = dict(current['_links'])
    netns_plan = plans.get('netns')
    for netns, have in links.items():
        if have is None and netns_plan is not None and netns_plan.after.get('netns/%s' % netns):
            links[netns] = {}
    for name in LINK_PARTS:
        plan = plans.get(name)
        for subject, view in (plan.after.items() if plan else []):
            if subject.startswith('_'):
                continue
            netns, _sep, ifname = subject.rpartition('/')
            netns = netns or None
            if links.get(netns) is None:
                continue
            links[netns] = dict(links[netns])
            if view is None:
                links[netns].pop(ifname, None)
            else:
                links[netns][ifname] = dict(links[netns].get(ifname) or {}, kind=view['kind'], master=view['master'],
                                            addresses=view['addresses'])
    current['_links'] = links
    return current


def project_routes(current, plans):
    """project_links, and without the IPv4 routes the kernel flushes when
    an earlier part takes every IPv4 address off their interface (removals
    come before additions: a changed fixed address or subnet), so that the
    plan adds them again."""
    before = current['_links']
    current = project_links(current, plans)
    routes = dict(current['_routes'])
    for netns, links in before.items():
        for name, link in (links or {}).items():
            had = [a for a in link['addresses'] if ':' not in a]
            now = ((current['_links'].get(netns) or {}).get(name) or {}).get('addresses') or []
            if had and not set(had) & set(now):
                flushed = [r for r in routes.get(netns) or [] if (r['dev'], r['family']) == (name, 4)]
                routes[netns] = [r for r in routes[netns] if r not in flushed]
                current.update((route_subject(netns, r['family'], r['dst'], r['table'], r['metric']), None) for r in flushed)
    current['_routes'] = routes
    return current


def project_cgroups(current, plans):
    """A namespace the netns part creates exists, and holds no process yet."""
    return CgroupResource.with_namespaces(current, lambda name: plans['netns'].after.get('netns/%s' % name))


def project_workloads(current, plans):
    """Workloads start in their container's cgroups (all hierarchies)."""
    cgroup_plan = plans.get('cgroup')
    current['_cgroups'] = {}
    for path, view in (cgroup_plan.after.items() if cgroup_plan else []):
        if not path.startswith('_') and view:
            current['_cgroups'][path.rsplit('/', 1)[1]] = list(view['paths'])
    return current
