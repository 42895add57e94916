# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cgroup value conversions between the module's vocabulary and v1/v2 files."""

import os

import pytest

from ansible_collections.linuxns.net.plugins.module_utils import _cgroup as cg
from ansible_collections.linuxns.net.plugins.module_utils import _cgroup_files as files
from ansible_collections.linuxns.net.plugins.module_utils import _cgroup_units as units
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._cgroupfs import CgroupFs
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


@pytest.mark.parametrize('text, size', [('128M', 128 * 2 ** 20), ('1G', 2 ** 30), ('1gb', 2 ** 30), ('512KiB', 512 * 1024),
                                        ('1048576', 2 ** 20), (4096, 4096), ('max', 'max'), ('MAX', 'max')])
def test_parse_size(text, size):
    assert units.parse_size(text, 'memory') == size


@pytest.mark.parametrize('text', ['12XB', '-5', '1.5G', '', 'G'])
def test_bad_sizes(text):
    with pytest.raises(ValidationError, match='^memory: '):
        units.parse_size(text, 'memory')


def test_human_size_and_pages():
    assert units.human_size(128 * 2 ** 20) == '128M'
    assert units.human_size(999424) == '976K'
    assert units.human_size(1000) == '1000'
    assert units.page_rounded(1000000) == 999424
    assert units.page_rounded('max') == 'max'


@pytest.mark.parametrize('weight', [1, 39, 50, 100, 5000, 10000])
def test_weight_shares_round_trip(weight):
    shares = units.weight_to_shares(weight)
    assert 2 <= shares <= 262144
    assert units.shares_to_weight(shares) == weight


def test_default_shares_map_like_runc():
    assert units.shares_to_weight(1024) == 39
    assert units.weight_to_shares(1) == 2 and units.weight_to_shares(10000) == 262144


def test_cpu_lists():
    assert units.format_cpus(units.parse_cpus('0,1,2,4', 'cpuset_cpus')) == '0-2,4'
    assert units.format_cpus(units.parse_cpus('3', 'cpuset_cpus')) == '3'
    with pytest.raises(ValidationError):
        units.parse_cpus('1-a', 'cpuset_cpus')


def test_writes_for_each_version():
    target = {'cpu': 0.5, 'cpu_period': 100000, 'memory': '2M', 'memory_swap': '1M'}
    old = {'cpu': 'max', 'cpu_period': 100000, 'memory': 'max', 'memory_swap': 'max'}
    assert files.writes('cpu', 2, target, old) == [('cpu.max', '50000 100000', 'max 100000')]
    assert files.writes('cpu', 1, target, old) == [('cpu.cfs_period_us', 100000, 100000), ('cpu.cfs_quota_us', 50000, -1)]
    assert files.writes('memory_swap', 2, target, old) == [('memory.swap.max', 2 ** 20, 'max')]
    assert files.writes('memory_swap', 1, target, old) == [('memory.memsw.limit_in_bytes', 3 * 2 ** 20, -1)]


@pytest.mark.parametrize('cpu, period, quota', [('1.23456', 100000, 123456), ('0.333333', 1000000, 333333),
                                                ('1.2333423', 33333, 41111), ('2', 50000, 100000)])
def test_the_quota_written_is_the_one_asked_for_not_one_of_a_rounded_view(cpu, period, quota):
    target = CgroupSpec({'name': 'x', 'cpu': cpu, 'cpu_period': period}).limits
    assert files.writes('cpu', 2, target, {})[0][1] == '%d %d' % (quota, period)


@pytest.mark.parametrize('params, message', [
    ({'name': 'x', 'cpu_period': 500, 'cpu': '1'}, 'cpu_period: 500 is out of range'),
    ({'name': 'x', 'cpu_period': 100000}, 'cpu_period: set cpu as well'),
    ({'name': 'x', 'pids_max': 'lots'}, "pids_max: 'lots' is not a number"),
    ({'name': '..'}, 'name: '),
    ({'name': 'x', 'parent': '/sys'}, 'parent: '),
])
def test_spec_validation(params, message):
    with pytest.raises(ValidationError, match='^' + message):
        CgroupSpec(params)


def fake_v2_hierarchy(tmp_path, existing=(), enabled=None):
    """A directory laid out like a cgroup2 mount, and a mountinfo naming it."""
    root = tmp_path / 'cgroup2'
    root.mkdir()
    (root / 'cgroup.controllers').write_text(u'cpuset cpu io memory pids\n')
    (root / 'cgroup.subtree_control').write_text(u'io\n')
    for path in existing:
        (root / path).mkdir()
        (root / path / 'cgroup.subtree_control').write_text(u'%s\n' % (enabled or {}).get(path, ''))
    mountinfo = tmp_path / 'mountinfo'
    mountinfo.write_text(u'32 23 0:28 / %s rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n' % root)
    resource = cg.CgroupResource(CgroupFs(str(mountinfo)))
    return resource


def planned(resource, params):
    desired = resource.specs(dict({'name': 'web', 'parent': 'lab/host1'}, **params))
    return [action.description for action in resource.plan(desired, resource.read(desired)).actions]


def test_v2_enables_controllers_level_by_level_as_it_creates_them(tmp_path):
    """A v2 controller reaches a group only through every ancestor's
    subtree_control, and a parent's file exists only once it is created."""
    resource = fake_v2_hierarchy(tmp_path)
    assert planned(resource, {'cpu': '0.5', 'pids_max': 20})[:6] == [
        'enable cpu, pids for the children of the cgroup root',
        'create cgroup lab (cpu, pids)',
        'enable cpu, pids for the children of lab',
        'create cgroup lab/host1 (cpu, pids)',
        'enable cpu, pids for the children of lab/host1',
        'create cgroup lab/host1/web (cpu, pids)',
    ]


def test_v2_enables_only_what_existing_ancestors_lack(tmp_path):
    resource = fake_v2_hierarchy(tmp_path, existing=['lab', 'lab/host1'], enabled={'lab': 'cpu pids'})
    assert planned(resource, {'cpu': '0.5', 'pids_max': 20})[:3] == [
        'enable cpu, pids for the children of the cgroup root',
        'enable cpu, pids for the children of lab/host1',
        'create cgroup lab/host1/web (cpu, pids)',
    ]


def test_v2_converged_group_plans_nothing(tmp_path):
    """Only the controllers a group's cgroup.controllers lists are read back:
    the others have no files there and are not ours to enable."""
    resource = fake_v2_hierarchy(tmp_path, existing=['lab', 'lab/host1', 'lab/host1/web'],
                                 enabled={'lab': 'cpu', 'lab/host1': 'cpu'})
    (tmp_path / 'cgroup2' / 'cgroup.subtree_control').write_text(u'cpu io\n')
    group = tmp_path / 'cgroup2' / 'lab' / 'host1' / 'web'
    for name, value in [('cgroup.controllers', 'cpu'), ('cpu.max', '10000 100000'), ('cpu.weight', '50'),
                        ('cgroup.procs', '')]:
        (group / name).write_text(u'%s\n' % value)
    assert planned(resource, {'cpu': '0.1', 'cpu_weight': 50}) == []


def test_v2_members_of_a_removed_group_go_where_processes_may_live(tmp_path):
    resource = fake_v2_hierarchy(tmp_path, existing=['lab', 'lab/host1', 'lab/host1/web'],
                                 enabled={'lab': 'cpu', 'lab/host1': 'cpu'})
    group = tmp_path / 'cgroup2' / 'lab' / 'host1' / 'web'
    for name, value in [('cgroup.controllers', 'cpu'), ('cpu.max', 'max 100000'), ('cgroup.procs', '%d' % os.getpid())]:
        (group / name).write_text(u'%s\n' % value)
    assert planned(resource, {'state': 'absent'})[0] == 'move pid %d to the cgroup root' % os.getpid()
    (tmp_path / 'cgroup2' / 'lab' / 'cgroup.subtree_control').write_text(u'\n')
    assert planned(resource, {'state': 'absent'})[0] == 'move pid %d to lab' % os.getpid()


def test_many_groups_in_one_call_share_their_ancestors(tmp_path):
    resource = fake_v2_hierarchy(tmp_path)
    desired = resource.specs({'parent': 'lab/host1', 'groups': [{'name': 'web', 'pids_max': 20},
                                                                {'name': 'db', 'pids_max': 30}]})
    actions = [a.description for a in resource.plan(desired, resource.read(desired)).actions]
    assert actions == [
        'enable pids for the children of the cgroup root',
        'create cgroup lab (pids)',
        'enable pids for the children of lab',
        'create cgroup lab/host1 (pids)',
        'enable pids for the children of lab/host1',
        'create cgroup lab/host1/web (pids)',
        'set pids_max of lab/host1/web to 20 (was the default)',
        'create cgroup lab/host1/db (pids)',
        'set pids_max of lab/host1/db to 30 (was the default)',
    ]


def test_groups_name_the_entry_in_messages():
    with pytest.raises(ValidationError, match=r"^groups\[1\]\.memory: '12XB' is not a size"):
        cg.CgroupResource.specs({'groups': [{'name': 'a'}, {'name': 'b', 'memory': '12XB'}]})
    with pytest.raises(ValidationError, match="^groups: 'linuxns/a' is listed more than once"):
        cg.CgroupResource.specs({'groups': [{'name': 'a'}, {'name': 'a'}]})


class MarkedFs(CgroupFs):
    """cgroupfs whose marks live in a dict: unit tests need no root for xattrs."""

    def __init__(self, mountinfo, marks):
        super().__init__(mountinfo)
        self.marks = marks

    def read_mark(self, path):
        return self.marks.get(path)

    def write_mark(self, path, mark):
        self.marks[path] = mark


def fake_v2_tree(tmp_path, groups, marked, root_enabled='cpu io', procs=None):
    """A v2 hierarchy holding `groups` (relative paths, with their ancestors),
    those in `marked` made by us ({path: controllers enabled for it})."""
    resource = fake_v2_hierarchy(tmp_path)
    root = tmp_path / 'cgroup2'
    (root / 'cgroup.subtree_control').write_text(u'%s\n' % root_enabled)
    for group in groups:
        parts = group.split('/')
        for depth in range(1, len(parts) + 1):
            path = root / '/'.join(parts[:depth])
            if not path.exists():
                path.mkdir()
                subtree = 'cpu' if depth < len(parts) else ''
                relative = '/'.join(parts[:depth])
                for name, value in [('cgroup.subtree_control', subtree), ('cgroup.controllers', 'cpu'),
                                    ('cpu.max', 'max 100000'), ('cgroup.procs', (procs or {}).get(relative, ''))]:
                    (path / name).write_text(u'%s\n' % value)
    marks = dict((str(root / path), {'enabled': enabled}) for path, enabled in marked.items())
    resource.seam = MarkedFs(resource.seam.mountinfo, marks)
    return resource, str(root)


def plan_of(resource, params):
    desired = resource.specs(params)
    return resource.plan(desired, resource.read(desired))


def test_new_directories_are_marked_with_what_their_parent_enabled_for_them(tmp_path):
    resource = fake_v2_hierarchy(tmp_path)
    root = str(tmp_path / 'cgroup2')
    plan = plan_of(resource, {'name': 'web', 'parent': 'lab', 'pids_max': 20})
    marks = dict((a.args['path'], a.args['mark']) for a in plan.actions if a.op == 'mkdir')
    assert marks == {root + '/lab': {'enabled': ['pids']}, root + '/lab/web': {'enabled': ['pids']}}


def test_removing_the_last_group_removes_the_ancestors_we_made_and_what_we_enabled(tmp_path):
    resource, root = fake_v2_tree(tmp_path, ['lab/host1/web'], {'lab': ['cpu'], 'lab/host1': [], 'lab/host1/web': []})
    plan = plan_of(resource, {'name': 'web', 'parent': 'lab/host1', 'state': 'absent'})
    assert [a.description for a in plan.actions] == [
        'remove cgroup %s/lab/host1/web' % root,
        'remove cgroup %s/lab/host1 (made by linuxns.net for its groups, now empty)' % root,
        'remove cgroup %s/lab (made by linuxns.net for its groups, now empty)' % root,
        'disable cpu for the children of the cgroup root (enabled by linuxns.net for groups now removed)',
    ]
    assert plan.actions[2].undo == ('mkdir', {'path': root + '/lab', 'cpuset': False, 'mark': {'enabled': ['cpu']}})
    assert plan.actions[3].undo == ('enable', {'path': root, 'controllers': ['cpu']})
    assert plan.diff()['after'] == {'lab/host1/web': None}


def test_a_parent_we_did_not_make_is_never_removed(tmp_path):
    resource, root = fake_v2_tree(tmp_path, ['lab/host1/web'], {'lab/host1': [], 'lab/host1/web': []})
    plan = plan_of(resource, {'name': 'web', 'parent': 'lab/host1', 'state': 'absent'})
    assert [a.args['path'] for a in plan.actions] == [root + '/lab/host1/web', root + '/lab/host1']
    assert not any(a.op == 'disable' for a in plan.actions)  # nothing was enabled for lab/host1


def test_a_parent_with_other_groups_or_processes_stays(tmp_path):
    resource, root = fake_v2_tree(tmp_path, ['lab/web', 'lab/db'], {'lab': ['cpu'], 'lab/web': [], 'lab/db': []})
    assert [a.op for a in plan_of(resource, {'name': 'web', 'parent': 'lab', 'state': 'absent'}).actions] == ['rmdir']
    both = plan_of(resource, {'parent': 'lab', 'groups': [{'name': 'web', 'state': 'absent'},
                                                          {'name': 'db', 'state': 'absent'}]})
    assert [a.args['path'] for a in both.actions if a.op == 'rmdir'] == [root + '/lab/web', root + '/lab/db', root + '/lab']
    kept = plan_of(resource, {'parent': 'lab', 'groups': [{'name': 'web', 'state': 'absent'},
                                                          {'name': 'db', 'state': 'absent'},
                                                          {'name': 'new', 'pids_max': 5}]})
    assert root + '/lab' not in [a.args['path'] for a in kept.actions if a.op == 'rmdir']
    (tmp_path / 'cgroup2' / 'lab' / 'cgroup.procs').write_text(u'1\n')
    assert [a.op for a in plan_of(resource, {'parent': 'lab', 'groups': [
        {'name': 'web', 'state': 'absent'}, {'name': 'db', 'state': 'absent'}]}).actions] == ['rmdir', 'rmdir']


def test_members_of_a_removed_group_never_go_to_an_ancestor_that_goes(tmp_path):
    resource, root = fake_v2_tree(tmp_path, ['lab/host1/web'], {'lab': [], 'lab/host1': [], 'lab/host1/web': []},
                                  procs={'lab/host1/web': str(os.getpid())})
    for name in ('lab', 'lab/host1'):  # processes may live there (no controllers handed down)
        (tmp_path / 'cgroup2' / name / 'cgroup.subtree_control').write_text(u'\n')
    plan = plan_of(resource, {'name': 'web', 'parent': 'lab/host1', 'state': 'absent'})
    assert plan.actions[0].description == 'move pid %d to the cgroup root' % os.getpid()
    assert [a.op for a in plan.actions[1:]] == ['rmdir', 'rmdir', 'rmdir']
