# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real-kernel tests: real ansible-playbook runs inside the sandbox.

These tests create namespaces, links and rules.  They refuse to run outside
tests/sandbox, whose fresh network and mount namespaces keep the machine's own
network untouched and whose guard checks that afterwards."""

import collections
import json
import os
import subprocess
import sys

import pytest
import yaml

from kernel import RUN_NETNS, netns_list
from preloaded_ansible import PreloadedAnsible, run_separately

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')


def pytest_configure(config):
    if not os.environ.get('LINUXNS_SANDBOX'):
        pytest.exit('integration tests change the kernel state: run them inside tests/sandbox '
                    '(e.g. tests/sandbox .venv/bin/pytest tests/integration)', returncode=3)


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """An ansible_collections tree whose linuxns/net is this checkout."""
    root = tmp_path_factory.mktemp('collections')
    namespace_dir = root / 'ansible_collections' / 'linuxns'
    namespace_dir.mkdir(parents=True)
    (namespace_dir / 'net').symlink_to(REPO)
    return str(root)


class PlayResult:
    def __init__(self, rc, output, records):
        self.rc = rc
        self.output = output
        self.records = records

    def __repr__(self):
        # Shown by pytest when an assertion on a run fails: the run's own words.
        return '<PlayResult rc=%d, output:\n%s>' % (self.rc, self.output[-6000:])

    def task(self, name):
        """The result dict of the (single-host) task called `name`."""
        matches = [r for r in self.records if r['task'] == name]
        assert matches, 'no result for task %r in:\n%s' % (name, self.output)
        return matches[-1]['result']

    @property
    def changed(self):
        return [r['task'] for r in self.records if r['result'].get('changed')]

    @property
    def failed(self):
        return [r['task'] for r in self.records if r['status'] == 'failed']


class Ansible:
    """Runs playbooks on localhost (the sandbox) with this collection."""

    def __init__(self, workdir, collections, runner=None):
        """`runner`: a PreloadedAnsible; without one, each run is a process of its own."""
        self.workdir = workdir
        self.collections = collections
        self.runner = runner
        self.runs = 0

    def env(self, results_file=None):
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.collections,
            'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS,
            'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            # the module through the interpreter's stdin: no temp dir, copy and cleanup per task
            'ANSIBLE_PIPELINING': 'true',
        })
        if results_file:
            env['LINUXNS_RESULTS'] = results_file
        return env

    def playbook(self, playbook, inventory, check=False, diff=False, extra_args=()):
        """Run one of the collection's playbooks against an inventory."""
        return self._run(os.path.join(REPO, 'playbooks', playbook), inventory, check, diff, extra_args, timeout=900)

    def play(self, tasks, check=False, diff=False, extra_args=(), environment=None):
        """Run `tasks` (a list of task dicts) in one play; returns PlayResult."""
        playbook = os.path.join(self.workdir, 'play%d.yml' % (self.runs + 1))
        with open(playbook, 'w') as handle:
            yaml.safe_dump([{
                'name': 'test play',
                'hosts': 'localhost',
                'connection': 'local',
                'gather_facts': False,
                'vars': {'ansible_python_interpreter': sys.executable},
                'tasks': tasks,
            }], handle, sort_keys=False)
        return self._run(playbook, 'localhost,', check, diff, extra_args, timeout=300, environment=environment)

    def _run(self, playbook, inventory, check, diff, extra_args, timeout, environment=None):
        self.runs += 1
        results = os.path.join(self.workdir, 'results%d.jsonl' % self.runs)
        output = os.path.join(self.workdir, 'output%d.txt' % self.runs)
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', inventory, playbook]
        command += (['--check'] if check else []) + (['--diff'] if diff else []) + list(extra_args)
        run = self.runner.run if self.runner else run_separately
        rc = run(command, dict(self.env(results), **(environment or {})), output, timeout)
        with open(output) as handle:
            text = handle.read()
        records = []
        if os.path.exists(results):
            with open(results) as handle:
                records = [json.loads(line) for line in handle]
        return PlayResult(rc, text, records)


class FailingCases:
    """Cases that must each fail before any change, run as the tasks of one
    play (each with ignore_errors): one ansible-playbook start for all of them
    instead of one apiece, about 2 s each.  The first test of the list runs
    them all, in the sandbox state its own fixtures made; each test then
    asserts on its own case.  `state()` reads the kernel state the cases must
    leave alone, before the play and after it."""

    Outcome = collections.namedtuple('Outcome', 'result failed before after output')

    def __init__(self, cases):
        self.cases = list(cases)
        self.run = None

    def outcome(self, ansible, case, task, state, setup=None):
        """`task(case)`: the one task dict of a case; `setup()`: what to make first."""
        if self.run is None:
            if setup:
                setup()
            before = state()
            play = ansible.play([dict(task(c), name='case %d' % n, ignore_errors=True) for n, c in enumerate(self.cases)])
            self.run = (play, before, state())
        play, before, after = self.run
        name = 'case %d' % self.cases.index(case)
        return self.Outcome(play.task(name), name in play.failed, before, after, play.output)


@pytest.fixture(scope='session')
def playbook_runner(collections_path):
    """ansible-playbook with ansible-core imported once (preloaded_ansible.py)."""
    runner = PreloadedAnsible(Ansible(None, collections_path).env())
    yield runner
    runner.close()


@pytest.fixture
def ansible(tmp_path, collections_path, playbook_runner):
    return Ansible(str(tmp_path), collections_path, playbook_runner)


@pytest.fixture(autouse=True)
def clean_namespaces():
    """Every test starts and ends with no named namespaces in the sandbox."""
    yield
    for name in netns_list():
        path = os.path.join(RUN_NETNS, name)
        if os.path.isdir(path):
            os.rmdir(path)
        else:
            subprocess.run(['ip', 'netns', 'delete', name], check=False)
            if os.path.exists(path):
                os.unlink(path)
