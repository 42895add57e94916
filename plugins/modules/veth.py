#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: veth
short_description: Manage veth pairs across network namespaces, with addresses and bridge ports
version_added: 0.1.0
description:
  - Creates, changes and deletes veth pairs. Each end has its own namespace, addresses,
    MTU, MAC, up/down state and optional bridge (master).
  - The peer is created directly in its namespace under its final name; nothing is moved or
    renamed, so an interrupted run leaves no half-made pair.
  - An existing pair that differs in addresses, MTU, MAC, state or bridge is changed in place.
    A pair whose peer is not the requested one is recreated only with O(recreate=true).
  - An interface of that name that is not a veth (a physical NIC, a bridge) is never touched.
  - Manage one pair with the top-level options, or many in one call with O(pairs).
  - The top-level O(netns), O(addresses), O(mtu) and O(mac) are those of this end; the peer's
    are under O(peer). O(purge_addresses) applies to both ends.
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.attributes.netlink
  - linuxns.net.link
options:
  name:
    description:
      - Name of this end (1 to 15 bytes, no C(/), C(:) or whitespace).
      - Required unless O(pairs) is given.
    type: str
  bridge:
    description: Bridge (in the same namespace) this end is a port of.
    type: str
  state:
    description:
      - V(present) or V(up) make sure the pair exists with both ends up; V(down) with both ends
        down (the peer's own C(state) wins); V(absent) deletes the pair.
      - Deleting either end removes both. A missing namespace on V(absent) is not an error.
    type: str
    choices: [present, up, down, absent]
    default: present
  recreate:
    description:
      - Delete and recreate ends that exist but are not paired as requested (wrong peer name or
        namespace). Without it such a pair fails before any change, saying what differs.
    type: bool
    default: false
  peer:
    description:
      - The other end. It takes the link options of this end, checked as strictly - O(name) is
        required, O(bridge) is in the peer's namespace, O(state) is V(up) or V(down) and defaults
        to the pair's; O(purge_addresses) and O(recreate) are the pair's.
      - Required unless O(pairs) is given or O(state=absent). With O(state=absent) it may be left
        out - the pair is found, and deleted, by this end's name alone, as C(ip link del) does.
    type: dict
  pairs:
    description: >-
      Many pairs in one call, instead of O(name): each entry takes the options of one pair (O(name)
      required), checked as strictly, and an error names the entry (C(pairs[2].peer)).
    type: list
    elements: dict
seealso:
  - module: linuxns.net.netns
  - module: linuxns.net.bridge
"""

EXAMPLES = r"""
- name: Connect container ns1 to bridge br0
  linuxns.net.veth:
    name: veth2
    bridge: br0
    peer:
      name: eth0
      netns: ns1
      addresses: [172.18.0.2/24]

- name: A bare pair between the host and a namespace
  linuxns.net.veth:
    name: veth-host
    addresses: [192.168.50.2/24]
    peer:
      name: veth-ns
      netns: ns1
      addresses: [192.168.50.3/24]

- name: Several containers in one task
  linuxns.net.veth:
    pairs:
      - name: veth-web
        bridge: br0
        peer: {name: eth0, netns: web, addresses: [172.18.0.2/24]}
      - name: veth-db
        bridge: br0
        peer: {name: eth0, netns: db, addresses: [172.18.0.3/24]}

- name: Two bridges joined by a veth pair
  linuxns.net.veth:
    name: veth7
    bridge: br0
    peer:
      name: veth8
      bridge: br1

- name: Delete a pair (this end's name is enough, as with ip link del)
  linuxns.net.veth:
    name: veth2
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["create veth pair veth2 in the host namespace with peer eth0 in namespace ns1"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
pairs:
  description: One entry per pair, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of this end.
      type: str
    netns:
      description: Namespace of this end (V(null) for the module's own).
      type: str
    action:
      description: What happened to the pair.
      type: str
      choices: [created, recreated, updated, deleted, unchanged]
    end:
      description:
        - This end after the task. V(null) values are not known yet (check mode).
        - Keys C(name), C(netns), C(state) (V(present)/V(absent)), and when present C(kind), C(index),
          C(peer_index), C(mtu), C(mac), C(txqueuelen), C(master), C(addresses), C(owned) and C(peer) (C(name),
          C(netns)).
      type: dict
      sample: {"name": "veth2", "netns": null, "index": 3, "peer_index": 2, "mtu": 1500, "txqueuelen": 1000,
               "mac": "4e:c4:89:9c:90:83", "master": "br0", "addresses": [], "owned": true,
               "peer": {"name": "eth0", "netns": "ns1"}, "kind": "veth", "state": "present"}
    peer:
      description: The peer end, like RV(pairs[].end).
      type: dict
"""

from ansible_collections.linuxns.net.plugins.module_utils._module import one_or_many_module, run_module
from ansible_collections.linuxns.net.plugins.module_utils._options import LINK, LINK_STATE
from ansible_collections.linuxns.net.plugins.module_utils._veth import VethResource

# the other end: this end's options but O(purge_addresses), which is the pair's
PEER = dict(
    dict((option, spec) for option, spec in LINK.items() if option != 'purge_addresses'),
    name=dict(type='str', required=True),
    bridge=dict(type='str'),
    state=dict(type='str', choices=['up', 'down']),
)

PAIR = dict(
    LINK,
    name=dict(type='str'),
    bridge=dict(type='str'),
    state=LINK_STATE,
    recreate=dict(type='bool', default=False),
    peer=dict(type='dict'),
)


def main():
    module, entries = one_or_many_module(PAIR, 'pairs', nested={'peer': PEER})
    run_module(module, VethResource, 'pairs', entries)


if __name__ == '__main__':
    main()
