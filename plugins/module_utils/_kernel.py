# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kernel's constants the seams pass to libc (linux/sched.h and
linux/mount.h), where iproute2 names namespaces, and setns(): declared
once here."""

import ctypes
import functools
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWNET = 0x40000000

MS_BIND = 4096
MS_REC = 16384
MS_SLAVE = 1 << 19
MS_SHARED = 1 << 20
MNT_DETACH = 2

NETNS_RUN_DIR = '/run/netns'  # where iproute2 (and we) bind named network namespaces


def setns(fd, nstype):
    """Join the namespace `fd` refers to (os.setns since Python 3.12, else libc's)."""
    _setns_function()(fd, nstype)


@functools.lru_cache(maxsize=None)
def _setns_function():
    native = getattr(os, 'setns', None)  # Python 3.12+
    if native is not None:
        return native
    libc = ctypes.CDLL(None, use_errno=True)

    def libc_setns(fd, nstype):
        if libc.setns(fd, nstype) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    return libc_setns
