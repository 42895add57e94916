# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_network's desired state, validated: the host's networks
(NetworkSpec, BridgeNetwork) and its containers (ContainerSpec), each
option checked once, before any change, naming the option it is about."""

import collections
import os
import shlex

from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import container_bandwidth
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import LIMITS, CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._netns import namespace_files
from ansible_collections.linuxns.net.plugins.module_utils._network_record import DEFAULT_NETWORK, RECORD_FILE
from ansible_collections.linuxns.net.plugins.module_utils._ports import HostPorts, published_port, short_form
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, cgroup_path, container_name, integer_range, interface_name, ip_address, namespace_sysctls,
    network, safe_name, unicast_mac, unique)
from ansible_collections.linuxns.net.plugins.module_utils._vxlan import VxlanSpec

CONTAINER_INTERFACE = 'eth0'
VETH_PREFIX = 've-'  # host end of a container's veth on the default network
NETWORK_SLOTS = '123456789'  # the other networks' host ends are vN-NAME, N kept in the record
NETWORK_NAME_MAX = 32
# A container's place on one of its networks, as declared (address and mac None
# when not given; option: where the address was given, for errors).
Membership = collections.namedtuple('Membership', 'network address option mac')


# -- the containers ----------------------------------------------------------------

class ContainerSpec:
    def __init__(self, params, prefix, mtu=1500):
        self.prefix = prefix
        self.name = container_name(params.get('name'), prefix + 'name')
        self.address = ip_address(params['address'].split('/')[0], prefix + 'address') if params.get('address') else None
        self.mac = unicast_mac(params['mac'], prefix + 'mac') if params.get('mac') else None
        self.networks = self._networks(params.get('networks'))
        self.ports = [published_port(entry, '%sports[%d]' % (prefix, i)) for i, entry in enumerate(params.get('ports') or [])]
        limits = dict((k, v) for k, v in (params.get('limits') or {}).items() if v is not None)
        unknown = sorted(set(limits) - set(LIMITS))
        if unknown:
            raise ValidationError(prefix + 'limits', 'unknown limit %s (known: %s)' % (', '.join(unknown), ', '.join(LIMITS)))
        try:  # the cgroup spec's own checks, named as this option
            CgroupSpec(dict(limits, name=self.name))
        except ValidationError as exc:
            raise ValidationError(prefix + 'limits.' + exc.option, exc.message)
        self.limits = limits
        self.command = _command(params.get('command'), prefix + 'command')
        self.state = _given(params, 'state', 'started')
        if self.state not in ('started', 'stopped'):
            raise ValidationError(prefix + 'state', '%r is not one of started, stopped' % (self.state,))
        self.sysctls = namespace_sysctls(params['sysctls'], prefix + 'sysctls') if params.get('sysctls') else {}
        self.files = namespace_files(self.name, params.get('dns'), params.get('hosts'), prefix)
        self.bandwidth = container_bandwidth(params.get('bandwidth'), prefix + 'bandwidth.', mtu)

    def _networks(self, entries):
        """[Membership]: the networks the container joins, in the order of
        its interfaces eth0, eth1... (its address and mac are the first's)."""
        if entries is None:
            return [Membership(DEFAULT_NETWORK, self.address, self.prefix + 'address', self.mac)]
        if not isinstance(entries, list) or not entries:
            raise ValidationError(self.prefix + 'networks', 'give a list of one or more network names (or dicts with name and address)')
        result = []
        for i, entry in enumerate(entries):
            option = '%snetworks[%d]' % (self.prefix, i)
            entry = entry if isinstance(entry, dict) else {'name': entry}
            unknown = sorted(set(entry) - set(['name', 'address', 'mac']))
            if unknown:
                raise ValidationError(option, 'unknown option %s (known: address, mac, name)' % ', '.join(unknown))
            name = network_name(entry.get('name'), option + '.name')
            address = ip_address(str(entry['address']).split('/', maxsplit=1)[0], option + '.address') if entry.get('address') else None
            mac = unicast_mac(entry['mac'], option + '.mac') if entry.get('mac') else None
            if i == 0:
                address, mac = self._first(option, 'address', address), self._first(option, 'mac', mac)
            result.append(Membership(name, address, option + '.address', mac))
        unique([m.network for m in result], self.prefix + 'networks')
        return result

    def _first(self, option, key, value):
        """The first network's address or mac: given there, or as the container's own."""
        own = getattr(self, key)
        if own is None:
            return value
        if value is not None and value != own:
            raise ValidationError('%s.%s' % (option, key), 'the %s of the first network is also given as %s' % (key, key))
        return own


def _command(value, option):
    """A shell command, or a list of arguments (exec form) quoted into one."""
    if value in (None, '', []):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ' '.join(shlex.quote(str(v)) for v in value)
    raise ValidationError(option, 'give a shell command (a string) or its arguments (a list of strings), got %r' % (value,))


def short_forms(params):
    """container_network's short forms, as the dicts they stand for (in
    place, before the entries are checked): a container given as its name
    (`containers: [web, db]`), a published port as Docker writes it
    (`ports: ["8080:80", "8053:53/udp", "198.51.100.1:8080:80"]`)."""
    containers = params.get('containers') or []
    for i, entry in enumerate(containers):
        if isinstance(entry, str):
            containers[i] = entry = {'name': entry}
        elif not isinstance(entry, dict):
            raise ValidationError('containers[%d]' % i, 'give a container as its name or a dict with name, got %r' % (entry,))
        ports = entry.get('ports')
        if isinstance(ports, list):
            entry['ports'] = [short_form(p, 'containers[%d].ports[%d]' % (i, j)) if not isinstance(p, dict) else p
                              for j, p in enumerate(ports)]


# -- the networks ------------------------------------------------------------------

class BridgeNetwork:
    """One network of the host: a bridge carrying the gateway(s), its
    subnet(s), the cluster CIDR(s) other hosts' parts of it are carved from,
    and the networks whose containers may reach its containers (allow)."""

    def __init__(self, params, prefix, name, present=True):
        self.prefix, self.name = prefix, name
        # defaults only for options not given: an empty value is an error, never the default
        self.bridge = interface_name(_given(params, 'bridge', 'cbr0'), prefix + 'bridge')
        self.cluster_cidr = network(params['cluster_cidr'], prefix + 'cluster_cidr') if params.get('cluster_cidr') else None
        self.cluster_cidr6 = network(params['cluster_cidr6'], prefix + 'cluster_cidr6') if params.get('cluster_cidr6') else None
        self.allow = [network_name(n, '%sallow[%d]' % (prefix, i)) for i, n in enumerate(params.get('allow') or [])]
        self.subnet = self.gateway = self.subnet6 = self.gateway6 = None
        if not present:
            return
        if not params.get('subnet'):
            raise ValidationError(prefix + 'subnet', 'the network needs its subnet, e.g. 10.244.1.0/24')
        self.subnet = network(params['subnet'], prefix + 'subnet')
        if self.subnet.version != 4 or self.subnet.prefixlen > 30:
            raise ValidationError(prefix + 'subnet', '%s is not an IPv4 subnet with room for a gateway and containers (/30 or larger)'
                                  % self.subnet)
        self.gateway = self._gateway(params.get('gateway'))
        if self.cluster_cidr and not self.subnet.subnet_of(self.cluster_cidr):
            raise ValidationError(prefix + 'cluster_cidr', '%s does not contain the subnet %s' % (self.cluster_cidr, self.subnet))
        if params.get('subnet6'):
            self._dual_stack(params['subnet6'])

    def _dual_stack(self, subnet6):
        """The IPv6 subnet, and the gateway's address in it: the same host
        part as the IPv4 gateway's, as every container's."""
        self.subnet6 = network(subnet6, self.prefix + 'subnet6')
        if self.subnet6.version != 6 or self.subnet6.num_addresses < self.subnet.num_addresses:
            raise ValidationError(self.prefix + 'subnet6', '%s is not an IPv6 subnet with room for the host part of every address of %s'
                                  % (self.subnet6, self.subnet))
        if self.cluster_cidr6 is not None and (self.cluster_cidr6.version != 6 or not self.subnet6.subnet_of(self.cluster_cidr6)):
            raise ValidationError(self.prefix + 'cluster_cidr6', '%s is not an IPv6 CIDR containing the subnet %s'
                                  % (self.cluster_cidr6, self.subnet6))
        self.gateway6 = self.address6(self.gateway)

    def address6(self, address):
        """The IPv6 address of a container (or the gateway) whose IPv4
        address is `address`: stable as the IPv4 one, with no record."""
        return self.subnet6.network_address + (int(address) - int(self.subnet.network_address))

    def _gateway(self, value):
        if not value:
            return next(self.subnet.hosts())
        gateway = ip_address(value.split('/')[0], self.prefix + 'gateway')
        if gateway not in self.subnet or gateway in (self.subnet.network_address, self.subnet.broadcast_address):
            raise ValidationError(self.prefix + 'gateway', '%s is not a host address of %s' % (gateway, self.subnet))
        return gateway

    def reach(self, family):
        """The addresses this network's containers have anywhere in the
        cluster: the cluster CIDR, else this host's subnet (None: no such family)."""
        return (self.cluster_cidr or self.subnet) if family == 4 else (self.cluster_cidr6 or self.subnet6)

    def gateways(self):
        return [g for g in (self.gateway, self.gateway6) if g is not None]

    def gateway_cidrs(self):
        cidrs = ['%s/%d' % (self.gateway, self.subnet.prefixlen)]
        if self.subnet6:
            cidrs.append('%s/%d' % (self.gateway6, self.subnet6.prefixlen))
        return cidrs


class NetworkSpec:
    """The validated module parameters."""

    def __init__(self, params):
        self.params = params  # recorded for the boot-time re-apply
        self.state = params.get('state') or 'present'
        present = self.state == 'present'
        self.default = BridgeNetwork(params, '', DEFAULT_NETWORK, present)
        self.extra = [BridgeNetwork(dict(n), 'networks[%d].' % i, network_name(n.get('name'), 'networks[%d].name' % i), present)
                      for i, n in enumerate(params.get('networks') or [])] if present else []
        self.networks = [self.default] + self.extra
        self.state_dir = _absolute_path(_given(params, 'state_dir', '/var/lib/linuxns'), 'state_dir')
        self.boot = params.get('boot') is not False
        self.boot_unit_dir = _absolute_path(params.get('boot_unit_dir'), 'boot_unit_dir') \
            if params.get('boot_unit_dir') is not None else None
        self.cgroup_parent = cgroup_path(_given(params, 'cgroup_parent', 'linuxns'), 'cgroup_parent')
        self.prune = params.get('prune') is not False
        self.mtu = integer_range(params['mtu'], 'mtu', 68, 65535) if params.get('mtu') is not None else None
        self.masquerade = params.get('masquerade') is not False
        self.forwarding = params.get('forwarding') is not False
        self.isolation = params.get('isolation') is not False
        self.firewall_backend = params.get('firewall_backend') or 'auto'
        self.host_firewall = params.get('host_firewall')
        self.routes = params.get('routes')
        self.vxlan = VxlanSpec(params['vxlan'], 'vxlan.') if params.get('vxlan') else None
        self.containers = [ContainerSpec(dict(c), 'containers[%d].' % i, self.mtu or 1500)
                           for i, c in enumerate(params.get('containers') or [])]
        unique([c.name for c in self.containers], 'containers')
        if present:
            self._check_networks()
            self._check_containers()

    # the default network's, as the top-level options say
    bridge = property(lambda self: self.default.bridge)
    subnet = property(lambda self: self.default.subnet)
    gateway = property(lambda self: self.default.gateway)
    subnet6 = property(lambda self: self.default.subnet6)
    gateway6 = property(lambda self: self.default.gateway6)
    cluster_cidr = property(lambda self: self.default.cluster_cidr)
    cluster_cidr6 = property(lambda self: self.default.cluster_cidr6)

    def network(self, name):
        return next(n for n in self.networks if n.name == name)

    def _check_networks(self):
        if len(self.networks) > 1 + len(NETWORK_SLOTS):
            raise ValidationError('networks', 'a host carries at most %d networks besides the default one' % len(NETWORK_SLOTS))
        names, bridges = {}, {}
        for net in self.networks:
            if net.name in names:
                raise ValidationError(net.prefix + 'name', '%s is the name of %s' % (
                    net.name, 'the top-level network' if net.name == DEFAULT_NETWORK else 'another network'))
            if net.bridge in bridges:
                raise ValidationError(net.prefix + 'bridge', '%s is also the bridge of network %s' % (net.bridge, bridges[net.bridge]))
            names[net.name], bridges[net.bridge] = net, net.name
        names = set(names)
        for net in self.networks:
            for i, other in enumerate(net.allow):
                if other not in names or other == net.name:
                    raise ValidationError('%sallow[%d]' % (net.prefix, i), '%s is not another network of this host (%s)'
                                          % (other, ', '.join(sorted(names - set([net.name])))))
        for family in (4, 6):  # isolation tells networks apart by their addresses
            seen = []
            for net in self.networks:
                reach = net.reach(family)
                clash = [other for other, theirs in seen if reach is not None and reach.overlaps(theirs)]
                if clash:
                    raise ValidationError(net.prefix + ('cluster_cidr' if family == 4 else 'cluster_cidr6'),
                                          '%s overlaps the addresses of network %s' % (reach, clash[0]))
                if reach is not None:
                    seen.append((net.name, reach))

    def _check_containers(self):
        addresses, ports, known = {}, HostPorts(), set(n.name for n in self.networks)
        for spec in self.containers:
            for joined in spec.networks:
                if joined.network not in known:  # (only a networks[] entry can name another)
                    raise ValidationError(joined.option.rsplit('.', 1)[0] + '.name', '%s is not a network of this host (%s)'
                                          % (joined.network, ', '.join(n.name for n in self.networks)))
                net, address = self.network(joined.network), joined.address
                if address is None:
                    continue
                if address not in net.subnet or address in (net.subnet.network_address, net.subnet.broadcast_address, net.gateway):
                    raise ValidationError(joined.option, '%s is not a container address of %s (gateway %s)'
                                          % (address, net.subnet, net.gateway))
                if (joined.network, address) in addresses:
                    raise ValidationError(joined.option, '%s is also the address of %s'
                                          % (address, addresses[(joined.network, address)]))
                addresses[(joined.network, address)] = spec.name
            for port in spec.ports:
                clash = ports.claim(port, spec.name)
                if clash is not None:
                    raise ValidationError(spec.prefix + 'ports', 'host port %s/%s is also published by %s'
                                          % (port['protocol'], port['host'], clash))

    @property
    def record_path(self):
        return os.path.join(self.state_dir, RECORD_FILE)

    def pidfile(self, name):
        return os.path.join(self.state_dir, name + '.pid')


def network_name(value, option):
    return safe_name(value, option, 'network name', NETWORK_NAME_MAX)


def _given(params, key, default):
    return default if params.get(key) is None else params[key]


def _absolute_path(value, option):
    if not isinstance(value, str) or not os.path.isabs(value):
        raise ValidationError(option, '%r is not an absolute path' % (value,))
    return value
