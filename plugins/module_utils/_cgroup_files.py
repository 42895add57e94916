# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which cgroup files hold each limit, on v1 and on v2, both ways.

read_limits() turns a group's files into the view's values (see _cgroup);
writes() turns a wanted value into the files to write, with the values to
write back on rollback.  The vocabulary is the same for both versions; the
units conversions are _cgroup_units'.
"""

from ansible_collections.linuxns.net.plugins.module_utils._cgroup_units import (
    DEFAULT_PERIOD, UNLIMITED_V1, cpu_view, human_size, parse_size, shares_to_weight, weight_to_shares)


def read_limits(read, controller, version):
    """The limits `controller` enforces on a group, as the view shows them;
    read(name) is the content of the group's file `name` (None: no such file)."""
    if controller == 'cpu':
        if version == 2:
            quota, period = (read('cpu.max') or 'max %d' % DEFAULT_PERIOD).split()
            weight = int(read('cpu.weight') or 100)
        else:
            quota, period = read('cpu.cfs_quota_us'), read('cpu.cfs_period_us')
            quota = 'max' if quota in (None, '-1') else quota
            weight = shares_to_weight(int(read('cpu.shares') or 1024))
        return {'cpu': cpu_view('max' if quota == 'max' else int(quota), int(period)),
                'cpu_period': int(period), 'cpu_weight': weight}
    if controller == 'memory':
        if version == 2:
            memory, swap = _size_read(read('memory.max')), _size_read(read('memory.swap.max'))
        else:
            memory, total = _size_read(read('memory.limit_in_bytes')), _size_read(read('memory.memsw.limit_in_bytes'))
            swap = 'max' if total in ('max', None) or memory == 'max' else total - memory
            swap = None if total is None else swap
        return {'memory': human_size(memory), 'memory_swap': None if swap is None else human_size(swap)}
    if controller == 'pids':
        value = read('pids.max')
        return {'pids_max': value if value == 'max' else int(value)}
    if controller == 'cpuset':
        return {'cpuset_cpus': read('cpuset.cpus')}
    return {}


def _size_read(text):
    if text is None:
        return None
    if text == 'max' or int(text) >= UNLIMITED_V1:
        return 'max'
    return int(text)


def _bytes(value):
    return 'max' if value == 'max' else parse_size(value, 'memory')


def writes(option, version, target, old):
    """[(file, value, old value)] that set `option` to target[option]."""
    if option == 'cpu':
        period = target['cpu_period']
        quota = 'max' if target['cpu'] == 'max' else int(round(target['cpu'] * period))
        old_quota = 'max' if old.get('cpu') in ('max', None) else int(round(old['cpu'] * old['cpu_period']))
        if version == 2:
            return [('cpu.max', '%s %d' % (quota, period), '%s %d' % (old_quota, old.get('cpu_period') or DEFAULT_PERIOD))]
        return [('cpu.cfs_period_us', period, old.get('cpu_period')),
                ('cpu.cfs_quota_us', -1 if quota == 'max' else quota, -1 if old_quota == 'max' else old_quota)]
    if option == 'cpu_weight':
        if version == 2:
            return [('cpu.weight', target['cpu_weight'], old.get('cpu_weight'))]
        return [('cpu.shares', weight_to_shares(target['cpu_weight']),
                 weight_to_shares(old['cpu_weight']) if old.get('cpu_weight') else None)]
    if option == 'memory':
        new, before = _bytes(target['memory']), old.get('memory') and _bytes(old['memory'])
        if version == 2:
            return [('memory.max', new, before)]
        return [('memory.limit_in_bytes', -1 if new == 'max' else new, -1 if before == 'max' else before)]
    if option == 'memory_swap':
        swap, before = _bytes(target['memory_swap']), old.get('memory_swap') and _bytes(old['memory_swap'])
        if version == 2:
            return [('memory.swap.max', swap, before)]
        memory = _bytes(target['memory'])
        total = -1 if 'max' in (swap, memory) else memory + swap
        old_memory = old.get('memory') and _bytes(old['memory'])
        old_total = -1 if 'max' in (before, old_memory) or before is None else old_memory + before
        return [('memory.memsw.limit_in_bytes', total, old_total)]
    if option == 'pids_max':
        return [('pids.max', target['pids_max'], old.get('pids_max'))]
    if option == 'cpuset_cpus':
        return [('cpuset.cpus', target['cpuset_cpus'], old.get('cpuset_cpus'))]
    return []
