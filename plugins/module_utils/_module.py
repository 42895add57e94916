# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module's main() does, once: validate, run the engine, report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.linuxns.net.plugins.module_utils._engine import Engine, EngineError
from ansible_collections.linuxns.net.plugins.module_utils._iptables import IptablesError
from ansible_collections.linuxns.net.plugins.module_utils._netlink import NetlinkSeam, pyroute2_problem
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def run_module(module, resource_class, result_key):
    """Converge `module.params` with `resource_class` and exit the module.

    resource_class provides specs(params) -> desired (raising ValidationError),
    the engine hooks, and summary() for the per-object return values stored
    under `result_key`."""
    problem, trace = pyroute2_problem() if resource_class.needs_pyroute2 else (None, None)
    if problem:
        module.fail_json(msg='%s. %s' % (problem, missing_required_lib('pyroute2>=0.9')), exception=trace)
    try:
        desired = resource_class.specs(module.params)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), option=exc.option, changed=False)

    seam = NetlinkSeam()
    try:
        resource = resource_class(seam)
        plan, observed = Engine(resource, check_mode=module.check_mode).run(desired)
        result = {
            'changed': plan.changed,
            'actions': [action.description for action in plan.actions],
            result_key: resource.summary(desired, plan, observed),
        }
        result.update(resource.extra_results(plan))
    except ValidationError as exc:  # raised while planning: nothing was changed
        module.fail_json(msg=str(exc), option=exc.option, changed=False)
    except EngineError as exc:
        module.fail_json(
            msg=str(exc), changed=len(exc.applied) > len(exc.rolled_back),  # something stayed applied
            applied=[a.description for a in exc.applied],
            rolled_back=[a.description for a in exc.rolled_back],
            not_rolled_back=[a.description for a in exc.not_rolled_back])
    except (OSError, IOError, IptablesError) as exc:  # reading state failed: nothing was changed
        module.fail_json(msg='could not read the current state: %s' % exc, changed=False)
    finally:
        seam.close()
    if plan.assumptions:  # only left in check mode
        module.warn('check mode assumed that earlier tasks create what this task needs: %s'
                    % '; '.join(plan.assumptions))
    if module._diff:
        result['diff'] = plan.diff()
    module.exit_json(**result)
