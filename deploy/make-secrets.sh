#!/usr/bin/env bash
# Makes the secrets deploy/compose.yaml mounts, into deploy/secrets/ (or DIR), never
# overwriting one that exists: the PostgreSQL password and the database URL built on it,
# the token encryption key (32 random bytes, base64url) and the Ed25519 key signing the
# service's tokens. The two client secrets come from your app registrations: set
# AAD_CLIENT_SECRET / B2C_CLIENT_SECRET when running this, or write those files yourself.
#
#   deploy/make-secrets.sh [DIR]
#
# DIR is private (0700) on the host; its files are 0444 so that the containers' own users
# (the service runs as uid 10001) can read the bind-mounted copies.
set -euo pipefail

dir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets}"
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"

write() {  # write NAME < content: atomically, only when NAME is missing
  local name="$1"
  if [ -e "$dir/$name" ]; then
    echo "kept $dir/$name"
    cat >/dev/null
    return
  fi
  cat >"$dir/.$name.tmp"
  chmod 0444 "$dir/.$name.tmp"
  mv "$dir/.$name.tmp" "$dir/$name"
  echo "made $dir/$name"
}

[ -e "$dir/postgres_password" ] || openssl rand -hex 24 | tr -d '\n' | write postgres_password
password="$(cat "$dir/postgres_password")"
printf '%s' "postgresql://signin:${password}@postgres:5432/signin" | write database_url
openssl rand -base64 32 | tr '+/' '-_' | tr -d '\n' | write token_encryption_key
if [ ! -e "$dir/jwt_private_key" ]; then
  openssl genpkey -algorithm ed25519 2>/dev/null | write jwt_private_key
fi
for name in aad_client_secret b2c_client_secret; do
  variable="$(echo "${name%_client_secret}" | tr '[:lower:]' '[:upper:]')_CLIENT_SECRET"
  if [ -n "${!variable:-}" ]; then
    printf '%s' "${!variable}" | write "$name"
  elif [ ! -e "$dir/$name" ]; then
    echo "missing $dir/$name: write your app registration's secret into it (or set $variable)"
  fi
done
