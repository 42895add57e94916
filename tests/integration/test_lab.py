# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles and playbooks on the built-in lab: 3 hosts x 3 containers, an
`outside` host, real traffic across hosts (playbooks/verify.yml)."""

import json
import os
import subprocess
import sys

import pytest

from kernel import sh

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(REPO, 'scripts', 'lab.py')
sys.path.insert(0, os.path.join(REPO, 'scripts'))
from lab import HARDENED_NFTABLES as LAB_RULESET  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(params=['none'])
def lab(tmp_path, request):
    """A 3x3 lab; parametrize indirectly with a firewall flavor (scripts/lab.py --firewall)."""
    directory = str(tmp_path / 'lab')
    subprocess.run([sys.executable, LAB, 'up', '--hosts', '3', '--containers', '3', '--dir', directory,
                    '--firewall', request.param], check=True)
    with open(os.path.join(directory, 'lab.json')) as handle:
        state = json.load(handle)
    yield os.path.join(directory, 'inventory.yml'), state
    subprocess.run([sys.executable, LAB, 'down', '--dir', directory], check=True)


def on(state, host, command):
    """Run a shell command on a lab host."""
    return sh('nsenter --target %d --net --mount --uts --pid -- sh -c %s'
              % (state['hosts'][host], json.dumps(command)))


def host_state(state, host):
    """What a host has that the cluster network could change."""
    # rules and user chains only: an emptied table still prints its built-in chains
    return on(state, host, 'ip netns list | cut -d" " -f1; ip -br link | cut -d" " -f1 | cut -d@ -f1; ip route; '
                           'iptables-save | grep -E "^-A|^:.* - "; ls /var/lib/linuxns; ls -R /etc/netns; sysctl -n net.ipv4.ip_forward; '
                           'ls -R /etc/systemd/system /var/lib/linuxns/units 2>/dev/null | grep -i linuxns || true')


def addresses(state, host):
    return json.loads(on(state, host, 'cat /var/lib/linuxns/containers.json'))['addresses']


def verify_summary(run):
    assert run.rc == 0, run.output
    return run.task('Fail on any miss')['msg']


def test_check_converge_verify_idempotence_teardown(ansible, lab):
    inventory, state = lab
    # foreign things on a host: untouched by everything below
    on(state, 'host1', 'ip netns add foreign && iptables -t nat -N DOCKER && iptables -A FORWARD -p udp --dport 9 -j DROP')
    before = dict((host, host_state(state, host)) for host in state['hosts'])

    run = ansible.playbook('site.yml', inventory, check=True)
    assert run.rc == 0, run.output
    assert run.changed
    assert dict((host, host_state(state, host)) for host in state['hosts']) == before

    run = ansible.playbook('site.yml', inventory)
    assert run.rc == 0, run.output
    # dual stack: 9 containers ping 9 containers and the outside host over IPv4 and IPv6 (180);
    # 9 published ports from outside, twice (18); 9 workloads (pid 1, hostname, cgroup, command),
    # each c1's sysctl, resolv.conf and hosts, each c2's bandwidth (21); 9 containers resolve
    # the 9 containers by NAME.HOST (those isolation keeps out must not resolve), their own
    # host's 3 by NAME, and the outside's DNS name www.example.net (117)
    assert verify_summary(ansible.playbook('verify.yml', inventory)) == 'all 390 checks passed'
    # c1's own sysctl, resolv.conf and hosts (scripts/lab.py), as `ip netns exec` shows them
    assert on(state, 'host2', 'ip netns exec c1 sh -c "sysctl -n net.ipv4.conf.all.rp_filter; '
                              'grep ^search /etc/resolv.conf; getent hosts outside"').split() == [
        '2', 'search', 'host2.lab.internal', '198.51.100.250', 'outside']

    for check in (False, True):
        run = ansible.playbook('site.yml', inventory, check=check)
        assert run.rc == 0 and run.changed == [], run.changed

    run = ansible.playbook('teardown.yml', inventory)
    assert run.rc == 0, run.output
    assert dict((host, host_state(state, host)) for host in state['hosts']) == before


FIREWALL_STATE = {  # what of a host's own firewall the cluster network must leave as it found it
    'nftables': 'nft list ruleset',
    'firewalld': 'firewall-cmd --get-zones; firewall-cmd --zone=public --list-all; ls /etc/firewalld/zones /etc/firewalld/policies | grep -v "\\.old$"',
}
RELOAD = {'nftables': None, 'firewalld': 'firewall-cmd --reload'}  # nftables: systemctl reload nftables (flush, load)


@pytest.mark.parametrize('lab', ['nftables', 'firewalld'], indirect=True)
def test_a_cluster_of_firewalled_hosts_through_reboot_and_reload(ansible, lab):
    """Every host drops what it does not accept (scripts/lab.py --firewall:
    a hardened nftables ruleset, or firewalld): the roles let the bridges
    through (the chain the inventory names; firewalld's zone), verify.yml
    proves every pair, a rebooted host (its firewall up first, as its unit
    is) and a reloaded firewall (the watch unit) come back, and teardown
    leaves each host's firewall as it was."""
    inventory, state = lab
    flavor = state['firewall']
    own = dict((host, on(state, host, FIREWALL_STATE[flavor])) for host in state['hosts'])
    run = ansible.playbook('site.yml', inventory)
    assert run.rc == 0, run.output
    if flavor == 'nftables':
        assert 'oifname "cbr1" accept comment "linuxns.net:cbr0"' in on(state, 'host2', 'nft list chain inet filter forward')
    else:
        assert on(state, 'host2', 'firewall-cmd --zone=linuxns --list-interfaces').split() == ['cbr0', 'cbr1']
    assert verify_summary(ansible.playbook('verify.yml', inventory)) == 'all 390 checks passed'
    subprocess.run([sys.executable, LAB, 'reboot', 'host1', '--dir', os.path.dirname(inventory)], check=True)
    with open(os.path.join(os.path.dirname(inventory), 'lab.json')) as handle:
        state = json.load(handle)
    if RELOAD[flavor]:
        on(state, 'host1', RELOAD[flavor])
    else:
        subprocess.run(['nsenter', '--target', str(state['hosts']['host1']), '--net', '--', 'nft', '-f', '-'], input=LAB_RULESET,
                       universal_newlines=True, check=True)
    verify = ansible.playbook('verify.yml', inventory)  # verify retries a lost ping for up to 48 s
    assert verify_summary(verify) == 'all 390 checks passed'
    assert 'rules in nftables; host firewall: inet %s; nothing drops our traffic' % (
        'filter' if flavor == 'nftables' else 'firewalld') in verify.output
    again = ansible.playbook('site.yml', inventory)
    assert again.changed == [], [r['result'].get('actions') for r in again.records if r['result'].get('changed')]
    teardown = ansible.playbook('teardown.yml', inventory)
    assert teardown.rc == 0, teardown.output
    assert dict((host, on(state, host, FIREWALL_STATE[flavor])) for host in state['hosts']) == own


OWN_RULES = {  # ufw's and Docker's own rules (iptables-nft), without counters
    'ufw': 'ufw status verbose; iptables -S | grep -v LINUXNS; ip6tables -S | grep -v LINUXNS',
    'docker': 'iptables -S | grep -v LINUXNS; ip link show docker0 | head -1 | cut -d" " -f2',
}


@pytest.mark.parametrize('lab', ['ufw', 'docker'], indirect=True)
def test_a_cluster_of_ufw_or_docker_hosts(ansible, lab):
    """ufw (deny incoming and routed) or a dockerd (FORWARD DROP) on every
    host: auto picks iptables (their rules are iptables-nft's), our jumps go
    first, verify.yml proves every pair; after `ufw reload` nothing needs a
    rerun; teardown leaves their rules as they were."""
    inventory, state = lab
    flavor = state['firewall']
    own = dict((host, on(state, host, OWN_RULES[flavor])) for host in state['hosts'])
    run = ansible.playbook('site.yml', inventory)
    assert run.rc == 0, run.output
    verify = ansible.playbook('verify.yml', inventory)
    assert verify_summary(verify) == 'all 390 checks passed'
    assert 'rules in iptables (iptables-nft); host firewall: no nftables table, iptables rules; nothing drops our traffic' \
        in ' '.join(verify.output.split())  # the message, unfolded
    if flavor == 'ufw':  # it rebuilds its own chains only
        on(state, 'host2', 'ufw reload')
        assert verify_summary(ansible.playbook('verify.yml', inventory)) == 'all 390 checks passed'
    assert ansible.playbook('site.yml', inventory).changed == []
    assert ansible.playbook('teardown.yml', inventory).rc == 0
    assert dict((host, on(state, host, OWN_RULES[flavor])) for host in state['hosts']) == own


def test_a_rebooted_host_comes_back_by_itself(ansible, lab):
    """Power-cycle host1 (namespaces, links, rules, processes and cgroups
    gone; its disk kept), then boot it: the unit's command alone brings its
    network back, verify.yml passes and site.yml has nothing to change."""
    inventory, state = lab
    assert ansible.playbook('site.yml', inventory).rc == 0
    before = host_state(state, 'host1')
    assert 'linuxns-network-cbr0.service' in before  # the unit, enabled
    booted = subprocess.run([sys.executable, LAB, 'reboot', 'host1', '--dir', os.path.dirname(inventory)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert booted.returncode == 0, booted.stdout
    assert 'create network namespace c1 (lo up)' in booted.stdout and 'start the workload of c3' in booted.stdout
    with open(os.path.join(os.path.dirname(inventory), 'lab.json')) as handle:
        rebooted = json.load(handle)
    assert rebooted['hosts']['host1'] != state['hosts']['host1']  # a new host process: fresh namespaces
    assert host_state(rebooted, 'host1') == before
    assert verify_summary(ansible.playbook('verify.yml', inventory)) == 'all 390 checks passed'
    run = ansible.playbook('site.yml', inventory)
    assert run.rc == 0 and run.changed == [], run.changed
    assert ansible.playbook('teardown.yml', inventory).rc == 0
    assert 'linuxns' not in host_state(rebooted, 'host1')  # unit, state and engine copy gone


def containers_file(tmp_path, containers):
    path = tmp_path / ('containers-%d.json' % len(list(tmp_path.iterdir())))
    path.write_text(json.dumps({'containers_list': containers}))
    return ['-e', '@%s' % path]


def test_adding_and_removing_containers(ansible, lab, tmp_path):
    inventory, state = lab
    first = [{'name': 'a'}, {'name': 'b', 'ports': [{'host': 9000, 'container': 80}]}, {'name': 'c'}]
    assert ansible.playbook('site.yml', inventory, extra_args=containers_file(tmp_path, first)).rc == 0
    given = addresses(state, 'host1')
    assert sorted(given) == ['a', 'b', 'c']

    # a removed and d added: b and c keep their addresses, d gets a free one
    second = [{'name': 'd'}, {'name': 'b'}, {'name': 'c'}]
    run = ansible.playbook('site.yml', inventory, extra_args=containers_file(tmp_path, second))
    assert run.rc == 0, run.output
    now = addresses(state, 'host1')
    assert (now['b'], now['c']) == (given['b'], given['c'])
    assert now['d'] not in (given['b'], given['c'])
    assert sorted(line.split()[0] for line in on(state, 'host1', 'ip netns list').splitlines()) == ['b', 'c', 'd']
    assert 've-a' not in on(state, 'host1', 'ip -br link')
    assert '9000' not in on(state, 'host1', 'iptables-save -t nat')  # b no longer publishes it


def resolve(state, host, container, *names):
    """{name: IPv4 address or None} as the container's resolver answers (getent)."""
    answers = [on(state, host, 'ip netns exec %s getent ahostsv4 %s || true' % (container, name)).split() for name in names]
    return dict((name, (answer or [None])[0]) for name, answer in zip(names, answers))


def address_of(state, host, container):
    """A container's address (without prefix) on its first network, from the host's record."""
    record = json.loads(on(state, host, 'cat /var/lib/linuxns/containers.json'))
    found = [net['addresses'][container] for net in [record] + list(record['networks'].values())
             if container in net.get('addresses', {})]
    return found[0].split('/')[0]


def test_names_follow_containers_added_removed_and_moved(ansible, lab, tmp_path):
    """Each container resolves the cluster's containers by name through its
    own resolver, isolation included; a later run moves, adds and removes
    names on every host, and running workloads see the new names too."""
    inventory, state = lab
    with open(inventory) as handle:
        plan = json.load(handle)
    hosts = plan['all']['children']['cluster']['hosts']

    def converge(lists, *extra_args):
        for host, containers in lists.items():
            hosts[host]['containers_list'] = containers
        path = tmp_path / ('inventory-%d.yml' % len(list(tmp_path.iterdir())))
        path.write_text(json.dumps(plan))
        run = ansible.playbook('site.yml', str(path), extra_args=list(extra_args))
        assert run.rc == 0, run.output
        return run

    sleeper = {'command': 'sleep 600'}
    converge({'host1': [dict(sleeper, name='web'), {'name': 'db', 'networks': ['back']}],
              'host2': [dict(sleeper, name='cache')], 'host3': []})
    web, db, cache = address_of(state, 'host1', 'web'), address_of(state, 'host1', 'db'), address_of(state, 'host2', 'cache')
    # cache (default) may reach db (back lets default in); db may not reach web or cache
    assert resolve(state, 'host2', 'cache', 'web', 'web.host1', 'db', 'cache') == {
        'web': web, 'web.host1': web, 'db': db, 'cache': cache}
    assert resolve(state, 'host1', 'db', 'web', 'cache.host2', 'db') == {'web': None, 'cache.host2': None, 'db': db}

    # web moves to host3, cache goes, api comes on host1
    now = {'host1': [{'name': 'db', 'networks': ['back']}, dict(sleeper, name='api')], 'host2': [],
           'host3': [dict(sleeper, name='web')]}
    converge(now)
    moved = address_of(state, 'host3', 'web')
    assert resolve(state, 'host1', 'api', 'web', 'web.host1', 'web.host3', 'cache', 'api') == {
        'web': moved, 'web.host1': None, 'web.host3': moved, 'cache': None, 'api': address_of(state, 'host1', 'api')}
    # a run that leaves hosts of the cluster out keeps the names it finds, and says so
    before = on(state, 'host1', 'cat /etc/netns/api/hosts')
    limited = converge(now, '--limit', 'host1')
    assert 'names not updated: host2, host3 of containers_names_hosts are not in this run' in limited.output
    assert on(state, 'host1', 'cat /etc/netns/api/hosts') == before
    # api's workload started before its names were written (the names follow the converge):
    # it sees them, its hosts file rewritten in place under its bind mount
    unshare = on(state, 'host1', 'cat /var/lib/linuxns/api.pid').strip()
    workload = on(state, 'host1', 'cat /proc/%s/task/%s/children' % (unshare, unshare)).split()[0]
    assert on(state, 'host1', 'nsenter --target %s --mount -- getent ahostsv4 web.host3' % workload).split()[0] == moved


def test_bad_cluster_data_fails_before_any_host_changes(ansible, lab, tmp_path):
    inventory, state = lab
    before = dict((host, host_state(state, host)) for host in state['hosts'])
    clash = [{'name': 'a', 'ports': [{'host': 8000}]}, {'name': 'b', 'ports': [{'host': 8000}]},
             {'name': 'c', 'address': '10.99.0.5'}]
    run = ansible.playbook('site.yml', inventory, extra_args=containers_file(tmp_path, clash))
    assert run.rc != 0
    assert 'host1: published port tcp/8000 is used twice' in run.output
    assert 'host3: address 10.99.0.5 of container c is not a container address of 10.244.3.0/24' in run.output
    assert dict((host, host_state(state, host)) for host in state['hosts']) == before


def mtus(state, host):
    """MTU of the bridge, host end and container end of c1's veth."""
    output = on(state, host, 'ip -j link show cbr0; ip -j link show ve-c1; ip -n c1 -j link show eth0')
    return [json.loads(line)[0]['mtu'] for line in output.splitlines()]


def test_vxlan_mode_and_switching_modes_in_place(ansible, lab):
    inventory, state = lab
    before = host_state(state, 'host1')
    vxlan = ['-e', 'cluster_network_mode=vxlan']
    assert ansible.playbook('site.yml', inventory, extra_args=vxlan).rc == 0
    assert verify_summary(ansible.playbook('verify.yml', inventory)) == 'all 390 checks passed'
    info = json.loads(on(state, 'host1', 'ip -d -j link show lnsvx0'))[0]
    assert (info['linkinfo']['info_data']['id'], info['linkinfo']['info_data']['local'], info['mtu']) == (
        1, '198.51.100.11', 1450)
    assert on(state, 'host1', 'bridge fdb show dev lnsvx0 | grep ^00:00:00:00:00:00 | cut -d" " -f3 | sort').split() == [
        '198.51.100.12', '198.51.100.13']
    assert '10.244.2.0/24 via 10.244.2.0 dev lnsvx0 proto 76 onlink' in on(state, 'host1', 'ip route')
    assert mtus(state, 'host1') == [1450, 1450, 1450]
    # a full-size packet with DF set crosses the overlay
    assert '1 received' in on(state, 'host1', 'ip netns exec c1 ping -c 1 -W 2 -M do -s 1422 %s'
                              % addresses(state, 'host3')['c1'].split('/')[0])
    # idempotence and check mode in vxlan mode: the Molecule scenario `vxlan`

    # back to host-gw: the overlay goes, routes and MTUs change in place, containers stay
    netns_ids = on(state, 'host1', 'ls -i /run/netns')
    assert ansible.playbook('site.yml', inventory).rc == 0
    assert 'lnsvx0' not in on(state, 'host1', 'ip -br link')
    assert '10.244.2.0/24 via 198.51.100.12 dev eth0 proto 76' in on(state, 'host1', 'ip route')
    assert mtus(state, 'host1') == [1500, 1500, 1500]
    assert on(state, 'host1', 'ls -i /run/netns') == netns_ids
    assert verify_summary(ansible.playbook('verify.yml', inventory)) == 'all 390 checks passed'

    # and to vxlan again, then torn down in vxlan mode: the routes through the overlay go before it
    assert ansible.playbook('site.yml', inventory, extra_args=vxlan).rc == 0
    down = ansible.playbook('teardown.yml', inventory, extra_args=vxlan)
    assert down.rc == 0, down.output
    assert host_state(state, 'host1') == before
