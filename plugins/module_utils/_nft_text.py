# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nftables rules as text: a rule's line as _filter_nftables writes it, and
the kernel's rules, as libnftables' JSON lists them, back as that text (so
ours compare equal to what we asked for, and the host's own read as plain
nft)."""

import json


def rule_line(parts, comment):
    """One rule: its parts, then its comment."""
    return ' '.join(parts) + (' comment "%s"' % comment if comment else '')


def rule_text(rule):
    """The text of a rule of the JSON API's list, in the form rule_lines
    writes; an expression of another form shows as ?{json}, which never
    equals one of ours."""
    parts = [_expression(e) for e in rule.get('expr', [])]
    return rule_line(parts, rule.get('comment'))


def _expression(expr):
    (key, value), = expr.items()
    if key == 'match':
        operator = '' if value['op'] in ('==', 'in') else value['op'] + ' '
        left = _left(value['left'])
        if left is not None:
            return '%s %s%s' % (left, operator, _right(value['right'], quote=left in ('iifname', 'oifname')))
    elif key in ('accept', 'drop', 'return', 'masquerade', 'counter') and not value:
        return key
    elif key in ('jump', 'goto'):
        return '%s %s' % (key, value['target'])
    elif key == 'dnat' and set(value) == set(['family', 'addr']) and isinstance(value['addr'], dict) and 'map' in value['addr']:
        lookup = value['addr']['map']
        parts = [_left(k) for k in (lookup['key'].get('concat') or [lookup['key']])]
        if None not in parts:
            return 'dnat %s to %s map %s' % (value['family'], ' . '.join(parts), lookup['data'])
    elif key in ('snat', 'dnat') and set(value) <= set(['family', 'addr', 'port']):
        address, port = value['addr'], value.get('port')
        if port is not None:
            port = _right(port)
            address = '[%s]' % address if ':' in address else address
        return '%s %s to %s%s' % (key, value.get('family', ''), address, ':%s' % port if port is not None else '')
    return '?' + json.dumps(expr, sort_keys=True)


def _left(expr):
    (key, value), = expr.items()
    if key == 'payload' and set(value) == set(['protocol', 'field']):
        return '%s %s' % (value['protocol'], value['field'])
    if key == 'meta':
        return value['key'] if value['key'] in ('iifname', 'oifname') else 'meta ' + value['key']
    if key == 'ct' and set(value) == set(['key']):
        return 'ct ' + value['key']
    if key == 'fib' and value.get('result') == 'type':
        return 'fib %s type' % ' . '.join(value.get('flags') or [])
    return None


def _right(value, quote=False):
    if isinstance(value, dict) and 'prefix' in value:
        return '%s/%d' % (value['prefix']['addr'], value['prefix']['len'])
    if isinstance(value, dict) and 'range' in value:
        return '%s-%s' % tuple(value['range'])
    if isinstance(value, list):
        return ','.join(str(v) for v in value)
    if quote:
        return '"%s"' % value
    return str(value)
