# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.reachability through real ansible-playbook runs, with real
traffic between namespaces of the sandbox (made here with iproute2)."""

import socket
import subprocess

import pytest

from kernel import Server, sh

HERE = socket.gethostname().split('.')[0]  # the label of the module's own namespace
LAN = {'a': '10.31.0.2', 'b': '10.31.0.3', 'c': '10.31.0.4'}
GATEWAY = '10.31.0.1'
NOBODY = '10.31.0.99'  # on the LAN, but no namespace has it


def probe(**args):
    return [{'name': 'probe', 'linuxns.net.reachability': args}]


def ip_batch(commands, netns=None, force=False):
    """Many iproute2 commands in one process; force: go on after errors."""
    subprocess.run(['ip'] + (['-n', netns] if netns else []) + (['-force'] if force else []) + ['-batch', '-'],
                   input='\n'.join(commands) + '\n', universal_newlines=True, check=not force)


@pytest.fixture
def lan():
    """Namespaces a, b, c on bridge rbr0 of the sandbox (the gateway, 10.31.0.1),
    each with an IPv4 and an IPv6 address."""
    commands = ['link add rbr0 type bridge', 'link set rbr0 up', 'addr add %s/24 dev rbr0' % GATEWAY,
                'addr add fd00:31::1/64 dev rbr0 nodad']
    for name in LAN:
        commands += ['netns add %s' % name, 'link add r-%s type veth peer name eth0 netns %s' % (name, name),
                     'link set r-%s master rbr0 up' % name]
    ip_batch(commands)
    for name, address in LAN.items():
        ip_batch(['link set lo up', 'link set eth0 up', 'addr add %s/24 dev eth0' % address,
                  'addr add fd00:31::%s/64 dev eth0 nodad' % address.rsplit('.', maxsplit=1)[-1], 'route add default via %s' % GATEWAY],
                 netns=name)
    yield LAN
    # our ends now: the kernel destroys deleted namespaces, and their veths, asynchronously
    ip_batch(['link delete r-%s' % name for name in LAN] + ['link delete rbr0'], force=True)


def test_every_source_reaches_every_target(ansible, lan):
    targets = [{'name': name, 'address': address} for name, address in lan.items()] + [GATEWAY, 'fd00:31::3']
    wanted = probe(sources=['a', '/run/netns/b', ''], targets=targets)
    for check in (False, True):  # it only reads: check mode probes the same
        run = ansible.play(wanted, check=check)
        assert run.rc == 0, run.output
        result = run.task('probe')
        assert result['changed'] is False
        assert (result['total'], result['passed'], result['misses']) == (15, 15, [])
    rows = result['matrix']['rows']
    assert [(row['source'], row['netns']) for row in rows] == [('a', 'a'), ('/run/netns/b', '/run/netns/b'), (HERE, '')]
    assert rows[0]['results'] == {'a': 'ok', 'b': 'ok', 'c': 'ok', GATEWAY: 'ok', 'fd00:31::3': 'ok'}
    assert result['matrix']['lines'][1:4] == ['%-12s  . . . . .' % label for label in ('a', '/run/netns/b', HERE)]


def test_an_unreachable_target_is_a_miss_naming_source_and_target(ansible, lan):
    args = dict(sources=['a', 'b'], targets=[{'name': 'c', 'address': lan['c']}, {'name': 'nobody', 'address': NOBODY}],
                timeout=0.3, retries=1, delay=0)
    run = ansible.play(probe(**args))
    assert run.rc != 0 and run.failed == ['probe']
    result = run.task('probe')
    assert result['msg'] == '2 of 4 checks missed: a -> nobody, b -> nobody'
    assert result['misses'] == ['a -> nobody', 'b -> nobody']
    assert result['miss_details'][0] == {'source': 'a', 'target': 'nobody', 'address': NOBODY, 'port': None,
                                         'tries': 2, 'error': 'no answer within 0.3 s'}
    assert result['matrix']['lines'][1:3] == ['a     . X', 'b     . X']

    # no route to it: the send fails at once, and so does the try
    args['targets'].append({'name': 'nowhere', 'address': 'fd00:99::1'})
    run = ansible.play(probe(fail_on_miss=False, **args))
    assert run.rc == 0, run.output
    result = run.task('probe')
    assert (result['total'], result['passed']) == (6, 2)
    assert result['misses'] == ['a -> nobody', 'a -> nowhere', 'b -> nobody', 'b -> nowhere']
    assert result['miss_details'][1]['error'] == 'ping: Network is unreachable'


def test_tcp_ports_open_and_closed(ansible, lan):
    server = Server('b', 8080, 'b', seconds=30)
    try:
        run = ansible.play(probe(ports=[
            {'name': 'open', 'address': lan['b'], 'port': 8080, 'source': 'a'},
            {'name': 'closed', 'address': lan['b'], 'port': 8081, 'source': 'a'},
            {'address': lan['b'], 'port': 8080},
            {'address': 'fd00:31::3', 'port': 8081},
        ], retries=2, delay=0.2, timeout=1, fail_on_miss=False))
    finally:
        server.stop()
    assert run.rc == 0, run.output
    result = run.task('probe')
    assert [(row['source'], row['results']) for row in result['matrix']['rows']] == [
        (HERE, {'10.31.0.3:8080': 'ok', '[fd00:31::3]:8081': 'miss'}),
        ('a', {'open': 'ok', 'closed': 'miss'}),
    ]
    refused = [(d['target'], d['tries'], d['error']) for d in result['miss_details']]
    assert refused == [('closed', 3, 'connect: Connection refused'), ('[fd00:31::3]:8081', 3, 'connect: Connection refused')]
    assert 0.4 <= result['elapsed'] < 2  # refused at once, tried again 0.2 s after each try began


def test_a_missing_namespace_fails_cleanly_naming_the_option(ansible, lan):
    run = ansible.play([
        {'name': 'source', 'linuxns.net.reachability': {'sources': ['a', 'nope'], 'targets': [GATEWAY]}, 'ignore_errors': True},
        {'name': 'port source', 'linuxns.net.reachability': {'ports': [{'address': GATEWAY, 'port': 22, 'source': 'gone'}]},
         'ignore_errors': True},
    ])
    assert run.failed == ['source', 'port source'], run.output
    assert run.task('source')['option'] == 'sources'
    assert run.task('source')['msg'] == 'sources: network namespace nope does not exist (/run/netns/nope: No such file or directory)'
    assert run.task('port source')['option'] == 'ports[0].source'
    assert 'Traceback' not in run.output


BAD_INPUTS = [
    ('bad address', {'targets': ['10.31.0.300']}, 'targets[0]'),
    ('port 0', {'ports': [{'address': GATEWAY, 'port': 0}]}, 'ports[0].port'),
    ('port 70000', {'ports': [{'address': GATEWAY, 'port': 70000}]}, 'ports[0].port'),
    ('bad netns name', {'sources': ['../etc'], 'targets': [GATEWAY]}, 'sources'),
    ('timeout 0', {'targets': [GATEWAY], 'timeout': 0}, 'timeout'),
]


def test_bad_inputs_fail_before_any_probe_naming_the_option(ansible):
    run = ansible.play([{'name': name, 'linuxns.net.reachability': args, 'ignore_errors': True} for name, args, _option in BAD_INPUTS])
    assert run.failed == [name for name, _args, _option in BAD_INPUTS], run.output
    for name, _args, option in BAD_INPUTS:
        result = run.task(name)
        assert result['option'] == option and result['msg'].startswith(option + ': '), result
        assert 'total' not in result  # failed before probing
    assert 'Traceback' not in run.output


@pytest.fixture
def star():
    """100 namespaces, each on its own /24 link to the sandbox as their router,
    which also has 10.32.255.1 on lo.  Routed, not one bridge: the kernel's
    neighbour table is shared by all namespaces (gc_thresh3, 1024 entries by
    default), too small for 100 x 100 entries on one LAN."""
    count = 100
    commands = ['addr add 10.32.255.1/32 dev lo']
    for i in range(count):
        commands += ['netns add s%d' % i, 'link add s-%d type veth peer name eth0 netns s%d' % (i, i),
                     'link set s-%d up' % i, 'addr add 10.32.%d.1/24 dev s-%d' % (i, i)]
    ip_batch(commands)
    forwarding = sh('sysctl -n net.ipv4.ip_forward').strip()
    sh('sysctl -qw net.ipv4.ip_forward=1')
    for i in range(count):
        ip_batch(['link set lo up', 'link set eth0 up', 'addr add 10.32.%d.2/24 dev eth0' % i,
                  'route add default via 10.32.%d.1' % i], netns='s%d' % i)
    yield dict(('s%d' % i, '10.32.%d.2' % i) for i in range(count))
    ip_batch(['link delete s-%d' % i for i in range(count)] + ['netns delete s%d' % i for i in range(count)], force=True)
    sh('sysctl -qw net.ipv4.ip_forward=%s' % forwarding)
    sh('ip addr del 10.32.255.1/32 dev lo', check=False)


def test_scale_100_sources_by_101_targets(ansible, star):
    targets = [{'name': name, 'address': address} for name, address in star.items()] + ['10.32.255.1']
    run = ansible.play(probe(sources=list(star), targets=targets))
    assert run.rc == 0, run.output
    result = run.task('probe')
    assert (result['total'], result['passed'], result['misses']) == (10100, 10100, [])
    lines = result['matrix']['lines']  # folded into blocks of a terminal's width, each a header and 100 rows
    blocks = [i for i, line in enumerate(lines) if line.startswith('from ')]
    assert len(blocks) > 1 and all(blocks[n + 1] - blocks[n] == 101 for n in range(len(blocks) - 1))
    assert max(len(line) for line in lines) <= 100 and lines[-1] == '. reached, X missed'
    print('reachability: 100 sources x 101 targets probed in %.2f s' % result['elapsed'])


def test_a_target_blocked_from_a_source_passes_by_its_silence_and_fails_on_an_answer(ansible, lan):
    """What verify.yml relies on for isolated networks: a firewall drop in
    the sandbox (a -> c) is silence, and silence is the pass; b reaches c,
    which the target says it must not, and that answer is the miss."""
    sh('ip netns exec c iptables -A INPUT -s %s -p icmp -j DROP' % lan['a'])
    try:
        target = {'name': 'c', 'address': lan['c'], 'blocked_from': ['a']}
        run = ansible.play(probe(sources=['a', 'b'], targets=[target], timeout=0.5, retries=3, delay=0.5))
        assert run.rc == 0, run.output
        result = run.task('probe')
        assert [row['results'] for row in result['matrix']['rows']] == [{'c': 'isolated'}, {'c': 'ok'}]
        assert result['matrix']['lines'][1:3] == ['a     -', 'b     .']
        run = ansible.play(probe(sources=['a', 'b'], targets=[dict(target, blocked_from=['a', 'b'])], timeout=0.5))
        assert run.rc != 0 and run.task('probe')['misses'] == ['b -> c']
        assert run.task('probe')['miss_details'][0]['error'] == 'answered, though it should be isolated from its source'
    finally:
        sh('ip netns exec c iptables -D INPUT -s %s -p icmp -j DROP' % lan['a'])


def _learned_neighbours(netns=None):
    """The neighbour entries `ip neigh` shows (learned ones: not NOARP, not permanent)."""
    shown = subprocess.run(['ip'] + (['-n', netns] if netns else []) + ['neigh', 'show'],
                           stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    return [line for line in shown.splitlines() if line and 'NOARP' not in line and 'PERMANENT' not in line]


def test_flush_neighbours_deletes_the_entries_the_probes_made_and_only_reports_them(ansible, lan):
    sh('ip neigh replace 10.31.0.77 lladdr 02:00:00:00:00:77 dev rbr0 nud permanent')  # not learned: stays
    targets = [{'name': name, 'address': address} for name, address in lan.items()] + ['fd00:31::3']
    run = ansible.play(probe(sources=['a', 'b'], targets=targets))
    assert run.rc == 0, run.output
    assert _learned_neighbours('a') and _learned_neighbours('b') and 'neighbours_flushed' not in run.task('probe')

    run = ansible.play(probe(sources=['a', 'b'], targets=targets, flush_neighbours=True))
    assert run.rc == 0, run.output
    result = run.task('probe')
    assert (result['changed'], result['passed'], result['misses']) == (False, 8, [])
    assert result['neighbours_flushed'] >= 4  # a and b: each other and c, in both families
    assert _learned_neighbours('a') == _learned_neighbours('b') == [] == _learned_neighbours()
    assert 'PERMANENT' in sh('ip neigh show 10.31.0.77')
    assert _learned_neighbours('c')  # not a source: its entries are not ours to delete


def test_waves_of_sources_each_find_the_table_emptied_by_the_flush_after_the_wave_before(ansible, lan):
    """One source at a time, each wave's entries deleted before the next:
    each wave learns its pairs afresh, so more is deleted in all than after
    one wave of every source - and every pair still answers."""
    targets = [{'name': name, 'address': address} for name, address in lan.items()]
    sources = list(lan)
    counts = {}
    for size in (0, 1):
        run = ansible.play(probe(sources=sources, targets=targets, flush_neighbours=True, sources_at_once=size))
        assert run.rc == 0, run.output
        result = run.task('probe')
        assert (result['passed'], result['misses'], result['total']) == (9, [], 9)
        assert all(_learned_neighbours(name) == [] for name in sources)
        counts[size] = result['neighbours_flushed']
    assert counts[1] > counts[0] >= 6  # each source learned the two others, at least


@pytest.mark.parametrize('family', [4, 6])
def test_echo_sockets_take_room_for_a_burst_of_replies(family, collections_path, monkeypatch):
    """A source's hundreds of replies arrive at once: the kernel's default
    receive buffer (208 KB) would drop what is over ~200."""
    monkeypatch.syspath_prepend(str(collections_path))
    from ansible_collections.linuxns.net.plugins.module_utils._icmp import RECEIVE_BUFFER, open_echo_socket
    from ansible_collections.linuxns.net.plugins.module_utils._prober import Namespaces
    namespaces = Namespaces()
    try:
        sock, _raw = open_echo_socket(namespaces, '', family)
        with sock:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) >= RECEIVE_BUFFER  # (the kernel doubles it)
    finally:
        namespaces.close()
