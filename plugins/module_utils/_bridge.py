# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bridges as an engine Resource: gateway addresses, STP, forward delay,
ports and hairpin.  The view is a link view (see _links) plus stp,
forward_delay (seconds), ports and hairpin (sorted port names).
"""

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, is_owned, owner_tag
from ansible_collections.linuxns.net.plugins.module_utils._link_reader import CLOCK_TICKS, LinkReader, link_view
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import BridgeSpec, where
from ansible_collections.linuxns.net.plugins.module_utils._links import (
    LinkResource, delete_action, fresh_view, plan_settings, refuse_foreign_kind)
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, missing_netns

BRIDGE_MARK = owner_tag('bridge')
BRIDGE_DEFAULT_FORWARD_DELAY = 15.0  # seconds, the kernel's default


class BridgeResource(LinkResource):
    list_key = 'bridges'
    spec_class = BridgeSpec

    def read(self, desired):
        reader = LinkReader(self.seam)
        current = {'_links': {}, '_foreign_ports': {}}
        for spec in desired:
            end = spec.link
            links = reader.links(end.netns)
            current['_links'][end.netns] = links
            link = links.get(end.name) if links else None
            view = None
            if link is not None:
                view = link_view(link, end.name, end.netns)
                if link['kind'] == 'bridge':
                    ports = dict((n, l) for n, l in links.items() if l['master'] == end.name)
                    view['ports'] = sorted(ports)
                    view['hairpin'] = sorted(n for n, l in ports.items() if l['hairpin'])
                    current['_foreign_ports'][end.subject] = sorted(
                        n for n, l in ports.items() if not is_owned(l['alias']))
            current[end.subject] = view
        return current

    def plan(self, desired, current):
        actions, after, assumptions = [], dict(current), []
        self._verified = desired
        for spec in desired:
            end, view = spec.link, current.get(spec.link.subject)
            refuse_foreign_kind(end, view, 'bridge')
            if spec.absent:
                if view is not None:
                    foreign = [p for p in current['_foreign_ports'][end.subject] if p not in (spec.ports or [])]
                    if foreign and not spec.force:
                        raise ValidationError(end.prefix + 'force', 'bridge %s in %s has ports this collection did not '
                                              'create (%s); set force=true to delete the bridge (the ports are kept)'
                                              % (end.name, where(end.netns), ', '.join(foreign)))
                    actions.append(delete_action(end, 'bridge'))
                after[end.subject] = None
                continue
            links = current['_links'].get(end.netns)
            if view is None:
                if links is None and end.netns is not None:
                    assumptions.append(missing_netns(end.netns, end.prefix))
                stp = bool(spec.stp)
                delay = spec.forward_delay if spec.forward_delay is not None else BRIDGE_DEFAULT_FORWARD_DELAY
                actions.append(Action('create', end.subject, 'create bridge %s in %s' % (end.name, where(end.netns)),
                                      {'netns': end.netns, 'name': end.name, 'stp': stp,
                                       'forward_delay': int(round(delay * CLOCK_TICKS))},
                                      undo=('delete', {'netns': end.netns, 'name': end.name})))
                view = dict(fresh_view(end, 'bridge'), stp=stp, forward_delay=delay, ports=[], hairpin=[])
            else:
                view = dict(view)
                actions.extend(self._plan_bridge_options(spec, view))
            actions.extend(plan_settings(end, view, links, assumptions))
            actions.extend(self._plan_ports(spec, view, links, assumptions))
            after[end.subject] = view
        return Plan(actions, current, after, assumptions)

    @staticmethod
    def _plan_bridge_options(spec, view):
        end, changes, undo = spec.link, {}, {}
        if spec.stp is not None and view['stp'] != spec.stp:
            changes['stp'], undo['stp'] = spec.stp, view['stp']
            view['stp'] = spec.stp
        if spec.forward_delay is not None and view['forward_delay'] != spec.forward_delay:
            changes['forward_delay'] = int(round(spec.forward_delay * CLOCK_TICKS))
            undo['forward_delay'] = int(round(view['forward_delay'] * CLOCK_TICKS))
            view['forward_delay'] = spec.forward_delay
        if not changes:
            return []
        text = ', '.join('%s %s' % (k, view[k]) for k in sorted(changes))
        return [Action('bridge_options', end.subject, 'set %s of bridge %s in %s' % (text, end.name, where(end.netns)),
                       dict(changes, netns=end.netns, name=end.name), undo=('bridge_options', dict(undo, netns=end.netns, name=end.name)))]

    @staticmethod
    def _plan_ports(spec, view, links, assumptions):
        end, actions, ns = spec.link, [], spec.link.netns
        ports = list(view['ports'])
        for port in spec.ports or []:
            if port in ports:
                continue
            link = (links or {}).get(port)
            if link is None:
                assumptions.append('%sports: interface %s does not exist in %s' % (end.prefix, port, where(ns)))
            elif link['kind'] == 'bridge' or port == end.name:
                raise ValidationError(end.prefix + 'ports', '%s is a bridge and cannot be a port of %s' % (port, end.name))
            actions.append(Action('set_link', end.subject, 'attach %s to bridge %s in %s' % (port, end.name, where(ns)),
                                  {'netns': ns, 'name': port, 'master': end.name},
                                  undo=('set_link', {'netns': ns, 'name': port, 'master': link['master'] if link else None})))
            ports.append(port)
        if spec.purge_ports and spec.ports is not None:
            for port in [p for p in ports if p not in spec.ports]:
                actions.append(Action('set_link', end.subject, 'release %s from bridge %s in %s' % (port, end.name, where(ns)),
                                      {'netns': ns, 'name': port, 'master': None},
                                      undo=('set_link', {'netns': ns, 'name': port, 'master': end.name})))
                ports.remove(port)
        for port in spec.hairpin:
            if port not in ports:
                raise ValidationError(end.prefix + 'hairpin', '%s is not a port of bridge %s' % (port, end.name))
            if port not in view['hairpin']:
                actions.append(Action('hairpin', end.subject, 'turn hairpin on for port %s of bridge %s' % (port, end.name),
                                      {'netns': ns, 'name': port, 'enabled': True},
                                      undo=('hairpin', {'netns': ns, 'name': port, 'enabled': False})))
        if sorted(ports) != view['ports']:
            # the kernel derives a bridge's mtu and mac from its ports unless they were set
            if end.mtu is None:
                view['mtu'] = None
            if end.mac is None:
                view['mac'] = None
        view['ports'] = sorted(ports)
        view['hairpin'] = sorted(set(view['hairpin']) | set(spec.hairpin))
        return actions

    def verify(self, plan, observed):
        # Ports not managed here (ports omitted) may be attached by a later
        # part of the same plan, and the kernel then derives mtu and mac from
        # them: only what this spec asked for is promised.
        unmanaged = dict((spec.link.subject, spec) for spec in self._verified if spec.ports is None and not spec.absent)
        after = dict(plan.after)
        for subject, spec in unmanaged.items():
            if after.get(subject):
                after[subject] = dict(after[subject], ports=None, hairpin=None,
                                      mtu=after[subject]['mtu'] if spec.link.mtu else None,
                                      mac=after[subject]['mac'] if spec.link.mac else None)
        return super().verify(Plan(plan.actions, plan.before, after), observed)

    def op_create(self, netns, name, stp, forward_delay):
        self.seam.add_bridge(netns, name, stp, forward_delay)
        self.seam.set_link(netns, name, ifalias=BRIDGE_MARK)

    def op_bridge_options(self, netns, name, stp=None, forward_delay=None):
        self.seam.set_bridge(netns, name, stp, forward_delay)

    def op_hairpin(self, netns, name, enabled):
        self.seam.set_hairpin(netns, name, enabled)
