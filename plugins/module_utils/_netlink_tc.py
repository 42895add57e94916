# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's traffic control: a token bucket (tbf) as a link's root
qdisc, and the ingress qdisc with one match-all u32 filter whose mirred
action redirects everything a link receives to an ifb device - what the CNI
bandwidth plugin builds, through pyroute2's tc support.  Reads go through
the lean reader (_rtnl).

A part of NetlinkSeam (see _netlink), which provides the core it uses:
session(), rtnl(), _cached(), changed() and _index().
"""

ROOT_HANDLE = 0x10000  # 1:
TC_H_ROOT = 0xffffffff
INGRESS_HANDLE = 0xffff0000  # ffff:
TC_H_INGRESS = 0xfffffff1
ETH_P_ALL = 0x0003
TIME_UNITS_PER_SEC = 1000000
EGRESS_REDIRECT = 1  # TCA_EGRESS_REDIR: the mirred action's "egress redirect"


class TrafficControlMixin:

    def tick_in_usec(self):
        """The kernel's packet scheduler ticks per microsecond (/proc/net/psched),
        the unit of a tbf's buffer, computed as tc and pyroute2 compute it."""
        def read():
            with open('/proc/net/psched') as handle:
                t2us, us2t, clock_res = [int(field, 16) for field in handle.read().split()[:3]]
            return float(t2us) / us2t * (float(clock_res) / TIME_UNITS_PER_SEC)
        return self._cached('psched', read)

    def qdiscs(self, netns):
        """{ifindex: {'root': qdisc or None, 'ingress': bool}} of every link
        with a qdisc of its own in `netns` (see _rtnl.Dumper.qdiscs)."""
        return self._cached(('qdiscs', netns), lambda: _by_link(self.rtnl(netns).qdiscs()))

    def redirect_targets(self, netns, index):
        """The ifindexes the ingress filters of link `index` redirect to."""
        return self._cached(('redirects', netns, index), lambda: [
            target for eaction, target in self.rtnl(netns).redirects(index, INGRESS_HANDLE) if eaction == EGRESS_REDIRECT])

    def set_token_bucket(self, netns, name, rate, burst, limit):
        """Make (or change) the link's root qdisc a tbf: rate in bytes/s,
        burst and limit in bytes."""
        self.changed()
        self.session(netns).tc('replace', 'tbf', self._index(netns, name), handle=ROOT_HANDLE,
                               rate=rate, burst=burst, limit=limit)

    def delete_root_qdisc(self, netns, name):
        self.changed()
        self.session(netns).tc('del', index=self._index(netns, name), handle=ROOT_HANDLE, parent=TC_H_ROOT)

    def redirect_ingress(self, netns, name, target):
        """Everything link `name` receives goes out of link `target` instead
        (an ingress qdisc, one u32 filter matching all, mirred redirect)."""
        index = self._index(netns, name)
        self.changed()
        session = self.session(netns)
        session.tc('add', 'ingress', index, handle=INGRESS_HANDLE)
        redirect = {'kind': 'mirred', 'direction': 'egress', 'action': 'redirect', 'ifindex': self._index(netns, target)}
        session.tc('add-filter', 'u32', index, parent=INGRESS_HANDLE, protocol=ETH_P_ALL, prio=1, target=ROOT_HANDLE + 1,
                   keys=['0x0/0x0+0'], action=[redirect])

    def delete_ingress_qdisc(self, netns, name):
        """Remove the link's ingress qdisc, and with it its filters."""
        self.changed()
        self.session(netns).tc('del', index=self._index(netns, name), handle=INGRESS_HANDLE, parent=TC_H_INGRESS)

    def add_ifb(self, netns, name, alias):
        """An ifb device, up, marked with `alias`."""
        self.changed()
        session = self.session(netns)
        session.link('add', ifname=name, kind='ifb')
        session.link('set', index=self._index(netns, name), state='up', ifalias=alias)


def _by_link(qdiscs):
    links = {}
    for qdisc in qdiscs:
        link = links.setdefault(qdisc['index'], {'root': None, 'ingress': False})
        if qdisc['parent'] == TC_H_ROOT:
            link['root'] = qdisc
        elif qdisc['parent'] == TC_H_INGRESS:
            link['ingress'] = True
    return links
