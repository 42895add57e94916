# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's contract, on a resource whose 'system' is a dict: check mode
stops after planning, apply follows the plan, failures roll back in reverse,
verification catches a system that did not do what the plan promised."""

import pytest

from ansible_collections.linuxns.net.plugins.module_utils._engine import (
    Action, Engine, EngineError, Plan, Resource, is_owned, owner_tag)


class DictResource(Resource):
    """Keys are subjects; 'fail' makes op_set raise for that key."""

    def __init__(self, system, fail=(), lie=False):
        super().__init__(seam=None)
        self.system = system
        self.fail = fail
        self.lie = lie
        self.log = []

    def read(self, desired):
        return dict((k, None if self.system.get(k) is None else {'value': self.system[k]}) for k in desired)

    def plan(self, desired, current):
        actions, after = [], dict(current)
        for key, value in desired.items():
            old = self.system.get(key)
            if old != value:
                actions.append(Action('set', key, 'set %s to %s' % (key, value), {'key': key, 'value': value},
                                      undo=('set', {'key': key, 'value': old}) if key != 'final' else None))
                after[key] = {'value': value}
        return Plan(actions, current, after)

    def op_set(self, key, value):
        self.log.append((key, value))
        if key in self.fail and value is not None:
            raise OSError(5, 'boom')
        self.system[key] = 'something else' if self.lie else value


def test_check_mode_plans_and_changes_nothing():
    resource = DictResource({'a': 1})
    plan, observed = Engine(resource, check_mode=True).run({'a': 2, 'b': 3})
    assert [a.description for a in plan.actions] == ['set a to 2', 'set b to 3']
    assert resource.system == {'a': 1}
    assert resource.log == []
    assert observed == {'a': {'value': 2}, 'b': {'value': 3}}


def test_real_run_applies_the_same_plan_in_order():
    resource = DictResource({'a': 1})
    plan, observed = Engine(resource).run({'a': 2, 'b': 3})
    assert resource.log == [('a', 2), ('b', 3)]
    assert observed == plan.after
    assert plan.diff() == {'before': {'a': {'value': 1}, 'b': None},
                           'after': {'a': {'value': 2}, 'b': {'value': 3}}}


def test_nothing_to_do_is_not_changed():
    resource = DictResource({'a': 1})
    plan, observed = Engine(resource).run({'a': 1})
    assert not plan.changed
    assert resource.log == []
    assert plan.diff() == {'before': {}, 'after': {}}


def test_failure_rolls_back_in_reverse_and_reports():
    resource = DictResource({'a': 1}, fail=('c',))
    with pytest.raises(EngineError) as err:
        Engine(resource).run({'a': 2, 'b': 3, 'c': 4})
    assert resource.system == {'a': 1, 'b': None}
    assert resource.log == [('a', 2), ('b', 3), ('c', 4), ('b', None), ('a', 1)]
    assert [a.subject for a in err.value.applied] == ['a', 'b']
    assert [a.subject for a in err.value.rolled_back] == ['b', 'a']
    assert err.value.not_rolled_back == []
    assert str(err.value) == 'set c to 4 failed: [Errno 5] boom'


def test_actions_without_undo_are_reported_as_not_rolled_back():
    resource = DictResource({}, fail=('z',))
    with pytest.raises(EngineError) as err:
        Engine(resource).run({'final': 1, 'z': 2})
    assert [a.subject for a in err.value.not_rolled_back] == ['final']


def test_verification_catches_a_system_that_did_something_else():
    resource = DictResource({}, lie=True)
    with pytest.raises(EngineError, match="verification after apply failed: a.value expected 1, found 'something else'"):
        Engine(resource).run({'a': 1})


def test_unknown_values_are_not_verified():
    resource = Resource(None)
    plan = Plan([], {}, {'x': {'id': None, 'lo': 'up', 'fw': {'v4': None, 'v6': True}}})
    assert resource.verify(plan, {'x': {'id': 7, 'lo': 'up', 'fw': {'v4': False, 'v6': True}}}) == []
    assert resource.verify(plan, {'x': None}) == ['x: expected present, found absent']
    assert resource.verify(plan, {'x': {'id': 7, 'lo': 'down', 'fw': {'v6': False}}}) == [
        "x.lo expected 'up', found 'down'", 'x.fw.v6 expected True, found False']


def test_ownership_marks():
    assert owner_tag('netns') == 'linuxns.net:netns'
    assert is_owned('linuxns.net:netns') and is_owned('linuxns.net')
    assert not is_owned(None) and not is_owned('') and not is_owned('linuxns.network') and not is_owned('docker')


class FailingVerify(DictResource):
    """Applies faithfully, but its verify always finds a difference."""

    def verify(self, plan, observed):
        return ['b.value expected 3, found 4']


def test_verification_failure_rolls_back_in_reverse_and_reports():
    resource = FailingVerify({'a': 1})
    with pytest.raises(EngineError) as err:
        Engine(resource).run({'a': 2, 'b': 3})
    assert resource.system == {'a': 1, 'b': None}
    assert resource.log == [('a', 2), ('b', 3), ('b', None), ('a', 1)]
    assert [a.subject for a in err.value.applied] == ['a', 'b']
    assert [a.subject for a in err.value.rolled_back] == ['b', 'a']
    assert err.value.not_rolled_back == []
    assert str(err.value) == 'verification after apply failed: b.value expected 3, found 4; every change was rolled back'


def test_verification_failure_reports_what_stayed():
    resource = FailingVerify({})
    with pytest.raises(EngineError) as err:
        Engine(resource).run({'final': 1, 'b': 3})
    assert [a.subject for a in err.value.rolled_back] == ['b']
    assert [a.subject for a in err.value.not_rolled_back] == ['final']
    assert resource.system == {'final': 1, 'b': None}
    assert str(err.value).endswith('1 change(s) could not be rolled back: set final to 1')
