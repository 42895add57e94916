# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What network_info reports: a host's namespaces, links, routes, our NAT
chains and the host's firewall (_facts_filter), our cgroups and
container_network's record.  Read only.

Everything is read through the existing seams and readers, the way the
resources read before they plan: the lean netlink reader (_rtnl, through the
netlink seam: one socket per namespace, opened after a setns, no fork and no
pyroute2), one iptables-save per address family and one nft ruleset for the whole host, the
cgroupfs seam with cgroup_limit's own reading of limits, and
container_network's reader of its record.
"""

import errno
import os
import socket
import struct

from ansible_collections.linuxns.net.plugins.module_utils import _rtnl as rtnl
from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import bucket_view, tbf_parameters
from ansible_collections.linuxns.net.plugins.module_utils._cgroup import CgroupResource
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._engine import is_owned
from ansible_collections.linuxns.net.plugins.module_utils._link_reader import link_view
from ansible_collections.linuxns.net.plugins.module_utils._facts_filter import read_firewall, read_nat
from ansible_collections.linuxns.net.plugins.module_utils._netlink import NetlinkSeam
from ansible_collections.linuxns.net.plugins.module_utils._netlink_routes import ROUTE_PROTO
from ansible_collections.linuxns.net.plugins.module_utils._netlink_sysctls import SYSCTL_FORWARDING
from ansible_collections.linuxns.net.plugins.module_utils._netns import ETC_NETNS, NAMESPACE_FILES
from ansible_collections.linuxns.net.plugins.module_utils._network_record import RECORD_FILE, read_record
from ansible_collections.linuxns.net.plugins.module_utils._routes import SCOPES, TABLES
from ansible_collections.linuxns.net.plugins.module_utils._files import read_text
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, namespace_sysctls, netns_name, sysctl_path)
from ansible_collections.linuxns.net.plugins.module_utils._workloads import workload_view

SECTIONS = ('links', 'routes', 'nat', 'firewall', 'cgroups', 'record', 'workloads')
FACTS_KEY = 'linuxns_network'
DEFAULT_CGROUP_PARENT = 'linuxns'
DEFAULT_STATE_DIR = '/var/lib/linuxns'


# -- the flood lists of vxlan devices (bridge FDB) -----------------------------

_RTM_GETNEIGH = 30
_AF_BRIDGE = 7
_NDMSG = struct.Struct('=BxxxiHBB')  # family, ifindex, state, flags, type
_NDA_DST, _NDA_LLADDR = 1, 2
_NUD_PERMANENT = 0x80
_ZERO_MAC = b'\0' * 6


class FactsDumper(rtnl.Dumper):
    """The lean reader plus the one dump facts need beyond the resources':
    the bridge forwarding database (where a vxlan device keeps its peers)."""

    def flood_entries(self):
        """[(ifindex, remote address)] of every permanent all-zero-MAC FDB
        entry: where vxlan devices send broadcast and unknown traffic."""
        entries = []
        for _kind, payload in self._request(_RTM_GETNEIGH, _NDMSG.pack(_AF_BRIDGE, 0, 0, 0, 0)):
            _family, index, state, _flags, _type = _NDMSG.unpack_from(payload)
            attrs = rtnl._attrs(payload, _NDMSG.size)
            remote = attrs.get(_NDA_DST)
            if attrs.get(_NDA_LLADDR) == _ZERO_MAC and state & _NUD_PERMANENT and remote:
                entries.append((index, socket.inet_ntop(socket.AF_INET6 if len(remote) == 16 else socket.AF_INET, remote)))
        return entries


class FactsSeam(NetlinkSeam):
    """The netlink seam whose per-namespace reader also dumps the FDB."""

    def rtnl(self, netns=None):
        if netns not in self._rtnl_sockets:
            with self.inside(netns):
                self._rtnl_sockets[netns] = FactsDumper()
        return self._rtnl_sockets[netns]


# -- entry point ---------------------------------------------------------------

def gather(params):
    """(facts, warnings) for the module's parameters; raises ValidationError on bad input."""
    include = set(params.get('include') or SECTIONS)
    wanted = [netns_name(n, 'netns') for n in params['netns']] if params.get('netns') is not None else None
    parents = [_cgroup_parent(p) for p in (params.get('cgroup_parents') or [DEFAULT_CGROUP_PARENT])]
    state_dir = params.get('state_dir') or DEFAULT_STATE_DIR
    if not os.path.isabs(state_dir):
        raise ValidationError('state_dir', '%r is not an absolute path' % state_dir)
    sysctls = sorted(namespace_sysctls(dict((key, '0') for key in params.get('sysctls') or []), 'sysctls'))
    warnings = []
    seam = FactsSeam()
    try:
        facts = {'hostname': socket.gethostname()}
        facts.update(read_namespaces(seam, wanted, include, warnings, sysctls))
        facts['cgroups'] = read_cgroups(parents) if 'cgroups' in include else None
        facts['record'] = read_container_record(state_dir, warnings) if 'record' in include else None
        facts['firewall'], host = read_firewall(seam, _our_bridges(facts), warnings, params.get('firewall_backend') or 'auto') \
            if include & set(['nat', 'firewall']) \
            else (None, None)
        facts['nat'] = read_nat(seam, warnings, host) if 'nat' in include else None
        if 'firewall' not in include:
            facts['firewall'] = None
        facts['workloads'] = read_workloads(seam, state_dir, wanted) if 'workloads' in include else None
    finally:
        seam.close()
    return facts, warnings


def _our_bridges(facts):
    """The bridges our forwarded traffic crosses: the host's bridges we
    made, else those container_network's record names."""
    links = facts['host']['links']
    if links is not None:
        return sorted(name for name, link in links.items() if link['kind'] == 'bridge' and link['owned'])
    record = facts.get('record') or {}
    return sorted(set([record['bridge']] if record.get('bridge') else []) |
                  set(n['bridge'] for n in (record.get('networks') or {}).values() if isinstance(n, dict) and n.get('bridge')))


def _cgroup_parent(parent):
    try:
        CgroupSpec({'name': 'probe', 'parent': parent})  # cgroup_limit's own rules for a parent
    except ValidationError as exc:
        raise ValidationError('cgroup_parents', exc.message)
    return parent


def read_and_exit(module):
    """Read and exit the module; never changes anything, so check mode is a normal run."""
    try:
        facts, warnings = gather(module.params)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), option=exc.option, changed=False)
    except (OSError, IOError) as exc:
        module.fail_json(msg='could not read the network: %s' % exc, changed=False)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=False, network=facts, ansible_facts={FACTS_KEY: facts})


# -- namespaces, links and routes ----------------------------------------------

def read_namespaces(seam, wanted, include, warnings, sysctls=()):
    """{'host': the module's own namespace, 'namespaces': {name: namespace}}."""
    entries = seam.namespaces()
    names = sorted(entries)
    if wanted is not None:
        missing = [n for n in wanted if n not in entries]
        if missing:
            warnings.append('netns: no namespace named %s' % ', '.join(missing))
        names = [n for n in names if n in wanted]
    raw, views = {}, {}
    for name in [None] + names:
        if name is not None and entries[name].stale:
            views[name] = {'name': name, 'id': None, 'stale': True, 'owned': False, 'lo': None,
                           'forwarding': None, 'sysctls': None, 'files': _files(name), 'links': None, 'routes': None}
            continue
        try:
            raw[name] = seam.links(name)
            views[name] = _namespace_view(seam, name, raw[name], include, sysctls)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise
            warnings.append('namespace %s went away while it was read' % name)
    if 'links' in include:
        resolve = PeerResolver(seam, [n for n in raw if n is not None]).namespace
        link_peers(raw, views, resolve)
    host = views.pop(None)
    return {'host': host, 'namespaces': views}


def _namespace_view(seam, netns, links, include, sysctls):
    lo = next((link for link in links.values() if link['index'] == 1), None)
    view = {
        'name': netns, 'id': seam.inode(netns) if netns else os.stat('/proc/self/ns/net').st_ino,
        'stale': False, 'owned': bool(lo and is_owned(lo['alias'])),
        'lo': None if lo is None else ('up' if lo['up'] else 'down'),
        'forwarding': _forwarding(seam, netns),
        'sysctls': dict((key, seam.read_sysctl(netns, sysctl_path(key))) for key in sysctls),
        'files': _files(netns),
        'links': _links(seam, netns, links) if 'links' in include else None,
        'routes': [_route_view(r) for r in seam.routes(netns)] if 'routes' in include else None,
    }
    return view


def _forwarding(seam, netns):
    values = dict((family, seam.read_sysctl(netns, key)) for family, key in SYSCTL_FORWARDING.items())
    return dict((family, None if value is None else value != '0') for family, value in values.items())


def _files(netns):
    """The namespace's own resolv.conf and hosts (what `ip netns exec`
    bind-mounts over /etc), as text; None where there is none."""
    if netns is None:
        return None
    return dict((name, read_text(os.path.join(ETC_NETNS, netns, name))) for name in NAMESPACE_FILES)


def _links(seam, netns, links):
    """{ifname: view} with bridge ports, vxlan settings and flood lists
    filled in (the FDB is dumped only where there is a vxlan device)."""
    views, qdiscs, tick = {}, seam.qdiscs(netns), seam.tick_in_usec()
    by_index = dict((link['index'], name) for name, link in links.items())
    for name, link in links.items():
        view = link_view(link, name, netns)
        view['alias'] = link['alias']
        own = qdiscs.get(link['index'], {})
        view['limit'] = bucket_view(tbf_parameters(own.get('root')), tick)
        view['redirect'] = next((by_index.get(target) for target in seam.redirect_targets(netns, link['index'])), None) \
            if own.get('ingress') else None
        if link['kind'] == 'bridge':
            view['ports'] = sorted(n for n, other in links.items() if other['master'] == name)
        if link['kind'] == 'vxlan':
            view['vxlan'] = {'vni': link['vni'], 'port': link['port'], 'local': link['local'], 'dev': link['dev'],
                             'learning': link['learning'], 'flood': []}
        if link['kind'] == 'veth':
            view['peer'] = None
        views[name] = view
    vxlans = dict((view['index'], view) for view in views.values() if view['kind'] == 'vxlan')
    if vxlans:
        for index, remote in seam.rtnl(netns).flood_entries():
            if index in vxlans:
                vxlans[index]['vxlan']['flood'].append(remote)
    return views


def _route_view(route):
    view = dict(route)
    view['table'] = _name_of(route['table'], TABLES)
    view['scope'] = _name_of(route['scope'], SCOPES)
    view['owned'] = route['proto'] == ROUTE_PROTO
    return view


def _name_of(number, names):
    return next((name for name, value in names.items() if value == number), number)


class PeerResolver:
    """Which namespace a link's netnsid stands for.  A netnsid is local to
    the namespace that reports it: ask that namespace for the id of each
    candidate (the host's first, where most peers live) until one matches,
    remembering every answer.  One request each, no fork."""

    def __init__(self, seam, names):
        self.seam = seam
        self.names = names
        self.known = {}
        self.pending = {}

    def namespace(self, netns, nsid):
        """(found, name): name None is the module's own namespace."""
        known = self.known.setdefault(netns, {})
        pending = self.pending.setdefault(netns, [n for n in [None] + self.names if n != netns])
        while nsid not in known and pending:
            other = pending.pop(0)
            if self._same(netns, other):
                continue
            found = self.seam.netnsid(netns, other)
            if found is not None:
                known.setdefault(found, other)
        return (True, known[nsid]) if nsid in known else (False, None)

    def _same(self, netns, other):
        """Two names for one namespace (a netnsid never points to itself)."""
        return self._inode(netns) == self._inode(other)

    def _inode(self, netns):
        return self.seam.inode(netns) if netns else os.stat('/proc/self/ns/net').st_ino


def link_peers(raw, views, resolve):
    """Fill in `peer` of every veth: {netns, ifname, index, seen}.  raw:
    {netns: {ifname: link as the seam reads it}}; views: the namespace views;
    resolve(netns, nsid) -> (found, name).  A peer whose namespace is neither
    the host's nor a named one is not seen (netns and ifname null)."""
    names_by_index = dict((netns, dict((link['index'], name) for name, link in links.items()))
                          for netns, links in raw.items())
    for netns, links in raw.items():
        for name, link in links.items():
            if link['kind'] != 'veth' or not link['link_index'] or views[netns]['links'] is None:
                continue
            seen, other = (True, netns) if link['link_netnsid'] is None else resolve(netns, link['link_netnsid'])
            ifname = names_by_index.get(other, {}).get(link['link_index']) if seen else None
            seen = seen and ifname is not None
            views[netns]['links'][name]['peer'] = {'netns': other if seen else None, 'ifname': ifname,
                                                   'index': link['link_index'], 'seen': seen}


# -- cgroups under the managed parents -----------------------------------------

def read_cgroups(parents):
    """{path: group} of every cgroup below each parent, read as cgroup_limit
    reads a group (limits in its units, members)."""
    reader = CgroupResource()
    hierarchies = reader.seam.hierarchies()
    mounts = sorted(set(h.mount for h in hierarchies.values()))
    groups = {}
    for parent in parents:
        for name in _descendants(mounts, parent):
            try:
                spec = CgroupSpec({'name': name, 'parent': parent})
            except ValidationError:
                continue  # a name cgroup_limit would never make (whitespace...): not ours
            view = reader._view(spec.path, reader._used(spec, hierarchies))
            if view is not None:
                groups[spec.path] = dict(view, parent=parent, name=name)
    return groups


def _descendants(mounts, parent):
    """Relative paths of every group below `parent`, in any hierarchy."""
    names = set()
    for mount in mounts:
        top = os.path.join(mount, parent)
        for root, _dirs, _files in os.walk(top):
            if root != top:
                names.add(os.path.relpath(root, top))
    return sorted(names)


# -- container_network's record ------------------------------------------------

def read_container_record(state_dir, warnings):
    path = os.path.join(state_dir, RECORD_FILE)
    try:
        return read_record(path) or None
    except (ValidationError, IOError, OSError) as exc:
        warnings.append('record %s not read: %s' % (path, exc))
        return None


# -- workloads of container_network ----------------------------------------------

def read_workloads(seam, state_dir, wanted):
    """{container: workload view} of every workload whose pid file is in
    state_dir and that runs (only those of `wanted`, when given)."""
    try:
        names = sorted(f[:-len('.pid')] for f in os.listdir(state_dir) if f.endswith('.pid'))
    except OSError:
        return {}
    workloads = {}
    for name in names:
        if wanted is not None and name not in wanted:
            continue
        try:
            view = workload_view(seam, netns_name(name, 'state_dir'), os.path.join(state_dir, name + '.pid'))
        except (ValidationError, OSError):
            continue  # not a container's pid file, or its namespace is gone
        if view is not None:
            workloads[name] = view
    return workloads
