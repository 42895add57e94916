# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure helpers the roles and playbooks/verify.yml use to lay out and check a
cluster network.  Each filter's documentation is in the YAML file named after
it beside this one (host_subnet.yml, cluster_problems.yml, ...), where
ansible-doc finds it."""

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import container_bandwidth, ifb_name
from ansible_collections.linuxns.net.plugins.module_utils._netns import namespace_files
from ansible_collections.linuxns.net.plugins.module_utils._network_spec import VETH_PREFIX
from ansible_collections.linuxns.net.plugins.module_utils._ports import HostPorts, published_port
from ansible_collections.linuxns.net.plugins.module_utils._reachability_report import merge_reports
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, container_name, device_name, namespace_sysctls, port_range)


def host_subnet(cluster_cidr, index, prefix=24):
    network = ipaddress.ip_network(cluster_cidr)
    count = 2 ** (prefix - network.prefixlen)
    if not 0 <= int(index) < count:
        raise AnsibleFilterError('host index %s does not fit: %s has %d subnets of /%d' % (index, cluster_cidr, count, prefix))
    first = int(network.network_address) + int(index) * 2 ** (network.max_prefixlen - prefix)
    return str(ipaddress.ip_network((first, prefix)))


def host_networks(networks, index, prefix=24, prefix6=64):
    """This host's part of each of the cluster's other networks (the
    cluster_network role's cluster_network_networks), in the form
    container_network's `networks` takes: the host's subnet (and IPv6 one) of
    each, carved from the network's CIDR at the host's index."""
    result = []
    for i, net in enumerate(networks or []):
        if not isinstance(net, dict) or not net.get('name') or not net.get('bridge') or not net.get('cidr'):
            raise AnsibleFilterError('cluster_network_networks[%d] needs name, bridge and cidr: %r' % (i, net))
        unknown = sorted(set(net) - set(['name', 'bridge', 'cidr', 'cidr6', 'allow', 'host_prefix', 'host_prefix6']))
        if unknown:
            raise AnsibleFilterError('cluster_network_networks[%d] has unknown keys %s' % (i, ', '.join(unknown)))
        part = {'name': net['name'], 'bridge': net['bridge'], 'cluster_cidr': net['cidr'], 'allow': list(net.get('allow') or []),
                'subnet': host_subnet(net['cidr'], index, net.get('host_prefix', prefix))}
        if net.get('cidr6'):
            part.update(cluster_cidr6=net['cidr6'], subnet6=host_subnet(net['cidr6'], index, net.get('host_prefix6', prefix6)))
        result.append(part)
    return result


def _host_subnets(data, family=4):
    """The container subnets of a host: the default network's first."""
    suffix = '6' if int(family) == 6 else ''
    subnets = [data.get('cluster_network_host_subnet' + suffix)]
    subnets += [n.get('subnet' + suffix) for n in data.get('cluster_network_host_networks') or []]
    return [s for s in subnets if s]


def cluster_problems(hostvars, hosts):
    """Everything wrong with a cluster's data, checked before any host is touched."""
    problems, subnets = [], []
    for host in hosts:
        data = hostvars[host]
        for family in (4, 6):  # every network's, the IPv6 ones of a dual-stack cluster too
            for subnet in _host_subnets(data, family):
                problems.extend(_overlaps(host, ipaddress.ip_network(subnet), subnets))
        by_network = dict([('default', ipaddress.ip_network(data['cluster_network_host_subnet']))]
                          + [(n['name'], ipaddress.ip_network(n['subnet'])) for n in data.get('cluster_network_host_networks') or []])
        names, addresses, ports = set(), {}, HostPorts()
        for index, container in enumerate(data.get('containers_list') or []):
            if not isinstance(container, dict):
                problems.append('%s: containers_list[%d] is not a dict with name, address, ports, ...: %r'
                                % (host, index, container))
                continue
            name = container.get('name')
            key = name if isinstance(name, str) else repr(name)
            if key in names:
                problems.append('%s: container name %s is used twice' % (host, name))
            problems.extend('%s: %s' % (host, problem) for problem in _name_problems(name))
            names.add(key)
            first = _first_network(container)
            if container.get('address') and first in by_network:  # (an unknown network is the module's to name)
                problems.extend('%s: %s' % (host, problem)
                                for problem in _address_problems(container, by_network[first], addresses.setdefault(first, set())))
            for port in container.get('ports') or []:
                published, problem = _published_port(port, name)
                if problem:
                    problems.append('%s: %s' % (host, problem))
                    continue
                if ports.claim(published, name) is not None:
                    problems.append('%s: published port %s/%s is used twice' % (host, published['protocol'], published['host']))
    return problems


def _overlaps(host, subnet, subnets):
    """Problems of `subnet` overlapping one of another host ([(host, subnet)], which it joins)."""
    problems = ['%s: subnet %s overlaps %s of %s' % (host, subnet, other_subnet, other)
                for other, other_subnet in subnets if other_subnet.version == subnet.version and subnet.overlaps(other_subnet)]
    subnets.append((host, subnet))
    return problems


def _name_problems(name):
    """The modules' rule for container names (a name Docker would accept, at
    most 63 characters), as a list of at most one problem."""
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)  # what the module's str option makes of a bare number
    try:
        container_name(name)
    except ValidationError as exc:
        return [exc.message]
    return []


def _address_problems(container, subnet, addresses):
    """What is wrong with a container's fixed address: not an address, not a
    container address of the host's subnet, or one used before (`addresses`,
    which it joins)."""
    try:
        address = ipaddress.ip_interface(str(container['address'])).ip
    except ValueError:
        return ['address %r of container %s is not an IP address' % (container['address'], container.get('name'))]
    problems = []
    if address not in subnet or address in (subnet.network_address, subnet.broadcast_address, next(subnet.hosts())):
        problems.append('address %s of container %s is not a container address of %s' % (address, container.get('name'), subnet))
    if address in addresses:
        problems.append('address %s is used twice' % address)
    addresses.add(address)
    return problems


def _published_port(port, name):
    """(the port as the module reads it, None), or (None, problem): a dict
    or Docker's short form, checked by the module's own rule."""
    try:
        return published_port(port, 'ports'), None
    except ValidationError as exc:
        return None, 'published port %r of container %s: %s' % (port, name, exc.message)


def reachability_targets(addresses_per_host, hosts, hostvars=None, sources=None):
    """linuxns.net.reachability targets: {name: 'host/container', address} for
    every address (a CIDR, or a list of them) of every container of every
    host; an IPv6 one is named 'host/container v6'.  Given the hostvars, an
    address on another network than the default one is named
    'host/container@network', and given the probing host's containers_list
    (sources), each target says which of them its network's isolation
    keeps out (blocked_from)."""
    targets = []
    for host, addresses in zip(hosts, addresses_per_host):
        networks = _networks_of(hostvars[host]) if hostvars is not None else {}
        for name in sorted(addresses):
            cidrs = addresses[name] if isinstance(addresses[name], list) else [addresses[name]]
            for cidr in cidrs:
                address = cidr.split('/')[0]
                network, allow = _network_of(networks, address)
                target = {'name': '%s/%s%s%s' % (host, name, '' if network == 'default' else '@' + network, ' v6' if ':' in address else ''),
                          'address': address}
                if sources is not None:
                    target['blocked_from'] = [c['name'] for c in sources if not set(_joined(c)) & set([network] + allow)]
                targets.append(target)
    return targets


def _networks_of(data):
    """{network: (the CIDRs of its addresses, the networks it allows)}: the
    cluster-wide CIDRs of cluster_network_networks (each host's subnets are
    carved from them), else a host's own networks' subnets."""
    networks = {'default': ([data.get('cluster_network_cidr'), data.get('cluster_network_cidr6')],
                            list(data.get('cluster_network_allow') or []))}
    for net in data.get('cluster_network_networks') or []:
        networks[net['name']] = ([net.get('cidr'), net.get('cidr6')], list(net.get('allow') or []))
    for net in data.get('cluster_network_host_networks') or data.get('container_host_networks') or []:
        networks.setdefault(net['name'], ([net.get('subnet'), net.get('subnet6')], list(net.get('allow') or [])))
    return networks


def _network_of(networks, address):
    """(network, networks it allows) of a container address: the default
    one when no other network's addresses hold it."""
    ip = ipaddress.ip_address(address)
    for name, (cidrs, allow) in sorted(networks.items()):
        if name != 'default' and any(c and ip in ipaddress.ip_network(c) for c in cidrs):
            return name, allow
    return 'default', networks.get('default', ([], []))[1]  # (no networks known: no hostvars given)


def _first_network(container):
    """The network of a containers_list entry's address (its first one)."""
    networks = container.get('networks')
    return _joined(container)[0] if isinstance(networks, list) and networks else 'default'


def _joined(container):
    """The networks a containers_list entry joins."""
    return [n['name'] if isinstance(n, dict) else n for n in container.get('networks') or ['default']]


def reachability_ports(hostvars, hosts):
    """linuxns.net.reachability ports: {name: 'host/container:port', address:
    the host's underlay address (or the port's host_ip), port} for every
    published TCP port."""
    ports = []
    for host in hosts:
        for container in hostvars[host].get('containers_list') or []:
            for port in [published_port(p, 'ports') for p in container.get('ports') or []]:
                if port['protocol'] == 'tcp':
                    ports.extend(_probes(hostvars[host], host, container, port))
    return ports


def _probes(data, host, container, port):
    """The probes of one published TCP port (the first and last of a range):
    on its host_ip, else on the host's underlay address and, where the
    container's first network is dual stack, its IPv6 one."""
    probes = []
    low, high = port_range(port['host'], 'host')
    for number in sorted(set([low, high])):
        name = '%s/%s:%d' % (host, container['name'], number)
        if port['host_ip']:  # published on that address only
            probes.append({'name': name, 'address': port['host_ip'], 'port': number})
            continue
        probes.append({'name': name, 'address': data['cluster_network_underlay_address'], 'port': number})
        if data.get('cluster_network_cidr6') and data.get('cluster_network_underlay_address6') \
                and _first_network_has_ipv6(data, container):
            probes.append({'name': name + ' v6', 'address': data['cluster_network_underlay_address6'], 'port': number})
    return probes


def _first_network_has_ipv6(data, container):
    """Whether a container's published ports are published for IPv6 too:
    its first network is dual stack."""
    cidrs = _networks_of(data).get(_joined(container)[0], ([], []))[0]
    return any(c and ':' in c for c in cidrs)


def reachability_report(results, hosts):
    """One matrix from the linuxns.net.reachability results of several hosts
    (in the order of `hosts`): {lines, misses, total, passed}; a row of a
    named namespace is shown as host/namespace."""
    return merge_reports(results, hosts)


def container_checks(hostvars, hosts, facts='verify_network'):
    """Each container's own settings as declared in its host's
    containers_list against what network_info read there (the registered
    result named `facts`): {lines, misses, total, passed}."""
    lines, misses, total = [], [], 0
    for host in hosts:
        network = (hostvars[host].get(facts) or {}).get('network') or {}
        for container in hostvars[host].get('containers_list') or []:
            label = '%s/%s' % (host, container['name'])
            outcomes = _container_outcomes(container, network)
            total += len(outcomes)
            misses.extend('%s %s: %s' % (label, check, problem) for check, problem in outcomes if problem)
            if outcomes:
                lines.append('%s  %s' % (label, ', '.join('%s %s' % (c, 'X' if p else 'ok') for c, p in outcomes)))
    return {'lines': lines, 'misses': misses, 'total': total, 'passed': total - len(misses)}


def _container_outcomes(container, network):
    """[(check, problem or None)] for what the container declares."""
    name = container['name']
    namespace = (network.get('namespaces') or {}).get(name) or {}
    outcomes = []
    if container.get('sysctls'):
        have = namespace.get('sysctls') or {}
        wrong = ['%s is %s, not %s' % (k, have.get(k), v)
                 for k, v in sorted(namespace_sysctls(container['sysctls'], 'sysctls').items()) if have.get(k) != v]
        outcomes.append(('sysctls', '; '.join(wrong) or None))
    wanted = namespace_files(name, container.get('dns'), container.get('hosts'))
    for file_name in sorted(wanted):
        found = (namespace.get('files') or {}).get(file_name) or ''
        # a hosts file goes on with the cluster's names (containers_names) after what the container declares
        same = found.startswith(wanted[file_name]) if file_name == 'hosts' else found == wanted[file_name]
        outcomes.append((file_name, None if same else '/etc/netns/%s/%s is not as declared' % (name, file_name)))
    if container.get('bandwidth'):
        host_links = (network.get('host') or {}).get('links') or {}
        outcomes.append(('bandwidth', _bandwidth_problem(container['bandwidth'], host_links, name)))
    if container.get('command'):
        outcomes.append(('workload', _workload_problem(container, (network.get('workloads') or {}).get(name))))
    return outcomes


def _bandwidth_problem(declared, host_links, name):
    """What differs between the declared limits and the token buckets on
    the host end of the container's veth (ingress) and on its ifb (egress)."""
    device = host_links.get(device_name(VETH_PREFIX, name)) or {}
    ifb = host_links.get(ifb_name(name)) if device.get('redirect') == ifb_name(name) else None
    have = {'ingress': device.get('limit'), 'egress': (ifb or {}).get('limit')}
    ingress, egress = container_bandwidth(declared, 'bandwidth.', 0)  # the MTU was the module's to check
    problems = []
    for direction, bucket in (('ingress', ingress), ('egress', egress)):
        found = have[direction]
        if bucket is None and found is not None:
            problems.append('%s is limited' % direction)
        elif bucket is not None and (found is None or found['rate'] != bucket.rate // 8 * 8
                                     or abs(found['burst'] - bucket.burst) > bucket.burst // 100):
            problems.append('%s is %s, not %d bit/s with a burst of %d bytes' % (direction, found or 'unlimited', bucket.rate, bucket.burst))
    return '; '.join(problems) or None


def _workload_problem(container, workload):
    name, stopped = container['name'], container.get('state') == 'stopped'
    if workload is None:
        return None if stopped else 'not running'
    problems = ['runs, though stopped'] if stopped else []
    if workload['command'] != container['command']:
        problems.append('runs another command')
    if not workload['pid_1']:
        problems.append('is not pid 1 of its own PID namespace')
    if workload['hostname'] != name:
        problems.append('hostname is %s' % workload['hostname'])
    if container.get('limits') and not any(path.endswith('/' + name) for path in workload['cgroups']):
        problems.append('is not in its cgroup')
    return ', '.join(problems) or None


def peer_routes(hostvars, peers, overlay_device=None, family=4):
    """A route to each peer's container subnets, every network's (the IPv6
    ones with family 6): host-gw (via the peer's underlay address) or, given the overlay
    device, via the peer's VTEP address on it (onlink: a /32 or /128 has no
    subnet to be on)."""
    suffix = '6' if int(family) == 6 else ''
    routes = []
    for peer in peers:
        subnets = _host_subnets(hostvars[peer], family)  # the default network's, then the other networks'
        if overlay_device:
            gateway = vtep_address(subnets[0]).split('/')[0]
            routes.extend({'dst': subnet, 'gateway': gateway, 'dev': overlay_device, 'onlink': True} for subnet in subnets)
            continue
        gateway = hostvars[peer].get('cluster_network_underlay_address' + suffix)
        if not gateway:
            raise AnsibleFilterError('%s has no cluster_network_underlay_address%s: routes mode needs it to route the '
                                     'IPv%d container subnet %s' % (peer, suffix, int(family), subnets[0]))
        routes.extend({'dst': subnet, 'gateway': gateway} for subnet in subnets)
    return routes


def vtep_address(subnet):
    """The overlay device's address: the subnet's own network address as a
    /32 or /128 (as flannel does), which no container or gateway ever uses."""
    network = ipaddress.ip_network(subnet)
    return '%s/%d' % (network.network_address, network.max_prefixlen)


class FilterModule:
    def filters(self):
        return {
            'host_subnet': host_subnet,
            'host_networks': host_networks,
            'cluster_problems': cluster_problems,
            'peer_routes': peer_routes,
            'vtep_address': vtep_address,
            'reachability_targets': reachability_targets,
            'reachability_ports': reachability_ports,
            'reachability_report': reachability_report,
            'container_checks': container_checks,
        }
