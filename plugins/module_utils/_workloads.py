# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Container workloads as an engine Resource.

A workload is a shell command run the way a container runtime runs one: in
its container's network namespace and cgroups from its first instruction,
in PID, mount and UTS namespaces of its own (it is pid 1 there, sees its own
/proc, and its hostname is the container's name), in a session of its own,
with its output in NAME.log beside its pid file.  Like `ip netns exec`, it
sees the namespace's /etc/netns/NAME files as its /etc/hosts and
/etc/resolv.conf; a container with no hosts file gets one of its own
(localhost), as Docker's containers do, so that names written into it later
(rewritten in place) reach the running workload.

The pid file holds the pid of util-linux's `unshare --fork` that made the
PID namespace and waits for the workload: seen from the host, the workload
is its only child.  It counts as running while that pid is alive *in the
container's network namespace* (a pid reused by another process is never
signalled), and its command is read back from that process's command line,
so a changed command is seen and the workload restarted.

A workload is also found by what marks it, not only by its pid file: an
unshare with our options whose network namespace is the container's.  Such
a process that no pid file names (a run killed between starting it and
writing the file) is a stray; the next run stops it.
"""

import ctypes
import ctypes.util
import errno
import functools
import os
import shutil
import signal
import subprocess
import threading
import time

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._files import failpoint, write_text
from ansible_collections.linuxns.net.plugins.module_utils._kernel import (
    CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS, MS_BIND, MS_REC, MS_SLAVE)
from ansible_collections.linuxns.net.plugins.module_utils._netns import ETC_NETNS, NAMESPACE_FILES, namespace_files
from ansible_collections.linuxns.net.plugins.module_utils._procfs import netns_members

STOP_WAIT = 3.0  # seconds a workload that handles SIGTERM gets to exit on it
# pid 1 of the PID namespace is the shell running the command; unshare waits
# for it, kills it if unshare itself is killed, and mounts the new /proc
UNSHARE_OPTIONS = ('--pid', '--mount', '--fork', '--kill-child', '--mount-proc', '--')
STATES = ('started', 'stopped', 'absent', 'unmanaged')


class WorkloadSpec:
    """state: started (run `command`, restarted when it changed), stopped
    (not running, log kept), absent (not running, pid and log files gone)
    or unmanaged (a container with no command: only strays are stopped)."""

    def __init__(self, name, command, pidfile, state='started'):
        self.name = name
        self.command = command
        self.pidfile = pidfile
        self.state = state

    @property
    def subject(self):
        return 'workload/%s' % self.name


class WorkloadResource(Resource):

    def read(self, desired):
        current = dict((spec.subject, running(self.seam, spec.name, spec.pidfile)) for spec in desired)
        marked = our_processes(self.seam, [spec.name for spec in desired])
        current['_strays'] = dict((spec.subject, [pid for pid in marked.get(spec.name, [])
                                                  if (current[spec.subject] or {}).get('pid') != pid]) for spec in desired)
        return current

    def plan(self, desired, current):
        actions, after = [], dict(current)
        cgroups = current.get('_cgroups') or {}
        for spec in desired:
            have = current[spec.subject]
            strays = (current.get('_strays') or {}).get(spec.subject)
            if strays:
                actions.append(Action('stop_strays', spec.subject, 'stop the stray workload process%s of %s (pid %s) an '
                                      'interrupted run left' % ('es' if len(strays) > 1 else '', spec.name,
                                                                ', '.join(str(p) for p in strays)), {'pids': strays}))
            if spec.state == 'unmanaged':
                continue
            start = {'name': spec.name, 'command': spec.command, 'pidfile': spec.pidfile,
                     'cgroups': cgroups.get(spec.name, [])}
            if spec.state != 'started':
                if have is not None:
                    actions.append(Action('stop', spec.subject, 'stop the workload of %s (pid %d)' % (spec.name, have['pid']),
                                          {'pidfile': spec.pidfile, 'pid': have['pid'], 'keep_log': spec.state == 'stopped'}))
                after[spec.subject] = None
            elif have is None:
                actions.append(Action('start', spec.subject, 'start the workload of %s' % spec.name, start,
                                      undo=('stop', {'pidfile': spec.pidfile, 'pid': None, 'keep_log': True})))
                after[spec.subject] = {'pid': None, 'command': spec.command}  # pid known once it runs
            elif have['command'] != spec.command:
                why = 'its command changed' if have['command'] is not None else 'to run it in namespaces of its own'
                undo = None if have['command'] is None else ('restart', dict(start, command=have['command'], pid=None))
                actions.append(Action('restart', spec.subject, 'restart the workload of %s (pid %d), %s'
                                      % (spec.name, have['pid'], why), dict(start, pid=have['pid']), undo=undo))
                after[spec.subject] = {'pid': None, 'command': spec.command}
        return Plan(actions, current, after)

    def op_start(self, name, command, pidfile, cgroups):
        unshare = shutil.which('unshare')
        if unshare is None:
            raise OSError(errno.ENOENT, "util-linux's unshare is not installed: it starts the workload in its own namespaces")
        os.makedirs(os.path.dirname(pidfile), 0o755, exist_ok=True)
        hosts = os.path.join(ETC_NETNS, name, 'hosts')
        if not os.path.exists(hosts):  # one of its own, as Docker's: names written later reach it bind-mounted
            write_text(hosts, namespace_files(name, hosts=[])['hosts'])
        with open(os.devnull) as stdin, open(_log(pidfile), 'ab') as output:
            # a process that outlives this run, entered into its namespace and cgroups before it
            # execs: more than run_command does (and the boot engine runs without Ansible)
            process = subprocess.Popen([unshare] + list(UNSHARE_OPTIONS) + ['sh', '-c', command],  # pylint: disable=ansible-bad-function
                                       stdin=stdin, stdout=output, stderr=output, close_fds=True, start_new_session=True,
                                       cwd='/', preexec_fn=_enter(self.seam.path(name), cgroups, name))
        failpoint('workload-started')  # running, and no pid file names it yet
        with open(pidfile, 'w') as handle:
            handle.write('%d\n' % process.pid)

    def op_stop(self, pidfile, pid, keep_log=False):
        pid = pid or _read_pid(pidfile)
        if pid is not None:
            _end_session(pid)
        for path in [pidfile] + ([] if keep_log else [_log(pidfile)]):  # a removed container takes its log along
            if os.path.exists(path):
                os.unlink(path)

    @staticmethod
    def op_stop_strays(pids):
        for pid in pids:
            _end_session(pid)

    def op_restart(self, name, command, pidfile, cgroups, pid):
        self.op_stop(pidfile, pid, keep_log=True)
        self.op_start(name, command, pidfile, cgroups)


def running(seam, name, pidfile):
    """{'pid': N, 'command': C} when the workload of container `name` runs,
    else None.  C is None for a process not started the way this version
    starts one."""
    pid = _read_pid(pidfile)
    if pid is None:
        return None
    try:
        same = os.stat('/proc/%d/ns/net' % pid).st_ino == seam.inode(name)
        argv = _command_line(pid)
    except OSError:  # the process or the namespace is gone
        return None
    return {'pid': pid, 'command': _started_command(argv)} if same else None


def our_processes(seam, names):
    """{container name: [pid]} of the workload processes of ours (an
    unshare with our options) in each container's network namespace: one
    pass over /proc."""
    inodes = {}
    for name in names:
        try:
            inodes[seam.inode(name)] = name
        except OSError:  # no such namespace: nothing runs in it
            continue
    found = {}
    for (_dev, inode), pids in sorted(netns_members().items()):
        name = inodes.get(inode)
        for pid in pids if name is not None else []:
            try:
                if _started_command(_command_line(pid)) is not None:
                    found.setdefault(name, []).append(pid)
            except OSError:  # gone meanwhile, or not ours to read
                continue
    return found


def workload_view(seam, name, pidfile):
    """What network_info reports of a running workload (None when none
    runs): the unshare's pid and the command, and of the workload itself its
    host pid, whether it is pid 1 of its own PID namespace, its hostname and
    its cgroups (one path per hierarchy)."""
    view = running(seam, name, pidfile)
    if view is None:
        return None
    view.update(init=None, pid_1=False, hostname=None, cgroups=[])
    try:
        with open('/proc/%d/task/%d/children' % (view['pid'], view['pid'])) as handle:
            view['init'] = int(handle.read().split()[0])
        with open('/proc/%d/status' % view['init']) as handle:
            view['pid_1'] = [line.split()[-1] for line in handle if line.startswith('NSpid:')] == ['1']
        with open('/proc/%d/cgroup' % view['init']) as handle:
            view['cgroups'] = sorted(line.strip().split(':', 2)[2] for line in handle)
        view['hostname'] = _hostname_of(view['init'])
    except (IOError, OSError, IndexError, ValueError):  # no child (yet), or it just ended
        pass
    return view


def _hostname_of(pid):
    """The hostname in the UTS namespace of `pid`, read by a thread that
    joins it (a thread's setns leaves the rest of the process where it is)."""
    libc = _libc()
    found = []

    def read():
        fd = os.open('/proc/%d/ns/uts' % pid, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWUTS) == 0:
                found.append(os.uname()[1])
        finally:
            os.close(fd)
    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return found[0] if found else None


@functools.lru_cache(maxsize=None)
def _libc():
    """libc, loaded once per process: finding it forks (ldconfig)."""
    return ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)


def _command_line(pid):
    with open('/proc/%d/cmdline' % pid, 'rb') as handle:
        return handle.read().decode('utf-8', 'surrogateescape').split('\0')[:-1]


def _started_command(argv):
    """The command of a workload this module started, from the command line
    of its unshare process; None for any other process."""
    options = len(UNSHARE_OPTIONS)
    if len(argv) == options + 4 and os.path.basename(argv[0]) == 'unshare' \
            and tuple(argv[1:options + 1]) == UNSHARE_OPTIONS and argv[options + 1:options + 3] == ['sh', '-c']:
        return argv[-1]
    return None


def _end_session(pid):
    """SIGTERM to the workload's whole session (its process group), SIGKILL
    if its leader still runs after STOP_WAIT seconds, so what comes next
    (removing its cgroup and namespace) finds it gone.  The kernel drops a
    SIGTERM sent from outside to pid 1 of a PID namespace that has no handler
    for it, so such a workload is killed at once rather than waited for."""
    patience = STOP_WAIT if _handles_sigterm(pid) else 0
    for sig, wait in ((signal.SIGTERM, patience), (signal.SIGKILL, 1.0)):
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


def _handles_sigterm(pid):
    """Whether SIGTERM can end the workload: it is no unshare of ours (an
    older workload, SIGTERM reaches it), or its pid 1 catches SIGTERM."""
    try:
        if _started_command(_command_line(pid)) is None:
            return True
        with open('/proc/%d/task/%d/children' % (pid, pid)) as handle:
            children = handle.read().split()
        if not children:
            return True
        with open('/proc/%s/status' % children[0]) as handle:
            caught = [line.split()[1] for line in handle if line.startswith('SigCgt:')]
    except (IOError, OSError):
        return True
    return bool(caught) and bool(int(caught[0], 16) & (1 << (signal.SIGTERM - 1)))


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


def _enter(netns, cgroups, hostname):
    """What the child does before exec: join the cgroups, enter the network
    namespace, make a UTS namespace named after the container and a mount
    namespace in which the container's /etc/netns/NAME files are its /etc
    ones, as `ip netns exec` shows them (unshare then makes the PID
    namespace and the mount namespace of /proc).  libc is loaded here, in
    the parent."""
    libc = _libc()
    name = hostname.encode()
    binds = [(os.path.join(ETC_NETNS, hostname, f).encode(), os.path.join('/etc', f).encode())
             for f in NAMESPACE_FILES if os.path.isfile(os.path.join(ETC_NETNS, hostname, f))]

    def enter():
        for path in cgroups:
            with open(os.path.join(path, 'cgroup.procs'), 'w') as handle:
                handle.write('0')  # 0: the writing process itself
        fd = os.open(netns, os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNET) != 0 or libc.unshare(CLONE_NEWUTS) != 0 \
                or libc.sethostname(name, len(name)) != 0:
            raise OSError(ctypes.get_errno(), 'cannot enter the namespaces of %s' % hostname)  # Popen raises it
        os.close(fd)
        if binds and (libc.unshare(CLONE_NEWNS) != 0 or libc.mount(b'none', b'/', None, MS_REC | MS_SLAVE, None) != 0
                      or any(libc.mount(source, target, None, MS_BIND, None) != 0 for source, target in binds)):
            raise OSError(ctypes.get_errno(), 'cannot show %s its /etc/netns files' % hostname)
    return enter
