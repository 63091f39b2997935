"""Parses one received message with Python's email module and prints what the mail tests
check, as JSON: the headers, and for each MIME part its content type and decoded text.

usage: python3 parse_mail.py FILE.eml
"""

import json
import sys
from email import policy
from email.parser import BytesParser

with open(sys.argv[1], "rb") as f:
    msg = BytesParser(policy=policy.default).parse(f)

parts = []
for part in msg.walk():
    if part.is_multipart():
        continue
    parts.append({"type": part.get_content_type(), "text": part.get_content()})

print(json.dumps({
    "headers": {k: str(v) for k, v in msg.items()},
    "content_type": msg.get_content_type(),
    "defects": [str(d) for d in msg.defects],
    "parts": parts,
}))
