# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.vxlan through real ansible-playbook runs: three "hosts" on
three different underlay subnets behind a router (no shared L2, so host-gw
routes could not work), each with a bridge and a container; the containers
reach each other through the overlay, unNATed, with full-size packets."""

import json

import pytest

from conftest import FailingCases
from kernel import Server, connect, ping, sh

HOSTS = (1, 2, 3)


def task(module, **args):
    return {'name': module, 'linuxns.net.' + module: args}


def underlay(n):
    """Host n's underlay address and its router: 198.51.100.16n/28."""
    return '198.51.100.%d' % (16 * n + 1), '198.51.100.%d' % (16 * n + 14)


def overlay(n, peers=HOSTS, **extra):
    args = dict(name='lnsvx0', netns='h%d' % n, vni=1, local=underlay(n)[0], dev='eth0', mtu=1450,
                addresses=['10.244.%d.0/32' % n], peers=[underlay(p)[0] for p in peers if p != n])
    args.update(extra)
    return task('vxlan', **args)


SETUP = [
    task('netns', name=['wan'] + ['h%d' % n for n in HOSTS] + ['c%d' % n for n in HOSTS], forwarding=True),
    task('veth', pairs=[{'name': 'wan%d' % n, 'netns': 'wan', 'addresses': [underlay(n)[1] + '/28'],
                         'peer': {'name': 'eth0', 'netns': 'h%d' % n, 'addresses': [underlay(n)[0] + '/28']}}
                        for n in HOSTS]),
    task('bridge', bridges=[{'name': 'cbr0', 'netns': 'h%d' % n, 'mtu': 1450, 'addresses': ['10.244.%d.1/24' % n]}
                            for n in HOSTS]),
    task('veth', pairs=[{'name': 'vc%d' % n, 'netns': 'h%d' % n, 'bridge': 'cbr0', 'mtu': 1450,
                         'peer': {'name': 'eth0', 'netns': 'c%d' % n, 'mtu': 1450, 'addresses': ['10.244.%d.2/24' % n]}}
                        for n in HOSTS]),
] + [task('netns_route', netns='h%d' % n, dst='default', gateway=underlay(n)[1]) for n in HOSTS] \
  + [task('netns_route', netns='c%d' % n, dst='default', gateway='10.244.%d.1' % n) for n in HOSTS]

OVERLAY = [overlay(n) for n in HOSTS] + [
    task('netns_route', netns='h%d' % n,
         routes=[{'dst': '10.244.%d.0/24' % p, 'gateway': '10.244.%d.0' % p, 'dev': 'lnsvx0', 'onlink': True}
                 for p in HOSTS if p != n])
    for n in HOSTS]


def details(netns, name='lnsvx0'):
    return json.loads(sh('ip -n %s -d -j link show %s' % (netns, name)))[0]


def flood_list(netns):
    entries = [line.split() for line in sh('ip netns exec %s bridge fdb show dev lnsvx0' % netns).splitlines()]
    return sorted(words[words.index('dst') + 1] for words in entries if words[0] == '00:00:00:00:00:00')


@pytest.fixture
def hosts(ansible):
    run = ansible.play(SETUP)
    assert run.rc == 0, run
    # a routed underlay: the hosts reach each other, but only through the router
    assert ping('h1', underlay(2)[0])
    assert 'via %s' % underlay(1)[1] in sh('ip -n h1 route get %s' % underlay(2)[0])
    return ansible


def test_overlay_check_apply_traffic_and_rerun(hosts):
    run = hosts.play(OVERLAY, check=True, diff=True)
    assert run.rc == 0, run
    assert sh('ip -n h1 -br link show type vxlan') == ''
    created = run.task('vxlan')['actions']
    assert created[0] == 'create vxlan lnsvx0 in namespace h3 (vni 1, udp port 4789, local 198.51.100.49, over eth0)'

    run = hosts.play(OVERLAY, diff=True)
    assert run.rc == 0, run
    assert run.task('vxlan')['actions'] == created
    info = details('h1')['linkinfo']['info_data']
    assert (info['id'], info['local'], info['port'], info['learning']) == (1, '198.51.100.17', 4789, True)
    assert details('h1')['mtu'] == 1450 and details('h1')['ifalias'] == 'linuxns.net:vxlan'
    assert flood_list('h1') == ['198.51.100.33', '198.51.100.49']
    result = run.task('vxlan')['devices'][0]  # the last vxlan task: h3's
    assert (result['netns'], result['action'], result['peers']) == ('h3', 'created', ['198.51.100.17', '198.51.100.33'])

    for src, dst in ((1, 2), (1, 3), (2, 3), (3, 1)):
        assert ping('c%d' % src, '10.244.%d.2' % dst), 'c%d -> c%d' % (src, dst)
    # a full 1450-byte packet with DF set fits the overlay (1500 on the underlay)
    assert '1 received' in sh('ip netns exec c1 ping -c 1 -W 2 -M do -s 1422 10.244.3.2', check=False)
    server = Server('c2', 8080, 'c2')
    try:
        assert connect('c1', '10.244.2.2', 8080) == 'c2 10.244.1.2'  # no NAT between containers
    finally:
        server.stop()

    for check in (False, True):
        rerun = hosts.play(OVERLAY, check=check)
        assert rerun.changed == [], rerun


def test_peers_change_in_place_and_identity_needs_recreate(hosts):
    assert hosts.play(OVERLAY).rc == 0
    ifindex = details('h1')['ifindex']
    run = hosts.play([overlay(1, peers=(1, 2), learning=False)], diff=True)
    assert run.rc == 0, run
    assert run.task('vxlan')['actions'] == ['turn learning off on vxlan lnsvx0 in namespace h1',
                                            'remove peer 198.51.100.49 from the flood list of vxlan lnsvx0 in namespace h1']
    assert flood_list('h1') == ['198.51.100.33'] and details('h1')['ifindex'] == ifindex
    assert run.task('vxlan')['diff']['before']['h1/lnsvx0']['peers'] == ['198.51.100.33', '198.51.100.49']

    run = hosts.play([overlay(1, vni=7)])
    assert run.failed == ['vxlan']
    assert 'vni 1 (wanted 7)' in run.task('vxlan')['msg'] and 'recreate=true' in run.task('vxlan')['msg']
    assert details('h1')['linkinfo']['info_data']['id'] == 1

    run = hosts.play([overlay(1, vni=7, recreate=True)])
    assert run.rc == 0, run
    assert run.task('vxlan')['devices'][0]['action'] == 'recreated'
    assert details('h1')['linkinfo']['info_data']['id'] == 7
    assert flood_list('h1') == ['198.51.100.33', '198.51.100.49']

    assert hosts.play([overlay(1, state='absent')]).changed == ['vxlan']
    assert sh('ip -n h1 -br link show type vxlan') == ''
    assert hosts.play([overlay(1, state='absent')]).changed == []


def test_a_foreign_device_of_that_name_is_refused(ansible):
    ansible.play([task('netns', name='h1')])
    sh('ip -n h1 link add lnsvx0 type veth peer name other')
    before = sh('ip -n h1 -d -j link show')
    run = ansible.play([task('vxlan', name='lnsvx0', netns='h1', vni=1)])
    assert run.failed == ['vxlan']
    assert run.task('vxlan')['msg'] == ('name: lnsvx0 in namespace h1 is a veth device, not a vxlan; '
                                        'refusing to touch it')
    assert sh('ip -n h1 -d -j link show') == before


BAD_INPUT = FailingCases([
    ({}, 'vni: a vxlan device needs a VNI'),
    ({'vni': 0}, 'vni: 0 is out of range 1-16777215'),
    ({'vni': 2 ** 24}, 'vni: 16777216 is out of range'),
    ({'vni': 1, 'port': 70000}, 'port: 70000 is out of range'),
    ({'vni': 1, 'local': 'here'}, "local: 'here' is not an IP address"),
    ({'vni': 1, 'local': '198.51.100.1', 'peers': ['fd00::2']}, 'peers: every peer must be an IPv4 address'),
    ({'vni': 1, 'local': '198.51.100.1', 'peers': ['198.51.100.1']}, 'peers: 198.51.100.1 is the local address'),
    ({'vni': 1, 'peers': ['198.51.100.2', '198.51.100.2']}, "peers: '198.51.100.2' is listed more than once"),
    ({'vni': 1, 'dev': 'a/b'}, 'dev: '),
    ({'vni': 1, 'addresses': ['10.0.0.0/24']}, 'addresses: 10.0.0.0/24 is the network or broadcast address'),
])


@pytest.mark.parametrize('args, message', BAD_INPUT.cases)
def test_bad_input_fails_before_any_change(ansible, args, message):
    case = BAD_INPUT.outcome(ansible, (args, message), lambda c: task('vxlan', name='vx0', **c[0]),
                             lambda: sh('ip -d -j link show'))
    assert case.failed
    assert case.result['msg'].startswith(message), case.result['msg']
    assert case.after == case.before
