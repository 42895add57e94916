# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several Resources as one: one read, one plan, one apply, one rollback, one verify.

Each Part is a Resource with its own desired state.  Parts are planned in
order, and each part's planner sees the state the earlier parts promise
(`project`): a veth planned into a namespace the netns part creates sees that
namespace, a route sees the address the veth part gives its device.  So check
mode on a fresh host plans exactly, with no assumptions.  The engine runs the
composite like any other Resource: its actions name their part
("veth.create"), so apply and rollback reach the right one.
"""

import copy

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource


class Part:
    """name: unique label (prefixes the part's subjects and ops);
    project(current, plans) -> the current state this part plans against,
    given the plans of the parts before it (default: as read)."""

    def __init__(self, name, resource, desired, project=None):
        self.name = name
        self.resource = resource
        self.desired = desired
        self.project = project


class CompositePlan(Plan):
    """A Plan whose `parts` keeps each part's own plan (for verify and results)."""

    def __init__(self, actions, before, after, assumptions, parts, warnings=None):
        super().__init__(actions, before, after, assumptions, warnings)
        self.parts = parts


class CompositeResource(Resource):

    def __init__(self, parts):
        super().__init__(None)
        self.parts = parts

    def read(self, desired):
        return dict((part.name, part.resource.read(part.desired)) for part in self.parts)

    def plan(self, desired, current):
        plans, actions, before, after, assumptions, warnings = {}, [], {}, {}, [], []
        for part in self.parts:
            seen = current[part.name]
            if part.project is not None:
                seen = part.project(copy.copy(seen), plans)
            plan = part.resource.plan(part.desired, seen)
            plans[part.name] = plan
            actions.extend(_qualified(part.name, action) for action in plan.actions)
            before.update(_views(part.name, plan.before))
            after.update(_views(part.name, plan.after))
            assumptions.extend('%s: %s' % (part.name, text) for text in plan.assumptions)
            warnings.extend(plan.warnings)
        return CompositePlan(actions, before, after, assumptions, plans, warnings)

    def execute(self, op, args):
        name, op = op.split('.', 1)
        self._part(name).resource.execute(op, args)

    def verify(self, plan, observed):
        problems = []
        for part in self.parts:
            problems.extend(part.resource.verify(plan.parts[part.name], observed[part.name]))
        return problems

    def predicted(self, plan):
        return dict((part.name, part.resource.predicted(plan.parts[part.name])) for part in self.parts)

    def _part(self, name):
        return next(part for part in self.parts if part.name == name)


def _qualified(name, action):
    undo = None if action.undo is None else ('%s.%s' % (name, action.undo[0]), action.undo[1])
    return Action('%s.%s' % (name, action.op), '%s %s' % (name, action.subject), action.description,
                  action.args, undo)


def _views(name, state):
    """A part's public views under qualified subjects (private '_' facts stay in the part)."""
    return dict(('%s %s' % (name, subject), view) for subject, view in state.items() if not subject.startswith('_'))
