# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers that look at the sandbox's kernel state independently of the
collection's own code (iproute2 and /proc), so tests check the real thing."""

import json
import os
import shlex
import subprocess
import sys
import time

RUN_NETNS = '/run/netns'


def netns_list():
    """Names under /run/netns, sorted."""
    try:
        return sorted(os.listdir(RUN_NETNS))
    except FileNotFoundError:
        return []


def sh(command, check=True):
    """Run a shell command inside the sandbox; returns stdout."""
    proc = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError('%s failed (%d): %s' % (command, proc.returncode, proc.stderr))
    return proc.stdout


def remove_cgroups(parent):
    """cgroups are machine-wide: leave none of `parent` behind (v1 hierarchies or the v2 tree)."""
    bases = [os.path.join('/sys/fs/cgroup', c, parent) for c in ('cpu', 'memory', 'pids', 'cpuset')]
    for base in bases + [os.path.join('/sys/fs/cgroup', parent)]:
        for root, _dirs, _files in sorted(os.walk(base), key=lambda entry: -entry[0].count('/')):
            for _attempt in range(50):
                try:
                    os.rmdir(root)
                    break
                except OSError:
                    time.sleep(0.1)  # a killed process is still leaving


def netns_ids():
    """{name: namespace inode} as iproute2 and stat(1) see them."""
    return dict((name, int(sh('stat -L -c %%i %s/%s' % (RUN_NETNS, name)))) for name in netns_list())


def lo_flags(netns):
    """The flags of lo inside `netns`, as `ip -j link` reports them."""
    return json.loads(sh('ip -n %s -j link show lo' % netns))[0]['flags']


def ping(src_netns, address):
    """One ping from `src_netns` (None: the sandbox itself), 2 s at most."""
    prefix = 'ip netns exec %s ' % src_netns if src_netns else ''
    return sh('%sping -c 1 -W 2 %s' % (prefix, address), check=False).count('1 received') == 1


def sysctl(netns, key):
    return sh('ip netns exec %s sysctl -n %s' % (netns, key)).strip()


SERVER = r'''
import socket, sys, time
name, port, deadline = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
family = socket.AF_INET6 if len(sys.argv) > 4 else socket.AF_INET
server = socket.socket(family, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('::' if family == socket.AF_INET6 else '0.0.0.0', port))
server.listen(8)
server.settimeout(0.5)
print('ready', flush=True)
while time.time() < deadline:
    try:
        conn, peer = server.accept()
    except socket.timeout:
        continue
    conn.sendall(('%s %s\n' % (name, peer[0])).encode())
    conn.close()
'''

CLIENT = r'''
import socket, sys
try:
    conn = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    print(conn.recv(200).decode().strip())
except OSError as exc:
    print('FAILED %s' % exc)
'''


# A workload that answers '<name> <peer address>' on TCP and UDP ports:
#   ECHO NAME SECONDS tcp:80 udp:53 tcp:8000-8002 ...
ECHO = r'''
import selectors, socket, sys, time
name, deadline, wanted = sys.argv[1], time.time() + float(sys.argv[2]), sys.argv[3:]
events = selectors.DefaultSelector()
for spec in wanted:
    protocol, ports = spec.split(':')
    low, high = (int(p) for p in (ports.split('-') * 2)[:2])
    for port in range(low, high + 1):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if protocol == 'tcp' else socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('0.0.0.0', port))
        if protocol == 'tcp':
            sock.listen(8)
        events.register(sock, selectors.EVENT_READ, protocol)
while time.time() < deadline:
    for key, _mask in events.select(timeout=0.5):
        if key.data == 'tcp':
            conn, peer = key.fileobj.accept()
            conn.sendall(('%s %s\n' % (name, peer[0])).encode())
            conn.close()
        else:
            _data, peer = key.fileobj.recvfrom(100)
            key.fileobj.sendto(('%s %s' % (name, peer[0])).encode(), peer)
'''

UDP_CLIENT = r'''
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(('0.0.0.0', int(sys.argv[3])))
sock.settimeout(2)
try:
    sock.sendto(b'hello', (sys.argv[1], int(sys.argv[2])))
    print(sock.recvfrom(200)[0].decode().strip())
except OSError as exc:
    print('FAILED %s' % exc)
'''


def udp(netns, host, port, source_port=0):
    """What a UDP client in `netns` (None: the sandbox itself) gets back from
    host:port, sending from `source_port` (0: any) - one flow per source port."""
    prefix = 'ip netns exec %s ' % netns if netns else ''
    return sh('%s%s -c %s %s %d %d' % (prefix, sys.executable, shlex.quote(UDP_CLIENT), host, port, source_port)).strip()


def tcp(netns, host, port):
    """connect(), from `netns` or (None) the sandbox itself."""
    prefix = 'ip netns exec %s ' % netns if netns else ''
    return sh('%s%s -c %s %s %d' % (prefix, sys.executable, shlex.quote(CLIENT), host, port)).strip()


class Server:
    """A TCP server in a namespace that answers '<name> <peer address>' to each
    connection; it stops by itself after `seconds`."""

    def __init__(self, netns, port, name, seconds=60):
        self.proc = subprocess.Popen(['ip', 'netns', 'exec', netns, sys.executable, '-c', SERVER, name, str(port),
                                      str(seconds)], stdout=subprocess.PIPE, universal_newlines=True)
        assert self.proc.stdout.readline().strip() == 'ready'

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def connect(netns, host, port):
    """What a TCP client in `netns` gets from host:port ('FAILED ...' if nothing)."""
    return sh('ip netns exec %s %s -c %s %s %d' % (netns, sys.executable, shlex.quote(CLIENT), host, port)).strip()


SINK = r'''
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('0.0.0.0', int(sys.argv[1])))
server.listen(1)
server.settimeout(10)
print('ready', flush=True)
conn, _peer = server.accept()
conn.settimeout(10)
received, first = 0, None
while True:
    data = conn.recv(1 << 16)
    if not data:
        break
    first = first or time.monotonic()
    received += len(data)
print(received, time.monotonic() - first)
'''

SOURCE = r'''
import socket, sys
conn = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
conn.sendall(b'x' * int(sys.argv[3]))
conn.close()
'''


def throughput(src_netns, dst_netns, address, size, port=5201):
    """bit/s of one TCP transfer of `size` bytes from `src_netns` to
    `address` in `dst_netns` (None: the sandbox itself), measured by the
    receiver from its first byte to its last; 10 s at most each side."""
    def command(netns, script, *args):
        return (['ip', 'netns', 'exec', netns] if netns else []) + [sys.executable, '-c', script] + [str(a) for a in args]
    sink = subprocess.Popen(command(dst_netns, SINK, port), stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert sink.stdout.readline().strip() == 'ready'
        subprocess.run(command(src_netns, SOURCE, address, port, size), check=True, timeout=15)
        received, seconds = sink.communicate(timeout=15)[0].split()
    finally:
        sink.kill()
        sink.wait()
    assert int(received) == size
    return size * 8 / float(seconds)


def unit_command(path):
    """(environment, argv) of a systemd unit's Environment= and ExecStart= lines."""
    environment, argv = {}, None
    with open(path) as handle:
        for line in handle:
            key, _sep, value = line.strip().partition('=')
            if key == 'Environment':
                name, _sep, value = value.partition('=')
                environment[name] = value
            elif key == 'ExecStart':
                argv = shlex.split(value)
    return environment, argv
