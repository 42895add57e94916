# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark driver behind bench/run (which enters tests/sandbox first).

  .venv/bin/python bench/bench.py [--quick] [--runs N] [--only NAME,...] [--out PREFIX] [--keep]

Every run of every contender gets a fresh, empty host (bench/freshns: new
network and mount namespaces); inside it this same file (--inner) writes the
contender's inputs, times its commands (wall clock, and ru_maxrss of the
process tree from wait4) and checks the network they built.  The results
become a table, targets, PREFIX.md and PREFIX.json."""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import contenders
import report

REPO = contenders.REPO
FRESHNS = os.path.join(REPO, 'bench', 'freshns')
WORKLOADS = ['-'] + list(report.W_SIZES) + list(contenders.LABS)
W_SCENARIOS = ['linuxns', 'linuxns-nft', 'linuxns-modules', 'naive-loop', 'cni', 'netavark', 'floor']
QUICK_SCENARIOS = ['linuxns', 'linuxns-nft', 'linuxns-modules', 'cni', 'netavark', 'floor']
NAIVE_WORKLOADS = ('W10', 'W50')  # seconds per container: larger ones take many minutes
UNCHANGED = ('linuxns-noop', 'linuxns-check', 'linuxns-nft-noop', 'linuxns-nft-check', 'noop')  # rows whose runs must report changed=0
STEP_TIMEOUT = 1800


# --- inside the fresh namespace: time the steps of one scenario

def ansible_env(results):
    env = dict(os.environ)
    env.update({
        'PATH': os.path.dirname(contenders.PYTHON) + os.pathsep + env.get('PATH', ''),
        'ANSIBLE_CONFIG': os.path.join(REPO, 'ansible.cfg'),
        'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, '.cache', 'collections'),
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(REPO, 'bench', 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'bench_record',
        'ANSIBLE_NOCOLOR': '1',
        'BENCH_RESULTS': results,
    })
    return env


def module_seconds(timing):
    """A module's own time from whatever it returned: a number, or a dict with
    `total` or of numbers (phases)."""
    numbers = [value for value in timing.values() if isinstance(value, (int, float))]
    dicts = [value for value in timing.values() if isinstance(value, dict)]
    for value in dicts:
        if isinstance(value.get('total'), (int, float)):
            numbers.append(value['total'])
        else:
            numbers.append(sum(v for v in value.values() if isinstance(v, (int, float))))
    return sum(numbers) if numbers else None


def recap(path):
    """changed/failures from the recap and the modules' own time, from bench_record's lines."""
    result = {'changed': None, 'failures': None, 'module_s': None, 'failed_msg': ''}
    if not os.path.exists(path):
        return result
    with open(path) as handle:
        entries = [json.loads(line) for line in handle]
    per_host = {}  # the modules' own seconds, summed over the tasks of each host
    for entry in entries:
        if 'recap' in entry:
            hosts = entry['recap'].values()
            result['changed'] = sum(host['changed'] for host in hosts)
            result['failures'] = sum(host['failures'] + host['unreachable'] for host in hosts)
        elif entry['status'] in ('failed', 'unreachable') and not result['failed_msg']:
            result['failed_msg'] = '%s: %s' % (entry['task'], entry['msg'])
        elif entry['timing'] and module_seconds(entry['timing']) is not None:
            per_host[entry['host']] = per_host.get(entry['host'], 0) + module_seconds(entry['timing'])
    if per_host:  # hosts run in parallel: the slowest one is what the run waits for
        result['module_s'] = max(per_host.values())
    return result


def tail(path, lines=12):
    with open(path, errors='replace') as handle:
        return ''.join(handle.readlines()[-lines:])


def run_timed(argv, env, log):
    """Wall time, exit code and rusage of the command and its reaped descendants."""
    with open(log, 'w') as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        killer = threading.Timer(STEP_TIMEOUT, os.killpg, (proc.pid, signal.SIGKILL))
        killer.daemon = True
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)  # not proc.wait(): it drops the rusage
        except KeyboardInterrupt:  # its own session gets no signal: end it with us
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            raise
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, proc.returncode, usage


def measure(step, rundir):
    log = os.path.join(rundir, step.contender + '.log')
    results = os.path.join(rundir, step.contender + '.results.jsonl')
    seconds, code, usage = run_timed(step.argv, ansible_env(results) if step.ansible else None, log)
    outcome = {'contender': step.contender, 'seconds': seconds, 'rss_kb': usage.ru_maxrss, 'error': None}
    if step.ansible:
        outcome.update(recap(results))
    if code != 0:
        why = outcome.get('failed_msg') or tail(log)
        outcome['error'] = 'exit %d%s: %s' % (code, ' (timed out)' if seconds >= STEP_TIMEOUT else '', why)
    return outcome


def inner(spec):
    """One run of one scenario on this fresh host; writes DIR/result.json."""
    out = {'steps': [], 'error': None}
    scenario = contenders.build(spec['scenario'], spec['workload'], spec['count'], spec['dir'])
    try:
        scenario.setup()
        for step in scenario.steps:
            outcome = measure(step, spec['dir'])
            out['steps'].append(outcome)
            problem = outcome['error'] or (scenario.check() if step.check else None)
            if problem:
                if not outcome['error']:
                    outcome['error'] = 'wrong state after the run: %s (see state.txt)' % problem
                    contenders.snapshot(os.path.join(spec['dir'], 'state.txt'))
                break
    except Exception as exc:  # pylint: disable=broad-exception-caught  # reported, never lost
        out['error'] = '%s: %s' % (type(exc).__name__, exc)
    finally:
        try:
            scenario.teardown()
        except RuntimeError as exc:
            out['error'] = out['error'] or 'teardown: %s' % exc
    with open(os.path.join(spec['dir'], 'result.json'), 'w') as handle:
        json.dump(out, handle)


# --- outside: plan, run each scenario in a fresh namespace, collect, report

def run_once(workload, scenario, count, keep):
    """Steps of one run (a list of outcomes) and an error, from a fresh host."""
    rundir = tempfile.mkdtemp(prefix='linuxns-bench.')
    spec = {'workload': workload, 'scenario': scenario, 'count': count, 'dir': rundir}
    argv = [FRESHNS, contenders.PYTHON, os.path.abspath(__file__), '--inner', json.dumps(spec)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        try:
            output = proc.communicate()[0]
        except KeyboardInterrupt:  # let the run take its lab down before we go
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
    try:
        with open(os.path.join(rundir, 'result.json')) as handle:
            out = json.load(handle)
    except (OSError, ValueError):
        out = {'steps': [], 'error': 'the run died (exit %d): %s' % (proc.returncode, output[-1500:])}
    failed = [step for step in out['steps'] if step['error']]
    if failed or out['error']:
        where = ' [inputs and logs kept in %s]' % rundir
        if failed:
            failed[0]['error'] += where
        else:
            out['error'] += where
    elif not keep:
        shutil.rmtree(rundir, ignore_errors=True)
    return out['steps'], out['error']


class Collector:
    """The rows of the table, filled run by run; a contender that failed once is not run again."""

    def __init__(self):
        self.rows = []
        self.failed = set()

    def row(self, workload, contender):
        found = report.find(self.rows, workload, contender)
        if not found:
            found = report.Row(workload, contender)
            self.rows.append(found)
        return found

    def fail(self, workload, scenario, contender, error):
        row = self.row(workload, contender)
        row.status, row.note = 'failed', 'FAILED: ' + ' '.join(error.split())[:1500]
        self.failed.add((workload, scenario))

    def add(self, workload, scenario, steps, error):
        for step in steps:
            if step['error']:
                self.fail(workload, scenario, step['contender'], step['error'])
            else:
                self.row(workload, step['contender']).add(step)
        if error:  # around the steps (setup, teardown): charged to the step it stopped at
            self.fail(workload, scenario, steps[-1]['contender'] if steps else contenders_of(workload, scenario)[0], error)


def contenders_of(workload, scenario):
    if workload in contenders.LABS:
        return contenders.LABS[workload][2]
    return contenders.CONTENDERS.get(scenario, (scenario,))


def skip_reason(scenario):
    if scenario == 'linuxns' and not os.path.exists(contenders.MODULE):
        return 'skipped: module not available (%s)' % os.path.relpath(contenders.MODULE, REPO)
    return None


def preflight(collector, workload, scenario, keep):
    """CNI is proven on one container (ping to its gateway) before it is timed."""
    if scenario != 'cni':
        return True
    steps, error = run_once(workload, scenario, 1, keep)
    error = error or next((step['error'] for step in steps if step['error']), None)
    if error:
        collector.fail(workload, scenario, 'cni', 'preflight with 1 container: ' + error)
    return not error


def run_workload(collector, workload, scenarios, runs, keep):
    count = report.W_SIZES.get(workload)
    for scenario in scenarios:
        reason = skip_reason(scenario)
        for contender in contenders_of(workload, scenario):
            collector.row(workload, contender).note = reason or ''
            collector.row(workload, contender).status = 'skipped' if reason else 'ok'
    live = [s for s in scenarios if not skip_reason(s) and preflight(collector, workload, s, keep)]
    for index in range(runs):  # round robin, so a slow drift of the machine hits all alike
        for scenario in live:
            if (workload, scenario) in collector.failed:
                continue
            started = time.time()
            steps, error = run_once(workload, scenario, count, keep)
            collector.add(workload, scenario, steps, error)
            print('  %-9s run %d/%d  %-16s %s' % (workload, index + 1, runs, scenario, progress(steps, error, started)),
                  flush=True)
    for scenario in live:
        for contender in contenders_of(workload, scenario):
            row = collector.row(workload, contender)
            if not row.runs and row.status == 'ok':  # a step before it failed
                row.status, row.note = 'skipped', 'not run: an earlier step of the same run failed'


def progress(steps, error, started):
    timed = ', '.join('%s %.2f s' % (step['contender'], step['seconds']) for step in steps if not step['error'])
    problems = [step['error'] for step in steps if step['error']] + ([error] if error else [])
    return '%s  (%.0f s in all)%s' % (timed or '-', time.time() - started,
                                      '  FAILED: ' + ' '.join(problems[0].split())[:300] if problems else '')


# --- command line

def parse_args(argv):
    parser = argparse.ArgumentParser(description='Benchmark linuxns.net against real peers (see bench/run).')
    parser.add_argument('--quick', action='store_true', help='W10 only, 1 run, fewer contenders (a smoke test)')
    parser.add_argument('--runs', type=int, help='runs per contender (default 3; 1 with --quick)')
    parser.add_argument('--only', default='', help='comma-separated workloads (%s) and/or contenders (%s)'
                        % (','.join(WORKLOADS[1:]), ','.join(['ansible-ping'] + W_SCENARIOS)))
    parser.add_argument('--out', help='write OUT.md and OUT.json (default bench/results/latest, or quick with --quick)')
    parser.add_argument('--keep', action='store_true', help='keep every run directory (inputs and logs) under /tmp')
    parser.add_argument('--inner', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 3)
    if args.runs < 1:
        parser.error('--runs must be at least 1')
    args.out = args.out or os.path.join(REPO, 'bench', 'results', 'quick' if args.quick else 'latest')
    return args


def plan(args):
    """[(workload, [scenarios])] in the order they run."""
    names = [name for name in args.only.split(',') if name]
    contender_names = dict((c, s) for s in W_SCENARIOS for c in contenders.CONTENDERS.get(s, (s,)))
    contender_names['ansible-ping'] = 'ansible-ping'
    unknown = [name for name in names if name not in WORKLOADS and name not in contender_names]
    if unknown:
        raise SystemExit('bench: unknown --only %s; workloads: %s; contenders: %s'
                         % (','.join(unknown), ', '.join(WORKLOADS[1:]), ', '.join(contender_names)))
    workloads = [w for w in WORKLOADS if w in names] or (['W10'] if args.quick else WORKLOADS[1:])
    chosen = set(contender_names[name] for name in names if name in contender_names)
    scenarios = [s for s in (QUICK_SCENARIOS if args.quick else W_SCENARIOS) if not chosen or s in chosen]
    result = []
    if any(w in report.W_SIZES for w in workloads) and (not chosen or 'ansible-ping' in chosen):
        result.append(('-', ['ansible-ping']))  # Ansible's fixed cost, once per run set
    for workload in workloads:
        if workload in contenders.LABS:
            if not chosen:
                result.append((workload, [workload]))
        elif workload in report.W_SIZES:
            result.append((workload, [s for s in scenarios if s != 'naive-loop' or workload in NAIVE_WORKLOADS]))
    return result


def version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return 'unknown'


def facts(load_before):
    from importlib.metadata import version as dist_version  # pylint: disable=import-outside-toplevel
    with open('/proc/cpuinfo') as handle:
        cpu = next((line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')), 'unknown')
    head = version(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'])
    dirty = subprocess.run(['git', '-C', REPO, 'status', '--porcelain', '--', 'plugins', 'roles'],
                           capture_output=True, text=True, check=False).stdout.strip()
    return [('date', datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')),
            ('commit', head + (' + uncommitted changes in plugins/ or roles/' if dirty else '')),
            ('nproc', str(os.cpu_count())), ('cpu', cpu), ('kernel', platform.release()),
            ('load average (1 min) before / after', '%.2f / %.2f' % (load_before, os.getloadavg()[0])),
            ('python', platform.python_version()), ('ansible-core', dist_version('ansible-core')),
            ('pyroute2', dist_version('pyroute2')), ('iproute2', version(['ip', '-V'])),
            ('iptables', version(['iptables', '-V'])),
            ('containernetworking-plugins', version(['dpkg-query', '-W', '-f', '${Version}', 'containernetworking-plugins']))]


def show(rows):
    print()
    print('\n'.join(report.text_table(rows, UNCHANGED)))
    print('(%s)' % report.RSS_NOTE)
    print()
    print('\n'.join(report.target_lines(rows)))


def interrupted(_signum, _frame):
    raise KeyboardInterrupt  # so that `finally` takes a lab down and the table so far is shown


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupted)
    if args.inner:
        inner(json.loads(args.inner))
        return 0
    if not os.environ.get('LINUXNS_SANDBOX'):
        raise SystemExit('bench: run it through bench/run (it needs tests/sandbox)')
    load_before = os.getloadavg()[0]  # other work on the machine skews the timings
    collector = Collector()
    schedule = plan(args)
    print('bench: %d run(s) each of %s' % (args.runs, '; '.join('%s: %s' % (w, ' '.join(s)) for w, s in schedule)),
          flush=True)
    try:
        for workload, scenarios in schedule:
            run_workload(collector, workload, scenarios, args.runs, args.keep)
    except KeyboardInterrupt:
        show(collector.rows)
        print('\nbench: interrupted; %s.* not written' % os.path.relpath(args.out))
        return 130
    show(collector.rows)
    command = 'bench/run ' + ' '.join(argv)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    report.write(args.out, collector.rows, facts(load_before), UNCHANGED, command.strip())
    print('\nbench: wrote %s.md and %s.json' % (os.path.relpath(args.out), os.path.relpath(args.out)))
    return 1 if any(row.status == 'failed' for row in collector.rows) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
