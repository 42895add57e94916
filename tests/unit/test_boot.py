# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The boot-time re-apply: unit, state file, engine copy (files in a temporary directory, no kernel)."""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._boot import (
    BootResource, BootSpec, engine_archive, engine_sources, read_state, unit_name)
from ansible_collections.linuxns.net.plugins.module_utils._network_spec import NetworkSpec
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def boot_spec(tmp_path, **params):
    params = dict({'subnet': '10.88.0.0/24', 'state_dir': str(tmp_path / 'state'),
                   'boot_unit_dir': str(tmp_path / 'units')}, **params)
    spec = NetworkSpec(params)
    return BootSpec(spec, spec.params)


def converge(desired):
    resource = BootResource(None)
    plan = resource.plan(desired, resource.read(desired))
    for action in plan.actions:
        resource.execute(action.op, action.args)
    return plan, resource


def test_unit_names_are_escaped_as_systemd_escape_does():
    assert unit_name('cbr0') == 'linuxns-network-cbr0.service'
    assert unit_name('br@x+1') == 'linuxns-network-br\\x40x\\x2b1.service'


def test_the_engine_copy_is_the_import_closure_without_ansible():
    tree = engine_sources()
    names = sorted(os.path.basename(path) for path in tree if not path.endswith('__init__.py'))
    assert '_network.py' in names and '_converge.py' in names and '_rtnl.py' in names
    assert '_module.py' not in names  # the Ansible glue stays behind
    assert not any('from ansible.' in text or 'import ansible.' in text for text in tree.values())


def test_the_engine_copy_imports_on_its_own_from_its_zip(tmp_path):
    """Every module of the copy imports from the copy's zip alone: the
    closure left nothing behind that one of them imports."""
    tree = engine_sources()
    archive = tmp_path / 'engine.zip'
    archive.write_bytes(engine_archive(tree))
    assert engine_archive(tree) == archive.read_bytes()  # the same sources, the same bytes: no rewrite on a no-op
    names = sorted(os.path.basename(path)[:-3] for path in tree if not path.endswith('__init__.py'))
    script = ('import importlib, sys\n'
              'for name in sys.argv[1:]:\n'
              '    module = importlib.import_module("ansible_collections.linuxns.net.plugins.module_utils." + name)\n'
              '    assert module.__file__.startswith(%r), module.__file__\n' % str(archive))
    run = subprocess.run([sys.executable, '-c', script] + names, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True, check=False, cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=str(archive)))
    assert run.returncode == 0, run.stdout


def test_install_is_idempotent_and_absent_removes_everything(tmp_path):
    plan, _resource = converge(boot_spec(tmp_path))
    assert [a.op for a in plan.actions] == ['write', 'write', 'write', 'write_engine', 'link', 'link']  # state, 2 units
    watch = (tmp_path / 'units' / 'linuxns-network-cbr0-watch.service').read_text()
    assert ' --watch' in watch and 'After=linuxns-network-cbr0.service firewalld.service nftables.service' in watch
    assert 'firewalld.service' in (tmp_path / 'units' / 'linuxns-network-cbr0.service').read_text()
    assert json.load(open(str(tmp_path / 'state' / 'network.json')))['params']['subnet'] == '10.88.0.0/24'
    again, resource = converge(boot_spec(tmp_path))
    assert again.actions == []
    assert resource.verify(plan, resource.read(boot_spec(tmp_path))) == []
    (tmp_path / 'state' / 'engine.zip').write_bytes(b'an older engine')
    (tmp_path / 'state' / 'engine').mkdir()  # where earlier versions kept the copy, as files
    (tmp_path / 'state' / 'engine' / '_old.py').write_text('')
    assert [a.description for a in converge(boot_spec(tmp_path))[0].actions] == [
        'copy the engine to %s' % (tmp_path / 'state' / 'engine.zip'),
        'remove the engine copy %s (now in engine.zip)' % (tmp_path / 'state' / 'engine')]
    assert sorted(os.listdir(str(tmp_path / 'state'))) == ['engine.zip', 'network.json']
    gone, _resource = converge(boot_spec(tmp_path, state='absent', subnet=None))
    assert len(gone.actions) == 6
    assert os.listdir(str(tmp_path / 'units')) == [] and os.listdir(str(tmp_path / 'state')) == []


def test_where_systemd_runs_the_watch_unit_restarts_on_a_new_engine_and_stops_before_it_goes(tmp_path):
    spec = boot_spec(tmp_path)
    spec.reload = True  # as where /run/systemd/system exists
    resource = BootResource(None)
    plan = resource.plan(spec, resource.read(spec))
    assert [a.description for a in plan.actions[-2:]] == [
        'reload systemd units', 'restart linuxns-network-cbr0-watch.service']
    for action in plan.actions:
        if action.op not in ('reload', 'systemctl'):
            resource.execute(action.op, action.args)
    assert resource.plan(spec, resource.read(spec)).actions == []  # a new state file alone: the watcher re-reads it
    gone = boot_spec(tmp_path, state='absent', subnet=None)
    gone.reload = True
    assert resource.plan(gone, resource.read(gone)).actions[0].description == 'stop linuxns-network-cbr0-watch.service'


def test_a_failed_install_is_undone_by_the_undo_actions(tmp_path):
    plan, resource = converge(boot_spec(tmp_path))
    for action in reversed(plan.actions):
        op, args = action.undo
        resource.execute(op, args)
    assert os.listdir(str(tmp_path / 'units')) == [] and os.listdir(str(tmp_path / 'state')) == []


@pytest.mark.parametrize('content, message', [
    ('{"version": 1', 'is not valid JSON'),
    ('{"version": 2, "params": {}}', 'format version 2'),
    ('{"version": 1, "params": []}', 'not a linuxns.net network state'),
])
def test_a_state_file_we_cannot_trust_is_refused(tmp_path, content, message):
    path = tmp_path / 'network.json'
    path.write_text(content)
    with pytest.raises(ValidationError) as info:
        read_state(str(path))
    assert message in str(info.value)


def test_the_entry_point_reports_a_bad_state_file_and_exits_1(tmp_path):
    path = tmp_path / 'network.json'
    path.write_text('{"version": 0, "params": {}}')
    run = subprocess.run([sys.executable, '-m', 'ansible_collections.linuxns.net.plugins.module_utils._boot_run', str(path)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False,
                         cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert run.returncode == 1
    assert 'format version 0' in run.stdout and 'nothing was changed' in run.stdout and 'Traceback' not in run.stdout
