#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: netns_route
short_description: Manage IPv4 and IPv6 routes inside a network namespace
version_added: 0.1.0
description:
  - Adds, replaces and removes routes in a named network namespace or the one the module
    runs in, like C(ip route replace) and C(ip route del), idempotently.
  - A route is identified by its destination, table and metric. One that exists with another
    gateway, device, scope or source is replaced in place, never duplicated. When only the
    metric changes, the new route is added before the old one of ours is removed.
  - Routes this module makes carry routing protocol number 76 (C(ip route show proto 76)), which
    is how O(purge) tells ours from routes of the kernel, DHCP or a routing daemon.
  - A gateway that is not on a network of any interface fails before any change (unless
    O(onlink=true)).
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.attributes.netlink
options:
  netns:
    description: Named network namespace; omit for the namespace the module runs in.
    type: str
  state:
    description:
      - V(present) adds or replaces the routes; V(absent) removes them (a route that is not there
        is not an error, nor is a missing namespace).
    type: str
    choices: [present, absent]
    default: present
  dst:
    description:
      - Destination in CIDR notation, or V(default) (IPv6 when the gateway is IPv6, or V(::/0)).
      - One route; use O(routes) for a list.
    type: str
  gateway:
    description: Next hop address.
    type: str
  dev:
    description: Output interface. Needed with an IPv6 link-local gateway.
    type: str
  metric:
    description: Route metric (priority). Defaults to the kernel's 0 for IPv4 and 1024 for IPv6.
    type: int
  table:
    description: Routing table, a number (1-4294967295) or V(main), V(local), V(default).
    type: raw
    default: main
  scope:
    description:
      - V(universe), V(site), V(link), V(host) or a number. Defaults, as in iproute2, to V(link)
        for IPv4 routes without gateway, else V(universe).
    type: raw
  src:
    description: Preferred source address.
    type: str
  onlink:
    description: Treat the gateway as directly reachable on O(dev) even if no address says so.
    type: bool
    default: false
  routes:
    description: >-
      Many routes in one call: each entry takes the options of one route (O(dst) required), and its
      own O(netns), so one task sets the routes of many namespaces; checked as strictly, an error
      names the entry (C(routes[2].metric)).
    type: list
    elements: dict
  purge:
    description:
      - Make the given routes the exact set of this collection's routes in their tables (or in
        O(table) when no route is given), in each namespace they name, so our other routes there
        are removed. Routes made by anything else are never purged.
    type: bool
    default: false
seealso:
  - module: linuxns.net.veth
  - name: ip-route(8)
    description: The iproute2 command for the same routes.
    link: https://man7.org/linux/man-pages/man8/ip-route.8.html
"""

EXAMPLES = r"""
- name: Default route of a container via the bridge gateway
  linuxns.net.netns_route:
    netns: web1
    dst: default
    gateway: 172.18.0.1

- name: Routes to other hosts' container subnets (host-gw), exactly these
  linuxns.net.netns_route:
    routes:
      - {dst: 10.244.1.0/24, gateway: 198.51.100.11}
      - {dst: 10.244.2.0/24, gateway: 198.51.100.12}
    purge: true

- name: The default route of every container, in one task
  linuxns.net.netns_route:
    routes:
      - {netns: web1, dst: default, gateway: 172.18.0.1}
      - {netns: web2, dst: default, gateway: 172.18.0.1}

- name: IPv6 default route via a link-local router
  linuxns.net.netns_route:
    netns: web1
    dst: default
    gateway: fe80::1
    dev: eth0

- name: Remove a route
  linuxns.net.netns_route:
    netns: web1
    dst: 10.99.0.0/16
    gateway: 172.18.0.254
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["add route default via 172.18.0.1 in namespace web1"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
routes:
  description: One entry per requested route, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    dst:
      description: Destination (V(default) or a CIDR).
      type: str
    family:
      description: 4 or 6.
      type: int
    gateway:
      description: Next hop.
      type: str
    dev:
      description: Output interface (V(null) in check mode when the kernel will pick it).
      type: str
    metric:
      description: Metric.
      type: int
    table:
      description: Table number.
      type: int
    scope:
      description: Scope number (0 universe, 253 link).
      type: int
    src:
      description: Preferred source.
      type: str
    onlink:
      description: Whether the route is on-link.
      type: bool
    owned:
      description: Whether the route carries this collection's mark (proto 76).
      type: bool
    netns:
      description: Namespace.
      type: str
    state:
      description: V(present) or V(absent) after the task.
      type: str
    action:
      description: What happened.
      type: str
      choices: [added, replaced, removed, unchanged]
"""

from ansible_collections.linuxns.net.plugins.module_utils._module import one_or_many_module, run_module
from ansible_collections.linuxns.net.plugins.module_utils._options import ROUTE
from ansible_collections.linuxns.net.plugins.module_utils._routes import RouteResource


def main():
    module, entries = one_or_many_module(ROUTE, 'routes', key='dst', exclusive=False, module_options=dict(
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        purge=dict(type='bool', default=False),
    ))
    run_module(module, RouteResource, 'routes', entries)


if __name__ == '__main__':
    main()
