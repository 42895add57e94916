# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.nat_rule proven with real packets between sandbox namespaces:

  outside (198.51.100.2) --- router (198.51.100.1, br0 172.18.0.1) --- ctr (172.18.0.2)
                                                                   `-- ctr2 (172.18.0.3)

outside has no route to 172.18.0.0/24: egress only works masqueraded."""

import pytest

from conftest import FailingCases
from kernel import Server, connect, ping, sh


def t(module, **args):
    return {'name': module, 'linuxns.net.' + module: args}


# Built with iproute2 (the modules' own tests build networks with the modules):
# a playbook per test would cost seconds.
TOPOLOGY = """
for ns in outside ctr ctr2 router; do ip netns add $ns && ip -n $ns link set lo up; done
ip netns exec router sysctl -qw net.ipv4.ip_forward=1
ip -n router link add uplink type veth peer name eth0 netns outside
ip -n router addr add 198.51.100.1/24 dev uplink && ip -n router link set uplink up
ip -n outside addr add 198.51.100.2/24 dev eth0 && ip -n outside link set eth0 up
ip -n router link add br0 type bridge && ip -n router addr add 172.18.0.1/24 dev br0 && ip -n router link set br0 up
for c in ctr:2 ctr2:3; do
    ns=${c%:*}
    ip -n router link add v-$ns type veth peer name eth0 netns $ns
    ip -n router link set v-$ns master br0 up
    ip -n $ns addr add 172.18.0.${c#*:}/24 dev eth0 && ip -n $ns link set eth0 up
    ip -n $ns route add default via 172.18.0.1
done
"""

EGRESS = t('nat_rule', netns='router', kind='masquerade', source='172.18.0.0/24', out_interface='!br0')
FORWARD = t('nat_rule', netns='router', kind='forward', in_interface='br0')
PUBLISH = t('nat_rule', netns='router', kind='dnat', protocol='tcp', port=8080, to='172.18.0.2:80')


def foreign_state(netns):
    """Everything in iptables-save that is not ours, counters dropped."""
    lines = []
    for table in ('nat', 'filter'):
        for line in sh('ip netns exec %s iptables-save -t %s' % (netns, table)).splitlines():
            if line.startswith('#') or 'linuxns.net' in line or 'LINUXNS-' in line:
                continue
            lines.append(line.split(' [')[0])
    return lines


@pytest.fixture
def lab():
    sh('set -e\n' + TOPOLOGY)
    # foreign rules a firewall or Docker would have: must survive everything we do
    sh('ip netns exec router sh -c "iptables -P FORWARD DROP && iptables -N FOREIGN && iptables -A FORWARD -j FOREIGN '
       '&& iptables -A FOREIGN -p udp --dport 9 -j DROP && iptables -t nat -N DOCKER '
       '&& iptables -t nat -A PREROUTING -p tcp --dport 9999 -j DOCKER && iptables -t nat -A POSTROUTING -s 10.99.0.0/16 -j RETURN"')
    servers = [Server('ctr', 80, 'ctr'), Server('outside', 7000, 'outside')]
    yield foreign_state('router')
    for server in servers:
        server.stop()


def on(backend, *tasks):
    """The tasks with firewall_backend set."""
    return [dict(task, **{'linuxns.net.nat_rule': dict(task['linuxns.net.nat_rule'], firewall_backend=backend)}) for task in tasks]


def ours(backend):
    """Our rules in the router, as the backend's own tool prints them."""
    return sh('ip netns exec router iptables-save | grep LINUXNS' if backend == 'iptables'
              else 'ip netns exec router nft list table inet linuxns', check=False)


BACKENDS = ['iptables', 'nftables']


@pytest.mark.parametrize('backend', BACKENDS)
def test_egress_is_masqueraded(ansible, lab, backend):
    """With nftables, the lab's FORWARD DROP (iptables-nft's, as Docker's)
    gets our accepts first: our own table's accepts cannot beat it."""
    assert not ping('ctr', '198.51.100.2')  # FORWARD policy DROP, no NAT yet
    run = ansible.play(on(backend, EGRESS, FORWARD), check=True, diff=True)
    assert run.changed == ['nat_rule', 'nat_rule']
    assert not ours(backend)
    run = ansible.play(on(backend, EGRESS, FORWARD), diff=True)
    assert run.changed == ['nat_rule', 'nat_rule']
    assert ours(backend)
    assert ping('ctr', '198.51.100.2')
    # outside sees the router's address, not the container's
    assert connect('ctr', '198.51.100.2', 7000) == 'outside 198.51.100.1'
    assert ansible.play(on(backend, EGRESS, FORWARD)).changed == []
    assert ansible.play(on(backend, EGRESS, FORWARD), check=True).changed == []
    assert foreign_state('router') == lab


@pytest.mark.parametrize('backend', BACKENDS)
def test_published_port_from_outside_host_and_neighbour(ansible, lab, backend):
    assert ansible.play(on(backend, EGRESS, FORWARD, PUBLISH)).rc == 0
    # from another machine, through PREROUTING
    assert connect('outside', '198.51.100.1', 8080) == 'ctr 198.51.100.2'
    # from the router itself, through OUTPUT
    assert connect('router', '198.51.100.1', 8080).startswith('ctr ')
    # from a container on the same bridge via the router's address: hairpin NAT
    assert connect('ctr2', '198.51.100.1', 8080) == 'ctr 172.18.0.1'
    assert foreign_state('router') == lab

    run = ansible.play(on(backend, dict(PUBLISH, **{'linuxns.net.nat_rule': dict(PUBLISH['linuxns.net.nat_rule'], state='absent')})))
    assert run.task('nat_rule')['removed'] == ([
        '-A LINUXNS-DNAT -p tcp -m comment --comment linuxns.net:default -m tcp --dport 8080 '
        '-j DNAT --to-destination 172.18.0.2:80',
        '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -m comment --comment linuxns.net -j LINUXNS-DNAT',
        '-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment linuxns.net -j LINUXNS-DNAT']
        if backend == 'iptables' else [  # a published port is an element of our port map; one rule looks it up
            'inet linuxns dnat4: dnat ip to meta l4proto . th dport map @ports4',
            'inet linuxns ports4: tcp dport 8080 dnat ip to 172.18.0.2:80 comment "linuxns.net:default"'])
    assert connect('outside', '198.51.100.1', 8080).startswith('FAILED')
    assert ('LINUXNS-DNAT' if backend == 'iptables' else 'dnat ip') not in ours(backend)
    assert foreign_state('router') == lab


def test_exact_group_and_atomic_rewrite(ansible, lab):
    ansible.play([EGRESS, FORWARD, PUBLISH])
    exact = [t('nat_rule', netns='router', purge=True, rules=[
        {'kind': 'masquerade', 'source': '172.18.0.0/24', 'out_interface': '!br0'},
        {'kind': 'forward', 'in_interface': 'br0'},
        {'kind': 'dnat', 'port': '9000-9001', 'to': '172.18.0.2:80'},
    ])]
    run = ansible.play(exact, check=True)
    predicted = run.task('nat_rule')
    assert predicted['actions'] == ['rewrite chains LINUXNS-DNAT +1 -1 (IPv4, namespace router, iptables-nft)',
                                    'delete the connection tracking entries of tcp/8080 (published ports that went or '
                                    'moved: their flows follow the new rules)']  # 8080 went
    assert predicted['added'] == ['-A LINUXNS-DNAT -p tcp -m comment --comment linuxns.net:default -m tcp '
                                  '--dport 9000:9001 -j DNAT --to-destination 172.18.0.2:80']
    assert connect('outside', '198.51.100.1', 8080) == 'ctr 198.51.100.2'
    result = ansible.play(exact).task('nat_rule')
    assert (result['actions'], result['added'], result['removed']) == (
        predicted['actions'], predicted['added'], predicted['removed'])
    assert connect('outside', '198.51.100.1', 9001) == 'ctr 198.51.100.2'
    assert connect('outside', '198.51.100.1', 8080).startswith('FAILED')
    assert ansible.play(exact).changed == []
    assert foreign_state('router') == lab


def test_groups_do_not_touch_each_other(ansible, lab):
    web = t('nat_rule', netns='router', group='web', purge=True, kind='dnat', port=8080, to='172.18.0.2:80')
    db = t('nat_rule', netns='router', group='db', purge=True, kind='dnat', port=5432, to='172.18.0.3:5432')
    ansible.play([web, db])
    rules = sh('ip netns exec router iptables-save -t nat')
    assert 'linuxns.net:web' in rules and 'linuxns.net:db' in rules
    assert ansible.play([web, db]).changed == []
    ansible.play([t('nat_rule', netns='router', group='db', purge=True, state='absent')])
    rules = sh('ip netns exec router iptables-save -t nat')
    assert 'linuxns.net:web' in rules and 'linuxns.net:db' not in rules


def test_ipv6_rules_use_ip6tables(ansible, lab):
    rule = t('nat_rule', netns='router', kind='dnat', port=8080, to='[fd00:18::2]:80')
    run = ansible.play([rule])
    assert run.rc == 0, run.output
    assert '--to-destination [fd00:18::2]:80' in sh('ip netns exec router ip6tables-save -t nat')
    assert 'LINUXNS-DNAT' not in sh('ip netns exec router iptables-save -t nat')
    assert ansible.play([rule]).changed == []


BAD_INPUT = FailingCases([
    ({'kind': 'dnat', 'port': 0, 'to': '10.0.0.1:80'}, 'port: 0 is out of range'),
    ({'kind': 'dnat', 'port': 65536, 'to': '10.0.0.1:80'}, 'port: 65536 is out of range'),
    ({'kind': 'dnat', 'port': '90-80', 'to': '10.0.0.1:80'}, 'port: range 90-80 goes backwards'),
    ({'kind': 'dnat', 'port': 'http', 'to': '10.0.0.1:80'}, "port: 'http' is not a port"),
    ({'kind': 'dnat', 'port': 80, 'protocol': 'icmp', 'to': '10.0.0.1'}, "protocol: 'icmp' is not one of"),
    ({'kind': 'dnat', 'port': 80}, 'to: a dnat rule needs to'),
    ({'kind': 'dnat', 'to': '10.0.0.1'}, 'port: a dnat rule needs the port'),
    ({'kind': 'dnat', 'port': 80, 'to': '10.0.0.1:99999'}, 'to: 99999 is out of range'),
    ({'kind': 'dnat', 'port': 80, 'to': 'junk:80'}, "to: 'junk:80' is not address"),
    ({'kind': 'masquerade', 'source': '10.0.0.0/33'}, 'source: '),
    ({'kind': 'masquerade', 'source': '10.0.0.1/24'}, 'source: '),
    ({'kind': 'masquerade', 'source': '10.0.0.0/24', 'out_interface': '!' + 'x' * 16}, 'out_interface: '),
    ({'kind': 'dnat', 'port': 80, 'destination': 'fd00::1', 'to': '10.0.0.1'}, 'source: IPv4 and IPv6 are mixed'),
    ({'kind': 'masquerade', 'comment': 'has space'}, 'comment: '),
])


@pytest.mark.parametrize('args, message', BAD_INPUT.cases)
def test_bad_input_fails_before_any_change(ansible, args, message):
    def rules():  # the router's NAT rules, the saves' comments (times) left out
        saved = sh('ip netns exec router iptables-save -t nat') + sh('ip netns exec router ip6tables-save -t nat')
        return [line for line in saved.splitlines() if not line.startswith('#')]
    case = BAD_INPUT.outcome(
        ansible, (args, message), lambda c: t('nat_rule', netns='router', **c[0]), rules,
        setup=lambda: sh('ip netns add router && ip netns exec router iptables -t nat -A POSTROUTING -s 10.99.0.0/16 -j RETURN'))
    assert case.failed
    assert case.result['msg'].startswith(message), case.result['msg']
    assert case.after == case.before


@pytest.mark.parametrize('backend', BACKENDS)
def test_container_reaches_its_own_published_port(ansible, lab, backend):
    """Self-hairpin: the DNAT-ed packet must leave through the bridge port it
    came in on, which needs hairpin mode on that port."""
    hairpin = t('bridge', name='br0', netns='router', addresses=['172.18.0.1/24'], hairpin=['v-ctr'])
    assert ansible.play(on(backend, EGRESS, FORWARD, PUBLISH) + [hairpin]).rc == 0
    assert connect('ctr', '198.51.100.1', 8080) == 'ctr 172.18.0.1'


def test_diff_shows_rule_lines(ansible, lab):
    run = ansible.play([PUBLISH], check=True, diff=True)
    diff = run.task('nat_rule')['diff']
    assert diff['before']['ipv4 nat LINUXNS-DNAT'] is None
    assert diff['after']['ipv4 nat LINUXNS-DNAT'] == [
        '-p tcp -m comment --comment linuxns.net:default -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80']
    assert diff['after']['ipv4 nat PREROUTING'] == [
        '-m addrtype --dst-type LOCAL -m comment --comment linuxns.net -j LINUXNS-DNAT']


def test_rules_go_where_the_hosts_rules_are_whatever_iptables_is(ansible, lab, tmp_path):
    """`iptables` here is the legacy one, first on PATH, but the host's own
    rules (the lab's FORWARD DROP, FOREIGN, DOCKER) are in nf_tables: a
    legacy accept could not beat nf_tables' drop, so ours go there too."""
    for tool in ('iptables', 'ip6tables'):
        for suffix in ('-save', '-restore'):
            (tmp_path / (tool + suffix)).symlink_to('/usr/sbin/%s-legacy%s' % (tool, suffix))
    environment = {'PATH': '%s:/usr/sbin:/usr/bin:/sbin:/bin' % tmp_path}
    tasks = [dict(task, environment=environment) for task in (EGRESS, FORWARD, PUBLISH)]
    run = ansible.play(tasks)
    assert run.rc == 0, run.output
    assert 'iptables-nft)' in run.task('nat_rule')['actions'][0]
    assert 'LINUXNS-DNAT' in sh('ip netns exec router iptables-nft-save -t nat')
    assert 'LINUXNS' not in sh('ip netns exec router iptables-legacy-save')
    assert connect('outside', '198.51.100.1', 8080) == 'ctr 198.51.100.2'
    assert ansible.play(tasks).changed == []


def test_plain_iptables_is_used_where_the_host_has_no_rules(ansible, tmp_path):
    """No rules anywhere: whichever backend `iptables` is (here legacy) takes ours, and keeps them."""
    sh('set -e\n' + TOPOLOGY)
    for tool in ('iptables', 'ip6tables'):
        for suffix in ('-save', '-restore'):
            (tmp_path / (tool + suffix)).symlink_to('/usr/sbin/%s-legacy%s' % (tool, suffix))
    environment = {'PATH': '%s:/usr/sbin:/usr/bin:/sbin:/bin' % tmp_path}
    tasks = [dict(task, environment=environment) for task in (EGRESS, FORWARD, PUBLISH)]
    server = Server('ctr', 80, 'ctr')
    try:
        assert ansible.play(tasks).rc == 0
        assert 'LINUXNS-DNAT' in sh('ip netns exec router iptables-legacy-save -t nat')
        assert 'LINUXNS' not in sh('ip netns exec router iptables-nft-save')
        assert connect('outside', '198.51.100.1', 8080) == 'ctr 198.51.100.2'
        assert ansible.play(tasks).changed == []
    finally:
        server.stop()
