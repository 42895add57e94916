# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.netns_route through real ansible-playbook runs; the kernel's
routing tables are read back with iproute2."""

import json

import pytest

from conftest import FailingCases
from kernel import sh


def route(**args):
    return [{'name': 'route', 'linuxns.net.netns_route': args}]


def routes(netns, family='-4', table='main'):
    """`ip -j route` of a table, as (dst, gateway, metric, protocol) tuples."""
    data = json.loads(sh('ip %s -n %s -j route show table %s' % (family, netns, table)) or '[]')
    return sorted((r['dst'], r.get('gateway'), r.get('metric', 0), r.get('protocol')) for r in data)


@pytest.fixture
def ns1():
    """ns1 with eth0 on 172.18.0.2/24 and fd00:18::2/64, its peer up in the sandbox."""
    sh('ip netns add ns1 && ip link add host0 type veth peer name eth0 netns ns1 && ip link set host0 up '
       '&& ip -n ns1 link set eth0 up && ip -n ns1 addr add 172.18.0.2/24 dev eth0 '
       '&& ip -n ns1 addr add fd00:18::2/64 dev eth0 nodad')
    yield 'ns1'
    sh('ip link delete host0', check=False)


KERNEL_ROUTE = ('172.18.0.0/24', None, 0, 'kernel')


def test_default_route_lifecycle(ansible, ns1):
    wanted = route(netns=ns1, dst='default', gateway='172.18.0.1')
    run = ansible.play(wanted, check=True, diff=True)
    result = run.task('route')
    assert result['actions'] == ['add route default via 172.18.0.1 in namespace ns1']
    assert result['diff']['before'] == {'ns1: default table 254 metric 0': None}
    assert routes(ns1) == [KERNEL_ROUTE]

    result = ansible.play(wanted, diff=True).task('route')
    assert result['actions'] == ['add route default via 172.18.0.1 in namespace ns1']
    assert result['routes'][0]['dev'] == 'eth0' and result['routes'][0]['owned'] is True
    assert routes(ns1) == [KERNEL_ROUTE, ('default', '172.18.0.1', 0, '76')]
    for check in (False, True):
        assert ansible.play(wanted, check=check).changed == []

    # another gateway: replaced in place, not duplicated
    result = ansible.play(route(netns=ns1, dst='default', gateway='172.18.0.254')).task('route')
    assert result['actions'] == ['replace route default via 172.18.0.254 in namespace ns1']
    assert routes(ns1) == [KERNEL_ROUTE, ('default', '172.18.0.254', 0, '76')]

    # another metric: the new one is added, ours with the old metric removed
    result = ansible.play(route(netns=ns1, dst='default', gateway='172.18.0.254', metric=50)).task('route')
    assert result['actions'] == ['add route default via 172.18.0.254 metric 50 in namespace ns1',
                                 'remove route default via 172.18.0.254 dev eth0 in namespace ns1']
    assert routes(ns1) == [KERNEL_ROUTE, ('default', '172.18.0.254', 50, '76')]

    gone = route(netns=ns1, dst='default', metric=50, state='absent')
    assert ansible.play(gone).changed == ['route']
    assert routes(ns1) == [KERNEL_ROUTE]
    assert ansible.play(gone).changed == []


def test_ipv6_routes(ansible, ns1):
    wanted = route(netns=ns1, routes=[{'dst': 'default', 'gateway': 'fd00:18::1'},
                                      {'dst': 'fd00:99::/64', 'gateway': 'fe80::1', 'dev': 'eth0'}])
    run = ansible.play(wanted)
    assert run.rc == 0, run.output
    assert ('default', 'fd00:18::1', 1024, '76') in routes(ns1, '-6')
    assert ('fd00:99::/64', 'fe80::1', 1024, '76') in routes(ns1, '-6')
    assert ansible.play(wanted).changed == []


def test_exact_set_removes_only_our_stale_routes(ansible, ns1):
    sh('ip -n ns1 route add 10.50.0.0/16 via 172.18.0.9 proto static')  # foreign
    ansible.play(route(netns=ns1, routes=[{'dst': '10.1.0.0/16', 'gateway': '172.18.0.1'},
                                          {'dst': '10.2.0.0/16', 'gateway': '172.18.0.1'}]))
    exact = route(netns=ns1, purge=True, routes=[{'dst': '10.2.0.0/16', 'gateway': '172.18.0.1'},
                                                 {'dst': '10.3.0.0/16', 'gateway': '172.18.0.1'}])
    run = ansible.play(exact, check=True)
    predicted = run.task('route')['actions']
    assert predicted == ['add route 10.3.0.0/16 via 172.18.0.1 in namespace ns1',
                         'remove route 10.1.0.0/16 via 172.18.0.1 dev eth0 in namespace ns1']
    assert ansible.play(exact).task('route')['actions'] == predicted
    assert routes(ns1) == [('10.2.0.0/16', '172.18.0.1', 0, '76'), ('10.3.0.0/16', '172.18.0.1', 0, '76'),
                           ('10.50.0.0/16', '172.18.0.9', 0, 'static'), KERNEL_ROUTE]
    assert ansible.play(exact).changed == []


def test_other_table_and_onlink(ansible, ns1):
    wanted = route(netns=ns1, routes=[{'dst': '10.7.0.0/16', 'gateway': '172.18.0.1', 'table': 100},
                                      {'dst': '10.8.0.0/16', 'gateway': '192.168.77.1', 'dev': 'eth0', 'onlink': True}])
    assert ansible.play(wanted).rc == 0
    assert routes(ns1, table='100') == [('10.7.0.0/16', '172.18.0.1', 0, '76')]
    assert 'onlink' in sh('ip -n ns1 route show 10.8.0.0/16')
    assert ansible.play(wanted).changed == []


def test_unreachable_gateway_fails_before_any_change(ansible, ns1):
    run = ansible.play(route(netns=ns1, routes=[{'dst': '10.1.0.0/16', 'gateway': '172.18.0.1'},
                                                {'dst': '10.2.0.0/16', 'gateway': '10.99.0.1'}]))
    assert run.failed == ['route']
    assert run.task('route')['msg'] == ('routes[1].gateway: gateway 10.99.0.1 is not on a network of any interface '
                                        'in namespace ns1; add an address in its subnet first or set onlink=true')
    assert routes(ns1) == [KERNEL_ROUTE]


def test_check_mode_on_a_fresh_host_whole_playbook(ansible):
    tasks = [
        {'name': 'netns', 'linuxns.net.netns': {'name': 'c1'}},
        {'name': 'veth', 'linuxns.net.veth': {'name': 'h-c1', 'addresses': ['172.30.0.1/24'],
                                              'peer': {'name': 'eth0', 'netns': 'c1', 'addresses': ['172.30.0.2/24']}}},
        {'name': 'route', 'linuxns.net.netns_route': {'netns': 'c1', 'dst': 'default', 'gateway': '172.30.0.1'}},
    ]
    run = ansible.play(tasks, check=True)
    assert run.rc == 0, run.output
    assert run.changed == ['netns', 'veth', 'route']
    run = ansible.play(tasks)
    assert run.changed == ['netns', 'veth', 'route']
    assert ('default', '172.30.0.1', 0, '76') in routes('c1')
    assert ansible.play(tasks).changed == []
    sh('ip link delete h-c1')


BAD_INPUT = FailingCases([
    ({'dst': '10.0.0.1/8', 'gateway': '172.18.0.1'}, 'dst: '),
    ({'dst': 'junk', 'gateway': '172.18.0.1'}, 'dst: '),
    ({'dst': '10.0.0.0/8', 'gateway': 'fd00::1'}, 'gateway: fd00::1 is IPv6 but the destination is IPv4'),
    ({'dst': '10.0.0.0/8'}, 'gateway: a route needs a gateway, a dev, or both'),
    ({'dst': '10.0.0.0/8', 'gateway': '172.18.0.1', 'table': 'nosuch'}, 'table: '),
    ({'dst': '10.0.0.0/8', 'gateway': '172.18.0.1', 'metric': -1}, 'metric: '),
    ({'dst': 'fd00:5::/64', 'gateway': 'fe80::1'}, 'dev: a link-local gateway'),
    ({'dst': '10.0.0.0/8', 'dev': 'x' * 16}, 'dev: '),
])


@pytest.mark.parametrize('args, message', BAD_INPUT.cases)
def test_bad_input(ansible, ns1, args, message):
    case = BAD_INPUT.outcome(ansible, (args, message), lambda c: route(netns=ns1, **c[0])[0], lambda: routes(ns1))
    assert case.failed
    assert case.result['msg'].startswith(message), case.result['msg']
    assert case.before == case.after == [KERNEL_ROUTE]


def test_one_call_sets_routes_in_many_namespaces(ansible, ns1):
    sh('ip netns add ns2 && ip link add host2 type veth peer name eth0 netns ns2 && ip link set host2 up '
       '&& ip -n ns2 link set eth0 up && ip -n ns2 addr add 172.18.0.3/24 dev eth0')
    try:
        wanted = route(routes=[{'netns': 'ns1', 'dst': 'default', 'gateway': '172.18.0.1'},
                               {'netns': 'ns2', 'dst': 'default', 'gateway': '172.18.0.1'},
                               {'netns': 'ns2', 'dst': '10.9.0.0/16', 'gateway': '172.18.0.9'}], purge=True)
        result = ansible.play(wanted, check=True).task('route')
        assert result['actions'] == ['add route default via 172.18.0.1 in namespace ns1',
                                     'add route default via 172.18.0.1 in namespace ns2',
                                     'add route 10.9.0.0/16 via 172.18.0.9 in namespace ns2']
        assert routes('ns2') == [('172.18.0.0/24', None, 0, 'kernel')]
        result = ansible.play(wanted).task('route')
        assert [(r['netns'], r['dst'], r['action']) for r in result['routes']] == [
            ('ns1', 'default', 'added'), ('ns2', 'default', 'added'), ('ns2', '10.9.0.0/16', 'added')]
        assert routes('ns2') == [('10.9.0.0/16', '172.18.0.9', 0, '76'), ('172.18.0.0/24', None, 0, 'kernel'),
                                 ('default', '172.18.0.1', 0, '76')]
        assert ansible.play(wanted).changed == []
        # purge is per namespace named: ns2 loses its extra route, ns1 keeps its own
        result = ansible.play(route(routes=[{'netns': 'ns2', 'dst': 'default', 'gateway': '172.18.0.1'}],
                                    purge=True)).task('route')
        assert result['actions'] == ['remove route 10.9.0.0/16 via 172.18.0.9 dev eth0 in namespace ns2']
        assert ('default', '172.18.0.1', 0, '76') in routes('ns1')
    finally:
        sh('ip link delete host2', check=False)
