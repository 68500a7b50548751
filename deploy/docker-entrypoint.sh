#!/bin/sh
# Kasip container entrypoint.
#
#   (no arguments) | bot [FLAGS]   migrate the database, import the demo vacancies on the first
#                                  start, then exec `kasip bot` (webhook mode when KASIP_WEBHOOK_URL
#                                  is set, else long polling with /healthz on KASIP_HEALTH_PORT)
#   --flag ...                     the same, the flags going to `kasip bot`
#   anything else                  exec'd as it is: `kasip code 7212`, `kasip-backup -`, `sh`
#
# Never prints the token or the webhook secret.
set -eu

log() {
    printf '%s kasip-entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

case "${1:-bot}" in
    bot) if [ "$#" -gt 0 ]; then shift; fi ;;
    -*) ;;
    *) exec "$@" ;;
esac

: "${KASIP_DB:=/data/kasip.sqlite}"
export KASIP_DB
data_dir=$(dirname -- "$KASIP_DB")

if [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
    log "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather into the env file (see deploy/.env.example)"
    exit 64
fi

mkdir -p -- "$data_dir" 2>/dev/null || true
if [ ! -w "$data_dir" ]; then
    log "$data_dir is not writable by uid $(id -u): a bind mount must belong to 10001:10001 (chown -R 10001:10001 DIR)"
    exit 73
fi

# Webhook settings are checked before anything touches the database.
if [ -n "${KASIP_WEBHOOK_URL:-}" ]; then
    case "$KASIP_WEBHOOK_URL" in
        https://*) ;;
        *) log "KASIP_WEBHOOK_URL must start with https:// (Telegram only calls HTTPS webhooks)"; exit 64 ;;
    esac
    # The secret stays in the environment (kasip reads KASIP_WEBHOOK_SECRET): on the command
    # line it would show in `ps` on the host.
    secret=${KASIP_WEBHOOK_SECRET:-}
    case "$secret" in
        "") log "KASIP_WEBHOOK_SECRET must be set in webhook mode (e.g. openssl rand -hex 32)"; exit 64 ;;
        *[!A-Za-z0-9_-]*) log "KASIP_WEBHOOK_SECRET may only contain A-Z a-z 0-9 _ -"; exit 64 ;;
    esac
    if [ "${#secret}" -gt 256 ]; then
        log "KASIP_WEBHOOK_SECRET is longer than Telegram's limit of 256 characters"
        exit 64
    fi
fi

# Schema migrations: idempotent, so every start (and so every upgrade) runs them.
kasip db migrate --quiet

# Demo vacancies: once per data volume. --if-empty also protects a store that already has
# vacancies; a failed import does not keep the bot from starting, and the next start retries.
marker="$data_dir/.kasip-demo-vacancies-imported"
if [ "${KASIP_DEMO_VACANCIES:-1}" = 1 ] && [ ! -e "$marker" ]; then
    log "first start: importing the demo vacancies"
    if kasip vacancies import --demo --if-empty --quiet; then
        date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
    else
        log "WARNING: the demo vacancy import failed; starting without it (the next start tries again)"
    fi
fi

if [ -n "${KASIP_WEBHOOK_URL:-}" ]; then
    # Inside a container the server must listen on all interfaces for the published port to
    # reach it; publish it on the host's loopback only (see docker-compose.yml).
    listen=${KASIP_LISTEN:-0.0.0.0}
    port=${KASIP_PORT:-8443}
    log "starting kasip bot: webhook mode, listening on $listen:$port"
    exec kasip bot --webhook-url "$KASIP_WEBHOOK_URL" --listen "$listen" --port "$port" "$@"
fi

health_port=${KASIP_HEALTH_PORT:-8080}
log "starting kasip bot: long polling, /healthz on port $health_port"
exec kasip bot --health-port "$health_port" "$@"
