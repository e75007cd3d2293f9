#!/usr/bin/env bash
# The container's entrypoint (deploy/Dockerfile), also usable on a plain host; CI runs it
# for real (tests/packaging/test_deploy.py).
#
#   entrypoint.sh [serve [ARGS]]   the service: azure-signin serve --workers $AZURE_SIGNIN_WORKERS
#   entrypoint.sh healthcheck      exit 0 when this host's service answers /health/live
#   entrypoint.sh COMMAND ...      any other azure-signin command (db upgrade, user list, ...)
#
# Settings are the SIGNIN_ environment variables (secrets as SIGNIN_<NAME>_FILE); this
# script's own knobs are AZURE_SIGNIN_* so that the service never mistakes them for a
# setting: AZURE_SIGNIN_PREFIX (the venv, /opt/azure-signin) and AZURE_SIGNIN_WORKERS (2).
set -euo pipefail

prefix="${AZURE_SIGNIN_PREFIX:-/opt/azure-signin}"
command="${1:-serve}"
[ $# -gt 0 ] && shift

case "$command" in
  healthcheck)
    # The image has no curl: the venv's Python asks the process on this host, bounded to 2 s.
    exec "$prefix/bin/python" - "${SIGNIN_PORT:-8000}" <<'PY'
import sys
import urllib.request

try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health/live", timeout=2) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except Exception as error:
    print(f"unhealthy: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
PY
    ;;
  serve)
    # exec: the service replaces this shell, so the container's SIGTERM reaches it (a
    # graceful stop, up to 10 s for requests in flight). A --workers in ARGS wins.
    exec "$prefix/bin/azure-signin" serve --workers "${AZURE_SIGNIN_WORKERS:-2}" "$@"
    ;;
  *)
    exec "$prefix/bin/azure-signin" "$command" "$@"
    ;;
esac
