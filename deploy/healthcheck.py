"""Container health check: GET /healthz where `kasip bot` serves it; exit 0 when it says "ok".

Webhook mode (KASIP_WEBHOOK_URL set): the webhook server's own port, KASIP_PORT (8443).
Long polling: KASIP_HEALTH_PORT (8080), which the entrypoint passes as --health-port.
Proxies from the environment (HTTPS_PROXY for reaching Telegram, say) are ignored here.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    if os.environ.get("KASIP_WEBHOOK_URL"):
        port = os.environ.get("KASIP_PORT") or "8443"
    else:
        port = os.environ.get("KASIP_HEALTH_PORT") or "8080"
    url = f"http://127.0.0.1:{port}/healthz"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=4) as response:
            status, body = response.status, response.read(64)
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1
    if status != 200 or body.strip() != b"ok":
        print(f"unhealthy: {url}: {status} {body[:32]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
