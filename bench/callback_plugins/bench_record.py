# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark helper: write the recap and the module-internal timings of a
playbook run as JSON lines to the file named by $BENCH_RESULTS.

An aggregate callback, so the screen output stays the default callback's,
as users see it; it keeps only a few small fields per task, so that it adds
next to nothing to the time being measured."""

DOCUMENTATION = r"""
name: bench_record
type: aggregate
short_description: Record a playbook's recap and module timings for bench/run
description:
  - Appends one JSON object per task result (status, changed, timing keys) and one with the
    recap to the file named by E(BENCH_RESULTS).
requirements:
  - The E(BENCH_RESULTS) environment variable.
"""

import json
import os

from ansible.plugins.callback import CallbackBase

# Result keys under which a module may report its own time.
TIMING_KEYS = ('elapsed', 'elapsed_s', 'duration', 'timing', 'timings')


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_record'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, entry):
        path = os.environ.get('BENCH_RESULTS')
        if path:
            with open(path, 'a') as handle:
                handle.write(json.dumps(entry, default=str) + '\n')

    def _record(self, result, status):
        timing = dict((key, result._result[key]) for key in TIMING_KEYS if key in result._result)
        self._write({'task': result._task.get_name(), 'host': result._host.get_name(), 'status': status,
                     'changed': bool(result._result.get('changed')), 'timing': timing,
                     'msg': str(result._result.get('msg', ''))[:500] if status == 'failed' else ''})

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._write({'recap': dict((host, stats.summarize(host)) for host in sorted(stats.processed))})
