# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's sysctls: /proc/sys as a namespace sees it (forwarding
and the like are per namespace).

A part of NetlinkSeam (see _netlink), which provides the core it uses:
inside() and changed().
"""

import ctypes
import errno
import os
import re
import threading

from ansible_collections.linuxns.net.plugins.module_utils._kernel import CLONE_NEWNET

SYSCTL_FORWARDING = {
    'ipv4': 'net/ipv4/ip_forward',
    'ipv6': 'net/ipv6/conf/all/forwarding',
}


class SysctlsMixin:

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

    def missing_in_a_new_namespace(self, keys, interfaces=()):
        """The keys (paths under /proc/sys) a new network namespace lacks,
        looked for by a thread that makes one (a thread's unshare leaves the
        rest of the process where it is; the namespace goes with the
        thread).  A key of one of `interfaces` (net/ipv4/conf/eth0/...,
        which the new namespace does not have yet) is looked for as its
        `default` twin."""
        found = {}

        def look():
            if self._libc.unshare(CLONE_NEWNET) != 0:
                found['error'] = OSError(ctypes.get_errno(), 'cannot make a network namespace to look at its sysctls')
                return
            found['missing'] = [key for key in keys if not os.path.exists('/proc/sys/' + _as_default(key, interfaces))]
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        if 'error' in found:
            raise found['error']
        return found['missing']

    def write_sysctl(self, netns, key, value):
        self.changed()
        with self.inside(netns):
            with open('/proc/sys/' + key, 'w') as handle:
                handle.write(str(value))


def _as_default(key, interfaces):
    """net/ipv4/conf/eth0/rp_filter -> net/ipv4/conf/default/rp_filter for
    an interface in `interfaces`; other keys as they are."""
    match = re.match(r'^(net/ipv[46]/(?:conf|neigh)/)([^/]+)(/.+)$', key)
    if match and match.group(2) in interfaces:
        return match.group(1) + 'default' + match.group(3)
    return key
