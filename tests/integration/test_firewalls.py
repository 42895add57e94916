# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_network on hosts with a firewall of their own, with real traffic.

The sandbox is the host: containers web (a TCP server on 80, published as
8080) and cli on cbr0, and an `outside` namespace (198.51.100.2) on an
uplink, with no route to the containers.  Checks, as the firewall issue
names them: (a) cli -> web, (b) egress masqueraded, (c) outside -> the
host's 8080, (d) the host -> its own 8080, (e) a rerun changes nothing,
(f) the firewall's own rules are untouched; and a failure before any change,
naming the cause, where a backend cannot work."""

import os
import signal
import subprocess
import sys
import time

import pytest

import firewalls
from kernel import CLIENT, SERVER, Server, connect, sh, unit_command

SUBNET = '10.88.0.0/24'
WEB, CLI = '10.88.0.2', '10.88.0.3'
HARDENED = '''flush ruleset
table inet filter {
    chain input { type filter hook input priority 0; policy drop; ct state established,related accept; iif "lo" accept; tcp dport 22 accept; }
    chain forward { type filter hook forward priority 0; policy drop; }
    chain output { type filter hook output priority 0; policy accept; }
}
'''
FORWARD_CHAIN = {'family': 'inet', 'table': 'filter', 'chain': 'forward'}


@pytest.fixture
def host(tmp_path, ansible):
    sh('ip netns add outside && ip link add to-out type veth peer name eth0 netns outside && '
       'ip addr add 198.51.100.1/24 dev to-out && ip link set to-out up && '
       'ip -n outside addr add 198.51.100.2/24 dev eth0 && ip -n outside link set eth0 up && ip -n outside link set lo up')
    server = Server('outside', 7000, 'outside')
    options = {'state_dir': str(tmp_path / 'state'), 'boot': False}
    yield options
    if os.path.exists(os.path.join(options['state_dir'], 'containers.json')):  # a test that stopped half-way:
        ansible.play(network(options, state='absent'))  # its workload would hold web's namespace and veth
    server.stop()
    sh('ip link del to-out', check=False)
    sh('nft flush ruleset; iptables-legacy -P FORWARD ACCEPT; iptables-legacy -F; ip6tables-legacy -P FORWARD ACCEPT', check=False)
    sh('ip link del cbr0', check=False)


def network(host, **options):
    containers = [{'name': 'web', 'ports': [{'host': 8080, 'container': 80}],
                   'command': '%s -c "$(cat %s)" web 80 120' % (sys.executable, _server_file(host))},
                  {'name': 'cli'}]
    args = dict(host, subnet=SUBNET, containers=containers)
    args.update(options)
    return [{'name': 'net', 'linuxns.net.container_network': args}]


def _server_file(host):
    path = os.path.join(os.path.dirname(host['state_dir']), 'server.py')
    with open(path, 'w') as handle:
        handle.write(SERVER)
    return path


def from_host(address, port):
    return subprocess.run([sys.executable, '-c', CLIENT, address, str(port)], stdout=subprocess.PIPE,
                          universal_newlines=True, check=False).stdout.strip()


def retried(probe, want, attempts=20):
    for _attempt in range(attempts):  # the workload may take a moment to listen
        answer = probe()
        if answer.startswith(want):
            return answer
    return answer


def traffic():
    """The answers of checks (a)-(d)."""
    return {'a': retried(lambda: connect('cli', WEB, 80), 'web').split()[0],
            'b': connect('web', '198.51.100.2', 7000),
            'c': retried(lambda: connect('outside', '198.51.100.1', 8080), 'web').split()[0],
            'd': retried(lambda: from_host('198.51.100.1', 8080), 'web').split()[0]}


WORKS = {'a': 'web', 'b': 'outside 198.51.100.1', 'c': 'web', 'd': 'web'}


def foreign_rules():
    """The ruleset and the iptables rules, ours and counters left out."""
    ruleset = sh('nft list ruleset')
    kept, skip = [], False
    for line in ruleset.splitlines():
        if line.startswith('table inet linuxns'):
            skip = True
        if not skip and 'linuxns.net' not in line and 'LINUXNS' not in line:
            kept.append(line.split(' counter packets')[0])
        if skip and line == '}':
            skip = False
    return kept


def nft_ours():
    return sh('nft list table inet linuxns', check=False)


def test_a_hardened_nftables_host_fails_before_any_change_then_works_through_the_named_chain(ansible, host):
    """A Debian host with /etc/nftables.conf's forward policy drop: our
    accepts cannot beat it.  Without host_firewall: nothing changes and the
    message names the chain and the rules; with it: everything works."""
    sh('nft -f - <<"EOF"\n%sEOF' % HARDENED)
    before, links = foreign_rules(), sh('ip -br link')
    for backend in ('auto', 'nftables', 'iptables'):
        run = ansible.play(network(host, firewall_backend=backend))
        message = run.task('net')['msg']
        assert run.failed == ['net'] and 'inet filter, chain forward (hook forward, policy drop)' in message, run.output
        assert 'nft insert rule inet filter forward oifname "cbr0" accept' in message and 'Nothing was changed' in message
        assert foreign_rules() == before and sh('ip -br link') == links and not os.path.exists(host['state_dir'])

    admitted = network(host, host_firewall=FORWARD_CHAIN)
    check = ansible.play(admitted, check=True)
    run = ansible.play(admitted)
    assert run.rc == 0, run.output
    assert run.task('net')['actions'] == check.task('net')['actions']
    assert run.task('net')['rules']['firewall_backend'] == 'nftables'  # auto: the host's rules are native nftables
    assert traffic() == WORKS
    forward = sh('nft list chain inet filter forward')
    assert 'iifname "cbr0" accept comment "linuxns.net:cbr0"' in forward and 'policy drop' in forward
    assert ansible.play(admitted).changed == []
    assert [line for line in foreign_rules() if line.strip()] == [line for line in before if line.strip()]

    info = ansible.play([{'name': 'info', 'linuxns.net.network_info': {'include': ['links', 'nat', 'firewall']}}]).task('info')
    firewall = info['network']['firewall']
    assert (firewall['backend'], firewall['bridges'], firewall['blocking']) == ('nftables', ['cbr0'], [])
    assert 'inet filter' in firewall['tables'] and not firewall['firewalld']
    published = [r for r in info['network']['nat']['groups']['cbr0'] if r['kind'] == 'dnat']
    assert [(r['table'], r['port'], r['to'], r['comment']) for r in published] == [('inet linuxns', '8080', '10.88.0.2:80', 'web')]
    sh('nft flush chain inet filter forward')  # someone takes our accepts out: network_info names what now drops
    info = ansible.play([{'name': 'info', 'linuxns.net.network_info': {'include': ['links', 'firewall']}}]).task('info')
    assert [(c['table'], c['chain'], c['drops']) for c in info['network']['firewall']['blocking']] == [
        ('filter', 'forward', 'policy drop')]
    assert ansible.play(admitted).changed == ['net']  # and the next run puts them back

    gone = ansible.play(network(host, host_firewall=FORWARD_CHAIN, state='absent'))
    assert gone.rc == 0, gone.output
    assert 'linuxns.net' not in sh('nft list ruleset') and foreign_rules() == before


def test_an_input_drop_is_named_in_a_warning_and_a_named_input_chain_lets_the_containers_reach_the_host(ansible, host):
    """The hardened host's input chain drops what the containers send to the
    host itself: the run works (forwarding does not pass input) but warns,
    naming the chain; with input_chain the containers reach a service on
    the gateway address, and state=absent takes that accept out again."""
    sh('nft -f - <<"EOF"\n%sEOF' % HARDENED)
    service = subprocess.Popen([sys.executable, '-c', SERVER, 'host', '7001', '60'], stdout=subprocess.PIPE,
                               universal_newlines=True)
    try:
        assert service.stdout.readline().strip() == 'ready'
        run = ansible.play(network(host, host_firewall=FORWARD_CHAIN))
        assert run.rc == 0, run.output
        warning = ' '.join(run.task('net').get('warnings') or [])
        assert 'inet filter, chain input (policy drop)' in warning, run.output
        assert 'nft insert rule inet filter input iifname "cbr0" accept' in warning
        assert connect('cli', '10.88.0.1', 7001).startswith('FAILED') and traffic() == WORKS

        inside = network(host, host_firewall=dict(FORWARD_CHAIN, input_chain='input'))
        run = ansible.play(inside)
        assert run.rc == 0 and not run.task('net').get('warnings'), run.output
        assert 'let cbr0 in inet filter input' in ' '.join(run.task('net')['actions'])
        assert connect('cli', '10.88.0.1', 7001) == 'host 10.88.0.3'
        info = ansible.play([{'name': 'info', 'linuxns.net.network_info': {'include': ['links', 'firewall']}}]).task('info')
        assert info['network']['firewall']['input_blocking'] == []
        assert ansible.play(inside).changed == []

        assert ansible.play(network(host, host_firewall=dict(FORWARD_CHAIN, input_chain='input'), state='absent')).rc == 0
        assert 'linuxns.net' not in sh('nft list chain inet filter input')
    finally:
        service.kill()
        service.wait()


def test_isolation_holds_through_the_accepts_in_the_hosts_chain(ansible, host):
    """Our accepts in the host's chain let the bridges through; our own
    table still drops what crosses between isolated networks."""
    sh('nft -f - <<"EOF"\n%sEOF' % HARDENED)
    back = [{'name': 'back', 'bridge': 'br-back', 'subnet': '10.89.0.0/24'}]
    tasks = network(host, host_firewall=FORWARD_CHAIN, networks=back)
    tasks[0]['linuxns.net.container_network']['containers'].append({'name': 'db', 'networks': ['back']})
    run = ansible.play(tasks)
    assert run.rc == 0, run.output
    assert 'oifname "br-back" accept' in sh('nft list chain inet filter forward')
    assert connect('cli', '10.89.0.2', 80).startswith('FAILED')  # default -> back: isolated
    assert traffic() == WORKS
    tasks[0]['linuxns.net.container_network']['state'] = 'absent'
    assert ansible.play(tasks).rc == 0
    assert 'linuxns.net' not in sh('nft list ruleset')


def test_a_legacy_host_gets_its_rules_in_iptables_legacy_or_our_accepts_there(ansible, host):
    """FORWARD DROP in iptables-legacy while `iptables` is nf_tables: auto
    writes where the host's rules are (the legacy tools); the nftables
    backend puts our accepts first in the legacy FORWARD chain."""
    sh('iptables-legacy -P FORWARD DROP')
    run = ansible.play(network(host))
    assert run.rc == 0, run.output
    assert 'iptables-legacy' in ' '.join(run.task('net')['actions'])
    assert 'LINUXNS-FORWARD' in sh('iptables-legacy-save') and 'LINUXNS' not in sh('iptables-nft-save')
    assert traffic() == WORKS
    assert ansible.play(network(host)).changed == []

    run = ansible.play(network(host, firewall_backend='nftables'))  # switched: our legacy chains go
    assert run.rc == 0, run.output
    legacy = sh('iptables-legacy-save')
    assert '-A FORWARD -i cbr0 -m comment --comment "linuxns.net:cbr0" -j ACCEPT' in legacy and 'LINUXNS' not in legacy
    assert traffic() == WORKS
    assert ansible.play(network(host, firewall_backend='nftables')).changed == []
    assert ansible.play(network(host, state='absent')).rc == 0
    assert 'linuxns.net' not in sh('iptables-legacy-save') and ':FORWARD DROP' in sh('iptables-legacy-save')


def test_switching_backends_moves_our_rules_in_the_same_run(ansible, host):
    """iptables -> nftables -> iptables: each run puts the new rules in
    place, then removes the old ones; traffic works at every step."""
    run = ansible.play(network(host, firewall_backend='iptables'))
    assert run.rc == 0, run.output
    assert 'LINUXNS-DNAT' in sh('iptables-save -t nat') and not nft_ours()
    assert traffic() == WORKS

    check = ansible.play(network(host, firewall_backend='nftables'), check=True)
    run = ansible.play(network(host, firewall_backend='nftables'))
    assert run.rc == 0, run.output
    actions = run.task('net')['actions']
    assert actions == check.task('net')['actions']
    filters = [a for a in actions if 'table inet linuxns' in a or 'rewrite chains' in a]
    assert filters[0].startswith('rewrite table inet linuxns') and filters[1].startswith('rewrite chains')  # new, then old
    assert 'LINUXNS' not in sh('iptables-save') and ': 10.88.0.2 . 80' in nft_ours()  # an element of our port map
    assert traffic() == WORKS
    assert ansible.play(network(host, firewall_backend='nftables')).changed == []
    assert ansible.play(network(host)).changed == []  # auto keeps the backend our rules are in

    run = ansible.play(network(host, firewall_backend='iptables'))
    assert run.rc == 0, run.output
    assert not nft_ours() and 'LINUXNS-DNAT' in sh('iptables-save -t nat')
    assert traffic() == WORKS
    assert ansible.play(network(host, state='absent')).rc == 0
    assert 'LINUXNS' not in sh('iptables-save') and not nft_ours()


class Watcher:
    """The watch unit's command, run as systemd would run it, in the background."""

    def __init__(self, unit, *extra):
        environment, argv = unit_command(unit)
        argv = argv + list(extra)
        env = dict(os.environ, **environment)
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     universal_newlines=True, start_new_session=True)

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        return self.proc.communicate()[0]


def recovered(seconds=15):
    """(a)-(d) once they all work again, or as they are after `seconds`."""
    deadline, answers = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        answers = {'a': connect('cli', WEB, 80).split()[0], 'b': connect('web', '198.51.100.2', 7000),
                   'c': connect('outside', '198.51.100.1', 8080).split()[0], 'd': from_host('198.51.100.1', 8080).split()[0]}
        if answers == WORKS:
            break
        time.sleep(0.3)
    return answers


def test_the_watch_unit_puts_our_rules_back_after_nft_flushes_the_ruleset(ansible, host, tmp_path):
    """`systemctl reload nftables` (or the admin's `nft -f /etc/nftables.conf`)
    starts with `flush ruleset`: our table and our accepts in the host's chain
    go.  The watch unit's command sees it and re-applies, with no playbook."""
    sh('nft -f - <<"EOF"\n%sEOF' % HARDENED)
    admitted = dict(host, boot=True, boot_unit_dir=str(tmp_path / 'units'), host_firewall=FORWARD_CHAIN)
    run = ansible.play(network(admitted))
    assert run.rc == 0, run.output
    assert traffic() == WORKS
    watcher = Watcher(run.task('net')['boot']['watch_unit'])
    try:
        time.sleep(1)  # its first converge: nothing to do
        sh('nft -f - <<"EOF"\n%sEOF' % HARDENED)
        assert 'linuxns' not in sh('nft list tables')
        assert recovered() == WORKS
        assert 'inet linuxns' in sh('nft list tables') and 'linuxns.net:cbr0' in sh('nft list chain inet filter forward')
    finally:
        output = watcher.stop()
    assert 'rewrite table inet linuxns' in output, output
    assert ansible.play(network(admitted)).changed == []
    assert ansible.play(network(admitted, state='absent')).rc == 0


def iptables_own(table=''):
    """The iptables rules and policies that are not ours, counters left out."""
    return sh('iptables-save %s | grep -v -e LINUXNS -e linuxns.net | grep -e "^-A" -e "^:" | sed -E "s/\\[[0-9]+:[0-9]+\\]//"'
              % table)


FLAVORS = {  # the firewall, how it reloads (or restarts), and what of it must stay as it was
    'firewalld': (firewalls.firewalld, ('reload', 'restart'), lambda fw: fw.cmd('--zone=public', '--list-all')),
    'ufw': (firewalls.ufw, ('reload',), lambda fw: iptables_own('-t filter')),  # ufw has no nat table; ours makes it
    'dockerd': (firewalls.dockerd, ('restart',), lambda fw: iptables_own()),
}


@pytest.mark.parametrize('backend', ['iptables', 'nftables'])
@pytest.mark.parametrize('flavor', sorted(FLAVORS))
def test_a_host_firewall_keeps_its_rules_and_our_network_works_through_its_reloads(ansible, host, tmp_path, flavor, backend):
    """(a)-(g) on a host that runs a real firewalld, ufw or dockerd, with
    either backend; (g) with the watch unit's command running, as systemd
    runs it, after each of the firewall's reloads and restarts."""
    start, reloads, own = FLAVORS[flavor]
    if firewalls.missing(flavor):
        pytest.skip('%s is not installed (%s)' % (flavor, ' '.join(firewalls.packages())))
    with start() as firewall:
        before = own(firewall)
        booted = dict(host, boot=True, boot_unit_dir=str(tmp_path / 'units'), firewall_backend=backend)
        check = ansible.play(network(booted), check=True)
        run = ansible.play(network(booted))
        assert run.rc == 0, run.output
        assert run.task('net')['actions'] == check.task('net')['actions']
        assert traffic() == WORKS
        rerun = ansible.play(network(booted))
        assert rerun.changed == [], rerun.task('net').get('actions')
        assert own(firewall) == before
        if flavor == 'dockerd' and backend == 'iptables':  # what the other backend would meet: Docker's FORWARD DROP
            info = ansible.play([{'name': 'info', 'linuxns.net.network_info': {
                'include': ['links', 'firewall'], 'firewall_backend': 'nftables'}}]).task('info')['network']['firewall']
            assert (info['backend'], info['judged_for']) == ('iptables', 'nftables')
            assert [(c['table'], c['chain']) for c in info['blocking']] == [('filter', 'FORWARD')]
        watcher = Watcher(run.task('net')['boot']['watch_unit'])
        try:
            for reload in reloads:
                getattr(firewall, reload)()
                assert recovered() == WORKS, reload
        finally:
            output = watcher.stop()
        assert ansible.play(network(booted)).changed == [], output
        gone = ansible.play(network(booted, state='absent'))
        assert gone.rc == 0, gone.output
        assert own(firewall) == before
        assert 'linuxns' not in sh('nft list ruleset') and 'LINUXNS' not in sh('iptables-save')


@pytest.mark.parametrize('backend', ['iptables', 'nftables'])
def test_a_port_published_on_one_host_address_only(ansible, host, backend):
    """ports[].host_ip: published ports bypass ufw as Docker's do, so this is
    how a user limits where one is reachable."""
    sh('ip addr add 198.51.100.3/24 dev to-out')
    tasks = network(host, firewall_backend=backend)
    tasks[0]['linuxns.net.container_network']['containers'][0]['ports'][0]['host_ip'] = '198.51.100.3'
    run = ansible.play(tasks)
    assert run.rc == 0, run.output
    assert retried(lambda: connect('outside', '198.51.100.3', 8080), 'web').startswith('web ')
    assert connect('outside', '198.51.100.1', 8080).startswith('FAILED')
    assert ansible.play(tasks).changed == []
    tasks[0]['linuxns.net.container_network']['containers'][0]['ports'][0]['host_ip'] = '127.0.0.1'
    refused = ansible.play(tasks)
    assert refused.failed == ['net'] and 'containers[0].ports[0].host_ip: 127.0.0.1' in refused.task('net')['msg']


@pytest.mark.parametrize('tools, every', [('iptables', []), ('iptables-legacy', ['--every', '2'])])
def test_the_watch_unit_puts_our_rules_back_after_netfilter_persistent_restores_the_hosts_rules(
        ansible, host, tmp_path, tools, every):
    """netfilter-persistent (iptables-persistent) restores /etc/iptables/rules.v4
    with iptables-restore, which flushes every table the file names: our
    chains and jumps go.  iptables-nft's changes are nf_tables events too;
    iptables-legacy's raise none: the watch unit's periodic re-apply puts
    ours back (--every: 60 s in the unit, 2 s here)."""
    sh('%s -P FORWARD DROP && %s -A INPUT -p tcp --dport 22 -j ACCEPT' % (tools, tools))
    saved = sh(tools + '-save')  # what netfilter-persistent saved
    booted = dict(host, boot=True, boot_unit_dir=str(tmp_path / 'units'))
    run = ansible.play(network(booted))
    assert run.rc == 0 and run.task('net')['rules']['firewall_backend'] == 'iptables', run.output
    assert 'LINUXNS-FORWARD' in sh(tools + '-save')  # auto writes where the host's rules are
    assert traffic() == WORKS
    watcher = Watcher(run.task('net')['boot']['watch_unit'], *every)
    try:
        time.sleep(1)  # its first converge: nothing to do
        subprocess.run([tools + '-restore'], input=saved, universal_newlines=True, check=True)
        assert 'LINUXNS' not in sh(tools + '-save -t filter')
        assert recovered() == WORKS
    finally:
        output = watcher.stop()
    assert 'rewrite chains' in output, output
    assert ansible.play(network(booted, state='absent')).rc == 0
    assert 'LINUXNS' not in sh(tools + '-save')
    sh('%s -P FORWARD ACCEPT && %s -F' % (tools, tools))
