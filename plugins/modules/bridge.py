#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: bridge
short_description: Manage Linux bridges, their gateway addresses and ports
version_added: 0.1.0
description:
  - Creates, changes and deletes Linux bridges in the module's namespace or a named one -
    addresses (the containers' gateway), MTU, STP, forward delay, ports and hairpin mode.
  - A device of that name that is not a bridge is never touched.
  - Deleting a bridge releases its ports and never deletes them. A bridge that has ports this
    collection did not create (and that are not listed in O(ports)) is deleted only with
    O(force=true).
  - Manage one bridge with the top-level options, or many in one call with O(bridges).
  - When O(mtu) or O(mac) is not set, the kernel derives them from the ports.
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.attributes.netlink
  - linuxns.net.link
options:
  name:
    description:
      - Name of the bridge (1 to 15 bytes, no C(/), C(:) or whitespace).
      - Required unless O(bridges) is given.
    type: str
  state:
    description:
      - V(present) or V(up) make sure the bridge exists and is up; V(down) that it exists and is
        down; V(absent) deletes it.
    type: str
    choices: [present, up, down, absent]
    default: present
  stp:
    description: Spanning tree on or off. New bridges have it off.
    type: bool
  forward_delay:
    description: Forward delay in seconds (0-30; 2-30 with STP on). New bridges get the kernel's 15.
    type: float
  ports:
    description:
      - Interfaces (in the same namespace) that must be ports of the bridge.
      - Ports not listed are kept unless O(purge_ports=true).
    type: list
    elements: str
  purge_ports:
    description: With O(ports), release every port that is not listed (the interfaces are kept).
    type: bool
    default: false
  hairpin:
    description:
      - Ports that get hairpin mode, so traffic can leave through the port it came in on
        (needed to reach a published port of a container from the same bridge).
    type: list
    elements: str
  force:
    description: With O(state=absent), delete the bridge even if it has foreign ports.
    type: bool
    default: false
  bridges:
    description: >-
      Many bridges in one call, instead of O(name): each entry takes the options of one bridge
      (O(name) required), checked as strictly, and an error names the entry (C(bridges[2].mtu)).
    type: list
    elements: dict
seealso:
  - module: linuxns.net.veth
  - module: linuxns.net.netns
"""

EXAMPLES = r"""
- name: A container bridge with its gateway
  linuxns.net.bridge:
    name: br0
    addresses: [172.18.0.1/24]

- name: Two bridges inside a router namespace
  linuxns.net.bridge:
    bridges:
      - {name: br0, netns: router, addresses: [10.0.0.1/24]}
      - {name: br1, netns: router, addresses: [10.0.1.1/24], stp: true, forward_delay: 4}

- name: Exactly these ports, hairpin on the first
  linuxns.net.bridge:
    name: br0
    ports: [veth2, veth4]
    purge_ports: true
    hairpin: [veth2]

- name: Delete the bridge (its ports are kept)
  linuxns.net.bridge:
    name: br0
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["create bridge br0 in the host namespace", "add address 172.18.0.1/24 to br0 in the host namespace"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
bridges:
  description: One entry per bridge, in the order given. V(null) values are not known yet (check mode).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Bridge name.
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
      choices: [created, updated, deleted, unchanged]
    index:
      description: Interface index.
      type: int
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
    stp:
      description: Spanning tree state.
      type: bool
    forward_delay:
      description: Forward delay in seconds.
      type: float
    ports:
      description: Names of the ports.
      type: list
      elements: str
    hairpin:
      description: Ports with hairpin mode on.
      type: list
      elements: str
    owned:
      description: Whether this collection created the bridge.
      type: bool
"""

from ansible_collections.linuxns.net.plugins.module_utils._bridge import BridgeResource
from ansible_collections.linuxns.net.plugins.module_utils._module import one_or_many_module, run_module
from ansible_collections.linuxns.net.plugins.module_utils._options import LINK, LINK_STATE

BRIDGE = dict(
    LINK,
    name=dict(type='str'),
    state=LINK_STATE,
    stp=dict(type='bool'),
    forward_delay=dict(type='float'),
    ports=dict(type='list', elements='str'),
    purge_ports=dict(type='bool', default=False),
    hairpin=dict(type='list', elements='str'),
    force=dict(type='bool', default=False),
)


def main():
    module, entries = one_or_many_module(BRIDGE, 'bridges')
    run_module(module, BridgeResource, 'bridges', entries)


if __name__ == '__main__':
    main()
