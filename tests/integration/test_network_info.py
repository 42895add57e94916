# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.network_info against the kernel's own view.

The sandbox is the host: container_network builds a bridge with two
containers (a published port, limits, a process in a cgroup), the vxlan
module an overlay device with a flood list, and by hand a foreign namespace
with a foreign veth pair and a foreign rule in our DNAT chain.  What the
module reports is compared with ip -j link/addr/route, bridge -j fdb,
iptables-save, the cgroup files and the record."""

import ipaddress
import json
import os
import shlex
import subprocess
import sys

import pytest

from conftest import REPO, Ansible
from kernel import netns_list, remove_cgroups, sh

BRIDGE, SUBNET, VXLAN = 'nibr0', '10.77.0.0/24', 'nivx0'
FOREIGN_RULE = '-t nat -A LINUXNS-DNAT -p tcp --dport 9 -j DNAT --to-destination 10.77.0.99:9'


def container_network(options, state='present'):
    args = dict(options['network'], state=state)
    return [{'name': 'net', 'linuxns.net.container_network': args}]


def network_info(**args):
    return [{'name': 'info', 'linuxns.net.network_info': args, 'register': 'info'},
            {'name': 'fact', 'ansible.builtin.debug': {'msg': '{{ linuxns_network == info.network }}'}}]


@pytest.fixture
def host(tmp_path, collections_path):
    """A container network, an overlay device, a process in a cgroup and foreign objects."""
    parent = 'lnstest-ni-%d' % os.getpid()
    network = {'bridge': BRIDGE, 'subnet': SUBNET, 'state_dir': str(tmp_path / 'state'), 'cgroup_parent': parent,
               'containers': [{'name': 'web', 'ports': [{'host': 8080, 'container': 80}], 'command': 'sleep 300',
                               'limits': {'cpu': '0.5', 'memory': '64M', 'pids_max': 32}},
                              {'name': 'db', 'address': '10.77.0.20'}]}
    options = {'network': network, 'parent': parent}
    ansible = Ansible(str(tmp_path), collections_path)
    run = ansible.play(container_network(options))
    assert run.rc == 0, run.output
    sh('ip link add uplink0 type veth peer name uplink1 && ip addr add 198.51.100.1/24 dev uplink0 && ip link set uplink0 up')
    run = ansible.play([{'name': 'overlay', 'linuxns.net.vxlan': {
        'name': VXLAN, 'vni': 7, 'local': '198.51.100.1', 'peers': ['198.51.100.2', '198.51.100.3'],
        'addresses': ['10.77.0.0/32']}}])
    assert run.rc == 0, run.output
    sh('ip netns add foreign && ip link add fv0 type veth peer name fv1 netns foreign && '
       'ip addr add 192.168.77.1/30 dev fv0 && ip link set fv0 up && ip link add fbr0 type bridge && '
       'iptables %s' % FOREIGN_RULE)
    yield options
    sh('iptables %s' % FOREIGN_RULE.replace(' -A ', ' -D '), check=False)
    assert ansible.play(container_network(options, 'absent')).rc == 0
    sh('ip link del %s; ip link del uplink0; ip link del fbr0; ip link del fv0' % VXLAN, check=False)
    remove_cgroups(parent)


def read(ansible, check=False, **args):
    run = ansible.play(network_info(**args), check=check)
    assert run.rc == 0, run.output
    result = run.task('info')
    assert result['changed'] is False
    assert run.task('fact')['msg'] is True  # the fact holds the same as the return value
    return result['network'], run


# -- the kernel's own view -------------------------------------------------------

def ip(netns, command):
    return json.loads(sh('ip %s-j %s' % ('-n %s ' % netns if netns else '', command)) or '[]')


def kernel_links(netns):
    """{ifname: (kind, mtu, mac, up, master, index of a veth's peer)} from ip -d -j link
    (which names a peer in the same namespace, and gives the index of one elsewhere)."""
    links = ip(netns, '-d link')
    index = dict((entry['ifname'], entry['ifindex']) for entry in links)
    result = {}
    for entry in links:
        kind = entry.get('linkinfo', {}).get('info_kind')
        peer = entry.get('link_index') or index.get(entry.get('link')) if kind == 'veth' else None
        result[entry['ifname']] = (kind, entry['mtu'], entry.get('address'), 'UP' in entry['flags'], entry.get('master'), peer)
    return result


def kernel_addresses(netns):
    """{ifname: sorted CIDRs without IPv6 link-local} from ip -j addr."""
    return dict((entry['ifname'], sorted('%s/%d' % (a['local'], a['prefixlen']) for a in entry['addr_info']
                                         if not (a['family'] == 'inet6' and a['scope'] == 'link')))
                for entry in ip(netns, 'addr'))


def kernel_routes(netns):
    """(dst, gateway, dev) of the main IPv4 table from ip -j route."""
    routes = set()
    for r in ip(netns, 'route'):
        dst = r['dst'] if r['dst'] == 'default' else str(ipaddress.ip_network(r['dst']))
        routes.add((dst, r.get('gateway'), r.get('dev')))
    return routes


def reported_links(namespace):
    return dict((name, (l['kind'], l['mtu'], l['mac'], l['state'] == 'up', l['master'], (l.get('peer') or {}).get('index')))
                for name, l in namespace['links'].items())


def our_chains(collections_path):
    """Rules of our chains as iptables-save prints them, normalized as the module reports them."""
    sys.path.insert(0, collections_path)
    from ansible_collections.linuxns.net.plugins.module_utils._iptables import normalize
    rules = []
    for line in sh('iptables-save').splitlines():
        tokens = shlex.split(line)
        if line.startswith('-A LINUXNS-'):
            rules.append('-A %s %s' % (tokens[1], normalize(tokens[2:])))
    return sorted(rules)


def root_state():
    """Links, addresses, routes, namespaces and rules (without counters, timers and
    the IPv6 link-local addresses and routes that come and go with DAD)."""
    text = sh('ip -o link; ip -o addr | sed -E "s/ +(valid|preferred)_lft [^ ]+//g"; ip route show table all; '
              'ip -6 route show table all; ip netns list; bridge fdb; iptables-save | grep -v "^#" | sed -E "s/\\[[0-9]+:[0-9]+\\]//"; '
              'for n in $(ip netns list | cut -d" " -f1); do ip -n $n -o link; ip -n $n route show table all; done')
    return [line for line in text.splitlines() if 'fe80' not in line]


# -- tests -------------------------------------------------------------------------

def test_reports_what_the_kernel_has(host, ansible, collections_path):
    before = root_state()
    info, _run = read(ansible, cgroup_parents=[host['parent']], state_dir=host['network']['state_dir'])
    assert root_state() == before  # read only

    assert sorted(info['namespaces']) == netns_list() == ['db', 'foreign', 'web']
    for netns, namespace in [(None, info['host'])] + sorted(info['namespaces'].items()):
        assert reported_links(namespace) == kernel_links(netns), netns
        assert dict((n, l['addresses']) for n, l in namespace['links'].items()) == kernel_addresses(netns), netns
        main = set((r['dst'], r['gateway'], r['dev']) for r in namespace['routes'] if r['table'] == 'main' and r['family'] == 4)
        assert main == kernel_routes(netns), netns
        assert namespace['id'] == os.stat('/run/netns/%s' % netns if netns else '/proc/self/ns/net').st_ino

    links = info['host']['links']
    # veth peers across namespaces, by name
    assert links['ve-web']['peer'] == {'netns': 'web', 'ifname': 'eth0', 'index': ip('web', 'link show eth0')[0]['ifindex'],
                                       'seen': True}
    web_eth0 = info['namespaces']['web']['links']['eth0']
    assert web_eth0['peer'] == {'netns': None, 'ifname': 've-web', 'index': links['ve-web']['index'], 'seen': True}
    assert links['fv0']['peer']['netns'] == 'foreign' and info['namespaces']['foreign']['links']['fv1']['peer']['ifname'] == 'fv0'
    assert links['uplink0']['peer'] == {'netns': None, 'ifname': 'uplink1', 'index': links['uplink1']['index'], 'seen': True}
    # bridge ports and the overlay's flood list
    assert links[BRIDGE]['ports'] == sorted(e['ifname'] for e in ip(None, 'link show master %s' % BRIDGE)) == ['ve-db', 've-web']
    fdb = sorted(e['dst'] for e in json.loads(sh('bridge -j fdb show dev %s' % VXLAN)) if e['mac'] == '00:00:00:00:00:00')
    assert sorted(links[VXLAN]['vxlan']['flood']) == fdb == ['198.51.100.2', '198.51.100.3']
    assert (links[VXLAN]['vxlan']['vni'], links[VXLAN]['vxlan']['local'], links[VXLAN]['vxlan']['port']) == (7, '198.51.100.1', 4789)

    # ours and foreign
    assert (info['namespaces']['web']['owned'], info['namespaces']['foreign']['owned']) == (True, False)
    assert (links[BRIDGE]['owned'], links['ve-web']['owned'], links[VXLAN]['owned']) == (True, True, True)
    assert (links['fv0']['owned'], links['fbr0']['owned'], links['uplink0']['owned']) == (False, False, False)
    web_routes = info['namespaces']['web']['routes']
    assert [r['owned'] for r in web_routes if r['dst'] == 'default'] == [True]
    assert all(not r['owned'] for r in web_routes if r['dst'] != 'default')

    # our chains, by group; the rule someone else put in ours is foreign
    nat = info['nat']
    rules = [r for rules in nat['groups'].values() for r in rules] + nat['foreign']
    assert sorted(r['rule'] for r in rules if r['family'] == 'ipv4') == our_chains(collections_path)
    assert sorted(nat['groups']) == [BRIDGE]
    dnat = [r for r in nat['groups'][BRIDGE] if r['kind'] == 'dnat']
    assert [(r['port'], r['to'], r['comment']) for r in dnat] == [('8080', '10.77.0.2:80', 'web')]
    assert [(r['owned'], r['port'], r['to']) for r in nat['foreign']] == [(False, '9', '10.77.0.99:9')]
    assert {'family': 'ipv4', 'table': 'nat', 'chain': 'LINUXNS-DNAT', 'jumps': ['PREROUTING', 'OUTPUT']} in nat['chains']

    # our cgroups: limits and members as the kernel's files have them
    group = info['cgroups']['%s/web' % host['parent']]
    assert (group['cpu'], group['memory'], group['pids_max'], group['name']) == (0.5, '64M', 32, 'web')
    with open(os.path.join(host['network']['state_dir'], 'web.pid')) as handle:
        assert int(handle.read()) in group['members']  # the workload, in its cgroup
    for path in group['paths']:
        assert group['members'] == sorted(int(p) for p in open(os.path.join(path, 'cgroup.procs')).read().split())
        if os.path.exists(os.path.join(path, 'memory.limit_in_bytes')):
            assert int(open(os.path.join(path, 'memory.limit_in_bytes')).read()) == 64 * 2 ** 20
        if os.path.exists(os.path.join(path, 'pids.max')):
            assert open(os.path.join(path, 'pids.max')).read().strip() == '32'
    assert sorted(info['cgroups']) == ['%s/web' % host['parent']]  # db has no limits, so no group

    # container_network's record
    with open(os.path.join(host['network']['state_dir'], 'containers.json')) as handle:
        assert info['record'] == json.load(handle)
    assert info['record']['addresses'] == {'web': '10.77.0.2/24', 'db': '10.77.0.20/24'}


def test_check_mode_scope_and_warnings(host, ansible):
    full, _run = read(ansible, cgroup_parents=[host['parent']], state_dir=host['network']['state_dir'])
    checked, _run = read(ansible, check=True, cgroup_parents=[host['parent']], state_dir=host['network']['state_dir'])
    assert checked == full

    info, run = read(ansible, netns=['web', 'nope'], include=['links'])
    assert sorted(info['namespaces']) == ['web']
    assert info['namespaces']['web']['routes'] is None and info['host']['routes'] is None
    assert (info['nat'], info['cgroups'], info['record']) == (None, None, None)
    assert info['host']['links']['ve-web']['peer']['netns'] == 'web'
    assert info['host']['links']['ve-db']['peer'] == {'netns': None, 'ifname': None,  # db is not read
                                                      'index': full['host']['links']['ve-db']['peer']['index'], 'seen': False}
    assert 'no namespace named nope' in run.output

    info, _run = read(ansible, include=['routes'], state_dir='/nonexistent')
    assert info['host']['links'] is None and info['host']['routes']


def test_bad_input_fails_without_reading(ansible):
    for args, option in (({'netns': ['a b']}, 'netns'), ({'cgroup_parents': ['/abs']}, 'cgroup_parents'),
                         ({'state_dir': 'rel'}, 'state_dir')):
        run = ansible.play(network_info(**args)[:1])
        assert run.rc != 0 and run.task('info')['option'] == option, run.output


def test_a_corrupt_record_is_a_warning(ansible, tmp_path):
    (tmp_path / 'containers.json').write_text('{not json')
    info, run = read(ansible, state_dir=str(tmp_path))
    assert info['record'] is None and 'not valid JSON' in run.output


FAST = r'''
import json, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.linuxns.net.plugins.module_utils import _facts, _iptables
calls = []
real_run = subprocess.run
def counting(command, *args, **kwargs):
    calls.append(command[0])
    return real_run(command, *args, **kwargs)
_iptables.subprocess.run = counting
started = time.time()
facts, warnings = _facts.gather({'state_dir': '/nonexistent'})
print(json.dumps({'seconds': time.time() - started, 'namespaces': len(facts['namespaces']), 'calls': calls,
                  'pyroute2': 'pyroute2' in sys.modules, 'peers': sorted(
                      l['peer']['netns'] for l in facts['host']['links'].values() if l['kind'] == 'veth')}))
'''


def test_many_namespaces_in_one_pass_without_forks_or_pyroute2(collections_path):
    names = ['n%03d' % i for i in range(100)]
    batch = ''.join('netns add %s\nlink add v%s type veth peer name eth0 netns %s\naddr add 10.66.%d.%d/16 dev v%s\n'
                    % (n, n, n, i // 200, i % 200 + 1, n) for i, n in enumerate(names))
    subprocess.run(['ip', '-batch', '-'], input=batch, universal_newlines=True, check=True)
    try:
        out = subprocess.run([sys.executable, '-c', FAST, collections_path], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout
    finally:
        sh('for n in %s; do ip link del v$n; done' % ' '.join(names), check=False)
    result = json.loads(out)
    assert result['namespaces'] == 100 and result['peers'] == names
    # the only processes started, per host, not per namespace: the host firewall (nft; iptables-legacy only where
    # legacy tables exist, as the kernel lists them), our iptables rules
    legacy = [tool for tool, names in (('iptables-legacy-save', 'ip_tables_names'), ('ip6tables-legacy-save', 'ip6_tables_names'))
              if open('/proc/net/' + names).read().strip()]
    assert result['calls'] == ['nft'] + legacy + ['iptables-save', 'ip6tables-save']
    assert result['pyroute2'] is False
    assert result['seconds'] < 2, result['seconds']


def test_the_module_documents_itself():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.cache', 'collections'))
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), 'linuxns.net.network_info'],
                         env=env, stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    assert 'linuxns_network' in out and 'RETURN VALUES' in out
