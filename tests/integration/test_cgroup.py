# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""linuxns.net.cgroup_limit on the real cgroup tree.

cgroups are global, not per sandbox: every test works under a parent with a
unique name and removes it afterwards.  The v1 tests run where the cpu,
memory and pids controllers are on v1 hierarchies (this machine); the v2
tests where a cgroup2 mount offers them (e.g. Ubuntu 24.04); each set is
skipped, with the reason, elsewhere."""

import itertools
import os
import subprocess
import sys
import time

import pytest

from conftest import FailingCases
from kernel import sh

COUNTER = itertools.count()


def layout():
    """{controller: (version, mount)} as the module itself would see it."""
    found, v2 = {}, None
    with open('/proc/self/mountinfo') as handle:
        for line in handle:
            fields = line.split()
            fstype, options = fields[fields.index('-') + 1], fields[fields.index('-') + 3]
            if fstype == 'cgroup':
                for option in options.split(','):
                    found.setdefault(option, (1, fields[4]))
            elif fstype == 'cgroup2' and v2 is None:
                v2 = fields[4]
    if v2:
        for controller in open(os.path.join(v2, 'cgroup.controllers')).read().split():
            found[controller] = (2, v2)
    return found


LAYOUT = layout()
VERSIONS = set(LAYOUT.get(c, (0,))[0] for c in ('cpu', 'memory', 'pids'))
V1_REASON = 'needs cpu, memory and pids on cgroup v1 hierarchies (found versions %s)' % sorted(VERSIONS)
V2_REASON = 'needs a cgroup v2 mount that offers cpu, memory and pids (none here: run on a cgroup v2 host)'
v1_only = pytest.mark.skipif(VERSIONS != {1}, reason=V1_REASON)
v2_only = pytest.mark.skipif(VERSIONS != {2}, reason=V2_REASON)


def cgfile(controller, path, name):
    return os.path.join(LAYOUT[controller][1], path, name)


def read(controller, path, name):
    with open(cgfile(controller, path, name)) as handle:
        return handle.read().strip()


@pytest.fixture
def parent():
    """A unique managed parent, removed (with anything below it) afterwards."""
    name = 'linuxns-test-%d-%d' % (os.getpid(), next(COUNTER))
    yield name
    mounts = set(mount for version, mount in LAYOUT.values())
    for mount in mounts:
        top = os.path.join(mount, name)
        if not os.path.isdir(top):
            continue
        for root, dirs, files in sorted(os.walk(top), key=lambda entry: -entry[0].count('/')):
            procs = os.path.join(root, 'cgroup.procs')
            for pid in open(procs).read().split() if os.path.exists(procs) else []:
                with open(os.path.join(mount, 'cgroup.procs'), 'w') as handle:
                    handle.write(pid)
            os.rmdir(root)


@pytest.fixture
def processes():
    started = []

    def start(command='sleep 300', netns=None):
        prefix = ['ip', 'netns', 'exec', netns] if netns else []
        proc = subprocess.Popen(prefix + ['sh', '-c', 'exec ' + command])
        started.append(proc)
        return proc.pid

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def limit(**args):
    return [{'name': 'cgroup', 'linuxns.net.cgroup_limit': args}]


def lifecycle(ansible, parent, pid):
    wanted = limit(name='web', parent=parent, cpu='0.5', memory='128M', pids_max='20', processes=[pid])
    run = ansible.play(wanted, check=True, diff=True)
    result = run.task('cgroup')
    assert result['changed'] is True
    assert result['diff']['before'] == {parent + '/web': None}
    assert result['diff']['after'][parent + '/web']['memory'] == '128M'
    assert not os.path.exists(cgfile('memory', parent, ''))

    result = ansible.play(wanted).task('cgroup')
    assert result['actions'] == run.task('cgroup')['actions']
    group = result['cgroups'][0]
    assert (group['cpu'], group['memory'], group['pids_max'], group['members']) == (0.5, '128M', 20, [pid])
    for check in (False, True):
        rerun = ansible.play(wanted, check=check, diff=True)
        assert rerun.changed == [], rerun
    return wanted


@v1_only
def test_v1_lifecycle_and_kernel_values(ansible, parent, processes):
    pid = processes()
    lifecycle(ansible, parent, pid)
    path = parent + '/web'
    assert read('cpu', path, 'cpu.cfs_quota_us') == '50000'
    assert read('cpu', path, 'cpu.cfs_period_us') == '100000'
    assert read('memory', path, 'memory.limit_in_bytes') == str(128 * 2 ** 20)
    assert read('pids', path, 'pids.max') == '20'
    for controller in ('cpu', 'memory', 'pids'):
        assert read(controller, path, 'cgroup.procs') == str(pid)

    gone = limit(name='web', parent=parent, state='absent')
    result = ansible.play(gone).task('cgroup')
    assert result['changed'] is True
    assert not os.path.exists(cgfile('memory', path, ''))
    # the parent was ours and is left empty: it goes too, the pid moves to the root and keeps running
    assert not os.path.exists(cgfile('memory', parent, ''))
    assert str(pid) in open(os.path.join(LAYOUT['memory'][1], 'cgroup.procs')).read().split()
    assert ansible.play(gone).changed == []


@v1_only
def test_v1_cpu_quota_throttles_a_busy_process(ansible, parent, processes):
    pid = processes('sh -c "while :; do :; done"')
    assert ansible.play(limit(name='busy', parent=parent, cpu='0.1', processes=[pid])).rc == 0
    time.sleep(1.0)
    stats = dict(line.split() for line in read('cpu', parent + '/busy', 'cpu.stat').splitlines())
    assert int(stats['nr_throttled']) > 0
    assert int(stats['throttled_time']) > 0


@v1_only
def test_v1_pids_limit_blocks_forks(ansible, parent, processes):
    holder = processes()
    assert ansible.play(limit(name='tiny', parent=parent, pids_max='3', processes=[holder])).rc == 0
    procs = cgfile('pids', parent + '/tiny', 'cgroup.procs')
    proc = subprocess.run(['sh', '-c', 'echo $$ > %s; for i in 1 2 3 4 5; do sleep 1 & done; wait' % procs],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=30, check=False)
    assert 'fork' in proc.stderr.lower() or 'resource temporarily unavailable' in proc.stderr.lower(), proc.stderr
    assert int(read('pids', parent + '/tiny', 'pids.events').split()[1]) > 0


@v1_only
def test_v1_memory_rounding_weight_and_cpuset(ansible, parent, processes):
    wanted = limit(name='mem', parent=parent, memory='1000000', cpu_weight=50, cpuset_cpus='0')
    result = ansible.play(wanted).task('cgroup')
    assert result['changed'] is True
    assert read('memory', parent + '/mem', 'memory.limit_in_bytes') == '999424'  # whole pages
    assert result['cgroups'][0]['memory'] == '976K'
    assert read('cpu', parent + '/mem', 'cpu.shares') == '1287'
    assert read('cpuset', parent + '/mem', 'cpuset.cpus') == '0'
    assert ansible.play(wanted).changed == []  # 1000000 asked, 999424 reported: no change
    # memory+swap on v1: swap first when it grows, and read back as swap alone
    result = ansible.play(limit(name='mem', parent=parent, memory='2M', memory_swap='1M')).task('cgroup')
    assert result['cgroups'][0]['memory_swap'] == '1M'
    assert read('memory', parent + '/mem', 'memory.memsw.limit_in_bytes') == str(3 * 2 ** 20)


@v1_only
def test_v1_netns_members(ansible, parent, processes):
    sh('ip netns add box')
    pids = sorted([processes(netns='box'), processes(netns='box')])
    processes()  # a bystander outside the namespace
    result = ansible.play(limit(name='box', parent=parent, pids_max='50', netns='box')).task('cgroup')
    members = result['cgroups'][0]['members']
    assert [p for p in members if p in pids] == pids
    assert sorted(int(p) for p in read('pids', parent + '/box', 'cgroup.procs').split()) == members


@v1_only
def test_v1_failure_rolls_back(ansible, parent):
    run = ansible.play(limit(name='bad', parent=parent, memory='64M', cpuset_cpus='999'))
    assert run.failed == ['cgroup']
    result = run.task('cgroup')
    assert 'cpuset_cpus' in result['msg']
    assert result['not_rolled_back'] == []
    assert not os.path.exists(cgfile('memory', parent + '/bad', ''))
    assert not os.path.exists(cgfile('cpuset', parent + '/bad', ''))


@v1_only
def test_members_on_remove_fail(ansible, parent, processes):
    pid = processes()
    ansible.play(limit(name='keep', parent=parent, pids_max='10', processes=[pid]))
    run = ansible.play(limit(name='keep', parent=parent, state='absent', members_on_remove='fail'))
    assert run.failed == ['cgroup']
    assert run.task('cgroup')['msg'].startswith('members_on_remove: cgroup %s/keep still has processes %d' % (parent, pid))
    assert os.path.isdir(cgfile('pids', parent + '/keep', ''))


@v2_only
def test_v2_lifecycle_and_kernel_values(ansible, parent, processes):
    pid = processes()
    lifecycle(ansible, parent, pid)
    path = parent + '/web'
    assert read('cpu', path, 'cpu.max') == '50000 100000'
    assert read('memory', path, 'memory.max') == str(128 * 2 ** 20)
    assert read('pids', path, 'pids.max') == '20'
    assert read('cpu', path, 'cgroup.procs') == str(pid)
    for controller in ('cpu', 'memory', 'pids'):
        assert controller in read('cpu', parent, 'cgroup.subtree_control').split()
    assert ansible.play(limit(name='web', parent=parent, state='absent')).changed == ['cgroup']
    assert not os.path.exists(cgfile('cpu', path, ''))


@v2_only
def test_v2_cpu_quota_throttles_a_busy_process(ansible, parent, processes):
    pid = processes('sh -c "while :; do :; done"')
    run = ansible.play(limit(name='busy', parent=parent, cpu='0.1', cpu_weight=50, processes=[pid]))
    assert run.rc == 0, run
    time.sleep(1.0)
    stats = dict(line.split() for line in read('cpu', parent + '/busy', 'cpu.stat').splitlines())
    assert int(stats['nr_throttled']) > 0
    assert read('cpu', parent + '/busy', 'cpu.weight') == '50'


BAD_INPUT = FailingCases([
    ({'memory': '12XB'}, "memory: '12XB' is not a size"),
    ({'memory': '-5'}, "memory: '-5' is not a size"),
    ({'memory': '0'}, 'memory: must be more than 0'),
    ({'cpu': '0'}, 'cpu: 0 CPUs'),
    ({'cpu': 'lots'}, "cpu: 'lots' is not a number"),
    ({'pids_max': '0'}, 'pids_max: 0 is out of range'),
    ({'cpu_weight': 0}, 'cpu_weight: 0 is out of range'),
    ({'cpuset_cpus': '3-1'}, "cpuset_cpus: '3-1' is not a CPU list"),
    ({'processes': [4194000]}, 'processes: no running process has pid 4194000'),
    ({'netns': 'nosuchns'}, 'netns: network namespace nosuchns does not exist'),
    ({'name': '../escape'}, 'name: '),
    ({'name': '/abs'}, 'name: '),
    ({'name': 'a/./b'}, 'name: '),
])


@pytest.mark.parametrize('args, message', BAD_INPUT.cases)
def test_bad_input_fails_before_any_change(ansible, parent, args, message):
    case = BAD_INPUT.outcome(ansible, (args, message), lambda c: limit(**dict({'name': 'x', 'parent': parent}, **c[0]))[0],
                             lambda: [mount for _version, mount in LAYOUT.values() if os.path.exists(os.path.join(mount, parent))])
    assert case.failed
    assert case.result['msg'].replace('nothing was changed: ', '').startswith(message), case.result['msg']
    assert case.before == case.after == []


def test_many_groups_in_one_call(ansible, parent, processes):
    """A host's containers limited in one task: a shared parent made once,
    each group with its own limit and members, unchanged on the rerun."""
    first, second = processes(), processes()
    wanted = [{'name': 'cgroup', 'linuxns.net.cgroup_limit': {'parent': parent, 'groups': [
        {'name': 'web', 'pids_max': '20', 'processes': [first]},
        {'name': 'db', 'pids_max': '30', 'processes': [second]}]}}]
    run = ansible.play(wanted)
    assert run.rc == 0, run
    assert [g['path'] for g in run.task('cgroup')['cgroups']] == [parent + '/web', parent + '/db']
    assert (read('pids', parent + '/web', 'pids.max'), read('pids', parent + '/db', 'pids.max')) == ('20', '30')
    assert read('pids', parent + '/db', 'cgroup.procs') == str(second)
    rerun = ansible.play(wanted)
    assert rerun.changed == [], rerun


def limit_files(path):
    """Every limit the engine knows, as the kernel's files of the group at `path` say it."""
    version = LAYOUT['cpu'][0]
    if version == 2:
        quota, period = read('cpu', path, 'cpu.max').split()
        return {'cpu': (quota, period), 'cpu_weight': read('cpu', path, 'cpu.weight'),
                'memory': read('memory', path, 'memory.max'), 'memory_swap': read('memory', path, 'memory.swap.max'),
                'pids_max': read('pids', path, 'pids.max'), 'cpuset_cpus': read('cpuset', path, 'cpuset.cpus')}
    return {'cpu': (read('cpu', path, 'cpu.cfs_quota_us'), read('cpu', path, 'cpu.cfs_period_us')),
            'cpu_weight': read('cpu', path, 'cpu.shares'), 'memory': read('memory', path, 'memory.limit_in_bytes'),
            'memory_swap': str(int(read('memory', path, 'memory.memsw.limit_in_bytes'))
                               - int(read('memory', path, 'memory.limit_in_bytes'))),
            'pids_max': read('pids', path, 'pids.max'), 'cpuset_cpus': read('cpuset', path, 'cpuset.cpus')}


EVERY_LIMIT = {'cpu': '0.25', 'cpu_period': 50000, 'cpu_weight': 200, 'memory': '64M', 'memory_swap': '32M',
               'pids_max': '40', 'cpuset_cpus': '0'}
EXPECTED_FILES = {'cpu': ('12500', '50000'), 'cpu_weight': '200' if VERSIONS == {2} else '5220',
                  'memory': str(64 * 2 ** 20), 'memory_swap': str(32 * 2 ** 20), 'pids_max': '40', 'cpuset_cpus': '0'}


def every_limit_supported():
    """Whether this host offers every controller and swap accounting."""
    if not all(c in LAYOUT for c in ('cpu', 'memory', 'pids', 'cpuset')):
        return False
    swap = 'memory.swap.max' if LAYOUT['memory'][0] == 2 else 'memory.memsw.limit_in_bytes'
    return os.path.exists(os.path.join(LAYOUT['memory'][1], swap)) or LAYOUT['memory'][0] == 2


def containers_role(tmp_path, parent, containers, state='present'):
    return [{'name': 'role', 'include_role': {'name': 'linuxns.net.containers'}, 'vars': {
        'containers_list': containers, 'containers_state': state, 'containers_subnet': '10.89.0.0/24',
        'containers_bridge': 'lnscg0', 'containers_state_dir': str(tmp_path / 'state'),
        'containers_cgroup_parent': parent}}]


@pytest.mark.skipif(not every_limit_supported(), reason='needs the cpu, memory (with swap), pids and cpuset controllers')
def test_every_limit_through_the_role_reaches_the_kernel_and_teardown_leaves_nothing(
        ansible, parent, tmp_path, collections_path):
    """The containers role once dropped cpu_period silently: every limit the
    cgroup engine knows, given through the role, is in the kernel's files;
    the role's teardown removes the groups and the parent it made."""
    sys.path.insert(0, collections_path)
    from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import LIMITS
    assert sorted(EVERY_LIMIT) == sorted(LIMITS)  # a new limit must be added to this test
    containers = [{'name': 'lim1', 'limits': EVERY_LIMIT}, {'name': 'lim2', 'limits': {'pids_max': '7'}}]
    run = ansible.play(containers_role(tmp_path, parent, containers))
    assert run.rc == 0, run
    assert limit_files(parent + '/lim1') == EXPECTED_FILES
    assert read('pids', parent + '/lim2', 'pids.max') == '7'
    assert ansible.play(containers_role(tmp_path, parent, containers)).changed == []

    run = ansible.play(containers_role(tmp_path, parent, [], state='absent'))
    assert run.rc == 0, run
    left = [mount for version, mount in LAYOUT.values() if os.path.exists(os.path.join(mount, parent))]
    assert left == []
    if VERSIONS == {2}:  # nothing left enabled for a parent that is gone
        assert ansible.play(containers_role(tmp_path, parent, [], state='absent')).changed == []


def test_removing_the_last_group_removes_the_parents_we_made(ansible, parent, processes):
    pid = processes()
    nested = parent + '/host1'
    made = [{'name': 'cgroup', 'linuxns.net.cgroup_limit': {'parent': nested, 'groups': [
        {'name': 'web', 'pids_max': '20', 'memory': '64M', 'processes': [pid]}, {'name': 'db', 'pids_max': '10'}]}}]
    assert ansible.play(made).rc == 0
    mounts = set(mount for controller, (version, mount) in LAYOUT.items() if controller in ('memory', 'pids'))

    run = ansible.play(limit(name='db', parent=nested, state='absent'))
    assert run.rc == 0, run
    assert all(os.path.isdir(os.path.join(mount, nested)) for mount in mounts)  # web still lives there

    gone = limit(name='web', parent=nested, state='absent')
    check = ansible.play(gone, check=True).task('cgroup')
    assert any('%s (made by linuxns.net' % nested in action for action in check['actions']), check
    assert ansible.play(gone).task('cgroup')['actions'] == check['actions']
    assert [m for m in mounts if os.path.exists(os.path.join(m, parent))] == []
    assert os.path.exists('/proc/%d' % pid)  # moved out of the way (to the root), still running
    assert ansible.play(gone).changed == []


def test_a_parent_someone_else_made_is_kept(ansible, parent):
    os.mkdir(cgfile('pids', parent, ''))  # made by someone else, before us
    assert ansible.play(limit(name='web', parent=parent + '/host1', pids_max='5')).rc == 0
    assert ansible.play(limit(name='web', parent=parent + '/host1', state='absent')).rc == 0
    assert not os.path.exists(cgfile('pids', parent + '/host1', ''))  # ours: gone with its last group
    assert os.path.isdir(cgfile('pids', parent, ''))  # theirs: kept
