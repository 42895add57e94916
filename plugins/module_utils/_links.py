# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""veth pairs and bridges as engine Resources.

A link's view (what --diff shows and the modules return):
  name, netns (None: the namespace the module runs in), kind, index, mtu, mac,
  state ('up'/'down'), master (bridge name or None), addresses (sorted CIDRs,
  IPv6 link-local left out: the kernel manages those), owned (we created it);
  a veth end adds peer {name, netns}; a bridge adds stp, forward_delay
  (seconds), ports and hairpin (sorted port names).
Links are found by exact name in their namespace.  A name held by a device
of another kind is never touched: planning fails before any change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.linuxns.net.plugins.module_utils._engine import (
    COVERED, Action, Plan, Resource, is_owned, owner_tag)
from ansible_collections.linuxns.net.plugins.module_utils._validate import (
    ValidationError, integer_range, interface_address, interface_name, netns_name, unique)

VETH_MARK = owner_tag('veth')
BRIDGE_MARK = owner_tag('bridge')
DEFAULT_MTU = 1500
BRIDGE_DEFAULT_FORWARD_DELAY = 15.0  # seconds, the kernel's default
_MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')
_CLOCK_TICKS = 100  # IFLA_BR_FORWARD_DELAY is in USER_HZ ticks


def link_subject(netns, name):
    return name if netns is None else '%s/%s' % (netns, name)


def where(netns):
    """How messages name a namespace."""
    return 'namespace %s' % netns if netns else 'the host namespace'


def _is_link_local(cidr):
    return ipaddress.ip_interface(cidr).ip.is_link_local and ':' in cidr


# -- specs -------------------------------------------------------------------

class LinkEnd:
    """Settings of one interface, validated; prefix names the options in messages."""

    def __init__(self, params, prefix, defaults=None):
        params = dict(defaults or {}, **dict((k, v) for k, v in params.items() if v is not None))
        self.prefix = prefix
        self.name = interface_name(params.get('name'), prefix + 'name')
        netns = params.get('netns')
        self.netns = netns_name(netns, prefix + 'netns') if netns else None
        self.addresses = [str(interface_address(a, prefix + 'addresses'))
                          for a in unique(params.get('addresses') or [], prefix + 'addresses')]
        self.purge_addresses = params.get('purge_addresses') is not False
        self.mtu = params.get('mtu')
        if self.mtu is not None:
            integer_range(self.mtu, prefix + 'mtu', 68, 65535)
        mac = params.get('mac')
        self.mac = mac.lower() if mac else None
        if self.mac is not None and (not _MAC.match(self.mac) or int(self.mac[:2], 16) & 1):
            raise ValidationError(prefix + 'mac', '%r is not a unicast MAC address like 02:00:00:00:00:01' % mac)
        bridge = params.get('bridge')
        self.bridge = interface_name(bridge, prefix + 'bridge') if bridge else None
        self.state = params.get('state') or 'up'

    @property
    def subject(self):
        return link_subject(self.netns, self.name)


class VethSpec:
    """A pair; its peer may be left out to delete a pair by one end's name
    (as `ip link del` does): peer is then None and found when read."""

    def __init__(self, params, prefix=''):
        self.state = params.get('state') or 'present'
        self.prefix = prefix
        link_state = 'down' if self.state == 'down' else 'up'
        peer = params.get('peer')
        self.end = LinkEnd(dict(params, state=link_state), prefix)
        self.recreate = bool(params.get('recreate'))
        self.peer = None
        if peer is None and self.absent:
            return
        if not isinstance(peer, dict) or not peer.get('name'):
            raise ValidationError(prefix + 'peer.name', 'the peer end needs a name (only state=absent works without peer)')
        self.peer = LinkEnd(peer, prefix + 'peer.', defaults={'state': link_state,
                                                              'purge_addresses': params.get('purge_addresses')})
        if (self.end.netns, self.end.name) == (self.peer.netns, self.peer.name):
            raise ValidationError(prefix + 'peer.name', 'both ends are %s in %s' % (self.end.name, where(self.end.netns)))

    @property
    def absent(self):
        return self.state == 'absent'

    def peer_in(self, current):
        """The peer end: as given, else the one `current` shows paired with
        this end (None when there is none, or it is in an unnamed namespace)."""
        if self.peer is not None:
            return self.peer
        found = (current.get(self.end.subject) or {}).get('peer') or {}
        if not found.get('name') or found.get('netns') == '?':
            return None
        return LinkEnd({'name': found['name'], 'netns': found['netns']}, self.prefix + 'peer.')


class BridgeSpec:
    def __init__(self, params, prefix=''):
        self.state = params.get('state') or 'present'
        self.link = LinkEnd(dict(params, state='down' if self.state == 'down' else 'up', bridge=None), prefix)
        self.stp = params.get('stp')
        delay = params.get('forward_delay')
        if delay is not None and not 0 <= delay <= 30:
            raise ValidationError(prefix + 'forward_delay', '%s is out of range 0-30 seconds' % delay)
        if delay is not None and self.stp and delay < 2:
            raise ValidationError(prefix + 'forward_delay', 'with stp on the kernel needs 2-30 seconds, got %s' % delay)
        self.forward_delay = delay
        ports = params.get('ports')
        self.ports = None if ports is None else [interface_name(p, prefix + 'ports') for p in unique(ports, prefix + 'ports')]
        self.purge_ports = bool(params.get('purge_ports'))
        self.hairpin = [interface_name(p, prefix + 'hairpin') for p in unique(params.get('hairpin') or [], prefix + 'hairpin')]
        self.force = bool(params.get('force'))

    @property
    def absent(self):
        return self.state == 'absent'


def specs_from(params, key, spec_class):
    """One spec from the top-level options, or one per entry of `key`."""
    if params.get(key):
        specs = [spec_class(dict(entry), '%s[%d].' % (key, i)) for i, entry in enumerate(params[key])]
    else:
        if not params.get('name'):
            raise ValidationError('name', 'give name (one object) or %s (a list)' % key)
        specs = [spec_class(params)]
    return specs


# -- reading -----------------------------------------------------------------

def link_view(link, name, netns):
    view = {
        'name': name, 'netns': netns, 'kind': link['kind'], 'index': link['index'], 'mtu': link['mtu'],
        'mac': link['mac'], 'state': 'up' if link['up'] else 'down', 'master': link['master'],
        'addresses': [a for a in link['addresses'] if not _is_link_local(a)], 'owned': is_owned(link['alias']),
    }
    if link['kind'] == 'bridge':
        view['stp'] = bool(link['stp'])
        view['forward_delay'] = link['forward_delay'] / float(_CLOCK_TICKS)
    return view


class LinkReader:
    """Reads each namespace's links once per read()."""

    def __init__(self, seam):
        self.seam = seam
        self.cache = {}
        self.namespaces = None

    def links(self, netns):
        """{name: link} in `netns`, or None when the namespace does not exist."""
        if netns not in self.cache:
            if netns is not None:
                if self.namespaces is None:
                    self.namespaces = self.seam.namespaces()
                entry = self.namespaces.get(netns)
                if entry is None or entry.stale:
                    self.cache[netns] = None
                    return None
            self.cache[netns] = self.seam.links(netns)
        return self.cache[netns]

    def link(self, netns, name):
        links = self.links(netns)
        return links.get(name) if links else None

    def peer_of(self, link, netns, peer_netns):
        """(name, netns) of a veth's peer if it lives in netns or peer_netns,
        else (None, '?') for a peer somewhere else."""
        if link['link_netnsid'] is None:
            candidates = [netns]
        else:
            # the expected namespace first; every named one only when the pair is wrong
            if self.namespaces is None:
                self.namespaces = self.seam.namespaces()
            others = [peer_netns, None] + sorted(n for n, e in self.namespaces.items() if not e.stale)
            candidates = (ns for ns in others if ns != netns and self.links(ns) is not None
                          and self.seam.netnsid(netns, ns) == link['link_netnsid'])
        for ns in candidates:
            for name, other in (self.links(ns) or {}).items():
                if other['index'] == link['link_index'] and other['kind'] == 'veth':
                    return name, ns
        return None, '?'


# -- planning helpers (pure) -------------------------------------------------

def fresh_view(end, kind):
    return {'name': end.name, 'netns': end.netns, 'kind': kind, 'index': None, 'mtu': DEFAULT_MTU,
            'mac': None, 'state': 'down', 'master': None, 'addresses': [], 'owned': True}


def plan_settings(end, view, available, assumptions):
    """Actions that bring an existing (or about-to-exist) link to `end`'s
    settings; updates `view` to the promised state.  `available` is the
    {name: link} of its namespace (None: namespace does not exist yet)."""
    actions, subject, ns = [], end.subject, end.netns
    place = '%s in %s' % (end.name, where(ns))

    def set_link(what, field, value, old):
        # a fresh link's random mac has no value to go back to; rollback deletes the link anyway
        undo = COVERED if old is None and field != 'master' else ('set_link', {'netns': ns, 'name': end.name, field: old})
        actions.append(Action('set_link', subject, 'set %s of %s to %s' % (what, place, value),
                              {'netns': ns, 'name': end.name, field: value}, undo=undo))

    if end.mtu is not None and view['mtu'] != end.mtu:
        set_link('mtu', 'mtu', end.mtu, view['mtu'])
        view['mtu'] = end.mtu
    if end.mac is not None and view['mac'] != end.mac:
        set_link('mac', 'mac', end.mac, view['mac'])
        view['mac'] = end.mac
    if end.bridge is not None and view['master'] != end.bridge:
        bridge = (available or {}).get(end.bridge)
        if bridge is None:
            assumptions.append('%sbridge: bridge %s does not exist in %s' % (end.prefix, end.bridge, where(ns)))
        elif bridge['kind'] != 'bridge':
            raise ValidationError(end.prefix + 'bridge', '%s in %s is a %s device, not a bridge'
                                  % (end.bridge, where(ns), bridge['kind'] or 'plain'))
        set_link('master', 'master', end.bridge, view['master'])
        view['master'] = end.bridge
    going_down = view['state'] != end.state and end.state == 'down'
    if going_down:
        # Taking a link down flushes its IPv6 addresses (keep_addr_on_down=0):
        # go down first, then (re-)add the addresses that must stay.
        set_link('state', 'state', end.state, view['state'])
        view['state'] = end.state
        view['addresses'] = [a for a in view['addresses'] if ':' not in a]
    actions.extend(plan_addresses(end, view))
    if view['state'] != end.state:
        set_link('state', 'state', end.state, view['state'])
        view['state'] = end.state
    return actions


def plan_addresses(end, view):
    """Removals first, then additions.  Removing a primary IPv4 address makes
    the kernel drop the secondaries of its subnet, so kept addresses of such a
    subnet are asserted again ('replace' adds or keeps, never fails)."""
    actions, subject, ns = [], end.subject, end.netns
    have = list(view['addresses'])

    def address(command, cidr, text, undo_command):
        actions.append(Action('address', subject, '%s %s in %s' % (text % cidr, end.name, where(ns)),
                              {'netns': ns, 'name': end.name, 'command': command, 'cidr': cidr},
                              undo=('address', {'netns': ns, 'name': end.name, 'command': undo_command, 'cidr': cidr})))

    removed = [c for c in have if c not in end.addresses] if end.purge_addresses else []
    for cidr in removed:
        address('del', cidr, 'remove address %s from', 'replace')
    dropped_nets = set(ipaddress.ip_interface(c).network for c in removed if ':' not in c)
    for cidr in end.addresses:
        if cidr not in have:
            address('replace', cidr, 'add address %s to', 'del')
        elif cidr not in removed and ipaddress.ip_interface(cidr).network in dropped_nets:
            address('replace', cidr, 'keep address %s (a removed address of its subnet takes secondaries along) on', 'replace')
    view['addresses'] = sorted((set(have) - set(removed)) | set(end.addresses))
    return actions


def refuse_foreign_kind(end, link, kind):
    if link is not None and link['kind'] != kind:
        raise ValidationError(end.prefix + 'name', '%s in %s is a %s device, not a %s; refusing to touch it'
                              % (end.name, where(end.netns), link['kind'] or 'physical or plain', kind))


def delete_action(end, kind):
    return Action('delete', end.subject, 'delete %s %s in %s' % (kind, end.name, where(end.netns)),
                  {'netns': end.netns, 'name': end.name})


class LinkResource(Resource):
    """Ops shared by veth and bridge."""

    def op_set_link(self, netns, name, **changes):
        self.seam.set_link(netns, name, **changes)

    def op_address(self, netns, name, command, cidr):
        self.seam.address(netns, name, command, cidr)

    def op_delete(self, netns, name):
        self.seam.delete_link(netns, name)

    def summary(self, desired, plan, observed):
        return [self._result(spec, plan, observed) for spec in desired]

    def _result(self, spec, plan, observed):
        """A one-link spec (bridge, vxlan) as the module returns it."""
        view = observed.get(spec.link.subject)
        result = dict(view, state='present') if view else {'name': spec.link.name, 'netns': spec.link.netns, 'state': 'absent'}
        result['action'] = self._outcome((spec.link.subject,), plan)
        return result

    @staticmethod
    def _outcome(subjects, plan):
        ops = [a.op for a in plan.actions if a.subject in subjects]
        if not ops:
            return 'unchanged'
        for op, outcome in (('create', 'created'), ('delete', 'deleted')):
            if op in ops:
                return 'recreated' if op == 'create' and 'delete' in ops else outcome
        return 'updated'


# -- veth --------------------------------------------------------------------

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
                        assumptions.append('%snetns: network namespace %s does not exist' % (end.prefix, end.netns))
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
        self.seam.set_link(netns, name, ifalias=VETH_MARK)
        self.seam.set_link(peer_netns, peer_name, ifalias=VETH_MARK, **({'state': 'up'} if peer_up else {}))

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


# -- bridge ------------------------------------------------------------------

class BridgeResource(LinkResource):

    @staticmethod
    def specs(params):
        specs = specs_from(params, 'bridges', BridgeSpec)
        unique([s.link.subject for s in specs], 'bridges')
        return specs

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
                    assumptions.append('%snetns: network namespace %s does not exist' % (end.prefix, end.netns))
                stp = bool(spec.stp)
                delay = spec.forward_delay if spec.forward_delay is not None else BRIDGE_DEFAULT_FORWARD_DELAY
                actions.append(Action('create', end.subject, 'create bridge %s in %s' % (end.name, where(end.netns)),
                                      {'netns': end.netns, 'name': end.name, 'stp': stp,
                                       'forward_delay': int(round(delay * _CLOCK_TICKS))},
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
            changes['forward_delay'] = int(round(spec.forward_delay * _CLOCK_TICKS))
            undo['forward_delay'] = int(round(view['forward_delay'] * _CLOCK_TICKS))
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
        return super(BridgeResource, self).verify(Plan(plan.actions, plan.before, after), observed)

    def op_create(self, netns, name, stp, forward_delay):
        self.seam.add_bridge(netns, name, stp, forward_delay)
        self.seam.set_link(netns, name, ifalias=BRIDGE_MARK)

    def op_bridge_options(self, netns, name, stp=None, forward_delay=None):
        self.seam.set_bridge(netns, name, stp, forward_delay)

    def op_hairpin(self, netns, name, enabled):
        self.seam.set_hairpin(netns, name, enabled)
