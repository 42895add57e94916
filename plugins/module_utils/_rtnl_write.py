# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lean rtnetlink requests for the write path of the netlink seam.

A new container costs about seven writes (its veth pair, the alias and state
of both ends, an address, a route).  pyroute2 spends about 2.4 ms on each
(its asyncio core, request templates, the decoding of the reply) - most of a
100-container converge - and 0.4 s more to import.  These are the same
requests, in the layout `ip` sends them, packed by hand on the namespace's
lean socket (_rtnl.Dumper): about 50 microseconds each.  Requests with many
formats and few callers (vxlan devices, the fdb, qdiscs, conntrack) stay
with pyroute2.
"""

import errno
import socket
import struct

from ansible_collections.linuxns.net.plugins.module_utils._rtnl import (
    AF_INET6, BRIDGE, BRPORT_MODE, IFLA, INFO, Dumper, NetlinkRequestError, _IFADDR, _IFINFO, _RTM_GETLINK, _RTMSG, _attr, _attrs)

_RTM_NEWLINK, _RTM_DELLINK, _RTM_NEWADDR, _RTM_DELADDR, _RTM_NEWROUTE, _RTM_DELROUTE = 16, 17, 20, 21, 24, 25
_NLM_F_REQUEST, _NLM_F_ACK, _NLM_F_REPLACE, _NLM_F_EXCL, _NLM_F_CREATE = 0x1, 0x4, 0x100, 0x200, 0x400
_CHANGE = _NLM_F_REQUEST | _NLM_F_ACK
_ADD = _CHANGE | _NLM_F_CREATE | _NLM_F_EXCL
_REPLACE = _CHANGE | _NLM_F_CREATE | _NLM_F_REPLACE
_IFF_UP = 0x1
_IFLA_NET_NS_FD = 28
_VETH_INFO_PEER = 1
_IFA_LOCAL = 2
_IFA_F_NODAD = 0x02
_RTA = {'dst': 1, 'oif': 4, 'gateway': 5, 'priority': 6, 'prefsrc': 7, 'table': 15}
_RTN_UNICAST, _RT_SCOPE_NOWHERE, _RTNH_F_ONLINK = 1, 255, 4
_RTM_DELNEIGH, _RTM_GETNEIGH = 29, 30
_NDMSG = struct.Struct('=BxxxiHBB')  # family, ifindex, state, flags, type
_NDA_DST = 1
_NUD_NOARP, _NUD_PERMANENT = 0x40, 0x80


class Writer(Dumper):
    """The lean socket of one namespace, reading and writing.  Errors are
    _rtnl.NetlinkRequestError (an OSError with pyroute2's `code` as well)."""

    def _send(self, msg_type, body, flags=_CHANGE):
        for _reply in self._request(msg_type, body, flags):
            pass

    # -- links --------------------------------------------------------------

    def index(self, name):
        """The index of link `name` (ENODEV: none)."""
        body = _IFINFO.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + _attr(IFLA['ifname'], _name(name))
        for _kind, payload in self._request(_RTM_GETLINK, body, flags=_NLM_F_REQUEST):
            return _IFINFO.unpack_from(payload)[2]
        raise NetlinkRequestError(errno.ENODEV, 'no interface %s' % name)

    def add_veth(self, name, peer_name, peer_ns_fd, mtu=None, master=None, up=False):
        """One request: the pair, its peer born in the namespace open at
        `peer_ns_fd`, both ends' mtu, this end's master and state."""
        peer = _IFINFO.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + _attr(IFLA['ifname'], _name(peer_name)) \
            + _attr(_IFLA_NET_NS_FD, _u32(peer_ns_fd)) + (_attr(IFLA['mtu'], _u32(mtu)) if mtu else b'')
        kind = _attr(INFO['kind'], b'veth\0') + _attr(INFO['data'], _attr(_VETH_INFO_PEER, peer))
        body = _link_header(0, 'up' if up else None) + _attr(IFLA['ifname'], _name(name)) \
            + (_attr(IFLA['mtu'], _u32(mtu)) if mtu else b'') \
            + (_attr(IFLA['master'], _u32(master)) if master else b'') + _attr(IFLA['linkinfo'], kind)
        self._send(_RTM_NEWLINK, body, _ADD)

    def add_bridge(self, name, stp=None, forward_delay=None):
        self._send(_RTM_NEWLINK, _link_header(0, None) + _attr(IFLA['ifname'], _name(name))
                   + _attr(IFLA['linkinfo'], _bridge_kind(stp, forward_delay)), _ADD)

    def set_bridge(self, index, stp=None, forward_delay=None):
        self._send(_RTM_NEWLINK, _link_header(index, None) + _attr(IFLA['linkinfo'], _bridge_kind(stp, forward_delay)))

    def set_hairpin(self, index, enabled):
        """The bridge port's hairpin mode, as `ip link set X type bridge_slave hairpin on`."""
        port = _attr(INFO['slave_kind'], b'bridge\0') + _attr(INFO['slave_data'], _attr(BRPORT_MODE, _u8(enabled)))
        self._send(_RTM_NEWLINK, _link_header(index, None) + _attr(IFLA['linkinfo'], port))

    def set_link(self, index=0, ifname=None, state=None, mtu=None, mac=None, txqueuelen=None, master=None,
                 ifalias=None):
        """Change a link named by index or name; `master` 0 takes it off its bridge."""
        attributes = [(IFLA['ifname'], ifname and _name(ifname)), (IFLA['mtu'], mtu and _u32(mtu)),
                      (IFLA['address'], mac and _mac(mac)), (IFLA['txqlen'], txqueuelen is not None and _u32(txqueuelen)),
                      (IFLA['master'], master is not None and _u32(master)),
                      (IFLA['ifalias'], ifalias is not None and ifalias.encode())]  # as ip sends it: no NUL
        body = _link_header(index, state) + b''.join(_attr(kind, value) for kind, value in attributes
                                                     if value is not None and value is not False)
        self._send(_RTM_NEWLINK, body)

    def delete_link(self, index):
        self._send(_RTM_DELLINK, _link_header(index, None))

    # -- addresses and routes ---------------------------------------------

    def address(self, command, index, cidr):
        """command: 'replace' (add, or keep if present) or 'del'.  IPv6
        addresses skip duplicate address detection (as Docker's do): usable
        at once, not a second or two later."""
        address, prefixlen = cidr.split('/')
        family = AF_INET6 if ':' in address else socket.AF_INET
        packed, prefixlen = socket.inet_pton(family, address), int(prefixlen)
        flags = _IFA_F_NODAD if family == AF_INET6 and command != 'del' else 0
        body = _IFADDR.pack(family, prefixlen, flags, 0, index) + _attr(_IFA_LOCAL, packed) + _attr(IFLA['address'], packed)
        self._send(_RTM_DELADDR if command == 'del' else _RTM_NEWADDR, body, _CHANGE if command == 'del' else _REPLACE)

    def route(self, command, family, dst, table, metric, proto=0, scope=0, gateway=None, oif=None, prefsrc=None,
              onlink=False):
        """command: 'replace', 'add' or 'del' (which, as `ip route del`,
        matches any scope, protocol and type).  `dst` is 'address/len'."""
        address, dst_len = dst.split('/')
        deleting = command == 'del'
        header = _RTMSG.pack(family, int(dst_len), 0, 0, table if table < 256 else 0, 0 if deleting else proto,
                             _RT_SCOPE_NOWHERE if deleting else scope, 0 if deleting else _RTN_UNICAST,
                             _RTNH_F_ONLINK if onlink else 0)
        attributes = [('dst', int(dst_len) and socket.inet_pton(family, address)), ('table', _u32(table)),
                      ('priority', _u32(metric)), ('gateway', gateway and socket.inet_pton(family, gateway)),
                      ('oif', oif and _u32(oif)), ('prefsrc', prefsrc and socket.inet_pton(family, prefsrc))]
        body = header + b''.join(_attr(_RTA[key], value) for key, value in attributes if value)
        flags = {'replace': _REPLACE, 'add': _ADD, 'del': _CHANGE}[command]
        self._send(_RTM_DELROUTE if deleting else _RTM_NEWROUTE, body, flags)

    # -- neighbours -------------------------------------------------------

    def flush_neighbours(self):
        """Delete the namespace's learned neighbour (ARP/NDP) entries, as
        `ip neigh flush all` does (not the permanent and NOARP ones); how many."""
        dump = self._request(_RTM_GETNEIGH, _NDMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0))
        learned = [body for body in (_learned_entry(payload) for _kind, payload in dump) if body]  # all, then delete
        for body in learned:
            try:
                self._send(_RTM_DELNEIGH, body)
            except NetlinkRequestError as exc:
                if exc.errno != errno.ENOENT:  # (gone meanwhile)
                    raise
        return len(learned)


def _learned_entry(payload):
    """The RTM_DELNEIGH body of a learned neighbour entry, else None."""
    family, index, state, _flags, _type = _NDMSG.unpack_from(payload)
    dst = _attrs(payload, _NDMSG.size).get(_NDA_DST)
    if not dst or state & (_NUD_NOARP | _NUD_PERMANENT):
        return None
    return _NDMSG.pack(family, index, 0, 0, 0) + _attr(_NDA_DST, dst)


def _link_header(index, state):
    """ifinfomsg: the link's index (0: named by IFLA_IFNAME) and, for
    state 'up' or 'down', the IFF_UP flag and its change mask."""
    flags = _IFF_UP if state == 'up' else 0
    return _IFINFO.pack(socket.AF_UNSPEC, 0, index, flags, _IFF_UP if state else 0)


def _bridge_kind(stp, forward_delay):
    """IFLA_LINKINFO of a bridge; forward_delay in the kernel's unit (1/100 s)."""
    data = (_attr(BRIDGE['stp'], _u32(1 if stp else 0)) if stp is not None else b'') \
        + (_attr(BRIDGE['forward_delay'], _u32(forward_delay)) if forward_delay is not None else b'')
    return _attr(INFO['kind'], b'bridge\0') + (_attr(INFO['data'], data) if data else b'')


def _name(name):
    return name.encode() + b'\0'


def _u32(value):
    return struct.pack('=I', value)


def _u8(value):
    return struct.pack('=B', value)


def _mac(mac):
    return bytes(bytearray(int(part, 16) for part in mac.split(':')))
