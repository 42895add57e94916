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
  - This file also provides C(linuxns.net.cluster_problems), C(linuxns.net.peer_routes),
    C(linuxns.net.vtep_address) and the C(linuxns.net.reachability_*) helpers of C(playbooks/verify.yml);
    see the roles and that playbook for their use.
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

from ansible_collections.linuxns.net.plugins.module_utils._reachability import merge_reports


def host_subnet(cluster_cidr, index, prefix=24):
    network = ipaddress.ip_network(cluster_cidr)
    count = 2 ** (prefix - network.prefixlen)
    if not 0 <= int(index) < count:
        raise AnsibleFilterError('host index %s does not fit: %s has %d subnets of /%d' % (index, cluster_cidr, count, prefix))
    first = int(network.network_address) + int(index) * 2 ** (network.max_prefixlen - prefix)
    return str(ipaddress.ip_network((first, prefix)))


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


def reachability_targets(addresses_per_host, hosts):
    """linuxns.net.reachability targets: {name: 'host/container', address} for
    every container of every host."""
    targets = []
    for host, addresses in zip(hosts, addresses_per_host):
        for name in sorted(addresses):
            targets.append({'name': '%s/%s' % (host, name), 'address': addresses[name].split('/')[0]})
    return targets


def reachability_ports(hostvars, hosts):
    """linuxns.net.reachability ports: {name: 'host/container:port', address:
    the host's underlay address, port} for every published TCP port."""
    ports = []
    for host in hosts:
        for container in hostvars[host].get('containers_list') or []:
            for port in container.get('ports') or []:
                if port.get('protocol', 'tcp') == 'tcp':
                    ports.append({'name': '%s/%s:%d' % (host, container['name'], int(port['host'])),
                                  'address': hostvars[host]['cluster_network_underlay_address'], 'port': int(port['host'])})
    return ports


def reachability_report(results, hosts):
    """One matrix from the linuxns.net.reachability results of several hosts
    (in the order of `hosts`): {lines, misses, total, passed}; a row of a
    named namespace is shown as host/namespace."""
    return merge_reports(results, hosts)


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
            'cluster_problems': cluster_problems,
            'peer_routes': peer_routes,
            'vtep_address': vtep_address,
            'reachability_targets': reachability_targets,
            'reachability_ports': reachability_ports,
            'reachability_report': reachability_report,
        }
