# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An execution environment that includes linuxns.net gets its Python and
system requirements: the collection's tarball, as `ansible-galaxy collection
build` makes it from a clean clone, goes through ansible-builder as AWX and
Automation Platform users run it - `ansible-builder create` makes the build
context, then the image build's own stages run here, outside a container:
the galaxy stage's `ansible-galaxy collection install -r requirements.yml`
and the builder stage's `introspect.py` command line, exactly as the
Containerfile says.  No image is pulled or built.

ansible-builder runs from its own venv: LINUXNS_ANSIBLE_BUILDER, else
.venv-ee/bin/ansible-builder (scripts/tools makes it; scripts/test runs
scripts/tools, so the suite never skips these tests)."""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILDER = os.environ.get('LINUXNS_ANSIBLE_BUILDER') or os.path.join(REPO, '.venv-ee', 'bin', 'ansible-builder')
# ansible-galaxy of the ansible-core under test (the venv that runs pytest)
ANSIBLE_GALAXY = os.path.join(os.path.dirname(sys.executable), 'ansible-galaxy')
BASE_IMAGE = 'quay.io/ansible/awx-ee:latest'  # only named in the Containerfile: nothing is pulled
ORIGIN = '  # from collection linuxns.net'  # what ansible-builder appends to each collection requirement


def _requirement_lines(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith('#')]


PYTHON_REQUIREMENTS = _requirement_lines(os.path.join(REPO, 'requirements.txt'))
SYSTEM_REQUIREMENTS = _requirement_lines(os.path.join(REPO, 'bindep.txt'))


def _run(command, cwd=None, env=None):
    proc = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0, '%s failed (%d):\n%s' % (' '.join(command), proc.returncode, proc.stdout)
    return proc.stdout


def _clean_clone(dest):
    """The files a clean clone has (plus uncommitted edits), as scripts/docs and
    tests/sanity/run take them: never the venvs, caches or build outputs."""
    try:
        listing = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: everything but the usual outputs
        shutil.copytree(REPO, dest, symlinks=True, ignore=shutil.ignore_patterns(
            '.git', '.venv*', '.cache', 'build', 'output', '__pycache__', '.pytest_cache', '*.tar.gz'))
        return
    for name in listing.decode('utf-8').split('\0'):
        source = os.path.join(REPO, name)
        if not name or not os.path.lexists(source):  # deleted, not yet committed
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


@pytest.fixture(scope='module')
def builder():
    if not os.access(BUILDER, os.X_OK):
        pytest.skip('ansible-builder not found at %s: run scripts/tools (or set LINUXNS_ANSIBLE_BUILDER)' % BUILDER)
    return BUILDER


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    """The collection artifact, as `ansible-galaxy collection build` makes it."""
    work = tmp_path_factory.mktemp('collection')
    source = str(work / 'linuxns.net')
    _clean_clone(source)
    _run([ANSIBLE_GALAXY, 'collection', 'build', '--output-path', str(work / 'dist'), source])
    (path,) = (work / 'dist').glob('linuxns-net-*.tar.gz')
    return str(path)


@pytest.fixture(scope='module')
def context(builder, tarball, tmp_path_factory):
    """`ansible-builder create` of a user's execution environment that installs
    this collection from its tarball: (context dir, Containerfile text)."""
    work = tmp_path_factory.mktemp('ee')
    definition = {
        'version': 3,
        'images': {'base_image': {'name': BASE_IMAGE}},
        'dependencies': {
            'galaxy': {'collections': [{'name': 'collections/' + os.path.basename(tarball), 'type': 'file'}]},
        },
        'additional_build_files': [{'src': tarball, 'dest': 'collections'}],
    }
    (work / 'execution-environment.yml').write_text(yaml.safe_dump(definition, sort_keys=False))
    _run([builder, 'create', '--file', str(work / 'execution-environment.yml'), '--context', str(work / 'context'),
          '--output-filename', 'Containerfile'], cwd=str(work))
    return str(work / 'context'), (work / 'context' / 'Containerfile').read_text()


@pytest.fixture(scope='module')
def installed(context, tmp_path_factory):
    """The image's galaxy stage, run here: in the context's _build (the image's
    /build), ansible-galaxy installs requirements.yml.  Returns the collections path."""
    collections = str(tmp_path_factory.mktemp('usr-share-ansible') / 'collections')
    env = dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1', ANSIBLE_NOCOLOR='1')
    _run([ANSIBLE_GALAXY, 'collection', 'install', '-r', 'requirements.yml', '--collections-path', collections],
         cwd=os.path.join(context[0], '_build'), env=env)
    assert os.path.isfile(os.path.join(collections, 'ansible_collections', 'linuxns', 'net', 'MANIFEST.json'))
    return collections


def test_tarball_declares_its_requirements(tarball):
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        for name in ('meta/execution-environment.yml', 'requirements.txt', 'bindep.txt'):
            assert name in names, '%s missing from %s' % (name, os.path.basename(tarball))
        meta = yaml.safe_load(archive.extractfile('meta/execution-environment.yml'))
    assert meta == {'version': 1, 'dependencies': {'python': 'requirements.txt', 'system': 'bindep.txt'}}
    assert 'pyroute2>=0.9' in PYTHON_REQUIREMENTS


def test_create_makes_a_context_that_installs_and_introspects_the_collection(context, tarball):
    directory, containerfile = context
    with open(os.path.join(directory, '_build', 'requirements.yml')) as handle:
        assert yaml.safe_load(handle) == {
            'collections': [{'name': 'collections/' + os.path.basename(tarball), 'type': 'file'}]}
    assert os.path.isfile(os.path.join(directory, '_build', 'collections', os.path.basename(tarball)))
    for script in ('introspect.py', 'assemble', 'install-from-bindep'):
        assert os.path.isfile(os.path.join(directory, '_build', 'scripts', script)), script
    steps = [line.strip() for line in containerfile.splitlines()]
    assert 'ARG EE_BASE_IMAGE="%s"' % BASE_IMAGE in steps
    assert 'COPY _build /build' in steps
    assert any(s.startswith('RUN ') and 'ansible-galaxy collection install' in s and '-r requirements.yml' in s
               for s in steps), containerfile
    assert any(s.startswith('RUN $PYCMD /output/scripts/introspect.py introspect') for s in steps), containerfile
    assert 'RUN /output/scripts/assemble' in steps
    assert any(s.startswith('RUN /output/scripts/install-from-bindep') for s in steps), containerfile


def test_image_build_introspection_finds_pyroute2_and_the_bindep_lines(builder, context, installed, tmp_path):
    """The builder stage's introspect.py command line from the Containerfile,
    run on what the galaxy stage installed: what the image's pip and bindep get."""
    directory, containerfile = context
    (line,) = [s.strip() for s in containerfile.splitlines()
               if s.strip().startswith('RUN $PYCMD /output/scripts/introspect.py introspect')]
    python = os.path.join(os.path.dirname(builder), 'python')  # the builder stage installs pyyaml and packaging
    command = [python]
    for word in shlex.split(line)[2:]:
        word = word.replace('/output/scripts/', os.path.join(directory, '_build', 'scripts') + os.sep)
        command.append(word.replace('=/tmp/src/', '=%s%s' % (tmp_path, os.sep)))
    _run(command + [installed])
    assert _requirement_lines(str(tmp_path / 'requirements.txt')) == [r + ORIGIN for r in PYTHON_REQUIREMENTS]
    assert _requirement_lines(str(tmp_path / 'bindep.txt')) == [r + ORIGIN for r in SYSTEM_REQUIREMENTS]


def test_ansible_builder_introspect_lists_pyroute2_and_the_bindep_lines(builder, installed):
    output = _run([builder, 'introspect', '--sanitize', installed])
    data = yaml.safe_load(output)
    assert data['python'] == [r + ORIGIN for r in PYTHON_REQUIREMENTS]
    assert any(r.startswith('pyroute2>=0.9') for r in data['python'])
    assert data['system'] == [r + ORIGIN for r in SYSTEM_REQUIREMENTS]


@pytest.mark.parametrize('platform, packages', [
    (['platform:dpkg', 'platform:debian', 'platform:ubuntu'], ['iptables', 'nftables', 'util-linux']),
    (['platform:rpm', 'platform:redhat', 'platform:centos', 'platform:fedora'], ['iptables-nft', 'nftables', 'util-linux']),
])
def test_bindep_selects_the_packages_of_each_platform(builder, platform, packages):
    """bindep (as install-from-bindep runs it in the image) parses bindep.txt and
    picks Debian's / Ubuntu's and RHEL's / Fedora's package names."""
    python = os.path.join(os.path.dirname(builder), 'python')
    script = ('import json, sys\nfrom bindep.depends import Depends\n'
              'rules = Depends(open(sys.argv[1]).read()).active_rules(json.loads(sys.argv[2]) + ["default"])\n'
              'print(json.dumps([rule[0] for rule in rules]))')
    output = _run([python, '-c', script, os.path.join(REPO, 'bindep.txt'), json.dumps(platform)])
    assert json.loads(output) == packages
