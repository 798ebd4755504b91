"""A handler for aiosmtpd that keeps every message it receives, for arende-notify's tests.

Run: PYTHONPATH=<this dir> python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink OUTDIR

Each accepted message is written to OUTDIR as NNN.eml (the raw message) and NNN.json
(envelope, headers and the decoded parts), each file renamed into place when complete.
"""

import json
import os
import time
from email import policy
from email.parser import BytesParser


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("smtp_sink.Sink needs one argument: the output directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%d-%d-%06d" % (time.time_ns(), os.getpid(), self.count)
        raw = envelope.original_content or envelope.content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        parts = {"text": None, "html": None, "calendar": None, "attachments": []}
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            content = part.get_content()
            if isinstance(content, bytes):
                content = content.decode("utf-8", "replace")
            if ctype == "text/calendar":
                parts["calendar"] = content
                parts["attachments"].append(
                    {"filename": part.get_filename(), "content_type": part.get("Content-Type")}
                )
            elif ctype == "text/plain" and parts["text"] is None:
                parts["text"] = content
            elif ctype == "text/html" and parts["html"] is None:
                parts["html"] = content
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": msg.get("Message-ID"),
            "idempotency_key": msg.get("X-Arende-Idempotency-Key"),
            "subject": str(msg.get("Subject", "")),
            "to": str(msg.get("To", "")),
            "date": str(msg.get("Date", "")),
            "content_language": msg.get("Content-Language"),
            **parts,
        }
        for ext, data in (("eml", raw), ("json", json.dumps(summary, ensure_ascii=False).encode())):
            tmp = os.path.join(self.outdir, "." + name + "." + ext)
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.outdir, name + "." + ext))
        return "250 Message accepted"
