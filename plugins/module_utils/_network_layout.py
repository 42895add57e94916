# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One run of container_network laid out: which containers stay and go,
their addresses, interfaces and host ends, and the parts of the plan -
removals first (workloads, cgroups, veths, namespaces of pruned
containers, bandwidth limits, bridges of networks no longer declared),
then in dependency order namespaces, overlay, bridges, veths, bandwidth,
routes, NAT, forwarding, cgroups, workloads, the boot unit and the record.
The module's results from it are _network_results'."""

import collections
import hashlib
import ipaddress
import json

from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import BandwidthResource, BandwidthSpec
from ansible_collections.linuxns.net.plugins.module_utils._boot import BootResource, BootSpec
from ansible_collections.linuxns.net.plugins.module_utils._bridge import BridgeResource
from ansible_collections.linuxns.net.plugins.module_utils._cgroup import CgroupResource
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._composite import Part
from ansible_collections.linuxns.net.plugins.module_utils._files import write_text
from ansible_collections.linuxns.net.plugins.module_utils._host_sysctls import IP6_FORWARD, IP_FORWARD, HostSysctlResource
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import BridgeSpec, VethSpec
from ansible_collections.linuxns.net.plugins.module_utils._nat import NatResource
from ansible_collections.linuxns.net.plugins.module_utils._netns import NamespaceSpec, NetnsResource
from ansible_collections.linuxns.net.plugins.module_utils._network_record import (
    DEFAULT_NETWORK, RECORD_VERSION, Member, RecordResource, allocate, merged_record, recorded_containers, recorded_networks)
from ansible_collections.linuxns.net.plugins.module_utils._network_spec import CONTAINER_INTERFACE, NETWORK_SLOTS, VETH_PREFIX
from ansible_collections.linuxns.net.plugins.module_utils._projections import project_cgroups, project_links, project_routes, project_workloads
from ansible_collections.linuxns.net.plugins.module_utils._routes import TABLES, RouteResource, RouteSpec
from ansible_collections.linuxns.net.plugins.module_utils._validate import device_name
from ansible_collections.linuxns.net.plugins.module_utils._veth import VethResource
from ansible_collections.linuxns.net.plugins.module_utils._vxlan import VxlanResource, VxlanSpec
from ansible_collections.linuxns.net.plugins.module_utils._workloads import WorkloadResource, WorkloadSpec

ARP_NOTIFY, NDISC_NOTIFY = 'net.ipv4.conf.all.arp_notify', 'net.ipv6.conf.all.ndisc_notify'  # see _announce
# A container's interface as laid out this run: its name inside (eth0,
# eth1...), the host end of its veth, its CIDRs (IPv6 None on an IPv4-only
# network), its declared MAC.
Interface = collections.namedtuple('Interface', 'network inside host_end cidr cidr6 mac')


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
        self.addresses = dict((net.name, allocate([Member(c.name, m.address, m.option) for c in self.keep for m in c.networks if m.network == net.name],
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
                  'networks': dict((net.name, dict(self.network_record(net), slot=self.slots[net.name])) for net in spec.extra)}
        macs = self._declared_macs()
        if macs:  # what network_info and the picture show as declared (a kernel-made MAC is not)
            record['macs'] = macs
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

    def _declared_macs(self):
        """{container: {interface inside: MAC}} of the MACs the spec declares."""
        macs = {}
        for c in self.keep:
            declared = dict((i.inside, i.mac) for i in self.interfaces(c) if i.mac)
            if declared:
                macs[c.name] = declared
        return macs

    def _cidrs(self, net):
        return dict((c, '%s/%d' % (a, net.subnet.prefixlen)) for c, a in self.addresses[net.name].items())

    def network_record(self, net):
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
            parts.append(Part('uncgroup', CgroupResource(), [CgroupSpec({'name': n, 'parent': spec.cgroup_parent, 'state': 'absent'})
                                                             for n in gone]))
        if unveths:
            parts.append(Part('unveth', VethResource(seam), unveths))
        if gone:
            parts.append(Part('unnetns', NetnsResource(seam), [NamespaceSpec(n, 'absent') for n in gone]))
            unshaped = [BandwidthSpec(n, device_name(VETH_PREFIX, n), state='absent') for n in gone]
            parts.append(Part('unbandwidth', BandwidthResource(seam), unshaped))
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
        shaped = [BandwidthSpec(c.name, self.first(c).host_end, *c.bandwidth) for c in self.keep]
        parts.append(Part('bandwidth', BandwidthResource(seam), shaped))
        parts.append(Part('route', RouteResource(seam), self._routes(), project=project_routes))
        parts.append(Part('nat', NatResource(seam), self._nat('present')))
        if spec.forwarding:
            parts.append(Part('forwarding', HostSysctlResource(seam), dict([(IP_FORWARD, '1')] + ([(IP6_FORWARD, '1')] if self.dual else []))))
        groups = [CgroupSpec(dict(c.limits, name=c.name, parent=spec.cgroup_parent, netns=c.name), c.prefix + 'limits.')
                  for c in self.keep if c.limits]
        if groups:
            parts.append(Part('cgroup', CgroupResource(), groups, project=project_cgroups))
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
