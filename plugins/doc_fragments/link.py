# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:

    # Options every link module (veth and its peer, bridge, vxlan) shares: declared once as LINK in
    # _options.py and validated by LinkEnd in _link_specs.py.
    DOCUMENTATION = r"""
options:
  netns:
    description:
      - Named network namespace of the interface; omit for the namespace the module runs in.
      - A name as M(linuxns.net.netns) accepts it (letters, digits and C(_.-), 1 to 64 characters).
    type: str
  addresses:
    description:
      - Addresses with prefix length, IPv4 or IPv6, e.g. C(172.18.0.1/24).
      - The exact set wanted; others are removed unless O(purge_addresses=false).
        IPv6 link-local addresses are always left alone.
    type: list
    elements: str
  purge_addresses:
    description: Remove addresses not listed in O(addresses). Set V(false) to only add.
    type: bool
    default: true
  mtu:
    description: MTU of the interface (68-65535).
    type: int
  mac:
    description: Unicast MAC address of the interface.
    type: str
  txqueuelen:
    description: Length of the interface's transmit queue, in packets (C(ip link set ... txqueuelen)).
    type: int
"""
