# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The netlink seam's flood lists: the remote VTEPs a vxlan device sends
broadcast, unknown unicast and multicast to (its permanent all-zero-MAC
forwarding entries), which is how one device reaches many hosts without
multicast.

A part of NetlinkSeam (see _netlink), which provides the core it uses:
session(), changed() and _index().
"""

_ZERO_MAC = '00:00:00:00:00:00'
_NUD_PERMANENT = 0x80


class FloodListMixin:

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
