"""Python feedparser (defaults) over the corpus bytes. usage: feedparser_parse.py DIR MIN_SECONDS"""
import json, os, sys, time
import feedparser

d, min_s = sys.argv[1], float(sys.argv[2])
files = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
total = sum(map(len, files))
for b in files:  # warm-up
    feedparser.parse(b)
t = time.perf_counter(); passes = 0
while passes == 0 or time.perf_counter() - t < min_s:
    entries = sum(len(feedparser.parse(b).entries) for b in files)
    passes += 1
secs = (time.perf_counter() - t) / passes
print(json.dumps({"mode": "feedparser", "bytes": total, "entries": entries, "seconds": secs, "passes": passes, "failed": 0}))
