# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real host firewalls started inside tests/sandbox, so integration tests can
check that container networks keep working on hosts that run them.

    with firewalld() as fw: ...        firewalld (nftables backend) + its own system bus
    with ufw() as u: ...               ufw enabled with default deny incoming and routed
    with dockerd() as d: ...           Docker's FORWARD DROP policy and DOCKER-USER chain
    with legacy_forward_drop(): ...    iptables-legacy FORWARD policy DROP
    native_nftables(HARDENED)          a hardened /etc/nftables.conf; nft_reload() = reload

Why so careful (README "Safety"): the sandbox gives a private network and mount
namespace, but files are shared with the machine.  So every path a service
writes is first replaced, in this mount namespace only, by a private copy on a
tmpfs: /run as a whole (seen written: the bus socket, /run/firewalld,
/run/docker, /run/ufw.lock) and the /etc paths each service writes
(/etc/firewalld, /etc/ufw, /etc/default/ufw, /etc/docker/key.json); dockerd's
data-root replaces /var/lib/docker.  Mounts are made with mount(2) directly,
which (unlike mount(8)) writes nothing to /run/mount/utab.  Each context
manager kills its daemons' whole process tree, waits for them, undoes its
mounts and removes what the service leaves in the sandbox's netfilter state
when it stops (each says what).  Nothing here runs outside the sandbox:
require_sandbox()."""

import contextlib
import ctypes
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HARDENED = """#!/usr/sbin/nft -f
# A typical hardened Debian /etc/nftables.conf: only ssh in, nothing forwarded.
flush ruleset

table inet filter {
    chain input {
        type filter hook input priority 0; policy drop;
        ct state established,related accept
        iif lo accept
        tcp dport 22 accept
    }
    chain forward {
        type filter hook forward priority 0; policy drop;
    }
    chain output {
        type filter hook output priority 0; policy accept;
    }
}
"""

BINARIES = {
    'firewalld': ('firewalld', 'firewall-cmd', 'dbus-daemon'),
    'ufw': ('ufw', 'iptables'),
    'dockerd': ('dockerd', 'containerd', 'iptables'),
    'legacy': ('iptables-legacy', 'ip6tables-legacy'),
    'nft': ('nft',),
}

# mount(2) flags (linux/fs.h)
MS_BIND, MS_MOVE = 0x1000, 0x2000


def packages():
    """The Debian packages these firewalls need (dbus-daemon is package dbus)."""
    return ['dbus', 'firewalld', 'ufw', 'docker.io', 'nftables', 'iptables']


def missing(kind):
    """The binaries `kind` (a BINARIES key) needs that are not installed, so a
    test can skip with the reason."""
    return [name for name in BINARIES[kind] if not shutil.which(name)]


def require_sandbox():
    """Refuse to run outside tests/sandbox: these daemons rewrite the netfilter
    state of the namespace they run in, and the root one carries the machine's
    own network.  Besides the sandbox's marker, an ancestor process (the
    `tests/sandbox` that made the namespaces) must be in other network and
    mount namespaces than this one: an environment variable can leak, the
    namespaces cannot.  (PID 1's namespaces are not readable here.)  In a
    lab host (serve(), started by scripts/lab.py into the host's own pid
    namespace, where no ancestor is visible) the launcher's namespaces stand
    in for the ancestors': LINUXNS_LAUNCHER_NS, 'NET_INODE:MNT_INODE'."""
    if os.environ.get('LINUXNS_SANDBOX') != '1':
        raise RuntimeError('firewalls: refusing to run outside tests/sandbox (LINUXNS_SANDBOX is not 1)')
    launcher = os.environ.get('LINUXNS_LAUNCHER_NS')
    for index, kind in enumerate(('net', 'mnt')):
        if launcher and os.stat('/proc/self/ns/' + kind).st_ino != int(launcher.split(':')[index]):
            continue
        if not _ancestor_elsewhere(kind):
            raise RuntimeError('firewalls: refusing to run: this process shares its %s namespace with all its '
                               'ancestors, so it is not inside tests/sandbox' % kind)


def _parent(pid):
    with open('/proc/%d/stat' % pid) as handle:
        return int(handle.read().rsplit(')', 1)[1].split()[1])


def _ancestor_elsewhere(kind):
    """True if some ancestor of this process is in another `kind` namespace."""
    own, pid = os.stat('/proc/self/ns/' + kind).st_ino, os.getpid()
    while pid > 1:
        pid = _parent(pid)
        try:
            if os.stat('/proc/%d/ns/%s' % (pid, kind)).st_ino != own:
                return True
        except OSError:
            continue  # not readable (PID 1 here)
    return False


def run(argv, check=True, input=None, timeout=60, env=None):
    """Run a command; returns stdout, raises RuntimeError with stderr on failure."""
    proc = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, env=env, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(argv), proc.returncode, proc.stderr.strip()))
    return proc.stdout


# ---- mounts --------------------------------------------------------------

_LIBC = ctypes.CDLL(None, use_errno=True)
_LIBC.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_LIBC.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def _encode(value):
    return value.encode() if value is not None else None


def mount(source, target, fstype=None, flags=0, data=None):
    """mount(2) itself: mount(8) would also record the mount in the machine's
    /run/mount/utab."""
    if _LIBC.mount(_encode(source), _encode(target), _encode(fstype), flags, _encode(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, 'mount %s on %s: %s' % (source, target, os.strerror(err)))


def umount(target):
    if _LIBC.umount2(_encode(target), 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, 'umount %s: %s' % (target, os.strerror(err)))


@contextlib.contextmanager
def tmpfs(prefix='linuxns-fw.'):
    """A fresh directory with a private tmpfs on it: what is written there
    lives in memory and disappears with the unmount, even on failure."""
    require_sandbox()
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        mount('linuxns-fw', path, 'tmpfs', 0, 'mode=0755')
        try:
            yield path
        finally:
            umount(path)
    finally:
        os.rmdir(path)


@contextlib.contextmanager
def private_copy(path, store):
    """Bind a copy of `path` (file or directory, made under `store`) over it,
    so a service's writes there stay in this mount namespace.  A bound single
    file must be written in place (ufw does: shutil.copy); a rename onto it
    fails with EBUSY rather than reach the real file."""
    require_sandbox()
    copy = os.path.join(store, path.strip('/').replace('/', '_'))
    if os.path.isdir(path):
        os.mkdir(copy)
        run(['cp', '-a', path + '/.', copy])
    else:
        run(['cp', '-a', path, copy])
    mount(copy, path, None, MS_BIND)
    try:
        yield copy
    finally:
        umount(path)


def _mount_points():
    """Mount points of this mount namespace, from /proc/self/mountinfo."""
    with open('/proc/self/mountinfo') as handle:
        return [line.split()[4].encode().decode('unicode_escape') for line in handle]


def _top_submounts(root):
    """The mount points directly below `root` (not below another of them)."""
    below = sorted(set(p for p in _mount_points() if p.startswith(root + '/')))
    return [p for p in below if not any(p.startswith(q + '/') for q in below if q != p)]


_PRIVATE_RUN = {'depth': 0}


@contextlib.contextmanager
def private_run():
    """Replace /run (and so /var/run) by a private tmpfs copy of itself: daemons
    create sockets, pid files and directories there (/run/firewalld,
    /run/docker, /run/containerd...), and here /run is part of the machine's
    root file system, not a tmpfs.  Mounts below /run (the sandbox's
    /run/netns) are moved into the copy and back, so namespaces made meanwhile
    stay visible.  Re-entrant: nested firewalls share one private /run."""
    require_sandbox()
    if _PRIVATE_RUN['depth']:
        _PRIVATE_RUN['depth'] += 1
        try:
            yield '/run'
        finally:
            _PRIVATE_RUN['depth'] -= 1
        return
    with tmpfs('linuxns-run.') as copy:
        run(['cp', '-a', '--one-file-system', '/run/.', copy])
        subs = _top_submounts('/run')
        for sub in subs:
            os.makedirs(copy + sub[4:], exist_ok=True)
            mount(sub, copy + sub[4:], None, MS_MOVE)
        mount(copy, '/run', None, MS_MOVE)
        _PRIVATE_RUN['depth'] = 1
        try:
            yield '/run'
        finally:
            _PRIVATE_RUN['depth'] = 0
            mount('/run', copy, None, MS_MOVE)
            for sub in subs:
                mount(copy + sub[4:], sub, None, MS_MOVE)


# ---- processes -----------------------------------------------------------

def _children():
    """{pid: [child pids]} of every process, from /proc."""
    tree = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open('/proc/%s/stat' % name) as handle:
                    ppid = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(name))
    return tree


def descendants(pid):
    """Every process below `pid` (collected before it dies: orphans are
    re-parented and would be lost from its tree)."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        kids = tree.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def stop_tree(proc, timeout=15):
    """SIGTERM a daemon (so it cleans up as on a real stop), then SIGKILL
    whatever is left of its process tree, and wait until all of it is gone."""
    tree = descendants(proc.pid)
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid in tree:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in tree):
        if time.monotonic() > deadline:
            raise RuntimeError('firewalls: processes %s did not die' % [p for p in tree if _alive(p)])
        time.sleep(0.05)


class Daemon:
    """One daemon process: output to a log file, own session, stopped as a tree."""

    def __init__(self, name, argv, log):
        self.name, self.argv, self.log = name, argv, log
        self.proc = None

    def start(self):
        with open(self.log, 'a') as handle:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=handle,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        if self.proc is not None:
            stop_tree(self.proc)
            self.proc = None

    def output(self):
        with open(self.log, errors='replace') as handle:
            return handle.read()[-6000:]

    def wait_until(self, ready, what, timeout=30):
        """Poll `ready()` until true; a clear error with the daemon's log if it
        dies or the time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                raise RuntimeError('%s exited (%d) before %s; its log:\n%s'
                                   % (self.name, self.proc.returncode, what, self.output()))
            if time.monotonic() > deadline:
                raise RuntimeError('%s: no %s after %g s; its log:\n%s' % (self.name, what, timeout, self.output()))
            time.sleep(0.05)


# ---- netfilter -----------------------------------------------------------

def nft_load(text):
    """Load a ruleset with `nft -f -`."""
    require_sandbox()
    run(['nft', '-f', '-'], input=text)


def native_nftables(ruleset_text):
    """A host that runs its own nftables ruleset (the nftables service at boot):
    loads it and returns."""
    nft_load(ruleset_text)


def nft_reload(text=HARDENED):
    """What `systemctl reload nftables` does: `nft -f /etc/nftables.conf`; with
    Debian's `flush ruleset` first, every table goes, iptables-nft's too."""
    nft_load(text)


def nft_tables():
    """`nft list tables`, one 'table FAMILY NAME' per line."""
    return run(['nft', 'list', 'tables'])


def iptables_save(command='iptables-save'):
    """The ruleset as `command` shows it (stderr's legacy-tables warning dropped)."""
    return run([command])


def legacy_tables():
    """Legacy (x_tables) tables that exist in this namespace: calling
    iptables-legacy creates them, and then iptables-nft-save warns about them."""
    try:
        with open('/proc/net/ip_tables_names') as handle:
            return handle.read().split()
    except OSError:
        return []


# ---- firewalld -----------------------------------------------------------

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow send_type="method_call"/>
    <allow send_type="method_return"/>
    <allow send_type="signal"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="signal"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
"""


def _listening(path):
    """True if something accepts connections on the unix socket `path`."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


@contextlib.contextmanager
def system_bus(workdir):
    """A `dbus-daemon` for the system bus in this sandbox (its socket in the
    private /run/dbus).  Its own small config instead of system.conf: no
    service activation (dbus would start a second firewalld by itself when
    firewall-cmd asks a stopped one), no switch to the messagebus user, no
    syslog; every (root) client may own and call any name."""
    config = os.path.join(workdir, 'bus.conf')
    with open(config, 'w') as handle:
        handle.write(BUS_CONFIG)
    os.makedirs('/run/dbus', exist_ok=True)
    sock = '/run/dbus/system_bus_socket'
    if os.path.exists(sock):
        if _listening(sock):
            raise RuntimeError('firewalls: a system bus already runs in this sandbox (%s)' % sock)
        os.unlink(sock)  # copied with /run from the machine, where no bus runs: stale
    bus = Daemon('dbus-daemon', ['dbus-daemon', '--nofork', '--nopidfile', '--config-file=' + config],
                 os.path.join(workdir, 'dbus.log'))
    bus.start()
    try:
        bus.wait_until(lambda: os.path.exists(sock), 'system bus socket', timeout=10)
        yield bus
    finally:
        bus.stop()


class Firewalld:
    """A running firewalld; `cmd`, `reload` and `restart` as an admin would."""

    def __init__(self, workdir, timeout=30):
        self.timeout = timeout
        self.daemon = Daemon('firewalld', ['firewalld', '--nofork', '--nopid', '--log-target', 'console'],
                             os.path.join(workdir, 'firewalld.log'))
        self.start_seconds = None

    def cmd(self, *args):
        """firewall-cmd ARGS; its stdout (RuntimeError with its stderr if it fails)."""
        return run(['firewall-cmd'] + list(args), timeout=self.timeout)

    def running(self):
        try:
            return run(['firewall-cmd', '--state'], check=False, timeout=10).strip() == 'running'
        except subprocess.TimeoutExpired:
            return False

    def start(self):
        started = time.monotonic()
        self.daemon.start()
        self.daemon.wait_until(self.running, '"firewall-cmd --state" = running', self.timeout)
        self.start_seconds = time.monotonic() - started

    def stop(self):
        """SIGTERM: with CleanupOnExit=yes (Debian's default) firewalld removes its tables."""
        self.daemon.stop()

    def reload(self):
        """firewall-cmd --reload (its tables are rebuilt)."""
        return self.cmd('--reload')

    def restart(self):
        """systemctl restart firewalld: stop, start, wait until running."""
        self.stop()
        self.start()


@contextlib.contextmanager
def firewalld(timeout=30, ipv6_rpfilter=True):
    """firewalld 1.x as Debian configures it (nftables backend, default zone
    public) with its own system bus, all inside this sandbox.  Private: /run
    (bus socket, /run/firewalld) and /etc/firewalld; it logs to the console
    (a file in the private work dir) instead of /var/log/firewalld.

    As on a real host, its start, reload and restart empty the iptables-nft
    tables (ip/ip6 filter and nat: every rule and user-defined chain goes;
    built-in policies stay): rules made before must be made again (dockerd
    does so by itself, a moment after firewalld's Reloaded signal).  On exit
    it is stopped (SIGTERM; Debian's CleanupOnExit=yes removes `table inet
    firewalld`); the emptied iptables tables stay empty."""
    require_sandbox()
    with contextlib.ExitStack() as stack:
        stack.enter_context(private_run())
        workdir = stack.enter_context(tmpfs())
        stack.enter_context(private_copy('/etc/firewalld', workdir))
        if not ipv6_rpfilter:  # in the private copy, written in place
            _set_option('/etc/firewalld/firewalld.conf', 'IPv6_rpfilter', 'no')
        stack.enter_context(system_bus(workdir))
        fw = Firewalld(workdir, timeout)
        stack.callback(fw.stop)
        fw.start()
        yield fw


# ---- ufw -----------------------------------------------------------------

class Ufw:
    """An enabled ufw."""

    def cmd(self, *args):
        return run(['ufw'] + list(args))

    def reload(self):
        """ufw reload: ufw-init flushes and rebuilds its chains."""
        return self.cmd('reload')


UFW_PATHS = ('/etc/ufw', '/etc/default/ufw', '/lib/ufw')


@contextlib.contextmanager
def ufw(allow=('22/tcp',)):
    """ufw (iptables-nft) enabled the usual way: default deny incoming and
    routed, ssh allowed.  Private: /etc/ufw (user rules, ufw.conf ENABLED=yes),
    /etc/default/ufw (`ufw default` writes the policies there, in place),
    /lib/ufw (ufw-init lives there; nothing seen written, copied to be safe)
    and /run (ufw writes /run/ufw.lock).  Rules that were there before ufw
    stay, and stay first: ufw appends its jumps.  On exit its chains and
    jumps are removed and the policies set to ACCEPT (forget_iptables), not
    with `ufw --force disable`: that takes 1.3 s and leaves its chains
    (emptied) and the jumps to them behind."""
    require_sandbox()
    with contextlib.ExitStack() as stack:
        stack.enter_context(private_run())
        workdir = stack.enter_context(tmpfs())
        for path in UFW_PATHS:
            stack.enter_context(private_copy(path, workdir))
        firewall = Ufw()
        stack.callback(forget_iptables, ('ufw-', 'ufw6-'), accept=('INPUT', 'FORWARD', 'OUTPUT'))
        for args in [('default', 'deny', 'incoming'), ('default', 'deny', 'routed')] + [
                ('allow', port) for port in allow] + [('--force', 'enable')]:
            firewall.cmd(*args)
        yield firewall


# ---- dockerd -------------------------------------------------------------

class Dockerd:
    """A running dockerd (no containers: only its networking and iptables rules)."""

    def __init__(self, workdir, timeout=30):
        self.timeout = timeout
        self.socket = os.path.join(workdir, 'docker.sock')
        argv = ['dockerd', '--data-root', os.path.join(workdir, 'data'), '--exec-root', os.path.join(workdir, 'exec'),
                '--pidfile', os.path.join(workdir, 'docker.pid'), '-H', 'unix://' + self.socket,
                '--iptables=true', '--storage-driver=vfs']
        self.daemon = Daemon('dockerd', argv, os.path.join(workdir, 'dockerd.log'))
        self.start_seconds = None

    def api(self, path):
        """GET `path` from the Engine API over its socket: (status, body)."""
        conn = http.client.HTTPConnection('localhost', timeout=5)
        conn.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.sock.settimeout(5)
            conn.sock.connect(self.socket)
            conn.request('GET', path)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def ready(self):
        try:
            return self.api('/info')[0] == 200
        except OSError:
            return False

    def start(self):
        started = time.monotonic()
        self.daemon.start()
        self.daemon.wait_until(self.ready, 'answer on %s' % self.socket, self.timeout)
        self.start_seconds = time.monotonic() - started

    def stop(self):
        self.daemon.stop()

    def restart(self):
        """systemctl restart docker: stop, start, wait until it answers."""
        self.stop()
        self.start()


def _accepting(line, chains):
    """An iptables-save line, with policy ACCEPT if it declares one of `chains`."""
    if line.startswith(':') and line[1:].split()[0] in chains:
        return ':%s ACCEPT [0:0]' % line[1:].split()[0]
    return line


def forget_iptables(words, accept=()):
    """Remove from this namespace's iptables-nft rules (IPv4 and IPv6) every
    chain and rule whose line mentions one of `words`, keeping all else
    (iptables-save, filtered, iptables-restore), and set the policy of the
    built-in chains in `accept` back to ACCEPT.  For what a service leaves
    behind when it stops."""
    require_sandbox()
    for save, restore in (('iptables-save', 'iptables-restore'), ('ip6tables-save', 'ip6tables-restore')):
        lines = [line for line in run([save]).splitlines() if not any(word in line for word in words)]
        lines = [_accepting(line, accept) for line in lines]
        if lines:
            run([restore], input='\n'.join(lines) + '\n')


def forget_docker():
    """What dockerd leaves in this namespace after it stops (as on a real
    stop): its chains, rules, FORWARD DROP and docker0.  Removed, so the next
    test does not inherit them; other rules stay."""
    forget_iptables(('DOCKER', 'docker0'), accept=('FORWARD',))
    if os.path.exists('/sys/class/net/docker0'):
        run(['ip', 'link', 'delete', 'docker0'])


@contextlib.contextmanager
def dockerd(timeout=30):
    """dockerd 20.10 as installed (iptables=true, so FORWARD policy DROP and a
    DOCKER-USER chain; docker0 made inside the sandbox), with its own
    data-root, exec-root, pidfile and socket in a private tmpfs work dir, and
    vfs storage (no image is ever pulled).  Private too: /run (its managed
    containerd, /run/docker) and /etc/docker (dockerd writes key.json).
    Docker sets FORWARD DROP only when it turns IPv4 forwarding on itself, as
    on a fresh host: so forwarding is off (in this sandbox) when it starts,
    and set back as it was on exit."""
    require_sandbox()
    with contextlib.ExitStack() as stack:
        with open('/proc/sys/net/ipv4/ip_forward') as handle:
            forwarding = handle.read().strip()
        stack.callback(_write, '/proc/sys/net/ipv4/ip_forward', forwarding)
        _write('/proc/sys/net/ipv4/ip_forward', '0')
        stack.enter_context(private_run())
        workdir = stack.enter_context(tmpfs())
        stack.enter_context(private_copy('/etc/docker', workdir))
        stack.callback(forget_docker)
        docker = Dockerd(workdir, timeout)
        stack.callback(docker.stop)
        docker.start()
        yield docker


def _set_option(path, key, value):
    """KEY=VALUE in a shell-style config file, rewritten in place."""
    with open(path) as handle:
        lines = [('%s=%s\n' % (key, value)) if line.startswith(key + '=') else line for line in handle]
    _write(path, ''.join(lines))


def _write(path, text):
    with open(path, 'w') as handle:
        handle.write(text)


# ---- iptables-legacy -----------------------------------------------------

@contextlib.contextmanager
def legacy_forward_drop():
    """A host whose tools use iptables-legacy with FORWARD policy DROP (old
    Docker, distributions that kept legacy).  On exit the legacy filter table
    is flushed and its policy ACCEPT again.  The legacy tables themselves
    stay: a namespace cannot drop them, so later iptables-nft-save in this
    sandbox warns about them on stderr."""
    require_sandbox()
    commands = ('iptables-legacy', 'ip6tables-legacy')
    for command in commands:
        run([command, '-P', 'FORWARD', 'DROP'])
    try:
        yield
    finally:
        for command in commands:
            run([command, '-F'])
            run([command, '-X'])
            run([command, '-P', 'FORWARD', 'ACCEPT'])


# ---- a firewall for a lab host (scripts/lab.py --firewall firewalld|ufw|docker) -----

def serve(kind, ready):
    """Run firewall `kind` here until killed (a lab host's pid namespace
    ending kills it), touching `ready` once it runs: how scripts/lab.py gives
    each of its hosts a firewalld of its own."""
    # IPv6_rpfilter off: a container on several networks answers on its first
    # network's interface for an address of another, which firewalld's IPv6
    # reverse-path filter drops (README, Host firewalls: a known limit).
    starts = {'firewalld': lambda: firewalld(ipv6_rpfilter=False),
              'ufw': lambda: ufw(allow=('22/tcp', '4789/udp')),  # and the VXLAN overlay
              'docker': dockerd}
    with starts[kind]():
        with open(ready, 'w'):
            pass
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))  # the context's exit stops the daemons
        while True:
            time.sleep(3600)


if __name__ == '__main__':
    serve(sys.argv[1], sys.argv[2])
