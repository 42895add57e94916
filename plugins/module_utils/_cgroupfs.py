# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cgroupfs seam: the cgroup Resource (_cgroup) reads and writes cgroup
files only through it, and network_info (_facts) reads them through it.  One
other writer: a workload's child process joins its cgroups itself, before
exec (_workloads).  The seam also finds the processes in a network namespace
(a walk over /proc).

Finds the hierarchies from /proc/self/mountinfo: a cgroup2 mount (whose root
cgroup.controllers lists what v2 offers) and cgroup v1 mounts (one or more
controllers each).  A controller is used from v2 when v2 offers it, else
from the v1 hierarchy that has it, which covers v1, v2 and hybrid layouts.
"""

import errno
import json
import os

from ansible_collections.linuxns.net.plugins.module_utils._engine import OWNER_MARK
from ansible_collections.linuxns.net.plugins.module_utils._procfs import netns_members

# The extended attribute that marks a cgroup directory this collection made:
# it lives and dies with the directory, so it can never point at a directory
# someone else made later under the same name.
MARK_XATTR = 'trusted.' + OWNER_MARK
_NO_XATTR = (errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOENT)
V1_OPTIONS_SKIP = ('rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec', 'clone_children')


class Hierarchy:
    """Where one controller lives: version 1 or 2 and the mount point."""

    def __init__(self, version, mount):
        self.version = version
        self.mount = mount

    def path(self, relative):
        return os.path.join(self.mount, relative) if relative else self.mount

    def __eq__(self, other):
        return isinstance(other, Hierarchy) and (self.version, self.mount) == (other.version, other.mount)

    def __hash__(self):
        return hash((self.version, self.mount))


class CgroupFs:
    def __init__(self, mountinfo='/proc/self/mountinfo'):
        self.mountinfo = mountinfo
        self._netns_members = None

    def close(self):
        """Nothing is held open (converge closes every seam it made)."""

    def hierarchies(self):
        """{controller: Hierarchy} for every controller available."""
        v1, v2 = {}, None
        with open(self.mountinfo) as handle:
            for line in handle:
                fields = line.split()
                separator = fields.index('-')
                mount, fstype, options = fields[4], fields[separator + 1], fields[separator + 3]
                if fstype == 'cgroup2' and v2 is None:
                    v2 = mount
                elif fstype == 'cgroup':
                    for option in options.split(','):
                        if option not in V1_OPTIONS_SKIP and '=' not in option:
                            v1.setdefault(option, Hierarchy(1, mount))
        found = dict(v1)
        if v2 is not None:
            for controller in (self.read(os.path.join(v2, 'cgroup.controllers')) or '').split():
                found[controller] = Hierarchy(2, v2)
        return found

    @staticmethod
    def read(path):
        """A cgroup file's content, stripped; None if it does not exist."""
        try:
            with open(path) as handle:
                return handle.read().strip()
        except IOError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise

    @staticmethod
    def write(path, value):
        with open(path, 'w') as handle:
            handle.write(str(value))

    @staticmethod
    def exists(path):
        return os.path.isdir(path)

    @staticmethod
    def mkdir(path):
        os.mkdir(path, 0o755)

    @staticmethod
    def rmdir(path):
        os.rmdir(path)

    @staticmethod
    def children(path):
        """Names of the child cgroups of the cgroup at `path`, sorted."""
        try:
            return sorted(name for name in os.listdir(path) if os.path.isdir(os.path.join(path, name)))
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return []
            raise

    @staticmethod
    def read_mark(path):
        """Our mark on a cgroup directory (a dict), or None: not ours, or the
        filesystem keeps no extended attributes."""
        try:
            return json.loads(os.getxattr(path, MARK_XATTR).decode('utf-8'))
        except OSError as exc:
            if exc.errno in _NO_XATTR:
                return None
            raise
        except ValueError:  # not our format: treat as foreign
            return None

    @staticmethod
    def write_mark(path, mark):
        """Mark a directory we made; where no extended attributes are kept it
        stays unmarked, and so is never removed as ours (the safe side)."""
        try:
            os.setxattr(path, MARK_XATTR, json.dumps(mark, sort_keys=True).encode('utf-8'))
        except OSError as exc:
            if exc.errno not in _NO_XATTR:
                raise

    def procs(self, path):
        """Pids in the cgroup at `path`, sorted."""
        text = self.read(os.path.join(path, 'cgroup.procs'))
        return sorted(int(pid) for pid in (text or '').split())

    def attach(self, path, pid):
        self.write(os.path.join(path, 'cgroup.procs'), pid)

    def pids_in_netns(self, netns_file):
        """Pids of every process whose network namespace is the one at `netns_file`."""
        target = os.stat(netns_file)
        return self.netns_members().get((target.st_dev, target.st_ino), [])

    def netns_members(self):
        """{(dev, inode) of a network namespace: sorted pids in it}, from one
        walk over /proc per instance (a run asks for many namespaces)."""
        if self._netns_members is None:
            self._netns_members = netns_members()
        return self._netns_members

    def forget(self):
        """Drop the cached process walk (processes come and go between reads)."""
        self._netns_members = None
