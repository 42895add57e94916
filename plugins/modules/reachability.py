#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: reachability
short_description: Ping and connect from many network namespaces at once, like mininet's pingall
version_added: 0.1.0
description:
  - From every namespace in O(sources), sends ICMP echo requests (ICMPv6 for IPv6 targets) to every
    address in O(targets); from the namespace of each entry in O(ports), opens a TCP connection to it.
    Reports a matrix of what was reached and what was missed.
  - All checks run concurrently in the module's own process, with no command per check. Each source
    namespace is entered only to open its sockets; 100 namespaces times 101 targets take about a second.
  - Raw ICMP sockets are used, which need root (CAP_NET_RAW). Without that, unprivileged ping sockets
    are used where C(net.ipv4.ping_group_range) allows them; that sysctl is per namespace and off by default.
  - A check that gets no answer within O(timeout) (or, for TCP, is refused) is tried again, at most
    O(retries) times, so one lost packet is not a miss.
  - The task only reads, so it reports C(changed=false) and runs the same in check mode.
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - linuxns.net.attributes.probe
options:
  sources:
    description:
      - Namespaces to ping O(targets) from, each a name under C(/run/netns), an absolute path of a
        namespace file (such as C(/proc/PID/ns/net)), or V("") (or V(null)) for the namespace the module runs in.
      - The matrix shows a named namespace under its name and the module's own namespace under the host name.
      - Omit for the module's own namespace only. A namespace that does not exist fails the task.
    type: list
    elements: str
  targets:
    description:
      - Addresses to ping from every source, each an IPv4 or IPv6 address, or a dict with C(address) and
        a C(name) that labels its column in the matrix (default the address).
      - "In the dict form, C(blocked_from) lists sources (as in O(sources)) that must get no answer
        from the target - a firewall between them, such as the isolation of
        M(linuxns.net.container_network)'s networks. Such a pair is tried once: silence for
        O(timeout) passes (shown as C(-)), an answer is a miss."
      - Names must be unique.
    type: list
    elements: raw
    default: []
  ports:
    description:
      - TCP ports to connect to. A connection that is accepted passes, and is closed at once.
    type: list
    elements: dict
    default: []
    suboptions:
      address:
        description: IPv4 or IPv6 address to connect to.
        type: str
        required: true
      port:
        description: TCP port, 1-65535.
        type: int
        required: true
      name:
        description: Label of the check's column in the matrix; default C(address:port).
        type: str
      source:
        description: Namespace to connect from, as in O(sources); omit for the namespace the module runs in.
        type: str
  timeout:
    description: Seconds each try waits for its answer (more than 0, at most 60).
    type: float
    default: 1
  retries:
    description: How many more times a missed check is tried (0-10).
    type: int
    default: 2
  delay:
    description:
      - Seconds from the start of one try of a check to the start of the next (0-60); a try that takes
        longer is followed at once. Gives a service that is still starting time to listen.
    type: float
    default: 1
  fail_on_miss:
    description:
      - Whether any miss fails the task (naming each miss); with V(false) the task only reports the misses.
      - Bad input always fails the task, before any probe is sent.
    type: bool
    default: true
  flush_neighbours:
    description:
      - Before and after the probes, delete the learned neighbour (ARP/NDP) entries of the O(sources) and of the
        namespace the module runs in (as C(ip neigh flush all) in each) - what earlier traffic left, and
        then the entries the probes made. The probes so also prove that every neighbour resolves afresh.
      - With no O(targets) and no O(ports), only empties those namespaces' entries.
      - For lab hosts that share one kernel, probed one host at a time (task keyword C(throttle=1)), so that the
        next host's probes find room in the kernel's one neighbour table. The kernel learns an entry
        again with the next packet that needs it; only this cache is touched, so the task reports no
        change, in check mode too (the probes made the entries in check mode as well).
      - With O(sources_at_once), also after each wave of sources, so that one wave's entries never wait for the next.
    type: bool
    default: false
  sources_at_once:
    description:
      - Probe from this many O(sources) at a time, in the order given - each wave's checks, retries
        included, are decided before the next wave starts; V(0) probes from all sources at once.
      - A full mesh of N namespaces on one LAN makes about N*(N-1) neighbour entries at once; in waves of K
        sources with O(flush_neighbours), at most about 2*K*N, so a mesh that would overfill the
        kernel's table passes without waiting for the kernel to free entries.
    type: int
    default: 0
notes:
  - At most 65536 checks (sources times targets, plus ports) in one task.
  - Many namespaces on one LAN that all ping each other need a neighbour (ARP) entry per pair, and the
    kernel's neighbour table is shared by all namespaces (C(net.ipv4.neigh.default.gc_thresh3), 1024
    entries by default, for each family). When it is full the kernel drops packets and frees only entries
    unused for 5 s, so a larger mesh needs retries more than 5 s apart (for example O(retries=8) and
    O(delay=6)); or probe in waves (O(sources_at_once) with O(flush_neighbours)); lab hosts on one kernel
    can also probe one host at a time. The task
    warns when misses came with a full table (where the kernel's counters can be read, in the initial
    network namespace).
seealso:
  - name: ping(8)
    description: The command for a single echo request.
    link: https://man7.org/linux/man-pages/man8/ping.8.html
"""

EXAMPLES = r"""
- name: Every container pings every other and the gateway
  linuxns.net.reachability:
    sources: [web1, web2, db1]
    targets:
      - {name: web1, address: 172.18.0.2}
      - {name: web2, address: 172.18.0.3}
      - {name: db1, address: 172.18.0.4}
      - 172.18.0.1

- name: Published ports answer from this host's own namespace, while workloads may still be starting
  linuxns.net.reachability:
    ports:
      - {name: web, address: 198.51.100.11, port: 8080}
      - {name: db from web1, address: 172.18.0.4, port: 5432, source: web1}
    retries: 4
    delay: 1
    timeout: 2

- name: web1 reaches db1 on the backend network, web2 (not on it) must not
  linuxns.net.reachability:
    sources: [web1, web2]
    targets:
      - {name: db1, address: 172.19.0.4, blocked_from: [web2]}

- name: Report misses without failing, then show the matrix
  linuxns.net.reachability:
    sources: [web1, web2]
    targets: [10.244.2.2, 10.244.2.3, "fd00:18::1"]
    fail_on_miss: false
  register: pingall

- name: Show it
  ansible.builtin.debug:
    msg: "{{ pingall.matrix.lines }}"
"""

RETURN = r"""
matrix:
  description: What each source reached.
  returned: success, and failure because of misses
  type: dict
  contains:
    columns:
      description: Target names, then port check names, in the order given.
      type: list
      elements: str
      sample: [web1, web2, 172.18.0.1, "198.51.100.11:8080"]
    rows:
      description: One row per source that checked something.
      type: list
      elements: dict
      contains:
        source:
          description: The namespace's name, or the host name for the module's own namespace.
          type: str
        netns:
          description: The namespace as given; V("") for the module's own.
          type: str
        results:
          description: Column name to V(ok), V(isolated) (no answer, as C(blocked_from) expects) or V(miss).
          type: dict
      sample: [{source: web1, netns: web1, results: {web2: ok, 172.18.0.1: miss}}]
    lines:
      description: The matrix as text, one row per source with V(.) for reached and V(X) for missed
        under numbered columns, then the legend.
      type: list
      elements: str
      sample: ["from  1 2", "web1  . X", "web2  . .", "to: 1=web2, 2=172.18.0.1", ". reached, X missed"]
misses:
  description: Each missed check as C(source -> target).
  returned: success, and failure because of misses
  type: list
  elements: str
  sample: ["web1 -> 172.18.0.1"]
miss_details:
  description: Each missed check with its address, port, tries and the last error.
  returned: success, and failure because of misses
  type: list
  elements: dict
  sample: [{source: web1, target: 172.18.0.1, address: 172.18.0.1, port: null, tries: 3, error: no answer within 1 s}]
total:
  description: Number of checks (sources times targets, plus ports).
  returned: success, and failure because of misses
  type: int
  sample: 99
passed:
  description: Number of checks that reached their target.
  returned: success, and failure because of misses
  type: int
  sample: 98
elapsed:
  description: Seconds the probing took.
  returned: success, and failure because of misses
  type: float
  sample: 0.012
neighbours_flushed:
  description: How many neighbour entries O(flush_neighbours) deleted.
  returned: when O(flush_neighbours=true)
  type: int
  sample: 862
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.linuxns.net.plugins.module_utils._reachability import probe_and_exit


def main():
    module = AnsibleModule(
        argument_spec=dict(
            sources=dict(type='list', elements='str'),
            targets=dict(type='list', elements='raw', default=[]),
            ports=dict(type='list', elements='dict', default=[], options=dict(
                address=dict(type='str', required=True),
                port=dict(type='int', required=True),
                name=dict(type='str'),
                source=dict(type='str'),
            )),
            timeout=dict(type='float', default=1),
            retries=dict(type='int', default=2),
            delay=dict(type='float', default=1),
            fail_on_miss=dict(type='bool', default=True),
            flush_neighbours=dict(type='bool', default=False),
            sources_at_once=dict(type='int', default=0),
        ),
        supports_check_mode=True,
    )
    probe_and_exit(module)


if __name__ == '__main__':
    main()
