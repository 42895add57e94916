# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:

    # The packet-filter options (module_utils/_options.py FIREWALL mirrors them).
    DOCUMENTATION = r"""
options:
  firewall_backend:
    description:
      - Where the rules go. V(iptables) writes chains of our own (C(LINUXNS-*)) jumped from the
        built-in chains, with C(iptables-restore --noflush) per address family. V(nftables) writes
        the table C(inet linuxns) of our own, both families in one C(nft) transaction.
      - V(auto) follows the host's own firewall, so that our accepts are evaluated where its drops
        are. iptables-legacy rules or policies on the host -> V(iptables) with the legacy tools;
        iptables rules in nf_tables (Docker, ufw, netfilter-persistent) -> V(iptables); a native
        nftables ruleset (its own tables, firewalld's included) -> V(nftables); otherwise the
        backend our rules are in already, else V(iptables).
      - Switching backends removes this task's rules from the other backend in the same run, after
        the new ones are in place.
    type: str
    choices: [auto, iptables, nftables]
    default: auto
  host_firewall:
    description:
      - A chain of the host's own nftables ruleset, at the forward hook, that would drop the
        forwarded traffic of our interfaces (an accept in our chains ends only our chain; a drop in
        any table at the hook is final).
      - Without it, such a chain fails the task before any change, naming the table, chain and hook
        and printing the rules to add. With it, this collection inserts those rules at the top of
        that chain itself (C(iifname IF accept) and C(oifname IF accept) for each interface its
        forward rules name, marked with the comment C(linuxns.net:GROUP)), and removes them with
        O(state=absent). Isolation still holds, since our own drops are final too.
      - Not needed for chains this collection lets its interfaces through by itself - firewalld's (its
        interfaces go into a zone C(linuxns) with a policy C(linuxns-forward), permanently and at runtime)
        and, with O(firewall_backend=nftables), the FORWARD chains of iptables-nft (Docker, ufw) and
        iptables-legacy that drop (the same marked accepts, first).
    type: dict
    suboptions:
      family:
        description: The table's family.
        type: str
        choices: [ip, ip6, inet]
        default: inet
      table:
        description: The table, for example V(filter).
        type: str
        required: true
      chain:
        description: The base chain at the forward hook, for example V(forward).
        type: str
        required: true
      input_chain:
        description:
          - The base chain at the input hook in the same table, for example V(input), where this
            collection then inserts C(iifname IF accept) for each interface (marked the same way), so
            containers reach services on the host itself (its gateway addresses) and, with IPv6, the
            host answers their neighbour solicitations.
          - Without it, a chain at the input hook that drops traffic from our interfaces is reported
            as a warning naming it and the rule to add; forwarding, egress and published ports work
            through it all the same.
        type: str
notes:
  - Before any change the host's packet filter is read (C(nft -j list ruleset) where C(nft) is
    installed, C(iptables-legacy-save) where that is). A chain of another table at the forward hook
    that drops what it does not accept (policy drop, or a final drop or reject rule, as firewalld
    ends its chains) and does not accept our interfaces fails the task with a message naming it.
  - Published ports of the nftables backend that name only a protocol, port and target are elements
    of the maps C(ports4) and C(ports6) of C(table inet linuxns), looked up by one rule (one hash
    lookup however many ports are published); other rules are rules of its chains.
requirements:
  - the C(iptables) tools for O(firewall_backend=iptables) (C(iptables-save) and C(iptables-restore), and
    C(ip6tables-save) and C(ip6tables-restore) for IPv6; package C(iptables), C(iptables-nft) on RHEL)
  - the C(nft) command for O(firewall_backend=nftables) and to read the host's nftables ruleset (package
    C(nftables))
"""
