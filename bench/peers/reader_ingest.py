"""Peer: the `reader` library. usage: reader_ingest.py DB URLS_FILE WORKERS
First run on an empty DB adds the feeds; every run calls update_feeds(workers=WORKERS,
scheduled=False): reader 3.26 defaults to scheduled=True, which skips feeds updated within the
last hour, so a warm run would make no requests at all. Search stays at reader's default (not
enabled during ingest)."""
import sys
from reader import make_reader

db, urls_file, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = make_reader(db)
urls = [u.strip() for u in open(urls_file) if u.strip()]
if r.get_feed_counts().total == 0:
    for u in urls:
        r.add_feed(u)
r.update_feeds(workers=workers, scheduled=False)
print(r.get_entry_counts().total, file=sys.stderr)
