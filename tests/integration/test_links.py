# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.veth and linuxns.net.bridge through real ansible-playbook runs,
proven with real traffic between namespaces of the sandbox."""

import json

import pytest

from conftest import FailingCases
from kernel import netns_list, ping, sh


@pytest.fixture(autouse=True)
def clean_links():
    """Links made in the sandbox's own namespace do not vanish with the
    namespaces: delete every one but lo after each test."""
    yield
    for link in json.loads(sh('ip -j link show')):
        if link['ifname'] != 'lo':
            sh('ip link delete %s' % link['ifname'], check=False)


def task(module, **args):
    return {'name': module, 'linuxns.net.' + module: args}


def link_json(name, netns=None):
    """`ip -d -j link` of one device, byte for byte."""
    return sh('ip %s-d -j link show %s' % ('-n %s ' % netns if netns else '', name))


SEED = [
    task('netns', name=['ns1', 'ns2']),
    task('bridge', name='br0', addresses=['172.18.0.1/24']),
    task('veth', pairs=[
        {'name': 'veth2', 'bridge': 'br0', 'peer': {'name': 'veth1', 'netns': 'ns1', 'addresses': ['172.18.0.2/24']}},
        {'name': 'veth4', 'bridge': 'br0', 'peer': {'name': 'veth3', 'netns': 'ns2', 'addresses': ['172.18.0.3/24']}},
    ]),
]


def test_seed_bridge_network_check_apply_rerun_and_ping(ansible):
    # check on a fresh host: nothing exists yet, later tasks depend on earlier ones
    run = ansible.play(SEED, check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.changed == ['netns', 'bridge', 'veth']
    assert netns_list() == []
    assert sh('ip -br link').split()[0] == 'lo' and len(sh('ip -br link').splitlines()) == 1
    veth = run.task('veth')
    assert 'create veth pair veth2 in the host namespace with peer veth1 in namespace ns1' in veth['actions']
    assert any('check mode assumed' in w for w in veth.get('warnings', []))

    run = ansible.play(SEED, diff=True)
    assert run.rc == 0, run.output
    assert run.changed == ['netns', 'bridge', 'veth']
    assert run.task('veth')['actions'] == veth['actions']  # check mode predicted exactly this
    pairs = run.task('veth')['pairs']
    assert pairs[0]['end']['master'] == 'br0' and pairs[0]['peer']['addresses'] == ['172.18.0.2/24']
    assert pairs[0]['end']['peer_index'] == pairs[0]['peer']['index']
    assert '@if%d' % pairs[0]['end']['index'] in sh('ip -n ns1 -br link show veth1')

    assert ping('ns1', '172.18.0.3')
    assert ping('ns1', '172.18.0.1')
    assert ping('ns2', '172.18.0.2')

    for check in (False, True):
        run = ansible.play(SEED, check=check, diff=True)
        assert run.changed == [], run.output


def test_host_to_namespace_bare_veth(ansible):
    tasks = [task('netns', name='ns1'),
             task('veth', name='veth-host', addresses=['192.168.50.2/24'],
                  peer={'name': 'veth-ns', 'netns': 'ns1', 'addresses': ['192.168.50.3/24']})]
    assert ansible.play(tasks).rc == 0
    assert ping(None, '192.168.50.3')
    assert ping('ns1', '192.168.50.2')
    assert ansible.play(tasks).changed == []


def test_two_bridges_joined_by_a_veth_pair(ansible):
    tasks = [
        task('netns', name=['ns1', 'ns2']),
        task('bridge', bridges=[{'name': 'br0'}, {'name': 'br1'}]),
        task('veth', pairs=[
            {'name': 'veth7', 'bridge': 'br0', 'peer': {'name': 'veth8', 'bridge': 'br1'}},
            {'name': 'v-ns1', 'bridge': 'br0', 'peer': {'name': 'eth0', 'netns': 'ns1', 'addresses': ['10.9.0.1/24']}},
            {'name': 'v-ns2', 'bridge': 'br1', 'peer': {'name': 'eth0', 'netns': 'ns2', 'addresses': ['10.9.0.2/24']}},
        ]),
    ]
    run = ansible.play(tasks)
    assert run.rc == 0, run.output
    assert ping('ns1', '10.9.0.2')
    assert ansible.play(tasks).changed == []


def test_existing_pair_is_changed_in_place(ansible):
    ansible.play(SEED)
    index = json.loads(link_json('veth2'))[0]['ifindex']
    changed = [task('veth', name='veth2', mtu=1400, mac='02:00:00:00:00:02', state='present', bridge='br0',
                    peer={'name': 'veth1', 'netns': 'ns1', 'addresses': ['172.18.0.12/24', 'fd00:18::2/64'],
                          'mtu': 1400, 'state': 'down'})]
    run = ansible.play(changed, check=True, diff=True)
    predicted = run.task('veth')['actions']
    assert predicted == [
        'set mtu of veth2 in the host namespace to 1400',
        'set mac of veth2 in the host namespace to 02:00:00:00:00:02',
        'set mtu of veth1 in namespace ns1 to 1400',
        'set state of veth1 in namespace ns1 to down',
        'remove address 172.18.0.2/24 from veth1 in namespace ns1',
        'add address 172.18.0.12/24 to veth1 in namespace ns1',
        'add address fd00:18::2/64 to veth1 in namespace ns1',
    ]
    assert '172.18.0.2/24' in sh('ip -n ns1 -br addr show veth1')
    run = ansible.play(changed, diff=True)
    assert run.rc == 0, run.task('veth')['msg']
    assert run.task('veth')['actions'] == predicted
    diff = run.task('veth')['diff']
    assert diff['before']['ns1/veth1']['addresses'] == ['172.18.0.2/24']
    assert diff['after']['ns1/veth1']['addresses'] == ['172.18.0.12/24', 'fd00:18::2/64']
    link = json.loads(link_json('veth2'))[0]
    assert (link['ifindex'], link['mtu'], link['address']) == (index, 1400, '02:00:00:00:00:02')
    assert 'UP' not in json.loads(link_json('veth1', 'ns1'))[0]['flags']
    assert ansible.play(changed).changed == []

    # add-only addresses keep what is there
    add_only = [task('veth', name='veth2', purge_addresses=False,
                     peer={'name': 'veth1', 'netns': 'ns1', 'addresses': ['172.18.0.22/24'], 'state': 'down'})]
    run = ansible.play(add_only)
    assert run.task('veth')['actions'] == ['add address 172.18.0.22/24 to veth1 in namespace ns1']
    assert run.task('veth')['pairs'][0]['peer']['addresses'] == ['172.18.0.12/24', '172.18.0.22/24', 'fd00:18::2/64']


def test_txqueuelen_on_both_ends_a_bridge_and_a_new_pair_in_one_list(ansible):
    """The option added by one declaration (_options.LINK), one spec field
    (LinkEnd) and one seam field (IFLA_TXQLEN): in place, at creation, in the
    list form and the peer, check mode exact, idempotent, refused when bad."""
    ansible.play(SEED)
    changed = [task('veth', pairs=[
        {'name': 'veth2', 'bridge': 'br0', 'txqueuelen': 500,
         'peer': {'name': 'veth1', 'netns': 'ns1', 'txqueuelen': 64, 'addresses': ['172.18.0.2/24']}},
        {'name': 'veth6', 'txqueuelen': 2000, 'peer': {'name': 'veth5', 'netns': 'ns2'}}]),
        task('bridge', name='br0', addresses=['172.18.0.1/24'], txqueuelen=100)]
    check = ansible.play(changed, check=True)
    assert check.task('veth')['actions'] == [
        'set txqueuelen of veth2 in the host namespace to 500',
        'set txqueuelen of veth1 in namespace ns1 to 64',
        'create veth pair veth6 in the host namespace with peer veth5 in namespace ns2',
        'set txqueuelen of veth6 in the host namespace to 2000',
    ]
    run = ansible.play(changed, diff=True)
    assert run.rc == 0, run.output
    assert run.task('veth')['actions'] == check.task('veth')['actions']
    assert run.task('bridge')['actions'] == check.task('bridge')['actions'] == [
        'set txqueuelen of br0 in the host namespace to 100']
    assert run.task('veth')['diff']['after']['ns1/veth1']['txqueuelen'] == 64
    queues = [json.loads(link_json(name, netns))[0]['txqlen']
              for name, netns in (('veth2', None), ('veth1', 'ns1'), ('veth6', None), ('br0', None))]
    assert queues == [500, 64, 2000, 100]
    assert ansible.play(changed).changed == []
    assert 'unchanged' == ansible.play(changed).task('veth')['pairs'][1]['action']
    bad = ansible.play([task('veth', pairs=[{'name': 'veth2', 'peer': {'name': 'veth1', 'netns': 'ns1', 'txqueuelen': -1}}])])
    assert 'pairs[0].peer.txqueuelen' in bad.task('veth')['msg'] and bad.changed == []


def test_wrong_peer_needs_recreate(ansible):
    ansible.play([task('netns', name=['ns1', 'ns2'])])
    sh('ip link add veth2 type veth peer name other netns ns2')
    wanted = task('veth', name='veth2', peer={'name': 'veth1', 'netns': 'ns1'})
    run = ansible.play([wanted])
    assert run.failed == ['veth']
    msg = run.task('veth')['msg']
    assert 'veth2 in the host namespace is paired with other in ns2, not with veth1 in namespace ns1' in msg
    assert 'recreate=true' in msg
    assert 'other' in sh('ip -n ns2 -br link')

    run = ansible.play([dict(wanted, **{'linuxns.net.veth': dict(wanted['linuxns.net.veth'], recreate=True)})])
    assert run.rc == 0, run.output
    assert run.task('veth')['pairs'][0]['action'] == 'recreated'
    assert 'other' not in sh('ip -n ns2 -br link')
    assert sh('ip -n ns1 -br link show veth1').startswith('veth1@if')


def test_foreign_devices_are_never_touched(ansible):
    """A foreign bridge with a foreign port, and a tap device with the name
    we are asked to manage as a veth: byte-for-byte unchanged afterwards."""
    sh('ip link add docker0 type bridge && ip link add foreign1 type veth peer name foreign2 '
       '&& ip link set foreign1 master docker0 && ip tuntap add mode tap name eth9')
    before = [link_json(n) for n in ('docker0', 'foreign1', 'foreign2', 'eth9')]

    run = ansible.play([task('veth', name='eth9', peer={'name': 'x1'})])
    assert run.failed == ['veth']
    assert run.task('veth')['msg'] == 'name: eth9 in the host namespace is a tun device, not a veth; refusing to touch it'
    run = ansible.play([task('bridge', name='eth9')])
    assert run.task('bridge')['msg'].startswith('name: eth9 in the host namespace is a tun device, not a bridge')
    run = ansible.play([task('veth', name='eth9', peer={'name': 'x1'}, state='absent')])
    assert run.failed == ['veth']

    # deleting a bridge with a foreign port: refused, then forced (the port is kept)
    run = ansible.play([task('bridge', name='docker0', state='absent')])
    assert run.failed == ['bridge']
    assert 'foreign1' in run.task('bridge')['msg'] and 'force=true' in run.task('bridge')['msg']
    assert [link_json(n) for n in ('docker0', 'foreign1', 'foreign2', 'eth9')] == before

    # our own network beside them: create, change, delete
    ansible.play(SEED)
    ansible.play([task('bridge', name='br0', addresses=['172.18.0.1/24', '172.18.1.1/24'], stp=True, forward_delay=4)])
    ansible.play([task('veth', pairs=[{'name': 'veth2', 'peer': {'name': 'veth1', 'netns': 'ns1'}, 'state': 'absent'}]),
                  task('bridge', name='br0', state='absent')])
    assert [link_json(n) for n in ('docker0', 'foreign1', 'foreign2', 'eth9')] == before

    run = ansible.play([task('bridge', name='docker0', state='absent', force=True)])
    assert run.rc == 0
    assert 'foreign1' in sh('ip -br link') and 'docker0' not in sh('ip -br link')


def test_bridge_options_ports_and_hairpin(ansible):
    ansible.play(SEED)
    wanted = [task('bridge', name='br0', addresses=['172.18.0.1/24'], stp=True, forward_delay=4,
                   ports=['veth2'], purge_ports=True, hairpin=['veth2'], mtu=1450)]
    run = ansible.play(wanted, check=True)
    predicted = run.task('bridge')['actions']
    assert predicted == [
        'set forward_delay 4.0, stp True of bridge br0 in the host namespace',
        'set mtu of br0 in the host namespace to 1450',
        'release veth4 from bridge br0 in the host namespace',
        'turn hairpin on for port veth2 of bridge br0',
    ]
    run = ansible.play(wanted)
    assert run.task('bridge')['actions'] == predicted
    details = json.loads(link_json('br0'))[0]['linkinfo']['info_data']
    assert details['stp_state'] == 1 and details['forward_delay'] == 400
    assert 'hairpin on' in sh('ip -d link show veth2')
    assert 'master' not in sh('ip -d link show veth4')
    result = run.task('bridge')['bridges'][0]
    assert (result['ports'], result['hairpin'], result['mtu']) == (['veth2'], ['veth2'], 1450)
    assert ansible.play(wanted).changed == []


def test_absent_pair(ansible):
    ansible.play(SEED)
    gone = [task('veth', name='veth1', netns='ns1', peer={'name': 'veth2'}, state='absent')]
    run = ansible.play(gone, check=True)
    assert run.task('veth')['actions'] == ['delete veth veth1 in namespace ns1']
    assert 'veth2' in sh('ip -br link')
    run = ansible.play(gone)
    assert run.task('veth')['pairs'][0]['action'] == 'deleted'
    assert 'veth2' not in sh('ip -br link')
    assert ansible.play(gone).changed == []
    missing_ns = [task('veth', name='x', netns='nosuchns', peer={'name': 'y'}, state='absent')]
    assert ansible.play(missing_ns).rc == 0


def test_absent_pair_by_name_alone(ansible):
    """As `ip link del veth2`: the peer is found, shown in the diff, and goes too."""
    ansible.play(SEED)
    gone = [task('veth', name='veth2', state='absent'),
            task('veth', pairs=[{'name': 'veth3', 'netns': 'ns2', 'state': 'absent'}])]
    check = ansible.play(gone, check=True, diff=True)
    assert check.rc == 0, check
    deletes = [['delete veth veth2 in the host namespace'], ['delete veth veth3 in namespace ns2']]
    assert [r['result']['actions'] for r in check.records] == deletes
    assert 'veth2' in sh('ip -br link') and 'veth4' in sh('ip -br link')
    run = ansible.play(gone, diff=True)
    assert run.rc == 0, run
    assert [r['result']['actions'] for r in run.records] == deletes
    for record, (end, peer) in zip(run.records, [('veth2', 'ns1/veth1'), ('ns2/veth3', 'veth4')]):
        result = record['result']
        assert sorted(result['diff']['before']) == sorted([end, peer])
        assert result['diff']['after'] == {end: None, peer: None}
        assert result['pairs'][0]['peer']['name'] == peer.split('/')[-1]
        assert result['pairs'][0]['action'] == 'deleted'
    assert [r['result']['diff'] for r in check.records] == [r['result']['diff'] for r in run.records]
    assert 'veth' not in sh('ip -br link') and 'veth' not in sh('ip -n ns1 -br link') + sh('ip -n ns2 -br link')
    rerun = ansible.play(gone)
    assert rerun.rc == 0 and rerun.changed == [], rerun
    run = ansible.play([task('veth', name='veth9', netns='ns1')])
    assert run.failed == ['veth'] and run.task('veth')['msg'].startswith('peer.name: the peer end needs a name')


def test_failure_midway_rolls_back(ansible):
    """IPv6 disabled in ns2: adding the IPv6 address fails in the kernel after
    the pair was created; the pair must be gone again."""
    ansible.play([task('netns', name=['ns1', 'ns2'])])
    sh('ip netns exec ns2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1')
    run = ansible.play([task('veth', name='v1', netns='ns1', addresses=['10.1.0.1/24'],
                             peer={'name': 'v2', 'netns': 'ns2', 'addresses': ['fd00:1::2/64']})])
    assert run.failed == ['veth']
    result = run.task('veth')
    assert result['msg'].startswith('add address fd00:1::2/64 to v2 in namespace ns2 failed')
    assert result['rolled_back'][-1].startswith('create veth pair v1')
    assert result['not_rolled_back'] == []
    assert 'v1' not in sh('ip -n ns1 -br link') and 'v2' not in sh('ip -n ns2 -br link')


def test_missing_namespace_fails_before_any_change(ansible):
    run = ansible.play([task('veth', name='veth2', peer={'name': 'veth1', 'netns': 'nope'})])
    assert run.failed == ['veth']
    assert 'peer.netns: network namespace nope does not exist' in run.task('veth')['msg']
    assert 'veth2' not in sh('ip -br link')


def test_bridge_port_must_exist_in_a_real_run(ansible):
    run = ansible.play([task('bridge', name='br0', ports=['ghost0'])])
    assert run.failed == ['bridge']
    assert 'ports: interface ghost0 does not exist in the host namespace' in run.task('bridge')['msg']
    assert 'br0' not in sh('ip -br link')


BAD_INPUT = FailingCases([
    ('veth', {'name': 'x' * 16, 'peer': {'name': 'p'}}, 'name', 'longer than 15 bytes'),
    ('veth', {'name': 'a/b', 'peer': {'name': 'p'}}, 'name', "must not contain '/'"),
    ('veth', {'name': 'a b', 'peer': {'name': 'p'}}, 'name', 'whitespace'),
    ('veth', {'name': 'v', 'peer': {'name': 'p', 'addresses': ['10.0.0.300/24']}}, 'peer.addresses', 'not an address'),
    ('veth', {'name': 'v', 'addresses': ['10.0.0.0/24'], 'peer': {'name': 'p'}}, 'addresses', 'not a host address'),
    ('veth', {'name': 'v', 'mtu': 65536, 'peer': {'name': 'p'}}, 'mtu', 'out of range'),
    ('veth', {'name': 'v', 'peer': {'name': 'p', 'mac': '01:00:5e:00:00:01'}}, 'peer.mac', 'not a unicast MAC'),
    ('veth', {'name': 'v', 'peer': {'name': 'p', 'mac': 'zz'}}, 'peer.mac', 'not a unicast MAC'),
    ('veth', {'name': 'v', 'peer': {'name': 'v'}}, 'peer.name', 'both ends'),
    ('veth', {'pairs': [{'name': 'ok', 'peer': {'name': 'p'}}, {'name': 'bad/', 'peer': {'name': 'q'}}]},
     'pairs[1].name', "must not contain '/'"),
    ('bridge', {'name': 'b' * 16}, 'name', 'longer than 15 bytes'),
    ('bridge', {'name': 'br0', 'addresses': ['junk']}, 'addresses', 'not an address'),
    ('bridge', {'name': 'br0', 'mtu': 10}, 'mtu', 'out of range'),
    ('bridge', {'name': 'br0', 'forward_delay': 31}, 'forward_delay', 'out of range'),
    ('bridge', {'name': 'br0', 'mac': '02:00:00:00:00'}, 'mac', 'not a unicast MAC'),
])


@pytest.mark.parametrize('module, args, option, message', BAD_INPUT.cases)
def test_bad_input_fails_before_any_change(ansible, module, args, option, message):
    case = BAD_INPUT.outcome(ansible, (module, args, option, message), lambda c: task(c[0], **c[1]),
                             lambda: sh('ip -d -j link show'))
    assert case.failed
    assert case.result['msg'].startswith(option + ': '), case.result['msg']
    assert message in case.result['msg']
    assert case.after == case.before


def test_bridge_state_down_with_diff(ansible):
    assert ansible.play([task('bridge', name='br0', addresses=['10.5.0.1/24'])]).rc == 0
    down = [task('bridge', name='br0', addresses=['10.5.0.1/24'], state='down')]
    run = ansible.play(down, check=True, diff=True)
    result = run.task('bridge')
    assert result['actions'] == ['set state of br0 in the host namespace to down']
    assert (result['diff']['before']['br0']['state'], result['diff']['after']['br0']['state']) == ('up', 'down')
    assert 'UP' in json.loads(link_json('br0'))[0]['flags']
    assert ansible.play(down).changed == ['bridge']
    assert 'UP' not in json.loads(link_json('br0'))[0]['flags']
    assert ansible.play(down).changed == []
