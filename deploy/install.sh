#!/usr/bin/env bash
# Installs azure-signin from its wheel into a virtual environment of its own: the build
# step of deploy/Dockerfile, and what CI runs for real (tests/packaging). No root needed.
#
#   deploy/install.sh WHEEL [PREFIX]        PREFIX defaults to /opt/azure-signin
#
# Every dependency comes from the lock file (AZURE_SIGNIN_LOCK, default the
# requirements-runtime.lock next to this folder) at its pinned version, checked against its
# hash; the wheel is then installed without resolving anything again. The result is the
# same set of packages CI tested, whatever PyPI holds today.
set -euo pipefail

wheel="${1:?usage: install.sh WHEEL [PREFIX]}"
prefix="${2:-/opt/azure-signin}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock="${AZURE_SIGNIN_LOCK:-$here/../requirements-runtime.lock}"
python="${PYTHON:-python3}"

[ -f "$wheel" ] || { echo "install.sh: no wheel at $wheel" >&2; exit 2; }
[ -f "$lock" ] || { echo "install.sh: no lock file at $lock" >&2; exit 2; }
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "install.sh: $python is older than Python 3.11" >&2; exit 2; }

"$python" -m venv "$prefix"
pip=("$prefix/bin/python" -m pip --disable-pip-version-check --no-input)
"${pip[@]}" install -q --require-hashes -r "$lock"
"${pip[@]}" install -q --no-deps "$wheel"
"${pip[@]}" check >/dev/null   # every installed package's requirements are met
"$prefix/bin/azure-signin" --version
