# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VXLAN devices as an engine Resource: the overlay between hosts.

A vxlan device's view is a link view (see _links) plus vni, local (underlay
source address), port (UDP), dev (underlay interface), learning and peers:
the remote VTEPs in its flood list (permanent all-zero-MAC forwarding
entries), which is how one device reaches many hosts without multicast.
vni, local, port and dev cannot change in place (the kernel refuses): a
device that differs is recreated only when asked to.
"""

import ipaddress

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, owner_tag
from ansible_collections.linuxns.net.plugins.module_utils._link_reader import LinkReader, link_view
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import LinkEnd, where
from ansible_collections.linuxns.net.plugins.module_utils._links import (
    LinkResource, delete_action, fresh_view, plan_settings, refuse_foreign_kind)
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, interface_name, ip_address, missing_netns, unique)

VXLAN_MARK = owner_tag('vxlan')
IANA_PORT = 4789
IDENTITY = ('vni', 'local', 'port', 'dev')  # fixed at creation


class VxlanSpec:
    def __init__(self, params, prefix=''):
        self.state = params.get('state') or 'present'
        self.link = LinkEnd(dict(params, state='down' if self.state == 'down' else 'up'), prefix)
        self.recreate = bool(params.get('recreate'))
        self.learning = params.get('learning') is not False
        if self.absent:
            return
        if params.get('vni') is None:
            raise ValidationError(prefix + 'vni', 'a vxlan device needs a VNI (1-16777215)')
        self.vni = integer_range(params['vni'], prefix + 'vni', 1, 2 ** 24 - 1)
        port = params.get('port')
        self.port = integer_range(IANA_PORT if port is None else port, prefix + 'port', 1, 65535)
        self.dev = interface_name(params['dev'], prefix + 'dev') if params.get('dev') else None
        local = ip_address(params['local'], prefix + 'local') if params.get('local') else None
        self.local = str(local) if local else None
        self.peers = None
        if params.get('peers') is not None:
            peers = [ip_address(p, prefix + 'peers') for p in params['peers']]
            if local and any(p.version != local.version for p in peers):
                raise ValidationError(prefix + 'peers', 'every peer must be an IPv%d address like local %s'
                                      % (local.version, local))
            if local and local in peers:
                raise ValidationError(prefix + 'peers', '%s is the local address, not a peer' % local)
            self.peers = sorted(unique([str(p) for p in peers], prefix + 'peers'), key=ipaddress.ip_address)
        self.purge_peers = params.get('purge_peers') is not False

    @property
    def absent(self):
        return self.state == 'absent'

    def identity(self):
        return dict((key, getattr(self, key)) for key in IDENTITY)


class VxlanResource(LinkResource):
    list_key = 'devices'
    spec_class = VxlanSpec

    def read(self, desired):
        reader = LinkReader(self.seam)
        current = {'_links': {}}
        for spec in desired:
            end = spec.link
            links = reader.links(end.netns)
            current['_links'][end.netns] = links
            link = links.get(end.name) if links else None
            view = link_view(link, end.name, end.netns) if link else None
            if link is not None and link['kind'] == 'vxlan':
                view.update((key, link[key]) for key in IDENTITY + ('learning',))
                view['peers'] = sorted(self.seam.flood_list(end.netns, link['index']), key=ipaddress.ip_address)
            current[end.subject] = view
        return current

    def plan(self, desired, current):
        actions, after, assumptions = [], dict(current), []
        for spec in desired:
            end, view = spec.link, current.get(spec.link.subject)
            refuse_foreign_kind(end, view, 'vxlan')
            if spec.absent:
                if view is not None:
                    actions.append(delete_action(end, 'vxlan'))
                after[end.subject] = None
                continue
            links = current['_links'].get(end.netns)
            if view is not None and _differs(spec, view):
                if not spec.recreate:
                    raise ValidationError(end.prefix + 'recreate', 'vxlan %s in %s has %s; these cannot change in '
                                          'place: set recreate=true to delete and recreate it'
                                          % (end.name, where(end.netns), _differs(spec, view)))
                actions.append(delete_action(end, 'vxlan'))
                view = None
            if view is None:
                actions.append(self._create(spec, links, assumptions))
                # the kernel picks the mtu (underlay mtu - 50) and a random mac
                view = dict(fresh_view(end, 'vxlan'), mtu=None, learning=spec.learning, peers=[], **spec.identity())
            else:
                view = dict(view)
                if view['learning'] != spec.learning:
                    actions.append(Action('vxlan_options', end.subject, 'turn learning %s on vxlan %s in %s' % (
                        'on' if spec.learning else 'off', end.name, where(end.netns)),
                        {'netns': end.netns, 'name': end.name, 'learning': spec.learning},
                        undo=('vxlan_options', {'netns': end.netns, 'name': end.name, 'learning': view['learning']})))
                    view['learning'] = spec.learning
            actions.extend(plan_settings(end, view, links, assumptions))
            actions.extend(self._plan_peers(spec, view))
            after[end.subject] = view
        return Plan(actions, current, after, assumptions)

    @staticmethod
    def _create(spec, links, assumptions):
        end = spec.link
        if links is None and end.netns is not None:
            assumptions.append(missing_netns(end.netns, end.prefix))
        elif spec.dev and spec.dev not in (links or {}):
            assumptions.append('%sdev: interface %s does not exist in %s' % (end.prefix, spec.dev, where(end.netns)))
        text = 'create vxlan %s in %s (vni %d, udp port %d%s%s)' % (
            end.name, where(end.netns), spec.vni, spec.port, ', local ' + spec.local if spec.local else '',
            ', over ' + spec.dev if spec.dev else '')
        return Action('create', end.subject, text,
                      dict(spec.identity(), netns=end.netns, name=end.name, learning=spec.learning),
                      undo=('delete', {'netns': end.netns, 'name': end.name}))

    @staticmethod
    def _plan_peers(spec, view):
        if spec.peers is None:
            return []
        end, actions = spec.link, []
        args = {'netns': end.netns, 'name': end.name}

        def entry(command, remote, text, undo_command):
            actions.append(Action('flood', end.subject, text % (remote, end.name, where(end.netns)),
                                  dict(args, command=command, remote=remote),
                                  undo=('flood', dict(args, command=undo_command, remote=remote))))

        for remote in spec.peers:
            if remote not in view['peers']:
                entry('append', remote, 'add peer %s to the flood list of vxlan %s in %s', 'del')
        gone = [p for p in view['peers'] if p not in spec.peers] if spec.purge_peers else []
        for remote in gone:
            entry('del', remote, 'remove peer %s from the flood list of vxlan %s in %s', 'append')
        view['peers'] = sorted(set(view['peers']) - set(gone) | set(spec.peers), key=ipaddress.ip_address)
        return actions

    def op_create(self, netns, name, vni, local, port, dev, learning):
        self.seam.add_vxlan(netns, name, vni, local, port, dev, learning)
        self.seam.set_link(netns, name, ifalias=VXLAN_MARK)

    def op_vxlan_options(self, netns, name, learning):
        self.seam.set_vxlan(netns, name, learning)

    def op_flood(self, netns, name, command, remote):
        self.seam.flood_entry(netns, name, command, remote)


def _differs(spec, view):
    """'vni 7 (wanted 8), ...' for identity settings that differ, else ''."""
    wanted = spec.identity()
    return ', '.join('%s %s (wanted %s)' % (key, view[key], wanted[key]) for key in IDENTITY
                     if wanted[key] is not None and view[key] != wanted[key])
