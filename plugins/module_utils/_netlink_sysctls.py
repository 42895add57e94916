# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's sysctls: /proc/sys as a namespace sees it (forwarding
and the like are per namespace).

A part of NetlinkSeam (see _netlink), which provides the core it uses:
inside() and changed().
"""

import errno

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

    def write_sysctl(self, netns, key, value):
        self.changed()
        with self.inside(netns):
            with open('/proc/sys/' + key, 'w') as handle:
                handle.write(str(value))
