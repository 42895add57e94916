# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helper: write every task result of a playbook run as one JSON line to
the file named by $LINUXNS_RESULTS, so tests assert on real results."""

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Record task results as JSON lines for the test suite
description:
  - Appends one JSON object per task result to the file named by E(LINUXNS_RESULTS).
requirements:
  - The E(LINUXNS_RESULTS) environment variable.
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record_results'
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get('LINUXNS_RESULTS')
        if not path:
            return
        entry = {
            'task': result._task.get_name(),
            'host': result._host.get_name(),
            'status': status,
            'result': json.loads(json.dumps(result._result, default=str)),
        }
        with open(path, 'a') as handle:
            handle.write(json.dumps(entry) + '\n')

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')
