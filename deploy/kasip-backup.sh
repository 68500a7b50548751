#!/bin/sh
# Online backup of Kasip's SQLite database with sqlite3's .backup: safe while the bot runs
# (a plain copy of a live WAL database is not).
#
#   kasip-backup [DIR]   write DIR/kasip-<UTC date and time>.sqlite, check it, and delete the
#                        backups in DIR older than KASIP_BACKUP_KEEP_DAYS days (default 14).
#                        DIR defaults to KASIP_BACKUP_DIR, else /var/backups/kasip.
#   kasip-backup -       write one checked backup to standard output (for `docker compose exec -T`).
#
# KASIP_DB names the database (default /var/lib/kasip/kasip.sqlite). Needs the sqlite3 CLI.
set -eu
umask 077

db=${KASIP_DB:-/var/lib/kasip/kasip.sqlite}
dest=${1:-${KASIP_BACKUP_DIR:-/var/backups/kasip}}
keep_days=${KASIP_BACKUP_KEEP_DAYS:-14}

fail() {
    echo "kasip-backup: $*" >&2
    exit 1
}

[ -f "$db" ] || fail "no database at $db"
case "$keep_days" in
    '' | *[!0-9]* | 0) fail "KASIP_BACKUP_KEEP_DAYS must be a whole number of days, at least 1" ;;
esac

# $1: the target file. .timeout waits for a busy writer instead of failing.
backup_to() {
    sqlite3 -bail -cmd ".timeout 30000" "$db" ".backup '$1'" || fail "sqlite3 .backup into $1 failed"
    result=$(sqlite3 "$1" "PRAGMA integrity_check;") || fail "cannot open the backup $1"
    [ "$result" = ok ] || fail "integrity check of $1 failed: $result"
}

if [ "$dest" = - ]; then
    tmp=$(mktemp "$(dirname -- "$db")/.kasip-backup.XXXXXX")
    trap 'rm -f -- "$tmp" "$tmp-wal" "$tmp-shm"' EXIT
    backup_to "$tmp"
    cat -- "$tmp"
    exit 0
fi

mkdir -p -- "$dest"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
target="$dest/kasip-$stamp.sqlite"
part="$target.part"
trap 'rm -f -- "$part" "$part-wal" "$part-shm"' EXIT
backup_to "$part"
mv -- "$part" "$target"
echo "kasip-backup: wrote $target ($(wc -c <"$target") bytes)"

# Retention: -mtime +N means "more than N whole days old".
find "$dest" -maxdepth 1 -type f -name 'kasip-*.sqlite' -mtime +"$((keep_days - 1))" -print -delete |
    sed 's/^/kasip-backup: deleted /'
