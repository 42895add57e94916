# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What cgroup_limit is asked for: one group's validated desired state.

A group's limits, in the vocabulary its view uses (see _cgroup): cpu (CPUs as
a number, or 'max'), cpu_period (us), cpu_weight (v2 scale 1-10000), memory
and memory_swap ('128M' rounded down to pages, or 'max'), pids_max (number or
'max'), cpuset_cpus ('0-1').
"""

import math

from ansible_collections.linuxns.net.plugins.module_utils._cgroup_units import (
    DEFAULT_PERIOD, MAX_CPUS, cpu_view, format_cpus, human_size, page_rounded, parse_cpus, parse_size)
from ansible_collections.linuxns.net.plugins.module_utils._options import LIMIT_OPTIONS
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, cgroup_path, integer_range, netns_name, pid_exists)

# The controller that enforces each limit (cpu_period goes with cpu).
OPTION_CONTROLLER = {'cpu': 'cpu', 'cpu_weight': 'cpu', 'memory': 'memory', 'memory_swap': 'memory',
                     'pids_max': 'pids', 'cpuset_cpus': 'cpuset'}
# Every limit, in the order a plan sets them (v1 may need memory after memory_swap: see _cgroup).
LIMITS = tuple(LIMIT_OPTIONS)  # the limits' names, in the order they are applied and shown


class CgroupSpec:
    def __init__(self, params, prefix=''):
        self.prefix = prefix  # names the entry of `groups` in messages
        parent = cgroup_path('linuxns' if params.get('parent') is None else params['parent'], 'parent')
        self.name = cgroup_path(params['name'], 'name')
        self.path = parent + '/' + self.name
        self.parent = parent
        self.state = params.get('state') or 'present'
        self.members_on_remove = params.get('members_on_remove') or 'move'
        self.limits = self._limits(params)
        self.processes = [pid_exists(p, 'processes') for p in params.get('processes') or []]
        self.netns = netns_name(params['netns'], 'netns') if params.get('netns') else None

    @staticmethod
    def _limits(params):
        limits = {}
        cpu = params.get('cpu')
        period = params.get('cpu_period')
        if period is not None:
            integer_range(period, 'cpu_period', 1000, 1000000)
        if cpu is not None:
            if str(cpu).lower() == 'max':
                limits['cpu'] = 'max'
            else:
                cpus = _cpus(cpu)
                period = period or DEFAULT_PERIOD
                quota = int(round(cpus * period))
                if quota < 1000:
                    raise ValidationError('cpu', '%s CPUs is %d us per %d us period; the kernel needs at least 1000 us'
                                          % (cpu, quota, period))
                limits['cpu'] = cpu_view(quota, period)
            limits['cpu_period'] = period or DEFAULT_PERIOD
        elif period is not None:
            raise ValidationError('cpu_period', 'set cpu as well')
        if params.get('cpu_weight') is not None:
            limits['cpu_weight'] = integer_range(params['cpu_weight'], 'cpu_weight', 1, 10000)
        for option in ('memory', 'memory_swap'):
            if params.get(option) is not None:
                limits[option] = human_size(page_rounded(parse_size(params[option], option)))
        pids = params.get('pids_max')
        if pids is not None:
            limits['pids_max'] = 'max' if str(pids).lower() == 'max' else _pids(pids)
        if params.get('cpuset_cpus') is not None:
            limits['cpuset_cpus'] = format_cpus(parse_cpus(params['cpuset_cpus'], 'cpuset_cpus'))
        return limits


def _cpus(value):
    """A finite number of CPUs, at most MAX_CPUS (the quota check follows)."""
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise ValidationError('cpu', '%r is not a number of CPUs like 0.5, or max' % (value,))
    if math.isnan(cpus) or math.isinf(cpus) or cpus > MAX_CPUS:  # too few is the quota check's
        raise ValidationError('cpu', '%r is not a number of CPUs up to %d, or max' % (value, MAX_CPUS))
    return cpus


def _pids(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError('pids_max', '%r is not a number or max' % (value,))
    return integer_range(number, 'pids_max', 1, 2 ** 22)
