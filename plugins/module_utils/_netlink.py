# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam: the only code that touches network namespaces and links.

Design rules (measured, see the project guide):
- one netlink socket per namespace per run, opened without forking: enter the
  namespace (setns on an fd we opened, so a missing namespace is an error and
  never silently created), open the socket, go back.  The socket stays bound
  to the namespace it was opened in.
- reads go through the lean dump reader (_rtnl), cached until the next write;
  writes through pyroute2, imported only when a run writes (the import costs
  more than reading a whole host).
- named namespaces are files under /run/netns bind-mounted from an nsfs inode,
  exactly as `ip netns add` and `ip netns attach` make them, so iproute2 and
  every other tool see ours.
- a namespace name removed during a run is kept open until the run ends, so
  rollback can bind it again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import ctypes
import ctypes.util
import errno
import os
import traceback

from ansible_collections.linuxns.net.plugins.module_utils import _rtnl as rtnl
from ansible_collections.linuxns.net.plugins.module_utils._rtnl import Dumper

try:
    from importlib.metadata import PackageNotFoundError, version as installed_version
except ImportError:  # Python < 3.8: find out by importing
    installed_version = None

NETNS_RUN_DIR = '/run/netns'
PYROUTE2_MIN_VERSION = (0, 9)

_MS_BIND = 4096
_MS_REC = 16384
_MS_SHARED = 1 << 20
_MNT_DETACH = 2
_CLONE_NEWNET = 0x40000000
_LOOPBACK_INDEX = 1  # the kernel always gives lo ifindex 1 in every namespace

SYSCTL_FORWARDING = {
    'ipv4': 'net/ipv4/ip_forward',
    'ipv6': 'net/ipv6/conf/all/forwarding',
}


def pyroute2_problem():
    """(problem, traceback): (None, None) when a usable pyroute2 is installed,
    else why not.  Asks the package metadata, which is cheap: the import
    itself waits until a run writes."""
    found = None
    if installed_version is not None:
        try:
            found = installed_version('pyroute2')
        except PackageNotFoundError:
            pass
    if found is None:
        try:
            import pyroute2
            found = pyroute2.__version__
        except ImportError:
            return 'pyroute2 is not installed', traceback.format_exc()
    number = tuple(int(p) for p in found.split('.')[:2] if p.isdigit())
    if number < PYROUTE2_MIN_VERSION:
        return 'pyroute2 %s is too old, need >= %d.%d' % ((found,) + PYROUTE2_MIN_VERSION), None
    return None, None


class NamespaceEntry:
    """A name under /run/netns.  inode is None when the name is a stale
    mount point (an interrupted create left the file but no namespace)."""

    def __init__(self, name, inode):
        self.name = name
        self.inode = inode

    @property
    def stale(self):
        return self.inode is None


class NetlinkSeam:
    def __init__(self, run_dir=NETNS_RUN_DIR):
        self.run_dir = run_dir
        self._libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        self._nsfs_dev = os.stat('/proc/self/ns/net').st_dev
        self._sessions = {}
        self._held = {}  # name -> fd of a namespace unbound during this run
        # Reads are cached until the next write, so the parts of one plan that
        # look at the same namespace cost one dump.  Interface indexes live
        # longer: they change only when a link is created, deleted or its
        # namespace removed.
        self._reads = {}
        self._indexes = {}
        self._dumpers = {}  # netns -> the lean reader's socket in it
        self._here_fd = os.open('/proc/self/ns/net', os.O_RDONLY)  # the module's own namespace

    # -- plumbing ---------------------------------------------------------

    def _check(self, result, what):
        if result != 0:
            err = ctypes.get_errno()
            raise OSError(err, '%s: %s' % (what, os.strerror(err)))

    def path(self, name):
        return os.path.join(self.run_dir, name)

    def _cached(self, key, read):
        if key not in self._reads:
            self._reads[key] = read()
        return self._reads[key]

    def changed(self, netns=None, forget_indexes=False):
        """Drop cached reads after a write (and the indexes of `netns`)."""
        self._reads.clear()
        if forget_indexes:
            for key in [k for k in self._indexes if k[0] == netns]:
                del self._indexes[key]

    def close(self):
        for session in list(self._sessions.values()) + list(self._dumpers.values()):
            session.close()
        self._sessions.clear()
        self._dumpers.clear()
        for fd in self._held.values():
            os.close(fd)
        self._held.clear()
        if self._here_fd is not None:
            os.close(self._here_fd)
            self._here_fd = None

    def _ns_file(self, netns):
        """A namespace given by name or as an absolute path (/proc/PID/ns/net)."""
        return netns if netns.startswith('/') else self.path(netns)

    def _setns(self, fd):
        self._check(self._libc.setns(fd, _CLONE_NEWNET), 'setns')

    @contextlib.contextmanager
    def _returning(self):
        """Come back to the namespace the block started in."""
        back = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
        try:
            yield
        finally:
            try:
                self._setns(back)
            finally:
                os.close(back)

    @contextlib.contextmanager
    def inside(self, netns):
        """Run the block inside namespace `netns` (None: stay here)."""
        if netns is None:
            yield
            return
        fd = os.open(self._ns_file(netns), os.O_RDONLY)  # ENOENT: never create
        with self._returning():
            try:
                self._setns(fd)
            finally:
                os.close(fd)
            yield

    def session(self, netns=None):
        """The IPRoute socket for `netns`, opened once per run."""
        if netns not in self._sessions:
            from pyroute2 import IPRoute  # here: the import is for runs that write
            with self.inside(netns):
                self._sessions[netns] = IPRoute()
        return self._sessions[netns]

    def dumper(self, netns=None):
        """The lean reader (_rtnl) for `netns`, opened once per run."""
        if netns not in self._dumpers:
            with self.inside(netns):
                self._dumpers[netns] = Dumper()
        return self._dumpers[netns]

    def _drop_session(self, netns):
        for sessions in (self._sessions, self._dumpers):
            session = sessions.pop(netns, None)
            if session is not None:
                session.close()

    # -- named namespaces -------------------------------------------------

    def _inode(self, path):
        """The nsfs inode behind `path`, or None if it is not a namespace."""
        st = os.stat(path)
        return st.st_ino if st.st_dev == self._nsfs_dev else None

    def namespaces(self):
        """{name: NamespaceEntry} for every name under the run directory."""
        return self._cached(('namespaces',), self._list_namespaces)

    def _list_namespaces(self):
        try:
            names = os.listdir(self.run_dir)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return {}
            raise
        entries = {}
        for name in names:
            try:
                entries[name] = NamespaceEntry(name, self._inode(self.path(name)))
            except OSError as exc:
                if exc.errno != errno.ENOENT:  # vanished while listing
                    raise
        return entries

    def inode(self, netns):
        """The inode of a namespace given by name or path."""
        return self._inode(self._ns_file(netns))

    def _share_run_dir(self):
        """Make the run dir a shared mount, as iproute2 does, so names made
        here show in every mount namespace that shares it."""
        try:
            os.mkdir(self.run_dir, 0o755)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
        run_dir = self.run_dir.encode()
        if self._libc.mount(b'none', run_dir, b'none', _MS_SHARED | _MS_REC, None) == 0:
            return
        self._check(self._libc.mount(run_dir, run_dir, b'none', _MS_BIND | _MS_REC, None),
                    'bind %s onto itself' % self.run_dir)
        self._check(self._libc.mount(b'none', run_dir, b'none', _MS_SHARED | _MS_REC, None),
                    'make %s shared' % self.run_dir)

    def _bind(self, name, source):
        """Bind the namespace file `source` under `name`."""
        self._share_run_dir()
        target = self.path(name)
        os.close(os.open(target, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
        try:
            self._check(self._libc.mount(source.encode(), target.encode(), b'none', _MS_BIND, None),
                        'bind %s to %s' % (source, target))
        except OSError:
            os.unlink(target)
            raise

    def create_namespace(self, name):
        """A new, empty namespace named `name`, made in-process (no fork):
        unshare our own netns, bind it, and go back."""
        self.changed(name, forget_indexes=True)
        with self._returning():
            self._check(self._libc.unshare(_CLONE_NEWNET), 'unshare(CLONE_NEWNET)')
            self._bind(name, '/proc/thread-self/ns/net')

    def attach_namespace(self, name, pid):
        """Name the namespace of process `pid`, like `ip netns attach`."""
        self.changed(name, forget_indexes=True)
        self._bind(name, '/proc/%d/ns/net' % pid)

    def remove_namespace(self, name):
        """Unbind `name`, like `ip netns delete`.  The namespace itself lives on
        while processes use it; we keep it open until the run ends so rollback
        can restore the name."""
        self.changed(name, forget_indexes=True)
        self._drop_session(name)
        target = self.path(name)
        if self._inode(target) is not None and name not in self._held:
            self._held[name] = os.open(target, os.O_RDONLY)
        if os.path.ismount(target):  # a stale leftover is a plain file
            self._check(self._libc.umount2(target.encode(), _MNT_DETACH), 'unmount %s' % target)
        os.unlink(target)

    def restore_namespace(self, name):
        """Rollback of remove_namespace within the same run."""
        self.changed(name, forget_indexes=True)
        self._bind(name, '/proc/self/fd/%d' % self._held[name])

    # -- inside a namespace -----------------------------------------------

    def loopback(self, netns):
        """(is_up, alias) of `lo` in `netns` (from the namespace's one link dump)."""
        lo = next(link for link in self.links(netns).values() if link['index'] == _LOOPBACK_INDEX)
        return lo['up'], lo['alias']

    def set_loopback(self, netns, up=None, alias=None):
        changes = {}
        if up is not None:
            changes['state'] = 'up' if up else 'down'
        if alias is not None:
            changes['ifalias'] = alias
        if changes:
            self.changed()
            self.session(netns).link('set', index=_LOOPBACK_INDEX, **changes)

    def read_sysctl(self, netns, key):
        """A /proc/sys value as seen inside `netns`; None if the key does not
        exist there (e.g. IPv6 disabled)."""
        with self.inside(netns):
            try:
                with open('/proc/sys/' + key) as handle:
                    return handle.read().strip()
            except IOError as exc:
                if exc.errno == errno.ENOENT:
                    return None
                raise

    def write_sysctl(self, netns, key, value):
        self.changed()
        with self.inside(netns):
            with open('/proc/sys/' + key, 'w') as handle:
                handle.write(str(value))

    # -- links and addresses ----------------------------------------------

    def links(self, netns):
        """{ifname: link dict} of every link in `netns`, addresses included."""
        return self._cached(('links', netns), lambda: self._read_links(netns))

    def _read_links(self, netns):
        dumper = self.dumper(netns)
        addresses = {}
        for index, cidr in dumper.addresses():
            addresses.setdefault(index, []).append(cidr)
        raw = dumper.links()
        by_index = dict((link['index'], link) for link in raw)
        links = {}
        for link in raw:
            master = by_index.get(link['master_index'])
            links[link['name']] = dict(
                (key, link[key]) for key in ('index', 'kind', 'mtu', 'mac', 'up', 'alias', 'link_index', 'link_netnsid'))
            links[link['name']].update(master=master['name'] if master else None,
                                       addresses=sorted(addresses.get(link['index'], [])),
                                       **_kind_fields(link, by_index))
        self._indexes.update(((netns, name), link['index']) for name, link in links.items())
        return links

    def netnsid(self, netns, other):
        """The id under which `netns` knows namespace `other`, or None."""
        return self._cached(('netnsid', netns, other), lambda: self._read_netnsid(netns, other))

    def _read_netnsid(self, netns, other):
        fd = os.open(self._ns_file(other) if other else '/proc/self/ns/net', os.O_RDONLY)
        try:
            return self.dumper(netns).netnsid(fd)
        finally:
            os.close(fd)

    def _index(self, netns, name):
        if (netns, name) not in self._indexes:
            found = self.session(netns).link_lookup(ifname=name)
            if not found:
                raise OSError(errno.ENODEV, 'no interface %s in %s' % (name, netns or 'this namespace'))
            self._indexes[(netns, name)] = found[0]
        return self._indexes[(netns, name)]

    def add_veth(self, netns, name, peer_netns, peer_name, mtu=None, master=None, up=False):
        """Create a pair whose peer is born in its namespace under its name,
        with its mtu and master set and the first end up in the same request."""
        self.changed()
        here = self._here_fd if peer_netns is None else None
        fd = here if here is not None else os.open(self._ns_file(peer_netns), os.O_RDONLY)
        settings, peer = {}, {'ifname': peer_name, 'net_ns_fd': fd}
        if mtu:
            settings['mtu'] = peer['mtu'] = mtu
        if master:
            settings['master'] = self._index(netns, master)
        if up:
            settings['state'] = 'up'
        try:
            self.session(netns).link('add', ifname=name, kind='veth',
                                     peer=peer, **settings)
        finally:
            if here is None:
                os.close(fd)

    def add_bridge(self, netns, name, stp, forward_delay):
        self.changed()
        self.session(netns).link('add', ifname=name, kind='bridge', **_bridge_args(stp, forward_delay))

    def set_bridge(self, netns, name, stp=None, forward_delay=None):
        self.changed()
        self.session(netns).link('set', index=self._index(netns, name), kind='bridge',
                                 **_bridge_args(stp, forward_delay))

    def set_link(self, netns, name, **changes):
        """Change mtu, address (mac), state, master (a name or None), ifalias."""
        if 'master' in changes:
            master = changes.pop('master')
            changes['master'] = self._index(netns, master) if master else 0
        if 'mac' in changes:
            changes['address'] = changes.pop('mac')
        self.changed()
        self.session(netns).link('set', **dict(self._target(netns, name), **changes))

    def _target(self, netns, name):
        """How a request names a link: by index when known, else by name
        (the kernel resolves it; a lookup would cost one more round trip)."""
        index = self._indexes.get((netns, name))
        return {'index': index} if index else {'ifname': name}

    def set_hairpin(self, netns, name, enabled):
        self.changed()
        self.session(netns).brport('set', index=self._index(netns, name), mode=1 if enabled else 0)

    def address(self, netns, name, command, cidr):
        """command: 'replace' (add, or keep if present) or 'del'."""
        address, prefixlen = cidr.split('/')
        self.changed()
        self.session(netns).addr(command, index=self._index(netns, name), address=address,
                                 prefixlen=int(prefixlen))

    def add_vxlan(self, netns, name, vni, local, port, dev, learning):
        args = {'vxlan_id': vni, 'vxlan_port': port, 'vxlan_learning': 1 if learning else 0}
        if local:
            args['vxlan_local6' if ':' in local else 'vxlan_local'] = local
        if dev:
            args['vxlan_link'] = self._index(netns, dev)
        self.changed()
        self.session(netns).link('add', ifname=name, kind='vxlan', **args)

    def set_vxlan(self, netns, name, learning):
        self.changed()
        self.session(netns).link('set', index=self._index(netns, name), kind='vxlan',
                                 vxlan_learning=1 if learning else 0)

    def flood_list(self, netns, index):
        """Remote VTEPs the vxlan device `index` sends broadcast, unknown
        unicast and multicast to: its permanent all-zero-MAC forwarding entries."""
        entries = self.session(netns).fdb('dump', ifindex=index)
        return [e.get('NDA_DST') for e in entries
                if e.get('NDA_LLADDR') == _ZERO_MAC and e['state'] & _NUD_PERMANENT and e.get('NDA_DST')]

    def flood_entry(self, netns, name, command, remote):
        """command: 'append' (another zero-MAC entry) or 'del'."""
        self.changed()
        self.session(netns).fdb(command, ifindex=self._index(netns, name), lladdr=_ZERO_MAC, dst=remote)

    def delete_link(self, netns, name):
        index = self._index(netns, name)
        self.changed()
        self._indexes.pop((netns, name), None)
        self.session(netns).link('del', index=index)

    def routes(self, netns):
        """Every unicast route of every table in `netns`, as plain dicts."""
        def read():
            names = dict((link['index'], name) for name, link in self.links(netns).items())
            return list(_read_routes(self.dumper(netns), names))
        return self._cached(('routes', netns), read)

    def route(self, netns, command, route):
        """command: 'replace' (add or change in place) or 'del'.  `route` is a
        dict as routes() returns; the route is marked with ROUTE_PROTO."""
        family = _route_family(route)
        dst = route['dst'] if route['dst'] != 'default' else ('::/0' if family == _AF_INET6 else '0.0.0.0/0')
        args = {'dst': dst, 'family': family, 'table': route['table'], 'priority': route['metric']}
        if command != 'del':
            args['proto'] = ROUTE_PROTO
            args['scope'] = route['scope']
            for key, attr in (('gateway', 'gateway'), ('src', 'prefsrc')):
                if route.get(key):
                    args[attr] = route[key]
            if route.get('dev'):
                args['oif'] = self._index(netns, route['dev'])
            if route.get('onlink'):
                args['flags'] = _RTNH_F_ONLINK
        self.changed()
        self.session(netns).route(command, **args)


_ZERO_MAC = '00:00:00:00:00:00'
_NUD_PERMANENT = 0x80


def _kind_fields(link, by_index):
    """Bridge, bridge port and vxlan settings from a dumped link's raw attributes."""
    data, slave = link['data'], link['slave_data']
    fields = {'stp': None, 'forward_delay': None, 'hairpin': bool(rtnl.u8(slave.get(rtnl.BRPORT_MODE))) if slave else None}
    if link['kind'] == 'bridge':
        fields.update(stp=rtnl.u32(data.get(rtnl.BRIDGE['stp'])), forward_delay=rtnl.u32(data.get(rtnl.BRIDGE['forward_delay'])))
    elif link['kind'] == 'vxlan':
        dev = by_index.get(rtnl.u32(data.get(rtnl.VXLAN['link'])))
        fields.update(vni=rtnl.u32(data.get(rtnl.VXLAN['id'])), port=rtnl.be16(data.get(rtnl.VXLAN['port'])),
                      local=rtnl.ip(rtnl.AF_INET, data.get(rtnl.VXLAN['local'])) or rtnl.ip(rtnl.AF_INET6, data.get(rtnl.VXLAN['local6'])),
                      dev=dev['name'] if dev else None, learning=bool(rtnl.u8(data.get(rtnl.VXLAN['learning']))))
    return fields


def _bridge_args(stp, forward_delay):
    args = {}
    if stp is not None:
        args['br_stp_state'] = 1 if stp else 0
    if forward_delay is not None:
        args['br_forward_delay'] = forward_delay
    return args


# -- routes ----------------------------------------------------------------

ROUTE_PROTO = 76  # marks routes this collection made (`ip route show proto 76`)
_RTN_UNICAST = 1
_RTNH_F_ONLINK = 4
_AF_INET, _AF_INET6 = 2, 10


def _route_family(route):
    return _AF_INET6 if ':' in (route.get('gateway') or '') or ':' in route['dst'] else _AF_INET


def _read_routes(dumper, names):
    for family in (rtnl.AF_INET, rtnl.AF_INET6):
        for msg in dumper.routes(family):
            if msg['type'] != _RTN_UNICAST:
                continue
            yield {
                'dst': 'default' if msg['dst_len'] == 0 else '%s/%d' % (msg['dst'], msg['dst_len']),
                'family': 6 if family == rtnl.AF_INET6 else 4,
                'gateway': msg['gateway'],
                'dev': names.get(msg['oif']),
                'metric': msg['metric'],
                'table': msg['table'],
                'scope': msg['scope'],
                'src': msg['src'],
                'onlink': msg['onlink'],
                'proto': msg['proto'],
            }
