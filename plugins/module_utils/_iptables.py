# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The iptables seam and the rule normaliser.

Reads go through one iptables-save, writes through one `iptables-restore
--noflush --wait` per address family, so a change is atomic per table and a
whole rule set costs one call.  Whatever backend `iptables` is (nf_tables or
legacy) is used, exactly as the iptables command would.

iptables-save prints rules in its own form (it adds `-m tcp`, orders options,
writes /32): normalize() turns a rule given as tokens into one canonical line,
so ours and the kernel's can be compared structurally instead of as text.
"""

import ipaddress
import re
import shlex
import subprocess

BINARIES = {4: ('iptables-save', 'iptables-restore'), 6: ('ip6tables-save', 'ip6tables-restore')}
_BASIC = ('-s', '-d', '-i', '-o', '-p')
_LONG = {'--source': '-s', '--destination': '-d', '--in-interface': '-i', '--out-interface': '-o', '--protocol': '-p',
         '--jump': '-j', '--match': '-m'}
_LIST_VALUED = ('--ctstate', '--state')
# A rule line as iptables-save writes most: words, and "quoted" words with no
# quote or backslash inside, each on its own between blanks.
_PLAIN_TOKEN = r'(?:"([^"\\]*)"|([^\s"\'\\]+))(?=\s|$)'
_PLAIN_LINE = re.compile(r'(?:\s*%s)*\s*' % _PLAIN_TOKEN)
_PLAIN_TOKENS = re.compile(_PLAIN_TOKEN)


class FilterToolError(Exception):
    """A packet-filter tool (iptables, nft) failed or is missing."""


def run_tool(netlink, netns, command, stdin=None, package=None):
    """Run a packet-filter tool inside `netns` (None: here) and return its
    output; a child process inherits the namespace it is forked in."""
    with netlink.inside(netns):
        try:  # not AnsibleModule.run_command: the boot engine runs this without Ansible
            proc = subprocess.run(command, input=stdin, stdout=subprocess.PIPE,  # pylint: disable=ansible-bad-function
                                  stderr=subprocess.PIPE, universal_newlines=True, check=False)
        except OSError as exc:
            raise FilterToolError('cannot run %s: %s (install the %s package)' % (command[0], exc, package or command[0]))
    if proc.returncode != 0:
        raise FilterToolError('%s failed: %s' % (' '.join(command), proc.stderr.strip()))
    return proc.stdout


class IptablesSeam:
    """Runs the iptables tools inside a namespace (via the netlink seam's
    namespace switch: a child process inherits the namespace it is forked in).
    variant None runs `iptables-save` (whichever backend it is), 'legacy' or
    'nft' the iptables-legacy-save or iptables-nft-save tools."""

    def __init__(self, netlink, variant=None):
        self.netlink = netlink
        self.variant = variant

    def _tool(self, family, index):
        name = BINARIES[family][index]
        return name.replace('tables-', 'tables-%s-' % self.variant) if self.variant else name

    def _run(self, netns, command, stdin=None):
        return run_tool(self.netlink, netns, command, stdin, 'iptables')

    def save(self, netns, family):
        """iptables-save of every table, in one call."""
        return self._run(netns, [self._tool(family, 0)])

    def restore(self, netns, family, text):
        self._run(netns, [self._tool(family, 1), '--noflush', '--wait'], stdin=text)


def parse_save(text):
    """iptables-save output -> {table: (chains, rules)}: chain names in order,
    and (chain, tokens) per rule in order."""
    tables, current = {}, None
    for line in text.splitlines():
        if line.startswith('*'):
            current = tables.setdefault(line[1:].strip(), ([], []))
        elif current is None:
            continue
        elif line.startswith(':'):
            current[0].append(line[1:].split()[0])
        elif line.startswith('-A '):
            tokens = split_rule(line)
            current[1].append((tokens[1], tokens[2:]))
    return tables


def split_rule(line):
    """The words of a rule line, as shlex.split gives them; a regex for the
    lines iptables-save writes (shlex was most of parsing a big rule set)."""
    if _PLAIN_LINE.fullmatch(line):
        return [quoted or word for quoted, word in _PLAIN_TOKENS.findall(line)]
    return shlex.split(line)


def comment_of(tokens):
    for i, token in enumerate(tokens[:-1]):
        if token == '--comment':
            return tokens[i + 1]
    return None


def normalize(tokens):
    """A canonical line for a rule's tokens (without '-A CHAIN')."""
    basic, modules, target, current, negate = {}, [], None, None, False
    i = 0
    while i < len(tokens):
        token = _LONG.get(tokens[i], tokens[i])
        if token == '!':
            negate = True
            i += 1
            continue
        if token in _BASIC:
            basic[token] = ('! ' if negate else '') + _value(token, tokens[i + 1])
            i += 2
        elif token == '-m':
            current = [tokens[i + 1], []]
            modules.append(current)
            i += 2
        elif token == '-j':
            target = [tokens[i + 1], []]
            current = target
            i += 2
        elif token.startswith('--'):
            values = []
            i += 1
            while i < len(tokens) and not tokens[i].startswith('-') and tokens[i] != '!':
                values.append(_option_value(token, tokens[i]))
                i += 1
            current[1].append(('! ' if negate else '') + ' '.join([token] + values))
            negate = False
            continue
        else:
            raise FilterToolError('cannot parse rule token %r in %r' % (tokens[i], ' '.join(tokens)))
        negate = False
    parts = ['%s %s' % (flag, basic[flag]) if not basic[flag].startswith('! ')
             else '! %s %s' % (flag, basic[flag][2:]) for flag in _BASIC if flag in basic]
    for name, options in sorted(modules, key=lambda m: (m[0], m[1])):
        parts.append(' '.join(['-m', name] + options))
    if target:
        parts.append(' '.join(['-j', target[0]] + target[1]))
    return ' '.join(parts)


def _value(flag, value):
    if flag in ('-s', '-d'):
        return str(ipaddress.ip_network(value, strict=False))
    if flag == '-p':
        return value.lower()
    return value


def _option_value(option, value):
    if option in _LIST_VALUED:
        return ','.join(sorted(value.split(',')))
    if option == '--comment' and (not value or any(c.isspace() for c in value)):
        return '"%s"' % value
    return value
