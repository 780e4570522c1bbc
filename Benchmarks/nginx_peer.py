"""nginx serving files as the static-file peer of make bench-server and make bench-dashboards."""
import os
import subprocess

from benchlib import free_port, tool


def start(work, www, default_type):
    """nginx serving the files in www (the same bytes the server under test sent); returns (process, port)."""
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
  default_type {default_type};
  sendfile on;
  server {{ listen 127.0.0.1:{port}; root {www}; }}
}}
""")
    os.makedirs(os.path.join(work, "nginx-tmp"), exist_ok=True)
    return subprocess.Popen([tool("nginx"), "-c", conf, "-p", work]), port
