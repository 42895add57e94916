# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Container names across the cluster: what each container's hosts file
lists (the filter container_hosts, documented in container_hosts.yml)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxns.net.plugins.filter.network import _joined, _network_of, _networks_of
from ansible_collections.linuxns.net.plugins.module_utils._network_record import DEFAULT_NETWORK


def container_hosts(hostvars, hosts, host, containers, network, result='containers_network_result'):
    """[{namespaces, hosts}]: the `containers` of `host` grouped by the hosts
    file each gets - its own entries, then every container of `hosts` it may
    reach (on its networks, and on those that let one of them in: `network`
    is the host's, as container_network takes it), at the addresses the
    container_network result named `result` reports on each host."""
    reachable = _reachable_addresses(hostvars, hosts, result)
    admits = _admits(network)
    groups = []
    for container in containers:
        joined = _joined(container)
        entries = list(container.get('hosts') or [])
        entries.extend(_name_entries(reachable, host, joined, admits))
        for group in groups:
            if group['hosts'] == entries:
                group['namespaces'].append(container['name'])
                break
        else:
            groups.append({'namespaces': [container['name']], 'hosts': entries})
    return groups


def _reachable_addresses(hostvars, hosts, result):
    """[(host, container, [(network, [addresses])])] of every container of
    `hosts`, its interfaces in their order."""
    found = []
    for host in hosts:
        converged = hostvars[host].get(result)
        if not isinstance(converged, dict) or 'containers' not in converged:
            raise AnsibleFilterError('container_hosts: host %s has no %s (run container_network there first)'
                                     % (host, result))
        for container in converged['containers']:
            interfaces = [(i['network'], [a.split('/')[0] for a in (i.get('address'), i.get('address6')) if a])
                          for i in container.get('networks') or []]
            found.append((host, container['name'], interfaces))
    return found


def _admits(network):
    """{network: the networks whose containers may reach its containers}."""
    admits = {DEFAULT_NETWORK: set([DEFAULT_NETWORK] + list(network.get('allow') or []))}
    for net in network.get('networks') or []:
        admits[net['name']] = set([net['name']] + list(net.get('allow') or []))
    if network.get('isolation') is False:  # every network lets every other in
        everyone = set(admits)
        admits = dict((name, everyone) for name in admits)
    return admits


def _name_entries(reachable, host, joined, admits):
    """Hosts file entries of every container a container on the networks
    `joined` may reach: NAME.HOST always, NAME alone for a container of its
    own host or one whose name no other reachable container shares; each at
    the address of a network it shares with it, else of the first one that
    lets it in."""
    choices = []
    for other_host, name, interfaces in reachable:
        usable = [(network not in joined, index, addresses) for index, (network, addresses) in enumerate(interfaces)
                  if set(joined) & admits.get(network, set([network]))]
        if usable:
            choices.append((other_host, name, min(usable)[2]))
    hosts_of = {}  # name -> the hosts with a reachable container so named
    for other_host, name, _addresses in choices:
        hosts_of.setdefault(name, []).append(other_host)
    entries = []
    for other_host, name, addresses in choices:
        namesakes = hosts_of[name]
        bare = other_host == host or (len(namesakes) == 1 and host not in namesakes)
        names = ([name] if bare else []) + ['%s.%s' % (name, other_host)]
        entries.extend({'address': address, 'names': names} for address in addresses)
    return entries


def name_checks(addresses_per_host, hosts, hostvars, host, sources, upstream=None):
    """{container: [{name, addresses}]} for playbooks/verify.yml: the names
    each of `sources` (this host's containers_list) must resolve, and to
    which addresses (any one of them), or must not resolve (none): NAME.HOST
    of every container of `hosts` (its addresses as network_info read them,
    in the order of `hosts`), NAME alone for those of its own host, and the
    names of `upstream` ({name: address}: what a DNS server beyond the
    cluster answers)."""
    named = _named_addresses(addresses_per_host, hosts, hostvars, host)
    checks = {}
    for source in sources:
        joined = set(_joined(source))
        wanted = [{'name': name, 'addresses': [address for address, admitted in found if joined & admitted]}
                  for name, found in named]
        wanted.extend({'name': name, 'addresses': [address]} for name, address in sorted((upstream or {}).items()))
        checks[source['name']] = wanted
    return checks


def _named_addresses(addresses_per_host, hosts, hostvars, host):
    """[(name, [(address, the networks it admits)])]: NAME.HOST of every
    container, and NAME too for those of `host`; worked out once for all
    sources (parsing every address per source was most of a big lab's verify)."""
    named = []
    for other_host, addresses in zip(hosts, addresses_per_host):
        networks = _networks_of(hostvars[other_host])
        for name in sorted(addresses):
            cidrs = addresses[name] if isinstance(addresses[name], list) else [addresses[name]]
            found = []
            for cidr in cidrs:
                network, allow = _network_of(networks, cidr.split('/')[0])
                found.append((cidr.split('/')[0], set([network] + allow)))
            named.append(('%s.%s' % (name, other_host), found))
            if other_host == host:
                named.append((name, found))
    return named


def name_report(outputs, checks_per_host, hosts):
    """{lines, misses, total, passed} of the names resolved on each host:
    `outputs` its lines `CONTAINER NAME ADDRESS` (ADDRESS empty when the
    name did not resolve), `checks_per_host` what name_checks asked."""
    lines, misses, total = [], [], 0
    for host, output, checks in zip(hosts, outputs, checks_per_host):
        found = {}
        for line in output.splitlines():
            fields = line.split() + ['']
            found[(fields[0], fields[1])] = fields[2]
        for container in sorted(checks):
            wrong = []
            for check in checks[container]:
                address = found.get((container, check['name']))
                if check['addresses'] and address not in check['addresses']:
                    wrong.append('%s resolves to %s, not %s'
                                 % (check['name'], address or 'nothing', ' or '.join(check['addresses'])))
                elif not check['addresses'] and address:
                    wrong.append('%s resolves to %s, though isolated' % (check['name'], address))
            total += len(checks[container])
            misses.extend('%s/%s names: %s' % (host, container, problem) for problem in wrong)
            lines.append('%s/%s  names %s' % (host, container, 'X' if wrong else 'ok (%d)' % len(checks[container])))
    return {'lines': lines, 'misses': misses, 'total': total, 'passed': total - len(misses)}


class FilterModule:
    def filters(self):
        return {'container_hosts': container_hosts, 'name_checks': name_checks, 'name_report': name_report}
