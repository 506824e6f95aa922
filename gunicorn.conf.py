"""Production serving: `gunicorn -c gunicorn.conf.py`.

Flags on the command line override these (for example `-w 8 -b 0.0.0.0:8000`). Hub's own settings
come from HUB_* environment variables; see docs/deploy.md.
"""

import signal

# gunicorn's asgi worker, so share-viewer beacons are stored in groups, one commit for many (hub.asgi);
# pages are served by the Flask app on HUB_PAGE_THREADS threads per worker
wsgi_app = "hub.asgi:create_app()"
worker_class = "asgi"
# behind a reverse proxy on the same host; use -b 0.0.0.0:8000 when the proxy runs elsewhere
bind = "127.0.0.1:8000"
# several worker processes: one crashing or being recycled never takes the site down
workers = 4
# a worker whose event loop has not ticked for this long is stuck, and is restarted
timeout = 120
graceful_timeout = 30
keepalive = 5
# recycle workers now and then so memory stays flat over months; rarely, because a new worker costs
# about a second of CPU (imports, app, first templates): at 5,000 requests a busy site restarted one
# every few seconds and spent a tenth of its CPU on it
max_requests = 200000
max_requests_jitter = 20000
# heartbeat files in memory, not on a possibly slow disk
worker_tmp_dir = "/dev/shm"
# the reverse proxy in front logs every request; add --access-logfile - to log here as well
accesslog = None
errorlog = "-"
loglevel = "info"
# never load the app in the master: each worker opens its own database connections after the fork
preload_app = False

# uvloop drops a signal that arrives before its event loop runs: a stop sent while a worker loaded the
# app was lost, and the worker served on until the master killed it. Such signals now wait for the loop.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGQUIT}


def post_fork(server, worker):
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def post_worker_init(worker):
    loop = getattr(worker, "loop", None)
    if loop is None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    else:
        loop.call_soon(signal.pthread_sigmask, signal.SIG_UNBLOCK, STOP_SIGNALS)
