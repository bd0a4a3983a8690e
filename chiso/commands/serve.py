"""`chiso serve`: the reporting units' portal (pages and JSON API) under uvicorn."""

from __future__ import annotations

from argparse import Namespace

import uvicorn

from core.settings import load_settings
from portal.app import create_app
from portal.connections import with_header_deadline
from portal.logs import log_config

KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 16 * 1024


def run(args: Namespace) -> int:
    settings = load_settings()
    app = create_app(settings)
    print(f"portal on http://{args.host}:{args.port} (API schema: /api/v1/openapi.json); Ctrl-C stops it", flush=True)
    print(f"accounts: {settings.accounts}; reads the snapshot {settings.snapshot}; sends land in {settings.inbox}")
    # proxy_headers: behind a TLS reverse proxy on this machine, the scheme (https) and client address
    # are the proxy's X-Forwarded-* ones (trusted from 127.0.0.1 only); no Server header; no secret in the
    # log (logs.py). Slow clients:
    # the headers' deadline (connections.py), 5 s idle between requests, the body's in uploads.read_form;
    # headers over 16 KB refused (h11; httptools has its own limit).
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        server_header=False,
        log_level="info",
        log_config=log_config(),
        http=with_header_deadline(settings.portal_header_seconds),
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return 0
