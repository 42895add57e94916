# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options several modules share, declared once, and the list forms
derived from them.

Each group here is an Ansible argument spec; the doc fragment of the same
name (plugins/doc_fragments/) documents it, and tests/unit/test_options.py
fails when the two drift.  A module that manages one object with its
top-level options or many with a list (veth `pairs`, bridge `bridges`...)
declares the options of one object once and gets both forms from
one_or_many(); _module.run_module validates each list entry against the same
declaration, so the documentation describes the entry options once, at the
top level.

Pure data, no Ansible import.
"""

import copy

# Every link module (veth and its peer, bridge, vxlan): doc fragment `link`.
LINK = dict(
    netns=dict(type='str'),
    addresses=dict(type='list', elements='str'),
    purge_addresses=dict(type='bool', default=True),
    mtu=dict(type='int'),
    mac=dict(type='str'),
    txqueuelen=dict(type='int'),
)

# The limits of a cgroup (cgroup_limit, container_network's containers[].limits):
# doc fragment `limits`.
LIMIT_OPTIONS = dict(
    cpu=dict(type='str'),
    cpu_period=dict(type='int'),
    cpu_weight=dict(type='int'),
    memory=dict(type='str'),
    memory_swap=dict(type='str'),
    pids_max=dict(type='str'),
    cpuset_cpus=dict(type='str'),
)

# A VXLAN device's own options (vxlan; container_network's `vxlan`, with
# LINK's addresses and mtu), documented by the vxlan module.
VXLAN = dict(
    vni=dict(type='int'),
    local=dict(type='str'),
    dev=dict(type='str'),
    port=dict(type='int', default=4789),
    learning=dict(type='bool', default=True),
    peers=dict(type='list', elements='str'),
)

# A route (netns_route; container_network's `routes`, main table only),
# documented by netns_route.
ROUTE = dict(
    netns=dict(type='str'),
    dst=dict(type='str'),
    gateway=dict(type='str'),
    dev=dict(type='str'),
    metric=dict(type='int'),
    table=dict(type='raw', default='main'),
    scope=dict(type='raw'),
    src=dict(type='str'),
    onlink=dict(type='bool', default=False),
)

# What a network namespace has of its own (netns; container_network's
# containers[]): net.* sysctls, and the resolv.conf and hosts that `ip netns
# exec` bind-mounts; documented by the netns module.
DNS = dict(
    nameservers=dict(type='list', elements='str'),
    search=dict(type='list', elements='str'),
    options=dict(type='list', elements='str'),
)
HOST_ENTRY = dict(
    address=dict(type='str', required=True),
    names=dict(type='list', elements='str', required=True),
)
NAMESPACE = dict(
    sysctls=dict(type='dict'),
    dns=dict(type='dict', options=DNS),
    hosts=dict(type='list', elements='dict', options=HOST_ENTRY),
)

# One group of netns's namespaces: its names and their files.
NAMESPACE_GROUP = dict(
    name=dict(type='list', elements='str', required=True, aliases=['namespaces']),
    dns=NAMESPACE['dns'],
    hosts=NAMESPACE['hosts'],
)

# A container's bandwidth limits (container_network's containers[].bandwidth),
# documented by container_network.
BANDWIDTH = dict(
    ingress_rate=dict(type='str'),
    ingress_burst=dict(type='str'),
    egress_rate=dict(type='str'),
    egress_burst=dict(type='str'),
)

FIREWALL = dict(  # doc_fragments/firewall.py documents these
    firewall_backend=dict(type='str', choices=['auto', 'iptables', 'nftables'], default='auto'),
    host_firewall=dict(type='dict', options=dict(
        family=dict(type='str', choices=['ip', 'ip6', 'inet'], default='inet'),
        table=dict(type='str', required=True),
        chain=dict(type='str', required=True),
        input_chain=dict(type='str'))),
)

LINK_STATE = dict(type='str', choices=['present', 'up', 'down', 'absent'], default='present')


def pick(group, *names):
    """The options `names` of `group`, e.g. a veth peer's link options."""
    return dict((name, copy.deepcopy(group[name])) for name in names)


def one_or_many(entry, list_key, key='name', nested=None):
    """(argument_spec, entries) of a module that manages one object with the
    options in `entry` at the top level, or many with `list_key`, a list whose
    entries take the same options (`key` required there).

    `entries` maps paths to the spec each dict there is checked against (see
    _module.run_module): the list's entries, and `nested` ({option: spec}),
    dict options of `entry` (veth's `peer`) checked the same way at the top
    level and in each entry.  To Ansible these are plain dicts, so their
    options are documented once, at the top level."""
    nested = nested or {}
    argument_spec = copy.deepcopy(entry)
    argument_spec[list_key] = dict(type='list', elements='dict')
    one = copy.deepcopy(entry)
    one[key] = dict(one[key], required=True)
    entries = dict(nested)
    entries[list_key + '[]'] = one
    entries.update(('%s[].%s' % (list_key, option), spec) for option, spec in nested.items())
    return argument_spec, entries
