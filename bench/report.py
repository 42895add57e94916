# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The results of bench/run as a table, targets, latest.md and latest.json."""

import json
import statistics

W_SIZES = {'W10': 10, 'W50': 50, 'W100': 100, 'W200': 200}
RSS_NOTE = ('peak RSS = the largest resident set of any single process of the measured tree '
            '(ru_maxrss from wait4, as /usr/bin/time %M reports it), not the sum over the tree')


class Row:
    """One (workload, contender): its runs and what went wrong, if anything."""

    def __init__(self, workload, contender):
        self.workload = workload
        self.contender = contender
        self.runs = []
        self.rss_mb = []
        self.module_s = []
        self.changed = []
        self.status = 'ok'
        self.note = ''

    def add(self, step):
        self.runs.append(round(step['seconds'], 3))
        self.rss_mb.append(round(step['rss_kb'] / 1024.0, 1))
        if step.get('module_s') is not None:
            self.module_s.append(round(step['module_s'], 3))
        if step.get('changed') is not None:
            self.changed.append(step['changed'])

    def median(self):
        return statistics.median(self.runs) if self.runs else None

    def as_json(self):
        result = {'workload': self.workload, 'contender': self.contender, 'runs': self.runs,
                  'median_s': round(self.median(), 3) if self.runs else None,
                  'min_s': min(self.runs) if self.runs else None, 'max_s': max(self.runs) if self.runs else None,
                  'peak_rss_mb': max(self.rss_mb) if self.rss_mb else None, 'status': self.status}
        for key in ('note', 'module_s', 'changed'):
            if getattr(self, key):
                result[key] = getattr(self, key)
        return result


def find(rows, workload, contender):
    return next((row for row in rows if row.workload == workload and row.contender == contender), None)


def median_of(rows, workload, contender):
    row = find(rows, workload, contender)
    return row.median() if row else None


def notes(row, unchanged_rows):
    parts = [row.note] if row.note else []
    if row.contender in unchanged_rows and any(row.changed):
        parts.append('NOT IDEMPOTENT: changed=%s (want 0)' % '/'.join(str(c) for c in row.changed))
    if row.module_s:  # `elapsed` of linuxns.net modules; on a lab, of its slowest host
        parts.append('module itself %.2f s' % statistics.median(row.module_s))
    return '; '.join(parts)


def cells(row, rows, unchanged_rows):
    """The table cells of one row, as text."""
    if not row.runs:
        return [row.workload, row.contender, '0', '-', '-', '-', '-', '-', notes(row, unchanged_rows)]
    base = median_of(rows, row.workload, 'linuxns') if row.workload in W_SIZES else None
    med = row.median()
    return [row.workload, row.contender, str(len(row.runs)), '%.2f' % med, '%.2f' % min(row.runs),
            '%.2f' % max(row.runs), '%.2fx' % (med / base) if base else '-', '%.0f' % max(row.rss_mb),
            notes(row, unchanged_rows)]


HEADER = ['workload', 'contender', 'runs', 'median s', 'min s', 'max s', 'vs linuxns', 'peak RSS MB', 'note']


def text_table(rows, unchanged_rows):
    lines = [HEADER] + [cells(row, rows, unchanged_rows) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER) - 1)]
    return ['  '.join(cell.ljust(width) if i < 2 else cell.rjust(width) for i, (cell, width) in enumerate(zip(line, widths)))
            + '  ' + line[-1] for line in lines]


def markdown_table(rows, unchanged_rows):
    lines = ['| ' + ' | '.join(HEADER) + ' |', '|' + '|'.join(['---'] * 2 + ['---:'] * 6 + ['---']) + '|']
    return lines + ['| ' + ' | '.join(cell.replace('|', '/') for cell in cells(row, rows, unchanged_rows)) + ' |'
                    for row in rows]


# --- targets: the goals of the performance work, PASS / MISS / n/a

def verdict(ok):
    return 'n/a' if ok is None else ('PASS' if ok else 'MISS')


def at_most(rows, workload, contender, limit, label):
    value = median_of(rows, workload, contender)
    return (label, '%.2f s' % value if value is not None else 'not measured',
            verdict(None if value is None else value <= limit))


def speedup(rows, peer, factor=4):
    label = 'W100 linuxns >= %gx faster than %s' % (factor, peer)
    mine, theirs = median_of(rows, 'W100', 'linuxns'), median_of(rows, 'W100', peer)
    if not (mine and theirs):
        return (label, 'not measured', 'n/a')
    return (label, '%.2fx (%s %.2f s)' % (theirs / mine, peer, theirs), verdict(theirs / mine >= factor))


def module_vs_floor(rows):
    """The module's own time (its `elapsed`), against the floor's whole run."""
    label = 'W100 linuxns module itself <= 2x floor'
    row, floor = find(rows, 'W100', 'linuxns'), median_of(rows, 'W100', 'floor')
    if not (row and row.module_s and floor):
        return (label, 'not measured', 'n/a')
    mine = statistics.median(row.module_s)
    return (label, '%.2f s vs floor %.2f s (%.1fx)' % (mine, floor, mine / floor), verdict(mine <= 2 * floor))


def growth(rows):
    label = 'W200 linuxns <= 1.3x W100'
    small, large = median_of(rows, 'W100', 'linuxns'), median_of(rows, 'W200', 'linuxns')
    if not (small and large):
        return (label, 'not measured', 'n/a')
    return (label, '%.2f s vs %.2f s (%.2fx)' % (large, small, large / small), verdict(large <= 1.3 * small))


def nft_vs_iptables(rows):
    """The module's own time (the backends differ only there), else the whole run's."""
    label = 'W100 linuxns-nft no slower than linuxns (iptables)'
    nft, iptables = find(rows, 'W100', 'linuxns-nft'), find(rows, 'W100', 'linuxns')
    if not (nft and iptables and nft.runs and iptables.runs):
        return (label, 'not measured', 'n/a')
    mine, theirs, what = nft.median(), iptables.median(), ''
    if nft.module_s and iptables.module_s:
        mine, theirs, what = statistics.median(nft.module_s), statistics.median(iptables.module_s), ' (module itself)'
    return (label, '%.2f s vs %.2f s%s' % (mine, theirs, what), verdict(mine <= theirs * 1.05))  # 5%: the runs' own spread


def noop_vs_ping(rows):
    noop, ping = median_of(rows, 'W100', 'linuxns-noop'), median_of(rows, '-', 'ansible-ping')
    if noop is None or ping is None:
        return ('W100 noop <= ansible-ping + 0.5 s', 'not measured', 'n/a')
    return ('W100 noop <= ansible-ping + 0.5 s', '%.2f s vs %.2f + 0.5 s' % (noop, ping), verdict(noop <= ping + 0.5))


def check_vs_noop(rows):
    check, noop = median_of(rows, 'W100', 'linuxns-check'), median_of(rows, 'W100', 'linuxns-noop')
    if check is None or noop is None:
        return ('W100 check <= noop', 'not measured', 'n/a')
    return ('W100 check <= noop', '%.2f s vs %.2f s' % (check, noop), verdict(check <= noop))


def slopes(rows, contender):
    """[(from, to, ms per container)] between consecutive measured W workloads."""
    points = [(W_SIZES[w], median_of(rows, w, contender)) for w in W_SIZES]
    points = [(n, value) for n, value in points if value is not None]
    return [(a, b, 1000.0 * (vb - va) / (b - a)) for (a, va), (b, vb) in zip(points, points[1:])]


def linear(rows):
    """Roughly linear: the last segment's per-container cost is at most 1.5x
    the first's (+2 ms: small segments are noisy)."""
    segments = slopes(rows, 'linuxns')
    label = 'linuxns growth W10->W200 roughly linear'
    if len(segments) < 2:
        return (label, 'needs 3 W workloads', 'n/a')
    first, last = segments[0][2], segments[-1][2]
    total = median_of(rows, 'W%d' % segments[-1][1], 'linuxns') - median_of(rows, 'W%d' % segments[0][0], 'linuxns')
    overall = 1000.0 * total / (segments[-1][1] - segments[0][0])
    text = '%.1f ms/container overall; segments %s' % (
        overall, ', '.join('W%d->W%d %.1f' % segment for segment in segments))
    return (label, text, verdict(last <= 1.5 * max(first, 0) + 2))


def rss(rows):
    row = find(rows, 'W200', 'linuxns')
    if not row or not row.rss_mb:
        return ('W200 linuxns peak RSS <= 150 MB', 'not measured', 'n/a')
    return ('W200 linuxns peak RSS <= 150 MB', '%.0f MB' % max(row.rss_mb), verdict(max(row.rss_mb) <= 150))


def targets(rows):
    return [at_most(rows, 'W100', 'linuxns', 3, 'W100 linuxns converge <= 3 s'), module_vs_floor(rows),
            speedup(rows, 'cni'), speedup(rows, 'netavark'),
            nft_vs_iptables(rows), noop_vs_ping(rows), check_vs_noop(rows), growth(rows), linear(rows), rss(rows),
            at_most(rows, 'lab-3x3', 'apply', 8, 'lab-3x3 apply <= 8 s'),
            at_most(rows, 'lab-3x3', 'noop', 6, 'lab-3x3 noop <= 6 s'),
            at_most(rows, 'lab-10x20', 'converge', 15, 'lab-10x20 converge <= 15 s'),
            at_most(rows, 'lab-10x20', 'verify', 15, 'lab-10x20 verify <= 15 s')]


def target_lines(rows):
    found = targets(rows)
    width = max(len(label) for label, _text, _verdict in found)
    return ['Target  %s  %-4s  %s' % (label.ljust(width), result, text) for label, text, result in found]


def slope_lines(rows):
    """Per-container cost of every W contender between its smallest and largest workload."""
    lines = []
    for contender in dict.fromkeys(row.contender for row in rows if row.workload in W_SIZES):
        segments = slopes(rows, contender)
        if segments:
            lines.append('%-16s %s ms/container' % (contender, ', '.join('W%d->W%d %.1f' % s for s in segments)))
    return lines


def write(prefix, rows, facts, unchanged_rows, command):
    with open(prefix + '.json', 'w') as handle:
        json.dump([row.as_json() for row in rows], handle, indent=1)
        handle.write('\n')
    parts = ['# linuxns.net benchmark', '', '`%s`' % command, '']
    parts += ['- %s: %s' % item for item in facts] + ['- ' + RSS_NOTE, '']
    parts += markdown_table(rows, unchanged_rows) + ['', '## Targets', '', '```'] + target_lines(rows) + ['```']
    parts += ['', '## Per-container cost', '', '```'] + (slope_lines(rows) or ['(one W workload only)']) + ['```', '']
    with open(prefix + '.md', 'w') as handle:
        handle.write('\n'.join(parts))
