"""Production serving: `gunicorn -c gunicorn.conf.py "hub:create_app()"`.

Flags on the command line override these (for example `-w 8 -b 0.0.0.0:8000`). Hub's own settings
come from HUB_* environment variables; see docs/deploy.md.
"""

# behind a reverse proxy on the same host; use -b 0.0.0.0:8000 when the proxy runs elsewhere
bind = "127.0.0.1:8000"
# several worker processes: one crashing or being recycled never takes the site down
workers = 4
# threads per worker, so slow clients and database waits do not block a whole process
worker_class = "gthread"
threads = 4
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
