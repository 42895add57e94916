# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ICMP echo for the reachability checks: the packets (pure), and the
socket of one source namespace and family that sends and receives them."""

import errno
import socket
import struct

_SOL_RAW = 255
_ICMP_FILTER = 1  # SOL_RAW option: a bit set per ICMP type the socket drops
_ICMP6_FILTER = 1  # IPPROTO_ICMPV6 option: 256 bits, a set bit blocks the type
ECHO_TYPES = {4: (8, 0), 6: (128, 129)}  # family -> (echo request, echo reply)
FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6}
# A source's replies arrive at once, ~1 KB of socket memory each: the usual
# 208 KB buffer drops what is over ~200, and each drop costs a retry's delay.
RECEIVE_BUFFER = 4 << 20
_SO_RCVBUFFORCE = 33  # past net.core.rmem_max (root); not in every Python's socket module


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
    af = FAMILIES[family]
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
    _widen_receive_buffer(sock)
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


def _widen_receive_buffer(sock):
    """RECEIVE_BUFFER for the replies; where that is not allowed, as much as
    net.core.rmem_max gives."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, RECEIVE_BUFFER)
    except PermissionError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
