# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lean rtnetlink dumps for the read path of the netlink seam.

Reading is most of what a converged host costs: every run reads every
namespace.  pyroute2 decodes every attribute of every message into objects
(interface statistics, the ~70 per-device IPv6 settings...), about 0.7 ms
per link; this module asks the kernel for the same dumps on a plain
NETLINK_ROUTE socket and unpacks only the attributes the resources use, a
few microseconds each.  The writes on the same socket are _rtnl_write's.
"""

import os
import socket
import struct

NETLINK_ROUTE = 0
_RTM_GETLINK, _RTM_GETADDR, _RTM_GETROUTE, _RTM_GETNSID = 18, 22, 26, 90
_RTM_GETQDISC, _RTM_GETTFILTER = 38, 46
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_NLA_TYPE_MASK = 0x3fff  # without the nested / byte-order flags
_HEADER = struct.Struct('=IHHII')  # nlmsghdr: len, type, flags, seq, pid
_IFINFO = struct.Struct('=BxHiII')  # family, type, index, flags, change
_IFADDR = struct.Struct('=BBBBI')  # family, prefixlen, flags, scope, index
_RTMSG = struct.Struct('=BBBBBBBBI')  # family, dst_len, src_len, tos, table, protocol, scope, type, flags
_TCMSG = struct.Struct('=BxxxiIII')  # family, ifindex, handle, parent, info
_TBF_QOPT = struct.Struct('=8xI12xII')  # of tc_tbf_qopt: rate.rate, (peakrate), limit, buffer
_MIRRED = struct.Struct('=20xiI')  # of tc_mirred: eaction, ifindex
_ATTR = struct.Struct('=HH')
_IFF_UP = 0x1
_RTNH_F_ONLINK = 4
AF_INET, AF_INET6 = socket.AF_INET, socket.AF_INET6

# attribute numbers (linux/if_link.h, if_addr.h, rtnetlink.h, net_namespace.h)
IFLA = {'address': 1, 'ifname': 3, 'mtu': 4, 'link': 5, 'master': 10, 'txqlen': 13, 'linkinfo': 18, 'ifalias': 20,
        'link_netnsid': 37}
INFO = {'kind': 1, 'data': 2, 'slave_kind': 4, 'slave_data': 5}
BRIDGE = {'forward_delay': 1, 'stp': 5}
BRPORT_MODE = 4  # hairpin
VXLAN = {'id': 1, 'link': 3, 'local': 4, 'learning': 7, 'port': 15, 'local6': 17}
IFA_ADDRESS = 1
RTA = {'dst': 1, 'oif': 4, 'gateway': 5, 'priority': 6, 'prefsrc': 7, 'table': 15}
NETNSA_NSID, NETNSA_FD = 1, 3
TCA = {'kind': 1, 'options': 2}
TCA_TBF_PARMS = 1
TCA_U32_ACT = 7
TCA_ACT = {'kind': 1, 'options': 2}
TCA_MIRRED_PARMS = 2


class NetlinkRequestError(OSError):
    """A request the kernel refused; `code` is the errno, as on pyroute2's
    NetlinkError, so callers handle both alike."""

    @property
    def code(self):
        return self.errno


class Dumper:
    """One NETLINK_ROUTE socket, opened in the namespace it reads."""

    def __init__(self, sock=None):
        """`sock`: a NETLINK_ROUTE socket made in another namespace (default: a new one here)."""
        self.sock = sock or socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self):
        self.sock.close()

    def _request(self, msg_type, body, flags=_NLM_F_REQUEST | _NLM_F_DUMP):
        """Send one request; yields (type, payload) of each reply message."""
        self.seq += 1
        self.sock.send(_HEADER.pack(_HEADER.size + len(body), msg_type, flags, self.seq, 0) + body)
        while True:
            data = self.sock.recv(1 << 20)
            offset = 0
            while offset < len(data):
                length, kind, _flags, seq, _pid = _HEADER.unpack_from(data, offset)
                payload = data[offset + _HEADER.size:offset + length]
                offset += _align(length)
                if seq != self.seq:
                    continue
                if kind == _NLMSG_ERROR:
                    code = struct.unpack_from('=i', payload)[0]
                    if code:
                        raise NetlinkRequestError(-code, os.strerror(-code))
                    return
                if kind == _NLMSG_DONE:
                    return
                yield kind, payload
                if not flags & _NLM_F_DUMP:
                    return

    def links(self):
        """[dict] of every link: the fields _netlink's links() builds on."""
        result = []
        for _kind, payload in self._request(_RTM_GETLINK, _IFINFO.pack(socket.AF_UNSPEC, 0, 0, 0, 0)):
            _family, _type, index, flags, _change = _IFINFO.unpack_from(payload)
            attrs = _attrs(payload, _IFINFO.size)
            info = _attrs(attrs.get(IFLA['linkinfo'], b''), 0)
            result.append({
                'index': index, 'up': bool(flags & _IFF_UP),
                'name': _string(attrs.get(IFLA['ifname'])),
                'kind': _string(info.get(INFO['kind'])) or None,
                'mtu': _u32(attrs.get(IFLA['mtu'])),
                'txqueuelen': _u32(attrs.get(IFLA['txqlen'])),
                'mac': _mac(attrs.get(IFLA['address'])),
                'master_index': _u32(attrs.get(IFLA['master'])),
                'alias': _string(attrs.get(IFLA['ifalias'])) or None,
                'link_index': _u32(attrs.get(IFLA['link'])),
                'link_netnsid': _s32(attrs.get(IFLA['link_netnsid'])),
                'data': _attrs(info.get(INFO['data'], b''), 0),
                'slave_data': _attrs(info.get(INFO['slave_data'], b''), 0),
            })
        return result

    def addresses(self):
        """[(index, 'address/prefixlen')] of every address."""
        result = []
        for _kind, payload in self._request(_RTM_GETADDR, _IFADDR.pack(socket.AF_UNSPEC, 0, 0, 0, 0)):
            family, prefixlen, _flags, _scope, index = _IFADDR.unpack_from(payload)
            address = _attrs(payload, _IFADDR.size).get(IFA_ADDRESS)
            if address:
                result.append((index, '%s/%d' % (socket.inet_ntop(family, address), prefixlen)))
        return result

    def routes(self, family):
        """[dict] of every route of `family`, with the rtmsg header fields."""
        result = []
        for _kind, payload in self._request(_RTM_GETROUTE, _RTMSG.pack(family, 0, 0, 0, 0, 0, 0, 0, 0)):
            fam, dst_len, _src_len, _tos, table, proto, scope, kind, flags = _RTMSG.unpack_from(payload)
            attrs = _attrs(payload, _RTMSG.size)
            result.append({
                'family': fam, 'dst_len': dst_len, 'table': _u32(attrs.get(RTA['table'])) or table,
                'proto': proto, 'scope': scope, 'type': kind, 'onlink': bool(flags & _RTNH_F_ONLINK),
                'dst': _ip(fam, attrs.get(RTA['dst'])), 'gateway': _ip(fam, attrs.get(RTA['gateway'])),
                'oif': _u32(attrs.get(RTA['oif'])), 'metric': _u32(attrs.get(RTA['priority'])) or 0,
                'src': _ip(fam, attrs.get(RTA['prefsrc'])),
            })
        return result

    def qdiscs(self):
        """[dict] of every qdisc: index, handle, parent, kind and, for tbf,
        its rate (bytes/s), limit (bytes) and buffer (ticks)."""
        result = []
        for _kind, payload in self._request(_RTM_GETQDISC, _TCMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)):
            _family, index, handle, parent, _info = _TCMSG.unpack_from(payload)
            attrs = _attrs(payload, _TCMSG.size)
            qdisc = {'index': index, 'handle': handle, 'parent': parent, 'kind': _string(attrs.get(TCA['kind']))}
            parms = _attrs(attrs.get(TCA['options'], b''), 0).get(TCA_TBF_PARMS)
            if qdisc['kind'] == 'tbf' and parms:
                qdisc['rate'], qdisc['limit'], qdisc['buffer'] = _TBF_QOPT.unpack_from(parms)
            result.append(qdisc)
        return result

    def redirects(self, index, parent):
        """[(eaction, target ifindex)] of the mirred actions of the filters
        under qdisc `parent` (a handle) of link `index`."""
        result = []
        for _kind, payload in self._request(_RTM_GETTFILTER, _TCMSG.pack(socket.AF_UNSPEC, index, 0, parent, 0)):
            options = _attrs(_attrs(payload, _TCMSG.size).get(TCA['options'], b''), 0)
            for action in _attrs(options.get(TCA_U32_ACT, b''), 0).values():
                action = _attrs(action, 0)
                parms = _attrs(action.get(TCA_ACT['options'], b''), 0).get(TCA_MIRRED_PARMS)
                if _string(action.get(TCA_ACT['kind'])) == 'mirred' and parms:
                    result.append(_MIRRED.unpack_from(parms))
        return result

    def netnsid(self, fd):
        """The id under which this socket's namespace knows the namespace
        open at `fd` (None: none assigned)."""
        body = struct.pack('=Bxxx', socket.AF_UNSPEC) + _attr(NETNSA_FD, struct.pack('=I', fd))
        for _kind, payload in self._request(_RTM_GETNSID, body, flags=_NLM_F_REQUEST):
            nsid = _s32(_attrs(payload, 4).get(NETNSA_NSID))
            return None if nsid is None or nsid < 0 else nsid
        return None


def _align(length):
    return (length + 3) & ~3


def _attr(kind, value):
    length = _ATTR.size + len(value)
    return _ATTR.pack(length, kind) + value + b'\0' * (_align(length) - length)


def _attrs(data, offset, _unpack=_ATTR.unpack_from, _size=_ATTR.size):
    """{type: raw value} of the attributes from `offset` (the first of a type
    wins).  Every link, address and route read passes here: kept lean."""
    found = {}
    last = len(data) - _size
    while offset <= last:
        length, kind = _unpack(data, offset)
        if length < _size:
            break
        kind &= _NLA_TYPE_MASK
        if kind not in found:
            found[kind] = data[offset + _size:offset + length]
        offset += (length + 3) & ~3
    return found


def _string(value):
    return value.split(b'\0', 1)[0].decode('utf-8', 'replace') if value is not None else None


def _u32(value):
    return struct.unpack_from('=I', value)[0] if value else None


def _s32(value):
    return struct.unpack_from('=i', value)[0] if value else None


def _mac(value):
    return ':'.join('%02x' % b for b in bytearray(value)) if value else None


def _ip(family, value):
    return socket.inet_ntop(family, value) if value else None


# Readers of the raw link-kind attributes (bridge, bridge port, vxlan) the seam picks from.
def u8(value):
    return struct.unpack_from('=B', value)[0] if value else None


def be16(value):
    return struct.unpack_from('!H', value)[0] if value else None


u32 = _u32
ip = _ip
