# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-playbook runs without paying for ansible-core's imports each time.

An `ansible-playbook` start spends about 0.8 s of its 1.8 s importing
ansible-core and reading its configuration; the integration tests start it
about a thousand times.  `PreloadedAnsible` starts one server process that
does those imports once, then forks a child per run.  The child is a whole
`ansible-playbook`: it takes the run's environment, working directory,
arguments and output file, and calls the command's own entry point
(`ansible.cli.playbook.main`), which forks its workers and runs the real
modules as always.  Only what the configuration fixed at import time is
shared, so a run whose ANSIBLE_* variables differ from the server's is started
as a separate process instead (`run` decides).

Protocol, one JSON line each way: request {argv, env, cwd, output, timeout};
reply {"rc": N} when the child has exited (killed past its timeout: -9)."""

import atexit
import json
import os
import signal
import subprocess
import sys
import time
import traceback

PRELOAD = ('ansible.cli.playbook', 'ansible.executor.playbook_executor', 'ansible.executor.task_queue_manager',
           'ansible.executor.task_executor', 'ansible.playbook', 'ansible.template', 'ansible.vars.manager',
           'ansible.inventory.manager', 'ansible.parsing.dataloader')


def ansible_settings(env):
    return dict((key, value) for key, value in env.items() if key.startswith('ANSIBLE_'))


def run_separately(argv, env, output, timeout):
    """The same run as a process of its own (runs at once, other ANSIBLE_* settings)."""
    with open(output, 'w') as handle:
        return subprocess.run(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=timeout, check=False).returncode


class PreloadedAnsible:
    """The client: `run(argv, env, output, timeout)` -> exit status."""

    def __init__(self, env):
        self.settings = ansible_settings(env)
        self.server = subprocess.Popen([sys.executable, os.path.abspath(__file__)], env=env, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, universal_newlines=True, bufsize=1)

    def run(self, argv, env, output, timeout):
        if ansible_settings(env) != self.settings or self.server.poll() is not None:
            return run_separately(argv, env, output, timeout)
        request = {'argv': argv, 'env': env, 'cwd': os.getcwd(), 'output': output, 'timeout': timeout}
        self.server.stdin.write(json.dumps(request) + '\n')
        return json.loads(self.server.stdout.readline())['rc']

    def close(self):
        self.server.stdin.close()
        self.server.wait(timeout=30)


def _child(request):
    """In the forked child: become the requested ansible-playbook run."""
    import ansible.cli.playbook
    from ansible.config.manager import cleanup_tmp_file
    # The server's local temp dir, made when it read the configuration, stays
    # for the next runs (its modules' AnsiballZ cache); the server removes it.
    atexit.unregister(cleanup_tmp_file)
    code = 1
    try:
        output = os.open(request['output'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.environ.clear()
        os.environ.update(request['env'])
        os.chdir(request['cwd'])
        sys.argv = list(request['argv'])
        ansible.cli.playbook.main(sys.argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()  # the run's own clean-up, as at a normal exit
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve():
    for name in PRELOAD:
        __import__(name)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({'rc': _wait(pid, time.monotonic() + request['timeout'])}), flush=True)


def _wait(pid, deadline):
    """The child's exit status; past the deadline it is killed, as
    subprocess.run's timeout kills the command itself (-9)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = float('inf')
        time.sleep(0.01)


if __name__ == '__main__':
    serve()
