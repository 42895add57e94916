# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.netns through real ansible-playbook runs on the sandbox kernel."""

import os
import subprocess
import sys
import time

import pytest

from conftest import FailingCases
from kernel import RUN_NETNS, lo_flags, netns_ids, netns_list, sh, sysctl


def netns(**args):
    return [{'name': 'netns', 'linuxns.net.netns': args}]


@pytest.fixture
def process_in_own_netns():
    """Start processes that each live in a fresh network namespace (like a
    container's init); returns a factory and kills them afterwards."""
    started = []

    def start():
        proc = subprocess.Popen(['unshare', '--net', 'sleep', '600'])
        # wait until unshare has switched namespaces and exec'd sleep
        deadline = time.time() + 5
        while os.readlink('/proc/%d/ns/net' % proc.pid) == os.readlink('/proc/self/ns/net'):
            assert time.time() < deadline, 'unshare did not switch namespaces'
            time.sleep(0.02)
        started.append(proc)
        return proc.pid

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def inode_of_pid(pid):
    return os.stat('/proc/%d/ns/net' % pid).st_ino


def test_full_lifecycle_with_check_and_diff(ansible):
    # check on a fresh system: reports the creation, creates nothing
    run = ansible.play(netns(name=['ns1', 'ns2']), check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.task('netns')
    assert result['changed'] is True
    assert result['actions'] == ['create network namespace ns1 (lo up)', 'create network namespace ns2 (lo up)']
    assert result['diff']['before'] == {'netns/ns1': None, 'netns/ns2': None}
    assert result['diff']['after']['netns/ns1']['lo'] == 'up'
    assert netns_list() == []

    # real run: the same actions, really done
    run = ansible.play(netns(name=['ns1', 'ns2']), diff=True)
    result = run.task('netns')
    assert result['changed'] is True
    assert result['actions'] == ['create network namespace ns1 (lo up)', 'create network namespace ns2 (lo up)']
    assert netns_list() == ['ns1', 'ns2']
    ids = netns_ids()
    assert [n['id'] for n in result['namespaces']] == [ids['ns1'], ids['ns2']]
    assert [n['action'] for n in result['namespaces']] == ['created', 'created']
    assert all(n['existed'] is False and n['owned'] is True for n in result['namespaces'])
    assert 'UP' in lo_flags('ns1') and 'UP' in lo_flags('ns2')
    assert 'alias linuxns.net:netns' in sh('ip -n ns1 link show lo')

    # second run and check on converged: nothing to do
    for check in (False, True):
        run = ansible.play(netns(name=['ns1', 'ns2']), check=check, diff=True)
        result = run.task('netns')
        assert result['changed'] is False, result
        assert result['actions'] == []
        assert [n['action'] for n in result['namespaces']] == ['unchanged', 'unchanged']
    assert netns_ids() == ids

    # check mode absent reports, removes nothing
    run = ansible.play(netns(name='ns1', state='absent'), check=True, diff=True)
    result = run.task('netns')
    assert result['changed'] is True
    assert result['diff']['after'] == {'netns/ns1': None}
    assert netns_list() == ['ns1', 'ns2']

    # absent, then absent again
    result = ansible.play(netns(name='ns1', state='absent')).task('netns')
    assert result['changed'] is True
    assert result['namespaces'][0]['action'] == 'removed'
    assert netns_list() == ['ns2']
    result = ansible.play(netns(name='ns1', state='absent')).task('netns')
    assert result['changed'] is False
    assert result['namespaces'][0]['existed'] is False


def test_names_match_exactly(ansible):
    """community.general.ip_netns matched 'mario' against 'mario2'."""
    sh('ip netns add mario2')
    foreign = netns_ids()['mario2']
    result = ansible.play(netns(name='mario')).task('netns')
    assert result['changed'] is True
    assert netns_list() == ['mario', 'mario2']
    result = ansible.play(netns(name='mari', state='absent')).task('netns')
    assert result['changed'] is False
    result = ansible.play(netns(name='mario', state='absent')).task('netns')
    assert result['changed'] is True
    assert netns_ids() == {'mario2': foreign}


def test_existing_namespace_made_by_iproute2_is_left_as_it_is(ansible):
    sh('ip netns add byhand')
    result = ansible.play(netns(name='byhand')).task('netns')
    assert result['changed'] is False
    assert result['namespaces'][0]['owned'] is False
    assert result['namespaces'][0]['lo'] == 'down'
    assert 'UP' not in lo_flags('byhand')


def test_loopback_option(ansible):
    result = ansible.play(netns(name='quiet', loopback='down')).task('netns')
    assert result['actions'] == ['create network namespace quiet (lo down)']
    assert 'UP' not in lo_flags('quiet')
    assert ansible.play(netns(name='quiet', loopback='down')).task('netns')['changed'] is False
    # an explicit state is enforced on an existing namespace
    run = ansible.play(netns(name='quiet', loopback='up'), check=True)
    assert run.task('netns')['actions'] == ['set lo up in network namespace quiet']
    assert 'UP' not in lo_flags('quiet')
    assert ansible.play(netns(name='quiet', loopback='up')).task('netns')['changed'] is True
    assert 'UP' in lo_flags('quiet')
    assert ansible.play(netns(name='quiet', loopback='up')).task('netns')['changed'] is False


def test_forwarding_set_and_previous_value_returned(ansible):
    sh('ip netns add router')
    assert sysctl('router', 'net.ipv4.ip_forward') == '0'
    run = ansible.play(netns(name='router', forwarding=True), check=True, diff=True)
    assert run.task('netns')['actions'] == ['turn forwarding on in network namespace router']
    assert run.task('netns')['diff']['after']['netns/router']['forwarding'] == {'ipv4': True, 'ipv6': True}
    assert sysctl('router', 'net.ipv4.ip_forward') == '0'

    result = ansible.play(netns(name='router', forwarding=True)).task('netns')
    assert result['changed'] is True
    assert result['namespaces'][0]['forwarding_before'] == {'ipv4': False, 'ipv6': False}
    assert result['namespaces'][0]['forwarding'] == {'ipv4': True, 'ipv6': True}
    assert sysctl('router', 'net.ipv4.ip_forward') == '1'
    assert sysctl('router', 'net.ipv6.conf.all.forwarding') == '1'
    assert ansible.play(netns(name='router', forwarding=True)).task('netns')['changed'] is False

    ansible.play(netns(name='router', forwarding=False))
    assert sysctl('router', 'net.ipv4.ip_forward') == '0'


def test_new_namespace_with_forwarding(ansible):
    run = ansible.play(netns(name='gw', forwarding=True), check=True)
    assert run.task('netns')['actions'] == ['create network namespace gw (lo up)',
                                            'turn forwarding on in network namespace gw']
    result = ansible.play(netns(name='gw', forwarding=True)).task('netns')
    assert result['actions'] == run.task('netns')['actions']
    assert sysctl('gw', 'net.ipv4.ip_forward') == '1'
    assert ansible.play(netns(name='gw', forwarding=True)).task('netns')['changed'] is False


def test_sysctls_resolv_conf_and_hosts_of_a_namespace(ansible):
    """What `ip netns exec` gives a container of its own: net.* sysctls inside
    the namespace and /etc/netns/NAME/{resolv.conf,hosts} seen as /etc's."""
    sh('ip netns add old && ip netns exec old sysctl -qw net.ipv4.conf.all.rp_filter=1')
    args = dict(name=['old', 'new'], sysctls={'net.ipv4.conf.all.rp_filter': 2, 'net.ipv4.ip_local_port_range': '20000  40000'},
                dns={'nameservers': ['10.96.0.10', 'fd00::53'], 'search': ['lab.internal'], 'options': ['ndots:2']},
                hosts=[{'address': '10.244.1.3', 'names': ['db', 'db.lab.internal']}])
    check = ansible.play(netns(**args), check=True, diff=True)
    actions = check.task('netns')['actions']
    assert actions == [
        'set net.ipv4.conf.all.rp_filter to 2 in network namespace old (was 1)',
        'set net.ipv4.ip_local_port_range to 20000 40000 in network namespace old (was 32768 60999)',
        'write /etc/netns/old/hosts', 'write /etc/netns/old/resolv.conf',
        'create network namespace new (lo up)',
        'set net.ipv4.conf.all.rp_filter to 2 in network namespace new (was the default)',
        'set net.ipv4.ip_local_port_range to 20000 40000 in network namespace new (was the default)',
        'write /etc/netns/new/hosts', 'write /etc/netns/new/resolv.conf']
    assert not os.path.exists('/etc/netns/old') and sysctl('old', 'net.ipv4.conf.all.rp_filter') == '1'
    run = ansible.play(netns(**args), diff=True)
    assert run.task('netns')['actions'] == actions
    assert run.task('netns')['diff']['after']['netns/old']['sysctls']['net.ipv4.conf.all.rp_filter'] == '2'
    for name in ('old', 'new'):
        assert sysctl(name, 'net.ipv4.conf.all.rp_filter') == '2'
        assert sh('ip netns exec %s cat /etc/resolv.conf' % name).splitlines()[1:] == [
            'nameserver 10.96.0.10', 'nameserver fd00::53', 'search lab.internal', 'options ndots:2']
        assert sh('ip netns exec %s getent hosts db' % name).split() == ['10.244.1.3', 'db', 'db.lab.internal']
    assert run.task('netns')['namespaces'][1]['files'] == {'resolv.conf': True, 'hosts': True}
    assert ansible.play(netns(**args)).changed == []
    assert ansible.play(netns(**args), check=True).changed == []
    # a sysctl the namespace lacks, or a host-wide one, fails before any change
    bad = ansible.play(netns(name='old', sysctls={'net.ipv4.conf.nosuch0.rp_filter': 1}))
    assert bad.task('netns')['msg'] == 'sysctls.net.ipv4.conf.nosuch0.rp_filter: network namespace old has no sysctl ' \
                                       'net.ipv4.conf.nosuch0.rp_filter'
    assert 'net.* sysctls only' in ansible.play(netns(name='old', sysctls={'kernel.pid_max': 99})).task('netns')['msg']
    # a foreign file is left alone on removal; ours go, with the directory when empty
    sh('echo "# mine" > /etc/netns/new/extra')
    assert ansible.play(netns(name=['old', 'new'], state='absent')).rc == 0
    assert os.listdir('/etc/netns') == ['new'] and os.listdir('/etc/netns/new') == ['extra']
    sh('rm -r /etc/netns/new')


def test_groups_of_namespaces_each_get_their_own_files_in_one_call(ansible):
    """namespaces: what one task per group (name, dns, hosts) would do, in one
    module run; the other options apply to every group."""
    groups = [{'name': ['web1', 'web2'], 'hosts': [{'address': '10.244.1.4', 'names': ['db1']}]},
              {'namespaces': ['db1'], 'hosts': [], 'dns': {'nameservers': ['10.96.0.10']}}]  # the filter's key
    check = ansible.play(netns(namespaces=groups, forwarding=True), check=True)
    assert check.task('netns')['actions'] == [
        'create network namespace web1 (lo up)', 'turn forwarding on in network namespace web1', 'write /etc/netns/web1/hosts',
        'create network namespace web2 (lo up)', 'turn forwarding on in network namespace web2', 'write /etc/netns/web2/hosts',
        'create network namespace db1 (lo up)', 'turn forwarding on in network namespace db1', 'write /etc/netns/db1/hosts',
        'write /etc/netns/db1/resolv.conf']
    assert netns_list() == []
    run = ansible.play(netns(namespaces=groups, forwarding=True))
    assert run.task('netns')['actions'] == check.task('netns')['actions']
    assert [n['name'] for n in run.task('netns')['namespaces']] == ['web1', 'web2', 'db1']
    for name in ('web1', 'web2'):
        assert sh('ip netns exec %s getent hosts db1' % name).split() == ['10.244.1.4', 'db1']
        assert sysctl(name, 'net.ipv4.ip_forward') == '1'
    assert subprocess.run(['ip', 'netns', 'exec', 'db1', 'getent', 'hosts', 'db1'], check=False).returncode == 2  # not in its file
    assert sh('ip netns exec db1 cat /etc/resolv.conf').splitlines()[1:] == ['nameserver 10.96.0.10']
    assert ansible.play(netns(namespaces=groups, forwarding=True)).changed == []
    # a name in two groups, or groups with name or hosts, fail before any change
    twice = ansible.play(netns(namespaces=groups + [{'name': ['web2']}]))
    assert (twice.task('netns')['option'], twice.task('netns')['msg']) == (
        'namespaces', "namespaces: 'web2' is listed more than once")
    both = ansible.play(netns(namespaces=groups, hosts=[]))
    assert 'mutually exclusive: namespaces|hosts' in both.task('netns')['msg']
    bad = ansible.play(netns(namespaces=[{'name': ['x'], 'hosts': [{'address': '10.0.0.300', 'names': ['a']}]}]))
    assert bad.task('netns')['option'] == 'namespaces[0].hosts[0].address'
    assert ansible.play(netns(name=['web1', 'web2', 'db1'], state='absent')).rc == 0
    assert netns_list() == [] and not os.path.exists('/etc/netns/db1')


def test_adopt_process_namespace(ansible, process_in_own_netns):
    pid = process_in_own_netns()
    run = ansible.play(netns(name='web', pid=pid), check=True)
    assert run.task('netns')['actions'] == ['name the network namespace of pid %d web' % pid]
    assert netns_list() == []

    result = ansible.play(netns(name='web', pid=pid)).task('netns')
    assert result['changed'] is True
    assert result['namespaces'][0]['action'] == 'adopted'
    assert result['namespaces'][0]['owned'] is False
    assert netns_ids() == {'web': inode_of_pid(pid)}
    # iproute2 agrees it is that process's namespace
    assert sh('ip netns identify %d' % pid).strip() == 'web'
    assert ansible.play(netns(name='web', pid=pid)).task('netns')['changed'] is False

    # removing the name leaves the process and its namespace alone
    ansible.play(netns(name='web', state='absent'))
    assert netns_list() == []
    assert os.path.exists('/proc/%d' % pid)


def test_adopt_refuses_to_repoint_unless_rebind(ansible, process_in_own_netns):
    first, second = process_in_own_netns(), process_in_own_netns()
    ansible.play(netns(name='app', pid=first))
    run = ansible.play(netns(name='app', pid=second))
    assert run.failed == ['netns']
    msg = run.task('netns')['msg']
    assert msg.startswith('pid: network namespace name app is bound to namespace %d' % inode_of_pid(first))
    assert 'rebind=true' in msg
    assert netns_ids() == {'app': inode_of_pid(first)}

    run = ansible.play(netns(name='app', pid=second, rebind=True), check=True)
    assert run.task('netns')['changed'] is True
    assert netns_ids() == {'app': inode_of_pid(first)}
    result = ansible.play(netns(name='app', pid=second, rebind=True)).task('netns')
    assert result['namespaces'][0]['action'] == 'rebound'
    assert netns_ids() == {'app': inode_of_pid(second)}


def test_stale_entry_left_by_interrupted_run_is_repaired(ansible):
    # an interrupted create leaves the mount point without a namespace
    open(os.path.join(RUN_NETNS, 'half'), 'w').close()
    run = ansible.play(netns(name='half'), check=True)
    assert run.task('netns')['actions'] == [
        'remove stale network namespace entry half (left by an interrupted run)',
        'create network namespace half (lo up)']
    result = ansible.play(netns(name='half')).task('netns')
    assert result['namespaces'][0]['action'] == 'created'
    assert 'UP' in lo_flags('half')
    assert ansible.play(netns(name='half')).task('netns')['changed'] is False


def test_failure_rolls_back_what_the_run_created(ansible):
    # 'blocker' is a directory: it passes validation and planning (a stale
    # entry to replace) but cannot be unlinked, so the run fails midway.
    os.mkdir(os.path.join(RUN_NETNS, 'blocker'))
    run = ansible.play(netns(name=['fresh', 'blocker']))
    assert run.failed == ['netns']
    result = run.task('netns')
    assert 'remove stale network namespace entry blocker' in result['msg']
    assert result['rolled_back'] == ['create network namespace fresh (lo up)']
    assert result['not_rolled_back'] == []
    assert netns_list() == ['blocker']


def test_failure_restores_removed_names(ansible):
    sh('ip netns add keep')
    before = netns_ids()['keep']
    os.mkdir(os.path.join(RUN_NETNS, 'blocker'))
    run = ansible.play(netns(name=['keep', 'blocker'], state='absent'))
    assert run.failed == ['netns']
    assert run.task('netns')['rolled_back'] == ['remove network namespace keep']
    assert netns_ids()['keep'] == before


BAD_INPUT = FailingCases([
    ({'name': ''}, 'name', 'must be a non-empty string'),
    ({'name': 'a/b'}, 'name', 'letters, digits and _.- only'),
    ({'name': '..'}, 'name', 'starting with a letter or digit'),
    ({'name': '.'}, 'name', 'starting with a letter or digit'),
    ({'name': 'has space'}, 'name', 'letters, digits and _.- only'),
    ({'name': 'tab\there'}, 'name', 'letters, digits and _.- only'),
    ({'name': 'x' * 65}, 'name', 'longer than 64 characters'),
    # names people's scripts pass to a shell (`ip netns exec $NAME ...`)
    ({'name': '$(id)'}, 'name', "'$(id)' is not a valid network namespace name"),
    ({'name': ['ok', 'a;reboot']}, 'name', "'a;reboot' is not a valid network namespace name"),
    ({'name': '`id`'}, 'name', 'not a valid network namespace name'),
    ({'name': []}, 'name', 'give at least one network namespace name'),
    ({'name': ['good', 'good']}, 'name', 'listed more than once'),
    ({'name': 'adopt', 'pid': 4194000}, 'pid', 'no running process has pid 4194000'),
    ({'name': 'adopt', 'pid': 0}, 'pid', 'out of range'),
    ({'name': ['a1', 'a2'], 'pid': 1}, 'pid', 'exactly one name'),
    ({'name': 'a1', 'pid': 1, 'state': 'absent'}, 'pid', 'needs state=present'),
])


@pytest.mark.parametrize('args, option, message', BAD_INPUT.cases)
def test_bad_input_fails_before_any_change(ansible, args, option, message):
    # a valid name first in the list: it must not be created either
    case = BAD_INPUT.outcome(ansible, (args, option, message), lambda c: netns(**c[0])[0], netns_ids,
                             setup=lambda: sh('ip netns add bystander'))
    assert case.failed
    assert case.result['msg'].startswith(option + ': '), case.result['msg']
    assert message in case.result['msg']
    assert case.result['changed'] is False
    assert case.after == case.before


def test_bad_name_after_good_ones_changes_nothing(ansible):
    run = ansible.play(netns(name=['good1', 'good2', 'bad/name']))
    assert run.failed == ['netns']
    assert netns_list() == []


def test_installed_collection_works_by_fqcn_from_any_directory(tmp_path):
    """ansible-galaxy collection build + install, then use it from elsewhere."""
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = tmp_path / 'build'
    installed = tmp_path / 'installed'
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    # outside the checkout, so its ansible.cfg (which points at the checkout) is not read
    env = 'cd %s && ANSIBLE_COLLECTIONS_PATH=%s ' % (elsewhere, installed)
    sh('%s %s/ansible-galaxy collection build --output-path %s %s' % (env, bin_dir, build, repo))
    tarball = str(next(build.glob('linuxns-net-*.tar.gz')))
    sh('%s %s/ansible-galaxy collection install -p %s %s' % (env, bin_dir, installed, tarball))
    assert (installed / 'ansible_collections' / 'linuxns' / 'net' / 'plugins' / 'modules' / 'netns.py').is_file()
    out = sh('%s %s/ansible localhost -c local -i localhost, -e ansible_python_interpreter=%s '
             '-m linuxns.net.netns -a name=fromtarball' % (env, bin_dir, sys.executable))
    assert 'CHANGED' in out
    assert netns_list() == ['fromtarball']
