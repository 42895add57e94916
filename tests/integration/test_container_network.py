# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.container_network: a host's whole container network in one call.

The sandbox is the host; an `outside` namespace (198.51.100.2) hangs off it
by a veth (198.51.100.1) and has no route to the containers, so egress only
works masqueraded.  Checked with iproute2, iptables-save, /proc and traffic."""

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from conftest import FailingCases, Ansible
from kernel import ECHO, SERVER, connect, netns_list, ping, remove_cgroups, sh, tcp, throughput, udp, unit_command

SUBNET = '10.88.0.0/24'


@pytest.fixture
def host(tmp_path, collections_path):
    """The state dir, a unique cgroup parent, and the outside namespace."""
    sh('ip netns add outside && ip link add to-out type veth peer name eth0 netns outside && '
       'ip addr add 198.51.100.1/24 dev to-out && ip link set to-out up && '
       'ip -n outside addr add 198.51.100.2/24 dev eth0 && ip -n outside link set eth0 up && ip -n outside link set lo up')
    for _attempt in range(300):  # the kernel's linkwatch reports carrier up to a second later: snapshots wait for it
        if open('/sys/class/net/to-out/operstate').read().strip() == 'up':
            break
        time.sleep(0.01)
    parent = 'lnstest-cn-%d' % os.getpid()
    options = {'state_dir': str(tmp_path / 'state'), 'cgroup_parent': parent}
    yield options
    if os.path.exists('/sys/class/net/cbr0'):  # the sandbox is shared by every test: leave it as found
        assert Ansible(str(tmp_path), collections_path).play(network(options, [], state='absent')).rc == 0
    sh('ip link del to-out', check=False)
    for controller in ('cpu', 'memory', 'pids'):  # cgroups are machine-wide: leave none behind
        base = '/sys/fs/cgroup/%s/%s' % (controller, parent)
        groups = [os.path.join(base, n) for n in (os.listdir(base) if os.path.isdir(base) else [])]
        for group in [g for g in groups if os.path.isdir(g)] + ([base] if os.path.isdir(base) else []):
            for pid in open(os.path.join(group, 'cgroup.procs')).read().split():
                os.kill(int(pid), signal.SIGKILL)  # a workload the test left running
            for _attempt in range(50):
                try:
                    os.rmdir(group)
                    break
                except OSError:
                    time.sleep(0.1)


def network(host, containers, **options):
    args = dict(host, subnet=SUBNET, containers=containers)
    args.update(options)
    return [{'name': 'net', 'linuxns.net.container_network': args}]


def workload(name):
    return '%s -c %s %s 80 120' % (sys.executable, shlex.quote(SERVER), name)


CONTAINERS = [
    {'name': 'web', 'ports': [{'host': 8080, 'container': 80}], 'command': workload('web'),
     'limits': {'cpu': '0.5', 'cpu_period': 50000, 'memory': '64M', 'pids_max': '32'}},
    {'name': 'db', 'address': '10.88.0.20'},
    {'name': 'cache'},
]


def record(host):
    with open(os.path.join(host['state_dir'], 'containers.json')) as handle:
        return json.load(handle)


def snapshot():
    """What the network could change, as iproute2 and iptables see it."""
    return sh('ip netns list; ip -br link; ip -br addr; ip route; iptables-save | grep -E "^-A|^:LINUXNS"; '
              'nft list table inet linuxns 2>/dev/null; cat /proc/sys/net/ipv4/ip_forward')


def test_check_is_exact_then_converge_traffic_and_idempotence(ansible, host):
    before = snapshot()
    check = ansible.play(network(host, CONTAINERS), check=True, diff=True)
    assert check.rc == 0, check.output
    assert snapshot() == before and not os.path.exists(host['state_dir'])
    assert 'check mode assumed' not in check.output  # later parts see what earlier ones create

    run = ansible.play(network(host, CONTAINERS))
    assert run.rc == 0, run.output
    result = run.task('net')
    assert result['actions'] == check.task('net')['actions']  # check mode predicted this very run
    assert result['addresses'] == {'web': '10.88.0.2/24', 'db': '10.88.0.20/24', 'cache': '10.88.0.3/24'}
    assert [c['action'] for c in result['containers']] == ['created'] * 3
    assert netns_list() == ['cache', 'db', 'outside', 'web']
    assert sh('ip -n db -br addr show eth0').split()[2] == '10.88.0.20/24'
    assert 'default via 10.88.0.1 dev eth0 proto 76' in sh('ip -n db route')
    assert sh('cat /proc/sys/net/ipv4/ip_forward').strip() == '1'
    assert ping('db', '10.88.0.2') and ping('cache', '10.88.0.1')
    assert ping('web', '198.51.100.2')  # egress, masqueraded: outside has no route back otherwise

    pid = int(open(os.path.join(host['state_dir'], 'web.pid')).read())
    assert '/%s/web' % host['cgroup_parent'] in open('/proc/%d/cgroup' % pid).read()  # in its cgroup from the start
    assert open('/sys/fs/cgroup/cpu/%s/web/cpu.cfs_period_us' % host['cgroup_parent']).read().strip() == '50000'
    sh('ip netns exec outside ip route add 10.88.0.0/16 via 198.51.100.1', check=False)
    for _attempt in range(20):  # the workload may take a moment to listen
        answer = connect('outside', '198.51.100.1', 8080)
        if not answer.startswith('FAILED'):
            break
    assert answer.startswith('web ')  # published port reached from outside
    sh('ip netns exec outside ip route del 10.88.0.0/16 via 198.51.100.1')

    for check_mode in (False, True):
        again = ansible.play(network(host, CONTAINERS), check=check_mode)
        assert again.rc == 0 and again.changed == [], again.task('net')['actions']
    assert record(host)['ip_forward_before'] == '0'


def test_prune_keeps_addresses_stable_and_absent_removes_everything(ansible, host):
    foreign = 'ip netns add foreign && iptables -t nat -N DOCKER && iptables -A FORWARD -p udp --dport 9 -j DROP'
    sh(foreign)
    before = snapshot()
    assert ansible.play(network(host, CONTAINERS)).rc == 0

    fewer = [c for c in CONTAINERS if c['name'] != 'web'] + [{'name': 'new'}]
    run = ansible.play(network(host, fewer))
    assert run.rc == 0, run.output
    result = run.task('net')
    assert result['pruned'] == ['web']
    # cache keeps its address; new gets the lowest free one (web's, now free)
    assert result['addresses'] == {'db': '10.88.0.20/24', 'cache': '10.88.0.3/24', 'new': '10.88.0.2/24'}
    assert 'web' not in netns_list() and 've-web' not in sh('ip -br link')
    assert '8080' not in sh('iptables-save -t nat')
    assert not os.path.exists('/sys/fs/cgroup/cpu/%s/web' % host['cgroup_parent'])
    assert not os.path.exists(os.path.join(host['state_dir'], 'web.pid'))

    gone = ansible.play(network(host, fewer, state='absent'))
    assert gone.rc == 0, gone.output
    assert sorted(gone.task('net')['pruned']) == ['cache', 'db', 'new']
    assert snapshot() == before  # foreign namespace, chain and rule untouched; ip_forward back to 0
    assert os.listdir(host['state_dir']) == []
    assert ansible.play(network(host, fewer, state='absent')).changed == []


def test_a_containers_sysctls_resolv_conf_and_hosts(ansible, host):
    own = [{'name': 'db', 'sysctls': {'net.ipv4.conf.all.rp_filter': 2},
            'dns': {'nameservers': ['10.96.0.10'], 'search': ['lab.internal']},
            'hosts': [{'address': '10.88.0.3', 'names': ['cache']}]}, {'name': 'cache'}]
    check = ansible.play(network(host, own), check=True)
    run = ansible.play(network(host, own))
    assert run.rc == 0, run.output
    assert run.task('net')['actions'] == check.task('net')['actions']
    assert 'write /etc/netns/db/resolv.conf' in run.task('net')['actions']
    assert sh('ip netns exec db sysctl -n net.ipv4.conf.all.rp_filter').strip() == '2'
    assert 'nameserver 10.96.0.10' in sh('ip netns exec db cat /etc/resolv.conf')
    assert sh('ip netns exec db getent hosts cache').split() == ['10.88.0.3', 'cache']
    assert sorted(os.listdir('/etc/netns')) == ['db']  # cache asked for none
    assert ansible.play(network(host, own)).changed == []
    # a bad entry names the container and the option, before any change
    bad = ansible.play(network(host, own + [{'name': 'x', 'hosts': [{'address': 'junk', 'names': ['x']}]}]))
    assert bad.task('net')['msg'].startswith('containers[2].hosts[0].address: ')
    # pruned, the container's files go with it
    assert ansible.play(network(host, [{'name': 'cache'}])).rc == 0
    assert os.listdir('/etc/netns') == []


def workload_init(host, name):
    """(pid of the unshare in the pid file, host pid of the workload: its child)."""
    pid = int(open(os.path.join(host['state_dir'], name + '.pid')).read())
    for _attempt in range(250):  # unshare forks the workload right after it starts
        children = open('/proc/%d/task/%d/children' % (pid, pid)).read().split()
        if children:
            return pid, int(children[0])
        time.sleep(0.02)
    raise AssertionError('the workload of %s has no process' % name)


def ended(pid):
    """Gone, or a zombie its new parent has yet to reap."""
    try:
        return open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


def test_a_workload_runs_in_namespaces_of_its_own_restarts_on_a_new_command_and_stops(ansible, host):
    """pid 1 with its own /proc and hostname, in its cgroup from its first
    instruction; a changed command restarts it; stopped keeps the network."""
    def app(command, **options):
        return [dict({'name': 'app', 'limits': {'pids_max': '16'}, 'command': command}, **options)]
    host = dict(host, boot=False)  # the recorded desired state changes with every command
    # $$ is the shell's pid in its PID namespace; /proc/self/cgroup is read by its first child
    first = 'echo "start $$ $(hostname)"; grep pids /proc/self/cgroup; exec sleep 120'
    run = ansible.play(network(host, app(first)))
    assert run.rc == 0, run.output
    pid, init = workload_init(host, 'app')
    assert run.task('net')['containers'][0]['workload'] == {'pid': pid, 'command': first}
    nspid = [line.split()[1:] for line in open('/proc/%d/status' % init) if line.startswith('NSpid:')][0]
    assert nspid == [str(init), '1']  # pid 1 inside
    assert sh('nsenter --target %d --uts hostname' % init).strip() == 'app'
    assert sh('nsenter --target %d --mount --pid cat /proc/1/cmdline' % init).split('\0')[:2] == ['sleep', '120']
    assert os.stat('/proc/%d/ns/net' % init).st_ino == os.stat('/run/netns/app').st_ino
    log = os.path.join(host['state_dir'], 'app.log')
    for _attempt in range(250):
        if 'pids' in open(log).read():
            break
        time.sleep(0.02)
    lines = open(log).read().splitlines()
    assert lines[0] == 'start 1 app' and lines[1].endswith('/%s/app' % host['cgroup_parent'])
    info = ansible.play([{'name': 'info', 'linuxns.net.network_info': {
        'netns': ['app'], 'include': ['workloads'], 'state_dir': host['state_dir'], 'sysctls': ['net.ipv4.ip_forward']}}])
    network_info = info.task('info')['network']
    assert network_info['workloads']['app'] == {'pid': pid, 'command': first, 'init': init, 'pid_1': True, 'hostname': 'app',
                                                'cgroups': network_info['workloads']['app']['cgroups']}
    assert '/%s/app' % host['cgroup_parent'] in network_info['workloads']['app']['cgroups']
    assert network_info['namespaces']['app']['sysctls'] == {'net.ipv4.ip_forward': '0'}
    # a container with a workload has a hosts file of its own (as Docker's), which its workload sees as /etc/hosts
    own_hosts = network_info['namespaces']['app']['files']['hosts']
    assert network_info['namespaces']['app']['files'] == {'resolv.conf': None, 'hosts': own_hosts}
    assert own_hosts.startswith('# linuxns.net: hosts of network namespace app') and '127.0.0.1\tlocalhost' in own_hosts
    assert sh('nsenter --target %d --mount cat /etc/hosts' % init) == own_hosts
    assert ansible.play(network(host, app(first))).changed == []

    # a new command restarts it: a shell that ends on SIGTERM, so the next stop is graceful
    second = 'trap "echo bye; exit 0" TERM; echo "again $$"; while :; do sleep 0.1; done'
    check = ansible.play(network(host, app(second)), check=True, diff=True)
    rerun = ansible.play(network(host, app(second)))
    assert rerun.rc == 0, rerun.output
    assert rerun.task('net')['actions'] == check.task('net')['actions'] == [
        'restart the workload of app (pid %d), its command changed' % pid]
    new_pid, _init = workload_init(host, 'app')
    assert new_pid != pid and ended(pid)
    for _attempt in range(250):
        if 'again 1' in open(log).read():
            break
        time.sleep(0.02)
    assert 'again 1' in open(log).read().splitlines()  # the log is appended to

    stopped = ansible.play(network(host, app(second, state='stopped')))
    assert stopped.rc == 0 and stopped.task('net')['actions'] == ['stop the workload of app (pid %d)' % new_pid]
    assert ended(new_pid) and open(log).read().splitlines()[-1] == 'bye'
    assert 'app' in netns_list() and not os.path.exists(os.path.join(host['state_dir'], 'app.pid'))
    assert ansible.play(network(host, app(second, state='stopped'))).changed == []
    started = ansible.play(network(host, app(second)))
    assert started.task('net')['actions'] == ['start the workload of app']

    assert ansible.play(network(host, [])).rc == 0  # pruned: stopped, then its cgroup and namespace go
    assert os.listdir(host['state_dir']) == ['containers.json']
    assert not os.path.exists('/sys/fs/cgroup/pids/%s/app' % host['cgroup_parent']) and 'app' not in netns_list()


def test_bandwidth_limits_hold_real_traffic_to_their_rate(ansible, host):
    """A token bucket on ve-slow for what slow receives, an ifb for what it
    sends; TCP through them runs at the rate, fast's runs unlimited."""
    host = dict(host, boot=False)  # the recorded desired state changes with every limit
    limits = {'ingress_rate': '16mbit', 'egress_rate': '8mbit'}
    containers = [{'name': 'slow', 'address': '10.88.0.2', 'bandwidth': limits}, {'name': 'fast', 'address': '10.88.0.3'}]
    check = ansible.play(network(host, containers), check=True, diff=True)
    run = ansible.play(network(host, containers))
    assert run.rc == 0, run.output
    actions = run.task('net')['actions']
    assert actions == check.task('net')['actions']
    assert 'limit what slow receives to 16mbit, burst 32768 bytes (tbf on ve-slow)' in actions
    assert 'redirect what slow sends to bw-slow' in actions
    assert run.task('net')['containers'][0]['bandwidth'] == {
        'ingress': {'rate': 16000000, 'burst': 32768}, 'egress': {'rate': 8000000, 'burst': 32768}}
    assert json.loads(sh('tc -j qdisc show dev ve-slow root'))[0]['kind'] == 'tbf'
    assert json.loads(sh('ip -j -d link show bw-slow'))[0]['linkinfo']['info_kind'] == 'ifb'
    assert 'mirred (Egress Redirect to device bw-slow)' in sh('tc filter show dev ve-slow ingress')
    assert ansible.play(network(host, containers)).changed == []

    # 2 MB in, 1 MB out: one second each through the limits (a burst of 32 KiB aside)
    into_slow, into_fast = throughput(None, 'slow', '10.88.0.2', 2000000), throughput(None, 'fast', '10.88.0.3', 2000000)
    out_of_slow, out_of_fast = throughput('slow', None, '10.88.0.1', 1000000), throughput('fast', None, '10.88.0.1', 1000000)
    assert 0.75 * 16e6 < into_slow < 1.1 * 16e6, into_slow
    assert 0.75 * 8e6 < out_of_slow < 1.1 * 8e6, out_of_slow
    assert into_fast > 5 * 16e6 and out_of_fast > 5 * 8e6, (into_fast, out_of_fast)

    # a faster rate in place, the egress limit removed with its ifb
    containers[0]['bandwidth'] = {'ingress_rate': '32mbit', 'ingress_burst': '64kb'}
    changed = ansible.play(network(host, containers))
    assert changed.rc == 0, changed.output
    assert changed.task('net')['actions'] == [
        'limit what slow receives to 32mbit, burst 65536 bytes (tbf on ve-slow)',
        'stop redirecting what slow sends to bw-slow', 'delete ifb device bw-slow']
    assert 'bw-slow' not in sh('ip -br link') and sh('tc filter show dev ve-slow ingress') == ''
    assert 0.75 * 32e6 < throughput(None, 'slow', '10.88.0.2', 4000000) < 1.1 * 32e6

    bad = ansible.play(network(host, [dict(containers[0], bandwidth={'egress_rate': '1mbit', 'egress_burst': 1000})]))
    assert bad.task('net')['option'] == 'containers[0].bandwidth.egress_burst'
    assert 'less than one packet' in bad.task('net')['msg']

    assert ansible.play(network(host, [dict(containers[0], bandwidth=limits)])).rc == 0
    pruned = ansible.play(network(host, []))  # its ifb goes with it
    assert pruned.rc == 0 and 'delete ifb device bw-slow' in pruned.task('net')['actions']
    assert 'bw-slow' not in sh('ip -br link')


def test_dual_stack_addresses_routes_forwarding_egress_and_published_ports_in_both_families(ansible, host):
    """subnet6: every container's IPv6 address has the host part of its IPv4
    one; v6 default routes, forwarding, ip6tables masquerade and DNAT."""
    sh('ip addr add 2001:db8:1::1/64 dev to-out nodad && ip -n outside addr add 2001:db8:1::2/64 dev eth0 nodad')
    before = snapshot() + sh('ip -6 route; ip6tables-save | grep -E "^-A|^:LINUXNS"; cat /proc/sys/net/ipv6/conf/all/forwarding')
    containers = [dict(CONTAINERS[0], command=workload('web') + ' 6'), CONTAINERS[1]]
    dual = dict(host, subnet6='fd00:88::/64', cluster_cidr6='fd00::/16', boot=False)
    check = ansible.play(network(dual, containers), check=True)
    run = ansible.play(network(dual, containers))
    assert run.rc == 0, run.output
    result = run.task('net')
    assert result['actions'] == check.task('net')['actions']
    assert result['addresses6'] == {'web': 'fd00:88::2/64', 'db': 'fd00:88::14/64'}  # 10.88.0.20: host part 20
    assert result['gateway6'] == 'fd00:88::1' and result['containers'][1]['address6'] == 'fd00:88::14/64'
    assert 'default via fd00:88::1 dev eth0 proto 76' in sh('ip -n db -6 route')
    assert sh('cat /proc/sys/net/ipv6/conf/all/forwarding').strip() == '1'
    assert ping('db', 'fd00:88::2') and ping('db', 'fd00:88::1')
    assert ping('web', '2001:db8:1::2')  # egress masqueraded: outside has no route to fd00:88::/64
    assert '-A LINUXNS-POSTROUTING -s fd00:88::/64 ! -d fd00::/16 ! -o cbr0' in sh('ip6tables-save -t nat')
    for _attempt in range(20):  # published on the host's IPv6 addresses too
        answer = connect('outside', '2001:db8:1::1', 8080)
        if not answer.startswith('FAILED'):
            break
    assert answer.startswith('web ')
    assert ansible.play(network(dual, containers)).changed == []
    assert record(host)['ip6_forward_before'] == '0' and record(host)['subnet6'] == 'fd00:88::/64'

    gone = ansible.play(network(dual, containers, state='absent'))
    assert gone.rc == 0, gone.output
    assert snapshot() + sh('ip -6 route; ip6tables-save | grep -E "^-A|^:LINUXNS"; '
                           'cat /proc/sys/net/ipv6/conf/all/forwarding') == before  # forwarding back to 0


@pytest.mark.parametrize('subnet6', [None, 'fd00:88::/64'])
def test_a_kernel_refusal_rolls_the_whole_host_back(ansible, host, subnet6):
    """Dual stack too: undoing the bridge's state takes it down, which flushes
    its IPv6 address before that address's own undo."""
    before = snapshot()
    bad = CONTAINERS[1:] + [{'name': 'cpus', 'limits': {'cpuset_cpus': '999'}}]
    run = ansible.play(network(dict(host, subnet6=subnet6) if subnet6 else host, bad))
    assert run.failed == ['net']
    result = run.task('net')
    assert 'cpuset' in result['msg'] and result['not_rolled_back'] == []
    assert 'create network namespace db (lo up)' in result['rolled_back']
    assert snapshot() == before


BAD_INPUT = FailingCases([
    ([{'name': 'a;reboot'}], {}, 'containers[0].name'),
    ([{'name': '$(id)'}], {}, 'containers[0].name'),
    ([{'name': 'a-name-longer-than-a-dns-label-' + 'x' * 33}], {}, 'containers[0].name'),
    ([{'name': 'a'}, {'name': 'a'}], {}, 'containers'),
    ([{'name': 'a', 'address': '10.99.0.2'}], {}, 'containers[0].address'),
    ([{'name': 'a', 'address': '10.88.0.1'}], {}, 'containers[0].address'),
    ([{'name': 'a', 'address': '10.88.0.5'}, {'name': 'b', 'address': '10.88.0.5'}], {}, 'containers[1].address'),
    ([{'name': 'a', 'ports': [{'host': 80}]}, {'name': 'b', 'ports': [{'host': 80}]}], {}, 'containers[1].ports'),
    ([{'name': 'a', 'ports': [{'host': 70000}]}], {}, 'containers[0].ports[0].host'),
    ([{'name': 'a', 'limits': {'memory': 'lots'}}], {}, 'containers[0].limits.memory'),
    ([{'name': 'a', 'limits': {'cpu_period': 50000}}], {}, 'containers[0].limits.cpu_period'),
    ([{'name': 'a', 'command': {'run': 'x'}}], {}, 'containers[0].command'),  # not turned into the string "{'run': 'x'}"
    ([{'name': 'a', 'sysctls': {'net.ipv4.no_such_key': 1}}], {}, 'containers[0].sysctls.net.ipv4.no_such_key'),
    ([{'name': 'a', 'sysctls': {'net.ipv4.conf.eth9.rp_filter': 1}}], {}, 'containers[0].sysctls.net.ipv4.conf.eth9.rp_filter'),
    ([{'name': 'a', 'ports': ['80:']}], {}, 'containers[0].ports[0]'),
    ([{'name': 'a', 'ports': ['8080:80/icmp']}], {}, 'containers[0].ports[0].protocol'),
    (['a', 42], {}, 'containers[1]'),
    ([], {'subnet': '10.88.0.0/33'}, 'subnet'),
    ([], {'subnet': '10.88.0.1/24'}, 'subnet'),
    ([], {'gateway': '10.99.0.1'}, 'gateway'),
    ([], {'cluster_cidr': '10.99.0.0/16'}, 'cluster_cidr'),
    ([], {'bridge': 'a/b'}, 'bridge'),
    ([], {'mtu': 20}, 'mtu'),
])


@pytest.mark.parametrize('containers, options, option', BAD_INPUT.cases)
def test_bad_input_fails_before_any_change(ansible, host, containers, options, option):
    case = BAD_INPUT.outcome(ansible, (containers, options, option), lambda c: network(host, c[0], **c[1])[0], snapshot)
    assert case.failed
    assert case.result['option'] == option, case.result['msg']
    assert 'Traceback' not in case.output
    assert case.after == case.before


def test_a_corrupt_record_changes_nothing(ansible, host):
    os.makedirs(host['state_dir'])
    with open(os.path.join(host['state_dir'], 'containers.json'), 'w') as handle:
        handle.write('{"addresses": ')
    before = snapshot()
    run = ansible.play(network(host, CONTAINERS[1:]))
    assert run.failed == ['net']
    assert 'not valid JSON' in run.task('net')['msg'] and run.task('net')['option'] == 'state_dir'
    assert snapshot() == before


def test_without_pyroute2_a_clear_message_and_iptables_modules_still_work(ansible, tmp_path):
    """A managed host's Python without pyroute2: the netlink modules say what
    to install; nat_rule and cgroup_limit, which never need it, just work."""
    bare = str(tmp_path / 'bare')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', bare], check=True)
    python = ['-e', 'ansible_python_interpreter=%s/bin/python' % bare]
    run = ansible.play(network({'state_dir': str(tmp_path / 'state')}, [{'name': 'web'}]), extra_args=python)
    assert run.failed == ['net']
    assert 'pyroute2 is not installed' in run.task('net')['msg'] and netns_list() == []
    rule = [{'name': 'nat', 'linuxns.net.nat_rule': {'group': 'bare', 'kind': 'masquerade', 'source': '10.77.0.0/24'}}]
    run = ansible.play(rule, extra_args=python)
    assert run.rc == 0, run.output
    assert 'linuxns.net:bare' in sh('iptables-save -t nat')
    assert ansible.play([dict(rule[0], **{'linuxns.net.nat_rule': {'group': 'bare', 'purge': True, 'state': 'absent'}})],
                        extra_args=python).rc == 0


# -- back after a reboot -------------------------------------------------------

NO_ANSIBLE = '''import sys
class NoAnsible:
    """Refuses `ansible` and `ansible.*`: the boot command must run without it."""
    def find_spec(self, name, path=None, target=None):
        if name == 'ansible' or name.startswith('ansible.'):
            raise ImportError('no Ansible on this host: ' + name)
sys.meta_path.insert(0, NoAnsible())
'''


def power_cycle(host, names):
    """What a reboot takes: workloads, namespaces, links, our rules, ip_forward
    and cgroups.  The state directory (the disk) stays."""
    for name in names:
        pidfile = os.path.join(host['state_dir'], name + '.pid')
        if os.path.exists(pidfile):
            os.killpg(int(open(pidfile).read()), signal.SIGKILL)
        sh('ip netns delete %s' % name)
    for _attempt in range(100):  # the kernel destroys a deleted namespace's veths asynchronously
        if not any(sh('ip -o link show ve-%s 2>/dev/null' % name, check=False) for name in names):
            break
        time.sleep(0.05)
    sh('ip link del cbr0; iptables-save | grep -v LINUXNS | iptables-restore; echo 0 > /proc/sys/net/ipv4/ip_forward')
    remove_cgroups(host['cgroup_parent'])


def layout():
    """The snapshot without what a reboot renews (MACs, nsids, operstate)."""
    return sh('ip netns list | cut -d" " -f1; ip -o link | cut -d" " -f2,3; ip -br -4 addr | tr -s " " | cut -d" " -f1,3-; '
              'ip route; iptables-save | grep -E "^-A|^:LINUXNS"; cat /proc/sys/net/ipv4/ip_forward')


def boot(host, environment, argv, blocker):
    """Run the unit's command as systemd would, on a Python that cannot import Ansible."""
    env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'}
    env.update(environment)
    env['PYTHONPATH'] = blocker + ':' + env['PYTHONPATH']
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)


def test_after_a_reboot_the_unit_command_brings_the_network_back(ansible, host, tmp_path):
    host = dict(host, boot_unit_dir=str(tmp_path / 'units'))
    check = ansible.play(network(host, CONTAINERS), check=True)
    run = ansible.play(network(host, CONTAINERS))
    assert run.rc == 0, run.output
    assert run.task('net')['actions'] == check.task('net')['actions']
    boot_result = run.task('net')['boot']
    unit = os.path.join(host['boot_unit_dir'], 'linuxns-network-cbr0.service')
    assert boot_result['unit'] == unit and boot_result['state_file'] == os.path.join(host['state_dir'], 'network.json')
    assert os.readlink(os.path.join(host['boot_unit_dir'], 'multi-user.target.wants', 'linuxns-network-cbr0.service')) \
        == '../linuxns-network-cbr0.service'
    text = open(unit).read()
    assert 'After=network-online.target' in text and 'WantedBy=multi-user.target' in text and 'Type=oneshot' in text
    before = layout()
    environment, argv = unit_command(unit)
    assert boot_result['command'] == 'PYTHONPATH=%s %s' % (environment['PYTHONPATH'], ' '.join(argv))

    power_cycle(host, [c['name'] for c in CONTAINERS])
    assert netns_list() == ['outside'] and 'cbr0' not in sh('ip -br link')
    blocker = tmp_path / 'blocker'
    blocker.mkdir()
    (blocker / 'sitecustomize.py').write_text(NO_ANSIBLE)
    booted = boot(host, environment, argv, str(blocker))
    assert booted.returncode == 0, booted.stdout
    assert 'start the workload of web' in booted.stdout
    assert layout() == before  # the same namespaces, links, addresses, routes, rules and ip_forward
    assert ping('db', '10.88.0.2') and ping('web', '198.51.100.2')
    assert open('/sys/fs/cgroup/pids/%s/web/pids.max' % host['cgroup_parent']).read().strip() == '32'

    again = boot(host, environment, argv, str(blocker))
    assert again.returncode == 0 and again.stdout.strip() == 'linuxns-network: cbr0, 3 containers, 0 changes'
    rerun = ansible.play(network(host, CONTAINERS))
    assert rerun.rc == 0 and rerun.changed == [], rerun.output

    off = ansible.play(network(host, CONTAINERS, boot=False))  # boot: false takes the unit and the state away
    assert off.rc == 0 and off.task('net')['boot'] == {'state_file': None, 'unit': None, 'watch_unit': None, 'command': None}
    assert os.listdir(host['boot_unit_dir']) == [] and not os.path.exists(os.path.join(host['state_dir'], 'engine.zip'))
    on = ansible.play(network(host, CONTAINERS))
    gone = ansible.play(network(host, CONTAINERS, state='absent'))
    assert on.rc == 0 and gone.rc == 0, gone.output
    assert os.listdir(host['boot_unit_dir']) == [] and os.listdir(host['state_dir']) == []


@pytest.mark.parametrize('content, message', [
    ('{"version": 1, "params": ', 'is not valid JSON'),
    ('{"version": 0, "params": {}}', 'has format version 0, this engine reads version 1'),
    ('["not", "a", "state"]', 'is not a linuxns.net network state'),
    ('{"version": 1, "params": {"subnet": "10.88.0.0/33"}}', 'subnet:'),
])
def test_a_corrupt_or_foreign_state_file_stops_the_boot_before_any_change(ansible, host, tmp_path, content, message):
    run = ansible.play(network(dict(host, boot_unit_dir=str(tmp_path / 'units')), CONTAINERS[1:]))
    assert run.rc == 0, run.output
    environment, argv = unit_command(run.task('net')['boot']['unit'])
    power_cycle(host, ['db', 'cache'])
    with open(run.task('net')['boot']['state_file'], 'w') as handle:
        handle.write(content)
    before = snapshot()
    booted = boot(host, environment, argv, '')
    assert booted.returncode == 1 and message in booted.stdout and 'Traceback' not in booted.stdout, booted.stdout
    assert 'linuxns-network: nothing was changed' in booted.stdout
    assert snapshot() == before
    os.unlink(run.task('net')['boot']['state_file'])


NETWORKS = [  # besides the default one (cbr0, 10.88.0.0/24)
    {'name': 'back', 'bridge': 'br-back', 'subnet': '10.89.0.0/24'},
    {'name': 'admin', 'bridge': 'br-admin', 'subnet': '10.90.0.0/24', 'allow': ['default']},
]
MEMBERS = [
    {'name': 'web', 'networks': ['default', 'back']},  # eth0 on cbr0, eth1 on br-back
    {'name': 'app'},  # the default network only
    {'name': 'db', 'networks': [{'name': 'back', 'address': '10.89.0.20'}],
     'ports': [{'host': 8081, 'container': 80}], 'command': workload('db')},
    {'name': 'adm', 'networks': ['admin']},
]


def forward_jumps(backend):
    """Our chains the forward hook jumps to, in order."""
    if backend == 'nftables':
        return [line.split()[-1] for line in sh('nft list chain inet linuxns filter-forward').splitlines() if 'jump' in line]
    return [line.split()[-1] for line in sh('iptables -S FORWARD').splitlines() if line.startswith('-A FORWARD') and 'LINUXNS' in line]


@pytest.mark.parametrize('backend', ['iptables', 'nftables'])
def test_several_networks_on_one_host_are_isolated_unless_allowed(ansible, host, backend):
    """docker network create, several times: a container joins one or more
    networks (eth0 carries the default route); nothing new is forwarded
    between networks, or into one from outside, but what is allowed,
    replies and published ports.  Foreign rules stay as they are."""
    sh('iptables -A FORWARD -p udp --dport 9 -j DROP && iptables -N FOREIGN')
    before = snapshot()
    networked = dict(host, networks=NETWORKS, boot=False, firewall_backend=backend)
    check = ansible.play(network(networked, MEMBERS), check=True)
    run = ansible.play(network(networked, MEMBERS))
    assert run.rc == 0, run.output
    result = run.task('net')
    assert result['actions'] == check.task('net')['actions']
    web = result['containers'][0]
    assert [(n['network'], n['interface'], n['veth'], n['address']) for n in web['networks']] == [
        ('default', 'eth0', 've-web', '10.88.0.2/24'), ('back', 'eth1', 'v1-web', '10.89.0.2/24')]
    assert result['addresses'] == {'web': '10.88.0.2/24', 'app': '10.88.0.3/24', 'db': '10.89.0.20/24', 'adm': '10.90.0.2/24'}
    assert result['networks']['back']['gateway'] == '10.89.0.1' and record(host)['networks']['admin']['slot'] == '2'
    assert 'default via 10.89.0.1 dev eth0' in sh('ip -n db route')  # db's first network is back
    assert 'default via 10.88.0.1 dev eth0' in sh('ip -n web route') and 'default' not in sh('ip -n web route show dev eth1')
    assert forward_jumps(backend) == (['LINUXNS-ISOLATION', 'LINUXNS-FORWARD'] if backend == 'iptables' else  # drops first
                                      ['isolation4', 'forward4', 'isolation6', 'forward6'])

    # one network passes; between networks nothing new, unless allowed (default -> admin, not back)
    assert ping('web', '10.89.0.20') and ping('db', '10.89.0.2') and ping('web', '10.88.0.3')
    assert not ping('app', '10.89.0.20') and not ping('db', '10.88.0.3')
    assert ping('app', '10.90.0.2') and not ping('adm', '10.88.0.3')  # admin lets default in, not out
    assert not ping('adm', '10.89.0.20') and not ping('db', '10.90.0.2')
    # egress and published ports of every network; nothing new from outside
    assert ping('db', '198.51.100.2') and ping('adm', '198.51.100.2')
    sh('ip netns exec outside ip route add 10.80.0.0/12 via 198.51.100.1')
    try:
        assert not ping('outside', '10.89.0.20') and not ping('outside', '10.88.0.3')
        for _attempt in range(20):
            answer = connect('outside', '198.51.100.1', 8081)
            if not answer.startswith('FAILED'):
                break
        assert answer.startswith('db ')
    finally:
        sh('ip netns exec outside ip route del 10.80.0.0/12 via 198.51.100.1')
    assert ansible.play(network(networked, MEMBERS)).changed == []

    # web leaves back, adm and its network go: their interfaces and bridge with them
    gateway_mac = sh('cat /sys/class/net/br-back/address')
    fewer = dict(networked, networks=NETWORKS[:1])
    members = [dict(MEMBERS[0], networks=['default'])] + MEMBERS[1:3]
    check = ansible.play(network(fewer, members), check=True)
    run = ansible.play(network(fewer, members))
    assert run.rc == 0, run.output
    assert run.task('net')['actions'] == check.task('net')['actions']
    assert run.task('net')['pruned'] == ['adm']
    assert 'v1-web' not in sh('ip -br link') and 'br-admin' not in sh('ip -br link') and 'eth1' not in sh('ip -n web -br link')
    assert not ping('web', '10.89.0.20') and 'admin' not in record(host)['networks']
    # the bridge's MAC is ours, not its lowest port's: db's gateway did not move when web's port went
    assert sh('cat /sys/class/net/br-back/address') == gateway_mac and ping('db', '10.89.0.1')
    assert 'br-admin' not in sh('iptables-save') + sh('nft list ruleset')
    assert ansible.play(network(fewer, members)).changed == []

    # back renamed, on the same bridge: db keeps its interface and address
    renamed = dict(fewer, networks=[dict(NETWORKS[0], name='store')])
    members = members[:2] + [dict(MEMBERS[2], networks=[{'name': 'store', 'address': '10.89.0.20'}])]
    run = ansible.play(network(renamed, members))
    assert run.rc == 0, run.output
    assert run.task('net')['containers'][2]['networks'][0] == {'network': 'store', 'interface': 'eth0', 'veth': 'v1-db',
                                                               'address': '10.89.0.20/24', 'address6': None, 'mac': None}
    assert list(record(host)['networks']) == ['store'] and ping('db', '10.89.0.1')

    gone = ansible.play(network(renamed, members, state='absent'))
    assert gone.rc == 0, gone.output
    assert snapshot() == before  # the foreign rule and chain are as they were
    sh('iptables -D FORWARD -p udp --dport 9 -j DROP && iptables -X FOREIGN')


@pytest.mark.parametrize('networks, option, message', [
    ([{'name': 'default', 'bridge': 'br1', 'subnet': '10.89.0.0/24'}], 'networks[0].name', 'top-level network'),
    ([{'name': 'b', 'bridge': 'cbr0', 'subnet': '10.89.0.0/24'}], 'networks[0].bridge', 'cbr0 is also the bridge of network default'),
    ([{'name': 'b', 'bridge': 'br1', 'subnet': '10.88.0.0/25'}], 'networks[0].cluster_cidr', 'overlaps'),
    ([{'name': 'b', 'bridge': 'br1', 'subnet': '10.89.0.0/24', 'allow': ['nope']}], 'networks[0].allow[0]', 'nope'),
])
def test_bad_networks_fail_before_any_change(ansible, host, networks, option, message):
    before = snapshot()
    run = ansible.play(network(dict(host, networks=networks), [{'name': 'a', 'networks': ['default']}]))
    assert run.rc != 0 and option + ':' in run.task('net')['msg'] and message in run.task('net')['msg'], run.output
    assert snapshot() == before


def mac(netns, device):
    return json.loads(sh('ip -n %s -j link show %s' % (netns, device)))[0]['address']


def hashed(prefix, name):
    """The host device of a long name: two characters, x, 12 hex digits of its SHA-256."""
    return prefix + 'x' + hashlib.sha256(name.encode()).hexdigest()[:12]


LONG = 'frontend-web-1'
LONGEST = 'a-container-name-as-long-as-a-dns-label-allows-' + 'x' * 16  # 63 characters


def test_long_names_get_hashed_host_ends_that_name_their_container_in_the_alias(ansible, host):
    """Names Docker allows (up to 63 characters): the veth's host end is a
    hash when ve-NAME would not fit, its alias names the container; a short
    name keeps ve-NAME; both reach each other and the outside, on two
    networks, with a bandwidth limit (its ifb hashed too); pruned cleanly.
    And MACs as Docker's --mac-address: the first interface's, another
    network's, changed in place."""
    assert len(LONGEST) == 63
    host = dict(host, boot=False, networks=[{'name': 'back', 'bridge': 'br-back', 'subnet': '10.89.0.0/24'}])
    containers = [{'name': LONG, 'networks': ['default', 'back'], 'bandwidth': {'egress_rate': '8mbit'}, 'mac': '02:42:AC:11:00:02'},
                  {'name': LONGEST, 'ports': ['8080:80']},
                  {'name': 'db', 'networks': ['default', {'name': 'back', 'mac': '02:42:ac:12:00:03'}]}]
    check = ansible.play(network(host, containers), check=True)
    run = ansible.play(network(host, containers))
    assert run.rc == 0, run.output
    result = run.task('net')
    assert result['actions'] == check.task('net')['actions']
    ends = dict((c['name'], [n['veth'] for n in c['networks']]) for c in result['containers'])
    assert ends == {LONG: [hashed('ve', LONG), hashed('v1', LONG)], LONGEST: [hashed('ve', LONGEST)], 'db': ['ve-db', 'v1-db']}
    for name, devices in ends.items():
        for device in devices:
            assert json.loads(sh('ip -j link show %s' % device))[0]['ifalias'] == 'linuxns.net:veth:' + name
    assert os.path.exists('/sys/class/net/%s' % hashed('bw', LONG))  # the ifb of what it sends
    assert sorted(netns_list()) == sorted([LONG, LONGEST, 'db', 'outside'])
    assert ping(LONG, '10.88.0.4') and ping('db', '10.89.0.2') and ping(LONGEST, '198.51.100.2')
    sh('ip link set ve-db alias linuxns.net:veth')  # as versions before long names marked it: still ours, kept
    assert ansible.play(network(host, containers)).changed == []
    assert mac(LONG, 'eth0') == '02:42:ac:11:00:02' and mac('db', 'eth1') == '02:42:ac:12:00:03'
    assert [n['mac'] for n in result['containers'][0]['networks']] == ['02:42:ac:11:00:02', None]
    containers[0]['mac'] = '02:42:ac:11:00:09'
    run = ansible.play(network(host, containers))
    assert run.changed == ['net'] and mac(LONG, 'eth0') == '02:42:ac:11:00:09', run.output
    assert ping('db', '10.88.0.2')  # the neighbour learns the new MAC
    # network_info and the picture show the declared MACs, and only those
    info = ansible.play([{'name': 'info', 'linuxns.net.network_info': {'state_dir': host['state_dir']}, 'register': 'info'},
                         {'name': 'dot', 'ansible.builtin.debug': {'msg': '{{ info.network | linuxns.net.topology'
                                                                          ' | linuxns.net.topology_dot }}'}}])
    assert info.task('info')['network']['record']['macs'] == {LONG: {'eth0': '02:42:ac:11:00:09'}, 'db': {'eth1': '02:42:ac:12:00:03'}}
    dot = info.task('dot')['msg']
    assert 'eth0 mac 02:42:ac:11:00:09' in dot and 'eth1 mac 02:42:ac:12:00:03' in dot and dot.count(' mac ') == 2, dot

    run = ansible.play(network(host, containers[2:]))  # both long names pruned
    assert run.rc == 0 and run.task('net')['pruned'] == sorted([LONG, LONGEST]), run.output
    links = sh('ip -br link')
    assert 'vex' not in links and 'v1x' not in links and 'bwx' not in links


def echo(name, *ports):
    return '%s -c %s %s 120 %s' % (sys.executable, shlex.quote(ECHO), name, ' '.join(ports))


def answered(ask, expected, attempts=20):
    """ask() until it answers as expected (a workload takes a moment to listen)."""
    for _attempt in range(attempts):
        answer = ask()
        if answer.split(' ')[0] == expected:
            return answer
        time.sleep(0.2)
    return answer


@pytest.mark.parametrize('backend', ['iptables', 'nftables'])
def test_published_tcp_udp_and_ranges_from_outside_the_host_and_a_neighbour_and_a_moved_udp_flow_follows(ansible, host, backend):
    """Docker's port forms with real traffic: TCP, UDP and a range, from
    outside, from the host itself and from another container (hairpin); a
    UDP port moved to another container takes the client's running flow
    along (its conntrack entry deleted in the same run).  (SCTP is written
    the same way, but this kernel has no SCTP to send it.)"""
    host = dict(host, boot=False, firewall_backend=backend)
    a = {'name': 'a', 'command': echo('a', 'tcp:80', 'udp:53', 'tcp:8000-8002'),
         'ports': ['8080:80', '5353:53/udp', '8000-8002:8000-8002']}
    b = {'name': 'b', 'command': echo('b', 'tcp:80', 'udp:53')}
    run = ansible.play(network(host, [a, b]))
    assert run.rc == 0, run.output
    assert run.task('net')['containers'][0]['ports'] == [
        {'protocol': 'tcp', 'host': 8080, 'container': 80, 'host_ip': None},
        {'protocol': 'udp', 'host': 5353, 'container': 53, 'host_ip': None},
        {'protocol': 'tcp', 'host': '8000-8002', 'container': '8000-8002', 'host_ip': None}]
    sh('ip netns exec outside ip route add 10.88.0.0/16 via 198.51.100.1')
    try:
        assert answered(lambda: tcp('outside', '198.51.100.1', 8080), 'a')
        for port in (8000, 8001, 8002):  # each port of the range, on the same port of the container
            assert answered(lambda: tcp('outside', '198.51.100.1', port), 'a'), port
        assert answered(lambda: udp('outside', '198.51.100.1', 5353, 40000), 'a') == 'a 198.51.100.2'
        assert answered(lambda: udp(None, '198.51.100.1', 5353), 'a')  # from the host itself
        assert answered(lambda: udp('b', '198.51.100.1', 5353), 'a')  # hairpin, from a neighbour
        assert answered(lambda: tcp('b', '198.51.100.1', 8001), 'a')

        # the UDP port moves to b: the same flow (source port 40000) now reaches b, though a still listens
        moved = ansible.play(network(host, [dict(a, ports=['8080:80', '8000-8002:8000-8002']),
                                            dict(b, ports=['5353:53/udp'])]))
        assert moved.rc == 0, moved.output
        assert any(action.startswith('delete the connection tracking entries of udp/5353')
                   for action in moved.task('net')['actions']), moved.task('net')['actions']
        assert udp('outside', '198.51.100.1', 5353, 40000) == 'b 198.51.100.2'
        assert ansible.play(network(host, [dict(a, ports=['8080:80', '8000-8002:8000-8002']),
                                           dict(b, ports=['5353:53/udp'])])).changed == []
    finally:
        sh('ip netns exec outside ip route del 10.88.0.0/16 via 198.51.100.1', check=False)
