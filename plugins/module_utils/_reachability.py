# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reachability checks: ICMP echo and TCP connect from many namespaces at once.

Why in-process: `ip netns exec NS ping` per pair costs a fork, an exec and a
namespace switch each (100 x 100 pairs took 766 s).  Here each source namespace
is entered only to open sockets - a socket stays bound to the namespace it was
made in - and then one thread sends every probe and waits for all the answers
with poll().  Packets, input and the matrix are pure functions; only Namespaces
and Prober touch the system.
"""

import collections
import ctypes
import errno
import functools
import heapq
import os
import resource
import select
import socket
import struct
import time

from ansible_collections.linuxns.net.plugins.module_utils._kernel import CLONE_NEWNET
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, ip_address, netns_name, unique)

NETNS_RUN_DIR = '/run/netns'
MAX_CHECKS = 65536  # the targets of one source are numbered by the 16-bit ICMP sequence
MAX_RETRIES = 10
MAX_SECONDS = 60.0  # for timeout and delay: with MAX_RETRIES, a task ends within 11 minutes
MAX_OPEN_CONNECTS = 256  # TCP connects in flight, far below the usual limit of 1024 open files
SEND_BATCH = 256  # probes sent between two looks at the answers, so no receive buffer overflows
BLOCKED_WAIT = 0.005  # seconds a full send buffer gets to drain
MISSES_IN_MESSAGE = 20
OPEN_FILES_SPARE = 64  # what the interpreter and Ansible hold open besides ours

_SOL_RAW = 255
_ICMP_FILTER = 1  # SOL_RAW option: a bit set per ICMP type the socket drops
_ICMP6_FILTER = 1  # IPPROTO_ICMPV6 option: 256 bits, a set bit blocks the type
ECHO_TYPES = {4: (8, 0), 6: (128, 129)}  # family -> (echo request, echo reply)
_FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6}


# -- ICMP echo packets (pure) ------------------------------------------------

def checksum(data):
    """The Internet checksum (RFC 1071); 0 over a packet whose checksum is right."""
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def echo_request(family, ident, seq, payload):
    """An echo request.  The IPv6 checksum covers a pseudo-header the kernel
    knows and fills in itself, so it is left 0 there."""
    header = struct.pack('!BBHHH', ECHO_TYPES[family][0], 0, 0, ident, seq)
    if family == 6:
        return header + payload
    return header[:2] + struct.pack('!H', checksum(header + payload)) + header[4:] + payload


def parse_echo_reply(packet, family, ip_header=False):
    """(ident, seq, payload) of an echo reply, or None for anything else.
    Raw IPv4 sockets deliver the IP header too (ip_header=True)."""
    if ip_header:
        if len(packet) < 20 or packet[0] >> 4 != 4:
            return None
        packet = packet[(packet[0] & 0x0f) * 4:]
    if len(packet) < 8:
        return None
    kind, code, _checksum, ident, seq = struct.unpack('!BBHHH', packet[:8])
    if kind != ECHO_TYPES[family][1] or code != 0:
        return None
    if family == 4 and checksum(packet) != 0:
        return None
    return ident, seq, packet[8:]


# -- input (pure) ------------------------------------------------------------

class Source:
    """Where probes start: netns '' is the module's own namespace.  option
    names the input it came from, for errors found when opening it."""

    def __init__(self, netns, label, option):
        self.netns = netns
        self.label = label
        self.option = option


class Check:
    """One source-target pair: an echo (port None) or a TCP connect, tried up
    to 1 + retries times."""

    __slots__ = ('source', 'column', 'address', 'port', 'seq', 'tries', 'started', 'trying', 'blocked_since', 'ok', 'error',
                 'sock', 'isolated')

    def __init__(self, source, column, address, port=None, seq=0, isolated=False):
        self.isolated = isolated  # expected to get no answer: a firewall between them
        self.source = source
        self.column = column
        self.address = address
        self.port = port
        self.seq = seq
        self.tries = 0
        self.started = None
        self.trying = False  # a try is under way: sent, neither answered nor given up
        self.blocked_since = None  # when a full send buffer first held this check back
        self.ok = None  # None while undecided
        self.error = None
        self.sock = None

    @property
    def family(self):
        return self.address.version


def namespace(value, option):
    """'' or null: the module's own namespace; an absolute path (e.g.
    /proc/PID/ns/net) as given; anything else a name under /run/netns."""
    if value is None or value == '':
        return ''
    value = str(value)
    if value.startswith('/'):
        if '\0' in value:
            raise ValidationError(option, 'namespace path %r must not contain a NUL byte' % value)
        return os.path.normpath(value)
    return netns_name(value, option)


def seconds(value, option, allow_zero=False):
    """A number of seconds, bounded so every task ends."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(option, '%r is not a number of seconds' % (value,))
    if not 0 <= value <= MAX_SECONDS or (value == 0 and not allow_zero):  # nan fails every comparison
        raise ValidationError(option, '%s is out of range: %s and at most %d seconds'
                              % (value, 'at least 0' if allow_zero else 'more than 0', MAX_SECONDS))
    return float(value)


def _target(value, option):
    """(label, address, namespaces it must not answer) of a plain address or
    a {name, address, blocked_from} dict."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(['name', 'address', 'blocked_from']))
        if unknown:
            raise ValidationError(option, 'unknown key(s) %s; a target has name, address and blocked_from' % ', '.join(unknown))
        if value.get('address') in (None, ''):
            raise ValidationError(option, 'a target needs an address')
        address = ip_address(value['address'], option + '.address')
        blocked = value.get('blocked_from') or []
        if not isinstance(blocked, list):
            raise ValidationError(option + '.blocked_from', 'give a list of source namespaces')
        return str(value.get('name') or address), address, set(namespace(n, option + '.blocked_from') for n in blocked)
    if value in (None, ''):
        raise ValidationError(option, 'a target needs an address')
    address = ip_address(value, option)
    return str(address), address, set()


def endpoint(address, port):
    """address:port, with the brackets IPv6 needs."""
    return ('[%s]:%d' if address.version == 6 else '%s:%d') % (address, port)


class Plan:
    """Sources, matrix columns and checks, from the module's parameters."""

    def __init__(self, sources, columns, checks, settings):
        self.sources = sources
        self.columns = columns
        self.checks = checks
        self.timeout, self.delay, self.retries = settings


def plan(params, here_label):
    """Validate every option (ValidationError names the one at fault) and
    list the checks: every source to every target, then each port."""
    settings = (seconds(params['timeout'], 'timeout'), seconds(params['delay'], 'delay', allow_zero=True),
                integer_range(params['retries'], 'retries', 0, MAX_RETRIES))
    sources = _sources(params, here_label)
    targets = [_target(value, 'targets[%d]' % i) for i, value in enumerate(params.get('targets') or [])]
    unique([label for label, _address, _blocked in targets], 'targets')
    ports = [_port(value, 'ports[%d]' % i) for i, value in enumerate(params.get('ports') or [])]
    total = len(sources) * len(targets) + len(ports)
    if total > MAX_CHECKS:
        raise ValidationError('targets', '%d checks asked for; at most %d in one task' % (total, MAX_CHECKS))
    for i, (_name, _address, blocked) in enumerate(targets):
        strangers = sorted(blocked - set(source.netns for source in sources))
        if strangers:
            raise ValidationError('targets[%d].blocked_from' % i, '%s is not one of the sources' % ', '.join(strangers))
    checks = [Check(source, label, address, seq=seq, isolated=source.netns in blocked)
              for source in sources for seq, (label, address, blocked) in enumerate(targets)]
    by_netns = dict((source.netns, source) for source in sources)
    for i, (netns, label, address, port) in enumerate(ports):
        source = by_netns.setdefault(netns, Source(netns, _label(netns, here_label), 'ports[%d].source' % i))
        checks.append(Check(source, label, address, port=port))
    _each_pair_once(checks)
    sources = _ordered(sources + [check.source for check in checks if check.port])
    unique([source.label for source in sources], 'sources')  # a namespace named like the host
    columns = _ordered([label for label, _address, _blocked in targets] + [label for _netns, label, _address, _port in ports])
    return Plan(sources, columns, checks, settings)


def _each_pair_once(checks):
    """Targets are unique, so a pair listed twice involves a port check."""
    seen = set()
    for check in checks:
        pair = (check.source.label, check.column)
        if pair in seen:
            raise ValidationError('ports', '%s -> %s is listed more than once; give the port check another name' % pair)
        seen.add(pair)


def _label(netns, here_label):
    return netns or here_label


def _sources(params, here_label):
    names = params.get('sources')
    if names is None:
        names = ['']
    netns = unique([namespace(name, 'sources') for name in names], 'sources')
    sources = [Source(name, _label(name, here_label), 'sources') for name in netns]
    unique([source.label for source in sources], 'sources')
    return sources


def _port(value, option):
    address = ip_address(value.get('address'), option + '.address')
    port = integer_range(value.get('port'), option + '.port', 1, 65535)
    netns = namespace(value.get('source'), option + '.source')
    return netns, str(value.get('name') or endpoint(address, port)), address, port


def _ordered(values):
    seen = set()
    return [v for v in values if not (v in seen or seen.add(v))]


# -- the namespaces ----------------------------------------------------------

def _libc_setns():
    libc = ctypes.CDLL(None, use_errno=True)

    def setns(fd, nstype):
        if libc.setns(fd, nstype) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    return setns


@functools.lru_cache(maxsize=None)
def _setns_function():
    return getattr(os, 'setns', None) or _libc_setns()  # os.setns since Python 3.12


def _setns(fd, nstype):
    _setns_function()(fd, nstype)


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
        _setns(self._fds[netns], CLONE_NEWNET)

    def _leave(self):
        _setns(self._home, CLONE_NEWNET)  # an error here propagates: never carry on elsewhere


# -- probing -----------------------------------------------------------------

class EchoChannel:
    """The ICMP socket of one source namespace and family, with the probes
    still waiting for a reply, keyed by (target address, sequence)."""

    def __init__(self, sock, family, ident, raw):
        self.sock = sock
        self.family = family
        self.ident = ident
        self.raw = raw  # a raw socket keeps our ident and, for IPv4, delivers the IP header
        self.waiting = {}


def open_echo_socket(namespaces, netns, family):
    """A raw ICMP socket, limited to echo replies; where raw sockets are not
    allowed (not root) an unprivileged ping socket, which the kernel gives
    its own ident and replies (net.ipv4.ping_group_range must allow it)."""
    af = _FAMILIES[family]
    proto = socket.IPPROTO_ICMP if family == 4 else socket.IPPROTO_ICMPV6
    try:
        sock = namespaces.socket(netns, af, socket.SOCK_RAW, proto)
        raw = True
    except PermissionError:
        try:
            sock = namespaces.socket(netns, af, socket.SOCK_DGRAM, proto)
        except PermissionError:
            raise OSError(errno.EPERM, 'no ICMP socket in %s: raw sockets need root (CAP_NET_RAW), and unprivileged '
                          'ping sockets are off there (net.ipv4.ping_group_range)' % (netns or 'this namespace'))
        raw = False
    sock.setblocking(False)
    if raw:
        reply = ECHO_TYPES[family][1]
        if family == 4:
            sock.setsockopt(_SOL_RAW, _ICMP_FILTER, struct.pack('I', 0xffffffff & ~(1 << reply)))
        else:
            blocked = [0xffffffff] * 8
            blocked[reply >> 5] &= ~(1 << (reply & 31))
            sock.setsockopt(socket.IPPROTO_ICMPV6, _ICMP6_FILTER, struct.pack('8I', *blocked))
    return sock, raw


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
            sock = self.namespaces.socket(check.source.netns, _FAMILIES[check.family], socket.SOCK_STREAM)
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


# -- the result (pure) -------------------------------------------------------

def report(plan, elapsed):
    """What the module returns: the matrix, its rendering and the misses."""
    rows = collections.OrderedDict((source.label, {'source': source.label, 'netns': source.netns, 'results': {}})
                                   for source in plan.sources)
    for check in plan.checks:
        rows[check.source.label]['results'][check.column] = 'miss' if not check.ok else 'isolated' if check.isolated else 'ok'
    rows = [row for row in rows.values() if row['results']]
    missed = [check for check in plan.checks if not check.ok]
    return {
        'changed': False,
        'matrix': {'columns': plan.columns, 'rows': rows, 'lines': render_matrix(rows, plan.columns)},
        'misses': ['%s -> %s' % (check.source.label, check.column) for check in missed],
        'miss_details': [_miss_detail(check) for check in missed],
        'total': len(plan.checks),
        'passed': len(plan.checks) - len(missed),
        'elapsed': round(elapsed, 3),
    }


def _miss_detail(check):
    return {'source': check.source.label, 'target': check.column, 'address': str(check.address),
            'port': check.port, 'tries': check.tries, 'error': check.error}


MATRIX_WIDTH = 100  # characters a line of the matrix and its legend takes at most: a terminal's


def render_matrix(rows, columns, line_width=MATRIX_WIDTH):
    """Rows of sources, a column per target (numbered, to keep rows short):
    '.' reached, '-' isolated as expected, 'X' missed, blank not checked;
    folded into blocks of as many columns as fit in `line_width`; then the
    legend, wrapped to the same width."""
    width = len(str(len(columns)))
    label_width = max([len(row['source']) for row in rows] + [len('from')])
    per_block = max(1, (line_width - label_width - 2 + 1) // (width + 1))
    cells = dict((row['source'], [{'ok': '.', 'isolated': '-', 'miss': 'X'}.get(row['results'].get(column), ' ')
                                  for column in columns]) for row in rows)
    lines = []
    for start in range(0, len(columns), per_block):
        numbers = range(start, min(start + per_block, len(columns)))
        lines.append('%-*s  %s' % (label_width, 'from', ' '.join('%*d' % (width, i + 1) for i in numbers)))
        for row in rows:
            row_cells = ' '.join('%*s' % (width, cells[row['source']][i]) for i in numbers)
            lines.append(('%-*s  %s' % (label_width, row['source'], row_cells)).rstrip())
    lines.extend(_wrapped('to: ', ['%d=%s' % (i + 1, column) for i, column in enumerate(columns)], line_width))
    every = [cell for row in cells.values() for cell in row]
    lines.append('. reached' + (', - isolated as expected' if '-' in every else '') + ', X missed'
                 + (', blank not checked' if ' ' in every else ''))
    return lines


def _wrapped(head, items, line_width):
    """`head` and the items, comma-separated, in lines of at most line_width
    characters (an item longer than that on a line of its own)."""
    lines, line = [], head
    for item in items:
        if line not in (head, '    ') and len(line) + len(item) + 2 > line_width:
            lines.append(line + ',')
            line = '    '
        line += item if line in (head, '    ') else ', ' + item
    return lines + [line]


def merge_reports(results, prefixes):
    """One report from the results of several tasks (e.g. one per host): rows
    of named namespaces get `prefix/` in front, rows of a module's own
    namespace already carry the host's name.  Skipped results are left out."""
    rows, columns = [], []
    for result, prefix in zip(results, prefixes):
        if not isinstance(result, dict) or 'matrix' not in result:
            continue
        for row in result['matrix']['rows']:
            label = '%s/%s' % (prefix, row['source']) if row['netns'] else row['source']
            rows.append(dict(row, source=label))
        columns.extend(result['matrix']['columns'])
    columns = _ordered(columns)
    misses = ['%s -> %s' % (row['source'], column) for row in rows
              for column, outcome in row['results'].items() if outcome == 'miss']
    total = sum(len(row['results']) for row in rows)
    return {'lines': render_matrix(rows, columns), 'misses': misses, 'total': total, 'passed': total - len(misses)}


# -- the module --------------------------------------------------------------

NEIGHBOUR_STATS = ('/proc/net/stat/arp_cache', '/proc/net/stat/ndisc_cache')
NEIGHBOUR_WARNING = (
    "the kernel's neighbour (ARP/NDP) table, which all namespaces share, was full while probing, so the kernel dropped "
    "packets (dmesg: neighbor table overflow); it frees an entry only after the entry's reachable time (15-45 s), "
    "so give such a mesh retries spread over 45 s (e.g. retries=8, delay=6), or a larger net.ipv4.neigh.default.gc_thresh3")


def neighbour_table_fulls():
    """How often the kernel's neighbour tables have been full since boot
    (a counter per CPU under table_fulls; 0 where it cannot be read)."""
    total = 0
    for path in NEIGHBOUR_STATS:
        try:
            with open(path) as handle:
                column = handle.readline().split().index('table_fulls')
                total += sum(int(line.split()[column], 16) for line in handle)
        except (IOError, OSError, ValueError, IndexError):
            continue
    return total


def here_label():
    """The module's own namespace is shown under the host's name."""
    return socket.gethostname().split('.')[0] or 'localhost'


def open_files_needed(planned):
    """Namespace fds, ICMP sockets and TCP connects in flight, at most."""
    channels = set((check.source.netns, check.family) for check in planned.checks if check.port is None)
    connects = MAX_OPEN_CONNECTS if any(check.port for check in planned.checks) else 0
    return len(planned.sources) + len(channels) + connects + OPEN_FILES_SPARE


def allow_open_files(needed):
    """Raise the soft limit on open files (often 1024) as far as the hard
    limit allows, for many sources; fail naming sources beyond that."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise ValidationError('sources', 'these checks need %d open files, more than the limit of %d: use fewer sources'
                              % (needed, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def probe(params):
    """The report of the checks `params` ask for; raises ValidationError for
    bad input (before any probe) and OSError when probing is impossible."""
    planned = plan(params, here_label())
    allow_open_files(open_files_needed(planned))
    namespaces = Namespaces()
    try:
        for source in planned.sources:
            namespaces.open(source.netns, source.option)
        elapsed = Prober(namespaces, planned.timeout, planned.delay, planned.retries).run(planned.checks)
    finally:
        namespaces.close()
    return report(planned, elapsed)


def misses_message(result):
    misses = result['misses']
    more = len(misses) - MISSES_IN_MESSAGE
    return '%d of %d checks missed: %s%s' % (len(misses), result['total'], ', '.join(misses[:MISSES_IN_MESSAGE]),
                                             ' and %d more' % more if more > 0 else '')


def run_module(module):
    """Probe and exit the module: failed on bad input, and on any miss when
    fail_on_miss is set.  Only reads, so check mode runs it the same."""
    fulls = neighbour_table_fulls()
    try:
        result = probe(module.params)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), option=exc.option, changed=False)
    except OSError as exc:
        module.fail_json(msg='could not probe: %s' % exc, changed=False)
    if result['misses'] and neighbour_table_fulls() > fulls:
        module.warn(NEIGHBOUR_WARNING)
    if result['misses'] and module.params['fail_on_miss']:
        module.fail_json(msg=misses_message(result), **result)
    module.exit_json(**result)
