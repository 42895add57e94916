# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster layout filters the roles use."""

import json
import os
import subprocess
import sys

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.linuxns.net.plugins.filter import network
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, container_name

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HOSTVARS = {
    'host2': {'cluster_network_host_subnet': '10.244.2.0/24', 'cluster_network_underlay_address': '198.51.100.12'},
    'host3': {'cluster_network_host_subnet': '10.244.3.0/24', 'cluster_network_underlay_address': '203.0.113.7'},
}


def test_peer_routes_host_gw_and_overlay():
    assert network.peer_routes(HOSTVARS, ['host2', 'host3']) == [
        {'dst': '10.244.2.0/24', 'gateway': '198.51.100.12'},
        {'dst': '10.244.3.0/24', 'gateway': '203.0.113.7'},
    ]
    assert network.peer_routes(HOSTVARS, ['host3'], 'lnsvx0') == [
        {'dst': '10.244.3.0/24', 'gateway': '10.244.3.0', 'dev': 'lnsvx0', 'onlink': True}]


def test_vtep_address_is_the_subnet_network_address():
    assert network.vtep_address('10.244.3.0/24') == '10.244.3.0/32'


def test_reachability_targets_and_ports_name_host_and_container():
    assert network.reachability_targets([{'b': '10.244.2.3/24', 'a': '10.244.2.2/24'}], ['host2']) == [
        {'name': 'host2/a', 'address': '10.244.2.2'}, {'name': 'host2/b', 'address': '10.244.2.3'}]
    hostvars = {'host2': dict(HOSTVARS['host2'], containers_list=[
        {'name': 'a', 'ports': [{'host': 8081, 'container': 80}, {'host': 53, 'protocol': 'udp'}]}])}
    assert network.reachability_ports(hostvars, ['host2']) == [
        {'name': 'host2/a:8081', 'address': '198.51.100.12', 'port': 8081}]


# -- cluster_problems ----------------------------------------------------------

def cluster(*containers_per_host):
    """hostvars of host1..N with subnets 10.244.N.0/24 and these containers."""
    hostvars = dict(('host%d' % i, {'cluster_network_host_subnet': '10.244.%d.0/24' % i, 'containers_list': containers})
                    for i, containers in enumerate(containers_per_host, 1))
    return hostvars, sorted(hostvars)


def problems(*containers_per_host):
    return network.cluster_problems(*cluster(*containers_per_host))


def test_a_good_cluster_has_no_problems():
    assert problems([{'name': 'web', 'address': '10.244.1.10', 'ports': [{'host': 8080, 'container': 80}]},
                     {'name': 'db', 'ports': [{'host': '5432'}, {'host': 5432, 'protocol': 'udp'}]}],
                    [{'name': 'web', 'ports': [{'host': 8080}]}], []) == []


def test_subnets_addresses_and_ports_across_and_within_hosts():
    hostvars, hosts = cluster([{'name': 'a', 'ports': [{'host': 8000}]}, {'name': 'b', 'ports': [{'host': '8000'}]},
                               {'name': 'c', 'address': '10.99.0.5'}, {'name': 'd', 'address': '10.244.1.1'},
                               {'name': 'e', 'address': '10.244.1.7/24'}, {'name': 'f', 'address': '10.244.1.7'},
                               {'name': 'a'}], [])
    hostvars['host2']['cluster_network_host_subnet'] = '10.244.1.128/25'
    assert network.cluster_problems(hostvars, hosts) == [
        'host1: published port tcp/8000 is used twice',
        'host1: address 10.99.0.5 of container c is not a container address of 10.244.1.0/24',
        'host1: address 10.244.1.1 of container d is not a container address of 10.244.1.0/24',
        'host1: address 10.244.1.7 is used twice',
        'host1: container name a is used twice',
        'host2: subnet 10.244.1.128/25 overlaps 10.244.1.0/24 of host1',
    ]


NAMES = ['web', 'a', 'abcdefghijkl', 'abcdefghijklm', 'frontend-web-1', 'x' * 63, 'web-1.a_b', '0web', 7,  # good
         'x' * 64, '', None, 'a b', 'web/1', '-web', '.web', 'we$b', 'wéb', 'web\n', ['web'], {'a': 1}]


@pytest.mark.parametrize('name', NAMES, ids=[repr(n) for n in NAMES])
def test_container_names_follow_the_modules_rule(name):
    """cluster_problems refuses exactly the names the modules refuse (a bare
    number is what the module's str option makes of it)."""
    try:
        container_name(str(name) if isinstance(name, int) else name)
        expected = []
    except ValidationError as exc:
        expected = ['host1: ' + exc.message]
    assert problems([{'name': name}]) == expected
    if expected:
        assert repr(name) in expected[0] or name is None or name == ''


def test_a_long_name_says_why():
    assert problems([{'name': 'a' * 64}]) == [
        "host1: container name '%s' is longer than 63 characters (a DNS label)" % ('a' * 64)]


@pytest.mark.parametrize('host', ['http', '80a', '', ' ', 0, 65536, -1, '8080.5', 80.5, 8080.0, '8080.0', True, [80], {'a': 1},
                                  'nan', 'inf', '9-8', '1-2-3'])
def test_a_host_port_that_is_no_port_number_is_a_problem_not_a_crash(host):
    found = problems([{'name': 'web', 'ports': [{'host': host, 'container': 80}]}])
    assert len(found) == 1 and found[0].startswith("host1: published port {'host': %r, 'container': 80} of container web: " % (host,))


@pytest.mark.parametrize('host', [8080, '8080', ' 8080 ', 1, 65535])
def test_host_ports_are_read_as_the_modules_read_them(host):
    assert problems([{'name': 'web', 'ports': [{'host': host}]}, {'name': 'db', 'ports': [{'host': int(host)}]}]) == [
        'host1: published port tcp/%d is used twice' % int(host)]


def test_short_forms_and_ranges_as_the_module_takes_them_and_overlaps_are_problems():
    assert problems([{'name': 'web', 'ports': ['8080:80', '8000-8009:8000-8009', '127.0.0.2:9000:90/udp']}]) == [
        "host1: published port '127.0.0.2:9000:90/udp' of container web: 127.0.0.2: give one of the host's own addresses "
        "(loopback and the unspecified address are not published on: omit host_ip to publish on every address)"]
    assert problems([{'name': 'web', 'ports': ['8000-8009:8000-8009/udp']}, {'name': 'db', 'ports': ['8005:53/udp', '8005:53']}]) == [
        'host1: published port udp/8005 is used twice']
    assert problems([{'name': 'web', 'ports': ['8000-8009:9000-9009']}])[0].endswith(
        'a range is published on the same ports of the container: give the range 8000-8009 (or leave container out)')


def test_a_port_without_host_port_or_not_a_port_and_an_entry_not_a_dict():
    assert problems([{'name': 'web', 'ports': [{'container': 80}, 'http']}, 'db', {'name': 'x', 'address': 'nope'}]) == [
        "host1: published port {'container': 80} of container web: a published port needs the host port",
        "host1: published port 'http' of container web: 'http' is not a published port: give HOST:CONTAINER, "
        "HOST:CONTAINER/udp, IP:HOST:CONTAINER ([IPv6]:HOST:CONTAINER), a range (8000-8009:8000-8009) or a dict with "
        "host, container, protocol and host_ip",
        "host1: containers_list[1] is not a dict with name, address, ports, ...: 'db'",
        "host1: address 'nope' of container x is not an IP address",
    ]


# -- documentation ---------------------------------------------------------------

def test_every_filter_of_network_py_is_documented_by_its_own_file():
    names = sorted(network.FilterModule().filters())
    directory = os.path.join(REPO, 'plugins', 'filter')
    assert [n for n in names if not os.path.exists(os.path.join(directory, n + '.yml'))] == []
    root = next(p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'linuxns', 'net')))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '-t', 'filter', '--json']
                          + ['linuxns.net.' + n for n in names], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0 and '[WARNING]' not in proc.stderr, proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == ['linuxns.net.' + n for n in names]
    for name in names:
        doc = docs['linuxns.net.' + name]
        assert doc['doc']['name'] == name and doc['doc']['filename'].endswith('/%s.yml' % name)
        assert doc['examples'] and doc['return']['_value']['description'] and '_input' in doc['doc']['options']
    assert len(set(d['doc']['short_description'] for d in docs.values())) == len(names)


def test_container_checks_compare_each_declared_setting_with_what_network_info_read():
    from ansible_collections.linuxns.net.plugins.module_utils._netns import namespace_files
    declared = {'name': 'c1', 'sysctls': {'net.ipv4.conf.all.rp_filter': 2}, 'dns': {'search': ['lab']},
                'hosts': [{'address': '10.0.0.9', 'names': ['db']}], 'command': 'serve', 'limits': {'pids_max': '9'}}
    files = namespace_files('c1', declared['dns'], declared['hosts'])
    workload = {'pid': 10, 'command': 'serve', 'init': 11, 'pid_1': True, 'hostname': 'c1', 'cgroups': ['/', '/p/h/c1']}
    read = {'namespaces': {'c1': {'sysctls': {'net.ipv4.conf.all.rp_filter': '2'}, 'files': files}},
            'workloads': {'c1': workload}}
    hostvars = {'h': {'containers_list': [declared, {'name': 'c2'}], 'verify_network': {'network': read}}}
    report = network.container_checks(hostvars, ['h'])
    assert report == {'lines': ['h/c1  sysctls ok, hosts ok, resolv.conf ok, workload ok'], 'misses': [], 'total': 4, 'passed': 4}

    read['namespaces']['c1'] = {'sysctls': {'net.ipv4.conf.all.rp_filter': '1'}, 'files': dict(files, hosts=None)}
    read['workloads']['c1'] = dict(workload, pid_1=False, hostname='h', cgroups=['/'])
    assert network.container_checks(hostvars, ['h'])['misses'] == [
        'h/c1 sysctls: net.ipv4.conf.all.rp_filter is 1, not 2',
        'h/c1 hosts: /etc/netns/c1/hosts is not as declared',
        'h/c1 workload: is not pid 1 of its own PID namespace, hostname is h, is not in its cgroup']
    read['workloads'] = {}
    assert network.container_checks(hostvars, ['h'])['misses'][-1] == 'h/c1 workload: not running'
    declared['state'] = 'stopped'
    assert network.container_checks(hostvars, ['h'])['passed'] == 2  # stopped and not running: ok


def test_container_checks_compare_the_bandwidth_limits_with_the_buckets_on_the_host():
    declared = {'name': 'c2', 'bandwidth': {'ingress_rate': '100mbit', 'egress_rate': '50mbit', 'egress_burst': '64kb'}}
    links = {'ve-c2': {'limit': {'rate': 100000000, 'burst': 125000}, 'redirect': 'bw-c2'},
             'bw-c2': {'limit': {'rate': 50000000, 'burst': 65536}, 'redirect': None}}
    hostvars = {'h': {'containers_list': [declared], 'verify_network': {'network': {'host': {'links': links}}}}}
    assert network.container_checks(hostvars, ['h'])['lines'] == ['h/c2  bandwidth ok']
    links['ve-c2']['redirect'] = None  # what it sends is not redirected to its ifb
    links['ve-c2']['limit'] = {'rate': 10000000, 'burst': 125000}
    assert network.container_checks(hostvars, ['h'])['misses'] == [
        "h/c2 bandwidth: ingress is {'rate': 10000000, 'burst': 125000}, not 100000000 bit/s with a burst of 125000 bytes; "
        "egress is unlimited, not 50000000 bit/s with a burst of 65536 bytes"]


def test_dual_stack_routes_targets_and_ports():
    hostvars = {'h2': {'cluster_network_host_subnet': '10.244.2.0/24', 'cluster_network_host_subnet6': 'fd00:10:244:2::/64',
                       'cluster_network_underlay_address': '198.51.100.12', 'cluster_network_underlay_address6': '2001:db8::c',
                       'cluster_network_cidr6': 'fd00:10:244::/48',
                       'containers_list': [{'name': 'c1', 'ports': [{'host': 8081, 'container': 80}]}]}}
    assert network.peer_routes(hostvars, ['h2'], family=6) == [{'dst': 'fd00:10:244:2::/64', 'gateway': '2001:db8::c'}]
    assert network.peer_routes(hostvars, ['h2'], 'lnsvx0', 6) == [
        {'dst': 'fd00:10:244:2::/64', 'gateway': 'fd00:10:244:2::', 'dev': 'lnsvx0', 'onlink': True}]
    assert network.vtep_address('fd00:10:244:2::/64') == 'fd00:10:244:2::/128'
    assert network.reachability_targets([{'c1': ['10.244.2.2/24', 'fd00:10:244:2::2/64']}], ['h2']) == [
        {'name': 'h2/c1', 'address': '10.244.2.2'}, {'name': 'h2/c1 v6', 'address': 'fd00:10:244:2::2'}]
    assert network.reachability_ports(hostvars, ['h2']) == [
        {'name': 'h2/c1:8081', 'address': '198.51.100.12', 'port': 8081},
        {'name': 'h2/c1:8081 v6', 'address': '2001:db8::c', 'port': 8081}]
    del hostvars['h2']['cluster_network_underlay_address6']
    with pytest.raises(AnsibleFilterError, match='h2 has no cluster_network_underlay_address6'):
        network.peer_routes(hostvars, ['h2'], family=6)


def test_overlapping_ipv6_subnets_are_a_problem():
    hostvars = dict(('h%d' % n, {'cluster_network_host_subnet': '10.244.%d.0/24' % n,
                                 'cluster_network_host_subnet6': 'fd00:10:244::/%d' % (63 + n)}) for n in (1, 2))
    assert network.cluster_problems(hostvars, ['h1', 'h2']) == ['h2: subnet fd00:10:244::/65 overlaps fd00:10:244::/64 of h1']


# -- several networks ----------------------------------------------------------

BACK = {'name': 'back', 'bridge': 'cbr1', 'cidr': '10.245.0.0/16', 'cidr6': 'fd00:10:245::/48', 'allow': ['default']}


def test_host_networks_carve_each_network_at_the_host_index():
    assert network.host_networks([BACK, {'name': 'ops', 'bridge': 'cbr2', 'cidr': '10.246.0.0/16', 'host_prefix': 26}], 3) == [
        {'name': 'back', 'bridge': 'cbr1', 'cluster_cidr': '10.245.0.0/16', 'subnet': '10.245.3.0/24', 'allow': ['default'],
         'cluster_cidr6': 'fd00:10:245::/48', 'subnet6': 'fd00:10:245:3::/64'},
        {'name': 'ops', 'bridge': 'cbr2', 'cluster_cidr': '10.246.0.0/16', 'subnet': '10.246.0.192/26', 'allow': []}]
    with pytest.raises(AnsibleFilterError, match=r'cluster_network_networks\[0\] needs name, bridge and cidr'):
        network.host_networks([{'name': 'x', 'cidr': '10.9.0.0/16'}], 1)
    with pytest.raises(AnsibleFilterError, match='unknown keys subnet'):
        network.host_networks([dict(BACK, subnet='10.245.1.0/24')], 1)


def test_peer_routes_carry_every_network_of_the_peer():
    hostvars = {'h2': dict(HOSTVARS['host2'], cluster_network_host_networks=network.host_networks([BACK], 2))}
    assert network.peer_routes(hostvars, ['h2']) == [{'dst': '10.244.2.0/24', 'gateway': '198.51.100.12'},
                                                     {'dst': '10.245.2.0/24', 'gateway': '198.51.100.12'}]
    assert network.peer_routes(hostvars, ['h2'], 'lnsvx0')[1] == {'dst': '10.245.2.0/24', 'gateway': '10.244.2.0', 'dev': 'lnsvx0',
                                                                  'onlink': True}  # through the peer's one VTEP


def test_targets_name_the_network_and_list_the_sources_isolation_keeps_out():
    data = {'cluster_network_cidr': '10.244.0.0/16', 'cluster_network_networks': [BACK, dict(BACK, name='ops', cidr='10.246.0.0/16',
                                                                                             cidr6=None, allow=[])]}
    sources = [{'name': 'c1'}, {'name': 'c2', 'networks': ['default', 'back']}, {'name': 'c3', 'networks': [{'name': 'back'}]},
               {'name': 'c4', 'networks': ['ops']}]
    targets = network.reachability_targets([{'c1': '10.244.2.2/24', 'c3': ['10.245.2.3/24', 'fd00:10:245:2::3/64'],
                                             'c4': '10.246.2.4/24'}], ['h2'], {'h2': data}, sources)
    assert targets == [
        {'name': 'h2/c1', 'address': '10.244.2.2', 'blocked_from': ['c3', 'c4']},  # default lets no other network in
        {'name': 'h2/c3@back', 'address': '10.245.2.3', 'blocked_from': ['c4']},  # back lets default in
        {'name': 'h2/c3@back v6', 'address': 'fd00:10:245:2::3', 'blocked_from': ['c4']},
        {'name': 'h2/c4@ops', 'address': '10.246.2.4', 'blocked_from': ['c1', 'c2', 'c3']}]
    hostvars = {'h2': dict(data, cluster_network_cidr6='fd00:10:244::/48', cluster_network_underlay_address='198.51.100.12',
                           cluster_network_underlay_address6='2001:db8::c',
                           containers_list=[dict(c, ports=[{'host': 8080 + i}]) for i, c in enumerate(sources)])}
    assert [p['name'] for p in network.reachability_ports(hostvars, ['h2'])] == [
        'h2/c1:8080', 'h2/c1:8080 v6', 'h2/c2:8081', 'h2/c2:8081 v6', 'h2/c3:8082', 'h2/c3:8082 v6', 'h2/c4:8083']  # ops: IPv4 only


def test_a_fixed_address_is_checked_in_the_containers_first_network():
    hostvars, hosts = cluster([{'name': 'db', 'networks': ['back'], 'address': '10.245.1.5'},
                               {'name': 'web', 'networks': [{'name': 'back'}, 'default'], 'address': '10.244.1.5'},
                               {'name': 'app', 'address': '10.244.1.5'}])
    hostvars['host1']['cluster_network_host_networks'] = network.host_networks([BACK], 1)
    assert network.cluster_problems(hostvars, hosts) == [
        'host1: address 10.244.1.5 of container web is not a container address of 10.245.1.0/24']  # app's is fine
