# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One host's container network as one composite Resource.

The host part: a bridge carrying the gateway, IPv4 forwarding, egress
masquerade and forward accepts, optionally routes to other hosts' subnets
and a VXLAN overlay device.  Per container: a named network namespace (lo
up), a veth pair (host end ve-NAME on the bridge - for a NAME too long for
that, vex and a hash of it - and eth0 inside), an address,
a default route via the gateway, published ports (DNAT), cgroup limits and a
workload.  Addresses are kept in a record on the host (stable across runs:
adding or removing a container never renumbers the others), which also says
which containers this network made, so those no longer listed are removed.

Everything is one plan over the existing Resources (see _composite), in
the order _network_layout gives; the desired state is _network_spec's, the
record _network_record's, the results _network_results'.
"""

import os

from ansible_collections.linuxns.net.plugins.module_utils._composite import CompositeResource
from ansible_collections.linuxns.net.plugins.module_utils._host_sysctls import IP6_FORWARD, IP_FORWARD
from ansible_collections.linuxns.net.plugins.module_utils._network_layout import Layout
from ansible_collections.linuxns.net.plugins.module_utils._network_record import read_record
from ansible_collections.linuxns.net.plugins.module_utils._network_results import container_results, network_results
from ansible_collections.linuxns.net.plugins.module_utils._network_spec import NetworkSpec
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, sysctl_path


# -- the composite -------------------------------------------------------------

class ContainerNetworkResource(CompositeResource):

    def __init__(self, seam):
        super().__init__(None)
        self.seam = seam
        self.layout = None

    @staticmethod
    def specs(params):
        return NetworkSpec(params)

    def read(self, desired):
        if self.parts is None:  # once per run: verify reads back the same parts
            self.layout = Layout(desired, read_record(desired.record_path), self.seam.read_sysctl(None, IP_FORWARD),
                                 self.seam.read_sysctl(None, IP6_FORWARD))
            self.parts = self.layout.parts(self.seam)
            self._check_sysctls()
        return super().read(desired)

    def _check_sysctls(self):
        """Before any change: every container's sysctls exist in a network
        namespace (a new one: where the key lives in a container made
        this run, it is set before anything else could tell)."""
        for c in self.layout.keep:
            if not c.sysctls:
                continue
            keys = dict((sysctl_path(key), key) for key in c.sysctls)
            interfaces = [i.inside for i in self.layout.interfaces(c)]
            missing = self.seam.missing_in_a_new_namespace(sorted(keys), interfaces)
            if missing:
                raise ValidationError('%ssysctls.%s' % (c.prefix, keys[missing[0]]),
                                      'a network namespace has no sysctl %s (net.* of this kernel only; an interface\'s '
                                      'keys for the container\'s own interfaces, %s)' % (keys[missing[0]], ', '.join(interfaces)))

    def plan(self, desired, current):
        try:
            return super().plan(desired, current)
        except ValidationError as exc:
            if exc.option == 'name':  # only the bridge part plans with a bare `name`: the user's option is bridge
                raise ValidationError('bridge', exc.message)
            raise

    def before_apply(self, plan):
        """Intent first: the record, written ahead (see Layout.record_ahead)."""
        self.layout.record_ahead()

    def summary(self, desired, plan, observed):
        return container_results(self.layout, plan, observed)

    def extra_results(self, plan):
        return dict(network_results(self.layout, plan), elapsed=round(process_age(), 3))


def process_age():
    """Seconds since this process started (interpreter start and imports
    included): what one call costs on the host, without Ansible's transport."""
    with open('/proc/self/stat') as handle:
        started = int(handle.read().rsplit(')', 1)[1].split()[19])  # field 22: starttime, in clock ticks
    with open('/proc/uptime') as handle:
        uptime = float(handle.read().split()[0])
    return uptime - started / float(os.sysconf('SC_CLK_TCK'))
