# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one-call host network: input checks, address allocation, the parts of
a run and how later parts see what earlier parts promise (no kernel)."""

import ipaddress

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import LIMITS, CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._engine import Plan
from ansible_collections.linuxns.net.plugins.module_utils._filter_iptables import rule_tokens
from ansible_collections.linuxns.net.plugins.module_utils._network_layout import Layout, bridge_mac
from ansible_collections.linuxns.net.plugins.module_utils._network_record import Member, allocate
from ansible_collections.linuxns.net.plugins.module_utils._network_spec import NetworkSpec
from ansible_collections.linuxns.net.plugins.module_utils._projections import project_cgroups, project_links
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError
from ansible_collections.linuxns.net.plugins.module_utils._workloads import (
    UNSHARE_OPTIONS, WorkloadResource, WorkloadSpec, _started_command)


def spec(**params):
    params.setdefault('subnet', '10.88.0.0/24')
    return NetworkSpec(params)


def addresses(network, previous=None):
    members = [Member(c.name, c.networks[0].address, c.networks[0].option) for c in network.containers]
    result = allocate(members, network.subnet, network.gateway, previous or {})
    return dict((name, str(address)) for name, address in result.items())


def test_addresses_fixed_then_kept_then_lowest_free():
    network = spec(containers=[{'name': 'new'}, {'name': 'old'}, {'name': 'fixed', 'address': '10.88.0.2'}])
    assert addresses(network, {'old': '10.88.0.9/24', 'gone': '10.88.0.3/24'}) == {
        'fixed': '10.88.0.2', 'old': '10.88.0.9', 'new': '10.88.0.3'}


def test_a_kept_address_outside_a_changed_subnet_is_replaced():
    network = spec(subnet='10.99.0.0/24', containers=[{'name': 'a'}])
    assert addresses(network, {'a': '10.88.0.9/24'}) == {'a': '10.99.0.2'}


def test_a_full_subnet_names_the_container():
    network = spec(subnet='10.88.0.0/30', containers=[{'name': 'a'}, {'name': 'b'}])
    with pytest.raises(ValidationError) as info:
        allocate([Member(c.name, c.networks[0].address, c.networks[0].option) for c in network.containers],
                 network.subnet, network.gateway, {})
    assert info.value.option == 'containers[1].address'


@pytest.mark.parametrize('params, option', [
    ({'containers': [{'name': 'a b'}]}, 'containers[0].name'),
    ({'containers': [{'name': '-a'}]}, 'containers[0].name'),
    ({'containers': [{'name': 'a', 'limits': {'cpus': 1}}]}, 'containers[0].limits'),
    ({'containers': [{'name': 'a', 'limits': {'pids_max': 'many'}}]}, 'containers[0].limits.pids_max'),
    ({'containers': [{'name': 'a', 'ports': [{'host': 1, 'protocol': 'icmp'}]}]}, 'containers[0].ports[0].protocol'),
    ({'subnet': None}, 'subnet'),
    ({'subnet': 'fd00::/64'}, 'subnet'),
    ({'state_dir': 'relative'}, 'state_dir'),
    ({'state_dir': ''}, 'state_dir'),  # never the default /var/lib/linuxns instead
    ({'bridge': ''}, 'bridge'),
    ({'boot_unit_dir': 'units'}, 'boot_unit_dir'),
    ({'vxlan': {'name': 'vx0'}}, 'vxlan.vni'),
    ({'containers': [{'name': 'a', 'command': 'true', 'state': 'paused'}]}, 'containers[0].state'),
])
def test_bad_input_names_the_option(params, option):
    with pytest.raises(ValidationError) as info:
        spec(**params)
    assert info.value.option == option


EVERY_LIMIT = {'cpu': '0.5', 'cpu_period': 50000, 'cpu_weight': 200, 'memory': '64M', 'memory_swap': '32M',
               'pids_max': '64', 'cpuset_cpus': '0'}


def test_every_limit_is_passed_on():
    """The containers role once dropped cpu_period: every limit the cgroup
    engine knows reaches the container's CgroupSpec, with the same value."""
    assert sorted(EVERY_LIMIT) == sorted(LIMITS)
    layout = Layout(spec(containers=[{'name': 'a', 'limits': EVERY_LIMIT}]), {}, '0')
    group = [p for p in layout.parts(None) if p.name == 'cgroup'][0].desired[0]
    assert group.limits == CgroupSpec(dict(EVERY_LIMIT, name='a')).limits
    assert sorted(group.limits) == sorted(LIMITS)


def test_every_limit_is_an_option_of_the_modules():
    from ansible_collections.linuxns.net.plugins.module_utils import _options
    from ansible_collections.linuxns.net.plugins.modules import cgroup_limit
    assert sorted(_options.LIMIT_OPTIONS) == sorted(LIMITS)  # container_network's limits are checked against it
    assert set(LIMITS) <= set(cgroup_limit.GROUP)  # and cgroup_limit's groups[] too


def test_an_unknown_limit_names_the_option():
    with pytest.raises(ValidationError) as info:
        spec(containers=[{'name': 'a', 'limits': dict(EVERY_LIMIT, cpu_quota=5)}])
    assert info.value.option == 'containers[0].limits' and 'unknown limit cpu_quota' in str(info.value)


def test_parts_remove_pruned_containers_first_then_record_and_boot_last():
    record = {'addresses': {'a': '10.88.0.2/24', 'gone': '10.88.0.3/24'}, 'ip_forward_before': '0'}
    layout = Layout(spec(containers=[{'name': 'a', 'command': 'sleep 1'}]), record, '1')
    assert [p.name for p in layout.parts(None)] == [
        'stop', 'uncgroup', 'unveth', 'unnetns', 'unbandwidth',
        'netns', 'bridge', 'veth', 'bandwidth', 'route', 'nat', 'forwarding', 'workload', 'record', 'boot']
    assert layout.gone == ['gone']
    assert layout.parts(None)[-2].desired['content']['ip_forward_before'] == '0'  # the value from before the first run


def test_absent_removes_recorded_and_listed_containers_and_restores_forwarding():
    record = {'addresses': {'a': '10.88.0.2/24'}, 'ip_forward_before': '0'}
    layout = Layout(spec(state='absent', subnet=None, containers=[{'name': 'b'}]), record, '1')
    parts = dict((p.name, p) for p in layout.parts(None))
    assert layout.gone == ['a', 'b']
    assert parts['forwarding'].desired == {'net/ipv4/ip_forward': '0'}
    assert parts['record'].desired['content'] is None


def test_absent_removes_routes_before_the_devices_they_go_through():
    network = spec(state='absent', subnet=None, containers=[], routes=[],
                   vxlan={'name': 'vx0', 'state': 'absent'})
    names = [p.name for p in Layout(network, {'addresses': {}}, '1').parts(None)]
    assert names.index('route') < names.index('bridge') < names.index('overlay')


def test_later_parts_see_promised_namespaces_and_links():
    netns = Plan([], {}, {'netns/c1': {'name': 'c1'}})
    veth = Plan([], {}, {'ve-c1': {'kind': 'veth', 'master': 'cbr0', 'addresses': []},
                         'c1/eth0': {'kind': 'veth', 'master': None, 'addresses': ['10.88.0.2/24']}, '_links': {}})
    current = {'_links': {None: {}, 'c1': None}}
    seen = project_links(dict(current), {'netns': netns, 'veth': veth})
    assert seen['_links']['c1']['eth0']['addresses'] == ['10.88.0.2/24']
    assert seen['_links'][None]['ve-c1']['master'] == 'cbr0'
    assert current['_links']['c1'] is None  # what was read stays as read
    groups = project_cgroups({'_groups': {'linuxns/c1': {'missing_netns': True}}}, {'netns': netns})
    assert groups['_groups']['linuxns/c1']['missing_netns'] is False


def test_gateway_defaults_to_the_first_host_address():
    assert spec().gateway == ipaddress.ip_address('10.88.0.1')
    assert spec(gateway='10.88.0.254').gateway == ipaddress.ip_address('10.88.0.254')


def workload_plan(state, command, have):
    """The workload part's plan for container `a` that runs `have` ({'pid', 'command'} or None)."""
    desired = [WorkloadSpec('a', command, '/state/a.pid', state)]
    plan = WorkloadResource(None).plan(desired, {'workload/a': have, '_cgroups': {'a': ['/sys/fs/cgroup/pids/p/a']}})
    return [(a.op, a.description, a.undo and a.undo[0]) for a in plan.actions], plan.after['workload/a']


def test_a_workload_starts_restarts_on_a_new_command_and_stops():
    assert workload_plan('started', 'b', None) == (
        [('start', 'start the workload of a', 'stop')], {'pid': None, 'command': 'b'})
    assert workload_plan('started', 'b', {'pid': 7, 'command': 'b'}) == ([], {'pid': 7, 'command': 'b'})
    # undone by restarting the old command
    assert workload_plan('started', 'b', {'pid': 7, 'command': 'old'}) == (
        [('restart', 'restart the workload of a (pid 7), its command changed', 'restart')], {'pid': None, 'command': 'b'})
    # one started outside namespaces of its own (an older version) moves into them once; no way back
    assert workload_plan('started', 'b', {'pid': 7, 'command': None}) == (
        [('restart', 'restart the workload of a (pid 7), to run it in namespaces of its own', None)],
        {'pid': None, 'command': 'b'})
    assert workload_plan('stopped', 'b', {'pid': 7, 'command': 'b'}) == (
        [('stop', 'stop the workload of a (pid 7)', None)], None)
    assert workload_plan('stopped', 'b', None) == ([], None)


def test_a_workloads_command_is_read_only_from_an_unshare_of_ours():
    ours = ['/usr/bin/unshare'] + list(UNSHARE_OPTIONS) + ['sh', '-c', 'sleep 1; echo x']
    assert _started_command(ours) == 'sleep 1; echo x'
    assert _started_command(['sh', '-c', 'sleep 1']) is None  # started by an older version
    assert _started_command(['unshare', '--pid', '--fork', '--', 'sh', '-c', 'sleep 1']) is None
    assert _started_command(['/usr/bin/python3'] + list(UNSHARE_OPTIONS) + ['sh', '-c', 'x']) is None


@pytest.mark.parametrize('bandwidth, option', [
    ({'ingress_rate': '10 furlongs'}, 'containers[0].bandwidth.ingress_rate'),
    ({'ingress_rate': '40gbit'}, 'containers[0].bandwidth.ingress_rate'),
    ({'egress_rate': '1mbit', 'egress_burst': '1k'}, 'containers[0].bandwidth.egress_burst'),
    ({'egress_burst': '64kb'}, 'containers[0].bandwidth.egress_burst'),
    ({'ingress_rate': '1mbit', 'ingress_burst': 'lots'}, 'containers[0].bandwidth.ingress_burst'),
])
def test_bad_bandwidth_names_the_option(bandwidth, option):
    with pytest.raises(ValidationError) as info:
        spec(containers=[{'name': 'a', 'bandwidth': bandwidth}])
    assert info.value.option == option


def test_rates_and_bursts_read_as_tc_writes_them():
    from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import Bucket, bucket_view, rate, size
    assert [rate(v, 'r') for v in ('10mbit', '1gbit', '500kbit', '2mbps', 8000, '1.5mbit')] == [
        10 ** 7, 10 ** 9, 5 * 10 ** 5, 16 * 10 ** 6, 8000, 1500000]
    assert [size(v, 's') for v in ('32kb', '1mb', 65536, '2k', '100b')] == [32768, 1048576, 65536, 2048, 100]
    # a burst omitted: 10 ms at the rate, at least 32 KiB; one that cannot hold a packet of the MTU is refused
    assert Bucket({'rate': '1gbit'}, 'x', 1500).burst == 1250000 and Bucket({'rate': '1mbit'}, 'x', 1500).burst == 32768
    with pytest.raises(ValidationError):
        Bucket({'rate': '1gbit', 'burst': 9000}, 'x', 9000)
    # what the kernel stores (15.625 ticks per microsecond here) reads back as the rate and burst given
    tick = 15.625
    bucket = Bucket({'rate': '16mbit', 'burst': '32kb'}, 'x', 1500)
    assert bucket.kernel(tick) == (2000000, 256000, 82768)
    assert bucket_view(bucket.kernel(tick), tick) == {'rate': 16000000, 'burst': 32768}


def bandwidth_plan(spec_args, tc):
    from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import BandwidthResource, BandwidthSpec
    desired = [BandwidthSpec('a', 've-a', *spec_args)]
    current = {'_tick': 15.625, 'bandwidth/ve-a': {'ingress': None, 'egress': None}, '_tc bandwidth/ve-a': dict(
        {'device': True, 'root': None, 'ingress_qdisc': False, 'redirected': False, 'ifb': None}, **tc)}
    return [(a.op, a.undo and a.undo[0]) for a in BandwidthResource(None).plan(desired, current).actions]


def test_an_egress_limit_makes_its_ifb_then_the_bucket_then_the_redirect_and_undoes_them():
    from ansible_collections.linuxns.net.plugins.module_utils._bandwidth import Bucket
    egress = Bucket({'rate': '8mbit'}, 'x', 1500)
    assert bandwidth_plan((None, egress), {}) == [('add_ifb', 'delete_ifb'), ('shape', 'covered'), ('redirect', 'unredirect')]
    # someone else's ingress qdisc on our veth end: replaced; a foreign bw-a device: refused before any change
    assert bandwidth_plan((None, egress), {'ingress_qdisc': True})[-2:] == [('unredirect', None), ('redirect', 'unredirect')]
    with pytest.raises(ValidationError) as info:
        bandwidth_plan((None, egress), {'ifb': {'owned': False, 'root': None}})
    assert 'bw-a exists and is not ours' in info.value.message
    # no limits: our redirect and ifb go, a foreign ingress qdisc stays
    assert bandwidth_plan((None, None), {'ingress_qdisc': True, 'redirected': True, 'ifb': {'owned': True, 'root': None}}) == [
        ('unredirect', 'redirect'), ('delete_ifb', None)]
    assert bandwidth_plan((None, None), {'ingress_qdisc': True}) == []


def test_dual_stack_addresses_have_the_host_part_of_the_ipv4_ones():
    network = spec(subnet='10.88.0.0/24', subnet6='fd00:88::/64', gateway='10.88.0.254', containers=[{'name': 'a', 'address': '10.88.0.7'}])
    assert str(network.gateway6) == 'fd00:88::fe' and str(network.default.address6(ipaddress.ip_address('10.88.0.7'))) == 'fd00:88::7'
    layout = Layout(network, {}, '0', '0')
    first = layout.first(network.containers[0])
    assert (first.cidr, first.cidr6) == ('10.88.0.7/24', 'fd00:88::7/64')
    assert [p.name for p in layout.parts(None)].count('forwarding') == 1
    assert layout._record()['ip6_forward_before'] == '0' and layout._record()['subnet6'] == 'fd00:88::/64'


@pytest.mark.parametrize('params, option', [
    ({'subnet6': '10.99.0.0/16'}, 'subnet6'),
    ({'subnet6': 'fd00::/120', 'subnet': '10.88.0.0/22'}, 'subnet6'),  # no room for 1024 host parts
    ({'subnet6': 'fd00:88::/64', 'cluster_cidr6': 'fd01::/16'}, 'cluster_cidr6'),
    ({'subnet6': 'fd00:88::/64', 'cluster_cidr6': '10.0.0.0/8'}, 'cluster_cidr6'),
])
def test_bad_dual_stack_input_names_the_option(params, option):
    with pytest.raises(ValidationError) as info:
        spec(**params)
    assert info.value.option == option


# -- several networks ----------------------------------------------------------

BACK = {'name': 'back', 'bridge': 'br-back', 'subnet': '10.89.1.0/24', 'cluster_cidr': '10.89.0.0/16', 'allow': ['default']}
OPS = {'name': 'ops', 'bridge': 'br-ops', 'subnet': '10.90.1.0/24'}


@pytest.mark.parametrize('params, option', [
    ({'networks': [BACK], 'containers': [{'name': 'a', 'networks': ['nope']}]}, 'containers[0].networks[0].name'),
    ({'networks': [BACK], 'containers': [{'name': 'a', 'networks': ['back', 'back']}]}, 'containers[0].networks'),
    ({'networks': [BACK], 'containers': [{'name': 'a', 'networks': []}]}, 'containers[0].networks'),
    ({'networks': [BACK], 'containers': [{'name': 'a', 'networks': [{'name': 'back', 'address': '10.88.0.5'}]}]},
     'containers[0].networks[0].address'),  # not in back's subnet
    ({'networks': [BACK], 'containers': [{'name': 'a', 'networks': [{'name': 'back', 'vlan': 'x'}]}]}, 'containers[0].networks[0]'),
    ({'networks': [BACK], 'containers': [{'name': 'a', 'networks': [{'name': 'back', 'mac': 'x'}]}]}, 'containers[0].networks[0].mac'),
    ({'containers': [{'name': 'a', 'mac': '03:00:00:00:00:01'}]}, 'containers[0].mac'),  # multicast
    ({'containers': [{'name': 'a', 'mac': '02:00:00:00:00:01', 'networks': [{'name': 'default', 'mac': '02:00:00:00:00:02'}]}]},
     'containers[0].networks[0].mac'),  # the first network's mac twice
    ({'networks': [BACK, dict(OPS, name='back')]}, 'networks[1].name'),
    ({'networks': [dict(OPS, subnet='10.89.2.0/24')] + [BACK]}, 'networks[1].cluster_cidr'),  # back's cluster CIDR holds ops
    ({'networks': [dict(BACK, allow=['back'])]}, 'networks[0].allow[0]'),
    ({'networks': [dict(BACK, subnet='10.88.9.0/24')]}, 'networks[0].cluster_cidr'),  # not in its cluster CIDR
    ({'networks': [dict(OPS, name='n%d' % i, bridge='b%d' % i, subnet='10.%d.0.0/24' % (100 + i)) for i in range(10)]}, 'networks'),
])
def test_bad_networks_name_the_option(params, option):
    with pytest.raises(ValidationError) as info:
        spec(**params)
    assert info.value.option == option


def test_each_network_numbers_its_veths_and_keeps_its_number_in_the_record():
    network = spec(networks=[BACK, OPS], containers=[{'name': 'a', 'networks': ['ops', 'default', {'name': 'back', 'address': '10.89.1.9'}]}])
    layout = Layout(network, {'version': 2, 'networks': {'ops': {'slot': '1', 'addresses': {}}, 'back': {'slot': '3', 'addresses': {}}}}, '1')
    assert [(i.network.name, i.inside, i.host_end, i.cidr) for i in layout.interfaces(network.containers[0])] == [
        ('ops', 'eth0', 'v1-a', '10.90.1.2/24'), ('default', 'eth1', 've-a', '10.88.0.2/24'), ('back', 'eth2', 'v3-a', '10.89.1.9/24')]
    record = layout._record()
    assert record['containers'] == ['a'] and record['addresses'] == {'a': '10.88.0.2/24'}
    assert record['networks']['back'] == {'bridge': 'br-back', 'subnet': '10.89.1.0/24', 'gateway': '10.89.1.1', 'slot': '3',
                                          'addresses': {'a': '10.89.1.9/24'}}
    routes = layout._routes()['routes']
    assert [(r.dst, r.gateway) for r in routes] == [('default', '10.90.1.1'), ('10.89.0.0/16', '10.89.1.1')]  # ops has no cluster CIDR


def test_rules_keep_allowed_sources_then_isolate_each_bridge_after_its_exemptions():
    network = spec(cluster_cidr='10.88.0.0/16', subnet='10.88.1.0/24', networks=[BACK, OPS], containers=[])
    rules = [(s.kind, ' '.join(t for _chain, tokens in rule_tokens(s) for t in tokens if not t.startswith('linuxns.net')))
             for s in Layout(network, {}, '1')._nat('present')['specs']]
    assert rules[0] == ('no_masquerade', '-s 10.88.1.0/24 -d 10.89.0.0/16 -m comment --comment -j RETURN')  # ahead of the masquerades
    isolation = [(kind, rule) for kind, rule in rules if kind in ('exempt', 'isolate') and 'br-back' in rule]
    assert [rule.split(' -m comment')[0] for _kind, rule in isolation] == [
        '-o br-back -m conntrack --ctstate RELATED,ESTABLISHED,DNAT', '-i br-back -o br-back', '-i cbr0 -o br-back',
        '-s 10.89.0.0/16 -o br-back', '-s 10.88.0.0/16 -o br-back', '-o br-back']
    assert isolation[-1][0] == 'isolate'
    assert any(kind == 'forward' and rule.startswith('-s 10.88.0.0/16 -o br-back') for kind, rule in rules)  # default's, from other hosts
    assert not [rule for kind, rule in rules if kind == 'exempt' and '-i br-ops -o cbr0' in rule]  # ops may not reach default


def test_a_network_no_longer_declared_goes_with_its_interfaces():
    record = {'version': 2, 'addresses': {'a': '10.88.0.2/24'}, 'containers': ['a', 'b'],
              'networks': {'back': {'bridge': 'br-back', 'slot': '1', 'addresses': {'a': '10.89.1.2/24', 'b': '10.89.1.3/24'}}}}
    layout = Layout(spec(containers=[{'name': 'a'}]), record, '1')
    parts = dict((p.name, p) for p in layout.parts(None))
    assert sorted(s.end.name for s in parts['unveth'].desired) == ['v1-a', 'v1-b']
    assert [s.link.name for s in parts['unbridge'].desired] == ['br-back'] and layout.gone == ['b']
    assert 'networks' in layout._record() and layout._record()['networks'] == {}


def test_a_bridge_gets_a_fixed_locally_administered_mac_of_its_own():
    assert bridge_mac('cbr0') == bridge_mac('cbr0') != bridge_mac('cbr1')
    assert bridge_mac('cbr0').startswith('02:') and len(bridge_mac('cbr0').split(':')) == 6
    parts = dict((p.name, p) for p in Layout(spec(networks=[OPS]), {}, '1').parts(None))
    assert [b.link.mac for b in parts['bridge'].desired] == [bridge_mac('cbr0'), bridge_mac('br-ops')]
