# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cgroup units: the module's vocabulary and the kernel's numbers, both ways.

Pure functions: sizes ('128M' <-> bytes, rounded down to pages), CPU weight
(v2 cpu.weight <-> v1 cpu.shares), CPU lists ('0-2,4' <-> [0, 1, 2, 4]) and
CPU limits (quota per period <-> a number of CPUs).  What file holds which
value on v1 and v2 is _cgroup_files'.
"""

import re

from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

PAGE = 4096
UNLIMITED_V1 = 2 ** 62  # v1 reports "no limit" as a huge page-aligned number
DEFAULT_PERIOD = 100000
MAX_CPUS = 8192  # the most CPUs a kernel supports (NR_CPUS): also bounds quotas and CPU lists
_SIZE = re.compile(r'^(\d+)\s*([kmgt]?)(i?b)?$', re.IGNORECASE)
_UNITS = {'': 1, 'k': 2 ** 10, 'm': 2 ** 20, 'g': 2 ** 30, 't': 2 ** 40}


def parse_size(value, option):
    """'128M', '1G', '1048576', 1048576 or 'max' -> bytes or 'max'."""
    if str(value).strip().lower() == 'max':
        return 'max'
    match = _SIZE.match(str(value).strip())
    if not match:
        raise ValidationError(option, '%r is not a size like 128M, 1G, 1073741824 or max' % (value,))
    size = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if size <= 0:
        raise ValidationError(option, 'must be more than 0')
    if size >= UNLIMITED_V1:
        raise ValidationError(option, '%r is more than the kernel can limit; use max for no limit' % (value,))
    return size


def human_size(size):
    """Bytes -> '128M' when exact, else the number; 'max' stays."""
    if size == 'max':
        return 'max'
    for unit in ('T', 'G', 'M', 'K'):
        if size % _UNITS[unit.lower()] == 0 and size >= _UNITS[unit.lower()]:
            return '%d%s' % (size // _UNITS[unit.lower()], unit)
    return str(size)


def page_rounded(size):
    return size if size == 'max' else size // PAGE * PAGE


def weight_to_shares(weight):
    """v2 cpu.weight (1-10000) -> v1 cpu.shares (2-262144), the runc/systemd
    scale; rounded up so that shares_to_weight() gives the weight back."""
    return 2 + -(-(weight - 1) * 262142 // 9999)


def shares_to_weight(shares):
    return 1 + (shares - 2) * 9999 // 262142


def parse_cpus(value, option):
    """'0-2,4' -> sorted list of CPU numbers."""
    cpus = set()
    for part in str(value).replace(' ', '').split(','):
        match = re.match(r'^(\d+)(?:-(\d+))?\Z', part)
        if not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            raise ValidationError(option, '%r is not a CPU list like 0-1,3' % (value,))
        if int(match.group(2) or match.group(1)) >= MAX_CPUS:
            raise ValidationError(option, '%r names a CPU beyond %d' % (value, MAX_CPUS - 1))
        cpus.update(range(int(match.group(1)), int(match.group(2) or match.group(1)) + 1))
    return sorted(cpus)


def format_cpus(cpus):
    """[0, 1, 2, 4] -> '0-2,4' (the kernel's own form)."""
    ranges, start = [], None
    for i, cpu in enumerate(cpus):
        if start is None:
            start = cpu
        if i + 1 == len(cpus) or cpus[i + 1] != cpu + 1:
            ranges.append(str(start) if start == cpu else '%d-%d' % (start, cpu))
            start = None
    return ','.join(ranges)


def cpu_view(quota, period):
    """CPUs of a quota per period: 7 decimals, exact enough that quota = round(cpus * period) for any period up to 1 s."""
    return 'max' if quota == 'max' else round(float(quota) / period, 7)


def shown(option, view):
    """A limit of a group's view as a plan describes it."""
    value = view.get(option)
    if value is None:
        return 'the default'
    if option == 'cpu' and value != 'max':
        return '%s CPUs per %d us' % (value, view['cpu_period'])
    return value
