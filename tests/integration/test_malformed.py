# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Malformed input, thrown at every option of every module, on the real kernel.

Each case runs the module in this process (as Ansible would run it on the
host, minus the transport: hundreds of cases in seconds) against a seeded
sandbox - a namespace, a veth pair, a bridge, a rule - and must end in a
clean failure: failed, a message naming the option, no traceback, and the
kernel state (links, addresses, namespaces, routes, iptables, cgroups, the
state dir) exactly as before."""

import contextlib
import copy
import importlib
import itertools
import io
import json
import os
import re
import shutil
import sys
import traceback

import pytest

from kernel import netns_list, sh

PARENT = 'linuxns-malformed-%d' % os.getpid()
STATE_DIR = '/tmp/linuxns-malformed-%d' % os.getpid()
PID = os.getpid()


# -- running a module in this process ----------------------------------------

@pytest.fixture(scope='module')
def run_module(collections_path):
    sys.path.insert(0, collections_path)
    from ansible.module_utils.testing import patch_module_args

    def run(name, args, check=False):
        module = importlib.import_module('ansible_collections.linuxns.net.plugins.modules.' + name)
        out = io.StringIO()
        with patch_module_args(dict(args, _ansible_check_mode=check)):
            with contextlib.redirect_stdout(out):
                try:
                    module.main()
                except SystemExit:
                    pass
                except BaseException:  # what Ansible would show as MODULE FAILURE
                    return {'failed': True, 'exception': traceback.format_exc(), 'msg': 'Traceback'}
        return json.loads(out.getvalue())
    return run


# -- the kernel state a failed run must leave alone ----------------------------

def _links(netns=None):
    """Stable facts of every link (no operstate, carrier or IPv6 link-local
    addresses: those change on their own)."""
    links = json.loads(sh('ip %s-d -j addr show' % ('-n %s ' % netns if netns else '')))
    return sorted((link['ifname'], (link.get('linkinfo') or {}).get('info_kind'), link.get('mtu'), link.get('master'),
                   link.get('address'), 'UP' in link.get('flags', []), link.get('ifalias'),
                   sorted('%s/%s' % (a['local'], a['prefixlen']) for a in link.get('addr_info', [])
                          if not a['local'].startswith('fe80:'))) for link in links)


def _routes(netns=None):
    prefix = 'ip %s' % ('-n %s ' % netns if netns else '')
    text = sh(prefix + 'route show table all') + sh(prefix + '-6 route show table all')
    # the kernel's own routes follow the addresses (compared already) and appear when it gets to them
    return [line for line in re.sub(r' expires \d+sec', '', text).splitlines() if 'proto kernel' not in line]


def _cgroups():
    found = []
    for top in ('/sys/fs/cgroup', '/sys/fs/cgroup/unified'):
        for mount in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            base = os.path.join(top, mount, PARENT)
            for root, dirs, files in os.walk(base):
                found.append(root)
    return found


def snapshot():
    state = {'netns': netns_list(), 'links': _links(), 'routes': _routes(), 'cgroups': _cgroups(),
             'iptables': re.sub(r'(?m)^#.*\n|\[\d+:\d+\]', '', sh('iptables-save') + sh('ip6tables-save')),
             'forwarding': sh('sysctl -n net.ipv4.ip_forward'),
             'state_dir': sorted(os.listdir(STATE_DIR)) if os.path.isdir(STATE_DIR) else None}
    for name in state['netns']:
        state['links@' + name], state['routes@' + name] = _links(name), _routes(name)
    return state


def _seed():
    """A namespace ns1 wired to the sandbox by a veth pair, a bridge, a NAT
    rule of ours and an empty cgroup parent: real objects for the cases to
    (wrongly) refer to."""
    # no IPv6 duplicate address detection: the links' addresses settle at once
    sh('sysctl -qw net.ipv6.conf.default.accept_dad=0 && ip netns add ns1 && ip -n ns1 link set lo up && '
       'ip netns exec ns1 sysctl -qw net.ipv6.conf.default.accept_dad=0 && '
       'ip link add vseed type veth peer name eth0 netns ns1 && ip addr add 10.77.0.1/24 dev vseed && '
       'ip link set vseed up && ip -n ns1 addr add 10.77.0.2/24 dev eth0 && ip -n ns1 link set eth0 up && '
       'ip link add brseed type bridge && ip addr add 10.78.0.1/24 dev brseed && ip link set brseed up && '
       'iptables -t nat -N SEED && iptables -t nat -A SEED -s 10.77.0.0/24 -j MASQUERADE')


def _unseed():
    """Remove everything, seeded or made by a case (the sandbox's own tables only)."""
    for name in netns_list():
        sh('ip netns delete %s' % name, check=False)
    for link in json.loads(sh('ip -j link show')):
        if link['ifname'] != 'lo':
            sh('ip link del %s' % link['ifname'], check=False)
    sh('for t in iptables ip6tables; do for table in nat filter; do $t -t $table -F; $t -t $table -X; done; done',
       check=False)
    for path in sorted(_cgroups(), key=lambda p: -p.count('/')):
        os.rmdir(path)
    shutil.rmtree(STATE_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def clean_namespaces():
    """conftest's removes every namespace after each test; here the seed lives
    for the whole module and `seeded` renews it only when a case changed it."""
    yield


class Seed:
    """The seeded state, shared by the cases: seeding and a snapshot per case
    cost more than the cases.  `now()` snapshots the kernel; a case after
    which it differed from `before` gets a fresh seed."""

    def __init__(self):
        _seed()
        self.before, self.changed = snapshot(), False

    def now(self):
        current = snapshot()
        self.changed = current != self.before
        return current

    def renew(self):
        _unseed()
        self.__init__()


@pytest.fixture(scope='module')
def seed():
    state = Seed()
    yield state
    _unseed()


@pytest.fixture
def seeded(seed):
    seed.changed = True  # until a snapshot says otherwise
    yield seed
    if seed.changed:
        seed.renew()


# -- the cases -----------------------------------------------------------------

BASE = {
    'netns': {'name': ['mal1']},
    'veth': {'name': 'vmal', 'peer': {'name': 'pmal', 'netns': 'ns1'}},
    'bridge': {'name': 'brmal', 'addresses': ['10.79.0.1/24']},
    'vxlan': {'name': 'vxmal', 'vni': 42, 'peers': ['198.51.100.9']},
    'netns_route': {'netns': 'ns1', 'dst': '10.90.0.0/24', 'gateway': '10.77.0.1'},
    'nat_rule': {'group': 'mal', 'kind': 'dnat', 'port': 8080, 'to': '10.77.0.2:80'},
    'cgroup_limit': {'name': 'mal', 'parent': PARENT, 'pids_max': '10'},
    'container_network': {'bridge': 'cbrmal', 'subnet': '10.91.0.0/24', 'state_dir': STATE_DIR,
                          'cgroup_parent': PARENT, 'containers': [{'name': 'c1'}]},
    'reachability': {'sources': ['ns1'], 'targets': ['10.77.0.1'], 'timeout': 0.2, 'retries': 0},
}

# '' is a name for netns' name only: elsewhere it means "not given" (the module's own namespace)
NAMES_BAD = ['$(id)', 'a;reboot', '`id`', 'a|b', 'a b', 'a/b', '..', '-lead', 'x' * 65, 'ü', 'a\nb']
IFNAMES_BAD = ['', 'x' * 16, 'a/b', 'a:b', 'a b', '..', '.']
ADDRESSES_BAD = [['junk'], ['10.0.0.0/24'], ['10.0.0.255/24'], ['300.1.1.1/24'], ['10.0.0.1'], ['10.0.0.1/33'],
                 ['10.0.0.1/24', '10.0.0.1/24'], 'notalist-but-a-string/8', [None], [{}]]
MTUS_BAD = [0, 67, 65536, -1, 'big', 1.5, True]
MACS_BAD = ['zz', '01:00:5e:00:00:01', '02:00:00:00:00', '02:00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', 5]
BOOLS_BAD = ['maybe', 'perhaps', 2, [True]]
IPS_BAD = ['junk', '10.0.0.0/24', '300.1.1.1', '', 'fe80::1%eth0', 7]


def cases_for(module, option, values, expected=None):
    """(module, args, option expected in the message) for each bad value of
    `option` (a dotted path into the base args; a [0] picks a list entry)."""
    cases = []
    for value in values:
        args = copy.deepcopy(BASE[module])
        target, keys = args, re.findall(r'[^.\[\]]+|\[\d+\]', option)
        for key in keys[:-1]:
            target = target[int(key[1:-1])] if key.startswith('[') else target.setdefault(key, {})
        last = keys[-1]
        if last.startswith('['):
            target[int(last[1:-1])] = value
        else:
            target[last] = value
        cases.append((module, args, expected or option))
    return cases


def raw(module, args, option):
    return [(module, args, option)]


CASES = list(itertools.chain(  # one call, not a chain of +: pylint's inference recurses on those
    # netns
    cases_for('netns', 'name', [[n] for n in NAMES_BAD] + [[''], ['a', 'a'], [], [None]]),
    cases_for('netns', 'state', ['gone', '', None, 1], 'state'),
    cases_for('netns', 'pid', [-1, 0, 'abc', 99999999, 2 ** 40, 1.5], 'pid'),
    raw('netns', {'name': ['a', 'b'], 'pid': PID}, 'pid'),
    raw('netns', {'name': ['a'], 'pid': PID, 'state': 'absent'}, 'pid'),
    cases_for('netns', 'rebind', BOOLS_BAD),
    cases_for('netns', 'loopback', ['sideways', True, '']),
    cases_for('netns', 'forwarding', BOOLS_BAD),
    raw('netns', {'name': ['mal1'], 'bogus': 1}, 'bogus'),
    cases_for('netns', 'sysctls', ['x', {'kernel.pid_max': 5}, {'net..x': 1}, {'net.ipv4.ip_forward': True},
                                   {'net.ipv4.ip_forward': ''}, {'net.ipv4.ip_forward': [1]}, {'../../x': 1}], 'sysctls'),
    cases_for('netns', 'dns', ['x', {}, {'nameservers': ['junk']}, {'nameservers': ['10.0.0.1'] * 2},
                               {'nameservers': ['10.0.0.%d' % i for i in range(1, 5)]}, {'search': ['a b']},
                               {'search': ['-bad']}, {'options': ['nd ots']}, {'bogus': 1}], 'dns'),
    cases_for('netns', 'hosts', ['x', [{'names': ['a']}], [{'address': 'junk', 'names': ['a']}],
                                 [{'address': '10.0.0.1', 'names': []}], [{'address': '10.0.0.1', 'names': ['a b']}],
                                 [{'address': '10.0.0.1', 'names': ['a'], 'bogus': 1}]], 'hosts'),
    # veth
    cases_for('veth', 'name', IFNAMES_BAD),
    cases_for('veth', 'netns', NAMES_BAD),
    cases_for('veth', 'addresses', ADDRESSES_BAD),
    cases_for('veth', 'mtu', MTUS_BAD),
    cases_for('veth', 'mac', MACS_BAD),
    cases_for('veth', 'bridge', IFNAMES_BAD[1:] + ['nosuchbr', 'vseed']),
    cases_for('veth', 'state', ['sideways', '']),
    cases_for('veth', 'recreate', BOOLS_BAD),
    cases_for('veth', 'purge_addresses', BOOLS_BAD),
    cases_for('veth', 'peer', ['eth0', [], {'netns': 'ns1'}, {'name': 'pmal', 'bogus': 1}], 'peer'),
    cases_for('veth', 'peer.name', IFNAMES_BAD),
    raw('veth', {'name': 'vmal', 'peer': {'name': 'vmal'}}, 'peer.name'),
    cases_for('veth', 'peer.netns', NAMES_BAD + ['nosuchns']),
    cases_for('veth', 'peer.addresses', ADDRESSES_BAD),
    cases_for('veth', 'peer.mtu', MTUS_BAD),
    cases_for('veth', 'peer.mac', MACS_BAD),
    cases_for('veth', 'peer.bridge', IFNAMES_BAD[1:] + ['nosuchbr']),
    cases_for('veth', 'peer.state', ['absent', 'sideways']),
    raw('veth', {'name': 'vmal'}, 'peer'),
    raw('veth', {'name': 'vseed', 'peer': {'name': 'other'}}, 'recreate'),
    raw('veth', {'name': 'brseed', 'state': 'absent'}, 'name'),
    raw('veth', {'name': 'vmal', 'peer': {'name': 'pmal'}, 'pairs': [{'name': 'x', 'peer': {'name': 'y'}}]}, 'pairs'),
    raw('veth', {'pairs': [{'name': 'a1', 'peer': {'name': 'b1'}}, {'name': 'a1', 'peer': {'name': 'b2'}}]}, 'pairs'),
    raw('veth', {'pairs': [{'name': 'a1', 'peer': {'name': 'b1'}}, {'name': 'a2', 'peer': {'name': 'b2', 'netns': 'a;b'}}]},
        'pairs[1].peer.netns'),
    raw('veth', {'pairs': [{'name': 'a1'}]}, 'pairs[0].peer'),
    raw('veth', {'pairs': 'a1'}, 'pairs'),
    raw('veth', {'pairs': [{'name': 'a1', 'peer': {'name': 'b1'}, 'mtu': 'x'}]}, 'mtu'),
    # bridge
    cases_for('bridge', 'name', IFNAMES_BAD + ['vseed']),
    cases_for('bridge', 'netns', NAMES_BAD + ['nosuchns']),
    cases_for('bridge', 'addresses', ADDRESSES_BAD),
    cases_for('bridge', 'mtu', MTUS_BAD),
    cases_for('bridge', 'mac', MACS_BAD),
    cases_for('bridge', 'state', ['sideways']),
    cases_for('bridge', 'stp', BOOLS_BAD),
    cases_for('bridge', 'forward_delay', [-1, 31, 'slow', float('nan'), float('inf'), [1]]),
    raw('bridge', {'name': 'brmal', 'stp': True, 'forward_delay': 1}, 'forward_delay'),
    cases_for('bridge', 'ports', [['x' * 16], ['nosuch0'], ['brmal'], ['brseed'], ['vseed', 'vseed'], 'vseed,x']),
    cases_for('bridge', 'hairpin', [['notaport'], ['x' * 16], ['a b']]),
    cases_for('bridge', 'purge_ports', BOOLS_BAD),
    cases_for('bridge', 'force', BOOLS_BAD),
    raw('bridge', {'bridges': [{'name': 'b1'}, {'name': 'b1'}]}, 'bridges'),
    raw('bridge', {'bridges': [{'name': 'b1', 'mtu': 10}]}, 'bridges[0].mtu'),
    raw('bridge', {'name': 'vseed', 'state': 'absent'}, 'name'),
    # vxlan
    cases_for('vxlan', 'name', IFNAMES_BAD + ['vseed']),
    cases_for('vxlan', 'netns', NAMES_BAD + ['nosuchns']),
    cases_for('vxlan', 'vni', [0, -1, 2 ** 24, 'x', None, 1.5]),
    cases_for('vxlan', 'local', [ip for ip in IPS_BAD if ip != '']),  # '': not given
    raw('vxlan', {'name': 'vxmal', 'vni': 42, 'local': 'fd00::1', 'peers': ['198.51.100.9']}, 'peers'),
    cases_for('vxlan', 'dev', IFNAMES_BAD[1:] + ['nosuch0']),
    cases_for('vxlan', 'port', [0, 65536, -1, 'x']),
    cases_for('vxlan', 'learning', BOOLS_BAD),
    cases_for('vxlan', 'peers', [[p] for p in IPS_BAD] + [['198.51.100.9', '198.51.100.9'], 'x']),
    raw('vxlan', {'name': 'vxmal', 'vni': 42, 'local': '198.51.100.1', 'peers': ['fd00::2']}, 'peers'),
    raw('vxlan', {'name': 'vxmal', 'vni': 42, 'local': '198.51.100.1', 'peers': ['198.51.100.1']}, 'peers'),
    cases_for('vxlan', 'purge_peers', BOOLS_BAD),
    cases_for('vxlan', 'addresses', ADDRESSES_BAD),
    cases_for('vxlan', 'mtu', MTUS_BAD),
    cases_for('vxlan', 'mac', MACS_BAD),
    cases_for('vxlan', 'bridge', IFNAMES_BAD[1:] + ['nosuchbr', 'vseed']),
    cases_for('vxlan', 'recreate', BOOLS_BAD),
    raw('vxlan', {'devices': [{'name': 'v1', 'vni': 1}, {'name': 'v1', 'vni': 2}]}, 'devices'),
    raw('vxlan', {'devices': [{'name': 'v1'}]}, 'devices[0].vni'),
    # netns_route
    cases_for('netns_route', 'netns', NAMES_BAD + ['nosuchns']),
    cases_for('netns_route', 'dst', ['junk', '10.90.0.1/24', '10.90.0.0/33', 5, 'fd00::/200']),
    raw('netns_route', {'netns': 'ns1', 'dst': '', 'gateway': '10.77.0.1'}, 'routes'),  # '': no route given
    cases_for('netns_route', 'gateway', IPS_BAD + ['fd00::1', '10.99.0.1']),
    cases_for('netns_route', 'dev', IFNAMES_BAD[1:] + ['nosuch0']),
    cases_for('netns_route', 'metric', [-1, 2 ** 32, 'x', 1.5]),
    cases_for('netns_route', 'table', [0, -1, 2 ** 32, 'nosuchtable', '', 1.5, [1], {'a': 1}]),
    cases_for('netns_route', 'scope', [-1, 256, 'galaxy', '', 1.5, [1]]),
    cases_for('netns_route', 'src', IPS_BAD + ['fd00::1']),
    cases_for('netns_route', 'onlink', BOOLS_BAD),
    raw('netns_route', {'netns': 'ns1', 'dst': '10.90.0.0/24'}, 'gateway'),
    raw('netns_route', {'netns': 'ns1', 'dst': '10.90.0.0/24', 'gateway': 'fe80::1'}, 'gateway'),
    raw('netns_route', {'netns': 'ns1'}, 'routes'),
    raw('netns_route', {'netns': 'ns1', 'routes': [{'dst': 'default', 'gateway': '10.77.0.1'},
                                                   {'dst': '0.0.0.0/0', 'gateway': '10.77.0.1'}]}, 'routes[1].dst'),
    raw('netns_route', {'routes': [{'dst': '10.90.0.0/24', 'gateway': '10.77.0.1', 'netns': 'a;b'}]}, 'routes[0].netns'),
    raw('netns_route', {'routes': [{'gateway': '10.77.0.1'}]}, 'dst'),
    raw('netns_route', {'routes': 'x'}, 'routes'),
    # nat_rule
    cases_for('nat_rule', 'group', ['', 'a b', 'a;b', '$(id)', 'x' * 101]),
    cases_for('nat_rule', 'kind', ['nat', '', 5]),
    cases_for('nat_rule', 'source', ['junk', '10.0.0.1/24', '!', '10.0.0.0/33', 5]),
    cases_for('nat_rule', 'destination', ['junk', '10.0.0.1/24', '!!10.0.0.0/24']),
    cases_for('nat_rule', 'protocol', ['icmp', 'TCP ', 6]),
    cases_for('nat_rule', 'port', [0, 65536, -1, 'http', '80-', '90-80', '1-2-3', [80], {'a': 1}, 1.5, True, '']),
    cases_for('nat_rule', 'in_interface', IFNAMES_BAD[1:] + ['!']),
    cases_for('nat_rule', 'out_interface', IFNAMES_BAD[1:] + ['!']),
    cases_for('nat_rule', 'to', ['junk', '10.0.0.2:0', '10.0.0.2:99999', '10.0.0.2:x', '[fd00::2]', '', ':80',
                                 '10.0.0.2:80:90']),
    raw('nat_rule', {'kind': 'masquerade', 'source': '10.77.0.0/24', 'to': '10.0.0.1'}, 'to'),
    raw('nat_rule', {'kind': 'snat', 'source': '10.77.0.0/24', 'to': '10.0.0.1:80'}, 'to'),
    raw('nat_rule', {'kind': 'snat', 'source': '10.77.0.0/24'}, 'to'),
    raw('nat_rule', {'kind': 'dnat', 'to': '10.77.0.2'}, 'port'),
    raw('nat_rule', {'kind': 'masquerade', 'source': '10.77.0.0/24', 'destination': 'fd00::/64'}, 'source'),
    raw('nat_rule', {'kind': 'masquerade', 'source': '10.77.0.0/24', 'family': 'ipv6'}, 'family'),
    raw('nat_rule', {'kind': 'masquerade', 'port': 80}, 'protocol'),
    cases_for('nat_rule', 'hairpin', BOOLS_BAD),
    cases_for('nat_rule', 'comment', ['', 'a b', 'a;b', 'x' * 101, '"q"']),
    cases_for('nat_rule', 'family', ['ipv5', 4, '']),
    cases_for('nat_rule', 'netns', NAMES_BAD + ['nosuchns']),
    cases_for('nat_rule', 'purge', BOOLS_BAD),
    cases_for('nat_rule', 'state', ['sideways']),
    raw('nat_rule', {'group': 'mal'}, 'rules'),
    raw('nat_rule', {'rules': [{'kind': 'forward'}, {'kind': 'dnat', 'port': 80}]}, 'rules[1].to'),
    raw('nat_rule', {'rules': [{'port': 80}]}, 'kind'),
    raw('nat_rule', {'rules': [{'kind': 'forward', 'comment': 'a b'}]}, 'rules[0].comment'),
    # cgroup_limit
    cases_for('cgroup_limit', 'name', ['', '../escape', '/abs', 'a/./b', 'a//b', 'a/', '$(id)', 'a;reboot', 'a b',
                                       'x' * 256]),
    cases_for('cgroup_limit', 'parent', ['', '/sys', '..', 'a/../b', '$(id)', 'a b']),
    cases_for('cgroup_limit', 'state', ['sideways']),
    cases_for('cgroup_limit', 'cpu', ['0', '-1', 'lots', 'nan', 'inf', '-inf', '1e30', '0.001', '', [1]]),
    raw('cgroup_limit', {'name': 'mal', 'parent': PARENT, 'cpu': '1', 'cpu_period': 999}, 'cpu_period'),
    raw('cgroup_limit', {'name': 'mal', 'parent': PARENT, 'cpu': '1', 'cpu_period': 1000001}, 'cpu_period'),
    raw('cgroup_limit', {'name': 'mal', 'parent': PARENT, 'cpu': '1', 'cpu_period': 'x'}, 'cpu_period'),
    raw('cgroup_limit', {'name': 'mal', 'parent': PARENT, 'cpu_period': 100000}, 'cpu_period'),
    cases_for('cgroup_limit', 'cpu_weight', [0, 10001, -1, 'x', 1.5]),
    cases_for('cgroup_limit', 'memory', ['12XB', '-5', '0', '1.5G', 'G', '', 'lots', '99999999999T', [1]]),
    cases_for('cgroup_limit', 'memory_swap', ['12XB', '-5', '0', 'lots']),
    cases_for('cgroup_limit', 'pids_max', ['0', '-1', 'many', '1.5', '', '99999999', [1]]),
    # a CPU the host lacks ('999') is the kernel's to refuse: test_cgroup proves that run rolls back
    cases_for('cgroup_limit', 'cpuset_cpus', ['3-1', 'a', '', '-1', '0-99999999', '1,,2']),
    cases_for('cgroup_limit', 'processes', [[0], [-1], ['x'], [99999999], [4194000], 'x']),
    cases_for('cgroup_limit', 'netns', NAMES_BAD + ['nosuchns']),
    cases_for('cgroup_limit', 'members_on_remove', ['stay']),
    raw('cgroup_limit', {'parent': PARENT, 'groups': [{'name': 'a'}, {'name': 'a'}]}, 'groups'),
    raw('cgroup_limit', {'parent': PARENT, 'groups': [{'name': 'a', 'memory': 'x'}]}, 'groups[0].memory'),
    raw('cgroup_limit', {'parent': PARENT, 'groups': [{'name': 'a;b'}]}, 'groups[0].name'),
    raw('cgroup_limit', {'parent': PARENT, 'groups': [{'name': 'a', 'netns': 'a;b'}]}, 'groups[0].netns'),
    raw('cgroup_limit', {'parent': PARENT, 'groups': [{'name': 'a', 'bogus': 1}]}, 'bogus'),
    raw('cgroup_limit', {'parent': PARENT}, 'name'),
    # container_network
    cases_for('container_network', 'bridge', IFNAMES_BAD[1:] + ['vseed']),
    cases_for('container_network', 'subnet', ['junk', '10.91.0.1/24', '10.91.0.0/31', 'fd00::/64', '10.91.0.0/33', 5]),
    cases_for('container_network', 'gateway', ['junk', '10.92.0.1', '10.91.0.0', '10.91.0.255']),
    cases_for('container_network', 'mtu', MTUS_BAD),
    cases_for('container_network', 'masquerade', BOOLS_BAD),
    cases_for('container_network', 'forwarding', BOOLS_BAD),
    cases_for('container_network', 'prune', BOOLS_BAD),
    cases_for('container_network', 'cluster_cidr', ['junk', '10.0.0.1/8', '10.200.0.0/16']),
    cases_for('container_network', 'state_dir', ['relative', '']),
    cases_for('container_network', 'cgroup_parent', ['', '/sys', '..', '$(id)', 'a b']),
    cases_for('container_network', 'containers', [[42], [['x']], [{}], [{'name': 'c1'}, {'name': 'c1'}], [{'name': 'c1', 'bogus': 1}]]),
    cases_for('container_network', 'containers[0].name', ['', 'a b', '-a', '$(id)', 'a;reboot', 'x' * 64, 'ü']),
    cases_for('container_network', 'containers[0].address', [
        'junk', '10.92.0.5', '10.91.0.0', '10.91.0.1', '10.91.0.255', 'fd00::5']),
    raw('container_network', dict(BASE['container_network'], containers=[
        {'name': 'c1', 'address': '10.91.0.5'}, {'name': 'c2', 'address': '10.91.0.5'}]), 'containers[1].address'),
    cases_for('container_network', 'containers[0].ports', [
        'x', [{'host': 0}], [{'host': 65536}], [{'host': 'x'}], [{'host': 80, 'container': 0}],
        [{'host': 80, 'protocol': 'icmp'}], [{'container': 80}], [{'host': 80}, {'host': 80}],
        [{'host': '9-8'}], [{'host': True}], [{'host': '8000-8009', 'container': '9000-9009'}], [{'host': 80, 'container': '80-81'}],
        ['8000-8009:9000-9009'], ['8080:80/icmp'], ['8005', '8000-8010'], ['1.2.3:80:80']], 'ports'),
    cases_for('container_network', 'containers[0].limits', [
        'x', {'cpu_quota': 5}, {'cpu': 'lots'}, {'cpu': 'nan'}, {'memory': '12XB'}, {'pids_max': '0'},
        {'cpu_period': 50000}, {'cpu': '1', 'cpu_period': 10}, {'cpu_weight': 0}, {'cpuset_cpus': '3-1'},
        {'memory_swap': 'x'}], 'limits'),
    cases_for('container_network', 'routes', ['x', [{'dst': 'junk', 'gateway': '10.91.0.9'}],
                                              [{'dst': '10.95.0.0/24'}], [{'dst': '10.95.0.0/24', 'gateway': 'junk'}],
                                              [{'dst': '10.95.0.0/24', 'gateway': '10.91.0.9', 'metric': -1}],
                                              [{'dst': '10.95.0.0/24', 'dev': 'x' * 16}]], 'routes'),
    cases_for('container_network', 'vxlan', [
        'x', {'name': 'vx0'}, {'name': 'vx0', 'vni': 0}, {'name': 'x' * 16, 'vni': 1},
        {'name': 'vx0', 'vni': 1, 'peers': ['junk']}, {'name': 'vx0', 'vni': 1, 'local': 'junk'},
        {'name': 'vx0', 'vni': 1, 'port': 0}, {'name': 'vx0', 'vni': 1, 'mtu': 10}], 'vxlan'),
    raw('container_network', {'state_dir': STATE_DIR, 'cgroup_parent': PARENT}, 'subnet'),
    cases_for('container_network', 'containers[0].sysctls', ['x', {'kernel.pid_max': 5}, {'net.x': True}], 'sysctls'),
    cases_for('container_network', 'containers[0].dns', ['x', {}, {'nameservers': ['junk']}, {'bogus': 1}], 'dns'),
    cases_for('container_network', 'containers[0].hosts', ['x', [{'address': 'junk', 'names': ['a']}],
                                                           [{'address': '10.0.0.1'}]], 'hosts'),
    # reachability
    cases_for('reachability', 'sources', [[n] for n in NAMES_BAD if n] + [['nosuchns'], ['ns1', 'ns1'], 'ns1;x']),
    cases_for('reachability', 'targets', [['junk'], [''], [None], [{'address': 'junk'}], [{'name': 'x'}],
                                          [{'address': '10.77.0.1', 'bogus': 1}], ['10.77.0.1', '10.77.0.1'], [5]]),
    cases_for('reachability', 'ports', ['x', [{'address': 'junk', 'port': 80}], [{'address': '10.77.0.1', 'port': 0}],
                                        [{'address': '10.77.0.1', 'port': 65536}], [{'address': '10.77.0.1'}],
                                        [{'address': '10.77.0.1', 'port': 80, 'source': 'a;b'}],
                                        [{'address': '10.77.0.1', 'port': 80, 'source': 'nosuchns'}]], 'ports'),
    cases_for('reachability', 'timeout', [0, -1, 61, 'x', float('nan'), float('inf')]),
    cases_for('reachability', 'delay', [-1, 61, 'x', float('nan')]),
    cases_for('reachability', 'retries', [-1, 11, 'x', 1.5]),
    cases_for('reachability', 'fail_on_miss', BOOLS_BAD)
))


ANSIBLE_DICT_ERROR = 'dictionary requested, could not parse JSON or key=value'


def case_id(case):
    module, args, option = case
    return '%s-%s-%s' % (module, option, json.dumps(args, sort_keys=True)[:60])


# Validation runs before the engine, the same in both modes: check mode gets every 8th case, so the suite stays quick
RUNS = [pytest.param(*case, False, id='run-' + case_id(case)) for case in CASES] + [
    pytest.param(*case, True, id='check-' + case_id(case)) for case in CASES[::8]]


@pytest.mark.parametrize('module, args, option, check', RUNS)
def test_malformed_input_fails_cleanly_and_changes_nothing(run_module, seeded, module, args, option, check):
    result = run_module(module, args, check=check)
    if check and 'check mode assumed' in json.dumps(result.get('warnings', [])):
        # by design: check mode takes a missing namespace, bridge or port for one an earlier task makes
        assert seeded.now() == seeded.before
        return
    assert result.get('failed') is True, result
    assert 'exception' not in result and 'Traceback' not in result['msg'], result.get('exception') or result['msg']
    leaf = re.sub(r'\[\d+\]', '', option.rsplit('.', 1)[-1])
    # ansible-core's own check of a dict option given a string names no option: not ours to fix
    assert leaf in result['msg'] or result['msg'] == ANSIBLE_DICT_ERROR, (option, result['msg'])
    if 'option' in result:  # our own checks name the option by its full path: it, or one of its parts
        assert re.match(r'^(.*\.)?%s([.\[].*)?$' % re.escape(option), result['option']), (option, result)
        assert result['msg'].startswith(result['option'] + ': ') or ': %s: ' % result['option'] in result['msg'], result
    assert not result.get('changed'), result
    assert seeded.now() == seeded.before


ROLE_CASES = [
    ({'containers_state': 'sideways'}, 'containers_state'),
    ({'containers_list': [{'name': '$(id)'}]}, 'name'),
    ({'containers_list': [{'name': 'a;reboot'}]}, 'name'),
    ({'containers_list': [{'name': 'web', 'limits': {'cpu_quota': 1}}]}, 'limits'),
    ({'containers_list': [{'name': 'web', 'limits': {'cpu': 'nan'}}]}, 'cpu'),
    ({'containers_list': [{'name': 'web', 'ports': [{'host': 0}]}]}, 'host'),
    ({'containers_list': [{'name': 'web', 'bogus': 1}]}, 'bogus'),
    ({'containers_mtu': 'big'}, 'containers_mtu'),
    ({'containers_subnet': 'junk'}, 'subnet'),
    ({'containers_bridge': 'x' * 16}, 'bridge'),
]


def test_the_containers_role_refuses_malformed_input(ansible, seeded, tmp_path):
    """One playbook, one bad case per task: each fails naming the option, and nothing changes."""
    good = {'containers_subnet': '10.91.0.0/24', 'containers_bridge': 'cbrmal', 'containers_state_dir': STATE_DIR,
            'containers_cgroup_parent': PARENT, 'containers_list': [{'name': 'c1'}]}
    tasks = [{'block': [{'name': 'case%d' % i, 'include_role': {'name': 'linuxns.net.containers'},
                         'vars': dict(good, **bad)}],
              'rescue': [{'name': 'rescued', 'debug': {'msg': 'next case'}}]} for i, (bad, _option) in enumerate(ROLE_CASES)]
    run = ansible.play(tasks)
    failures = [r for r in run.records if r['status'] == 'failed']
    assert len(failures) == len(ROLE_CASES), run
    for record, (bad, option) in zip(failures, ROLE_CASES):
        msg = record['result'].get('msg', '')
        assert option in msg and 'Traceback' not in msg, (bad, msg)
        # ansible-core 2.19 records '(traceback unavailable)' for every failure; a real one is a crash
        assert 'Traceback (most recent call last)' not in str(record['result'].get('exception')), record['result']
    assert seeded.now() == seeded.before
