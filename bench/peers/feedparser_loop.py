"""Peer: what a Python user writes by hand. usage: feedparser_loop.py DB URLS_FILE
A ThreadPoolExecutor of 16 threads fetches with requests (ETag / Last-Modified sent back) and
parses with feedparser; the main thread stores feeds and entries in sqlite3."""
import sqlite3, sys, threading
from concurrent.futures import ThreadPoolExecutor, as_completed
import feedparser, requests

db, urls_file = sys.argv[1], sys.argv[2]
urls = [u.strip() for u in open(urls_file) if u.strip()]
con = sqlite3.connect(db)
con.executescript("""
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT, modified TEXT, title TEXT);
CREATE TABLE IF NOT EXISTS entries (feed TEXT, id TEXT, title TEXT, link TEXT, published TEXT,
    summary TEXT, content TEXT, PRIMARY KEY (feed, id));
""")
state = {u: (e, m) for u, e, m in con.execute("SELECT url, etag, modified FROM feeds")}
local = threading.local()

def session():
    if not hasattr(local, "s"):
        local.s = requests.Session()
    return local.s

def fetch(url):
    etag, modified = state.get(url, (None, None))
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    resp = session().get(url, headers=headers, timeout=30)
    if resp.status_code == 304:
        return url, None, None
    d = feedparser.parse(resp.content, response_headers={k.lower(): v for k, v in resp.headers.items()})
    return url, d, resp.headers

new = 0
with ThreadPoolExecutor(16) as pool:
    for fut in as_completed([pool.submit(fetch, u) for u in urls]):
        url, d, h = fut.result()
        if d is None:
            continue
        with con:
            con.execute("INSERT OR REPLACE INTO feeds VALUES (?,?,?,?)",
                        (url, h.get("ETag"), h.get("Last-Modified"), d.feed.get("title")))
            for e in d.entries:
                content = e.get("content")
                con.execute("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?)",
                            (url, e.get("id") or e.get("link") or e.get("title"), e.get("title"),
                             e.get("link"), e.get("published"), e.get("summary"),
                             content[0].get("value") if content else None))
                new += 1
print(new, file=sys.stderr)
