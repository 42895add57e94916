# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability result (pure): the matrix of sources and targets, its
rendering for a terminal, and one report from the results of many hosts
(the filter reachability_report)."""

import collections

from ansible_collections.linuxns.net.plugins.module_utils._reachability_plan import ordered


def report(plan, elapsed):
    """What the module returns: the matrix, its rendering and the misses."""
    rows = collections.OrderedDict((source.label, {'source': source.label, 'netns': source.netns, 'results': {}})
                                   for source in plan.sources)
    for check in plan.checks:
        rows[check.source.label]['results'][check.column] = 'miss' if not check.ok else 'isolated' if check.isolated else 'ok'
    rows = [row for row in rows.values() if row['results']]
    missed = [check for check in plan.checks if not check.ok]
    return {
        'changed': False,
        'matrix': {'columns': plan.columns, 'rows': rows, 'lines': render_matrix(rows, plan.columns)},
        'misses': ['%s -> %s' % (check.source.label, check.column) for check in missed],
        'miss_details': [_miss_detail(check) for check in missed],
        'total': len(plan.checks),
        'passed': len(plan.checks) - len(missed),
        'elapsed': round(elapsed, 3),
    }


def _miss_detail(check):
    return {'source': check.source.label, 'target': check.column, 'address': str(check.address),
            'port': check.port, 'tries': check.tries, 'error': check.error}


MATRIX_WIDTH = 100  # characters a line of the matrix and its legend takes at most: a terminal's


def render_matrix(rows, columns, line_width=MATRIX_WIDTH):
    """Rows of sources, a column per target (numbered, to keep rows short):
    '.' reached, '-' isolated as expected, 'X' missed, blank not checked;
    folded into blocks of as many columns as fit in `line_width`; then the
    legend, wrapped to the same width."""
    width = len(str(len(columns)))
    label_width = max([len(row['source']) for row in rows] + [len('from')])
    per_block = max(1, (line_width - label_width - 2 + 1) // (width + 1))
    cells = dict((row['source'], [{'ok': '.', 'isolated': '-', 'miss': 'X'}.get(row['results'].get(column), ' ')
                                  for column in columns]) for row in rows)
    lines = []
    for start in range(0, len(columns), per_block):
        numbers = range(start, min(start + per_block, len(columns)))
        lines.append('%-*s  %s' % (label_width, 'from', ' '.join('%*d' % (width, i + 1) for i in numbers)))
        for row in rows:
            row_cells = ' '.join('%*s' % (width, cells[row['source']][i]) for i in numbers)
            lines.append(('%-*s  %s' % (label_width, row['source'], row_cells)).rstrip())
    lines.extend(_wrapped('to: ', ['%d=%s' % (i + 1, column) for i, column in enumerate(columns)], line_width))
    every = [cell for row in cells.values() for cell in row]
    lines.append('. reached' + (', - isolated as expected' if '-' in every else '') + ', X missed'
                 + (', blank not checked' if ' ' in every else ''))
    return lines


def _wrapped(head, items, line_width):
    """`head` and the items, comma-separated, in lines of at most line_width
    characters (an item longer than that on a line of its own)."""
    lines, line = [], head
    for item in items:
        if line not in (head, '    ') and len(line) + len(item) + 2 > line_width:
            lines.append(line + ',')
            line = '    '
        line += item if line in (head, '    ') else ', ' + item
    return lines + [line]


def merge_reports(results, prefixes):
    """One report from the results of several tasks (e.g. one per host): rows
    of named namespaces get `prefix/` in front, rows of a module's own
    namespace already carry the host's name.  Skipped results are left out."""
    rows, columns = [], []
    for result, prefix in zip(results, prefixes):
        if not isinstance(result, dict) or 'matrix' not in result:
            continue
        for row in result['matrix']['rows']:
            label = '%s/%s' % (prefix, row['source']) if row['netns'] else row['source']
            rows.append(dict(row, source=label))
        columns.extend(result['matrix']['columns'])
    columns = ordered(columns)
    misses = ['%s -> %s' % (row['source'], column) for row in rows
              for column, outcome in row['results'].items() if outcome == 'miss']
    total = sum(len(row['results']) for row in rows)
    return {'lines': render_matrix(rows, columns), 'misses': misses, 'total': total, 'passed': total - len(misses)}
