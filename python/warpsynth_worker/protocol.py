"""Line-delimited JSON over a private copy of the worker's stdout.

Imported code (Warp itself, example scripts) may print to stdout at any time. To keep the
protocol channel clean, ``open_channel`` duplicates the real stdout to a private descriptor for
replies and points descriptor 1 at stderr, so every stray print lands in the driver's log.
"""

import json
import os
import sys

PROTOCOL_VERSION = 1
# Taken at import, before any user code runs: a file that replaces json.dumps changes nothing here.
_dumps = json.dumps
_loads = json.loads


class Channel:
    def __init__(self, reply_fd: int, request_stream):
        self._out = os.fdopen(reply_fd, "w", encoding="utf-8", buffering=1)
        self._in = request_stream

    def send(self, message: dict) -> None:
        message = {"protocol": PROTOCOL_VERSION, **message}
        line = _dumps(message, ensure_ascii=False, separators=(",", ":"))
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not UTF-8 (os.fsdecode's surrogates), in a message
            line = _dumps(_escaped(message), ensure_ascii=False, separators=(",", ":"))
        self._out.write(line + "\n")
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
                request = _loads(line)
            except json.JSONDecodeError as e:
                yield ValueError(f"request is not JSON: {e}")
                continue
            if not isinstance(request, dict):
                yield ValueError("request is not a JSON object")
                continue
            yield request


def _escaped(value):
    """``value`` with every string's undecodable bytes (surrogates from os.fsdecode) written \\xHH,
    as the driver writes file names that are not UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    return value


def open_channel() -> Channel:
    sys.stdout.flush()
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints from imported code go to stderr (the driver's log)
    sys.stdout = os.fdopen(os.dup(1), "w", buffering=1)
    return Channel(reply_fd, sys.stdin)
