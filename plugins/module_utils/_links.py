# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What veth, bridge and vxlan devices share: their view, planning and ops.

A link's view (what --diff shows and the modules return):
  name, netns (None: the namespace the module runs in), kind, index, mtu, mac,
  state ('up'/'down'), master (bridge name or None), addresses (sorted CIDRs,
  IPv6 link-local left out: the kernel manages those), owned (we created it);
  a veth end adds peer {name, netns}; a bridge adds stp, forward_delay
  (seconds), ports and hairpin (sorted port names).
Links are found by exact name in their namespace.  A name held by a device
of another kind is never touched: planning fails before any change.

The specs are _link_specs', reading is _link_reader's; the Resources are
VethResource (_veth), BridgeResource (_bridge) and VxlanResource (_vxlan),
each a LinkResource.
"""

import ipaddress

from ansible_collections.linuxns.net.plugins.module_utils._engine import COVERED, Action, Resource
from ansible_collections.linuxns.net.plugins.module_utils._link_specs import specs_from, where
from ansible_collections.linuxns.net.plugins.module_utils._netlink_routes import ROUTE_PROTO
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, unique

DEFAULT_MTU = 1500


def fresh_view(end, kind):
    """A link about to be made: the settings the kernel picks are unknown (None), but its mtu."""
    return dict(dict.fromkeys(end.SETTINGS), name=end.name, netns=end.netns, kind=kind, index=None, mtu=DEFAULT_MTU,
                state='down', master=None, addresses=[], owned=True)


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

    for field in end.SETTINGS:
        value = getattr(end, field)
        if value is not None and view[field] != value:
            set_link(field, field, value, view[field])
            view[field] = value
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
        undo = {'netns': ns, 'name': end.name, 'command': undo_command, 'cidr': cidr}
        if command == 'del':
            undo['restore_routes'] = True  # the routes its removal made the kernel flush (see op_address)
        actions.append(Action('address', subject, '%s %s in %s' % (text % cidr, end.name, where(ns)),
                              {'netns': ns, 'name': end.name, 'command': command, 'cidr': cidr}, undo=('address', undo)))

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
    """What veth, bridge and vxlan share: their specs (one link each, from
    the module's list `list_key` or its top-level options) and their ops."""

    list_key = None
    spec_class = None

    def __init__(self, seam):
        super().__init__(seam)
        self.flushed = {}  # (netns, interface) -> our routes an address removal of this run made the kernel flush

    @classmethod
    def specs(cls, params):
        specs = specs_from(params, cls.list_key, cls.spec_class)
        unique([s.link.subject for s in specs], cls.list_key)
        return specs

    def op_set_link(self, netns, name, **changes):
        self.seam.set_link(netns, name, **changes)

    def op_address(self, netns, name, command, cidr, restore_routes=False):
        """Removing an interface's last IPv4 address makes the kernel flush
        every IPv4 route over it; the routes of ours that went are kept here,
        for the rollback that adds the address back (restore_routes) to put
        them back too.  Forwards, the route part plans them again itself
        (see _network.project_routes)."""
        before = self._our_routes(netns, name) if command == 'del' and ':' not in cidr else []
        self.seam.address(netns, name, command, cidr)
        if before:
            after = self._our_routes(netns, name)
            self.flushed.setdefault((netns, name), []).extend(r for r in before if r not in after)
        if restore_routes:
            after = self._our_routes(netns, name)
            for route in self.flushed.pop((netns, name), []):
                if route not in after:
                    self.seam.route(netns, 'replace', route)

    def _our_routes(self, netns, name):
        return [r for r in self.seam.routes(netns) if (r['dev'], r['family'], r['proto']) == (name, 4, ROUTE_PROTO)]

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
