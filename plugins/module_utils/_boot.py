# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A host's container network comes back after a reboot, with no controller.

container_network keeps, in its state directory:
  network.json  the desired state: the module's parameters, as validated
  engine.zip    a copy of this collection's engine (the module_utils it runs on),
                importable without Ansible (one file: one write, one read to compare)
and, where systemd runs (or a unit directory is given), a oneshot unit,
enabled for multi-user.target and ordered after network-online.target and
the host firewalls' units, that runs at boot

  PYTHONPATH=STATE_DIR/engine.zip PYTHON -m ansible_collections.linuxns.net.plugins.module_utils._boot_run STATE_DIR/network.json

which is _boot_run's main(): the same converge the module runs (_converge), on the
recorded parameters.  A state file that is corrupt, or written by another
version, stops it before any change.

A firewall reload rewrites the packet filter under our feet (firewalld's
and ufw's reloads, `nft -f` of a ruleset that starts with `flush ruleset`, a
Docker restart).  So a second unit, NAME-watch.service, runs the same
command with --watch: after the converge it stays, and re-applies after
every burst of packet-filter changes that `nft monitor` reports (and every
minute, for iptables-legacy, which reports none).  A re-apply that finds
nothing to do changes nothing.
"""

import hashlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

from ansible_collections.linuxns.net.plugins.module_utils._engine import COVERED, Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._files import read_text, write_text
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

STATE_FILE = 'network.json'
STATE_VERSION = 1
ENGINE_ARCHIVE = 'engine.zip'
LEGACY_ENGINE_DIR = 'engine'  # the copy as a tree of files, as earlier versions kept it: removed where found
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member's: the same sources make the same bytes
PACKAGE = 'ansible_collections.linuxns.net.plugins.module_utils'
ENTRY = PACKAGE + '._boot_run'  # the command the units run (its module: _boot_run)
SYSTEMD_RUNNING = '/run/systemd/system'  # what sd_booted() checks
DEFAULT_UNIT_DIR = '/etc/systemd/system'
WANTED_BY = 'multi-user.target'
# The module_utils a source imports: `from PACKAGE._name import ...` and
# `from PACKAGE import _name as alias, ...` (at any indentation: lazy imports count).
_IMPORT = re.compile(r'^\s*from %s(?:\.(\w+) import| import \(([\w\s,]+)\)| import ([\w ,]+))' % re.escape(PACKAGE), re.M)


def unit_dir(option):
    """Where the unit goes: the given directory, else systemd's own where
    systemd runs, else nowhere (None)."""
    if option:
        return option
    return DEFAULT_UNIT_DIR if os.path.isdir(SYSTEMD_RUNNING) else None


def unit_name(bridge):
    """systemd unit names allow [A-Za-z0-9:_.-]; escape the rest as systemd-escape does."""
    escaped = ''.join(c if c.isalnum() and c.isascii() or c in ':_.' else '\\x%02x' % ord(c) for c in bridge)
    return 'linuxns-network-%s.service' % escaped


def command(state_dir, python=None):
    """The boot-time command, as a shell line."""
    return 'PYTHONPATH=%s %s -m %s %s' % (os.path.join(state_dir, ENGINE_ARCHIVE), python or sys.executable, ENTRY,
                                          os.path.join(state_dir, STATE_FILE))


def watch_unit_name(bridge):
    return unit_name(bridge)[:-len('.service')] + '-watch.service'


# The host firewalls whose start, restart or reload rewrites the packet filter.
FIREWALL_UNITS = 'firewalld.service nftables.service ufw.service netfilter-persistent.service docker.service'


def unit_text(bridge, state_dir, python=None):
    return _unit(bridge, state_dir, python, [
        '# Written by linuxns.net container_network: re-applies the container network of bridge %s' % bridge,
        '# at boot from %s, with the engine copied to %s.' % (
            os.path.join(state_dir, STATE_FILE), os.path.join(state_dir, ENGINE_ARCHIVE)),
        '[Unit]',
        'Description=linuxns.net container network %s' % bridge,
        'Wants=network-online.target',
        '# after the host firewalls: their start must not flush what this unit writes',
        'After=network-online.target %s' % FIREWALL_UNITS,
    ], ['Type=oneshot', 'RemainAfterExit=yes'], '')


def watch_unit_text(bridge, state_dir, python=None):
    return _unit(bridge, state_dir, python, [
        '# Written by linuxns.net container_network: re-applies the container network of bridge %s' % bridge,
        '# whenever the packet filter changes (a firewalld, nftables or ufw reload, a Docker restart, a flush).',
        '[Unit]',
        'Description=linuxns.net container network %s, kept through firewall reloads' % bridge,
        'After=%s %s' % (unit_name(bridge), FIREWALL_UNITS),
    ], ['Type=simple', 'Restart=on-failure', 'RestartSec=5'], ' --watch')


def _unit(bridge, state_dir, python, head, service, argument):
    del bridge  # named in head
    return '\n'.join(head + [
        'ConditionPathExists=%s' % os.path.join(state_dir, STATE_FILE),
        '',
        '[Service]'] + service + [
        'Environment=PYTHONPATH=%s' % os.path.join(state_dir, ENGINE_ARCHIVE),
        'ExecStart=%s -m %s %s%s' % (python or sys.executable, ENTRY, os.path.join(state_dir, STATE_FILE), argument),
        '',
        '[Install]',
        'WantedBy=%s' % WANTED_BY,
        '',
    ])


def engine_sources():
    """{relative path: source} of the module_utils the boot entry point runs on
    (the import closure of _boot_run), with the packages' __init__.py files so
    the copy wins over any other ansible_collections on the path."""
    sources, todo = {}, [ENTRY.rsplit('.', 1)[1]]
    while todo:
        name = todo.pop()
        if name + '.py' in sources:
            continue
        module = importlib.import_module('%s.%s' % (PACKAGE, name))
        text = module.__loader__.get_source(module.__name__)
        sources[name + '.py'] = text
        todo.extend(_imported(text))
    tree = {}
    package_path = PACKAGE.split('.')
    for depth in range(1, len(package_path) + 1):
        tree[os.path.join(*(package_path[:depth] + ['__init__.py']))] = ''
    for name, text in sources.items():
        tree[os.path.join(*(package_path + [name]))] = text
    return tree


def engine_archive(tree):
    """The engine copy as the bytes of a zip file Python imports from:
    members in order, fixed times, stored - the same sources, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_STORED) as archive:
        for relative in sorted(tree):
            member = zipfile.ZipInfo(relative.replace(os.sep, '/'), _ZIP_TIME)
            member.external_attr = 0o644 << 16
            archive.writestr(member, tree[relative])
    return buffer.getvalue()


def _imported(text):
    """The names of the module_utils `text` imports."""
    names = []
    for module, wrapped, listed in _IMPORT.findall(text):
        names.extend([module] if module else [item.split()[0] for item in (wrapped or listed).split(',') if item.strip()])
    return names


def state_text(params):
    content = {'version': STATE_VERSION, 'params': params}
    return json.dumps(content, indent=2, sort_keys=True) + '\n'


def read_state(path):
    """The recorded parameters; a state file we cannot trust stops the run."""
    try:
        with open(path) as handle:
            text = handle.read()
    except IOError as exc:
        raise ValidationError('state', 'cannot read %s: %s' % (path, exc.strerror))
    try:
        content = json.loads(text)
    except ValueError as exc:
        raise ValidationError('state', '%s is not valid JSON (%s); re-run the playbook to write it anew' % (path, exc))
    if not isinstance(content, dict) or not isinstance(content.get('params'), dict):
        raise ValidationError('state', '%s is not a linuxns.net network state' % path)
    if content.get('version') != STATE_VERSION:
        raise ValidationError('state', '%s has format version %r, this engine reads version %d; re-run the playbook '
                                       'to write it anew' % (path, content.get('version'), STATE_VERSION))
    return content['params']


# -- the files on the host -------------------------------------------------------

class BootSpec:
    """desired: the files ({path: text or None}), the engine copy (path, zip
    bytes or None), the units' enable links ({path: target or None}) and
    whether systemd must reload its units."""

    def __init__(self, spec, params):
        self.state_dir = spec.state_dir
        self.unit_dir = unit_dir(spec.boot_unit_dir)
        wanted = spec.state == 'present' and spec.boot
        self.state_path = os.path.join(spec.state_dir, STATE_FILE)
        self.engine_path = os.path.join(spec.state_dir, ENGINE_ARCHIVE)
        self.legacy_engine_root = os.path.join(spec.state_dir, LEGACY_ENGINE_DIR)
        self.files = {self.state_path: state_text(params) if wanted else None}
        self.engine = engine_archive(engine_sources()) if wanted else None
        self.unit_path = self.watch_unit_path = None
        self.links = {}
        if self.unit_dir:
            for name, text in ((unit_name(spec.bridge), unit_text), (watch_unit_name(spec.bridge), watch_unit_text)):
                path = os.path.join(self.unit_dir, name)
                self.files[path] = text(spec.bridge, spec.state_dir) if wanted else None
                self.links[os.path.join(self.unit_dir, WANTED_BY + '.wants', name)] = os.path.join('..', name) if wanted else None
            self.unit_path = os.path.join(self.unit_dir, unit_name(spec.bridge))
            self.watch_unit_path = os.path.join(self.unit_dir, watch_unit_name(spec.bridge))
        self.reload = bool(self.unit_dir) and os.path.isdir(SYSTEMD_RUNNING)

    def results(self):
        wanted = self.files[self.state_path] is not None
        return {'state_file': self.state_path if wanted else None,
                'unit': self.unit_path if wanted else None,
                'watch_unit': self.watch_unit_path if wanted else None,
                'command': command(self.state_dir) if wanted else None}


class BootResource(Resource):
    """The state file, the engine copy, the units and their enable links."""

    needs_pyroute2 = False

    def read(self, desired):
        current = dict(('file ' + path, _file_view(read_text(path))) for path in desired.files)
        current['_texts'] = dict((path, read_text(path)) for path in desired.files)
        current['_engine'] = read_text(desired.engine_path, binary=True)
        current['engine ' + desired.engine_path] = _bytes_view(current['_engine'])
        current['_legacy_engine'] = _read_tree(desired.legacy_engine_root)
        current['engine ' + desired.legacy_engine_root] = _tree_view(current['_legacy_engine'])
        for path in desired.links:
            current['link ' + path] = _link_view(path)
        return current

    def plan(self, desired, current):
        actions, after = [], dict(current)
        for path, text in sorted(desired.files.items()):
            have = current['_texts'][path]
            if have != text:
                actions.append(Action('write', 'file ' + path, _describe(path, text),
                                      {'path': path, 'text': text}, undo=('write', {'path': path, 'text': have})))
                after['file ' + path] = _file_view(text)
        subject = 'engine ' + desired.engine_path
        if _bytes_view(desired.engine) != current[subject]:
            what = 'remove the engine copy %s' if desired.engine is None else 'copy the engine to %s'
            actions.append(Action('write_engine', subject, what % desired.engine_path,
                                  {'path': desired.engine_path, 'data': desired.engine},
                                  undo=('write_engine', {'path': desired.engine_path, 'data': current['_engine']})))
            after[subject] = _bytes_view(desired.engine)
        legacy = 'engine ' + desired.legacy_engine_root
        if current[legacy] is not None:
            actions.append(Action('write_tree', legacy, 'remove the engine copy %s (now in %s)'
                                  % (desired.legacy_engine_root, ENGINE_ARCHIVE), {'root': desired.legacy_engine_root, 'tree': None},
                                  undo=('write_tree', {'root': desired.legacy_engine_root, 'tree': current['_legacy_engine']})))
            after[legacy] = None
        for path, target in sorted(desired.links.items()):
            subject, want = 'link ' + path, _link_view_of(target)
            if current[subject] != want:
                have = current[subject] and current[subject]['target']
                unit = os.path.join(desired.unit_dir, os.path.basename(path))
                actions.append(Action('link', subject, ('enable %s' if target else 'disable %s') % unit,
                                      {'path': path, 'target': target}, undo=('link', {'path': path, 'target': have})))
                after[subject] = want
        if desired.reload and any(a.subject in ('file %s' % desired.unit_path, 'file %s' % desired.watch_unit_path)
                                  for a in actions):
            actions.append(Action('reload', 'systemd', 'reload systemd units', {}, undo=('reload', {})))
        watch = self._watch(desired, current, actions)
        stopping = bool(watch) and watch[0].args['verb'] == 'stop'  # before its files go
        return Plan(watch + actions if stopping else actions + watch, current, after)

    @staticmethod
    def _watch(desired, current, actions):
        """Where systemd runs: (re)start the watch unit when its unit or the
        engine it runs changed (it re-reads the state file itself), stop it
        before it goes."""
        if not desired.reload or not desired.watch_unit_path:
            return []
        name = os.path.basename(desired.watch_unit_path)
        if desired.files[desired.watch_unit_path] is None:
            running = current['_texts'][desired.watch_unit_path] is not None
            return [Action('systemctl', 'unit ' + name, 'stop %s' % name, {'verb': 'stop', 'unit': name},
                           undo=('systemctl', {'verb': 'start', 'unit': name}))] if running else []
        if any(a.subject in ('file ' + desired.watch_unit_path, 'engine ' + desired.engine_path) for a in actions):
            return [Action('systemctl', 'unit ' + name, 'restart %s' % name, {'verb': 'restart', 'unit': name}, undo=COVERED)]
        return []

    def op_write(self, path, text):
        write_text(path, text)

    def op_write_engine(self, path, data):
        write_text(path, data)

    def op_write_tree(self, root, tree):
        if tree is None:
            shutil.rmtree(root, ignore_errors=True)
            return
        for relative, text in tree.items():
            path = os.path.join(root, relative)
            if read_text(path) != text:
                write_text(path, text)
        for path in _tree_files(root):  # files of an older engine that this one no longer has
            if os.path.relpath(path, root) not in tree:
                os.unlink(path)

    def op_link(self, path, target):
        if os.path.lexists(path):
            os.unlink(path)
        wants = os.path.dirname(path)
        if target is None:
            if os.path.isdir(wants) and not os.listdir(wants):
                os.rmdir(wants)  # as we found it: no .wants directory of our making left behind
            return
        if not os.path.isdir(wants):
            os.makedirs(wants, 0o755)
        os.symlink(target, path)

    # subprocess, not AnsibleModule.run_command: this engine also runs at boot, without Ansible
    def op_reload(self):
        subprocess.run(['systemctl', 'daemon-reload'], check=True, stdout=subprocess.DEVNULL,  # pylint: disable=ansible-bad-function
                       stderr=subprocess.PIPE)

    def op_systemctl(self, verb, unit):
        subprocess.run(['systemctl', verb, unit], check=True, stdout=subprocess.DEVNULL,  # pylint: disable=ansible-bad-function
                       stderr=subprocess.PIPE)


def _describe(path, text):
    if text is None:
        return 'remove %s' % path
    if path.endswith(STATE_FILE):
        return 'record the desired network in %s' % path
    return ('write the watch unit %s' if path.endswith('-watch.service') else 'write the boot unit %s') % path


def _file_view(text):
    return None if text is None else {'sha256': hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}


def _bytes_view(data):
    return None if data is None else {'bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest()[:16]}


def _tree_files(root):
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != '__pycache__']  # Python's own, written when the copy runs
        for name in files:
            yield os.path.join(directory, name)


def _read_tree(root):
    """The engine copy as it is: every file under root (none: None)."""
    if not os.path.isdir(root):
        return None
    return dict((os.path.relpath(path, root), read_text(path)) for path in _tree_files(root))


def _tree_view(tree):
    if tree is None:
        return None
    digest = hashlib.sha256()
    for relative in sorted(tree):
        digest.update(('%s\0%s\0' % (relative, tree[relative])).encode('utf-8'))
    return {'files': len(tree), 'sha256': digest.hexdigest()[:16]}


def _link_view(path):
    return _link_view_of(os.readlink(path) if os.path.islink(path) else None)


def _link_view_of(target):
    return None if target is None else {'target': target}
