# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of linuxns.net.reachability: echo packets, input
validation, the matrix and its rendering."""

import struct

import pytest

from ansible_collections.linuxns.net.plugins.filter import network
from ansible_collections.linuxns.net.plugins.module_utils import _icmp as icmp
from ansible_collections.linuxns.net.plugins.module_utils import _prober as probing
from ansible_collections.linuxns.net.plugins.module_utils import _reachability as r
from ansible_collections.linuxns.net.plugins.module_utils import _reachability_plan as inputs
from ansible_collections.linuxns.net.plugins.module_utils import _reachability_report as outcome
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def params(**given):
    base = {'sources': None, 'targets': [], 'ports': [], 'timeout': 1.0, 'retries': 2, 'delay': 1.0, 'fail_on_miss': True}
    base.update(given)
    return base


def port(address, number, name=None, source=None):
    return {'address': address, 'port': number, 'name': name, 'source': source}


# -- packets ------------------------------------------------------------------

def test_checksum_rfc1071_example_and_odd_length():
    assert icmp.checksum(bytes([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])) == 0x220d
    assert icmp.checksum(b'\x01') == icmp.checksum(b'\x01\x00')


def test_ipv4_echo_request_carries_ident_seq_payload_and_a_valid_checksum():
    packet = icmp.echo_request(4, 0x1234, 7, b'token123')
    assert struct.unpack('!BBHHH', packet[:8])[0:2] == (8, 0)
    assert struct.unpack('!HH', packet[4:8]) == (0x1234, 7)
    assert packet[8:] == b'token123'
    assert icmp.checksum(packet) == 0


def test_ipv6_echo_request_leaves_the_checksum_to_the_kernel():
    packet = icmp.echo_request(6, 1, 2, b'x')
    assert struct.unpack('!BBHHH', packet[:8]) == (128, 0, 0, 1, 2)


def reply_of(request, family):
    """What a peer answers: the request with the reply type (and, for IPv4, a new checksum)."""
    reply = bytes([icmp.ECHO_TYPES[family][1]]) + request[1:2] + b'\0\0' + request[4:]
    if family == 4:
        reply = reply[:2] + struct.pack('!H', icmp.checksum(reply)) + reply[4:]
    return reply


@pytest.mark.parametrize('family', [4, 6])
def test_parse_echo_reply(family):
    reply = reply_of(icmp.echo_request(family, 0xbeef, 65535, b'payload!'), family)
    assert icmp.parse_echo_reply(reply, family) == (0xbeef, 65535, b'payload!')


def test_parse_skips_the_ipv4_header_of_raw_sockets():
    ip_header = bytes([0x46]) + b'\0' * 23  # version 4, 24 bytes (one option word)
    reply = reply_of(icmp.echo_request(4, 1, 2, b'p'), 4)
    assert icmp.parse_echo_reply(ip_header + reply, 4, ip_header=True) == (1, 2, b'p')
    assert icmp.parse_echo_reply(reply, 4, ip_header=True) is None  # not an IPv4 header


def test_parse_rejects_requests_other_types_bad_checksums_and_short_packets():
    request = icmp.echo_request(4, 1, 2, b'p')
    assert icmp.parse_echo_reply(request, 4) is None
    assert icmp.parse_echo_reply(reply_of(icmp.echo_request(6, 1, 2, b'p'), 6), 4) is None
    damaged = bytearray(reply_of(request, 4))
    damaged[-1] ^= 0xff
    assert icmp.parse_echo_reply(bytes(damaged), 4) is None
    assert icmp.parse_echo_reply(b'\0\0\0', 4) is None
    unreachable = b'\x03\x01' + b'\0' * 6
    assert icmp.parse_echo_reply(unreachable, 4) is None


# -- input --------------------------------------------------------------------

def test_every_source_checks_every_target_then_each_port():
    plan = inputs.plan(params(sources=['a', '', '/proc/1/ns/net'],
                              targets=['10.0.0.2', {'name': 'db', 'address': 'fd00::3'}],
                              ports=[port('10.0.0.2', 80), port('fd00::3', 5432, name='pg', source='b')]), 'here')
    assert [s.label for s in plan.sources] == ['a', 'here', '/proc/1/ns/net', 'b']
    assert plan.columns == ['10.0.0.2', 'db', '10.0.0.2:80', 'pg']
    pairs = [(c.source.label, c.column, c.port, c.seq) for c in plan.checks]
    assert pairs[:2] == [('a', '10.0.0.2', None, 0), ('a', 'db', None, 1)]
    assert pairs[-2:] == [('here', '10.0.0.2:80', 80, 0), ('b', 'pg', 5432, 0)]
    assert len(pairs) == 3 * 2 + 2
    assert plan.sources[-1].option == 'ports[1].source'


def test_sources_default_to_the_module_namespace():
    plan = inputs.plan(params(targets=['127.0.0.1']), 'here')
    assert [(s.netns, s.label) for s in plan.sources] == [('', 'here')]
    assert inputs.plan(params(sources=[], targets=['127.0.0.1']), 'here').checks == []


def test_ipv6_port_names_have_brackets():
    assert inputs.plan(params(ports=[port('fd00::1', 443)]), 'h').columns == ['[fd00::1]:443']


@pytest.mark.parametrize('given, option, words', [
    ({'targets': ['10.0.0.300']}, 'targets[0]', 'not an IP address'),
    ({'targets': ['10.0.0.1', {'name': 'x'}]}, 'targets[1]', 'needs an address'),
    ({'targets': [{'address': '10.0.0.1', 'port': 1}]}, 'targets[0]', 'unknown key(s) port'),
    ({'targets': [{'name': 'x', 'address': 'nope'}]}, 'targets[0].address', 'not an IP address'),
    ({'targets': ['10.0.0.1', '10.0.0.1']}, 'targets', 'more than once'),
    ({'ports': [port('10.0.0.1', 0)]}, 'ports[0].port', 'out of range 1-65535'),
    ({'ports': [port('10.0.0.1', 70000)]}, 'ports[0].port', 'out of range 1-65535'),
    ({'ports': [port('10.0.0.1/24', 80)]}, 'ports[0].address', 'not an IP address'),
    ({'ports': [port('10.0.0.1', 80, source='a b')]}, 'ports[0].source', 'letters, digits and _.- only'),
    ({'ports': [port('10.0.0.1', 80), port('10.0.0.1', 80)]}, 'ports', 'here -> 10.0.0.1:80 is listed more than once'),
    ({'sources': ['a/b'], 'targets': ['10.0.0.1']}, 'sources', 'letters, digits and _.- only'),
    ({'sources': ['$(id)'], 'targets': ['10.0.0.1']}, 'sources', 'not a valid network namespace name'),
    ({'sources': ['a', 'a']}, 'sources', 'more than once'),
    ({'sources': ['', 'here']}, 'sources', "'here' is listed more than once"),
    ({'ports': [port('10.0.0.1', 80, source='here')]}, 'sources', "'here' is listed more than once"),
    ({'sources': ['', None]}, 'sources', 'more than once'),
    ({'timeout': 0}, 'timeout', 'out of range'),
    ({'timeout': 61}, 'timeout', 'out of range'),
    ({'delay': -1}, 'delay', 'out of range: at least 0 and at most 60 seconds'),
    ({'timeout': True}, 'timeout', 'not a number of seconds'),
    ({'retries': 11}, 'retries', 'out of range 0-10'),
    ({'sources_at_once': -1}, 'sources_at_once', 'out of range 0-65536'),
    ({'sources_at_once': '2'}, 'sources_at_once', 'not an integer'),
])
def test_bad_input_names_the_option(given, option, words):
    with pytest.raises(ValidationError) as caught:
        inputs.plan(params(**given), 'here')
    assert caught.value.option == option
    assert words in str(caught.value)


def test_waves_take_the_sources_in_their_order_each_with_its_own_checks_ports_included():
    ports = [port('10.0.0.9', 80, source='c'), port('10.0.0.9', 22)]
    given = params(sources=['a', 'b', 'c'], targets=['10.0.0.1', 'fd00::1'], ports=ports, sources_at_once=2)
    waves = [[(check.source.label, check.column) for check in wave] for wave in inputs.plan(given, 'h').waves()]
    assert waves == [[('a', '10.0.0.1'), ('a', 'fd00::1'), ('b', '10.0.0.1'), ('b', 'fd00::1')],
                     [('c', '10.0.0.1'), ('c', 'fd00::1'), ('c', '10.0.0.9:80'), ('h', '10.0.0.9:22')]]


@pytest.mark.parametrize('size', [0, None, 3, 7])
def test_one_wave_when_the_wave_holds_every_source(size):
    planned = inputs.plan(params(sources=['a', 'b', 'c'], targets=['10.0.0.1'], sources_at_once=size), 'h')
    assert [len(wave) for wave in planned.waves()] == [3]
    assert list(inputs.plan(params(sources=[], targets=['10.0.0.1']), 'h').waves()) == []


def test_the_number_of_checks_is_bounded():
    targets = ['10.0.%d.%d' % (i // 250, i % 250 + 1) for i in range(1000)]
    inputs.plan(params(sources=['n%d' % i for i in range(65)], targets=targets[:1000]), 'h')
    with pytest.raises(ValidationError, match='at most 65536'):
        inputs.plan(params(sources=['n%d' % i for i in range(66)], targets=targets), 'h')


def test_a_port_check_may_not_repeat_a_target_column_of_its_source():
    with pytest.raises(ValidationError) as caught:
        inputs.plan(params(sources=[''], targets=[{'name': 'web', 'address': '10.0.0.2'}],
                           ports=[port('10.0.0.2', 80, name='web')]), 'h')
    assert caught.value.option == 'ports'


def test_open_files_needed_count_namespaces_icmp_sockets_and_connects():
    plan = inputs.plan(params(sources=['a', 'b'], targets=['10.0.0.1', 'fd00::1']), 'h')
    assert r.open_files_needed(plan) == 2 + 4 + r.OPEN_FILES_SPARE
    plan = inputs.plan(params(sources=['a'], targets=['10.0.0.1'], ports=[port('10.0.0.1', 80)]), 'h')
    assert r.open_files_needed(plan) == 2 + 1 + probing.MAX_OPEN_CONNECTS + r.OPEN_FILES_SPARE


def test_the_open_files_limit_is_raised_up_to_the_hard_limit(monkeypatch):
    raised = []
    monkeypatch.setattr(r.resource, 'getrlimit', lambda kind: (1024, 4096))
    monkeypatch.setattr(r.resource, 'setrlimit', lambda kind, limits: raised.append(limits))
    r.allow_open_files(1000)
    r.allow_open_files(3000)
    assert raised == [(3000, 4096)]
    with pytest.raises(ValidationError) as caught:
        r.allow_open_files(5000)
    assert caught.value.option == 'sources' and 'limit of 4096' in str(caught.value)


# -- the matrix ---------------------------------------------------------------

def decided(plan, missed):
    for check in plan.checks:
        check.ok = (check.source.label, check.column) not in missed
        check.tries = 3 if not check.ok else 1
        check.error = None if check.ok else 'no answer within 1 s'
    return plan


def test_report_and_rendering():
    plan = decided(inputs.plan(params(sources=['a', 'b'], targets=['10.0.0.2', {'name': 'gw', 'address': '10.0.0.1'}],
                                      ports=[port('10.0.0.2', 80, name='web')]), 'host1'),
                   missed=[('b', 'gw'), ('host1', 'web')])
    result = outcome.report(plan, 0.01234)
    assert result['changed'] is False
    assert (result['total'], result['passed'], result['elapsed']) == (5, 3, 0.012)
    assert result['misses'] == ['b -> gw', 'host1 -> web']
    assert result['miss_details'][1] == {'source': 'host1', 'target': 'web', 'address': '10.0.0.2', 'port': 80,
                                         'tries': 3, 'error': 'no answer within 1 s'}
    assert result['matrix']['rows'][0] == {'source': 'a', 'netns': 'a', 'results': {'10.0.0.2': 'ok', 'gw': 'ok'}}
    assert result['matrix']['lines'] == [
        'from   1 2 3',
        'a      . .',
        'b      . X',
        'host1      X',
        'to: 1=10.0.0.2, 2=gw, 3=web',
        '. reached, X missed, blank not checked',
    ]


def test_the_failure_message_names_at_most_20_misses():
    result = {'total': 30, 'misses': ['a -> t%d' % i for i in range(25)]}
    message = r.misses_message(result)
    assert message.startswith('25 of 30 checks missed: a -> t0, a -> t1,')
    assert message.endswith('a -> t19 and 5 more')
    assert r.misses_message({'total': 2, 'misses': ['a -> b']}) == '1 of 2 checks missed: a -> b'


def test_wide_matrices_keep_their_columns_aligned():
    targets = ['10.0.0.%d' % i for i in range(1, 13)]
    lines = outcome.report(decided(inputs.plan(params(sources=['a'], targets=targets), 'h'), missed=[('a', '10.0.0.12')]), 0)['matrix']['lines']
    assert lines[0] == 'from  ' + ' '.join('%2d' % i for i in range(1, 13))
    assert lines[1] == 'a     ' + ' '.join([' .'] * 11 + [' X'])
    assert lines[-1] == '. reached, X missed'


def test_reports_of_several_hosts_merge_into_one_matrix():
    host1_plan = inputs.plan(params(sources=['c1'], targets=[{'name': 'host2/c1', 'address': '10.244.2.2'}]), 'host1')
    host1 = outcome.report(decided(host1_plan, missed=[]), 0)
    outside_plan = inputs.plan(params(ports=[port('198.51.100.12', 8081, name='host2/c1:8081')]), 'outside')
    outside = outcome.report(decided(outside_plan, missed=[('outside', 'host2/c1:8081')]), 0)
    merged = network.reachability_report([host1, {'skipped': True}, outside], ['host1', 'host2', 'internet'])
    assert merged['lines'][:3] == ['from      1 2', 'host1/c1  .', 'outside     X']
    assert merged['misses'] == ['outside -> host2/c1:8081']
    assert (merged['total'], merged['passed']) == (2, 1)


def test_reachability_filters_build_targets_and_ports():
    assert network.reachability_targets([{'c2': '10.244.1.3/24', 'c1': '10.244.1.2/24'}], ['host1']) == [
        {'name': 'host1/c1', 'address': '10.244.1.2'}, {'name': 'host1/c2', 'address': '10.244.1.3'}]
    hostvars = {'host1': {'cluster_network_underlay_address': '198.51.100.11', 'containers_list': [
        {'name': 'c1', 'ports': [{'host': 8081, 'container': 80}, {'host': 53, 'protocol': 'udp'}]}]}}
    assert network.reachability_ports(hostvars, ['host1']) == [
        {'name': 'host1/c1:8081', 'address': '198.51.100.11', 'port': 8081}]


def test_an_isolated_pair_is_tried_once_and_passes_by_its_silence():
    plan = inputs.plan(params(sources=['web', 'db'], targets=[{'name': 'db@back', 'address': '10.245.1.2', 'blocked_from': ['web']}]), 'h')
    isolated, member = plan.checks
    assert (isolated.isolated, member.isolated) == (True, False)
    prober = probing.Prober(None, timeout=1, delay=1, retries=3)
    prober.left = 2
    for check in plan.checks:
        check.tries, check.started = 1, 0.0
        prober._missed(check, 0.0, 'no answer within 1 s')
    assert isolated.ok is True and member.ok is None and prober.left == 1  # the member is tried again; silence is the isolated pair's pass
    prober._decided(member, True)
    result = outcome.report(plan, 0)
    assert result['matrix']['rows'][0]['results'] == {'db@back': 'isolated'} and result['misses'] == []
    assert result['matrix']['lines'][1:3] == ['web   -', 'db    .'] and result['matrix']['lines'][-1] == '. reached, - isolated as expected, X missed'
    answered = inputs.plan(params(sources=['web'], targets=[{'address': '10.245.1.2', 'blocked_from': ['web']}]), 'h').checks[0]
    prober.left = 1
    prober._decided(answered, True)
    assert answered.ok is False and 'should be isolated' in answered.error
    with pytest.raises(ValidationError, match='blocked_from: app is not one of the sources'):
        inputs.plan(params(sources=['web'], targets=[{'address': '10.0.0.1', 'blocked_from': ['app']}]), 'h')


def test_a_wide_matrix_folds_into_blocks_and_its_legend_wraps_to_a_terminal():
    columns = ['host%d/c%d 10.244.%d.%d' % (h, c, h, c + 1) for h in range(1, 4) for c in range(1, 21)]
    rows = [{'source': 'host1/c%d' % n, 'netns': 'c%d' % n, 'results': dict((col, 'ok') for col in columns)} for n in range(3)]
    rows[0]['results'][columns[45]] = 'miss'
    lines = outcome.render_matrix(rows, columns)
    assert max(len(line) for line in lines) <= outcome.MATRIX_WIDTH
    blocks = [i for i, line in enumerate(lines) if line.startswith('from')]
    assert len(blocks) == 2 and lines[blocks[1]].split()[1] == str(len(lines[blocks[0]].split()))  # numbering goes on
    assert 'X' in lines[blocks[1] + 1] and lines[-1] == '. reached, X missed'
    legend = ' '.join(line.strip() for line in lines if line.startswith(('to: ', '    ')))
    assert legend == 'to: ' + ', '.join('%d=%s' % (i + 1, c) for i, c in enumerate(columns))
