#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: vxlan
short_description: Manage VXLAN devices and their peers (an overlay between hosts)
version_added: 0.1.0
description:
  - Creates, changes and deletes VXLAN devices in the module's namespace or a named one, with
    a static flood list of remote VTEPs (O(peers)), so that hosts that only reach each other
    over IP (any L3 network) share one L2 overlay without multicast.
  - Each peer is a permanent all-zero-MAC forwarding entry, like
    C(bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst PEER). Broadcast and unknown unicast
    go to every peer; with O(learning) on, the device learns which peer holds which MAC.
  - O(vni), O(local), O(port) and O(dev) are fixed when the device is made (the kernel refuses
    to change them); a device that differs is an error unless O(recreate=true).
  - Addresses, MTU, MAC, state and bridge membership work as for the other link modules. The
    kernel sets a new device's MTU to the underlay's minus 50 when O(dev) is given; set O(mtu)
    to be exact.
  - A device of that name that is not a VXLAN device is never touched.
  - Manage one device with the top-level options, or many in one call with O(devices).
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.attributes.netlink
  - linuxns.net.link
options:
  name:
    description:
      - Name of the VXLAN device (1 to 15 bytes, no C(/), C(:) or whitespace).
      - Required unless O(devices) is given.
    type: str
  state:
    description:
      - V(present) or V(up) make sure the device exists and is up; V(down) that it exists and is
        down; V(absent) deletes it.
    type: str
    choices: [present, up, down, absent]
    default: present
  vni:
    description: VXLAN network identifier (1-16777215). Required unless O(state=absent).
    type: int
  local:
    description: Underlay source address of the tunnel (IPv4 or IPv6).
    type: str
  dev:
    description: Underlay interface the tunnel runs over.
    type: str
  port:
    description: UDP destination port.
    type: int
    default: 4789
  learning:
    description: Learn which peer holds which MAC from the traffic received.
    type: bool
    default: true
  peers:
    description:
      - Underlay addresses of the remote VTEPs (same family as O(local)).
      - The exact flood list wanted; other peers are removed unless O(purge_peers=false).
        When not given, the flood list is left alone.
    type: list
    elements: str
  purge_peers:
    description: Remove peers not listed in O(peers). Set V(false) to only add.
    type: bool
    default: true
  bridge:
    description: Bridge (in the same namespace) the device is a port of, for an L2 overlay.
    type: str
  recreate:
    description: Delete and recreate the device when O(vni), O(local), O(port) or O(dev) differ.
    type: bool
    default: false
  devices:
    description: >-
      Many devices in one call, instead of O(name): each entry takes the options of one device
      (O(name) required), checked as strictly, and an error names the entry (C(devices[2].vni)).
    type: list
    elements: dict
seealso:
  - module: linuxns.net.netns_route
  - module: linuxns.net.bridge
"""

EXAMPLES = r"""
- name: An L3 overlay between three hosts (flannel-style), on host 198.51.100.11
  linuxns.net.vxlan:
    name: lnsvx0
    vni: 1
    local: 198.51.100.11
    dev: eth0
    mtu: 1450
    addresses: [10.244.1.0/32]
    peers: [198.51.100.12, 198.51.100.13]

- name: Route a peer's container subnet through the overlay
  linuxns.net.netns_route:
    dst: 10.244.2.0/24
    gateway: 10.244.2.0
    dev: lnsvx0
    onlink: true

- name: An L2 overlay - the device as a port of the container bridge
  linuxns.net.vxlan:
    name: vx100
    vni: 100
    local: 198.51.100.11
    bridge: cbr0
    peers: [198.51.100.12]

- name: Delete it
  linuxns.net.vxlan:
    name: vx100
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["create vxlan lnsvx0 in the host namespace (vni 1, udp port 4789, local 198.51.100.11, over eth0)",
           "add peer 198.51.100.12 to the flood list of vxlan lnsvx0 in the host namespace"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
devices:
  description: One entry per device, in the order given. V(null) values are not known yet (check mode).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Device name.
      type: str
    netns:
      description: Its namespace (V(null) for the module's own).
      type: str
    state:
      description: V(present) or V(absent) after the task.
      type: str
    action:
      description: What happened.
      type: str
      choices: [created, recreated, updated, deleted, unchanged]
    index:
      description: Interface index.
      type: int
    vni:
      description: VXLAN network identifier.
      type: int
    local:
      description: Underlay source address.
      type: str
    dev:
      description: Underlay interface.
      type: str
    port:
      description: UDP destination port.
      type: int
    learning:
      description: Whether MAC learning is on.
      type: bool
    peers:
      description: The flood list (remote VTEP addresses).
      type: list
      elements: str
    mtu:
      description: MTU.
      type: int
    mac:
      description: MAC address.
      type: str
    txqueuelen:
      description: Transmit queue length.
      type: int
    addresses:
      description: Addresses (IPv6 link-local left out).
      type: list
      elements: str
    master:
      description: The bridge it is a port of, if any.
      type: str
    owned:
      description: Whether this collection created the device.
      type: bool
"""

from ansible_collections.linuxns.net.plugins.module_utils._module import one_or_many_module, run_module
from ansible_collections.linuxns.net.plugins.module_utils._options import LINK, LINK_STATE, VXLAN
from ansible_collections.linuxns.net.plugins.module_utils._vxlan import VxlanResource

DEVICE = dict(
    LINK,
    **VXLAN,
    name=dict(type='str'),
    state=LINK_STATE,
    purge_peers=dict(type='bool', default=True),
    bridge=dict(type='str'),
    recreate=dict(type='bool', default=False),
)


def main():
    module, entries = one_or_many_module(DEVICE, 'devices')
    run_module(module, VxlanResource, 'devices', entries)


if __name__ == '__main__':
    main()
