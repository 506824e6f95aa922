"""Production serving: `gunicorn -c gunicorn.conf.py "hub:create_app()"`.

Flags on the command line override these (for example `-w 8 -b 0.0.0.0:8000`). Hub's own settings
come from HUB_* environment variables; see docs/deploy.md.
"""

import os

# behind a reverse proxy on the same host; use -b 0.0.0.0:8000 when the proxy runs elsewhere
bind = "127.0.0.1:8000"
# several worker processes: one crashing or being recycled never takes the site down
workers = 4
worker_class = "gthread"


def threads_for(environ) -> int:
    """Threads per worker: several only when requests wait on other servers.

    Threads let a worker go on while a request waits for PostgreSQL or S3. On SQLite and local files
    every request is CPU work, and threads only take turns on the interpreter lock: one per worker
    served about 15 % more searches and beacons in the load test (docs/performance.md).
    """
    database = environ.get("HUB_DATABASE_URL") or "sqlite"
    remote_files = (environ.get("HUB_STORAGE") or "").startswith("s3://")
    return 4 if remote_files or not database.startswith("sqlite") else 1


threads = threads_for(os.environ)
# uploads of large decks and report exports can take a while
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
