# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Container workloads as an engine Resource.

A workload is a shell command run in its container's network namespace, in
a session (and process group) of its own, in the container's cgroups from
its first instruction, with its output in NAME.log beside its pid file.
It counts as running while the pid in its pid file is alive *in that
namespace*: a pid reused by another process is never signalled.
"""

import ctypes
import ctypes.util
import errno
import os
import signal
import subprocess
import time

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource

_CLONE_NEWNET = 0x40000000
STOP_WAIT = 3.0  # seconds a workload gets to exit on SIGTERM


class WorkloadSpec:
    def __init__(self, name, command, pidfile, state='present'):
        self.name = name
        self.command = command
        self.pidfile = pidfile
        self.state = state

    @property
    def subject(self):
        return 'workload/%s' % self.name


class WorkloadResource(Resource):

    def read(self, desired):
        return dict((spec.subject, self._running(spec)) for spec in desired)

    def _running(self, spec):
        """{'pid': N} when the workload runs, else None."""
        pid = _read_pid(spec.pidfile)
        if pid is None:
            return None
        try:
            same = os.stat('/proc/%d/ns/net' % pid).st_ino == self.seam.inode(spec.name)
        except OSError:  # the process or the namespace is gone
            return None
        return {'pid': pid} if same else None

    def plan(self, desired, current):
        actions, after = [], dict(current)
        cgroups = current.get('_cgroups') or {}
        for spec in desired:
            have = current[spec.subject]
            if spec.state == 'absent':
                if have is not None:
                    actions.append(Action('stop', spec.subject, 'stop the workload of %s (pid %d)' % (spec.name, have['pid']),
                                          {'pidfile': spec.pidfile, 'pid': have['pid']}))
                after[spec.subject] = None
            elif have is None:
                actions.append(Action('start', spec.subject, 'start the workload of %s' % spec.name,
                                      {'name': spec.name, 'command': spec.command, 'pidfile': spec.pidfile,
                                       'cgroups': cgroups.get(spec.name, [])},
                                      undo=('stop', {'pidfile': spec.pidfile, 'pid': None})))
                after[spec.subject] = {'pid': None}  # known once it runs
        return Plan(actions, current, after)

    def op_start(self, name, command, pidfile, cgroups):
        netns = self.seam.path(name)
        log = _log(pidfile)
        if not os.path.isdir(os.path.dirname(pidfile)):
            os.makedirs(os.path.dirname(pidfile), 0o755)
        with open(os.devnull) as stdin, open(log, 'ab') as output:
            process = subprocess.Popen(['sh', '-c', command], stdin=stdin, stdout=output, stderr=output, close_fds=True,
                                       start_new_session=True, cwd='/', preexec_fn=_enter(netns, cgroups))
        with open(pidfile, 'w') as handle:
            handle.write('%d\n' % process.pid)

    def op_stop(self, pidfile, pid):
        pid = pid or _read_pid(pidfile)
        if pid is not None:
            _end_session(pid)
        for path in (pidfile, _log(pidfile)):  # the container goes with it
            if os.path.exists(path):
                os.unlink(path)


def _end_session(pid):
    """SIGTERM to the workload's whole session (its process group), SIGKILL
    if its leader still runs after STOP_WAIT seconds, so what comes next
    (removing its cgroup and namespace) finds it gone."""
    for sig, wait in ((signal.SIGTERM, STOP_WAIT), (signal.SIGKILL, 1.0)):
        try:
            os.killpg(pid, sig)
        except OSError as exc:
            if exc.errno != errno.ESRCH:
                raise
            return
        deadline = time.time() + wait
        while _alive(pid) and time.time() < deadline:
            time.sleep(0.02)
        if not _alive(pid):
            return


def _alive(pid):
    """Running, and not a zombie waiting for a parent that may never reap it."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (IOError, IndexError):
        return False


def _log(pidfile):
    return os.path.splitext(pidfile)[0] + '.log'


def _read_pid(pidfile):
    try:
        with open(pidfile) as handle:
            return int(handle.read().strip())
    except (IOError, ValueError):
        return None


def _enter(netns, cgroups):
    """What the child does before exec: join the cgroups, enter the namespace
    (libc is loaded here, in the parent: finding it forks)."""
    libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)

    def enter():
        for path in cgroups:
            with open(os.path.join(path, 'cgroup.procs'), 'w') as handle:
                handle.write('0')  # 0: the writing process itself
        fd = os.open(netns, os.O_RDONLY)
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            os._exit(127)
        os.close(fd)
    return enter
