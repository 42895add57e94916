# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Our bridges in firewalld, the way Docker (28+) puts its bridges there.

firewalld ends its forward chain with a reject for what no zone or policy
accepts, and a reject in any table is final: our own accepts cannot let the
containers' traffic through.  So on a host where firewalld runs, our
bridges go into a zone of our own, `linuxns` (target ACCEPT: traffic from
the bridges), and a policy `linuxns-forward` (from ANY zone to `linuxns`,
target ACCEPT: traffic into the bridges, from other hosts' containers and
published ports).  Our own table still decides what is isolated - its drops
are final too.

The zone and the policy are permanent configuration, so firewalld restores
them on every reload and restart; creating them needs one reload (the
first run only).  An interface is added to the zone at runtime and
permanently (no reload).  The last interface to leave takes the zone and
the policy with it.  Changes go through firewall-cmd; reads need none: the
permanent configuration is firewalld's XML files, the runtime one its nft
table (`iifname "cbr0" goto filter_FWD_linuxns`).
"""

import os
from xml.etree import ElementTree

from ansible_collections.linuxns.net.plugins.module_utils._engine import Action
from ansible_collections.linuxns.net.plugins.module_utils._iptables import run_tool
from ansible_collections.linuxns.net.plugins.module_utils._nft_text import rule_text

ZONE = 'linuxns'
POLICY = 'linuxns-forward'
CONFIG_DIR = '/etc/firewalld'
SUBJECT = 'firewalld zone ' + ZONE


def read(ruleset, config_dir=CONFIG_DIR):
    """{'zone', 'policy', 'permanent', 'runtime'}: whether our zone and
    policy are configured, and the interfaces in the zone, permanently and
    at runtime."""
    zone = _xml(os.path.join(config_dir, 'zones', ZONE + '.xml'))
    policy = _xml(os.path.join(config_dir, 'policies', POLICY + '.xml'))
    runtime = sorted(set(
        text.split('"')[1] for text in (rule_text(o['rule']) for o in ruleset if 'rule' in o and o['rule']['table'] == 'firewalld')
        if text.startswith('iifname "') and text.endswith('" goto filter_FWD_' + ZONE)))
    return {'zone': zone is not None, 'policy': policy is not None,
            'permanent': sorted(i.get('name') for i in zone.iter('interface')) if zone is not None else [],
            'runtime': runtime}


def _xml(path):
    try:
        return ElementTree.parse(path).getroot()
    except (IOError, OSError, ElementTree.ParseError):
        return None


def wanted(current, add, remove):
    """The view after adding `add` and removing `remove` (interfaces)."""
    interfaces = sorted((set(current['permanent']) | set(add)) - set(remove))
    return {'zone': bool(interfaces), 'policy': bool(interfaces), 'permanent': interfaces, 'runtime': interfaces}


def action(netns, current, after):
    """The firewall-cmd calls from `current` to `after` (None: nothing to do)."""
    forward, backward = _commands(current, after), _commands(after, current)
    if not forward:
        return None
    joined = sorted(set(after['permanent']) - set(current['runtime'])), sorted(set(current['permanent']) - set(after['permanent']))
    what = '; '.join(w for w in ('put %s in the firewalld zone %s' % (', '.join(joined[0]), ZONE) if joined[0] else '',
                                 'take %s out of it' % ', '.join(joined[1]) if joined[1] else '') if w) or 'repair the firewalld zone'
    return Action('firewalld', SUBJECT, what, {'netns': netns, 'commands': forward},
                  undo=('firewalld', {'netns': netns, 'commands': backward}))


def _commands(source, target):
    """firewall-cmd argument lists from view `source` to view `target`, in
    order; a created or deleted zone or policy needs a reload to reach the
    runtime, which also loads the permanent interfaces."""
    commands = []
    if target['zone'] and not source['zone']:
        commands += [['--permanent', '--new-zone=' + ZONE], ['--permanent', '--zone=' + ZONE, '--set-target=ACCEPT']]
    if target['policy'] and not source['policy']:
        commands += [['--permanent', '--new-policy=' + POLICY], ['--permanent', '--policy=' + POLICY, '--add-ingress-zone=ANY'],
                     ['--permanent', '--policy=' + POLICY, '--add-egress-zone=' + ZONE],
                     ['--permanent', '--policy=' + POLICY, '--set-target=ACCEPT']]
    if target['zone']:
        commands += [['--permanent', '--zone=' + ZONE, '--change-interface=' + i] for i in target['permanent'] if i not in source['permanent']]
        commands += [['--permanent', '--zone=' + ZONE, '--remove-interface=' + i] for i in source['permanent'] if i not in target['permanent']]
    if source['policy'] and not target['policy']:
        commands.append(['--permanent', '--delete-policy=' + POLICY])
    if source['zone'] and not target['zone']:
        commands.append(['--permanent', '--delete-zone=' + ZONE])
    if (target['zone'], target['policy']) != (source['zone'], source['policy']):
        return commands + [['--reload']]
    commands += [['--zone=' + ZONE, '--change-interface=' + i] for i in target['runtime'] if i not in source['runtime']]
    commands += [['--zone=' + ZONE, '--remove-interface=' + i] for i in source['runtime'] if i not in target['runtime']]
    return commands


def apply(netlink, netns, commands):
    for arguments in commands:
        run_tool(netlink, netns, ['firewall-cmd', '-q'] + arguments, package='firewalld')
