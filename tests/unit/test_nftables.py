# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nftables backend's rules, read-back and plans, and the host-firewall
checks, without nft (its JSON below is what nft 1.0.6 printed for these
rules; tests/integration/test_firewalls.py runs the real thing)."""

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._filter_nftables import (
    ALL_CHAINS, NftablesBackend, admission_script, element, ours, rule_lines, subject)
from ansible_collections.linuxns.net.plugins.module_utils._filter_policy import NatRuleSpec
from ansible_collections.linuxns.net.plugins.module_utils._host_firewall import HostFirewall, describe_blocking
from ansible_collections.linuxns.net.plugins.module_utils._nat import NatResource, host_chain
from ansible_collections.linuxns.net.plugins.module_utils._nft_text import rule_text
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def spec(**params):
    return NatRuleSpec(dict(params, group='g'), '')


def lines(**params):
    return [line for _chain, line in rule_lines(spec(**params))]


def test_each_kind_as_nft_text():
    assert lines(kind='masquerade', source='172.18.0.0/24', out_interface='!br0') == [
        'ip saddr 172.18.0.0/24 oifname != "br0" masquerade comment "linuxns.net:g"',
        'ip saddr 172.18.0.0/24 oifname "br0" ct status dnat masquerade comment "linuxns.net:g"']
    assert lines(kind='dnat', protocol='udp', port='9000-9001', to='[fd00::2]:53') == [
        'udp dport 9000-9001 dnat ip6 to [fd00::2]:53 comment "linuxns.net:g"']
    assert lines(kind='snat', source='10.0.0.1/32', to='198.51.100.1') == ['ip saddr 10.0.0.1 snat ip to 198.51.100.1 comment "linuxns.net:g"']
    # iptables' --ctstate takes states and DNAT at once; nft matches them apart
    assert lines(kind='exempt', out_interface='br0', ctstate=['RELATED', 'ESTABLISHED', 'DNAT']) == [
        'oifname "br0" ct state established,related return comment "linuxns.net:g"',
        'oifname "br0" ct status dnat return comment "linuxns.net:g"']
    assert lines(kind='forward', source='10.1.0.0/16', out_interface='br0', protocol='tcp', port=80)[0] == \
        'ip saddr 10.1.0.0/16 oifname "br0" tcp dport 80 accept comment "linuxns.net:g"'
    assert lines(kind='isolate', in_interface='br1', protocol='sctp') == ['iifname "br1" meta l4proto sctp drop comment "linuxns.net:g"']
    assert [chain for chain, _line in rule_lines(spec(kind='no_masquerade', source='fd00::/64'))] == ['postrouting6']


def test_a_comment_nft_cannot_keep_fails_validation():
    with pytest.raises(ValidationError, match='^comment: the rule comment'):
        rule_lines(NatRuleSpec({'kind': 'masquerade', 'group': 'g' * 100, 'comment': 'c' * 40}, ''))


# What nft -j list ruleset printed for rules as rule_lines writes them.
KERNEL = [
    ({'expr': [{'match': {'op': '==', 'left': {'payload': {'protocol': 'ip', 'field': 'saddr'}},
                          'right': {'prefix': {'addr': '10.244.1.0', 'len': 24}}}},
               {'match': {'op': '!=', 'left': {'meta': {'key': 'oifname'}}, 'right': 'cbr0'}}, {'masquerade': None}],
      'comment': 'linuxns.net:cbr0'},
     'ip saddr 10.244.1.0/24 oifname != "cbr0" masquerade comment "linuxns.net:cbr0"'),
    ({'expr': [{'match': {'op': '==', 'left': {'payload': {'protocol': 'udp', 'field': 'dport'}}, 'right': {'range': [9000, 9001]}}},
               {'dnat': {'family': 'ip', 'addr': '10.244.1.2'}}], 'comment': 'linuxns.net:cbr0:web'},
     'udp dport 9000-9001 dnat ip to 10.244.1.2 comment "linuxns.net:cbr0:web"'),
    ({'expr': [{'match': {'op': '==', 'left': {'meta': {'key': 'oifname'}}, 'right': 'cbr0'}},
               {'match': {'op': 'in', 'left': {'ct': {'key': 'state'}}, 'right': ['established', 'related']}}, {'accept': None}]},
     'oifname "cbr0" ct state established,related accept'),
    ({'expr': [{'match': {'op': '==', 'left': {'fib': {'result': 'type', 'flags': ['daddr']}}, 'right': 'local'}},
               {'match': {'op': '!=', 'left': {'payload': {'protocol': 'ip', 'field': 'daddr'}},
                          'right': {'prefix': {'addr': '127.0.0.0', 'len': 8}}}}, {'jump': {'target': 'dnat4'}}]},
     'fib daddr type local ip daddr != 127.0.0.0/8 jump dnat4'),
    ({'expr': [{'match': {'op': '==', 'left': {'payload': {'protocol': 'tcp', 'field': 'dport'}}, 'right': 8080}},
               {'dnat': {'family': 'ip6', 'addr': 'fd00:88::2', 'port': 80}}]},
     'tcp dport 8080 dnat ip6 to [fd00:88::2]:80'),
]


@pytest.mark.parametrize('rule, text', KERNEL)
def test_the_kernels_rules_read_back_as_the_text_we_write(rule, text):
    assert rule_text(rule) == text


def test_an_expression_of_another_form_never_equals_ours():
    assert rule_text({'expr': [{'reject': {'type': 'icmpx', 'expr': 'admin-prohibited'}}]}).startswith('?{"reject"')


def ruleset(*objects):
    return [{'metainfo': {'version': '1.0.6'}}] + list(objects)


def table(family, name):
    return {'table': {'family': family, 'name': name}}


def chain(family, table_, name, hook=None, policy='accept', **extra):
    value = dict({'family': family, 'table': table_, 'name': name}, **extra)
    if hook:
        value.update(type='filter', hook=hook, prio=0, policy=policy)
    return {'chain': value}


def rule(family, table_, chain_, handle, *expr, **extra):
    return {'rule': dict({'family': family, 'table': table_, 'chain': chain_, 'handle': handle, 'expr': list(expr)}, **extra)}


def oif(name):
    return {'match': {'op': '==', 'left': {'meta': {'key': 'oifname'}}, 'right': name}}


def iif(name):
    return {'match': {'op': '==', 'left': {'meta': {'key': 'iifname'}}, 'right': name}}


ACCEPT, REJECT = {'accept': None}, {'reject': {'type': 'icmpx', 'expr': 'admin-prohibited'}}
FORWARD_CHAIN = {'family': 'inet', 'table': 'filter', 'chain': 'forward'}
HARDENED = ruleset(table('inet', 'filter'), chain('inet', 'filter', 'forward', 'forward', 'drop'),
                   chain('inet', 'filter', 'input', 'input', 'drop'))
FIREWALLD = ruleset(table('inet', 'firewalld'), chain('inet', 'firewalld', 'filter_FORWARD', 'forward'),
                    rule('inet', 'firewalld', 'filter_FORWARD', 7, {'counter': None}, REJECT))


def test_a_foreign_forward_drop_is_found_unless_it_lets_our_bridges_through():
    found = HostFirewall(HARDENED, {}).blocking('nftables', None, ['cbr0'])
    assert [(c['table'], c['chain'], c['drops']) for c in found] == [('filter', 'forward', 'policy drop')]
    assert [c['drops'] for c in HostFirewall(FIREWALLD, {}).blocking('nftables', None, ['cbr0'])] == ['a final reject rule']
    admitted = HARDENED + [rule('inet', 'filter', 'forward', 9, iif('cbr0'), ACCEPT), rule('inet', 'filter', 'forward', 10, oif('cbr0'), ACCEPT)]
    assert HostFirewall(admitted, {}).blocking('nftables', None, ['cbr0']) == []
    assert HostFirewall(admitted, {}).blocking('nftables', None, ['cbr0', 'br1'])  # br1 is not let through


def test_iptables_tables_block_nftables_but_not_the_iptables_jumps_that_go_first():
    docker = ruleset(table('ip', 'filter'), chain('ip', 'filter', 'FORWARD', 'forward', 'drop'))
    assert HostFirewall(docker, {}).blocking('nftables', None, ['cbr0'])
    assert HostFirewall(docker, {}).blocking('iptables', 'nft', ['cbr0']) == []
    legacy = {4: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'}
    assert [c['table'] for c in HostFirewall(ruleset(), legacy).blocking('iptables', 'nft', ['cbr0'])] == ['filter (iptables-legacy)']
    assert HostFirewall(ruleset(), legacy).blocking('iptables', 'legacy', ['cbr0']) == []


def test_auto_follows_the_hosts_own_rules():
    legacy = {4: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'}
    assert HostFirewall(ruleset(), legacy).choose('auto', []) == ('iptables', 'legacy')
    docker = ruleset(table('ip', 'filter'), chain('ip', 'filter', 'FORWARD', 'forward', 'drop'))
    assert HostFirewall(docker, {}).choose('auto', ['nftables'])[0] == 'iptables'
    assert HostFirewall(HARDENED, {}).choose('auto', []) == ('nftables', None)
    assert HostFirewall(FIREWALLD, {}).choose('auto', []) == ('nftables', None)
    assert HostFirewall(ruleset(), {}).choose('auto', ['nftables']) == ('nftables', None)
    # our own iptables rules are not the host's: a host with only ours stays where they are
    ours_only = ruleset(table('ip', 'nat'), chain('ip', 'nat', 'LINUXNS-DNAT'),
                        rule('ip', 'nat', 'PREROUTING', 3, {'jump': {'target': 'LINUXNS-DNAT'}}))
    assert HostFirewall(ours_only, {}).choose('auto', []) == ('iptables', 'nft')
    assert HostFirewall(HARDENED, {}).choose('iptables', []) == ('iptables', None)


def test_the_message_names_the_chain_and_the_rules_to_add():
    message = describe_blocking(HostFirewall(HARDENED, {}).blocking('nftables', None, ['cbr0']), ['cbr0'])
    assert 'inet filter, chain forward (hook forward, policy drop)' in message
    assert 'nft insert rule inet filter forward iifname "cbr0" accept' in message
    assert 'host_firewall: {family: inet, table: filter, chain: forward}' in message
    assert 'firewall-cmd --permanent --zone=trusted --add-interface=cbr0' in describe_blocking(
        HostFirewall(FIREWALLD, {}).blocking('nftables', None, ['cbr0']), ['cbr0'])


def test_admission_replaces_only_the_groups_rules_by_handle():
    current = HARDENED + [rule('inet', 'filter', 'forward', 9, iif('cbr0'), ACCEPT, comment='linuxns.net:cbr0'),
                          rule('inet', 'filter', 'forward', 10, iif('cbr0'), ACCEPT, comment='linuxns.net:other'),
                          rule('inet', 'filter', 'forward', 11, iif('cbr0'), ACCEPT)]
    script = admission_script(current, [{'family': 'inet', 'table': 'filter', 'chain': 'forward', 'mark': 'linuxns.net:cbr0',
                                         'lines': ['a accept', 'b accept']}])
    assert script == ('delete rule inet filter forward handle 9\n'
                      'insert rule inet filter forward b accept\ninsert rule inet filter forward a accept\n')


@pytest.mark.parametrize('value, message', [
    ({'table': 'filter'}, 'host_firewall: give a dict with table and chain'),
    ({'table': 'filter', 'chain': 'forward', 'family': 'bridge'}, "host_firewall.family: 'bridge' is not one of"),
    ({'table': 'linuxns', 'chain': 'forward'}, 'host_firewall.table: inet linuxns is our own table'),
    ({'table': 'a b', 'chain': 'forward'}, 'host_firewall.table: '),
])
def test_host_firewall_validation(value, message):
    with pytest.raises(ValidationError, match='^' + message):
        host_chain(value)


def empty():
    current = {'_chains': None}
    current.update((subject(name), None) for name in ALL_CHAINS)
    return current


def desired(rules, state='present', group='g'):
    return NatResource.specs({'rules': rules, 'state': state, 'group': group, 'purge': True, 'netns': None,
                              'firewall_backend': 'nftables'})


def test_one_transaction_creates_the_table_and_its_inverse_deletes_it():
    wanted = desired([{'kind': 'dnat', 'port': 8080, 'to': '10.0.0.2:80'}, {'kind': 'dnat', 'port': 8080, 'to': '[fd00::2]:80'}])
    plan = NftablesBackend(None).plan(wanted, empty(), [4, 6])
    assert [a.description for a in plan.actions] == ['rewrite table inet linuxns: ports4 +1 -0, ports6 +1 -0']
    script = plan.actions[0].args['script'].splitlines()
    assert script[0] == 'add table inet linuxns'
    assert 'add element inet linuxns ports6 { tcp . 8080 comment "linuxns.net:g" : fd00::2 . 80 }' in script
    assert 'add rule inet linuxns dnat6 dnat ip6 to meta l4proto . th dport map @ports6' in script
    assert plan.actions[0].undo[1]['script'] == 'delete table inet linuxns\n'
    assert plan.after[subject('filter-forward')][0] == 'meta nfproto ipv4 jump isolation4'


def test_nothing_to_do_when_the_kernel_holds_what_we_want_and_the_last_rule_takes_the_table():
    wanted = desired([{'kind': 'dnat', 'port': 8080, 'to': '10.0.0.2:80'}])
    first = NftablesBackend(None).plan(wanted, empty(), [4])
    chains = dict((s.split()[-1], v) for s, v in first.after.items() if not s.startswith('_'))
    current = dict(first.after, _chains=chains)
    assert NftablesBackend(None).plan(wanted, current, [4]).actions == []
    other = desired([{'kind': 'masquerade', 'source': '10.1.0.0/24'}], group='h')
    assert len(NftablesBackend(None).plan(other, current, [4]).after[subject('dnat4')]) == 1  # another group's rules stay
    gone = NftablesBackend(None).plan(desired([], state='absent'), current, [4])
    assert [a.description for a in gone.actions] == ['delete table inet linuxns']
    assert gone.after[subject('dnat4')] is None
    assert 'add element inet linuxns ports4 { tcp . 8080 comment "linuxns.net:g" : 10.0.0.2 . 80 }' \
        in gone.actions[0].undo[1]['script']


def test_ours_reads_our_table_only():
    objects = HARDENED + [table('inet', 'linuxns'), chain('inet', 'linuxns', 'dnat4'),
                          rule('inet', 'linuxns', 'dnat4', 4, *KERNEL[1][0]['expr'], comment='linuxns.net:cbr0:web')]
    assert ours(objects) == {'dnat4': ['udp dport 9000-9001 dnat ip to 10.244.1.2 comment "linuxns.net:cbr0:web"']}
    assert ours(HARDENED) is None


def test_firewalld_zone_made_once_with_a_reload_then_interfaces_come_and_go_without_one(tmp_path):
    from ansible_collections.linuxns.net.plugins.module_utils import _firewalld as firewalld
    nothing = firewalld.read(ruleset(), str(tmp_path))
    assert nothing == {'zone': False, 'policy': False, 'permanent': [], 'runtime': []}
    first = firewalld.action(None, nothing, firewalld.wanted(nothing, ['cbr0'], []))
    commands = first.args['commands']
    assert commands[0] == ['--permanent', '--new-zone=linuxns'] and commands[-1] == ['--reload']
    assert ['--permanent', '--zone=linuxns', '--change-interface=cbr0'] in commands
    assert ['--permanent', '--policy=linuxns-forward', '--add-egress-zone=linuxns'] in commands
    assert first.undo[1]['commands'][-3:] == [['--permanent', '--delete-policy=linuxns-forward'],
                                              ['--permanent', '--delete-zone=linuxns'], ['--reload']]
    (tmp_path / 'zones').mkdir()
    (tmp_path / 'policies').mkdir()
    (tmp_path / 'zones' / 'linuxns.xml').write_text('<zone target="ACCEPT"><interface name="cbr0"/></zone>')
    (tmp_path / 'policies' / 'linuxns-forward.xml').write_text('<policy target="ACCEPT"/>')
    dispatch = rule('inet', 'firewalld', 'filter_FORWARD_ZONES', 5, iif('cbr0'), {'goto': {'target': 'filter_FWD_linuxns'}})
    made = firewalld.read(ruleset(dispatch), str(tmp_path))
    assert made == {'zone': True, 'policy': True, 'permanent': ['cbr0'], 'runtime': ['cbr0']}
    assert firewalld.action(None, made, firewalld.wanted(made, ['cbr0'], [])) is None
    more = firewalld.action(None, made, firewalld.wanted(made, ['cbr0', 'br1'], []))
    assert more.args['commands'] == [['--permanent', '--zone=linuxns', '--change-interface=br1'],
                                     ['--zone=linuxns', '--change-interface=br1']]
    assert more.description == 'put br1 in the firewalld zone linuxns'
    last = firewalld.action(None, made, firewalld.wanted(made, [], ['cbr0']))
    assert last.args['commands'][-1] == ['--reload'] and ['--permanent', '--delete-zone=linuxns'] in last.args['commands']


def test_with_nftables_our_accepts_go_first_in_a_dropping_legacy_forward_chain_and_leave_with_the_group():
    from ansible_collections.linuxns.net.plugins.module_utils import _admission as admission
    legacy = {4: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'}
    host = HostFirewall(ruleset(), legacy)
    wanted = desired([{'kind': 'forward', 'in_interface': 'cbr0'}])
    current = admission.legacy_read(host, wanted, 'nftables')
    assert current == {'host_firewall iptables-legacy ipv4 FORWARD': []}
    admission.check(host, wanted, 'nftables', None, False)  # let through: no failure
    actions, after = admission.legacy_plan(host, wanted, current, 'nftables')
    assert [a.description for a in actions] == ['let cbr0 through iptables-legacy FORWARD (IPv4)']
    assert actions[0].args['text'].splitlines() == [
        '*filter', '-I FORWARD 1 -o cbr0 -m comment --comment linuxns.net:g -j ACCEPT',
        '-I FORWARD 1 -i cbr0 -m comment --comment linuxns.net:g -j ACCEPT', 'COMMIT']
    assert after['host_firewall iptables-legacy ipv4 FORWARD'][0] == '-i cbr0 -m comment --comment linuxns.net:g -j ACCEPT'
    assert admission.legacy_read(host, wanted, 'iptables') == {}  # the iptables backend writes there itself
    with pytest.raises(ValidationError, match='iptables-legacy'):  # iptables-nft's tools cannot beat it
        admission.check(host, wanted, 'iptables', 'nft', False)


def test_a_port_that_names_nothing_else_is_a_map_element_others_stay_rules():
    mapped = rule_lines(spec(kind='dnat', port=8080, to='10.0.0.2:80', comment='web'))
    assert mapped == [('ports4', 'tcp dport 8080 dnat ip to 10.0.0.2:80 comment "linuxns.net:g:web"')]
    assert element(mapped[0][1]) == 'tcp . 8080 comment "linuxns.net:g:web" : 10.0.0.2 . 80'
    assert element('udp dport 53 dnat ip6 to [fd00::2]:5353') == 'udp . 53 : fd00::2 . 5353'
    # one host address, a range, or no target port: a rule of its own in dnat4
    for params in ({'destination': '127.0.0.1'}, {'port': '9000-9001'}, {'to': '10.0.0.2'}, {'in_interface': 'eth0'}):
        assert rule_lines(spec(**dict({'kind': 'dnat', 'port': 8080, 'to': '10.0.0.2:80'}, **params)))[0][0] == 'dnat4'


def test_map_elements_read_back_as_the_rules_they_stand_for():
    lookup = {'dnat': {'family': 'ip', 'addr': {'map': {
        'key': {'concat': [{'meta': {'key': 'l4proto'}}, {'payload': {'protocol': 'th', 'field': 'dport'}}]}, 'data': '@ports4'}}}}
    assert rule_text({'expr': [lookup]}) == 'dnat ip to meta l4proto . th dport map @ports4'
    elements = [[{'concat': ['udp', 53]}, {'concat': ['10.0.0.3', 53]}],
                [{'elem': {'val': {'concat': ['tcp', 8080]}, 'comment': 'linuxns.net:cbr0:web'}}, {'concat': ['10.0.0.2', 80]}]]
    objects = [table('inet', 'linuxns'), chain('inet', 'linuxns', 'dnat4'), rule('inet', 'linuxns', 'dnat4', 4, lookup),
               {'map': {'family': 'inet', 'table': 'linuxns', 'name': 'ports4', 'elem': elements}},
               {'map': {'family': 'inet', 'table': 'linuxns', 'name': 'ports6', 'elem': [
                   [{'concat': ['tcp', 80]}, {'concat': ['fd00::2', 8080]}]]}}]
    assert ours(objects) == {'dnat4': ['dnat ip to meta l4proto . th dport map @ports4'],
                             'ports4': ['tcp dport 8080 dnat ip to 10.0.0.2:80 comment "linuxns.net:cbr0:web"',
                                        'udp dport 53 dnat ip to 10.0.0.3:53'],
                             'ports6': ['tcp dport 80 dnat ip6 to [fd00::2]:8080']}


def test_rules_of_an_older_table_move_into_the_map_in_one_transaction():
    old = 'tcp dport 8080 dnat ip to 10.0.0.2:80 comment "linuxns.net:g"'
    current = empty()
    current['_chains'] = dict((name, []) for name in ALL_CHAINS if not name.startswith('ports'))
    current['_chains']['dnat4'] = [old]
    current[subject('dnat4')] = [old]
    plan = NftablesBackend(None).plan(desired([{'kind': 'dnat', 'port': 8080, 'to': '10.0.0.2:80'}]), current, [4])
    assert plan.after[subject('dnat4')] == ['dnat ip to meta l4proto . th dport map @ports4']
    assert plan.after[subject('ports4')] == [old]
    assert [a.description for a in plan.actions] == ['rewrite table inet linuxns: dnat4 +0 -1, ports4 +1 -0']


def test_one_port_published_twice_fails_naming_both():
    first = NftablesBackend(None).plan(desired([{'kind': 'dnat', 'port': 8080, 'to': '10.0.0.2:80'}]), empty(), [4])
    chains = dict((s.split()[-1], v) for s, v in first.after.items() if not s.startswith('_'))
    current = dict(first.after, _chains=chains)
    with pytest.raises(ValidationError, match=r'^rules: tcp port 8080 is published twice: .*10.0.0.2:80.*10.0.0.3:80'):
        NftablesBackend(None).plan(desired([{'kind': 'dnat', 'port': 8080, 'to': '10.0.0.3:80'}], group='h'), current, [4])


def test_an_input_drop_is_a_warning_naming_the_chain_and_a_named_input_chain_lets_the_bridges_in():
    from ansible_collections.linuxns.net.plugins.module_utils import _admission as admission
    host = HostFirewall(HARDENED, {4: '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'})
    found = host.blocking('nftables', None, ['cbr0'], hook='input')
    assert [(c['table'], c['chain'], c['hook']) for c in found] == [
        ('filter', 'input', 'input'), ('filter (iptables-legacy)', 'INPUT', 'input')]
    named = dict(FORWARD_CHAIN, input_chain='input')
    wanted = desired([{'kind': 'forward', 'in_interface': 'cbr0'}])
    wanted['families'] = [4, 6]
    warnings = admission.check(HostFirewall(HARDENED, {}), dict(wanted, host_firewall=host_chain(FORWARD_CHAIN)), 'nftables', None, False)
    assert len(warnings) == 1 and 'inet filter, chain input (policy drop)' in warnings[0]
    assert 'nft insert rule inet filter input iifname "cbr0" accept' in warnings[0] and 'neighbour solicitations' in warnings[0]
    assert admission.check(HostFirewall(HARDENED, {}), dict(wanted, host_firewall=host_chain(named)), 'nftables', None, False) == []
    current = admission.read(HostFirewall(HARDENED, {}), dict(wanted, host_firewall=host_chain(named)), 'nftables')
    action, after = admission.plan(HostFirewall(HARDENED, {}), dict(wanted, host_firewall=host_chain(named)), current, 'nftables')
    assert after['host_firewall inet filter input'] == ['iifname "cbr0" accept comment "linuxns.net:g"']
    assert after['host_firewall inet filter forward'] == ['iifname "cbr0" accept comment "linuxns.net:g"',
                                                          'oifname "cbr0" accept comment "linuxns.net:g"']
    assert action.description == 'let cbr0 through inet filter forward; let cbr0 in inet filter input'
    with pytest.raises(ValidationError, match='^host_firewall.input_chain: the input chain cannot be the forward chain'):
        host_chain(dict(FORWARD_CHAIN, input_chain='forward'))


def test_network_info_names_every_kind_of_our_rules():
    from ansible_collections.linuxns.net.plugins.module_utils._facts_filter import nft_rule_view, rule_view
    kinds = {
        ('postrouting4', 'ip saddr 10.0.0.0/24 ip daddr 10.1.0.0/24 return comment "linuxns.net:g"'): 'no_masquerade',
        ('isolation4', 'oifname "br0" ct state established,related return comment "linuxns.net:g"'): 'exempt',
        ('isolation4', 'oifname "br0" drop comment "linuxns.net:g"'): 'isolate',
        ('ports4', 'tcp dport 8080 dnat ip to 10.0.0.2:80 comment "linuxns.net:g:web"'): 'dnat',
    }
    assert dict((key, nft_rule_view('ipv4', key[0], key[1])['kind']) for key in kinds) == kinds
    assert nft_rule_view('ipv4', 'ports4', 'tcp dport 8080 dnat ip to 10.0.0.2:80 comment "linuxns.net:g:web"')['port'] == '8080'
    tokens = ['-s', '10.0.0.0/24', '-m', 'comment', '--comment', 'linuxns.net:g', '-j', 'RETURN']
    assert rule_view(4, 'nat', 'LINUXNS-POSTROUTING', tokens)['kind'] == 'no_masquerade'
    assert rule_view(4, 'filter', 'LINUXNS-ISOLATION', tokens)['kind'] == 'exempt'
