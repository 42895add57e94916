# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:

    # The limits of a cgroup: _options.LIMIT_OPTIONS (tests/unit/test_options.py keeps them in step).
    DOCUMENTATION = r"""
options:
  cpu:
    description:
      - CPU quota as a number of CPUs (V(0.5) is half a CPU, V(2) two), or V(max) for none.
    type: str
  cpu_period:
    description: Quota period in microseconds (1000-1000000). Defaults to 100000.
    type: int
  cpu_weight:
    description: Relative CPU weight on the v2 scale (1-10000, default 100); on v1 written as C(cpu.shares).
    type: int
  memory:
    description: Memory limit, e.g. V(128M), V(1G), a number of bytes, or V(max).
    type: str
  memory_swap:
    description:
      - Swap the group may use on top of O(memory) (v2 C(memory.swap.max); on v1 written as
        memory + swap to C(memory.memsw.limit_in_bytes)), or V(max).
    type: str
  pids_max:
    description: Most processes and threads in the group, a number or V(max).
    type: str
  cpuset_cpus:
    description: CPUs the group may run on, e.g. V(0-1,3).
    type: str
"""
