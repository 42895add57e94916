# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's named namespaces: list, create, name a process's
namespace (`ip netns attach`), remove and restore names under /run/netns.

A part of NetlinkSeam (see _netlink), which provides the core it uses:
run_dir, path(), _ns_file(), _check(), _libc, _returning(), _unshare(),
changed(), _drop_session() and _held.
"""

import errno
import os

from ansible_collections.linuxns.net.plugins.module_utils._kernel import MNT_DETACH, MS_BIND, MS_REC, MS_SHARED


class NamespaceEntry:
    """A name under /run/netns.  inode is None when the name is a stale
    mount point (an interrupted create left the file but no namespace)."""

    def __init__(self, name, inode):
        self.name = name
        self.inode = inode

    @property
    def stale(self):
        return self.inode is None


class NamespacesMixin:

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
        if self._libc.mount(b'none', run_dir, b'none', MS_SHARED | MS_REC, None) == 0:
            return
        self._check(self._libc.mount(run_dir, run_dir, b'none', MS_BIND | MS_REC, None),
                    'bind %s onto itself' % self.run_dir)
        self._check(self._libc.mount(b'none', run_dir, b'none', MS_SHARED | MS_REC, None),
                    'make %s shared' % self.run_dir)

    def _bind(self, name, source):
        """Bind the namespace file `source` under `name`."""
        self._share_run_dir()
        target = self.path(name)
        os.close(os.open(target, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
        try:
            self._check(self._libc.mount(source.encode(), target.encode(), b'none', MS_BIND, None),
                        'bind %s to %s' % (source, target))
        except OSError:
            os.unlink(target)
            raise

    def create_namespace(self, name):
        """A new, empty namespace named `name`, made in-process (no fork):
        unshare our own netns, bind it, and go back."""
        self.changed(name, forget_indexes=True)
        with self._returning():
            self._unshare()
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
            self._check(self._libc.umount2(target.encode(), MNT_DETACH), 'unmount %s' % target)
        os.unlink(target)

    def restore_namespace(self, name):
        """Rollback of remove_namespace within the same run."""
        self.changed(name, forget_indexes=True)
        self._bind(name, '/proc/self/fd/%d' % self._held[name])
