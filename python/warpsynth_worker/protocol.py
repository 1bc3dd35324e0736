"""Line-delimited JSON over a private copy of the worker's stdout.

Imported code (Warp itself, example scripts) may print to stdout at any time. To keep the
protocol channel clean, ``open_channel`` duplicates the real stdout to a private descriptor for
replies and points descriptor 1 at stderr, so every stray print lands in the driver's log.
"""

import json
import os
import sys

PROTOCOL_VERSION = 1


class Channel:
    def __init__(self, reply_fd: int, request_stream):
        self._out = os.fdopen(reply_fd, "w", encoding="utf-8", buffering=1)
        self._in = request_stream

    def send(self, message: dict) -> None:
        message = {"protocol": PROTOCOL_VERSION, **message}
        self._out.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._out.flush()

    def send_raw(self, text: str) -> None:
        """Writes text as it is: only for the test fault switch that garbles the channel."""
        self._out.write(text)
        self._out.flush()

    def requests(self):
        """Yield parsed requests until stdin closes. A malformed line yields a ValueError."""
        for line in self._in:
            line = line.strip()
            if not line:
                continue
            try:
                request = json.loads(line)
            except json.JSONDecodeError as e:
                yield ValueError(f"request is not JSON: {e}")
                continue
            if not isinstance(request, dict):
                yield ValueError("request is not a JSON object")
                continue
            yield request


def open_channel() -> Channel:
    sys.stdout.flush()
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints from imported code go to stderr (the driver's log)
    sys.stdout = os.fdopen(os.dup(1), "w", buffering=1)
    return Channel(reply_fd, sys.stdin)
