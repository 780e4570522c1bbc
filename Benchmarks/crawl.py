"""A crawl of Lantaarn's public surface, shared by make verify's canary and soak suites: every
same-origin link in HTML, every URL in JSON, and every absolute URL of the site in any other
text (catalogue, CSVW, CSV), from the entry points below. Standard library only."""
import gzip
import http.client
import json
import re

def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        r = conn.getresponse()
        body = r.read()
        if r.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return r.status, r.getheader("Content-Type") or "", body
    finally:
        conn.close()


def links(base, content_type, body):
    text = body.decode("utf-8", "replace")
    found = set()
    if "html" in content_type:
        found.update(re.findall(r'(?:href|src)="([^"]+)"', text))
    elif "json" in content_type:
        def walk(v):
            if isinstance(v, dict):
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
            elif isinstance(v, str) and (v.startswith("/") or v.startswith(base)):
                found.add(v)
        try:
            walk(json.loads(text))
        except ValueError:
            pass
    found.update(re.findall(re.escape(base) + r'/[^\s"\'<>)\]]*', text))
    out = set()
    for link in found:
        link = link.replace("&amp;", "&")
        if link.startswith(base):
            link = link[len(base):] or "/"
        link = link.rstrip(".,;")   # the end of a sentence or a Turtle statement, not of the URL
        if link.startswith("/") and not link.startswith("//"):
            out.add(link.split("#")[0])
    return out


def crawl(port, limit):
    """Breadth-first from the entry points, at most `limit` requests and 12 variants (query
    strings) per path; admin routes are left out. Returns ([(path, status, body)], {status: n})."""
    base = f"http://127.0.0.1:{port}"
    start = ["/", "/dashboards", "/datasets", "/datasets.json", "/catalog.ttl", "/catalog.jsonld", "/algoritmes",
             "/algoritmes.json", "/openapi.json", "/geo", "/api/3/action/package_list", "/api/3/action/package_search",
             "/sta/v1.1", "/sta/v1.1/Things", "/sta/v1.1/Datastreams", "/sta/v1.1/Observations", "/-/health", "/-/metrics",
             "/-/ingest", "/-/pipelines", "/privacy", "/proclaimer"]
    queue, seen, per_path = list(start), set(start), {}
    responses, statuses = [], {}
    while queue and len(responses) < limit:
        path = queue.pop(0)
        try:
            status, content_type, body = fetch(port, path)
        except (OSError, http.client.HTTPException) as e:
            status, content_type, body = 0, "", str(e).encode()
        statuses[status] = statuses.get(status, 0) + 1
        responses.append((path, status, body))
        for link in sorted(links(base, content_type, body)):
            bare = link.split("?")[0]
            # Paged and filtered variants of one resource: enough to see every page kind.
            if link in seen or per_path.get(bare, 0) >= 12 or link.startswith("/admin"):
                continue
            per_path[bare] = per_path.get(bare, 0) + 1
            seen.add(link)
            queue.append(link)
    return responses, statuses
