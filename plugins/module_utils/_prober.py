# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability probes: every check at once from one thread.

Why in-process: `ip netns exec NS ping` per pair costs a fork, an exec and a
namespace switch each (100 x 100 pairs took 766 s).  Here each source namespace
is entered only to open sockets - a socket stays bound to the namespace it was
made in - and then one thread sends every probe and waits for all the answers
with poll().  Only Namespaces and Prober touch the system.
"""

import collections
import errno
import heapq
import os
import select
import socket
import struct
import time

from ansible_collections.linuxns.net.plugins.module_utils._icmp import FAMILIES, EchoChannel, echo_request, open_echo_socket, parse_echo_reply
from ansible_collections.linuxns.net.plugins.module_utils._kernel import CLONE_NEWNET, NETNS_RUN_DIR, setns
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

MAX_OPEN_CONNECTS = 256  # TCP connects in flight, far below the usual limit of 1024 open files
SEND_BATCH = 256  # probes sent between two looks at the answers, so no receive buffer overflows
BLOCKED_WAIT = 0.005  # seconds a full send buffer gets to drain


class Namespaces:
    """An open fd per source namespace (so none can vanish mid-run) and the
    way back to our own.  Entered only to make a socket, left at once."""

    def __init__(self, run_dir=NETNS_RUN_DIR):
        self.run_dir = run_dir
        self._home = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
        self._nsfs_dev = os.fstat(self._home).st_dev
        self._fds = {}

    def close(self):
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        os.close(self._home)

    def open(self, netns, option):
        """Open `netns` ('' needs nothing) once; fail naming `option` if it
        is no network namespace we can enter."""
        if not netns or netns in self._fds:
            return
        path = netns if netns.startswith('/') else os.path.join(self.run_dir, netns)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            problem = 'does not exist' if exc.errno == errno.ENOENT else 'cannot be opened'
            raise ValidationError(option, 'network namespace %s %s (%s: %s)' % (netns, problem, path, os.strerror(exc.errno)))
        self._fds[netns] = fd
        if os.fstat(fd).st_dev != self._nsfs_dev:
            raise ValidationError(option, '%s is not a network namespace' % path)
        try:
            self._enter(netns)
        except OSError as exc:
            raise ValidationError(option, 'cannot enter network namespace %s: %s' % (netns, os.strerror(exc.errno)))
        self._leave()

    def socket(self, netns, family, kind, proto=0):
        """A socket that lives in namespace `netns`."""
        if not netns:
            return socket.socket(family, kind, proto)
        self._enter(netns)
        try:
            return socket.socket(family, kind, proto)
        finally:
            self._leave()

    def _enter(self, netns):
        setns(self._fds[netns], CLONE_NEWNET)

    def _leave(self):
        setns(self._home, CLONE_NEWNET)  # an error here propagates: never carry on elsewhere


def _packed(address):
    """An address string as the kernel reports it -> bytes, scope id dropped."""
    host = address.split('%')[0]
    return socket.inet_pton(socket.AF_INET6 if ':' in host else socket.AF_INET, host)


class Prober:
    """Runs every check concurrently from this one thread.  Each try of a
    check waits at most `timeout` for its answer; a missed one is tried again,
    at most `retries` times, no sooner than `delay` after the previous try began."""

    def __init__(self, namespaces, timeout, delay, retries):
        self.namespaces = namespaces
        self.timeout = timeout
        self.delay = delay
        self.retries = retries
        self.token = os.urandom(8)  # the echo payload: replies to anyone else's pings do not count
        self.poller = select.poll()
        self.channels = {}  # (netns, family) -> EchoChannel
        self.by_fd = {}  # fd -> EchoChannel or Check (a TCP connect in flight)
        self.in_flight = collections.deque()  # (deadline, check, try), deadlines in send order
        self.later = []  # heap of (when, order, check): retries not due yet
        self.due = {'icmp': collections.deque(), 'tcp': collections.deque()}
        self.open_connects = 0
        self.left = 0

    def run(self, checks):
        """Decide every check (check.ok True or False); returns the seconds taken."""
        started = time.monotonic()
        try:
            self._open_channels(checks)
            for check in checks:
                self.due['tcp' if check.port else 'icmp'].append(check)
            self.left = len(checks)
            while self.left:
                self._step()
        finally:
            self._close()
        return time.monotonic() - started

    def _open_channels(self, checks):
        first_ident = struct.unpack('!H', os.urandom(2))[0]  # unlike other pingers' on the same namespaces
        for check in checks:
            key = (check.source.netns, check.family)
            if check.port is None and key not in self.channels:
                sock, raw = open_echo_socket(self.namespaces, check.source.netns, check.family)
                channel = EchoChannel(sock, check.family, (first_ident + len(self.channels)) & 0xffff, raw)
                self.channels[key] = channel
                self.by_fd[sock.fileno()] = channel
                self.poller.register(sock, select.POLLIN)

    def _close(self):
        for item in list(self.by_fd.values()):
            item.sock.close()
        self.by_fd.clear()

    def _step(self):
        now = time.monotonic()
        while self.later and self.later[0][0] <= now:
            check = heapq.heappop(self.later)[2]
            if check.ok is None:  # else a late reply to the previous try came meanwhile
                self.due['tcp' if check.port else 'icmp'].append(check)
        blocked = self._send_some(now)
        for fd, _event in self.poller.poll(self._wait_ms(now, blocked)):
            item = self.by_fd.get(fd)
            if isinstance(item, EchoChannel):
                self._read_replies(item)
            elif item is not None:
                self._connect_done(item)
        self._expire(time.monotonic())

    def _wait_ms(self, now, blocked):
        """How long poll() may sleep: until the next deadline or retry, or
        not at all while probes are ready to go."""
        if self.due['icmp'] or (self.due['tcp'] and self.open_connects < MAX_OPEN_CONNECTS):
            return int(BLOCKED_WAIT * 1000) if blocked else 0
        wake = [self.in_flight[0][0]] if self.in_flight else []
        wake += [self.later[0][0]] if self.later else []
        if not wake:
            return 0
        return max(0, int((min(wake) - now) * 1000) + 1)

    def _send_some(self, now):
        """Send up to SEND_BATCH probes; True when a send buffer was full."""
        for _count in range(SEND_BATCH):
            if self.due['icmp']:
                check = self.due['icmp'].popleft()
                if not self._send_echo(check, now):
                    self.due['icmp'].appendleft(check)
                    return True
            elif self.due['tcp'] and self.open_connects < MAX_OPEN_CONNECTS:
                self._connect(self.due['tcp'].popleft(), now)
            else:
                break
        return False

    def _begin_try(self, check, now):
        check.tries += 1
        check.started = now
        check.trying = True
        self.in_flight.append((now + self.timeout, check, check.tries))

    def _send_echo(self, check, now):
        """Send one echo request; False when a full send buffer holds it back
        (for at most `timeout`: then the try failed)."""
        channel = self.channels[(check.source.netns, check.family)]
        packet = echo_request(check.family, channel.ident, check.seq, self.token)
        try:
            channel.sock.sendto(packet, (str(check.address), 0))
        except (BlockingIOError, InterruptedError):
            if check.blocked_since is None:
                check.blocked_since = now
            if now - check.blocked_since < self.timeout:
                return False
            error = 'ping: the send buffer stayed full for %g s' % self.timeout
        except OSError as exc:
            error = 'ping: %s' % os.strerror(exc.errno)
        else:
            error = None
        check.blocked_since = None
        self._begin_try(check, now)
        if error:
            self._missed(check, now, error)
        else:
            channel.waiting[(check.address.packed, check.seq)] = check
        return True

    def _read_replies(self, channel):
        while True:
            try:
                packet, peer = channel.sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # an error queued on the socket by an ICMP error; reported once, nothing to match
            reply = parse_echo_reply(packet, channel.family, ip_header=channel.raw and channel.family == 4)
            if reply is None:
                continue
            ident, seq, payload = reply
            if payload != self.token or (channel.raw and ident != channel.ident):
                continue
            check = channel.waiting.pop((_packed(peer[0]), seq), None)
            if check is not None and check.ok is None:  # a late reply to an earlier try counts too
                self._decided(check, True)

    def _connect(self, check, now):
        self._begin_try(check, now)
        try:
            sock = self.namespaces.socket(check.source.netns, FAMILIES[check.family], socket.SOCK_STREAM)
        except OSError as exc:
            self._missed(check, now, 'socket: %s' % os.strerror(exc.errno))
            return
        sock.setblocking(False)
        err = sock.connect_ex((str(check.address), check.port))
        if err in (0, errno.EINPROGRESS):
            check.sock = sock
            self.open_connects += 1
            self.by_fd[sock.fileno()] = check
            self.poller.register(sock, select.POLLOUT)
            return
        sock.close()
        self._missed(check, now, 'connect: %s' % os.strerror(err))

    def _connect_done(self, check):
        err = check.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self._drop_connect(check)
        if err == 0:
            self._decided(check, True)
        else:
            self._missed(check, time.monotonic(), 'connect: %s' % os.strerror(err))

    def _drop_connect(self, check):
        self.poller.unregister(check.sock)
        del self.by_fd[check.sock.fileno()]
        check.sock.close()
        check.sock = None
        self.open_connects -= 1

    def _expire(self, now):
        while self.in_flight and self.in_flight[0][0] <= now:
            _deadline, check, attempt = self.in_flight.popleft()
            if not check.trying or check.tries != attempt:
                continue  # this try was answered or failed fast already
            if check.sock is not None:
                self._drop_connect(check)
            self._missed(check, now, 'no answer within %g s' % self.timeout if check.port is None
                         else 'connect: timed out after %g s' % self.timeout)

    def _missed(self, check, now, error):
        """A try failed: try again later, or decide the check as missed (an
        isolated pair at once: its silence is what was expected)."""
        check.trying = False
        check.error = error
        if check.tries > self.retries or check.isolated:
            self._decided(check, False)
            return
        when = max(now, check.started + self.delay)
        heapq.heappush(self.later, (when, id(check), check))

    def _decided(self, check, answered):
        check.trying = False
        check.ok = answered != check.isolated
        if check.ok:
            check.error = None
        elif answered:
            check.error = 'answered, though it should be isolated from its source'

        self.left -= 1
