# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One host's container network as one composite Resource.

The host part: a bridge carrying the gateway, IPv4 forwarding, egress
masquerade and forward accepts, optionally routes to other hosts' subnets
and a VXLAN overlay device.  Per container: a named network namespace (lo
up), a veth pair (host end ve-NAME on the bridge, eth0 inside), an address,
a default route via the gateway, published ports (DNAT), cgroup limits and a
workload.  Addresses are kept in a record on the host (stable across runs:
adding or removing a container never renumbers the others), which also says
which containers this network made, so those no longer listed are removed.

Everything is one plan over the existing Resources (see _composite):
removals first (workloads, cgroups, veths, namespaces of pruned
containers), then creation in dependency order (namespaces, overlay, bridge,
veths, routes, NAT, forwarding, cgroups, workloads), then the record.
"""

import ipaddress
import json
import os

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
from ansible_collections.linuxns.net.plugins.module_utils._nat import NatResource
from ansible_collections.linuxns.net.plugins.module_utils._netns import NamespaceSpec, NetnsResource, namespace_files
from ansible_collections.linuxns.net.plugins.module_utils._routes import TABLES, RouteResource, RouteSpec
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, cgroup_path, container_name, integer_range, interface_name, ip_address, namespace_sysctls, network,
    unique)
from ansible_collections.linuxns.net.plugins.module_utils._veth import VethResource
from ansible_collections.linuxns.net.plugins.module_utils._vxlan import VxlanResource, VxlanSpec
from ansible_collections.linuxns.net.plugins.module_utils._workloads import WorkloadResource, WorkloadSpec

RECORD_FILE = 'containers.json'
RECORD_VERSION = 1
IP_FORWARD = 'net/ipv4/ip_forward'
IP6_FORWARD = 'net/ipv6/conf/all/forwarding'
CONTAINER_INTERFACE = 'eth0'
VETH_PREFIX = 've-'
_PROTOCOLS = ('tcp', 'udp', 'sctp')


# -- the desired network -------------------------------------------------------

class ContainerSpec:
    def __init__(self, params, prefix, mtu=1500):
        self.prefix = prefix
        self.name = container_name(params.get('name'), prefix + 'name')
        self.address = ip_address(params['address'].split('/')[0], prefix + 'address') if params.get('address') else None
        self.ports = [_port(entry, '%sports[%d].' % (prefix, i)) for i, entry in enumerate(params.get('ports') or [])]
        limits = dict((k, v) for k, v in (params.get('limits') or {}).items() if v is not None)
        unknown = sorted(set(limits) - set(LIMITS))
        if unknown:
            raise ValidationError(prefix + 'limits', 'unknown limit %s (known: %s)' % (', '.join(unknown), ', '.join(LIMITS)))
        try:  # the cgroup spec's own checks, named as this option
            CgroupSpec(dict(limits, name=self.name))
        except ValidationError as exc:
            raise ValidationError(prefix + 'limits.' + exc.option, exc.message)
        self.limits = limits
        self.command = params.get('command') or None
        self.state = _given(params, 'state', 'started')
        if self.state not in ('started', 'stopped'):
            raise ValidationError(prefix + 'state', '%r is not one of started, stopped' % (self.state,))
        self.sysctls = namespace_sysctls(params['sysctls'], prefix + 'sysctls') if params.get('sysctls') else {}
        self.files = namespace_files(self.name, params.get('dns'), params.get('hosts'), prefix)
        self.bandwidth = container_bandwidth(params.get('bandwidth'), prefix + 'bandwidth.', mtu)

    @property
    def veth(self):
        return VETH_PREFIX + self.name


def _port(params, prefix):
    protocol = params.get('protocol') or 'tcp'
    if protocol not in _PROTOCOLS:
        raise ValidationError(prefix + 'protocol', '%r is not one of %s' % (protocol, ', '.join(_PROTOCOLS)))
    if params.get('host') is None:
        raise ValidationError(prefix + 'host', 'a published port needs the host port')
    host = integer_range(params['host'], prefix + 'host', 1, 65535)
    container = integer_range(params['container'], prefix + 'container', 1, 65535) \
        if params.get('container') is not None else host
    return {'protocol': protocol, 'host': host, 'container': container}


class NetworkSpec:
    """The validated module parameters."""

    def __init__(self, params):
        self.params = params  # recorded for the boot-time re-apply
        self.state = params.get('state') or 'present'
        # defaults only for options not given: an empty value is an error, never the default
        self.bridge = interface_name(_given(params, 'bridge', 'cbr0'), 'bridge')
        self.state_dir = _absolute_path(_given(params, 'state_dir', '/var/lib/linuxns'), 'state_dir')
        self.boot = params.get('boot') is not False
        self.boot_unit_dir = _absolute_path(params.get('boot_unit_dir'), 'boot_unit_dir') \
            if params.get('boot_unit_dir') is not None else None
        self.cgroup_parent = cgroup_path(_given(params, 'cgroup_parent', 'linuxns'), 'cgroup_parent')
        self.prune = params.get('prune') is not False
        self.mtu = integer_range(params['mtu'], 'mtu', 68, 65535) if params.get('mtu') is not None else None
        self.masquerade = params.get('masquerade') is not False
        self.forwarding = params.get('forwarding') is not False
        self.cluster_cidr = network(params.get('cluster_cidr'), 'cluster_cidr') if params.get('cluster_cidr') else None
        self.cluster_cidr6 = network(params.get('cluster_cidr6'), 'cluster_cidr6') if params.get('cluster_cidr6') else None
        self.routes = params.get('routes')
        self.vxlan = VxlanSpec(params['vxlan'], 'vxlan.') if params.get('vxlan') else None
        self.containers = [ContainerSpec(dict(c), 'containers[%d].' % i, self.mtu or 1500)
                           for i, c in enumerate(params.get('containers') or [])]
        unique([c.name for c in self.containers], 'containers')
        self.subnet = self.gateway = self.subnet6 = self.gateway6 = None
        if self.state == 'present':
            if not params.get('subnet'):
                raise ValidationError('subnet', 'the network needs its subnet, e.g. 10.244.1.0/24')
            self.subnet = network(params['subnet'], 'subnet')
            if self.subnet.version != 4 or self.subnet.prefixlen > 30:
                raise ValidationError('subnet', '%s is not an IPv4 subnet with room for a gateway and containers (/30 or larger)'
                                      % self.subnet)
            self.gateway = self._gateway(params.get('gateway'))
            self._check_containers()
            if self.cluster_cidr and not self.subnet.subnet_of(self.cluster_cidr):
                raise ValidationError('cluster_cidr', '%s does not contain the subnet %s' % (self.cluster_cidr, self.subnet))
            if params.get('subnet6'):
                self._dual_stack(params['subnet6'])

    def _dual_stack(self, subnet6):
        """The IPv6 subnet, and the gateway's address in it: the same host
        part as the IPv4 gateway's, as every container's."""
        self.subnet6 = network(subnet6, 'subnet6')
        if self.subnet6.version != 6 or self.subnet6.num_addresses < self.subnet.num_addresses:
            raise ValidationError('subnet6', '%s is not an IPv6 subnet with room for the host part of every address of %s'
                                             % (self.subnet6, self.subnet))
        if self.cluster_cidr6 is not None and (self.cluster_cidr6.version != 6 or not self.subnet6.subnet_of(self.cluster_cidr6)):
            raise ValidationError('cluster_cidr6', '%s is not an IPv6 CIDR containing the subnet %s' % (self.cluster_cidr6, self.subnet6))
        self.gateway6 = self.address6(self.gateway)

    def address6(self, address):
        """The IPv6 address of a container (or the gateway) whose IPv4
        address is `address`: stable as the IPv4 one, with no record."""
        return self.subnet6.network_address + (int(address) - int(self.subnet.network_address))

    def _gateway(self, value):
        if not value:
            return next(self.subnet.hosts())
        gateway = ip_address(value.split('/')[0], 'gateway')
        if gateway not in self.subnet or gateway in (self.subnet.network_address, self.subnet.broadcast_address):
            raise ValidationError('gateway', '%s is not a host address of %s' % (gateway, self.subnet))
        return gateway

    def _check_containers(self):
        addresses, ports = {}, {}
        for spec in self.containers:
            if spec.address is not None:
                if spec.address not in self.subnet or spec.address in (
                        self.subnet.network_address, self.subnet.broadcast_address, self.gateway):
                    raise ValidationError(spec.prefix + 'address', '%s is not a container address of %s (gateway %s)'
                                          % (spec.address, self.subnet, self.gateway))
                if spec.address in addresses:
                    raise ValidationError(spec.prefix + 'address', '%s is also the address of %s' % (spec.address, addresses[spec.address]))
                addresses[spec.address] = spec.name
            for port in spec.ports:
                key = (port['protocol'], port['host'])
                if key in ports:
                    raise ValidationError(spec.prefix + 'ports', 'host port %s/%d is also published by %s' % (key + (ports[key],)))
                ports[key] = spec.name

    @property
    def record_path(self):
        return os.path.join(self.state_dir, RECORD_FILE)

    def pidfile(self, name):
        return os.path.join(self.state_dir, name + '.pid')


def _given(params, key, default):
    return default if params.get(key) is None else params[key]


def _absolute_path(value, option):
    if not isinstance(value, str) or not os.path.isabs(value):
        raise ValidationError(option, '%r is not an absolute path' % (value,))
    return value


def allocate(containers, subnet, gateway, previous):
    """{name: address}: a fixed address as given; else the one the container
    had before, if still free and in the subnet; else the lowest free one."""
    taken, result = set([gateway]), {}
    for spec in containers:
        if spec.address is not None:
            result[spec.name] = spec.address
            taken.add(spec.address)
    for spec in containers:
        old = previous.get(spec.name)
        if spec.name in result or not old:
            continue
        address = ipaddress.ip_interface(old).ip
        if address in subnet and address not in taken and address != subnet.broadcast_address:
            result[spec.name] = address
            taken.add(address)
    free = (a for a in subnet.hosts() if a not in taken)
    for spec in containers:
        if spec.name not in result:
            result[spec.name] = next(free, None)
            if result[spec.name] is None:
                raise ValidationError(spec.prefix + 'address', 'subnet %s has no free address left for %s' % (subnet, spec.name))
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
            or record.get('version', RECORD_VERSION) > RECORD_VERSION:
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
        return super().read(desired)

    def plan(self, desired, current):
        try:
            return super().plan(desired, current)
        except ValidationError as exc:
            if exc.option == 'name':  # only the bridge part plans with a bare `name`: the user's option is bridge
                raise ValidationError('bridge', exc.message)
            raise

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
        known = record.get('addresses') or {}
        if spec.state == 'absent':
            self.keep, self.gone = [], sorted(set(known) | set(c.name for c in spec.containers))
            self.addresses = {}
        else:
            listed = set(c.name for c in spec.containers)
            self.keep = spec.containers
            self.gone = sorted(set(known) - listed) if spec.prune else []
            self.addresses = allocate(spec.containers, spec.subnet, spec.gateway, known)
        self.ip_forward_before = record.get('ip_forward_before', ip_forward)
        self.ip6_forward_before = record.get('ip6_forward_before', ip6_forward)
        self.boot = BootSpec(spec, spec.params)

    def cidr(self, name):
        return '%s/%d' % (self.addresses[name], self.spec.subnet.prefixlen)

    def cidr6(self, name):
        """The container's IPv6 address with prefix length (None: IPv4 only)."""
        spec = self.spec
        return '%s/%d' % (spec.address6(self.addresses[name]), spec.subnet6.prefixlen) if spec.subnet6 else None

    def cidrs(self, name):
        return [c for c in (self.cidr(name), self.cidr6(name)) if c]

    def parts(self, seam):
        spec, parts = self.spec, []
        if self.gone:
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
        record = {'version': RECORD_VERSION, 'bridge': spec.bridge, 'subnet': str(spec.subnet),
                  'gateway': str(spec.gateway), 'addresses': dict((n, self.cidr(n)) for n in self.addresses)}
        if spec.forwarding and self.ip_forward_before is not None:
            record['ip_forward_before'] = self.ip_forward_before
        if spec.subnet6:
            record.update(subnet6=str(spec.subnet6), gateway6=str(spec.gateway6))
        ip6_forward_before = self.ip6_forward_before if spec.subnet6 else self.record.get('ip6_forward_before')
        if spec.forwarding and ip6_forward_before is not None:
            record['ip6_forward_before'] = ip6_forward_before  # kept until absent restores it
        if not spec.prune:  # containers made before stay ours, to prune later
            for name, cidr in (self.record.get('addresses') or {}).items():
                record['addresses'].setdefault(name, cidr)
        return record

    # -- parts ------------------------------------------------------------------

    def _removal_parts(self, seam):
        spec, gone = self.spec, self.gone
        return [
            Part('stop', WorkloadResource(seam), [WorkloadSpec(n, None, spec.pidfile(n), 'absent') for n in gone]),
            Part('uncgroup', CgroupResource(seam), [CgroupSpec({'name': n, 'parent': spec.cgroup_parent, 'state': 'absent'})
                                                    for n in gone]),
            Part('unveth', VethResource(seam), [VethSpec({'name': VETH_PREFIX + n, 'state': 'absent',
                                                          'peer': {'name': CONTAINER_INTERFACE, 'netns': n}}) for n in gone]),
            Part('unnetns', NetnsResource(seam), [NamespaceSpec(n, 'absent') for n in gone]),
            Part('unbandwidth', BandwidthResource(seam), [BandwidthSpec(n, VETH_PREFIX + n, state='absent') for n in gone]),
        ]

    def _present_parts(self, seam):
        spec, mtu = self.spec, self.spec.mtu
        gateway_cidrs = ['%s/%d' % (spec.gateway, spec.subnet.prefixlen)]
        if spec.subnet6:
            gateway_cidrs.append('%s/%d' % (spec.gateway6, spec.subnet6.prefixlen))
        namespaces = [NamespaceSpec(c.name, loopback='up', sysctls=c.sysctls, files=c.files) for c in self.keep]
        parts = [Part('netns', NetnsResource(seam), namespaces)]
        if spec.vxlan is not None:
            parts.append(Part('overlay', VxlanResource(seam), [spec.vxlan], project=project_links))
        parts.append(Part('bridge', BridgeResource(seam), [BridgeSpec({'name': spec.bridge, 'addresses': gateway_cidrs, 'mtu': mtu})],
                          project=project_links))
        veths = [VethSpec({'name': c.veth, 'bridge': spec.bridge, 'mtu': mtu,
                           'peer': {'name': CONTAINER_INTERFACE, 'netns': c.name, 'addresses': self.cidrs(c.name), 'mtu': mtu}},
                          c.prefix) for c in self.keep]
        parts.append(Part('veth', VethResource(seam), veths, project=project_links))
        parts.append(Part('bandwidth', BandwidthResource(seam), [BandwidthSpec(c.name, c.veth, *c.bandwidth) for c in self.keep]))
        parts.append(Part('route', RouteResource(seam), self._routes(), project=project_links))
        parts.append(Part('nat', NatResource(seam), self._nat('present')))
        if spec.forwarding:
            parts.append(Part('forwarding', HostSysctlResource(seam), dict([(IP_FORWARD, '1')] + ([(IP6_FORWARD, '1')] if spec.subnet6 else []))))
        groups = [CgroupSpec(dict(c.limits, name=c.name, parent=spec.cgroup_parent, netns=c.name), c.prefix + 'limits.')
                  for c in self.keep if c.limits]
        if groups:
            parts.append(Part('cgroup', CgroupResource(seam), groups, project=project_cgroups))
        workloads = [WorkloadSpec(c.name, c.command, spec.pidfile(c.name), c.state)
                     for c in self.keep if c.command or c.state == 'stopped']
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
        """Containers' default routes, and (when given) exactly these routes of
        ours in the host's main table."""
        spec = self.spec
        gateways = [str(g) for g in (spec.gateway, spec.gateway6) if g is not None]
        routes = [RouteSpec({'dst': 'default', 'gateway': g}, c.prefix, c.name) for c in self.keep for g in gateways]
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
            if spec.masquerade:
                egress = {'kind': 'masquerade', 'source': str(spec.subnet), 'out_interface': '!' + spec.bridge}
                if spec.cluster_cidr:
                    egress['destination'] = '!%s' % spec.cluster_cidr
                rules.append(egress)
            rules.append({'kind': 'forward', 'in_interface': spec.bridge})
            if spec.cluster_cidr:
                rules.append({'kind': 'forward', 'source': str(spec.cluster_cidr), 'out_interface': spec.bridge})
            if spec.subnet6:
                rules.extend(self._nat6())
            for c in self.keep:
                for port in c.ports:
                    rules.append({'kind': 'dnat', 'protocol': port['protocol'], 'port': port['host'],
                                  'to': '%s:%d' % (self.addresses[c.name], port['container']), 'comment': c.name})
                    if spec.subnet6:
                        rules.append({'kind': 'dnat', 'protocol': port['protocol'], 'port': port['host'], 'comment': c.name,
                                      'to': '[%s]:%d' % (spec.address6(self.addresses[c.name]), port['container'])})
        desired = NatResource.specs({'group': spec.bridge, 'rules': rules, 'purge': True, 'state': state})
        if spec.subnet6 or self.record.get('subnet6'):  # IPv6 rules made before go when the subnet goes
            desired['families'] = [4, 6]
        return desired

    def _nat6(self):
        """The IPv6 twins of the egress and forward rules (ip6tables)."""
        spec, rules = self.spec, []
        if spec.masquerade:
            egress = {'kind': 'masquerade', 'source': str(spec.subnet6), 'out_interface': '!' + spec.bridge}
            if spec.cluster_cidr6:
                egress['destination'] = '!%s' % spec.cluster_cidr6
            rules.append(egress)
        rules.append({'kind': 'forward', 'in_interface': spec.bridge, 'family': 'ipv6'})
        if spec.cluster_cidr6:
            rules.append({'kind': 'forward', 'source': str(spec.cluster_cidr6), 'out_interface': spec.bridge})
        return rules

    # -- results ----------------------------------------------------------------

    def summary(self, plan, observed):
        results = []
        for c in self.keep:
            touched = [a for a in plan.actions if _about(a, c.name)]
            results.append({'name': c.name, 'netns': c.name, 'interface': CONTAINER_INTERFACE, 'veth': c.veth,
                            'address': self.cidr(c.name), 'address6': self.cidr6(c.name), 'ports': c.ports, 'limits': c.limits,
                            'bandwidth': (observed.get('bandwidth') or {}).get('bandwidth/' + c.veth),
                            'workload': (observed.get('workload') or {}).get('workload/' + c.name), 'action': _outcome(touched)})
        return results

    def extra_results(self, plan):
        spec = self.spec
        rules = plan.parts['nat'] if 'nat' in plan.parts else None
        result = {'pruned': self.gone, 'addresses': dict((n, self.cidr(n)) for n in self.addresses),
                  'bridge': spec.bridge, 'subnet': str(spec.subnet) if spec.subnet else None,
                  'gateway': str(spec.gateway) if spec.gateway else None, 'boot': self.boot.results(),
                  'subnet6': str(spec.subnet6) if spec.subnet6 else None, 'gateway6': str(spec.gateway6) if spec.gateway6 else None,
                  'addresses6': dict((n, self.cidr6(n)) for n in self.addresses) if spec.subnet6 else {}}
        if rules is not None:
            result['rules'] = NatResource(None).extra_results(rules)
        return result


def _about(action, name):
    """Whether an action concerns container `name` (by subject)."""
    subject = action.subject.split(' ', 1)[1]
    return subject in ('netns/' + name, VETH_PREFIX + name, name + '/' + CONTAINER_INTERFACE, 'workload/' + name,
                       'bandwidth/' + VETH_PREFIX + name, 'bandwidth/' + ifb_name(name)) \
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
