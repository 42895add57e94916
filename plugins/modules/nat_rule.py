#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: nat_rule
short_description: Manage MASQUERADE, SNAT, DNAT (published ports) and FORWARD accepts in chains of our own
version_added: 0.1.0
description:
  - Manages NAT and forward rules the way container networks need them, in chains this
    collection owns, so rules of Docker, a firewall or a person are never modified, reordered
    or flushed, and policies are never changed.
  - 'With the iptables backend (O(firewall_backend)), chain layout (fixed names): nat
    C(LINUXNS-POSTROUTING) (jumped from POSTROUTING) holds masquerade and snat rules; nat
    C(LINUXNS-DNAT) (jumped from PREROUTING and OUTPUT for local destinations, so published ports
    work from other machines and from the host itself) holds dnat rules; filter C(LINUXNS-ISOLATION)
    and C(LINUXNS-FORWARD) (jumped from FORWARD, in that order) hold isolation rules and forward
    accepts. Built-in chains get only the jump rule, inserted first, with the comment C(linuxns.net).
    Changed chains are rewritten whole with one C(iptables-restore --noflush --wait) per address
    family, which is atomic; rules are compared structurally with what C(iptables-save) prints, so
    its reordering and added C(-m tcp) never cause a change. A chain left empty is removed with its
    jumps.'
  - 'With the nftables backend, the table C(inet linuxns) of our own: base chains C(nat-postrouting),
    C(nat-prerouting), C(nat-output) and C(filter-forward) hold only jumps, per family, to the
    regular chains C(postrouting4), C(dnat4), C(isolation4), C(forward4) and their C(6) twins,
    which hold the rules. Every change of a task, both families, is one C(nft) transaction; the
    table is deleted when no rule is left.'
  - Every rule carries the comment C(linuxns.net:GROUP[:COMMENT]).
  - Published ports from a container on the same bridge (hairpin) need a masquerade rule with
    a negated O(out_interface) (its hairpin companion rule is added) and hairpin mode on the
    bridge ports (O(linuxns.net.bridge#module:hairpin)).
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.firewall
options:
  kind:
    description:
      - V(masquerade) (C(-j MASQUERADE)), V(snat) (C(-j SNAT --to-source TO)), V(dnat)
        (C(-j DNAT --to-destination TO), publishes O(port)), or V(forward) (accepts traffic
        matching the rule, and its replies and DNAT-ed connections the other way).
      - "Isolation, in the filter chain C(LINUXNS-ISOLATION), which C(FORWARD) jumps to ahead of
        C(LINUXNS-FORWARD): V(isolate) drops the traffic matching the rule (C(-j DROP)) before any
        accept; V(exempt) returns from the chain (C(-j RETURN)), so later V(isolate) rules do not
        see it. V(no_masquerade) returns from C(LINUXNS-POSTROUTING), so later masquerade rules
        keep the source of the traffic it matches."
      - Rules are added in the order given; with O(purge) the group's rules are kept in exactly
        that order, so an V(exempt) or V(no_masquerade) rule works only when listed before the rules
        it exempts from.
      - One rule; use O(rules) for a list.
    type: str
    choices: [masquerade, snat, dnat, forward, isolate, exempt, no_masquerade]
  source:
    description: Source address or network (C(-s)); a leading C(!) negates.
    type: str
  destination:
    description: Destination address or network (C(-d)); a leading C(!) negates.
    type: str
  protocol:
    description: V(tcp), V(udp) or V(sctp). Defaults to V(tcp) for dnat.
    type: str
  port:
    description: Destination port or range C(8000-8010). Required for dnat.
    type: raw
  in_interface:
    description: Input interface (C(-i)); a leading C(!) negates, as on the iptables command line.
    type: str
  out_interface:
    description: Output interface (C(-o)); a leading C(!) negates.
    type: str
  to:
    description:
      - For dnat C(ADDRESS), C(ADDRESS:PORT), C(ADDRESS:PORT-PORT) or C([IPV6]:PORT); for snat an address.
    type: str
  hairpin:
    description:
      - For masquerade with a negated O(out_interface) (C(-s SUBNET ! -o BRIDGE)), also masquerade
        DNAT-ed traffic of the subnet that goes back into the bridge, so a container reaches a
        published port of another container through the host's address.
    type: bool
    default: true
  ctstate:
    description:
      - For V(exempt) only, conntrack states the traffic must be in (C(-m conntrack --ctstate)), e.g.
        V([RELATED, ESTABLISHED, DNAT]) for replies and published ports, not new connections.
      - Any of V(INVALID), V(NEW), V(RELATED), V(ESTABLISHED), V(UNTRACKED), V(SNAT), V(DNAT).
    type: list
    elements: str
  comment:
    description: A label added to the rule's comment (letters, digits, C(._/:@+-)).
    type: str
  family:
    description: V(ipv4) or V(ipv6), for rules without addresses. Otherwise taken from the addresses.
    type: str
    choices: [ipv4, ipv6]
  rules:
    description: >-
      Many rules in one call: each entry takes the options of one rule (O(kind) required),
      checked as strictly, and an error names the entry (C(rules[2].port)).
    type: list
    elements: dict
  group:
    description:
      - The group the rules belong to, written in their comment. O(purge) works per group, so
        several roles or hosts' worth of rules can share the chains.
    type: str
    default: default
  purge:
    description: Make the given rules the exact set of the group; its other rules are removed.
    type: bool
    default: false
  netns:
    description: Named network namespace whose rules to manage; omit for the module's own.
    type: str
  state:
    description: V(present) adds the rules; V(absent) removes them (with O(purge), the whole group).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: linuxns.net.netns
  - module: linuxns.net.bridge
"""

EXAMPLES = r"""
- name: Egress of the container subnet, masqueraded (with hairpin NAT)
  linuxns.net.nat_rule:
    kind: masquerade
    source: 172.18.0.0/24
    out_interface: "!br0"

- name: Publish port 8080 of the host as port 80 of a container
  linuxns.net.nat_rule:
    kind: dnat
    protocol: tcp
    port: 8080
    to: 172.18.0.2:80

- name: The whole rule set of a host in one call, exactly
  linuxns.net.nat_rule:
    group: containers
    purge: true
    rules:
      - {kind: masquerade, source: 172.18.0.0/24, out_interface: "!br0"}
      - {kind: forward, in_interface: br0}
      - {kind: dnat, port: 8080, to: "172.18.0.2:80"}
      - {kind: dnat, protocol: udp, port: 5353, to: "172.18.0.3:53"}

- name: Isolate bridge br1 - nothing new comes in but replies, published ports and its own traffic
  linuxns.net.nat_rule:
    group: br1-isolation
    purge: true
    rules:
      - {kind: exempt, out_interface: br1, ctstate: [RELATED, ESTABLISHED, DNAT]}
      - {kind: exempt, in_interface: br1, out_interface: br1}
      - {kind: exempt, in_interface: br0, out_interface: br1}  # br0's containers may connect
      - {kind: isolate, out_interface: br1}

- name: The same rules in the table inet linuxns, on a host whose nftables forward chain drops by default
  linuxns.net.nat_rule:
    firewall_backend: nftables
    host_firewall: {family: inet, table: filter, chain: forward}
    group: containers
    purge: true
    rules:
      - {kind: masquerade, source: 172.18.0.0/24, out_interface: "!br0"}
      - {kind: forward, in_interface: br0}
      - {kind: dnat, port: 8080, to: "172.18.0.2:80"}

- name: Remove a published port
  linuxns.net.nat_rule:
    kind: dnat
    port: 8080
    to: 172.18.0.2:80
    state: absent
"""

RETURN = r"""
actions:
  description: What the task did (or, in check mode, would do).
  returned: always
  type: list
  elements: str
  sample: ["rewrite chains LINUXNS-DNAT +1 -0 (IPv4)"]
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
firewall_backend:
  description: The backend the rules are in (see O(firewall_backend)).
  returned: always
  type: str
  sample: iptables
added:
  description: "Rules added, as iptables lines (C(-A CHAIN ...)) or, with nftables, C(inet linuxns CHAIN: RULE)."
  returned: always
  type: list
  elements: str
  sample: ["-A LINUXNS-DNAT -p tcp -m comment --comment linuxns.net:default -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80"]
removed:
  description: Rules removed, in the form of RV(added).
  returned: always
  type: list
  elements: str
  sample: []
rules:
  description: One entry per requested rule, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The rule's kind.
      type: str
    family:
      description: V(ipv4) or V(ipv6).
      type: str
    state:
      description: V(present) when all its rules are in place after the task.
      type: str
    backend:
      description: V(iptables) or V(nftables).
      type: str
    rules:
      description:
        - The rules it stands for (a forward or hairpin masquerade rule stands for two with
          iptables, three with nftables, which matches conntrack states and statuses apart).
      type: list
      elements: dict
      contains:
        table:
          description: Table (V(nat), V(filter); V(inet linuxns) with nftables).
          type: str
        chain:
          description: Chain.
          type: str
        rule:
          description: The rule, as an iptables line in normalized form, or as C(nft) prints it.
          type: str
        present:
          description: Whether it is in place.
          type: bool
"""

from ansible_collections.linuxns.net.plugins.module_utils._module import one_or_many_module, run_module
from ansible_collections.linuxns.net.plugins.module_utils._nat import NatResource
from ansible_collections.linuxns.net.plugins.module_utils._options import FIREWALL

RULE = dict(
    kind=dict(type='str', choices=['masquerade', 'snat', 'dnat', 'forward', 'isolate', 'exempt', 'no_masquerade']),
    source=dict(type='str'),
    destination=dict(type='str'),
    protocol=dict(type='str'),
    port=dict(type='raw'),
    in_interface=dict(type='str'),
    out_interface=dict(type='str'),
    to=dict(type='str'),
    hairpin=dict(type='bool', default=True),
    ctstate=dict(type='list', elements='str'),
    comment=dict(type='str'),
    family=dict(type='str', choices=['ipv4', 'ipv6']),
)


def main():
    module, entries = one_or_many_module(RULE, 'rules', key='kind', exclusive=False, module_options=dict(
        group=dict(type='str', default='default'),
        purge=dict(type='bool', default=False),
        netns=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        **FIREWALL
    ))
    run_module(module, NatResource, 'rules', entries)


if __name__ == '__main__':
    main()
