# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sysctls of the namespace a module runs in (IPv4 and IPv6 forwarding of
container_network's host), as an engine Resource."""

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource

IP_FORWARD = 'net/ipv4/ip_forward'
IP6_FORWARD = 'net/ipv6/conf/all/forwarding'


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
