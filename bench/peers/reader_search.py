"""reader's full-text search on the synthetic rows of a pydigest store.
usage: reader_search.py PYDIGEST_DB ROWS QUERIES READER_DB PASSES
Loads the first ROWS synthetic entries with reader's add_entry() (one feed, updates disabled),
then enable_search() + update_search() (timed), then search_entries(q, limit=20) per query."""
import json, os, sqlite3, sys, time
from datetime import datetime
from reader import make_reader

src, rows, queries, rdb, passes = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
qs = [l.rstrip("\n").split("\t", 1) for l in open(queries) if "\t" in l]
fresh = not os.path.exists(rdb)
r = make_reader(rdb)
load_s = index_s = 0.0
if fresh:
    feed = "http://synthetic.invalid/feed.xml"
    r.add_feed(feed)
    r.disable_feed_updates(feed)
    con = sqlite3.connect(src)
    t = time.perf_counter()
    for i, title, url, published, summary, body, authors in con.execute(
            "SELECT id, title, url, published, summary, content_text, authors FROM entries "
            "WHERE entry_id LIKE 'syn-%' ORDER BY id LIMIT ?", (rows,)):
        r.add_entry(dict(feed_url=feed, id=f"syn-{i}", title=title, link=url, author=authors,
                         published=datetime.fromisoformat(published.replace("Z", "+00:00")), summary=summary,
                         content=[dict(value=body, type="text/plain")]))
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    r.enable_search()
    r.update_search()
    index_s = time.perf_counter() - t
for _, q in qs:
    list(r.search_entries(q, limit=20))
lat, bands = [], {}
for _ in range(passes):
    for band, q in qs:
        t = time.perf_counter()
        n = len(list(r.search_entries(q, limit=20)))
        ms = (time.perf_counter() - t) * 1000
        lat.append(ms)
        bands.setdefault(band, []).append(ms)

def pct(v, p):
    v = sorted(v)
    return v[round((len(v) - 1) * p)]

print(json.dumps({"mode": "reader", "rows": rows, "load_s": load_s, "index_s": index_s,
                  "p50": pct(lat, .5), "p95": pct(lat, .95), "max": max(lat),
                  "bands": {b: {"p50": pct(v, .5), "p95": pct(v, .95)} for b, v in sorted(bands.items())}}))
