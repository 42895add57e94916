#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: network_info
short_description: Read a host's container networks - namespaces, links, routes, NAT, cgroups - as facts
version_added: 0.1.0
description:
  - Reports what is on the host, as the kernel has it, whoever made it - every named network namespace
    and the host's own (the namespace the module runs in) with their links, addresses and routes; veth
    pairs with the namespace and name of their other end; bridges with their ports; VXLAN devices with
    their flood lists; the rules in this collection's NAT and forward chains, by group; the cgroups below
    the managed parents with their limits and member pids; and the record of M(linuxns.net.container_network).
  - Marks what this collection made (C(owned)) and what it did not (foreign) with the collection's own
    marks - the C(lo) alias of a namespace, the alias of a link, protocol 76 of a route, the comment of a
    rule.
  - Reads each namespace once, over one netlink socket opened inside it, with no command and no fork per
    namespace; NAT costs one C(iptables-save) per address family for the whole host. Does not need pyroute2.
  - Changes nothing, so it reports C(changed=false) and runs the same in check mode. Returns the data both as
    the fact C(linuxns_network) and as RV(network).
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
    details:
      - The module only reads; it changes nothing, so check mode runs as a normal run does.
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: linux
requirements:
  - root on Linux (CAP_SYS_ADMIN to enter named namespaces)
  - C(iptables-save) and C(ip6tables-save) for O(include=nat) (package C(iptables), C(iptables-nft) on RHEL) -
    without them RV(network.nat) holds only the nftables rules, or null without C(nft) too, and the module warns
  - the C(nft) command to see our table C(inet linuxns) and the host's own nftables ruleset (package C(nftables))
options:
  netns:
    description:
      - Report only these named namespaces (names under C(/run/netns)). A name that does not exist is
        left out, with a warning.
      - Omit to report every named namespace. The host's own namespace is always reported.
    type: list
    elements: str
  include:
    description:
      - What to read besides the list of namespaces. V(links) - links with addresses, veth peers,
        bridge ports and VXLAN flood lists; V(routes) - every unicast route of every table; V(nat) - this
        collection's NAT and forward rules (iptables chains and the nftables table); V(firewall) - the host's
        own firewall and what of it would drop our bridges' traffic; V(cgroups) - the groups below O(cgroup_parents); V(record) - the
        record of M(linuxns.net.container_network) in O(state_dir); V(workloads) - the running workloads of
        M(linuxns.net.container_network) whose pid files are in O(state_dir).
      - A section left out is returned as null.
    type: list
    elements: str
    choices: [links, routes, nat, firewall, cgroups, record, workloads]
    default: [links, routes, nat, firewall, cgroups, record, workloads]
  firewall_backend:
    description:
      - The backend RV(network.firewall.blocking) and RV(network.firewall.input_blocking) are judged for. V(auto) -
        the one our rules are in, else the one O(linuxns.net.container_network#module:firewall_backend=auto) would
        pick; V(iptables) or V(nftables) - what a run with that backend would meet (before switching a host to it).
      - RV(network.nat) lists our rules in both backends whatever this says.
    type: str
    choices: [auto, iptables, nftables]
    default: auto
  cgroup_parents:
    description:
      - The managed parent cgroups to report the groups of, like the C(parent) of M(linuxns.net.cgroup_limit)
        and the C(cgroup_parent) of M(linuxns.net.container_network). A parent that does not exist reports no
        groups.
    type: list
    elements: str
    default: [linuxns]
  state_dir:
    description:
      - The state directory of M(linuxns.net.container_network), whose C(containers.json) and workloads are
        reported.
    type: path
    default: /var/lib/linuxns
  sysctls:
    description:
      - C(net.*) sysctls to read in every reported namespace (and the host's), e.g.
        V(net.ipv4.conf.all.rp_filter); reported in RV(network.host.sysctls). A sysctl a namespace does not
        have is null there.
    type: list
    elements: str
    default: []
seealso:
  - module: linuxns.net.container_network
  - plugin: linuxns.net.topology_mermaid
    plugin_type: filter
    description: Draws the network of many hosts from these facts (C(playbooks/graph.yml) uses it).
"""

EXAMPLES = r"""
- name: Read this host's container network
  linuxns.net.network_info:
    cgroup_parents: [linuxns]

- name: The address of container web's eth0
  ansible.builtin.debug:
    msg: "{{ linuxns_network.namespaces.web.links.eth0.addresses }}"

- name: The other end of every veth on the host
  ansible.builtin.debug:
    msg: "{{ item.key }} <-> {{ item.value.peer.netns }}/{{ item.value.peer.ifname }}"
  loop: "{{ linuxns_network.host.links | dict2items | selectattr('value.kind', 'equalto', 'veth') }}"

- name: Only two namespaces, and only their links
  linuxns.net.network_info:
    netns: [web, db]
    include: [links]
  register: info

- name: Ports the bridge cbr0 publishes
  ansible.builtin.debug:
    msg: "{{ linuxns_network.nat.groups.cbr0 | selectattr('kind', 'equalto', 'dnat') | map(attribute='port') }}"
"""

RETURN = r"""
network:
  description: What the host has. The same data is set as the fact C(linuxns_network).
  returned: success
  type: dict
  contains:
    hostname:
      description: The host's name as the module's process sees it.
      type: str
      sample: host1
    host:
      description: The namespace the module runs in (the host's own).
      type: dict
      contains:
        name:
          description: The name under C(/run/netns); null for the host's own namespace.
          type: str
        id:
          description: The inode of the namespace (what C(ip netns identify) and C(stat -L) compare); null if stale.
          type: int
        stale:
          description: The name is left over with no namespace behind it (an interrupted create); then every other key is null or false.
          type: bool
        owned:
          description: Made by this collection (its C(lo) carries the alias C(linuxns.net:netns)); false for a foreign one.
          type: bool
        lo:
          description: State of C(lo), V(up) or V(down).
          type: str
        forwarding:
          description: Whether IPv4 and IPv6 forwarding is on in the namespace (null where the key does not exist).
          type: dict
          sample: {ipv4: false, ipv6: false}
        sysctls:
          description: The values of O(sysctls) in the namespace, by name (null for one it does not have).
          type: dict
          sample: {net.ipv4.conf.all.rp_filter: "2"}
        files:
          description:
            - A named namespace's own C(resolv.conf) and C(hosts) under C(/etc/netns/NAME) (what C(ip netns exec)
              bind-mounts over C(/etc)), as text; null where there is none. Null for the host's own namespace.
          type: dict
          sample: {resolv.conf: "nameserver 10.96.0.10\n", hosts: null}
        links:
          description:
            - Every link, by name (null without O(include=links)), with C(name), C(netns), C(kind) (null for
              devices without one, such as C(lo)), C(index), C(mtu), C(mac), C(state), C(master), C(addresses) (CIDRs,
              without IPv6 link-local ones), C(alias) and C(owned) (its alias is this collection's mark).
            - "A bridge also has C(ports) (names), C(stp) and C(forward_delay); a VXLAN device has C(vxlan): C(vni),
              C(port), C(local), C(dev), C(learning) and C(flood) (the remote addresses of its all-zero-MAC
              forwarding entries)."
            - "A veth has C(peer): C(netns) (null for the host's own namespace), C(ifname), C(index) and C(seen),
              false when the other end lives in a namespace that is neither the host's nor a named one (then
              C(netns) and C(ifname) are null)."
            - "Every link has C(limit), the token bucket (C(tbf)) that is its root qdisc - C(rate) (bit/s) and
              C(burst) (bytes) - or null, and C(redirect), the link its ingress filters redirect what it receives
              to (an ifb device, as the bandwidth limits of M(linuxns.net.container_network) do), or null."
          type: dict
          sample:
            eth0: {name: eth0, netns: web, kind: veth, index: 2, mtu: 1500, mac: "0a:58:0a:f4:01:02", state: up,
                   master: null, addresses: [10.244.1.2/24], alias: null, owned: false, limit: null, redirect: null,
                   peer: {netns: null, ifname: ve-web, index: 7, seen: true}}
        routes:
          description:
            - Every unicast route of every table (null without O(include=routes)), with C(dst) (V(default) or a
              CIDR), C(family) (4 or 6), C(gateway), C(dev), C(metric), C(table) (a name where known), C(scope), C(src),
              C(onlink), C(proto) and C(owned) (protocol 76, made by this collection).
          type: list
          elements: dict
          sample: [{dst: default, family: 4, gateway: 10.244.1.1, dev: eth0, metric: 0, table: main, scope: universe,
                    src: null, onlink: false, proto: 76, owned: true}]
    namespaces:
      description: Every named namespace (or those of O(netns)), by name, each with the keys of RV(network.host).
      type: dict
      sample:
        web: {name: web, id: 4026532412, stale: false, owned: true, lo: up, forwarding: {ipv4: false, ipv6: false},
              links: {}, routes: []}
    firewall:
      description:
        - The host's packet filter besides our rules, as M(linuxns.net.container_network) and M(linuxns.net.nat_rule)
          check it before any change. Null without O(include=firewall).
      returned: success
      type: dict
      contains:
        backend:
          description: Where our rules are (V(iptables), V(nftables)), null when nowhere.
          type: str
        auto:
          description: The backend C(firewall_backend=auto) picks on this host.
          type: str
        iptables_variant:
          description: The iptables tools our rules go through (V(legacy), V(nft)); null for whatever C(iptables) is.
          type: str
        nftables:
          description: Whether C(nft) could read the ruleset.
          type: bool
        tables:
          description: Every nf_tables table, as C(FAMILY NAME) (iptables-nft's included).
          type: list
          elements: str
        native_tables:
          description: The host's own nftables tables - neither ours nor those iptables-nft makes.
          type: list
          elements: str
        firewalld:
          description: Whether firewalld's table is there.
          type: bool
        firewalld_zone:
          description: The interfaces in firewalld's zone C(linuxns) at runtime (see M(linuxns.net.container_network)).
          type: list
          elements: str
        iptables_legacy:
          description: Whether iptables-legacy holds rules or policies other than ours.
          type: bool
        iptables_nft:
          description: Whether iptables-nft holds rules or policies other than ours.
          type: bool
        judged_for:
          description: The backend RV(network.firewall.blocking) is judged for (see O(firewall_backend)).
          type: str
        bridges:
          description: The bridges checked - the host's bridges this collection made.
          type: list
          elements: str
        blocking:
          description:
            - Chains at the forward hook that would drop the bridges' forwarded traffic - C(family), C(table),
              C(chain), C(hook), C(drops) (what drops) and C(firewalld). Empty when none would.
          type: list
          elements: dict
        input_blocking:
          description:
            - Chains at the input hook that drop what the bridges send to the host itself (its gateway
              addresses), in the same form as RV(network.firewall.blocking). Forwarding works through them.
          type: list
          elements: dict
      sample:
        backend: nftables
        auto: nftables
        iptables_variant: null
        nftables: true
        tables: [inet filter, inet linuxns]
        native_tables: [inet filter]
        firewalld: false
        firewalld_zone: []
        iptables_legacy: false
        iptables_nft: false
        bridges: [cbr0]
        judged_for: nftables
        blocking: [{family: inet, table: filter, chain: forward, hook: forward, drops: policy drop, firewalld: false}]
        input_blocking: [{family: inet, table: filter, chain: input, hook: input, drops: policy drop, firewalld: false}]
    nat:
      description:
        - This collection's rules in the host's namespace, for IPv4 and IPv6 - in its iptables chains
          (C(LINUXNS-POSTROUTING), C(LINUXNS-DNAT), C(LINUXNS-ISOLATION), C(LINUXNS-FORWARD)) and in its nftables
          table C(inet linuxns) (chains C(postrouting4), C(dnat4), C(isolation4), C(forward4) and their C(6) twins,
          with C(table) V(inet linuxns) and C(rule) as C(nft) prints it). Null without O(include=nat), or when
          neither iptables nor nft can be run.
        - Each rule has C(family), C(table), C(chain), C(rule) (normalized, as M(linuxns.net.nat_rule) reports
          rules), C(kind) (V(masquerade), V(snat), V(dnat), V(forward), V(isolate), V(exempt) or V(other)), C(owned), C(group), C(comment)
          and, for V(dnat), C(protocol), C(port) (a range as V(8000:8009)), C(to) and C(address) (the host address it
          is published on - C(host_ip) - or null for every address).
      returned: success
      type: dict
      contains:
        chains:
          description: Each chain that exists, with C(family), C(table), C(chain) and C(jumps) (the built-in chains that jump to it).
          type: list
          elements: dict
          sample: [{family: ipv4, table: nat, chain: LINUXNS-DNAT, jumps: [PREROUTING, OUTPUT]}]
        groups:
          description: Our rules (comment C(linuxns.net:GROUP[:COMMENT])), by group.
          type: dict
          sample:
            cbr0:
              - {family: ipv4, table: nat, chain: LINUXNS-DNAT, kind: dnat, owned: true, group: cbr0, comment: web,
                 protocol: tcp, port: "8080", to: "10.244.1.2:80", address: null,
                 rule: "-A LINUXNS-DNAT -p tcp -m comment --comment linuxns.net:cbr0:web -m tcp --dport 8080 -j DNAT --to-destination 10.244.1.2:80"}
        foreign:
          description: Rules in our chains without our mark (someone else put them there).
          type: list
          elements: dict
    cgroups:
      description:
        - Every cgroup below each of O(cgroup_parents), by path (parent/name), read as M(linuxns.net.cgroup_limit)
          reads a group - C(path), C(parent), C(name), C(version), C(paths), the limits of the controllers that act on
          it (C(cpu), C(cpu_period), C(cpu_weight), C(memory), C(memory_swap), C(pids_max), C(cpuset_cpus)) and
          C(members) (pids).
        - Null without O(include=cgroups).
      returned: success
      type: dict
      sample:
        linuxns/web: {path: linuxns/web, parent: linuxns, name: web, version: v2, paths: [/sys/fs/cgroup/linuxns/web],
                      cpu: 0.5, cpu_period: 100000, cpu_weight: 100, memory: 64M, memory_swap: max, pids_max: 64,
                      members: [4242]}
    record:
      description:
        - The record M(linuxns.net.container_network) keeps in C(containers.json) in O(state_dir) - the default
          network's C(bridge), C(subnet), C(gateway), C(addresses) (container name to CIDR), the C(containers) it
          made, its other C(networks) by name (each with C(bridge), C(subnet), C(gateway), C(slot) and
          C(addresses)) and, where containers declare MACs, C(macs) (container name to interface name to MAC).
          Null when there is none (or without O(include=record)); a record that cannot be read is
          null, with a warning.
      returned: success
      type: dict
      sample: {version: 2, bridge: cbr0, subnet: 10.244.1.0/24, gateway: 10.244.1.1, addresses: {web: 10.244.1.2/24},
               containers: [db, web], networks: {back: {bridge: cbr1, subnet: 10.245.1.0/24, gateway: 10.245.1.1, slot: '1',
                                                        addresses: {db: 10.245.1.2/24}}},
               macs: {web: {eth0: "02:42:ac:11:00:02"}}}
    workloads:
      description:
        - The running workloads of M(linuxns.net.container_network) (a pid file in O(state_dir) whose process runs
          in the container's network namespace), by container name; only those of O(netns) when given. Null
          without O(include=workloads).
        - Each has C(pid) (the C(unshare) that waits for the workload), C(command) (null for one not started in
          namespaces of its own, by an older version), and of the workload itself C(init) (its pid on the host),
          C(pid_1) (it is pid 1 of its own PID namespace), C(hostname) (in its own UTS namespace) and C(cgroups)
          (its cgroup in each hierarchy).
      returned: success
      type: dict
      sample:
        web: {pid: 4242, command: python3 -m http.server 80, init: 4243, pid_1: true, hostname: web,
              cgroups: [/linuxns/web, /linuxns/web]}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.linuxns.net.plugins.module_utils._facts import SECTIONS, read_and_exit


def main():
    module = AnsibleModule(
        argument_spec=dict(
            netns=dict(type='list', elements='str'),
            include=dict(type='list', elements='str', choices=list(SECTIONS), default=list(SECTIONS)),
            cgroup_parents=dict(type='list', elements='str', default=['linuxns']),
            state_dir=dict(type='path', default='/var/lib/linuxns'),
            sysctls=dict(type='list', elements='str', default=[]),
            firewall_backend=dict(type='str', choices=['auto', 'iptables', 'nftables'], default='auto'),
        ),
        supports_check_mode=True,
    )
    read_and_exit(module)


if __name__ == '__main__':
    main()
