# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""veth pairs as an engine Resource: one end, its peer, both in named
namespaces or the module's own; the pair is created with its peer already in
its namespace under its name.  The view of each end is a link view (see
_links) plus peer {name, netns}.
"""

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, owner_tag
from ansible_collections.linuxns.net.plugins.module_utils._link_reader import LinkReader, link_view
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import VethSpec, specs_from, where
from ansible_collections.linuxns.net.plugins.module_utils._links import (
    DEFAULT_MTU, LinkResource, delete_action, fresh_view, plan_settings, refuse_foreign_kind)
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, missing_netns, unique

VETH_MARK = owner_tag('veth')


def _mark(peer_netns):
    """linuxns.net:veth, then :NETNS when the other end is in a named namespace."""
    return VETH_MARK + (':' + peer_netns if peer_netns else '')


class VethResource(LinkResource):

    @staticmethod
    def specs(params):
        specs = specs_from(params, 'pairs', VethSpec)
        unique([s.end.subject for s in specs] + [s.peer.subject for s in specs if s.peer], 'pairs')
        return specs

    def read(self, desired):
        reader = LinkReader(self.seam)
        current = {'_links': {}}
        for spec in desired:
            self._read_end(reader, current, spec.end, spec.peer.netns if spec.peer else None)
            peer = spec.peer_in(current)
            if peer is not None:
                self._read_end(reader, current, peer, spec.end.netns)
        return current

    @staticmethod
    def _read_end(reader, current, end, peer_netns):
        link = reader.link(end.netns, end.name)
        view = None
        if link is not None:
            view = link_view(link, end.name, end.netns)
            if link['kind'] == 'veth':
                name, netns = reader.peer_of(link, end.netns, peer_netns)
                view['peer'] = {'name': name, 'netns': netns}
        current[end.subject] = view
        current['_links'][end.netns] = reader.links(end.netns)

    def plan(self, desired, current):
        actions, after, assumptions = [], dict(current), []
        for spec in desired:
            if spec.absent:
                actions.extend(self._plan_absent(spec, current, after))
                continue
            ends = (spec.end, spec.peer)
            views = [current.get(e.subject) for e in ends]
            for end, view in zip(ends, views):
                refuse_foreign_kind(end, view, 'veth')
            if not _paired(spec.end, spec.peer, views) and any(views):
                if not spec.recreate:
                    raise ValidationError('recreate' if not spec.end.prefix else spec.end.prefix + 'recreate',
                                          _mismatch(spec, views) + '; set recreate=true to delete and recreate it')
                for end, view in zip(ends, views):
                    if view is not None:
                        actions.append(delete_action(end, 'veth'))
                views = [None, None]
            if views == [None, None]:
                for end in ends:
                    if current['_links'].get(end.netns) is None and end.netns is not None:
                        assumptions.append(missing_netns(end.netns, end.prefix))
                settings = _creation_settings(spec, current['_links'].get(spec.end.netns), assumptions)
                actions.append(Action('create', spec.end.subject, 'create veth pair %s in %s with peer %s in %s'
                                      % (spec.end.name, where(spec.end.netns), spec.peer.name, where(spec.peer.netns)),
                                      dict(settings, netns=spec.end.netns, name=spec.end.name,
                                           peer_netns=spec.peer.netns, peer_name=spec.peer.name),
                                      undo=('delete', {'netns': spec.end.netns, 'name': spec.end.name})))
                views = [fresh_view(e, 'veth') for e in ends]
                views[0].update(mtu=settings.get('mtu', DEFAULT_MTU), master=settings.get('master'),
                                state='up' if settings.get('up') else 'down')
                views[1].update(mtu=settings.get('mtu', DEFAULT_MTU), state='up' if settings.get('peer_up') else 'down')
            for end, other, view in ((spec.end, spec.peer, views[0]), (spec.peer, spec.end, views[1])):
                view = dict(view, peer={'name': other.name, 'netns': other.netns})
                actions.extend(plan_settings(end, view, current['_links'].get(end.netns), assumptions))
                after[end.subject] = view
        return Plan(actions, current, after, assumptions)

    @staticmethod
    def _plan_absent(spec, current, after):
        """Delete the pair; deleting one end removes both, so a pair that is
        paired as expected (or found by the end's name) needs one delete."""
        peer = spec.peer_in(current)
        ends = [end for end in (spec.end, peer) if end is not None]
        views = [current.get(end.subject) for end in ends]
        for end, view in zip(ends, views):
            refuse_foreign_kind(end, view, 'veth')
        paired = peer is not None and _paired(spec.end, peer, views)
        actions = []
        for end, view in zip(ends, views):
            if view is not None and not (end is peer and paired):
                actions.append(delete_action(end, 'veth'))
            after[end.subject] = None
        return actions

    def op_create(self, netns, name, peer_netns, peer_name, mtu=None, master=None, up=False, peer_up=False):
        self.seam.add_veth(netns, name, peer_netns, peer_name, mtu=mtu, master=master, up=up)
        # each end's alias names where its peer is (`ip link` shows it): a container's
        # name beside a host end whose own name is a hash (container_network's long names)
        self.seam.set_link(netns, name, ifalias=_mark(peer_netns))
        self.seam.set_link(peer_netns, peer_name, ifalias=_mark(netns), **({'state': 'up'} if peer_up else {}))

    def _result(self, spec, plan, observed):
        peer = spec.peer_in(plan.before)
        ends = [_end_result(spec.end, observed),
                _end_result(peer, observed) if peer else {'name': None, 'netns': None, 'state': 'absent'}]
        ends[0]['peer_index'] = ends[1].get('index')
        ends[1]['peer_index'] = ends[0].get('index')
        subjects = (spec.end.subject,) + ((peer.subject,) if peer else ())
        return {'name': spec.end.name, 'netns': spec.end.netns, 'end': ends[0], 'peer': ends[1],
                'action': self._outcome(subjects, plan)}


def _end_result(end, observed):
    view = observed.get(end.subject)
    return dict(view, state='present') if view else {'name': end.name, 'netns': end.netns, 'state': 'absent'}


def _creation_settings(spec, links, assumptions):
    """What the create request itself can set, so a new pair costs no
    further requests: a common mtu, the first end's bridge and both ends'
    state.  Addresses come after: they need the link to exist.  A device
    of another kind under the bridge's name is left to plan_settings, which
    refuses it."""
    settings = {'up': spec.end.state == 'up', 'peer_up': spec.peer.state == 'up'}
    if spec.end.mtu is not None and spec.end.mtu == spec.peer.mtu:
        settings['mtu'] = spec.end.mtu
    if spec.end.bridge:
        bridge = (links or {}).get(spec.end.bridge)
        if bridge is None:
            assumptions.append('%sbridge: bridge %s does not exist in %s' % (spec.end.prefix, spec.end.bridge, where(spec.end.netns)))
        if bridge is None or bridge['kind'] == 'bridge':
            settings['master'] = spec.end.bridge
    return settings


def _paired(end, peer, views):
    a, b = views
    return (a is not None and b is not None
            and a.get('peer') == {'name': peer.name, 'netns': peer.netns}
            and b.get('peer') == {'name': end.name, 'netns': end.netns})


def _mismatch(spec, views):
    parts = []
    for end, other, view in ((spec.end, spec.peer, views[0]), (spec.peer, spec.end, views[1])):
        if view is None:
            parts.append('%s in %s does not exist' % (end.name, where(end.netns)))
        elif view.get('peer') != {'name': other.name, 'netns': other.netns}:
            peer = view.get('peer') or {}
            parts.append('%s in %s is paired with %s in %s, not with %s in %s' % (
                end.name, where(end.netns), peer.get('name') or 'an interface', peer.get('netns') or 'another namespace',
                other.name, where(other.netns)))
    return 'the existing pair differs: ' + '; '.join(parts)
