#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: netns
short_description: Manage named Linux network namespaces
version_added: 0.1.0
description:
  - Creates, adopts and removes named network namespaces, the files under C(/run/netns) that
    C(ip netns) uses, so every tool that knows C(ip netns) sees them.
  - New namespaces are made without forking and get C(lo) up. The name of a running process's
    namespace can be bound, like C(ip netns attach NAME PID), e.g. to manage the network of a
    Docker container.
  - Names are matched exactly; C(ns1) never matches C(ns10).
  - A name left behind by an interrupted run (a mount point without a namespace) is repaired.
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.attributes.netlink
options:
  name:
    description:
      - Name of the namespace, or a list of names managed alike in one call.
      - Required unless O(namespaces) is given.
      - 1 to 64 characters, letters, digits and C(_.-) only, starting with a letter or digit (what
        Docker allows for container names) - names end up in file paths and in shell commands
        such as C(ip netns exec NAME), so nothing else is accepted.
    type: list
    elements: str
  namespaces:
    description:
      - Groups of namespaces that get different files, all in one call - as many tasks of O(name),
        O(dns) and O(hosts), one per group, would do; the other options apply to every group.
      - Instead of O(name), O(dns) and O(hosts). A name may be in one group only.
    type: list
    elements: dict
    suboptions:
      name:
        description: The group's namespace names, as O(name).
        type: list
        elements: str
        required: true
        aliases: [namespaces]
      dns:
        description: The group's C(resolv.conf), as O(dns).
        type: dict
        suboptions:
          nameservers:
            description: Name server addresses, at most three.
            type: list
            elements: str
          search:
            description: Search domains.
            type: list
            elements: str
          options:
            description: Resolver options.
            type: list
            elements: str
      hosts:
        description: The group's hosts entries, as O(hosts).
        type: list
        elements: dict
        suboptions:
          address:
            description: The address.
            type: str
            required: true
          names:
            description: Its host names.
            type: list
            elements: str
            required: true
  state:
    description:
      - V(present) makes sure the names exist; V(absent) removes them.
      - Removing a name is what C(ip netns delete) does. The namespace itself, with its
        interfaces, ends when no process uses it any more.
      - Removing a name that does not exist is not an error.
    type: str
    choices: [present, absent]
    default: present
  pid:
    description:
      - Bind O(name) to the network namespace of this running process instead of creating
        a new one (adopt it), like C(ip netns attach NAME PID).
      - Needs exactly one O(name) and O(state=present).
    type: int
  rebind:
    description:
      - With O(pid), re-point a name that is already bound to a different namespace.
      - Without it such a request fails before any change.
    type: bool
    default: false
  loopback:
    description:
      - State of C(lo) inside the namespaces.
      - When not set, C(lo) is brought up in namespaces this task creates and left as it is
        in existing ones. Set it to enforce a state everywhere, or to V(down) to create
        namespaces with C(lo) down.
    type: str
    choices: [up, down]
  forwarding:
    description:
      - Turn IPv4 and IPv6 forwarding on or off inside the namespaces
        (C(net.ipv4.ip_forward) and C(net.ipv6.conf.all.forwarding)).
      - When not set, forwarding is left as it is. The previous values are returned in
        RV(namespaces[].forwarding_before) so they can be restored.
    type: bool
  sysctls:
    description:
      - Sysctls inside the namespaces, by name, e.g. C(net.ipv4.conf.all.rp_filter) V(2) or
        C(net.ipv6.conf.all.disable_ipv6) V(1). Only C(net.*) sysctls belong to a network
        namespace; others are refused. Where an interface name has dots, name it with slashes,
        as C(sysctl) takes it (C(net/ipv4/conf/eth0.5/rp_filter)).
      - Values are compared as the kernel prints them. A name the namespace does not have fails
        before any change. Sysctls not named are left alone, and the previous values are in the
        diff and the actions.
    type: dict
  dns:
    description:
      - The namespaces' C(/etc/netns/NAME/resolv.conf), which C(ip netns exec NAME) shows its
        commands as C(/etc/resolv.conf), written whole. Removed with the namespace.
    type: dict
    suboptions:
      nameservers:
        description: Name server addresses, at most three (the resolver reads no more).
        type: list
        elements: str
      search:
        description: Search domains.
        type: list
        elements: str
      options:
        description: Resolver options, e.g. V(ndots:2), V(edns0).
        type: list
        elements: str
  hosts:
    description:
      - The namespaces' C(/etc/netns/NAME/hosts) (seen as C(/etc/hosts) under
        C(ip netns exec)), written whole - the C(localhost) lines and these entries; V([]) for
        the C(localhost) lines alone. Removed with the namespace.
    type: list
    elements: dict
    suboptions:
      address:
        description: The address.
        type: str
        required: true
      names:
        description: Its host names.
        type: list
        elements: str
        required: true
seealso:
  - name: ip-netns(8)
    description: The iproute2 command whose namespaces this module manages.
    link: https://man7.org/linux/man-pages/man8/ip-netns.8.html
"""

EXAMPLES = r"""
- name: Create three container namespaces in one call
  linuxns.net.netns:
    name: [web1, web2, db1]

- name: Create a router namespace with forwarding on
  linuxns.net.netns:
    name: router
    forwarding: true

- name: Name the network namespace of a running Docker container
  linuxns.net.netns:
    name: web
    pid: "{{ container_info.container.State.Pid }}"

- name: Point the name at the container again after it was restarted
  linuxns.net.netns:
    name: web
    pid: "{{ container_info.container.State.Pid }}"
    rebind: true

- name: A container's own sysctls, name servers and hosts
  linuxns.net.netns:
    name: web
    sysctls:
      net.ipv4.conf.all.rp_filter: 2
      net.ipv4.ip_local_port_range: 20000 40000
    dns:
      nameservers: [10.96.0.10]
      search: [lab.internal]
      options: [ndots:2]
    hosts:
      - {address: 10.244.1.3, names: [db, db.lab.internal]}

- name: Different hosts files for two groups of containers, in one call
  linuxns.net.netns:
    namespaces:
      - name: [web1, web2]
        hosts: [{address: 10.244.1.4, names: [db1]}]
      - name: [db1]
        hosts: []

- name: Remove namespaces (no error if they are already gone)
  linuxns.net.netns:
    name: [web1, web2, db1]
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["create network namespace web1 (lo up)", "turn forwarding on in network namespace web1"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
namespaces:
  description: One entry per requested name, in the order given (with O(namespaces), group by group).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The namespace name.
      type: str
      sample: web1
    state:
      description: Whether the name exists after the task.
      type: str
      sample: present
    existed:
      description: Whether the name was bound to a namespace before the task.
      type: bool
      sample: false
    action:
      description: What happened to this name.
      type: str
      sample: created
      choices: [created, adopted, rebound, removed, updated, unchanged]
    id:
      description:
        - Inode number of the namespace (as shown by C(lsns -t net)).
        - V(null) in check mode for a namespace that does not exist yet.
      type: int
      sample: 4026532577
    lo:
      description: State of C(lo) inside the namespace.
      type: str
      sample: up
    owned:
      description: Whether this collection created the namespace (adopted ones are not owned).
      type: bool
      sample: true
    forwarding:
      description:
        - IPv4 and IPv6 forwarding inside the namespace after the task.
        - A value is V(null) when it cannot be known yet (check mode, new namespace) or
          does not exist (IPv6 disabled).
      type: dict
      sample: {"ipv4": true, "ipv6": false}
    forwarding_before:
      description: Forwarding before the task, to restore it later; V(null) for a new name.
      type: dict
      sample: {"ipv4": false, "ipv6": false}
    sysctls:
      description: The sysctls named in O(sysctls) after the task (V(null) where not known yet, in check mode).
      type: dict
      sample: {"net.ipv4.conf.all.rp_filter": "2"}
    files:
      description: Whether the namespace's C(resolv.conf) and C(hosts) exist under C(/etc/netns/NAME) after the task.
      type: dict
      sample: {"resolv.conf": true, "hosts": false}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.linuxns.net.plugins.module_utils._module import run_module
from ansible_collections.linuxns.net.plugins.module_utils._netns import NetnsResource
from ansible_collections.linuxns.net.plugins.module_utils._options import NAMESPACE, NAMESPACE_GROUP


def main():
    module = AnsibleModule(
        argument_spec=dict(
            NAMESPACE,
            name=dict(type='list', elements='str'),
            namespaces=dict(type='list', elements='dict', options=NAMESPACE_GROUP),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            pid=dict(type='int'),
            rebind=dict(type='bool', default=False),
            loopback=dict(type='str', choices=['up', 'down']),
            forwarding=dict(type='bool'),
        ),
        required_one_of=[('name', 'namespaces')],
        mutually_exclusive=[('namespaces', 'name'), ('namespaces', 'dns'), ('namespaces', 'hosts')],
        supports_check_mode=True,
    )
    run_module(module, NetnsResource, 'namespaces')


if __name__ == '__main__':
    main()
