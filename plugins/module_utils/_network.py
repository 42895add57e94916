# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One host's container network as one composite Resource.

The host part: a bridge carrying the gateway, IPv4 forwarding, egress
masquerade and forward accepts, optionally routes to other hosts' subnets
and a VXLAN overlay device.  Per container: a named network namespace (lo
up), a veth pair (host end ve-NAME on the bridge - for a NAME too long for
that, vex and a hash of it - and eth0 inside), an address,
a default route via the gateway, published ports (DNAT), cgroup limits and a
workload.  Addresses are kept in a record on the host (stable across runs:
adding or removing a container never renumbers the others), which also says
which containers this network made, so those no longer listed are removed.

Everything is one plan over the existing Resources (see _composite):
removals first (workloads, cgroups, veths, namespaces of pruned
containers), then creation in dependency order (namespaces, overlay, bridge,
veths, routes, NAT, forwarding, cgroups, workloads), then the record.
"""

import collections
import hashlib
import ipaddress
import json
import os
import re
import shlex

from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import (
    BandwidthResource, BandwidthSpec, container_bandwidth, ifb_name)
from ansible_collections.linuxns.net.plugins.module_utils._boot import BootResource, BootSpec
from ansible_collections.linuxns.net.plugins.module_utils._bridge import BridgeResource
from ansible_collections.linuxns.net.plugins.module_utils._cgroup import CgroupResource
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import LIMITS, CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._composite import CompositeResource, Part
from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._files import read_text, write_text
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import BridgeSpec, VethSpec
from ansible_collections.linuxns.net.plugins.module_utils._nat import NatResource, rule_changes
from ansible_collections.linuxns.net.plugins.module_utils._netns import NamespaceSpec, NetnsResource, namespace_files
from ansible_collections.linuxns.net.plugins.module_utils._routes import TABLES, RouteResource, RouteSpec, route_subject
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, cgroup_path, container_name, device_name, integer_range, interface_name, ip_address, namespace_sysctls,
    network, port_range, safe_name, sysctl_path, unicast_mac, unique)
from ansible_collections.linuxns.net.plugins.module_utils._veth import VethResource
from ansible_collections.linuxns.net.plugins.module_utils._vxlan import VxlanResource, VxlanSpec
from ansible_collections.linuxns.net.plugins.module_utils._workloads import WorkloadResource, WorkloadSpec

RECORD_FILE = 'containers.json'
RECORD_VERSION = 2  # 2: other networks than the default one
IP_FORWARD = 'net/ipv4/ip_forward'
IP6_FORWARD = 'net/ipv6/conf/all/forwarding'
CONTAINER_INTERFACE = 'eth0'
VETH_PREFIX = 've-'  # host end of a container's veth on the default network
# A container's place on one of its networks, as declared (address and mac None
# when not given; option: where the address was given, for errors) ...
Membership = collections.namedtuple('Membership', 'network address option mac')
ARP_NOTIFY, NDISC_NOTIFY = 'net.ipv4.conf.all.arp_notify', 'net.ipv6.conf.all.ndisc_notify'  # see _announce
# ... and as laid out this run: its interface inside (eth0, eth1...), the host
# end of its veth, its CIDRs (IPv6 None on an IPv4-only network).
Interface = collections.namedtuple('Interface', 'network inside host_end cidr cidr6 mac')
DEFAULT_NETWORK = 'default'  # the network of the top-level options
NETWORK_SLOTS = '123456789'  # the other networks' host ends are vN-NAME, N kept in the record
NETWORK_NAME_MAX = 32
_PROTOCOLS = ('tcp', 'udp', 'sctp')


# -- the desired network -------------------------------------------------------

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
            entry['ports'] = [_port_short_form(p, 'containers[%d].ports[%d]' % (i, j)) if not isinstance(p, dict) else p
                              for j, p in enumerate(ports)]


_PORT_FORM = re.compile(r'^(?:(?P<ip>\d+\.\d+\.\d+\.\d+|\[[0-9A-Fa-f:.]+\]):)?(?P<host>\d+(?:-\d+)?)(?::(?P<container>\d+(?:-\d+)?))?'
                        r'(?:/(?P<protocol>[a-z]+))?$')


def _port_short_form(value, option):
    """'[IP:]HOST[:CONTAINER][/PROTOCOL]' (HOST and CONTAINER ports or ranges
    like 8000-8009) -> {host, container, protocol, host_ip}."""
    match = _PORT_FORM.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if match is None:
        raise ValidationError(option, '%r is not a published port: give HOST:CONTAINER, HOST:CONTAINER/udp, '
                              'IP:HOST:CONTAINER ([IPv6]:HOST:CONTAINER), a range (8000-8009:8000-8009) or a dict '
                              'with host, container, protocol and host_ip' % (value,))
    port = {'host': match.group('host'), 'container': match.group('container') or match.group('host'),
            'protocol': match.group('protocol') or 'tcp'}
    if match.group('ip'):
        port['host_ip'] = match.group('ip').strip('[]')
    return port


def _port(params, prefix):
    protocol = params.get('protocol') or 'tcp'
    if protocol not in _PROTOCOLS:
        raise ValidationError(prefix + 'protocol', '%r is not one of %s' % (protocol, ', '.join(_PROTOCOLS)))
    if params.get('host') is None:
        raise ValidationError(prefix + 'host', 'a published port needs the host port')
    host = port_range(params['host'], prefix + 'host')
    container = port_range(params['container'], prefix + 'container') if params.get('container') is not None else host
    if host[0] != host[1] and container != host:  # DNAT keeps a connection's port when it is in the target range
        raise ValidationError(prefix + 'container', 'a range is published on the same ports of the container: give the '
                              'range %d-%d (or leave container out)' % host)
    if host[0] == host[1] and container[0] != container[1]:
        raise ValidationError(prefix + 'container', 'one host port is published on one container port, not a range')
    host_ip = ip_address(str(params['host_ip']), prefix + 'host_ip') if params.get('host_ip') else None
    if host_ip is not None and (host_ip.is_loopback or host_ip.is_unspecified):
        raise ValidationError(prefix + 'host_ip', '%s: give one of the host\'s own addresses (loopback and the unspecified '
                              'address are not published on: omit host_ip to publish on every address)' % host_ip)
    return {'protocol': protocol, 'host': _port_text(host), 'container': _port_text(container),
            'host_ip': str(host_ip) if host_ip else None}


def published_port(entry, option):
    """A published port as a dict or Docker's short form, checked: {protocol,
    host, container, host_ip}, a port an int and a range a string (8000-8009).
    The module's and the roles' checks (filter cluster_problems) alike."""
    return _port(entry if isinstance(entry, dict) else _port_short_form(entry, option), option + '.')


def _port_text(bounds):
    return bounds[0] if bounds[0] == bounds[1] else '%d-%d' % bounds


def port_overlaps(one, other):
    """Whether two published ports take a port of the same protocol on an address of both."""
    if one['protocol'] != other['protocol'] or None not in (one['host_ip'], other['host_ip']) and one['host_ip'] != other['host_ip']:
        return False
    (low, high), (other_low, other_high) = port_range(one['host'], 'host'), port_range(other['host'], 'host')
    return low <= other_high and other_low <= high


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
        addresses, ports, known = {}, [], set(n.name for n in self.networks)
        for spec in self.containers:
            for name, address, option, _mac in spec.networks:
                if name not in known:  # (only a networks[] entry can name another)
                    raise ValidationError(option.rsplit('.', 1)[0] + '.name', '%s is not a network of this host (%s)'
                                          % (name, ', '.join(n.name for n in self.networks)))
                net = self.network(name)
                if address is None:
                    continue
                if address not in net.subnet or address in (net.subnet.network_address, net.subnet.broadcast_address, net.gateway):
                    raise ValidationError(option, '%s is not a container address of %s (gateway %s)' % (address, net.subnet, net.gateway))
                if (name, address) in addresses:
                    raise ValidationError(option, '%s is also the address of %s' % (address, addresses[(name, address)]))
                addresses[(name, address)] = spec.name
            for port in spec.ports:
                clash = [owner for other, owner in ports if port_overlaps(port, other)]
                if clash:
                    raise ValidationError(spec.prefix + 'ports', 'host port %s/%s is also published by %s'
                                          % (port['protocol'], port['host'], clash[0]))
                ports.append((port, spec.name))

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


def allocate(members, subnet, gateway, previous):
    """{name: address} for members [(container, fixed address or None,
    option)] of a network: a fixed address as given; else the one the
    container had before, if still free and in the subnet; else the lowest
    free one."""
    taken, result = set([gateway]), {}
    for name, address, _option in members:
        if address is not None:
            result[name] = address
            taken.add(address)
    for name, _address, _option in members:
        old = previous.get(name)
        if name in result or not old:
            continue
        address = ipaddress.ip_interface(old).ip
        if address in subnet and address not in taken and address != subnet.broadcast_address:
            result[name] = address
            taken.add(address)
    free = (a for a in subnet.hosts() if a not in taken)
    for name, _address, option in members:
        if name not in result:
            result[name] = next(free, None)
            if result[name] is None:
                raise ValidationError(option, 'subnet %s has no free address left for %s' % (subnet, name))
    return result


# -- the record kept on the host -----------------------------------------------

def read_record(path):
    """The record as a dict ({} when there is none); a record we cannot read
    stops the run before any change, since pruning depends on it."""
    text = read_text(path)
    if text is None:
        return {}
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ValidationError('state_dir', 'the record %s is not valid JSON (%s); fix or remove it' % (path, exc))
    if not isinstance(record, dict) or not isinstance(record.get('addresses', {}), dict) \
            or not isinstance(record.get('networks', {}), dict) or record.get('version', RECORD_VERSION) > RECORD_VERSION:
        raise ValidationError('state_dir', 'the record %s is not one this version of linuxns.net understands; '
                                           'fix or remove it' % path)
    return record


class RecordResource(Resource):
    """The record file: written whole when its content changes."""

    def read(self, desired):
        return {'record': read_record(desired['path']) or None}

    def plan(self, desired, current):
        have, want = current['record'], desired['content']
        if have == want:
            return Plan([], current, current)
        text = None if want is None else json.dumps(want, indent=2, sort_keys=True) + '\n'
        old = None if have is None else json.dumps(have, indent=2, sort_keys=True) + '\n'
        what = 'remove the record %s' % desired['path'] if want is None else 'record the network in %s' % desired['path']
        action = Action('write', 'record', what, {'path': desired['path'], 'text': text},
                        undo=('write', {'path': desired['path'], 'text': old}))
        return Plan([action], current, {'record': want})

    def op_write(self, path, text):
        write_text(path, text)


class HostSysctlResource(Resource):
    """sysctls of the namespace the module runs in: desired {key: value}."""

    def read(self, desired):
        return dict(('sysctl ' + key, self.seam.read_sysctl(None, key)) for key in desired)

    def plan(self, desired, current):
        actions, after = [], dict(current)
        for key, value in sorted(desired.items()):
            subject, have = 'sysctl ' + key, current['sysctl ' + key]
            if have is not None and have != value:
                actions.append(Action('write', subject, 'set %s to %s (was %s)' % (key.replace('/', '.'), value, have),
                                      {'key': key, 'value': value}, undo=('write', {'key': key, 'value': have})))
                after[subject] = value
        return Plan(actions, current, after)

    def op_write(self, key, value):
        self.seam.write_sysctl(None, key, value)


# -- the composite -------------------------------------------------------------

class ContainerNetworkResource(CompositeResource):

    def __init__(self, seam):
        super().__init__(None)
        self.seam = seam
        self.layout = None

    @staticmethod
    def specs(params):
        return NetworkSpec(params)

    def read(self, desired):
        if self.parts is None:  # once per run: verify reads back the same parts
            self.layout = Layout(desired, read_record(desired.record_path), self.seam.read_sysctl(None, IP_FORWARD),
                                 self.seam.read_sysctl(None, IP6_FORWARD))
            self.parts = self.layout.parts(self.seam)
            self._check_sysctls()
        return super().read(desired)

    def _check_sysctls(self):
        """Before any change: every container's sysctls exist in a network
        namespace (a new one: where the key lives in a container made
        this run, it is set before anything else could tell)."""
        for c in self.layout.keep:
            if not c.sysctls:
                continue
            keys = dict((sysctl_path(key), key) for key in c.sysctls)
            interfaces = [i.inside for i in self.layout.interfaces(c)]
            missing = self.seam.missing_in_a_new_namespace(sorted(keys), interfaces)
            if missing:
                raise ValidationError('%ssysctls.%s' % (c.prefix, keys[missing[0]]),
                                      'a network namespace has no sysctl %s (net.* of this kernel only; an interface\'s '
                                      'keys for the container\'s own interfaces, %s)' % (keys[missing[0]], ', '.join(interfaces)))

    def plan(self, desired, current):
        try:
            return super().plan(desired, current)
        except ValidationError as exc:
            if exc.option == 'name':  # only the bridge part plans with a bare `name`: the user's option is bridge
                raise ValidationError('bridge', exc.message)
            raise

    def before_apply(self, plan):
        """Intent first: the record, written ahead (see Layout.record_ahead)."""
        self.layout.record_ahead()

    def summary(self, desired, plan, observed):
        return self.layout.summary(plan, observed)

    def extra_results(self, plan):
        return dict(self.layout.extra_results(plan), elapsed=round(process_age(), 3))


def process_age():
    """Seconds since this process started (interpreter start and imports
    included): what one call costs on the host, without Ansible's transport."""
    with open('/proc/self/stat') as handle:
        started = int(handle.read().rsplit(')', 1)[1].split()[19])  # field 22: starttime, in clock ticks
    with open('/proc/uptime') as handle:
        uptime = float(handle.read().split()[0])
    return uptime - started / float(os.sysconf('SC_CLK_TCK'))


class Layout:
    """The parts of one run, derived from the spec and the host's record."""

    def __init__(self, spec, record, ip_forward, ip6_forward=None):
        self.spec = spec
        self.record = record
        self.recorded = recorded_networks(record)
        known = set(recorded_containers(record))
        if spec.state == 'absent':
            self.keep, self.gone = [], sorted(known | set(c.name for c in spec.containers))
        else:
            self.keep = spec.containers
            self.gone = sorted(known - set(c.name for c in spec.containers)) if spec.prune else []
        self.networks = spec.networks if spec.state == 'present' else []
        self.slots = self._slots()
        self.addresses = dict((net.name, allocate([(c.name, m.address, m.option) for c in self.keep for m in c.networks if m.network == net.name],
                                                  net.subnet, net.gateway, (self.recorded.get(net.name) or {}).get('addresses') or {}))
                              for net in self.networks)
        self.ip_forward_before = record.get('ip_forward_before', ip_forward)
        self.ip6_forward_before = record.get('ip6_forward_before', ip6_forward)
        self.dual = any(net.subnet6 for net in self.networks)
        self._interfaces = {}
        self.boot = BootSpec(spec, spec.params)

    def _slots(self):
        """{network: the N of its host ends vN-NAME}: kept from the record,
        the lowest free one for a new network."""
        slots = {DEFAULT_NETWORK: VETH_PREFIX[1]}
        for net in self.networks:
            old = (self.recorded.get(net.name) or {}).get('slot')
            if net.name != DEFAULT_NETWORK and old in list(NETWORK_SLOTS):
                slots[net.name] = old
        free = (n for n in NETWORK_SLOTS if n not in slots.values())
        for net in self.networks:
            if net.name not in slots:
                slots[net.name] = next(free)
        return slots

    def host_end(self, network, container, slot=None):
        return device_name('v%s-' % (slot or self.slots[network]), container)

    def interfaces(self, container):
        """[Interface], worked out once per container and run."""
        if container.name not in self._interfaces:
            self._interfaces[container.name] = [self._interface(member, index, container.name)
                                                for index, member in enumerate(container.networks)]
        return self._interfaces[container.name]

    def _interface(self, member, index, container):
        net = self.spec.network(member.network)
        address = self.addresses[member.network][container]
        cidr6 = '%s/%d' % (net.address6(address), net.subnet6.prefixlen) if net.subnet6 else None
        return Interface(net, 'eth%d' % index, self.host_end(member.network, container),
                         '%s/%d' % (address, net.subnet.prefixlen), cidr6, member.mac)

    def first(self, container):
        return self.interfaces(container)[0]

    def parts(self, seam):
        spec, parts = self.spec, []
        parts.extend(self._removal_parts(seam))
        if spec.state == 'present':
            parts.extend(self._present_parts(seam))
        else:
            parts.extend(self._absent_parts(seam))
        parts.append(Part('record', RecordResource(seam), {'path': spec.record_path, 'content': self._record()}))
        parts.append(Part('boot', BootResource(seam), self.boot))
        return parts

    def _record(self):
        spec = self.spec
        if spec.state == 'absent':
            return None
        default = spec.default
        record = {'version': RECORD_VERSION, 'bridge': default.bridge, 'subnet': str(default.subnet), 'gateway': str(default.gateway),
                  'addresses': self._cidrs(default), 'containers': sorted(c.name for c in self.keep),
                  'networks': dict((net.name, dict(self._network_record(net), slot=self.slots[net.name])) for net in spec.extra)}
        if spec.forwarding and self.ip_forward_before is not None:
            record['ip_forward_before'] = self.ip_forward_before
        if default.subnet6:
            record.update(subnet6=str(default.subnet6), gateway6=str(default.gateway6))
        ip6_forward_before = self.ip6_forward_before if self.dual else self.record.get('ip6_forward_before')
        if spec.forwarding and ip6_forward_before is not None:
            record['ip6_forward_before'] = ip6_forward_before  # kept until absent restores it
        if not spec.prune:  # containers made before stay ours, to prune later
            record['containers'] = sorted(set(record['containers']) | set(recorded_containers(self.record)))
            for name, cidr in (self.record.get('addresses') or {}).items():
                record['addresses'].setdefault(name, cidr)
        return record

    def record_ahead(self):
        """Before the first change: the record as the union of what it says
        and what this run makes (containers, addresses, networks), written
        atomically.  A run killed half-way leaves a record that names every
        object it may have made, so the next run prunes (or adopts) them; a
        run that finishes writes the exact record as its last step."""
        final = self._record()
        if final is None:  # absent only removes: nothing new to know of
            return
        ahead = merged_record(self.record, final)
        if ahead != self.record:
            write_text(self.spec.record_path, json.dumps(ahead, indent=2, sort_keys=True) + '\n')

    def _cidrs(self, net):
        return dict((c, '%s/%d' % (a, net.subnet.prefixlen)) for c, a in self.addresses[net.name].items())

    def _network_record(self, net):
        view = {'bridge': net.bridge, 'subnet': str(net.subnet), 'gateway': str(net.gateway), 'addresses': self._cidrs(net)}
        if net.subnet6:
            view.update(subnet6=str(net.subnet6), gateway6=str(net.gateway6))
        return view

    # -- parts ------------------------------------------------------------------

    def _announce(self, container):
        """A container with a declared MAC tells its neighbours when that MAC
        is set or changed (a gratuitous ARP, an unsolicited neighbour
        advertisement): else they keep sending to the old one until their
        entry goes stale, half a minute without traffic."""
        if not any(i.mac for i in self.interfaces(container)):
            return {}
        return dict([(ARP_NOTIFY, '1')] + ([(NDISC_NOTIFY, '1')] if any(i.cidr6 for i in self.interfaces(container)) else []))

    def _removal_parts(self, seam):
        """Pruned containers, the interfaces kept containers no longer have,
        and the bridges of networks no longer declared."""
        spec, gone = self.spec, self.gone
        declared = set(n.name for n in self.networks)
        wanted = set((c.name, self.host_end(m.network, c.name)) for c in self.keep for m in c.networks)
        kept = set(c.name for c in self.keep)
        recorded = [(c, self.host_end(name, c, net.get('slot'))) for name, net in sorted(self.recorded.items())
                    for c in sorted(net.get('addresses') or {}) if name in declared or net.get('slot')]
        stale = set((c, end) for c, end in recorded if (c, end) not in wanted and (c in gone or c in kept))
        on_record = set(c for c, _end in recorded)
        stale |= set((n, device_name(VETH_PREFIX, n)) for n in gone if n not in on_record)  # listed, never recorded
        unveths = [VethSpec(dict(name=end, state='absent', **_default_peer(c, end))) for c, end in sorted(stale)]
        parts = []
        if gone:
            parts.append(Part('stop', WorkloadResource(seam), [WorkloadSpec(n, None, spec.pidfile(n), 'absent') for n in gone]))
            parts.append(Part('uncgroup', CgroupResource(seam), [CgroupSpec({'name': n, 'parent': spec.cgroup_parent, 'state': 'absent'})
                                                                 for n in gone]))
        if unveths:
            parts.append(Part('unveth', VethResource(seam), unveths))
        if gone:
            parts.append(Part('unnetns', NetnsResource(seam), [NamespaceSpec(n, 'absent') for n in gone]))
            parts.append(Part('unbandwidth', BandwidthResource(seam), [BandwidthSpec(n, device_name(VETH_PREFIX, n), state='absent')
                                                                             for n in gone]))
        in_use = set(net.bridge for net in self.networks)  # a renamed network may keep its bridge
        bridges = [BridgeSpec({'name': net['bridge'], 'state': 'absent'}) for name, net in sorted(self.recorded.items())
                   if name != DEFAULT_NETWORK and name not in declared and net.get('bridge') and net['bridge'] not in in_use]
        if bridges:
            parts.append(Part('unbridge', BridgeResource(seam), bridges))
        return parts

    def _present_parts(self, seam):
        spec, mtu = self.spec, self.spec.mtu
        namespaces = [NamespaceSpec(c.name, loopback='up', sysctls=dict(self._announce(c), **c.sysctls), files=c.files)
                      for c in self.keep]
        parts = [Part('netns', NetnsResource(seam), namespaces)]
        if spec.vxlan is not None:
            parts.append(Part('overlay', VxlanResource(seam), [spec.vxlan], project=project_links))
        bridges = [BridgeSpec({'name': net.bridge, 'addresses': net.gateway_cidrs(), 'mtu': mtu, 'mac': bridge_mac(net.bridge)}, net.prefix)
                   for net in self.networks]
        parts.append(Part('bridge', BridgeResource(seam), bridges, project=project_links))
        veths = [VethSpec({'name': i.host_end, 'bridge': i.network.bridge, 'mtu': mtu, 'recreate': True,
                           'peer': {'name': i.inside, 'netns': c.name, 'addresses': [a for a in (i.cidr, i.cidr6) if a],
                                    'mtu': mtu, 'mac': i.mac}},
                          c.prefix) for c in self.keep for i in self.interfaces(c)]
        parts.append(Part('veth', VethResource(seam), veths, project=project_links))
        parts.append(Part('bandwidth', BandwidthResource(seam), [BandwidthSpec(c.name, self.first(c).host_end, *c.bandwidth)
                                                                        for c in self.keep]))
        parts.append(Part('route', RouteResource(seam), self._routes(), project=project_routes))
        parts.append(Part('nat', NatResource(seam), self._nat('present')))
        if spec.forwarding:
            parts.append(Part('forwarding', HostSysctlResource(seam), dict([(IP_FORWARD, '1')] + ([(IP6_FORWARD, '1')] if self.dual else []))))
        groups = [CgroupSpec(dict(c.limits, name=c.name, parent=spec.cgroup_parent, netns=c.name), c.prefix + 'limits.')
                  for c in self.keep if c.limits]
        if groups:
            parts.append(Part('cgroup', CgroupResource(seam), groups, project=project_cgroups))
        # every container: a stray workload process (of a killed run) is stopped even where no command is given
        workloads = [WorkloadSpec(c.name, c.command, spec.pidfile(c.name),
                                  c.state if c.command or c.state == 'stopped' else 'unmanaged') for c in self.keep]
        if workloads:
            parts.append(Part('workload', WorkloadResource(seam), workloads, project=project_workloads))
        return parts

    def _absent_parts(self, seam):
        spec = self.spec
        parts = [Part('nat', NatResource(seam), self._nat('absent'))]
        if spec.routes is not None:  # before the devices they go through: deleting a device drops its routes
            parts.append(Part('route', RouteResource(seam), self._routes()))
        parts.append(Part('bridge', BridgeResource(seam), [BridgeSpec({'name': spec.bridge, 'state': 'absent'})]))
        if spec.vxlan is not None:
            parts.append(Part('overlay', VxlanResource(seam), [VxlanSpec({'name': spec.vxlan.link.name, 'state': 'absent'})]))
        before = dict((key, self.record.get(field)) for key, field in ((IP_FORWARD, 'ip_forward_before'), (IP6_FORWARD, 'ip6_forward_before'))
                      if self.record.get(field) is not None)
        if spec.forwarding and before:
            parts.append(Part('forwarding', HostSysctlResource(seam), before))
        return parts

    def _routes(self):
        """Containers' default routes via their first network's gateway, a
        route to each other network's cluster CIDR via its gateway, and
        (when given) exactly these routes of ours in the host's main table."""
        spec, routes = self.spec, []
        for c in self.keep:
            for index, net in enumerate(i.network for i in self.interfaces(c)):
                if index == 0:
                    routes += [RouteSpec({'dst': 'default', 'gateway': str(g)}, c.prefix, c.name) for g in net.gateways()]
                    continue
                routes += [RouteSpec({'dst': str(cidr), 'gateway': str(g)}, c.prefix, c.name)
                           for cidr, g in ((net.cluster_cidr, net.gateway), (net.cluster_cidr6, net.gateway6)) if cidr and g]
        namespaces = [c.name for c in self.keep]
        if spec.routes is not None:
            if spec.state == 'present':
                routes += [RouteSpec(dict(r), 'routes[%d].' % i, None) for i, r in enumerate(spec.routes)]
            namespaces.append(None)
        return {'state': 'present', 'namespaces': namespaces, 'routes': routes, 'purge': True,
                'purge_tables': set([TABLES['main']])}

    def _nat(self, state):
        spec, rules = self.spec, []
        if state == 'present':
            for family in (4, 6) if self.dual else (4,):
                rules.extend(self._family_rules(family))
            for c in self.keep:
                cidr, cidr6 = self.first(c).cidr, self.first(c).cidr6
                for port in c.ports:
                    for family, address in [(4, cidr.split('/')[0])] + ([(6, '[%s]' % cidr6.split('/')[0])] if cidr6 else []):
                        on = ipaddress.ip_address(port['host_ip']) if port['host_ip'] else None
                        if on is not None and on.version != family:
                            continue  # published on one address: in its family only
                        rules.append(dict({'kind': 'dnat', 'protocol': port['protocol'], 'port': port['host'],
                                           'to': '%s:%s' % (address, port['container']), 'comment': c.name},
                                          **({'destination': str(on)} if on is not None else {})))
        desired = NatResource.specs({'group': spec.bridge, 'rules': rules, 'purge': True, 'state': state,
                                     'firewall_backend': spec.firewall_backend, 'host_firewall': spec.host_firewall})
        if self.dual or self.record.get('subnet6') or any(n.get('subnet6') for n in self.recorded.values()):
            desired['families'] = [4, 6]  # IPv6 rules made before go when the subnet goes
        return desired

    def _family_rules(self, family):
        """Egress, forward and isolation rules of every network, in one
        family: first what keeps the source of traffic between networks
        (masqueraded in vxlan mode, it would come from the overlay device's
        address, in the default network's cluster CIDR), since the group's
        rules stay in this order."""
        networks = [n for n in self.networks if n.reach(family) is not None]
        name = dict((n.name, n) for n in networks)
        allowed = [(net, name[other]) for net in networks for other in net.allow if other in name]
        rules = []
        if self.spec.masquerade:  # between networks never: their isolation tells them apart by source
            rules += [{'kind': 'no_masquerade', 'source': _subnet(source, family), 'destination': str(net.reach(family))}
                      for source in networks for net in networks if net is not source]
        for net in networks:
            cluster = net.cluster_cidr if family == 4 else net.cluster_cidr6
            if self.spec.masquerade:
                egress = {'kind': 'masquerade', 'source': _subnet(net, family), 'out_interface': '!' + net.bridge}
                if cluster:
                    egress['destination'] = '!%s' % cluster
                rules.append(egress)
            rules.append({'kind': 'forward', 'in_interface': net.bridge, 'family': 'ipv%d' % family})
            sources = [cluster] if cluster else []
            sources += [(other.cluster_cidr if family == 4 else other.cluster_cidr6) for _net, other in allowed if _net is net]
            rules += [{'kind': 'forward', 'source': str(source), 'out_interface': net.bridge} for source in sources if source]
        if self.spec.isolation:
            rules += self._isolation(networks, allowed, family)
        return rules

    @staticmethod
    def _isolation(networks, allowed, family):
        """Into a network's bridge, nothing new is forwarded but its own
        traffic, its cluster's, the allowed networks' and published ports."""
        rules, ip = [], {'family': 'ipv%d' % family}
        for net in networks:
            others = [other for _net, other in allowed if _net is net]
            rules.append(dict(ip, kind='exempt', out_interface=net.bridge, ctstate=['RELATED', 'ESTABLISHED', 'DNAT']))
            rules += [dict(ip, kind='exempt', in_interface=source.bridge, out_interface=net.bridge) for source in [net] + others]
            sources = [(n.cluster_cidr if family == 4 else n.cluster_cidr6) for n in [net] + others]
            rules += [{'kind': 'exempt', 'source': str(source), 'out_interface': net.bridge} for source in sources if source]
            rules.append(dict(ip, kind='isolate', out_interface=net.bridge))
        return rules

    # -- results ----------------------------------------------------------------

    def summary(self, plan, observed):
        results = []
        for c in self.keep:
            touched = [a for a in plan.actions if _about(a, c.name)]
            interfaces = self.interfaces(c)
            first = interfaces[0]
            results.append({'name': c.name, 'netns': c.name, 'interface': first.inside, 'veth': first.host_end,
                            'address': first.cidr, 'address6': first.cidr6, 'ports': c.ports, 'limits': c.limits,
                            'networks': [{'network': i.network.name, 'interface': i.inside, 'veth': i.host_end, 'address': i.cidr,
                                          'address6': i.cidr6, 'mac': i.mac} for i in interfaces],
                            'bandwidth': (observed.get('bandwidth') or {}).get('bandwidth/' + first.host_end),
                            'workload': (observed.get('workload') or {}).get('workload/' + c.name), 'action': _outcome(touched)})
        return results

    def extra_results(self, plan):
        spec = self.spec
        rules = plan.parts['nat'] if 'nat' in plan.parts else None
        firsts = dict((c.name, self.first(c)) for c in self.keep)
        result = {'pruned': self.gone, 'addresses': dict((n, f.cidr) for n, f in firsts.items()),
                  'bridge': spec.bridge, 'subnet': str(spec.subnet) if spec.subnet else None,
                  'gateway': str(spec.gateway) if spec.gateway else None, 'boot': self.boot.results(),
                  'subnet6': str(spec.subnet6) if spec.subnet6 else None, 'gateway6': str(spec.gateway6) if spec.gateway6 else None,
                  'addresses6': dict((n, f.cidr6) for n, f in firsts.items() if f.cidr6),
                  'networks': dict((net.name, self._network_record(net)) for net in self.networks)}
        if rules is not None:
            result['rules'] = rule_changes(rules)
        return result


def bridge_mac(bridge):
    """A fixed, locally administered MAC for a bridge of ours.  Left to the
    kernel, a bridge takes the lowest MAC of its ports and changes it when
    that port leaves: every container then sends to a gateway MAC that is
    gone until its neighbour entry times out (seconds without a gateway)."""
    digest = hashlib.sha1(('linuxns.net:' + bridge).encode()).digest()
    return ':'.join('%02x' % b for b in (2,) + tuple(bytearray(digest[:5])))


def _default_peer(container, end):
    """The inside end of a default-network veth, as older runs made it."""
    return {'peer': {'name': CONTAINER_INTERFACE, 'netns': container}} if end.startswith(VETH_PREFIX[:2]) else {}


def _subnet(net, family):
    return str(net.subnet if family == 4 else net.subnet6)


def recorded_networks(record):
    """{network: {bridge, slot, addresses, ...}} of a record, the default
    network's included (a version 1 record has only that one)."""
    networks = dict((name, net) for name, net in (record.get('networks') or {}).items() if isinstance(net, dict))
    if record:
        networks[DEFAULT_NETWORK] = {'bridge': record.get('bridge'), 'addresses': record.get('addresses') or {},
                                     'subnet6': record.get('subnet6')}
    return networks


def merged_record(old, new):
    """A record naming what `old` and `new` name: new's settings, both's
    containers, addresses (new's where both have one) and networks."""
    if not old:
        return new
    merged = dict(old, **new)
    merged['containers'] = sorted(set(recorded_containers(old)) | set(new['containers']))
    merged['addresses'] = dict(old.get('addresses') or {}, **new['addresses'])
    networks = dict(old.get('networks') or {})
    for name, net in new['networks'].items():
        networks[name] = dict(net, addresses=dict((networks.get(name) or {}).get('addresses') or {}, **net['addresses']))
    merged['networks'] = networks
    return merged


def recorded_containers(record):
    """The containers a record says this network made."""
    if 'containers' in record:
        return list(record['containers'])
    return list(record.get('addresses') or {})  # version 1: all were on the default network


def _about(action, name):
    """Whether an action concerns container `name` (by subject)."""
    subject = action.subject.split(' ', 1)[1]
    return subject in ('netns/' + name, 'workload/' + name, 'bandwidth/' + ifb_name(name)) \
        or re.match(r'^(bandwidth/)?v[e%s]-%s$' % (NETWORK_SLOTS, re.escape(name)), subject) is not None \
        or re.match(r'^%s/eth\d+$' % re.escape(name), subject) is not None \
        or subject.startswith(name + ': ') or subject.endswith('/' + name)


def _outcome(actions):
    if not actions:
        return 'unchanged'
    return 'created' if any(a.op == 'netns.create' for a in actions) else 'updated'


# -- projections: what earlier parts promise, as later parts read it -----------

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
    groups = {}
    for path, group in current['_groups'].items():
        group = dict(group)
        if group['missing_netns'] and plans['netns'].after.get('netns/%s' % path.rsplit('/', 1)[1]):
            group['missing_netns'] = False
        groups[path] = group
    current['_groups'] = groups
    return current


def project_workloads(current, plans):
    """Workloads start in their container's cgroups (all hierarchies)."""
    cgroup_plan = plans.get('cgroup')
    current['_cgroups'] = {}
    for path, view in (cgroup_plan.after.items() if cgroup_plan else []):
        if not path.startswith('_') and view:
            current['_cgroups'][path.rsplit('/', 1)[1]] = list(view['paths'])
    return current
