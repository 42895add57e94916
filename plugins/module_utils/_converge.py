# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One converge of one Resource, without Ansible: validate, run the engine, report.

Every module but the read-only network_info and reachability runs it through
_module.run_module; the boot-time entry point (_boot) runs it on a host
without Ansible.  One code path for both.
"""

from ansible_collections.linuxns.net.plugins.module_utils._engine import Engine, EngineError
from ansible_collections.linuxns.net.plugins.module_utils._iptables import FilterToolError
from ansible_collections.linuxns.net.plugins.module_utils._netlink import NetlinkSeam, pyroute2_problem
from ansible_collections.linuxns.net.plugins.module_utils._summary import SUMMARY_NOUNS, summary
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


class ConvergeFailed(Exception):
    """The run failed; `fields` are the extra return values that say what stayed.
    `missing_library` is set when pyroute2 is missing or too old."""

    def __init__(self, message, missing_library=False, exception=None, **fields):
        super().__init__(message)
        self.missing_library = missing_library
        self.exception = exception
        self.fields = fields


def converge(resource_class, params, check_mode=False, diff=False, result_key='results'):
    """Converge `params` with `resource_class`; returns (result, warnings).

    resource_class provides specs(params) -> desired (raising ValidationError),
    the engine hooks, and summary() for the per-object return values stored
    under `result_key`."""
    problem, trace = pyroute2_problem() if resource_class.needs_pyroute2 else (None, None)
    if problem:
        raise ConvergeFailed(problem, missing_library=True, exception=trace)
    try:
        desired = resource_class.specs(params)
    except ValidationError as exc:
        raise ConvergeFailed(str(exc), option=exc.option, changed=False)

    seam = (resource_class.seam_factory or NetlinkSeam)()
    lock = resource_class.lock(desired)
    try:
        resource = resource_class(seam)
        with lock:
            plan, observed = Engine(resource, check_mode=check_mode).run(desired)
        result = {
            'changed': plan.changed,
            'actions': [action.description for action in plan.actions],
            'summary': summary(plan.actions, SUMMARY_NOUNS.get(result_key, 'object')),
            result_key: resource.summary(desired, plan, observed),
        }
        result.update(resource.extra_results(plan))
    except ValidationError as exc:  # raised while planning: nothing was changed
        raise ConvergeFailed(str(exc), option=exc.option, changed=False)
    except EngineError as exc:
        raise ConvergeFailed(
            str(exc), changed=len(exc.applied) > len(exc.rolled_back),  # something stayed applied
            applied=[a.description for a in exc.applied],
            rolled_back=[a.description for a in exc.rolled_back],
            not_rolled_back=[a.description for a in exc.not_rolled_back])
    except (OSError, IOError, FilterToolError) as exc:  # reading state failed: nothing was changed
        raise ConvergeFailed('could not read the current state: %s' % exc, changed=False)
    finally:
        seam.close()
    warnings = list(plan.warnings)
    if plan.assumptions:  # only left in check mode
        warnings.append('check mode assumed that earlier tasks create what this task needs: %s'
                        % '; '.join(plan.assumptions))
    if diff:
        result['diff'] = plan.diff()
    return result, warnings
