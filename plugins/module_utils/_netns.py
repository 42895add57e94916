# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Named network namespaces as an engine Resource.

A namespace's view (what --diff shows and the module returns):
  name        the name under /run/netns
  id          the namespace's nsfs inode (as `lsns`, `ip netns identify` use)
  lo          'up' or 'down'
  owned       True when this collection created it (lo carries our alias)
  forwarding  {'ipv4': bool, 'ipv6': bool} inside the namespace
  sysctls     {name: value} of the net.* sysctls asked for, inside the namespace
A name whose mount point holds no namespace (an interrupted create) has
{'name', 'id': None, 'stale': True} and is repaired by the next run.

Its files, a subject of their own ('netns-files/NAME'): {'resolv.conf': text,
'hosts': text} under /etc/netns/NAME, which `ip netns exec` bind-mounts over
/etc; None where there is none.  Those we wrote start with FILE_MARK: only
they are removed with the namespace.
"""

import os

from ansible_collections.linuxns.net.plugins.module_utils._engine import (
    COVERED, OWNER_MARK, Action, Plan, Resource, is_owned, owner_tag)
from ansible_collections.linuxns.net.plugins.module_utils._files import read_text, rewrite_in_place, write_text
from ansible_collections.linuxns.net.plugins.module_utils._netlink_sysctls import SYSCTL_FORWARDING
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, host_entries, namespace_sysctls, netns_name, pid_exists, resolver, sysctl_path, unique)

NETNS_MARK = owner_tag('netns')
ETC_NETNS = '/etc/netns'
NAMESPACE_FILES = ('resolv.conf', 'hosts')
FILE_MARK = '# %s:' % OWNER_MARK


def namespace_files(name, dns=None, hosts=None, option_prefix=''):
    """{file: text} of the resolv.conf and hosts asked for (validated)."""
    return _named_files(name, _file_lines(dns, hosts, option_prefix))


def _file_lines(dns, hosts, option_prefix):
    """{file: [line]} of the resolv.conf and hosts asked for, validated
    once for however many namespaces get them."""
    lines = {}
    if dns:
        servers, search, options = resolver(dns, option_prefix + 'dns')
        lines['resolv.conf'] = ['nameserver %s' % s for s in servers]
        lines['resolv.conf'] += ['search %s' % ' '.join(search)] if search else []
        lines['resolv.conf'] += ['options %s' % ' '.join(options)] if options else []
    if hosts is not None:
        lines['hosts'] = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback']
        lines['hosts'] += ['%s\t%s' % (address, ' '.join(names)) for address, names in host_entries(hosts, option_prefix + 'hosts')]
    return lines


def _named_files(name, lines):
    """{file: text}: the lines under a header that names the namespace."""
    header = '%s %%s of network namespace %s (ip netns exec %s ... sees it as /etc/%%s)\n' % (FILE_MARK, name, name)
    return dict((file_name, header % (file_name, file_name) + ''.join(line + '\n' for line in body))
                for file_name, body in lines.items())


class NamespaceSpec:
    """One desired namespace, validated."""

    def __init__(self, name, state='present', pid=None, rebind=False, loopback=None, forwarding=None,
                 sysctls=None, files=None):
        self.name = netns_name(name, 'name')
        self.state = state
        self.pid = pid
        self.rebind = rebind
        self.loopback = loopback
        self.forwarding = forwarding
        self.sysctls = sysctls or {}  # validated: {name: value}
        self.files = files or {}  # {file: text}, from namespace_files()

    @property
    def subject(self):
        return subject(self.name)

    @classmethod
    def from_params(cls, params):
        """Specs from the module's parameters; raises ValidationError."""
        groups = _groups(params)
        names = unique([name for group_names, _lines in groups for name in group_names],
                       'namespaces' if params.get('namespaces') else 'name')
        pid = params.get('pid')
        if pid is not None:
            if params['state'] != 'present':
                raise ValidationError('pid', 'adopting a process namespace needs state=present')
            if len(names) != 1:
                raise ValidationError('pid', 'adopting a process namespace needs exactly one name, got %d' % len(names))
            pid_exists(pid)
        sysctls = namespace_sysctls(params['sysctls'], 'sysctls') if params.get('sysctls') else {}
        return [cls(n, params['state'], pid, params.get('rebind', False), params.get('loopback'), params.get('forwarding'),
                    sysctls, _named_files(n, lines)) for group_names, lines in groups for n in group_names]


def _groups(params):
    """[(names, {file: [line]})]: O(name) with O(dns) and O(hosts), or each
    group of O(namespaces); each group's files validated once for its names."""
    if params.get('namespaces'):
        return [([netns_name(n, 'namespaces[%d].name' % i) for n in group['name']],
                 _file_lines(group.get('dns'), group.get('hosts'), 'namespaces[%d].' % i))
                for i, group in enumerate(params['namespaces'])]
    if not params.get('name'):
        raise ValidationError('name', 'give at least one network namespace name')
    return [([netns_name(n, 'name') for n in params['name']], _file_lines(params.get('dns'), params.get('hosts'), ''))]


def files_subject(name):
    return 'netns-files/%s' % name


def _path(name, file_name):
    return os.path.join(ETC_NETNS, name, file_name)


def subject(name):
    return 'netns/%s' % name


def pid_subject(pid):
    return 'pid/%d' % pid


def _forwarding_values(enabled):
    return dict((family, enabled) for family in SYSCTL_FORWARDING)


class NetnsResource(Resource):

    @staticmethod
    def specs(params):
        return NamespaceSpec.from_params(params)

    # -- read -----------------------------------------------------------

    def read(self, desired):
        entries = self.seam.namespaces()
        current = {}
        for spec in desired:
            entry = entries.get(spec.name)
            if entry is None:
                current[spec.subject] = None
            elif entry.stale:
                current[spec.subject] = {'name': spec.name, 'id': None, 'stale': True}
            else:
                current[spec.subject] = self._view(spec.name, spec.name, spec.sysctls)
            if spec.pid is not None:
                current[pid_subject(spec.pid)] = self._view(None, '/proc/%d/ns/net' % spec.pid, spec.sysctls)
            current[files_subject(spec.name)] = dict((f, read_text(_path(spec.name, f))) for f in NAMESPACE_FILES)
        return current

    def _view(self, name, ns_file, sysctls):
        lo_up, alias = self.seam.loopback(ns_file)
        forwarding = {}
        for family, key in SYSCTL_FORWARDING.items():
            value = self.seam.read_sysctl(ns_file, key)
            forwarding[family] = None if value is None else value != '0'
        values = dict((key, self.seam.read_sysctl(ns_file, sysctl_path(key))) for key in sysctls)
        return {'name': name, 'id': self.seam.inode(ns_file), 'lo': 'up' if lo_up else 'down',
                'owned': is_owned(alias), 'forwarding': forwarding,
                'sysctls': dict((key, None if v is None else ' '.join(v.split())) for key, v in values.items())}

    # -- plan (pure) ----------------------------------------------------

    def plan(self, desired, current):
        actions, after = [], dict(current)
        for spec in desired:
            have = current.get(spec.subject)
            files = current.get(files_subject(spec.name)) or dict.fromkeys(NAMESPACE_FILES)
            if spec.state == 'absent':
                ours = dict((f, None) for f, text in files.items() if text is not None and text.startswith(FILE_MARK))
                actions.extend(_plan_files(spec.name, ours, files, after))
                actions.extend(self._plan_absent(spec, have))
                after[spec.subject] = None
                continue
            made, view = self._plan_binding(spec, have, current)
            actions.extend(made)
            actions.extend(self._plan_settings(spec, view))
            actions.extend(_plan_sysctls(spec, view))
            actions.extend(_plan_files(spec.name, spec.files, files, after))
            after[spec.subject] = view
        return Plan(actions, current, after)

    def _plan_absent(self, spec, have):
        if have is None:
            return []
        if have.get('stale'):
            return [Action('remove', spec.subject, 'remove stale network namespace entry %s' % spec.name,
                           {'name': spec.name})]
        return [Action('remove', spec.subject, 'remove network namespace %s' % spec.name,
                       {'name': spec.name}, undo=('restore', {'name': spec.name}))]

    def _plan_binding(self, spec, have, current):
        """Actions that make the name exist and point at the right namespace,
        and the view of that namespace before its settings are applied."""
        actions = []
        if have is not None and have.get('stale'):
            actions.append(Action('remove', spec.subject,
                                  'remove stale network namespace entry %s (left by an interrupted run)' % spec.name,
                                  {'name': spec.name}))
            have = None
        if spec.pid is None:
            if have is not None:
                return actions, dict(have)
            lo_up = spec.loopback != 'down'
            actions.append(Action('create', spec.subject, 'create network namespace %s (lo %s)'
                                  % (spec.name, 'up' if lo_up else 'down'),
                                  {'name': spec.name, 'lo_up': lo_up}, undo=('remove', {'name': spec.name})))
            view = {'name': spec.name, 'id': None, 'lo': 'up' if lo_up else 'down', 'owned': True,
                    'forwarding': _forwarding_values(None), 'sysctls': dict.fromkeys(spec.sysctls)}
            return actions, view
        target = dict(current[pid_subject(spec.pid)], name=spec.name)
        if have is not None and have['id'] == target['id']:
            return actions, dict(have)
        if have is not None:
            if not spec.rebind:
                raise ValidationError('pid', 'network namespace name %s is bound to namespace %s, not to that of pid %d '
                                             '(%s); set rebind=true to re-point the name'
                                      % (spec.name, have['id'], spec.pid, target['id']))
            actions.append(Action('remove', spec.subject, 'unbind network namespace name %s from namespace %s'
                                  % (spec.name, have['id']), {'name': spec.name}, undo=('restore', {'name': spec.name})))
        actions.append(Action('attach', spec.subject, 'name the network namespace of pid %d %s'
                              % (spec.pid, spec.name), {'name': spec.name, 'pid': spec.pid},
                              undo=('remove', {'name': spec.name})))
        return actions, target

    def _plan_settings(self, spec, view):
        """lo and forwarding: changed in place on `view` (the promised state)."""
        actions = []
        if spec.loopback is not None and view['lo'] != spec.loopback:
            actions.append(Action('loopback', spec.subject, 'set lo %s in network namespace %s' % (spec.loopback, spec.name),
                                  {'name': spec.name, 'up': spec.loopback == 'up'},
                                  undo=('loopback', {'name': spec.name, 'up': view['lo'] == 'up'})))
            view['lo'] = spec.loopback
        if spec.forwarding is not None:
            wanted = dict((family, spec.forwarding if have is not None else None)
                          for family, have in view['forwarding'].items())
            if view['id'] is None:  # new namespace: its defaults are known only once it exists
                wanted = _forwarding_values(spec.forwarding)
            if wanted != view['forwarding']:
                actions.append(Action('forwarding', spec.subject, 'turn forwarding %s in network namespace %s'
                                      % ('on' if spec.forwarding else 'off', spec.name),
                                      {'name': spec.name, 'enabled': spec.forwarding},
                                      undo=('restore_forwarding', {'name': spec.name, 'values': view['forwarding']})))
                view['forwarding'] = wanted
        return actions

    # -- ops: the only code here that changes the system ------------------

    def op_create(self, name, lo_up):
        self.seam.create_namespace(name)
        self.seam.set_loopback(name, up=True if lo_up else None, alias=NETNS_MARK)

    def op_attach(self, name, pid):
        self.seam.attach_namespace(name, pid)

    def op_remove(self, name):
        self.seam.remove_namespace(name)

    def op_restore(self, name):
        self.seam.restore_namespace(name)

    def op_loopback(self, name, up):
        self.seam.set_loopback(name, up=up)

    def op_forwarding(self, name, enabled):
        self.op_restore_forwarding(name, _forwarding_values(enabled))

    def op_sysctl(self, name, key, value):
        self.seam.write_sysctl(name, sysctl_path(key), value)

    def op_file(self, path, text):
        if text is not None and os.path.isfile(path):
            rewrite_in_place(path, text)  # running workloads see it bind-mounted
        else:
            write_text(path, text, prune_parent=True)

    def op_restore_forwarding(self, name, values):
        for family, key in SYSCTL_FORWARDING.items():
            # None: not known (new namespace) or not present (no IPv6): skip
            if values.get(family) is not None and self.seam.read_sysctl(name, key) is not None:
                self.seam.write_sysctl(name, key, '1' if values[family] else '0')

    # -- results ----------------------------------------------------------

    def summary(self, desired, plan, observed):
        """Per-namespace return values."""
        results = []
        for spec in desired:
            before = plan.before.get(spec.subject)
            after = observed.get(spec.subject)
            ops = [a.op for a in plan.actions if a.subject in (spec.subject, files_subject(spec.name))]
            entry = dict(after or {'name': spec.name})
            entry.pop('stale', None)
            entry.update({
                'state': 'absent' if after is None else 'present',
                'existed': before is not None and not before.get('stale'),
                'action': _outcome(ops),
                'forwarding_before': before.get('forwarding') if before else None,
                'files': dict((f, text is not None) for f, text in (observed.get(files_subject(spec.name)) or {}).items()),
            })
            results.append(entry)
        return results


def _plan_sysctls(spec, view):
    """Set the sysctls asked for; `view` becomes the promised state."""
    actions = []
    for key, value in sorted(spec.sysctls.items()):
        have = view.setdefault('sysctls', {}).get(key)
        if have is None and view['id'] is not None:
            raise ValidationError('sysctls.' + key, 'network namespace %s has no sysctl %s' % (spec.name, key))
        if have != value:
            # a namespace made by this run goes with its sysctls on rollback
            undo = COVERED if have is None else ('sysctl', {'name': spec.name, 'key': key, 'value': have})
            actions.append(Action('sysctl', spec.subject, 'set %s to %s in network namespace %s (was %s)'
                                  % (key, value, spec.name, have if have is not None else 'the default'),
                                  {'name': spec.name, 'key': key, 'value': value}, undo=undo))
            view['sysctls'][key] = value
    return actions


def _plan_files(name, wanted, files, after):
    """Write (or with None remove) the namespace's files in `wanted`;
    after[files subject] becomes the promised state."""
    actions, promised = [], dict(files)
    for file_name, text in sorted(wanted.items()):
        if files[file_name] != text:
            path = _path(name, file_name)
            actions.append(Action('file', files_subject(name), ('write %s' if text is not None else 'remove %s') % path,
                                  {'path': path, 'text': text}, undo=('file', {'path': path, 'text': files[file_name]})))
            promised[file_name] = text
    if actions:
        after[files_subject(name)] = promised
    return actions


def _outcome(ops):
    if not ops:
        return 'unchanged'
    if 'attach' in ops:
        return 'rebound' if 'remove' in ops else 'adopted'
    if 'create' in ops:
        return 'created'
    if [op for op in ops if op != 'file'] == ['remove']:  # our files go with it
        return 'removed'
    return 'updated'
