# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The record container_network keeps on the host (STATE_DIR/containers.json):
each network's addresses, so they stay stable across runs, and which
containers it made, so those no longer listed are removed; read, written
as a Resource, and merged with what a run is about to make."""

import collections
import ipaddress
import json

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action, Plan, Resource
from ansible_collections.linuxns.net.plugins.module_utils._files import read_text, write_text
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

RECORD_FILE = 'containers.json'
RECORD_VERSION = 2  # 2: other networks than the default one
DEFAULT_NETWORK = 'default'  # the network of container_network's top-level options, at the record's top level


# A container that joins a network: its fixed address there (or None), and
# the option that gave it (named when no address is left for it).
Member = collections.namedtuple('Member', 'container address option')


def allocate(members, subnet, gateway, previous):
    """{container: address} for the [Member] of a network: a fixed address
    as given; else the one the container had before, if still free and in
    the subnet; else the lowest free one."""
    taken, result = set([gateway]), {}
    for member in members:
        if member.address is not None:
            result[member.container] = member.address
            taken.add(member.address)
    for member in members:
        old = previous.get(member.container)
        if member.container in result or not old:
            continue
        address = ipaddress.ip_interface(old).ip
        if address in subnet and address not in taken and address != subnet.broadcast_address:
            result[member.container] = address
            taken.add(address)
    free = (a for a in subnet.hosts() if a not in taken)
    for member in members:
        if member.container not in result:
            result[member.container] = next(free, None)
            if result[member.container] is None:
                raise ValidationError(member.option, 'subnet %s has no free address left for %s' % (subnet, member.container))
    return result


def read_record(path):
    """The record as a dict ({} when there is none); a record we cannot read
    stops the run before any change, since pruning depends on it."""
    text = read_text(path)
    if text is None:
        return {}
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ValidationError('state_dir', 'the record %s is not valid JSON (%s); fix or remove it' % (path, exc))
    if not isinstance(record, dict) or not isinstance(record.get('addresses', {}), dict) \
            or not isinstance(record.get('networks', {}), dict) or record.get('version', RECORD_VERSION) > RECORD_VERSION:
        raise ValidationError('state_dir', 'the record %s is not one this version of linuxns.net understands; '
                                           'fix or remove it' % path)
    return record


class RecordResource(Resource):
    """The record file: written whole when its content changes."""

    def read(self, desired):
        return {'record': read_record(desired['path']) or None}

    def plan(self, desired, current):
        have, want = current['record'], desired['content']
        if have == want:
            return Plan([], current, current)
        text = None if want is None else json.dumps(want, indent=2, sort_keys=True) + '\n'
        old = None if have is None else json.dumps(have, indent=2, sort_keys=True) + '\n'
        what = 'remove the record %s' % desired['path'] if want is None else 'record the network in %s' % desired['path']
        action = Action('write', 'record', what, {'path': desired['path'], 'text': text},
                        undo=('write', {'path': desired['path'], 'text': old}))
        return Plan([action], current, {'record': want})

    def op_write(self, path, text):
        write_text(path, text)


def recorded_networks(record):
    """{network: {bridge, slot, addresses, ...}} of a record, the default
    network's included (a version 1 record has only that one)."""
    networks = dict((name, net) for name, net in (record.get('networks') or {}).items() if isinstance(net, dict))
    if record:
        networks[DEFAULT_NETWORK] = {'bridge': record.get('bridge'), 'addresses': record.get('addresses') or {},
                                     'subnet6': record.get('subnet6')}
    return networks


def merged_record(old, new):
    """A record naming what `old` and `new` name: new's settings, both's
    containers, addresses (new's where both have one) and networks."""
    if not old:
        return new
    merged = dict(old, **new)
    merged['containers'] = sorted(set(recorded_containers(old)) | set(new['containers']))
    merged['addresses'] = dict(old.get('addresses') or {}, **new['addresses'])
    networks = dict(old.get('networks') or {})
    for name, net in new['networks'].items():
        networks[name] = dict(net, addresses=dict((networks.get(name) or {}).get('addresses') or {}, **net['addresses']))
    merged['networks'] = networks
    return merged


def recorded_containers(record):
    """The containers a record says this network made."""
    if 'containers' in record:
        return list(record['containers'])
    return list(record.get('addresses') or {})  # version 1: all were on the default network
