# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one engine every module that changes something runs (all but the
read-only network_info and reachability): read -> plan -> diff -> apply -> verify.

A Resource describes one kind of object (a namespace, a link, a rule set):
how to read what exists, how to turn desired + current state into an ordered
list of Actions (planning changes nothing; it decides from what read()
returned, except the cgroup planner, which also reads cgroupfs as it plans),
how to execute one Action, and how to undo it.  The Engine drives it.  Check
mode runs exactly the same read and plan and stops before apply, so the
changes it reports are the changes a real run makes.  A real run applies the
plan in order; if an action fails, the actions this run already applied are
undone in reverse, then the error is raised.  After a successful apply the
state is read again and compared with what the plan promised (verify); a
difference is a failure too, rolled back the same way, so a run either
reaches the promised state or leaves things as they were.
"""

from ansible_collections.linuxns.net.plugins.module_utils._files import HostLock, failpoint

# Marks objects this collection created: interface aliases, rule comments.
# Never renamed: prune and teardown rely on it to tell ours from foreign ones.
OWNER_MARK = 'linuxns.net'


# The undo of an action whose effect goes away with an earlier action's undo,
# e.g. a setting of an object this run created (deleting the object undoes it).
COVERED = ('covered', {})


def owner_tag(kind):
    """The marker written on an object of `kind` that we created."""
    return '%s:%s' % (OWNER_MARK, kind)


def is_owned(tag):
    return bool(tag) and (tag == OWNER_MARK or tag.startswith(OWNER_MARK + ':'))


class Action:
    """One step of a plan.

    op           name of the Resource method that performs it ("op_<op>")
    subject      the object it changes, e.g. "netns/ns1"
    description  what a person reads in the task result
    args         keyword arguments for the op
    undo         (op, args) that reverses it, or None when it cannot be undone
    """

    def __init__(self, op, subject, description, args=None, undo=None):
        self.op = op
        self.subject = subject
        self.description = description
        self.args = args or {}
        self.undo = undo

    def __repr__(self):
        return 'Action(%r, %r, %r)' % (self.op, self.subject, self.args)

    def __eq__(self, other):
        return isinstance(other, Action) and (self.op, self.subject, self.args, self.undo) == (
            other.op, other.subject, other.args, other.undo)

    def __ne__(self, other):
        return not self == other


class Plan:
    """Ordered actions plus the state before and the state they lead to.

    before/after map a subject to a plain dict view of it (None: absent);
    they feed the diff and, after a real run, verification.
    """

    def __init__(self, actions, before, after, assumptions=None, warnings=None):
        self.actions = list(actions)
        self.before = before
        self.after = after
        # Things the plan needs that do not exist yet (a namespace, a bridge an
        # earlier task of the same play creates).  Check mode reports them as
        # assumptions; a real run refuses to start while any is unmet.
        self.assumptions = list(assumptions or [])
        # What the user should know that does not stop the run (e.g. the
        # host's firewall drops traffic from the containers to the host itself).
        self.warnings = list(warnings or [])

    @property
    def changed(self):
        return bool(self.actions)

    def diff(self):
        """Before/after for Ansible's --diff, only for subjects that change:
        those the actions name and any whose view differs."""
        touched = [a.subject for a in self.actions]
        touched += sorted(k for k in set(self.before) | set(self.after)
                          if not k.startswith('_') and self.before.get(k) != self.after.get(k))
        subjects = sorted(set(s for s in touched if s in self.before or s in self.after), key=touched.index)
        return {
            'before': dict((s, self.before.get(s)) for s in subjects),
            'after': dict((s, self.after.get(s)) for s in subjects),
        }


class EngineError(Exception):
    """A failure after validation; carries what happened to the plan."""

    def __init__(self, message, applied=None, rolled_back=None, not_rolled_back=None):
        super().__init__(message)
        self.applied = applied or []
        self.rolled_back = rolled_back or []
        self.not_rolled_back = not_rolled_back or []


class Resource:
    """Template for one kind of object.  Subclasses implement specs, read,
    plan, op_<name> methods and summary; everything else is shared.

    The contract, the same for every resource (and what _composite relies on):
    - specs(params) -> desired: the resource's own validated spec; opaque to
      the engine and to composites, which only hand it back to read and plan.
    - read(desired) -> current: {subject: view or None}.  Keys starting with
      '_' are private facts for the resource's own planner (e.g. the links of
      a namespace): never diffed, verified, returned or merged by a composite.
    - plan(desired, current) -> Plan(actions, before, after, assumptions):
      changes nothing, and works from `current` alone (pure) - except
      CgroupResource, which reads cgroupfs while it plans; each action names
      an op_<op> method and carries its undo (op, args), COVERED, or None
      (cannot be undone).  assumptions: things the plan needs that do not
      exist yet; check mode reports them, a real run refuses to start.
    - summary(desired, plan, observed) -> the per-object return values;
      extra_results(plan) -> further return values.
    - predicted(plan) -> what read() would return after the plan (check mode).
    - verify(plan, observed) -> problems: after apply, plan.after against a
      fresh read() (None in a promised view is not compared); override it to
      promise less (what may change by itself, e.g. a group's processes).
    - needs_pyroute2: False for resources that do not write through netlink.
    - seam_factory: what converge builds the seam with (None: the netlink seam).
    """

    # Whether the resource writes through pyroute2 (converge checks it is
    # installed); iptables and cgroupfs resources do not.
    needs_pyroute2 = True
    seam_factory = None

    def __init__(self, seam):
        self.seam = seam

    @staticmethod
    def lock(desired):
        """A context manager held around read, plan, apply and verify: the
        host lock (see _files.HostLock)."""
        del desired
        return HostLock()

    def before_apply(self, plan):
        """Called once before the first change of a real run (intent first:
        see ContainerNetworkResource); by default nothing."""

    def read(self, desired):
        """Current state of the subjects in `desired`, as {subject: view}."""
        raise NotImplementedError

    def plan(self, desired, current):
        """desired + current -> Plan, changing nothing (see the class docstring)."""
        raise NotImplementedError

    @staticmethod
    def specs(params):
        """The module's parameters -> desired state (raises ValidationError)."""
        raise NotImplementedError

    def summary(self, desired, plan, observed):
        """The per-object return values."""
        raise NotImplementedError

    def extra_results(self, plan):
        """Module return values beyond the per-object summary."""
        return {}

    def predicted(self, plan):
        """The state a plan leads to, as read() would return it (what check
        mode reports as the result)."""
        return plan.after

    def execute(self, op, args):
        getattr(self, 'op_' + op)(**args)

    def op_covered(self):
        """Undo of an action that an earlier action's undo already reverts."""

    def verify(self, plan, observed):
        """Differences between what the plan promised and what is there.

        None in a promised view means 'not known before apply' (e.g. the inode
        of a namespace yet to be created) and is not compared."""
        problems = []
        for subject, expected in plan.after.items():
            if subject.startswith('_'):  # resource-private data, not a view
                continue
            found = observed.get(subject)
            if (expected is None) != (found is None):
                problems.append('%s: expected %s, found %s' % (
                    subject, _presence(expected), _presence(found)))
            elif expected is not None:
                problems.extend(_mismatches(subject, expected, found))
        return problems


def _rollback_outcome(rolled_back, stuck):
    if not stuck:
        return 'every change was rolled back'
    return '%d change(s) could not be rolled back: %s' % (len(stuck), '; '.join(a.description for a in stuck))


def _presence(view):
    return 'absent' if view is None else 'present'


def _mismatches(path, expected, found):
    if expected is None:
        return []
    if isinstance(expected, dict) and isinstance(found, dict):
        problems = []
        for key, value in expected.items():
            problems.extend(_mismatches('%s.%s' % (path, key), value, found.get(key)))
        return problems
    return [] if expected == found else ['%s expected %r, found %r' % (path, expected, found)]


class Engine:
    """Runs one Resource for one module invocation."""

    def __init__(self, resource, check_mode=False):
        self.resource = resource
        self.check_mode = check_mode

    def run(self, desired):
        """Returns (plan, observed): observed is the state after the run
        (the predicted state in check mode)."""
        current = self.resource.read(desired)
        plan = self.resource.plan(desired, current)
        if self.check_mode or not plan.changed:
            return plan, self.resource.predicted(plan) if plan.changed else current
        if plan.assumptions:
            raise EngineError('nothing was changed: ' + '; '.join(plan.assumptions))
        self.resource.before_apply(plan)
        self._apply(plan)
        observed = self.resource.read(desired)
        problems = self.resource.verify(plan, observed)
        if problems:
            rolled_back, stuck = self._rollback(plan.actions)
            raise EngineError('verification after apply failed: %s; %s' % (
                '; '.join(problems), _rollback_outcome(rolled_back, stuck)),
                applied=plan.actions, rolled_back=rolled_back, not_rolled_back=stuck)
        return plan, observed

    def _apply(self, plan):
        done = []
        for action in plan.actions:
            try:
                self.resource.execute(action.op, action.args)
            except Exception as exc:  # any failure triggers rollback, then re-raises
                rolled_back, stuck = self._rollback(done)
                raise EngineError(
                    '%s failed: %s' % (action.description, exc),
                    applied=done, rolled_back=rolled_back, not_rolled_back=stuck)
            done.append(action)
            failpoint('action:%d' % len(done))

    def _rollback(self, done):
        rolled_back, stuck = [], []
        for action in reversed(done):
            if action.undo is None:
                stuck.append(action)
                continue
            op, args = action.undo
            try:
                self.resource.execute(op, args)
                rolled_back.append(action)
            except Exception:  # keep undoing the rest; report what stayed
                stuck.append(action)
        return rolled_back, stuck
