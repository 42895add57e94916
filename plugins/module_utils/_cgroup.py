# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cgroup limits as an engine Resource, one vocabulary for cgroup v1 and v2.

A group's view (what --diff shows, in human units):
  path (relative to the hierarchy root), version ('v1', 'v2' or 'hybrid'),
  cpu (CPUs as a number, or 'max'), cpu_period (us), cpu_weight (v2 scale
  1-10000; v1 shares are converted), memory and memory_swap ('128M', or
  'max'), pids_max (number or 'max'), cpuset_cpus ('0-1'), members (pids).
Values are compared as the kernel reports them: memory rounded down to
pages, 'max' for unlimited, shares converted to weight.

The spec is _cgroup_spec's, the unit conversions _cgroup_units', which file
holds which limit on v1 and v2 _cgroup_files'; here: reading a group, planning
and the ops.  Unlike the netlink planners, this planner reads cgroupfs
through the seam while it plans (whether a directory exists, what a parent
hands down to its children); it never writes.
"""

import errno
import os
import time

from ansible_collections.linuxns.net.plugins.module_utils._cgroup_files import read_limits, writes
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_removal import plan_removal, plan_unused_ancestors, removed_dirs
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_spec import LIMITS, OPTION_CONTROLLER, CgroupSpec
from ansible_collections.linuxns.net.plugins.module_utils._cgroup_units import parse_size, shown
from ansible_collections.linuxns.net.plugins.module_utils._cgroupfs import CgroupFs, Hierarchy
from ansible_collections.linuxns.net.plugins.module_utils._engine import COVERED, Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._kernel import NETNS_RUN_DIR
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, missing_netns, unique

RMDIR_PATIENCE = 3.0  # seconds a group of ours may stay busy with exiting processes before removing it fails


class CgroupResource(Resource):
    needs_pyroute2 = False
    seam_factory = CgroupFs  # cgroupfs, not netlink

    def __init__(self, seam=None):
        super().__init__(seam or CgroupFs())

    @staticmethod
    def with_namespaces(current, exists):
        """`current` as it will be once the namespaces for which exists(name)
        is true are made (by an earlier part of a composite plan)."""
        groups = {}
        for path, group in current['_groups'].items():
            if group['missing_netns'] and exists(path.rsplit('/', 1)[1]):
                group = dict(group, missing_netns=False)
            groups[path] = group
        return dict(current, _groups=groups)

    @staticmethod
    def specs(params):
        """One group from the top-level options, or one per entry of `groups`
        (each entry inherits parent and members_on_remove from the top level)."""
        if not params.get('groups'):
            if not params.get('name'):
                raise ValidationError('name', 'give name (one group) or groups (a list)')
            return [CgroupSpec(params)]
        inherited = dict((k, params.get(k)) for k in ('parent', 'members_on_remove'))
        specs = []
        for index, entry in enumerate(params['groups']):
            try:
                specs.append(CgroupSpec(dict(inherited, **dict((k, v) for k, v in entry.items() if v is not None)),
                                        'groups[%d].' % index))
            except ValidationError as exc:
                raise ValidationError('groups[%d].%s' % (index, exc.option), exc.message)
        unique([spec.path for spec in specs], 'groups')
        return specs

    def read(self, desired):
        self.seam.forget()
        hierarchies = self.seam.hierarchies()
        current = {'_hierarchies': hierarchies, '_groups': {}, '_origin': {}, '_tree': {}}
        for spec in desired:
            group = {'used': self._used(spec, hierarchies), 'netns_pids': [], 'missing_netns': False}
            if spec.netns:
                netns_file = os.path.join(NETNS_RUN_DIR, spec.netns)
                if os.path.exists(netns_file):
                    group['netns_pids'] = self.seam.pids_in_netns(netns_file)
                else:  # check mode may run before the task that creates it
                    group['missing_netns'] = True
            for pid in set(spec.processes) | set(group['netns_pids']):
                current['_origin'][pid] = self._cgroup_of(pid)
            current['_groups'][spec.path] = group
            current[spec.path] = self._view(spec.path, group['used'])
            if spec.state == 'absent':
                self._read_tree(spec.path, group['used'], current['_tree'])
        return current

    def _read_tree(self, path, used, tree):
        """What decides whether the ancestors of a group to remove go with
        it: for the group and each ancestor in each hierarchy, our mark, its
        child groups and processes (None: the directory does not exist)."""
        for hierarchy in set(used.values()):
            relative = path
            while True:
                full = hierarchy.path(relative)
                if full not in tree:
                    tree[full] = self._node(hierarchy, relative)
                if not relative:
                    break
                relative = os.path.dirname(relative)

    def _node(self, hierarchy, relative):
        full = hierarchy.path(relative)
        if not self.seam.exists(full):
            return None
        node = {'path': relative, 'v2': hierarchy.version == 2, 'children': self.seam.children(full),
                'mark': self.seam.read_mark(full) if relative else None,  # the root is never ours
                'procs': self.seam.procs(full) if relative else []}
        if node['v2']:
            node['subtree'] = (self.seam.read(os.path.join(full, 'cgroup.subtree_control')) or '').split()
        return node

    def _used(self, spec, hierarchies):
        """{controller: Hierarchy} this group needs: those of its limits, plus
        any where it already exists (so members join it everywhere)."""
        used = {}
        for option in spec.limits:
            controller = OPTION_CONTROLLER.get(option)
            if controller and controller not in hierarchies:
                offered = ' '.join(sorted(hierarchies)) or 'none'
                raise ValidationError(option, 'the %s controller is not available here (available: %s); '
                                              'this limit cannot be enforced' % (controller, offered))
            if controller:
                used[controller] = hierarchies[controller]
        swap_file = 'memory.memsw.limit_in_bytes' if used.get('memory', Hierarchy(2, '')).version == 1 else 'memory.swap.max'
        if 'memory_swap' in spec.limits and self.seam.read(os.path.join(used['memory'].mount, swap_file)) is None \
                and used['memory'].version == 1:
            raise ValidationError('memory_swap', 'swap accounting is off on this host (no %s); '
                                                 'this limit cannot be enforced' % swap_file)
        for controller in ('cpu', 'memory', 'pids', 'cpuset'):
            hierarchy = hierarchies.get(controller)
            if hierarchy and controller not in used and self._controls(hierarchy, controller, spec.path):
                used[controller] = hierarchy
        if not used:  # membership only: the pids controller is the cheapest home
            for controller in ('pids', 'cpu', 'memory'):
                if controller in hierarchies:
                    used[controller] = hierarchies[controller]
                    break
        return used

    def _controls(self, hierarchy, controller, path):
        """Whether `controller` acts on the group at `path`: on v1 the group
        exists in its hierarchy; on v2 the group's cgroup.controllers lists it
        (its parent hands it down), else none of its files exist."""
        if hierarchy.version == 1:
            return self.seam.exists(hierarchy.path(path))
        return controller in (self.seam.read(os.path.join(hierarchy.path(path), 'cgroup.controllers')) or '').split()

    def _cgroup_of(self, pid):
        """{hierarchy version/controllers: path} from /proc/PID/cgroup."""
        text = self.seam.read('/proc/%d/cgroup' % pid) or ''
        origin = {}
        for line in text.splitlines():
            _number, controllers, path = line.split(':', 2)
            for controller in controllers.split(',') if controllers else ['']:
                origin[controller] = path.lstrip('/')
        return origin

    def _view(self, path, used):
        paths = sorted(set(h.path(path) for h in used.values()))
        if not any(self.seam.exists(p) for p in paths):
            return None
        view = {'path': path, 'version': _version(used), 'paths': paths}
        for controller, hierarchy in used.items():
            view.update(read_limits(self._reader(hierarchy.path(path)), controller, hierarchy.version))
        view['members'] = self.seam.procs(paths[0])
        return view

    def _reader(self, path):
        """read(name): the content of the file `name` of the group at `path`."""
        return lambda name: self.seam.read(os.path.join(path, name))

    def plan(self, desired, current):
        actions, after, assumptions, planned = [], dict(current), [], set()
        groups, ancestors = removed_dirs(desired, current)
        removed = groups | ancestors
        for spec in desired:
            group, have = current['_groups'][spec.path], current.get(spec.path)
            if spec.state == 'absent':
                actions.extend(plan_removal(self.seam, spec, group, have, removed, current['_tree']))
                after[spec.path] = None
                continue
            actions.extend(a for a in self._plan_directories(spec, group['used']) if _first(a, planned))
            view = dict(have) if have else self._fresh_view(spec, group['used'])
            actions.extend(self._plan_limits(spec, group['used'], view))
            actions.extend(self._plan_members(spec, group, view, current['_origin']))
            after[spec.path] = view
            if group['missing_netns']:
                assumptions.append(missing_netns(spec.netns, spec.prefix))
        actions.extend(plan_unused_ancestors(current['_tree'], ancestors, removed))
        return Plan(actions, current, after, assumptions)

    @staticmethod
    def _plan_members(spec, group, view, origins):
        actions = []
        wanted = sorted(set(spec.processes) | set(group['netns_pids']))
        for pid in wanted:
            if pid not in view['members'] and origins.get(pid):  # no origin: it exited since the walk over /proc
                for controller, hierarchy in sorted(group['used'].items()):
                    origin = origins[pid].get(controller if hierarchy.version == 1 else '', '')
                    if origin == spec.path:
                        continue  # forked into the group after its member list was read (a shell's children)
                    actions.append(Action('attach', spec.path, 'move pid %d into %s (%s)' % (pid, spec.path, controller),
                                          {'path': hierarchy.path(spec.path), 'pid': pid},
                                          undo=('attach', {'path': hierarchy.path(origin), 'pid': pid})))
        view['members'] = sorted(set(view['members']) | set(wanted))
        return actions

    def _plan_directories(self, spec, used):
        """Walk down from the hierarchy root: on v2 a controller reaches a
        group only if every ancestor lists it in cgroup.subtree_control, so
        each level is enabled in its parent right after that parent exists."""
        actions = []
        parts = spec.path.split('/')
        for hierarchy in sorted(set(used.values()), key=lambda h: h.mount):
            controllers = sorted(c for c, h in used.items() if h == hierarchy)
            for depth in range(len(parts)):
                parent, path = '/'.join(parts[:depth]), '/'.join(parts[:depth + 1])
                enable = self._plan_enable(spec, hierarchy, parent, controllers) if hierarchy.version == 2 else []
                actions.extend(enable)
                if not self.seam.exists(hierarchy.path(path)):
                    shared = depth + 1 < len(parts)  # an ancestor other runs may create or fill at the same time
                    # the mark says it is ours, and what its parent hands down because of it
                    mark = {'enabled': enable[0].args['controllers'] if enable else []}
                    actions.append(Action('mkdir', spec.path, 'create cgroup %s (%s)' % (path, ', '.join(controllers)),
                                          {'path': hierarchy.path(path), 'exist_ok': shared, 'mark': mark,
                                           'cpuset': 'cpuset' in controllers and hierarchy.version == 1},
                                          undo=('rmdir', {'path': hierarchy.path(path), 'busy_ok': shared})))
        return actions

    def _plan_enable(self, spec, hierarchy, parent, controllers):
        """v2: the controllers `parent` does not yet hand down to its children
        (all of them when `parent` is about to be created)."""
        enabled = (self.seam.read(os.path.join(hierarchy.path(parent), 'cgroup.subtree_control')) or '').split()
        missing = [c for c in controllers if c not in enabled]
        if not missing:
            return []
        return [Action('enable', spec.path, 'enable %s for the children of %s' % (', '.join(missing), parent or 'the cgroup root'),
                       {'path': hierarchy.path(parent), 'controllers': missing})]

    @staticmethod
    def _fresh_view(spec, used):
        """A group about to be made: limits not asked for stay at defaults we
        only know once it exists (None: not compared)."""
        view = {'path': spec.path, 'version': _version(used), 'paths': sorted(set(h.path(spec.path) for h in used.values())),
                'members': []}
        for option in LIMITS:
            if OPTION_CONTROLLER.get(option, 'cpu') in used:
                view[option] = None
        return view

    def _plan_limits(self, spec, used, view):
        actions = []
        changed = dict((k, v) for k, v in spec.limits.items() if view.get(k) != v)
        if 'cpu' in changed or 'cpu_period' in changed:
            changed['cpu'], changed['cpu_period'] = spec.limits['cpu'], spec.limits['cpu_period']
        order = list(LIMITS)
        memory_first = self._memory_first(spec, view)
        if not memory_first:
            order.remove('memory')
            order.insert(order.index('memory_swap') + 1, 'memory')
        for option in order:
            if option not in changed or option == 'cpu_period':
                continue
            controller = OPTION_CONTROLLER[option]
            hierarchy = used[controller]
            target = dict(view, **changed)
            base = hierarchy.path(spec.path)
            files = writes(option, hierarchy.version, target, view)
            new = [(os.path.join(base, name), value) for name, value, old in files]
            old = [(os.path.join(base, name), old) for name, value, old in reversed(files)]
            # a group made by this run takes its settings along when rollback removes it
            undo = COVERED if any(value is None for path, value in old) else ('write', {'files': old})
            actions.append(Action('write', spec.path, 'set %s of %s to %s (was %s)' % (
                option, spec.path, shown(option, target), shown(option, view)), {'files': new}, undo=undo))
        view.update(changed)
        return actions

    @staticmethod
    def _memory_first(spec, view):
        """v1 keeps memory <= memory+swap: raise the total first when memory grows past it."""
        memory = spec.limits.get('memory')
        if memory == 'max' or 'max' in (view.get('memory_swap'), view.get('memory')) \
                or None in (memory, view.get('memory_swap'), view.get('memory')):
            return True
        return parse_size(memory, 'memory') <= parse_size(view['memory'], 'memory') + parse_size(view['memory_swap'], 'memory')

    # -- ops -------------------------------------------------------------------

    def op_mkdir(self, path, cpuset, exist_ok=False, mark=None):
        try:
            self.seam.mkdir(path)
        except OSError as exc:
            if not (exist_ok and exc.errno == errno.EEXIST):
                raise
            return  # made by someone else meanwhile: not ours, left unmarked
        if mark is not None:
            self.seam.write_mark(path, mark)
        if cpuset:  # a v1 cpuset group is unusable until it has cpus and mems
            parent = os.path.dirname(path)
            for name in ('cpuset.mems', 'cpuset.cpus'):
                self.seam.write(os.path.join(path, name), self.seam.read(os.path.join(parent, name)))

    def op_rmdir(self, path, busy_ok=False):
        """Remove a group.  One of ours still busy holds processes the plan
        could not see: members of a killed workload's PID namespace that are
        still exiting, or children forked after the plan read the group.
        They go to the parent, as the plan moved the others, for up to
        RMDIR_PATIENCE seconds."""
        deadline = time.monotonic() + RMDIR_PATIENCE
        while True:
            try:
                self.seam.rmdir(path)
                return
            except OSError as exc:
                if busy_ok and exc.errno in (errno.ENOTEMPTY, errno.EBUSY, errno.ENOENT):
                    return
                if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                    raise
            for pid in self.seam.procs(path):
                self.op_attach(os.path.dirname(path), pid)
            time.sleep(0.05)

    def op_enable(self, path, controllers):
        self.seam.write(os.path.join(path, 'cgroup.subtree_control'), ' '.join('+' + c for c in controllers))

    def op_disable(self, path, controllers):
        self.seam.write(os.path.join(path, 'cgroup.subtree_control'), ' '.join('-' + c for c in controllers))

    def op_write(self, files):
        for path, value in files:
            self.seam.write(path, value)

    def op_attach(self, path, pid):
        try:
            self.seam.attach(path, pid)
        except OSError as exc:
            if exc.errno != errno.ESRCH:  # a process that exited meanwhile needs no moving
                raise

    def verify(self, plan, observed):
        # processes may exit between planning and verifying: only limits and
        # the group's existence are promised
        trimmed = Plan(plan.actions, plan.before, dict(
            (k, dict(v, members=None) if isinstance(v, dict) else v) for k, v in plan.after.items()))
        return super().verify(trimmed, observed)

    def summary(self, desired, plan, observed):
        results = []
        for spec in desired:
            view = observed.get(spec.path)
            result = dict(view) if view else {'path': spec.path, 'paths': []}
            result['state'] = 'present' if view else 'absent'
            results.append(result)
        return results


def _first(action, planned):
    """Whether no earlier group of the same call planned this action (a
    shared ancestor is created and enabled once)."""
    key = (action.op, repr(sorted(action.args.items())))
    if key in planned:
        return False
    planned.add(key)
    return True


def _version(used):
    versions = set(h.version for h in used.values())
    return 'hybrid' if len(versions) > 1 else 'v%d' % (versions.pop() if versions else 2)
