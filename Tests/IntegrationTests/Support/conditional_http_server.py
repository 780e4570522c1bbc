#!/usr/bin/env python3
"""A small HTTP server for the pull tests: serves files from a folder with ETag and
Last-Modified, answers 304 to If-None-Match / If-Modified-Since, and logs each request's
conditional headers as one JSON object per line.

  /slow/NAME     waits 30 s before answering (timeout test)
  /moved/NAME    redirects (302) to /NAME

Usage: conditional_http_server.py PORT FOLDER LOGFILE
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import time

PORT, FOLDER, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(LOG, "a") as log:
            log.write(json.dumps({"path": self.path, "if_none_match": self.headers.get("If-None-Match"),
                                  "if_modified_since": self.headers.get("If-Modified-Since")}) + "\n")
        path = self.path
        if path.startswith("/slow/"):
            time.sleep(30)
            path = path[len("/slow"):]
        if path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", path[len("/moved"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = os.path.join(FOLDER, os.path.basename(path))
        if not os.path.isfile(file):
            self.send_error(404)
            return
        with open(file, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        modified = email.utils.formatdate(int(os.path.getmtime(file)), usegmt=True)
        unchanged = self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == modified)
        self.send_response(304 if unchanged else 200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Length", "0" if unchanged else str(len(body)))
        self.end_headers()
        if not unchanged:
            self.wfile.write(body)


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
