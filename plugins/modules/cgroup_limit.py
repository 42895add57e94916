#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: cgroup_limit
short_description: Limit the CPU, memory and pids of a container's processes, on cgroup v1 and v2
version_added: 0.1.0
description:
  - Creates a cgroup below a managed parent, sets its limits and moves processes into it, with
    one set of options for cgroup v1, v2 and hybrid layouts. Each controller is used from v2
    when v2 offers it, else from its v1 hierarchy.
  - On v2 the needed controllers are enabled in the ancestors' C(cgroup.subtree_control); on v1
    the group is created in each hierarchy it needs.
  - A limit whose controller the host does not offer fails with a clear error; it is never
    skipped silently.
  - Manage one group with the top-level options, or many in one call with O(groups).
  - Options not given are left as they are. Values are compared as the kernel reports them
    (memory in whole pages, V(max) for no limit, v1 C(cpu.shares) converted to weight).
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.limits
options:
  name:
    description:
      - Path of the group below O(parent), e.g. V(web) or V(tenant1/web). No C(..), no absolute path.
      - Required unless O(groups) is given.
    type: str
  parent:
    description:
      - The managed parent every group of this collection lives under, e.g. V(linuxns) or V(linuxns/host1).
      - Each directory of it this module creates is marked as ours (an extended attribute
        C(trusted.linuxns.net)); removing its last group removes it too, and on cgroup v2 stops
        handing down the controllers enabled for it. A parent someone else made is never removed.
      - Each part of O(parent) and O(name) has letters, digits and C(_.-) only, and starts with a
        letter or digit.
    type: str
    default: linuxns
  state:
    description:
      - V(present) creates the group and applies the limits; V(absent) removes it, after moving
        its processes to O(parent) (see O(members_on_remove)). A missing group is not an error.
      - Removing the last group of a parent this collection made removes that parent as well
        (and its processes then move to the nearest ancestor that stays).
    type: str
    choices: [present, absent]
    default: present
  processes:
    description: Pids to move into the group.
    type: list
    elements: int
  netns:
    description:
      - Move every process running inside this named network namespace into the group, so
        limiting a container is one task.
    type: str
  members_on_remove:
    description:
      - With O(state=absent), V(move) the group's processes to O(parent), or V(fail).
      - On cgroup v2 a group that hands controllers down to its children cannot hold processes
        (the kernel's no-internal-processes rule), so they move to the nearest ancestor of O(parent)
        that can, at worst the root cgroup.
    type: str
    choices: [move, fail]
    default: move
  groups:
    description: >-
      Many groups in one call, instead of O(name): each entry takes the options of one group
      (O(name) required; O(parent) and O(members_on_remove) come from the top level), checked as
      strictly, and an error names the entry (C(groups[2].memory)).
    type: list
    elements: dict
notes:
  - cgroups are global to the host, not per network namespace.
seealso:
  - module: linuxns.net.netns
"""

EXAMPLES = r"""
- name: Limit container web to half a CPU, 128 MiB and 100 processes
  linuxns.net.cgroup_limit:
    name: web
    cpu: 0.5
    memory: 128M
    pids_max: 100
    netns: web

- name: Weight and CPU pinning for a batch container
  linuxns.net.cgroup_limit:
    name: batch
    cpu_weight: 50
    cpuset_cpus: "1"
    processes: [4242]

- name: Every container of a host in one task
  linuxns.net.cgroup_limit:
    parent: linuxns/host1
    groups:
      - {name: web, netns: web, cpu: 0.5, memory: 128M}
      - {name: db, netns: db, memory: 1G, pids_max: 200}

- name: Remove the group (its processes move to the parent)
  linuxns.net.cgroup_limit:
    name: web
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["create cgroup linuxns/web (memory)", "set memory of linuxns/web to 128M (was max)"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
cgroups:
  description: The groups after the task, one entry per group in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Path below the hierarchy root.
      type: str
      sample: linuxns/web
    version:
      description: V(v1), V(v2), or V(hybrid) when its controllers come from both.
      type: str
    paths:
      description: The group's directories.
      type: list
      elements: str
    state:
      description: V(present) or V(absent).
      type: str
    cpu:
      description: CPU quota in CPUs, or V(max).
      type: raw
    cpu_period:
      description: Quota period in microseconds.
      type: int
    cpu_weight:
      description: CPU weight (v2 scale).
      type: int
    memory:
      description: Memory limit, e.g. V(128M), or V(max).
      type: str
    memory_swap:
      description: Swap on top of memory, or V(max); V(null) where swap accounting is off.
      type: str
    pids_max:
      description: Process limit, or V(max).
      type: raw
    cpuset_cpus:
      description: Allowed CPUs.
      type: str
    members:
      description: Pids in the group.
      type: list
      elements: int
"""

from ansible_collections.linuxns.net.plugins.module_utils._cgroup import CgroupResource
from ansible_collections.linuxns.net.plugins.module_utils._module import one_or_many_module, run_module
from ansible_collections.linuxns.net.plugins.module_utils._options import LIMIT_OPTIONS

GROUP = dict(
    LIMIT_OPTIONS,
    name=dict(type='str'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    processes=dict(type='list', elements='int'),
    netns=dict(type='str'),
)


def main():
    module, entries = one_or_many_module(GROUP, 'groups', module_options=dict(
        parent=dict(type='str', default='linuxns'),
        members_on_remove=dict(type='str', choices=['move', 'fail'], default='move'),
    ))
    run_module(module, CgroupResource, 'cgroups', entries)


if __name__ == '__main__':
    main()
