# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input validation shared by every module.

Every check raises ValidationError naming the option and the rule that was
broken, so a module can fail before its first change with a message the user
can act on.  Nothing here touches the system except pid_exists().
"""

import hashlib
import ipaddress
import os
import re

IFNAME_MAX_BYTES = 15  # IFNAMSIZ - 1
# Names of namespaces, containers and cgroups end up in file paths, in device
# names and in people's shell scripts (`ip netns exec $NAME ...`): only what
# Docker allows for container names, so none can inject or escape anything.
_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*\Z')
NAME_RULE = 'letters, digits and _.- only, starting with a letter or digit'
NETNS_NAME_MAX = 64
CONTAINER_NAME_MAX = 63  # a DNS label, as Docker's and Podman's names
CGROUP_NAME_MAX = 255  # NAME_MAX of cgroupfs, per path part
_MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')


class ValidationError(ValueError):
    """Bad input, detected before any change."""

    def __init__(self, option, message):
        super().__init__('%s: %s' % (option, message))
        self.option = option
        self.message = message


def _path_component(value, option, what, max_bytes):
    """Rules shared by names that become a file or device name."""
    if not isinstance(value, str) or value == '':
        raise ValidationError(option, '%s must be a non-empty string' % what)
    if len(value.encode('utf-8')) > max_bytes:
        raise ValidationError(option, '%s %r is longer than %d bytes' % (what, value, max_bytes))
    if value in ('.', '..'):
        raise ValidationError(option, '%s must not be %r' % (what, value))
    if '/' in value:
        raise ValidationError(option, "%s %r must not contain '/'" % (what, value))
    if '\0' in value:
        raise ValidationError(option, '%s %r must not contain a NUL byte' % (what, value))
    if any(char.isspace() for char in value):
        raise ValidationError(option, '%s %r must not contain whitespace' % (what, value))
    return value


def safe_name(value, option, what, max_chars, why=''):
    """A name Docker would accept: see _NAME.  `why` tells where the length
    limit comes from, when it is not obvious."""
    if not isinstance(value, str) or value == '':
        raise ValidationError(option, '%s must be a non-empty string, got %r' % (what, value))
    if len(value) > max_chars:
        raise ValidationError(option, '%s %r is longer than %d characters%s' % (what, value, max_chars, why))
    if not _NAME.match(value):
        raise ValidationError(option, '%r is not a valid %s: %s' % (value, what, NAME_RULE))
    return value


def netns_name(value, option='name'):
    """A name under /run/netns (and an argument of `ip netns exec`)."""
    return safe_name(value, option, 'network namespace name', NETNS_NAME_MAX)


def container_name(value, option='name'):
    """A container's name: also its namespace's name, its files' names and,
    where it fits, part of its devices' names (device_name)."""
    return safe_name(value, option, 'container name', CONTAINER_NAME_MAX, ' (a DNS label)')


def device_name(prefix, name):
    """The name of a device made for `name`: PREFIX-NAME (`prefix` is two
    characters and a dash, e.g. ve-) when that fits in 15 bytes, as every
    version made it; else the prefix's two characters, an x and the first 12
    hex digits of NAME's SHA-256 (vex1f3a...).  The third character tells the
    two forms apart, so no name's device takes another's."""
    plain = prefix + name
    if len(plain.encode('utf-8')) <= IFNAME_MAX_BYTES:
        return plain
    return prefix[:2] + 'x' + hashlib.sha256(name.encode('utf-8')).hexdigest()[:IFNAME_MAX_BYTES - 3]


def cgroup_path(value, option):
    """A cgroup path below the hierarchy root, e.g. web or tenants/web: each
    part a safe name, so the path never leaves the managed parent."""
    if not isinstance(value, str) or not value or value.startswith('/') or value.endswith('/'):
        raise ValidationError(option, '%r must be a relative cgroup path like web or tenants/web' % (value,))
    for part in value.split('/'):
        safe_name(part, option, 'cgroup name part', CGROUP_NAME_MAX)
    return value


def interface_name(value, option='name'):
    """A network device name, as the kernel's dev_valid_name() accepts it."""
    _path_component(value, option, 'interface name', IFNAME_MAX_BYTES)
    if ':' in value:
        raise ValidationError(option, "interface name %r must not contain ':'" % value)
    return value


def unique(values, option):
    """Reject duplicates in a list option instead of guessing which one was meant."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValidationError(option, '%r is listed more than once' % (value,))
        seen.add(value)
    return list(values)


def interface_address(value, option='addresses'):
    """An address with prefix length, e.g. 10.0.0.2/24 or fd00::2/64.

    The address must be usable by a host: not the network or broadcast
    address of an IPv4 subnet (except /31 and /32, RFC 3021)."""
    try:
        iface = ipaddress.ip_interface(_unscoped(value, option))
    except ValueError:
        raise ValidationError(option, '%r is not an address with a prefix length (e.g. 10.0.0.2/24)' % (value,))
    if '/' not in str(value):
        raise ValidationError(option, '%r has no prefix length (e.g. %s/24)' % (value, value))
    net = iface.network
    if iface.version == 4 and net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        raise ValidationError(option, '%s is the network or broadcast address of %s, not a host address' % (value, net))
    return iface


def ip_address(value, option):
    """A single IPv4 or IPv6 address, without prefix length."""
    try:
        return ipaddress.ip_address(_unscoped(str(value), option))
    except ValueError:
        raise ValidationError(option, '%r is not an IP address' % (value,))


def _unscoped(value, option):
    # Python 3.9+ parses fe80::1%eth0, which netlink and iptables do not take:
    # the interface is an option of its own (dev) wherever it matters.
    if isinstance(value, str) and '%' in value:
        raise ValidationError(option, '%r has a scope (%%...); give the address alone' % (value,))
    return value


def network(value, option, rule='a network in CIDR notation'):
    """A network in CIDR notation with no host bits set, e.g. 10.244.0.0/16
    (a lone address is its /32 or /128).  `rule` is what the message says
    the option takes, when the value is not one."""
    try:
        return ipaddress.ip_network(value, strict=True)
    except (ValueError, TypeError) as exc:
        raise ValidationError(option, '%r is not %s: %s' % (value, rule, exc))


def missing_netns(netns, prefix=''):
    """What a plan says when the namespace its option PREFIXnetns names does
    not exist: an assumption in check mode (an earlier task may create it),
    the reason a real run refuses to start."""
    return '%snetns: network namespace %s does not exist' % (prefix, netns)


def integer_range(value, option, low, high):
    """An integer within [low, high], e.g. a port or an MTU."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(option, '%r is not an integer' % (value,))
    if not low <= value <= high:
        raise ValidationError(option, '%d is out of range %d-%d' % (value, low, high))
    return value


def pid_exists(pid, option='pid'):
    """A running process whose network namespace we can open."""
    integer_range(pid, option, 1, 2 ** 22)
    if not os.path.exists('/proc/%d/ns/net' % pid):
        raise ValidationError(option, 'no running process has pid %d' % pid)
    return pid


# -- what a namespace has of its own: net.* sysctls, resolv.conf, hosts -------

_SYSCTL = re.compile(r'^net[./][A-Za-z0-9_./-]+\Z')
_HOSTNAME = re.compile(r'^(?=.{1,253}\.?\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
                       r'(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?\Z')
_RESOLVER_OPTION = re.compile(r'^[a-z][a-z0-9-]*(:[0-9]+)?\Z')
RESOLV_MAX_NAMESERVERS = 3  # glibc's MAXNS: it reads no more


def namespace_sysctls(values, option):
    """{name: value} of sysctls a network namespace has of its own (net.*),
    values as the kernel prints them (whitespace collapsed)."""
    if not isinstance(values, dict):
        raise ValidationError(option, 'give a dictionary of sysctl names and values')
    result = {}
    for key, value in values.items():
        where = '%s.%s' % (option, key)
        if not isinstance(key, str) or not _SYSCTL.match(key) or '..' in key or '//' in key:
            raise ValidationError(where, 'a network namespace has its own net.* sysctls only, e.g. '
                                         'net.ipv4.conf.all.rp_filter; %r is not one of them' % (key,))
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).split():
            raise ValidationError(where, 'the value must be a non-empty string or a number, e.g. "1"; got %r' % (value,))
        result[key] = ' '.join(str(value).split())
    return result


def sysctl_path(name):
    """The path under /proc/sys of a sysctl named with dots (or, where an
    interface name has dots, with slashes, as sysctl(8) takes it)."""
    return name if '/' in name else name.replace('.', '/')


def hostname(value, option):
    if not isinstance(value, str) or not _HOSTNAME.match(value):
        raise ValidationError(option, '%r is not a host or domain name (letters, digits, - and dots)' % (value,))
    return value


def resolver(dns, option):
    """(nameservers, search, options) of a resolv.conf, validated."""
    dns = dict((k, v) for k, v in (dns or {}).items() if v is not None)
    servers = [str(ip_address(s, '%s.nameservers' % option)) for s in unique(dns.get('nameservers') or [], option + '.nameservers')]
    if len(servers) > RESOLV_MAX_NAMESERVERS:
        raise ValidationError(option + '.nameservers', 'at most %d name servers: the resolver reads no more'
                              % RESOLV_MAX_NAMESERVERS)
    search = [hostname(d, option + '.search') for d in unique(dns.get('search') or [], option + '.search')]
    options = []
    for value in unique(dns.get('options') or [], option + '.options'):
        if not isinstance(value, str) or not _RESOLVER_OPTION.match(value):
            raise ValidationError(option + '.options', '%r is not a resolver option like ndots:2 or edns0' % (value,))
        options.append(value)
    if not servers and not search and not options:
        raise ValidationError(option, 'give nameservers, search or options')
    return servers, search, options


def host_entries(entries, option):
    """[(address, [names])] of a hosts file, validated."""
    if not isinstance(entries, list):
        raise ValidationError(option, 'give a list of {address, names}')
    result = []
    for index, entry in enumerate(entries):
        where = '%s[%d]' % (option, index)
        if not isinstance(entry, dict):
            raise ValidationError(where, 'each entry is {address, names}')
        names = entry.get('names')
        if not isinstance(names, list) or not names:
            raise ValidationError(where + '.names', 'give the host names of %s' % entry.get('address'))
        result.append((str(ip_address(entry.get('address'), where + '.address')),
                       [hostname(n, where + '.names') for n in names]))
    return result


def port_range(text, option):
    """'80' or '8000-8010' (or an int) -> (low, high), each 1-65535, low <= high."""
    bounds = str(text).split('-')
    if isinstance(text, bool) or len(bounds) > 2 or not all(b.strip().isdigit() for b in bounds):
        raise ValidationError(option, '%r is not a port or a range like 8000-8010' % (text,))
    low, high = int(bounds[0]), int(bounds[-1])
    integer_range(low, option, 1, 65535)
    integer_range(high, option, 1, 65535)
    if low > high:
        raise ValidationError(option, 'range %s goes backwards' % text)
    return low, high


def unicast_mac(value, option):
    """A unicast MAC address, lower case (the kernel's spelling)."""
    mac = value.lower() if isinstance(value, str) else None
    if mac is None or not _MAC.match(mac) or int(mac[:2], 16) & 1:
        raise ValidationError(option, '%r is not a unicast MAC address like 02:00:00:00:00:01' % (value,))
    return mac
