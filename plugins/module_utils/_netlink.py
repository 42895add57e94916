# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam: named network namespaces, and the links, addresses,
bridge ports, VXLAN flood lists, sysctls, routes and qdiscs inside them.

Every Resource that changes namespaces or links does it through this seam.
It is not the only code that looks at namespaces: _reachability and
_workloads enter them (setns) for their probes' sockets and their workloads'
processes, _cgroup checks that a namespace's name exists and _cgroupfs finds
the processes inside one; _facts reads through a subclass of this seam.

NetlinkSeam is one class, made of one part per concern:
  _netlink             (here) the core: entering a namespace, its sockets,
                       cached reads and interface indexes
  _netlink_namespaces  named namespaces under /run/netns
  _netlink_links       links and addresses: veth, bridge and vxlan devices,
                       bridge ports, lo
  _netlink_flood       the flood lists of vxlan devices
  _netlink_sysctls     /proc/sys as a namespace sees it
  _netlink_routes      routes
  _netlink_tc          traffic control: token buckets, ingress redirects

Design rules (measured on the 2-core development VM):
- one netlink socket per namespace per run, opened without forking: enter the
  namespace (setns on an fd we opened, so a missing namespace is an error and
  never silently created), open the socket, go back.  The socket stays bound
  to the namespace it was opened in.  (100 namespaces, each with a veth, a
  bridge port, an address and a route: 1.0-1.2 s this way, 2.1-2.6 s with a
  forked helper per namespace.)
- reads go through the lean dump reader (_rtnl), cached until the next write;
  the writes of a container network (bridge, veth pairs, link settings,
  addresses, routes) through the lean writer (_rtnl_write) on the same socket: pyroute2 costs
  about 2.4 ms a request and 0.35-0.55 s to import.  The rarer requests
  (vxlan devices, fdb, qdiscs, conntrack) use pyroute2, imported only when a
  run makes one.
- named namespaces are files under /run/netns bind-mounted from an nsfs inode,
  exactly as `ip netns add` and `ip netns attach` make them, so iproute2 and
  every other tool see ours.
- a namespace name removed during a run is kept open until the run ends, so
  rollback can bind it again.
"""

import contextlib
import ctypes
import ctypes.util
import errno
import itertools
import os
import socket
import traceback

from ansible_collections.linuxns.net.plugins.module_utils._netlink_flood import FloodListMixin
from ansible_collections.linuxns.net.plugins.module_utils._netlink_links import LinksMixin
from ansible_collections.linuxns.net.plugins.module_utils._netlink_namespaces import NamespacesMixin
from ansible_collections.linuxns.net.plugins.module_utils._netlink_routes import RoutesMixin
from ansible_collections.linuxns.net.plugins.module_utils._kernel import CLONE_NEWNET, NETNS_RUN_DIR
from ansible_collections.linuxns.net.plugins.module_utils._netlink_sysctls import SysctlsMixin
from ansible_collections.linuxns.net.plugins.module_utils._netlink_tc import TrafficControlMixin
from ansible_collections.linuxns.net.plugins.module_utils._rtnl_write import Writer

try:
    from importlib.metadata import PackageNotFoundError, version as installed_version
except ImportError:  # Python < 3.8: find out by importing
    installed_version = None

PYROUTE2_MIN_VERSION = (0, 9)


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


class NetlinkSeam(NamespacesMixin, LinksMixin, FloodListMixin, SysctlsMixin, RoutesMixin, TrafficControlMixin):
    """One seam per run; the mixins hold the methods of each concern and use
    the core's below: inside(), session(), rtnl(), _cached(), changed(),
    _index()."""

    def __init__(self, run_dir=NETNS_RUN_DIR):
        self.run_dir = run_dir
        self._libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        self._nsfs_dev = os.stat('/proc/self/ns/net').st_dev
        self._sessions = {}
        self._held = {}  # name -> fd of a namespace unbound during this run (_netlink_namespaces)
        # Reads are cached until the next write, so the parts of one plan that
        # look at the same namespace cost one dump.  Interface indexes live
        # longer: they change only when a link is created, deleted or its
        # namespace removed.
        self._reads = {}
        self._indexes = {}
        self._rtnl_sockets = {}  # netns -> its lean netlink socket
        self._here_fd = os.open('/proc/self/ns/net', os.O_RDONLY)  # the module's own namespace

    # -- plumbing: entering namespaces, sockets, cached reads -------------

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
        for session in list(self._sessions.values()) + list(self._rtnl_sockets.values()):
            session.close()
        self._sessions.clear()
        self._rtnl_sockets.clear()
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
        self._check(self._libc.setns(fd, CLONE_NEWNET), 'setns')

    def _unshare(self):
        """Move this thread into a new, empty network namespace."""
        self._check(self._libc.unshare(CLONE_NEWNET), 'unshare(CLONE_NEWNET)')

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

    def delete_conntrack(self, netns, flows):
        """Delete the conntrack entries of `netns` whose original destination
        port is in one of `flows` [(protocol number, low, high)], both
        families.  Without pyroute2 (nat_rule runs without it) nothing is
        deleted: the entries then time out on their own."""
        try:
            from pyroute2 import Conntrack
            from pyroute2.conntrack import NFCTAttrTuple
            from pyroute2.netlink.exceptions import NetlinkError
        except ImportError:
            return
        with self.inside(netns):  # the whole time: pyroute2 may open its socket on first use
            table = Conntrack()
            try:
                for family, (protocol, low, high) in itertools.product((socket.AF_INET, socket.AF_INET6), flows):
                    for entry in list(table.dump_entries(tuple_orig=NFCTAttrTuple(family=family, proto=protocol))):
                        if low <= (entry.tuple_orig.dport or 0) <= high:
                            try:
                                table.delete(entry)
                            except NetlinkError as exc:
                                if exc.code != errno.ENOENT:  # gone by itself meanwhile
                                    raise
            finally:
                table.close()

    def session(self, netns=None):
        """The pyroute2 IPRoute socket for `netns`, opened once per run, for
        the requests the lean writer does not make (vxlan devices, the fdb,
        qdiscs)."""
        if netns not in self._sessions:
            from pyroute2 import IPRoute  # here: only runs that make those pay for the import
            with self.inside(netns):
                self._sessions[netns] = IPRoute()
        return self._sessions[netns]

    def rtnl(self, netns=None):
        """The lean netlink socket of `netns` (reads: _rtnl, writes:
        _rtnl_write), opened once per run."""
        if netns not in self._rtnl_sockets:
            with self.inside(netns):
                self._rtnl_sockets[netns] = Writer()
        return self._rtnl_sockets[netns]

    def _drop_session(self, netns):
        for sessions in (self._sessions, self._rtnl_sockets):
            session = sessions.pop(netns, None)
            if session is not None:
                session.close()

    # -- naming a link in a request ---------------------------------------

    def _index(self, netns, name):
        if (netns, name) not in self._indexes:
            try:
                self._indexes[(netns, name)] = self.rtnl(netns).index(name)
            except OSError as exc:
                if exc.errno != errno.ENODEV:
                    raise
                raise OSError(errno.ENODEV, 'no interface %s in %s' % (name, netns or 'this namespace'))
        return self._indexes[(netns, name)]

    def _target(self, netns, name):
        """How a request names a link: by index when known, else by name
        (the kernel resolves it; a lookup would cost one more round trip)."""
        index = self._indexes.get((netns, name))
        return {'index': index} if index else {'ifname': name}
