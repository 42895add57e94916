# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure helpers the roles use to lay out a cluster network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: host_subnet
short_description: The container subnet of the host with a given index in the cluster CIDR
version_added: 0.1.0
description:
  - Splits the cluster CIDR into subnets of O(prefix) and returns the one at O(index).
  - This file also provides C(linuxns.net.container_addresses) and C(linuxns.net.cluster_problems);
    see the roles for their use.
options:
  _input:
    description: The cluster CIDR, e.g. C(10.244.0.0/16).
    type: str
    required: true
  index:
    description: Index of the host (1 is the first subnet after the network's own 0).
    type: int
    required: true
  prefix:
    description: Prefix length of each host's subnet.
    type: int
    default: 24
author:
  - linuxns.net maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: The subnet of the third host
  ansible.builtin.debug:
    msg: "{{ '10.244.0.0/16' | linuxns.net.host_subnet(3) }}"  # 10.244.3.0/24
"""

RETURN = r"""
_value:
  description: The subnet in CIDR notation.
  type: str
"""

import ipaddress

from ansible.errors import AnsibleFilterError


def host_subnet(cluster_cidr, index, prefix=24):
    network = ipaddress.ip_network(cluster_cidr)
    count = 2 ** (prefix - network.prefixlen)
    if not 0 <= int(index) < count:
        raise AnsibleFilterError('host index %s does not fit: %s has %d subnets of /%d' % (index, cluster_cidr, count, prefix))
    first = int(network.network_address) + int(index) * 2 ** (network.max_prefixlen - prefix)
    return str(ipaddress.ip_network((first, prefix)))


def container_addresses(containers, subnet, previous=None):
    """{name: 'address/prefix'}: a fixed `address` as given; else the address
    the container had before (from `previous`), so adding or removing a
    container never renumbers the others; else the lowest free one.  The
    first host address is the gateway."""
    network = ipaddress.ip_network(subnet)
    gateway = next(network.hosts())
    taken, result = set([gateway]), {}
    for container in containers:
        if container.get('address'):
            address = ipaddress.ip_interface(str(container['address'])).ip
            result[container['name']] = address
            taken.add(address)
    for container in containers:
        old = (previous or {}).get(container['name'])
        if container['name'] in result or not old:
            continue
        address = ipaddress.ip_interface(str(old)).ip
        if address in network and address not in taken:
            result[container['name']] = address
            taken.add(address)
    free = (a for a in network.hosts() if a not in taken)
    for container in containers:
        if container['name'] not in result:
            try:
                result[container['name']] = next(free)
            except StopIteration:
                raise AnsibleFilterError('subnet %s has no free address left for container %s' % (subnet, container['name']))
    return dict((name, '%s/%d' % (address, network.prefixlen)) for name, address in result.items())


def cluster_problems(hostvars, hosts):
    """Everything wrong with a cluster's data, checked before any host is touched."""
    problems, subnets = [], {}
    for host in hosts:
        data = hostvars[host]
        subnet = ipaddress.ip_network(data['cluster_network_host_subnet'])
        for other, other_subnet in subnets.items():
            if subnet.overlaps(other_subnet):
                problems.append('%s: subnet %s overlaps %s of %s' % (host, subnet, other_subnet, other))
        subnets[host] = subnet
        names, addresses, ports = set(), set(), set()
        for container in data.get('containers_list') or []:
            name = container.get('name')
            if name in names:
                problems.append('%s: container name %s is used twice' % (host, name))
            if not name or len(str(name)) > 12:
                problems.append('%s: container name %r must have 1-12 characters (its veth is ve-NAME)' % (host, name))
            names.add(name)
            if container.get('address'):
                address = ipaddress.ip_interface(str(container['address'])).ip
                if address not in subnet or address in (subnet.network_address, subnet.broadcast_address, next(subnet.hosts())):
                    problems.append('%s: address %s of container %s is not a container address of %s'
                                    % (host, address, name, subnet))
                if address in addresses:
                    problems.append('%s: address %s is used twice' % (host, address))
                addresses.add(address)
            for port in container.get('ports') or []:
                key = (str(port.get('protocol', 'tcp')), int(port['host']))
                if key in ports:
                    problems.append('%s: published port %s/%d is used twice' % (host, key[0], key[1]))
                ports.add(key)
    return problems


def container_pairs(containers, addresses, bridge, mtu=1500):
    """veth pairs for linuxns.net.veth: host end ve-NAME on the bridge, eth0 in the container."""
    return [{'name': 've-' + c['name'], 'bridge': bridge, 'mtu': int(mtu),
             'peer': {'name': 'eth0', 'netns': c['name'], 'addresses': [addresses[c['name']]], 'mtu': int(mtu)}}
            for c in containers]


def container_routes(containers, subnet):
    """Each container's default route via the gateway, for one linuxns.net.netns_route call."""
    gateway = gateway_address(subnet)
    return [{'netns': c['name'], 'dst': 'default', 'gateway': gateway} for c in containers]


LIMIT_KEYS = ('cpu', 'cpu_weight', 'memory', 'memory_swap', 'pids_max', 'cpuset_cpus')


def container_limits(containers):
    """One linuxns.net.cgroup_limit group per container with limits, holding
    every process of the container's namespace."""
    return [dict([('name', c['name']), ('netns', c['name'])] +
                 [(key, str(c['limits'][key])) for key in LIMIT_KEYS if c['limits'].get(key) is not None])
            for c in containers if c.get('limits')]


def container_workloads(containers):
    """[name, command, name, command, ...] of the containers with a command."""
    return [str(item) for c in containers if c.get('command') for item in (c['name'], c['command'])]


def container_dnat(containers, addresses):
    """dnat rules for linuxns.net.nat_rule, one per published port."""
    rules = []
    for container in containers:
        address = addresses[container['name']].split('/')[0]
        for port in container.get('ports') or []:
            rules.append({'kind': 'dnat', 'protocol': port.get('protocol', 'tcp'), 'port': int(port['host']),
                          'to': '%s:%d' % (address, int(port.get('container', port['host']))),
                          'comment': container['name']})
    return rules


def ping_targets(addresses_per_host, hosts):
    """'host/container=address' for every container of every host."""
    targets = []
    for host, addresses in zip(hosts, addresses_per_host):
        for name in sorted(addresses):
            targets.append('%s/%s=%s' % (host, name, addresses[name].split('/')[0]))
    return targets


def published_ports(hostvars, hosts):
    """'host/container:underlay address:port' for every published port."""
    targets = []
    for host in hosts:
        for container in hostvars[host].get('containers_list') or []:
            for port in container.get('ports') or []:
                if port.get('protocol', 'tcp') == 'tcp':
                    targets.append('%s/%s:%s:%d' % (host, container['name'],
                                                    hostvars[host]['cluster_network_underlay_address'], int(port['host'])))
    return targets


def ping_matrix(lines):
    """'SRC DST ok|FAIL' lines -> rows of a table, sources down, targets across
    (targets numbered to keep rows short), plus the legend."""
    results, targets = {}, []
    for line in lines:
        source, target, outcome = line.split()
        results.setdefault(source, {})[target] = outcome
        if target not in targets:
            targets.append(target)
    width = max([len(source) for source in results] + [6])
    rows = ['%-*s  %s' % (width, 'from', ' '.join('%2d' % (i + 1) for i in range(len(targets))))]
    for source in results:
        cells = [' .' if results[source].get(t) == 'ok' else ' X' if t in results[source] else '  ' for t in targets]
        rows.append('%-*s  %s' % (width, source, ' '.join(cells)))
    rows.append('to: ' + ', '.join('%d=%s' % (i + 1, t) for i, t in enumerate(targets)))
    rows.append('. reached, X missed')
    return rows


def gateway(subnet):
    """The first host address of `subnet`, with its prefix: the bridge's address."""
    return '%s/%d' % (gateway_address(subnet), ipaddress.ip_network(subnet).prefixlen)


def gateway_address(subnet):
    return str(next(ipaddress.ip_network(subnet).hosts()))


def peer_routes(hostvars, peers, overlay_device=None):
    """A route to each peer's container subnet: host-gw (via the peer's
    underlay address) or, given the overlay device, via the peer's VTEP
    address on it (onlink: a /32 has no subnet to be on)."""
    routes = []
    for peer in peers:
        subnet = hostvars[peer]['cluster_network_host_subnet']
        if overlay_device:
            routes.append({'dst': subnet, 'gateway': vtep_address(subnet).split('/')[0], 'dev': overlay_device, 'onlink': True})
        else:
            routes.append({'dst': subnet, 'gateway': hostvars[peer]['cluster_network_underlay_address']})
    return routes


def vtep_address(subnet):
    """The overlay device's address: the subnet's own network address as a
    /32 (as flannel does), which no container or gateway ever uses."""
    return '%s/32' % ipaddress.ip_network(subnet).network_address


class FilterModule(object):
    def filters(self):
        return {
            'host_subnet': host_subnet,
            'container_addresses': container_addresses,
            'cluster_problems': cluster_problems,
            'peer_routes': peer_routes,
            'vtep_address': vtep_address,
            'gateway': gateway,
            'container_pairs': container_pairs,
            'container_routes': container_routes,
            'container_limits': container_limits,
            'container_workloads': container_workloads,
            'container_dnat': container_dnat,
            'ping_targets': ping_targets,
            'published_ports': published_ports,
            'ping_matrix': ping_matrix,
        }
