"""Gunicorn settings for the bare apps. benchmarks/throughput.py passes the generated
project's effective server settings (workers, worker class, threads, preload) on the command
line; everything else stays at gunicorn's defaults (no access log)."""

# Gunicorn 25+ would open a control socket in $HOME; the generated configs disable it too.
control_socket_disable = True
