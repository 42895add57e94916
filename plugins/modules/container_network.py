#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: container_network
short_description: Converge a host's whole container network in one call
version_added: 0.1.0
description:
  - Builds, on one host, what a container runtime's bridge network is - in one module call, one
    read of the host's state, one plan, one apply (rolled back whole on failure) and one verify.
  - "The host part: a bridge carrying the gateway (the first address of O(subnet) unless
    O(gateway) is set; the bridge gets a fixed MAC derived from its name, so the gateway's MAC
    never changes as containers come and go), IPv4 forwarding, masquerade for the containers' egress, forward accepts
    for the bridge, optionally routes to other hosts' container subnets (O(routes)) and a VXLAN
    overlay device (O(vxlan))."
  - "Per container: a named network namespace with C(lo) up, a veth pair (C(ve-NAME) on the
    bridge, C(eth0) inside), an address, a default route via the gateway, published ports (DNAT
    in chain C(LINUXNS-DNAT)), cgroup limits (see M(linuxns.net.cgroup_limit)), bandwidth limits, its
    own sysctls, resolv.conf and hosts, and a workload."
  - Addresses are recorded on the host in C(containers.json) in O(state_dir) and kept stable - adding
    or removing a container never renumbers the others. The record also tells which containers
    this network made, so those no longer listed are removed (O(prune)).
  - NAT and forward rules carry the comment C(linuxns.net:BRIDGE) and are kept exactly as
    declared; rules of other groups, and foreign rules, are never touched.
  - The parts are planned together, so C(--check) on a fresh host reports exactly what the real
    run does, with no assumptions, and C(--diff) shows every object that changes.
  - Use the primitive modules (M(linuxns.net.netns), M(linuxns.net.veth), M(linuxns.net.bridge),
    M(linuxns.net.netns_route), M(linuxns.net.nat_rule), M(linuxns.net.cgroup_limit)) to build other
    shapes by hand.
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes
  - linuxns.net.attributes.netlink
  - linuxns.net.firewall
options:
  state:
    description:
      - V(present) converges the network. V(absent) removes everything it made - containers
        (workloads, cgroups, veths, namespaces) listed or recorded, rules, the bridge, the overlay
        device and host routes when O(vxlan) or O(routes) is given - restores C(ip_forward) to its
        value before the first run, and removes the record.
    type: str
    choices: [present, absent]
    default: present
  bridge:
    description: The bridge the containers are ports of; also names the rule group.
    type: str
    default: cbr0
  subnet:
    description: The host's IPv4 container subnet, e.g. V(10.244.1.0/24). Required with O(state=present).
    type: str
  gateway:
    description: The gateway address on the bridge. Defaults to the first host address of O(subnet).
    type: str
  subnet6:
    description:
      - The host's IPv6 container subnet, e.g. V(fd00:10:244:1::/64), for a dual-stack network; omit for
        IPv4 only. It needs room for the host part of every address of O(subnet).
      - "Every container, and the gateway on the bridge, gets the address of O(subnet6) with the host part
        of its IPv4 address (C(10.244.1.7) is C(fd00:10:244:1::7)): stable as the IPv4 one. With it come an
        IPv6 default route in each container, IPv6 forwarding (C(net.ipv6.conf.all.forwarding), the value
        from before recorded and restored by O(state=absent)), ip6tables masquerade, forward accepts and
        published ports (DNAT to the container's IPv6 address from the host's IPv6 addresses)."
      - IPv6 addresses are added without duplicate address detection, usable at once.
    type: str
  cluster_cidr6:
    description:
      - The IPv6 CIDR of every host's O(subnet6), as O(cluster_cidr) is for IPv4.
    type: str
  mtu:
    description: MTU of the bridge and of both ends of every veth pair. Omit to leave the kernel's.
    type: int
  masquerade:
    description: Masquerade the containers' traffic that leaves the host (not traffic to O(cluster_cidr)).
    type: bool
    default: true
  cluster_cidr:
    description:
      - The CIDR of every host's container subnet. Traffic to it is not masqueraded, and traffic
        from it to the bridge is accepted (containers on other hosts).
    type: str
  allow:
    description:
      - Names of the other networks in O(networks) whose containers may open connections to the
        containers of this (the default) network, as O(networks[].allow).
    type: list
    elements: str
  networks:
    description:
      - More networks on this host besides the default one (O(bridge), O(subnet), ...), like
        C(docker network create). Each is a bridge with a gateway and a subnet, carved like O(subnet)
        from a cluster CIDR when containers on other hosts join it. Containers join networks with
        O(containers[].networks).
      - "With O(isolation), nothing new is forwarded between two networks, or into a network from
        anywhere else (the host's other interfaces, other hosts), except: replies, published ports,
        traffic of the network itself (its O(networks[].cluster_cidr), from its containers on other
        hosts) and traffic from the networks it O(networks[].allow)s, on this host and from other hosts."
      - Each network's containers' egress is masqueraded and accepted as the default network's is;
        traffic to another network of the host (its cluster CIDR) is not, so the receiving host tells
        the networks apart by their source addresses.
      - The host ends of its veth pairs are C(vN-NAME), N (1-9) given to the network when it first
        appears and kept in the record. A network no longer listed is removed, with its bridge and its
        containers' interfaces, on the next run.
    type: list
    elements: dict
    suboptions:
      name:
        description: The network's name (1-32 characters, letters, digits and C(_.-)); V(default) is the top-level network.
        type: str
        required: true
      bridge:
        description: The network's bridge on this host.
        type: str
        required: true
      subnet:
        description: The network's IPv4 subnet on this host.
        type: str
        required: true
      gateway:
        description: The gateway address on the bridge. Defaults to the first host address of O(networks[].subnet).
        type: str
      subnet6:
        description: The network's IPv6 subnet on this host, as O(subnet6).
        type: str
      cluster_cidr:
        description:
          - The CIDR every host's part of this network is carved from, as O(cluster_cidr); its
            containers on other hosts may reach this host's ones. Needed for traffic between hosts.
          - The addresses of two networks (their cluster CIDRs, else their subnets) must not overlap.
        type: str
      cluster_cidr6:
        description: The IPv6 CIDR every host's O(networks[].subnet6) is carved from.
        type: str
      allow:
        description:
          - Names of other networks (V(default) included) whose containers may open connections to this
            network's containers, on this host and from other hosts. The other way is not opened by it.
        type: list
        elements: str
  isolation:
    description:
      - Isolate every network of the host in the filter chain C(LINUXNS-ISOLATION), which C(FORWARD)
        jumps to first (see O(networks)); V(false) leaves forwarding to the accepts and the host's policy.
    type: bool
    default: true
  forwarding:
    description:
      - Turn on IPv4 forwarding (C(net.ipv4.ip_forward)) in the namespace the module runs in. The
        value from before the first run is recorded and restored by O(state=absent).
    type: bool
    default: true
  containers:
    description:
      - "The containers of this host, each a dict with the options below, or just its name (V(web) is
        V({name: web}))."
    type: list
    elements: raw
    default: []
    suboptions:
      name:
        description:
          - 1-63 characters (a DNS label, as Docker and Podman allow), letters, digits and C(_.-) (not first).
            Names the network namespace, the cgroup, the pid and log files and the workload's hostname.
          - The host end of its veth pair is C(ve-NAME) (C(vN-NAME) on another network) when that fits in 15 bytes,
            that is for names of up to 12 characters; a longer name gives C(vex) (C(vNx)) and the first 12 hex digits
            of the name's SHA-256. Either way the host end's alias names the container (C(linuxns.net:veth:NAME)),
            which C(ip link) and M(linuxns.net.network_info) show.
        type: str
        required: true
      address:
        description:
          - A fixed address in the subnet of the container's first network (O(subnet) by default). Omitted, the
            container keeps the address it had, else gets the lowest free one.
        type: str
      mac:
        description:
          - The MAC address of the container's first interface (C(eth0)), as Docker's C(--mac-address) - a unicast
            address such as V(02:42:ac:11:00:02). Omitted, the kernel picks a random one when the interface is made.
          - Another interface's MAC is C(mac) in its entry of O(containers[].networks).
        type: str
      networks:
        description:
          - The networks the container joins, each a name (V(default) or one of O(networks)) or a dict
            with C(name), a fixed C(address) and a C(mac). The container gets one interface in each, C(eth0),
            C(eth1)... in this order; C(eth0) carries the default route (and its published ports and
            bandwidth limits), the others a route to their network's cluster CIDR.
          - Omitted, the default network only.
        type: list
        elements: raw
      ports:
        description:
          - Published ports (DNAT from the host's addresses to the container), each a dict with the
            options below or as Docker writes it - C(HOST:CONTAINER), C(HOST:CONTAINER/udp),
            C(IP:HOST:CONTAINER) (C([IPv6]:HOST:CONTAINER)), a range C(8000-8009:8000-8009), or C(HOST) alone.
          - When a published port goes or moves to another container, the connection tracking entries of its old
            mapping are deleted in the same run, so a client's UDP flow (or a TCP connection) follows the new one
            instead of reaching the old target until the entry times out.
        type: list
        elements: raw
        suboptions:
          host:
            description:
              - Port on the host, or a range of ports like V(8000-8009) (each published on the same port of the
                container).
            type: raw
            required: true
          container:
            description:
              - Port in the container. Defaults to O(containers[].ports[].host). For a range of host ports, the same
                range (DNAT keeps a connection's port).
            type: raw
          protocol:
            description: Protocol.
            type: str
            choices: [tcp, udp, sctp]
            default: tcp
          host_ip:
            description:
              - Publish on this one address of the host only (IPv4 or IPv6; the rule is then in that
                family only), instead of on every local address.
              - Published ports bypass a host firewall's input rules (ufw's included), as Docker's do -
                the packet is forwarded, not delivered to the host. Use O(containers[].ports[].host_ip)
                to limit where a port is reachable. Loopback addresses are refused.
            type: str
      limits:
        description:
          - The limits of the container's cgroup, for every process in its namespace - the limit
            options of M(linuxns.net.cgroup_limit) (C(cpu), C(cpu_period), C(cpu_weight), C(memory),
            C(memory_swap), C(pids_max), C(cpuset_cpus)), checked as strictly there; an error
            names the container, e.g. C(containers[1].limits).
        type: dict
      command:
        description:
          - "The container's workload: a shell command (C(sh -c)) started the way a container runtime
            starts one - in the container's network namespace and cgroups from its first instruction,
            and in PID, mount and UTS namespaces of its own: it is pid 1 there, with its own C(/proc),
            and the container's name as hostname. It runs in a session of its own, with its output
            appended to C(NAME.log) in O(state_dir); C(NAME.pid) there holds the pid of the C(unshare) process
            (util-linux) that waits for it."
          - Started when not running; restarted when the command changes (a workload started by an
            older version of this collection, outside namespaces of its own, is restarted once too).
          - Like C(ip netns exec), it sees the container's C(/etc/netns/NAME/hosts) and C(resolv.conf) as C(/etc/hosts)
            and C(/etc/resolv.conf). A container with a workload and no O(containers[].hosts) gets a hosts file of its
            own (C(localhost)), as Docker's containers do, so that names written into it later (the containers role's
            C(containers_names)) reach the running workload; such files are rewritten in place.
          - "Stopping it (O(containers[].state=stopped), pruning, O(state=absent)) sends SIGTERM to its
            session and SIGKILL after 3 seconds; a pid 1 with no SIGTERM handler (the kernel drops the
            signal) is killed at once."
          - A list is taken as the command's arguments (Docker's exec form), each quoted for the shell.
        type: raw
      state:
        description:
          - V(started) runs O(containers[].command). V(stopped) stops the workload and keeps the
            container's network and its log; V(started) with the command starts it again.
        type: str
        choices: [started, stopped]
        default: started
      bandwidth:
        description:
          - The container's bandwidth limits, as the CNI bandwidth plugin sets them, on the host end of its
            veth pair. C(ingress_rate) and C(ingress_burst) limit what the container receives (a token
            bucket, C(tbf), as that end's root qdisc); C(egress_rate) and C(egress_burst) limit what it sends
            (that end's ingress qdisc redirects it to an ifb device C(bw-NAME) with the token bucket).
          - A rate is bits per second, as tc writes it - V(10mbit), V(1gbit), V(500kbit), V(2mbps) (bytes), or a
            number of bit/s - up to 34gbit. A burst is bytes - V(32kb), V(1mb), or a number; omitted, 10 ms of
            traffic at the rate, at least 32 KiB. It must hold one packet (the MTU plus 14 bytes). The queue
            holds 25 ms of traffic at the rate beyond the burst.
          - Omit a direction to leave it unlimited; limits removed from the list are removed from the host.
        type: dict
        suboptions:
          ingress_rate:
            description: The rate of what the container receives.
            type: str
          ingress_burst:
            description: The burst of what the container receives.
            type: str
          egress_rate:
            description: The rate of what the container sends.
            type: str
          egress_burst:
            description: The burst of what the container sends.
            type: str
      sysctls:
        description:
          - The container's own C(net.*) sysctls, name and value, as
            O(linuxns.net.netns#module:sysctls) takes them.
        type: dict
      dns:
        description:
          - The container's C(/etc/netns/NAME/resolv.conf) (its C(/etc/resolv.conf) under
            C(ip netns exec)), as O(linuxns.net.netns#module:dns) - C(nameservers), C(search) and
            C(options).
        type: dict
      hosts:
        description:
          - The container's C(/etc/netns/NAME/hosts), as O(linuxns.net.netns#module:hosts) - the
            C(localhost) lines and entries of C(address) and C(names).
        type: list
        elements: dict
  routes:
    description:
      - Routes in the host's main table, e.g. to other hosts' container subnets, each with the
        options of M(linuxns.net.netns_route) C(dst) (required), C(gateway), C(dev), C(metric) and
        C(onlink). When given, these are exactly the routes of ours (protocol 76) in that table;
        omitted, host routes are left alone.
    type: list
    elements: dict
  vxlan:
    description:
      - A VXLAN overlay device with a static flood list, as M(linuxns.net.vxlan) makes it, with its
        options C(vni), C(local), C(dev), C(port) (default V(4789)), C(learning) (default
        V(true)), C(peers) (the other hosts' underlay addresses, exactly these), C(addresses)
        and C(mtu), and C(name) (required) and C(state) (V(present), the default, or V(absent)).
      - Omit to leave overlay devices alone; give it with C(state=absent) to remove one.
    type: dict
  state_dir:
    description: Where the host keeps the record, and the workloads' pid and log files.
    type: path
    default: /var/lib/linuxns
  cgroup_parent:
    description: The cgroup every container's group lives under.
    type: str
    default: linuxns
  prune:
    description: Remove containers this network made before that are no longer listed.
    type: bool
    default: true
  boot:
    description:
      - Bring this network back after a reboot, with no controller. The module keeps its
        parameters in C(network.json) and a copy of the collection's engine in C(engine.zip), both in
        O(state_dir), and installs a C(Type=oneshot) systemd unit
        C(linuxns-network-BRIDGE.service), enabled for C(multi-user.target) and ordered after
        C(network-online.target) and the host firewalls' units (firewalld, nftables, ufw,
        netfilter-persistent, docker), that runs the same converge at boot (see RV(boot.command)). It
        needs only Python and pyroute2 on the host, not Ansible.
      - A firewall reload rewrites the packet filter (firewalld's and ufw's reloads, C(nft -f) of a
        ruleset that starts with C(flush ruleset), a Docker restart). A second unit,
        C(linuxns-network-BRIDGE-watch.service), runs the same command with C(--watch) - it stays, and
        re-applies the recorded network after every burst of packet-filter changes C(nft monitor)
        reports (and every minute, since iptables-legacy reports none), so the network works again
        within about a second without a playbook run. Where systemd runs, the module starts it (and
        restarts it when its unit or the engine copy changes; it re-reads the state file itself).
      - The module, the boot unit and the watch unit converge one at a time - each holds an
        exclusive lock (C(flock)) on O(state_dir) from its read to its verify.
      - The unit is written where systemd runs (C(/run/systemd/system) exists) or when
        O(boot_unit_dir) is set; elsewhere run RV(boot.command) from the host's own boot scripts.
      - V(false) removes what an earlier run installed. O(state=absent) removes it all.
    type: bool
    default: true
  boot_unit_dir:
    description:
      - Where to write the units and their C(multi-user.target.wants/) links. Defaults to
        C(/etc/systemd/system) where systemd runs, else no unit.
    type: path
"""

EXAMPLES = r"""
- name: Three containers on cbr0, one publishing port 8080
  linuxns.net.container_network:
    bridge: cbr0
    subnet: 10.244.1.0/24
    containers:
      - name: web
        ports: [{host: 8080, container: 80}]
        limits: {cpu: "0.5", memory: 64M, pids_max: "64"}
        command: python3 -m http.server 80
        bandwidth: {ingress_rate: 100mbit, egress_rate: 20mbit, egress_burst: 64kb}
        dns: {nameservers: [10.96.0.10], search: [lab.internal]}
        sysctls: {net.ipv4.conf.all.rp_filter: 2}
      - name: db
        address: 10.244.1.10
      - name: cache

- name: Dual stack - every container gets an IPv6 address too (web's is fd00:10:244:1::2)
  linuxns.net.container_network:
    subnet: 10.244.1.0/24
    subnet6: fd00:10:244:1::/64
    containers: [{name: web, ports: [{host: 8080, container: 80}]}]

- name: A host of a cluster, reaching the other hosts' containers through an overlay
  linuxns.net.container_network:
    subnet: 10.244.2.0/24
    cluster_cidr: 10.244.0.0/16
    mtu: 1450
    vxlan: {name: lnsvx0, vni: 1, local: 198.51.100.12, peers: [198.51.100.11], addresses: [10.244.2.0/32]}
    routes:
      - {dst: 10.244.1.0/24, gateway: 10.244.1.0, dev: lnsvx0, onlink: true}
    containers: "{{ containers_list }}"

- name: Remove it all (the boot unit and the recorded state too)
  linuxns.net.container_network:
    state: absent

# On the host, without Ansible: what the boot unit runs (--check previews it)
# PYTHONPATH=/var/lib/linuxns/engine /usr/bin/python3 \
#   -m ansible_collections.linuxns.net.plugins.module_utils._boot_run /var/lib/linuxns/network.json
"""

RETURN = r"""
actions:
  description: What was done (or would be done in check mode), in order.
  type: list
  elements: str
  returned: always
summary:
  description:
    - The actions in one line, counted by kind - what is created, changed, started, stopped and removed
      (the same line in check mode, from the same plan), or V(nothing to change).
  returned: always
  type: str
  sample: "create 3 namespaces, 3 veths, 1 bridge; change 6 routes, the packet filter; start 2 workloads"
containers:
  description: One entry per listed container.
  type: list
  elements: dict
  returned: always
  contains:
    name:
      description: Container name (also its network namespace).
      type: str
    address:
      description: Its address (on its first network) with prefix length.
      type: str
      sample: 10.244.1.2/24
    address6:
      description: Its IPv6 address (on its first network) with prefix length (null without an IPv6 subnet).
      type: str
      sample: fd00:10:244:1::2/64
    veth:
      description: Host end of its first veth pair.
      type: str
    interface:
      description: Its first interface inside the namespace (C(eth0)).
      type: str
    networks:
      description:
        - Its interfaces, one per network it joins, in order, each with C(network), C(interface) (inside), C(veth)
          (the host end), C(address), C(address6) and C(mac) (the one declared, else null).
      type: list
      elements: dict
      sample: [{network: default, interface: eth0, veth: ve-web, address: 10.244.1.2/24, address6: null, mac: null},
               {network: back, interface: eth1, veth: v1-web, address: 10.245.1.2/24, address6: null, mac: null}]
    ports:
      description: Published ports.
      type: list
      elements: dict
    limits:
      description: Its cgroup limits as given.
      type: dict
    bandwidth:
      description: Its bandwidth limits as the kernel has them, C(ingress) and C(egress), each null or C(rate) (bit/s) and C(burst) (bytes).
      type: dict
      sample: {ingress: {rate: 10000000, burst: 32768}, egress: null}
    workload:
      description: Its running workload (null when none runs; in check mode its pid is null).
      type: dict
      contains:
        pid:
          description: Pid of the C(unshare) process that waits for the workload (its pid 1).
          type: int
        command:
          description: The command it runs.
          type: str
    action:
      description: V(created), V(updated) or V(unchanged).
      type: str
networks:
  description:
    - Every network of the host (V(default) included), by name - C(bridge), C(subnet), C(gateway),
      C(subnet6) and C(gateway6) where dual stack, and C(addresses), its containers' addresses by name.
    - Empty with O(state=absent).
  type: dict
  returned: always
  sample: {default: {bridge: cbr0, subnet: 10.244.1.0/24, gateway: 10.244.1.1, addresses: {web: 10.244.1.2/24}}}
addresses:
  description: Every container's address (on its first network), by name.
  type: dict
  returned: always
  sample: {web: 10.244.1.2/24, db: 10.244.1.10/24}
pruned:
  description: Containers removed because they are no longer listed (or all, with O(state=absent)).
  type: list
  elements: str
  returned: always
bridge:
  description: The bridge.
  type: str
  returned: always
subnet:
  description: The subnet (null with O(state=absent)).
  type: str
  returned: always
gateway:
  description: The gateway address (null with O(state=absent)).
  type: str
  returned: always
subnet6:
  description: The IPv6 subnet (null without O(subnet6)).
  type: str
  returned: always
gateway6:
  description: The IPv6 gateway address on the bridge (null without O(subnet6)).
  type: str
  returned: always
  sample: "fd00:10:244:1::1"
addresses6:
  description: Every container's IPv6 address, by name (empty without O(subnet6)).
  type: dict
  returned: always
  sample: {web: "fd00:10:244:1::2/64"}
boot:
  description: What brings the network back after a reboot (all null when O(boot=false) or O(state=absent)).
  type: dict
  returned: always
  contains:
    state_file:
      description: The recorded desired state.
      type: str
      sample: /var/lib/linuxns/network.json
    unit:
      description: The systemd unit (null where no unit is written).
      type: str
      sample: /etc/systemd/system/linuxns-network-cbr0.service
    watch_unit:
      description: The systemd unit that re-applies the network after firewall reloads (null where no unit is written).
      type: str
      sample: /etc/systemd/system/linuxns-network-cbr0-watch.service
    command:
      description: The command the unit runs at boot; run it by hand to re-apply the recorded state.
      type: str
      sample: >-
        PYTHONPATH=/var/lib/linuxns/engine /usr/bin/python3
        -m ansible_collections.linuxns.net.plugins.module_utils._boot_run /var/lib/linuxns/network.json
elapsed:
  description: Seconds the module's process ran on the host (interpreter start, imports, read, plan, apply, verify).
  type: float
  returned: always
  sample: 0.42
rules:
  description:
    - "Our packet-filter rules added and removed, as C(-A CHAIN ...) lines with the iptables backend,
      as C(inet linuxns CHAIN: RULE) lines with the nftables one."
  type: dict
  returned: always
  contains:
    firewall_backend:
      description: The backend the rules are in (see O(firewall_backend)).
      type: str
      sample: nftables
    added:
      description: Rules added.
      type: list
      elements: str
    removed:
      description: Rules removed.
      type: list
      elements: str
"""

from ansible.module_utils.basic import AnsibleModule

# The boot units' command (boot: true) runs a copy of the engine on the host, rooted at
# _boot_run: imported here so that Ansible ships it, and what it imports, with the module.
from ansible_collections.linuxns.net.plugins.module_utils import _boot_run  # noqa: F401 pylint: disable=unused-import
from ansible_collections.linuxns.net.plugins.module_utils._module import run_module
from ansible_collections.linuxns.net.plugins.module_utils._network import ContainerNetworkResource
from ansible_collections.linuxns.net.plugins.module_utils._network_spec import short_forms
from ansible_collections.linuxns.net.plugins.module_utils._options import (
    BANDWIDTH, DNS, FIREWALL, HOST_ENTRY, LIMIT_OPTIONS, LINK, ROUTE, VXLAN, pick)

HOST_ROUTE = dict(pick(ROUTE, 'gateway', 'dev', 'metric', 'onlink'), dst=dict(type='str', required=True))

OVERLAY = dict(
    pick(LINK, 'addresses', 'mtu'),
    **VXLAN,
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def main():
    port = dict(host=dict(type='raw', required=True), container=dict(type='raw'), host_ip=dict(type='str'),
                protocol=dict(type='str', choices=['tcp', 'udp', 'sctp'], default='tcp'))
    container = dict(name=dict(type='str', required=True), address=dict(type='str'), mac=dict(type='str'), command=dict(type='raw'),
                     state=dict(type='str', choices=['started', 'stopped'], default='started'),
                     ports=dict(type='list', elements='raw'), limits=dict(type='dict'),
                     sysctls=dict(type='dict'), dns=dict(type='dict'), hosts=dict(type='list', elements='dict'),
                     bandwidth=dict(type='dict', options=BANDWIDTH), networks=dict(type='list', elements='raw'))
    other_network = dict(name=dict(type='str', required=True), bridge=dict(type='str', required=True),
                         subnet=dict(type='str', required=True), gateway=dict(type='str'), subnet6=dict(type='str'),
                         cluster_cidr=dict(type='str'), cluster_cidr6=dict(type='str'), allow=dict(type='list', elements='str'))
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            bridge=dict(type='str', default='cbr0'),
            subnet=dict(type='str'),
            gateway=dict(type='str'),
            subnet6=dict(type='str'),
            cluster_cidr6=dict(type='str'),
            mtu=dict(type='int'),
            masquerade=dict(type='bool', default=True),
            cluster_cidr=dict(type='str'),
            forwarding=dict(type='bool', default=True),
            allow=dict(type='list', elements='str'),
            networks=dict(type='list', elements='dict', options=other_network),
            isolation=dict(type='bool', default=True),
            containers=dict(type='list', elements='raw', default=[]),
            routes=dict(type='list', elements='dict'),
            vxlan=dict(type='dict'),
            state_dir=dict(type='path', default='/var/lib/linuxns'),
            cgroup_parent=dict(type='str', default='linuxns'),
            boot=dict(type='bool', default=True),
            boot_unit_dir=dict(type='path'),
            prune=dict(type='bool', default=True),
            **FIREWALL
        ),
        required_if=[('state', 'present', ('subnet',))],
        supports_check_mode=True,
    )
    run_module(module, ContainerNetworkResource, 'containers', {
        'containers[]': container, 'containers[].ports[]': port, 'containers[].limits': LIMIT_OPTIONS, 'containers[].dns': DNS,
        'containers[].hosts[]': HOST_ENTRY,
        'routes[]': HOST_ROUTE, 'vxlan': OVERLAY}, prepare=short_forms)


if __name__ == '__main__':
    main()
