"""A test-only fault switch: make the worker crash, hang or garble its output on chosen samples.

``WARPSYNTH_TEST_FAULTS="17=segfault,42=hang,99=garbage"`` makes the worker misbehave whenever a
batch holds the sample with that index (labels are ``sample_<index>.py``), every time, so the
driver's restart-and-bisect logic can be tested end to end against a real worker. Unset, nothing
happens.
"""

import os
import re
import signal
import time

_LABEL_INDEX = re.compile(r"sample_(\d+)\.py$")


class GarbageFault(Exception):
    """Raised to make the worker write a line that is not protocol."""


def _parse(text: str) -> dict:
    faults = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        index, _, action = part.partition("=")
        faults[int(index)] = action
    return faults


_FAULTS = _parse(os.environ.get("WARPSYNTH_TEST_FAULTS", ""))


def check(items: list) -> None:
    for item in items:
        match = _LABEL_INDEX.search(item.get("label", ""))
        action = _FAULTS.get(int(match.group(1))) if match else None
        if action == "segfault":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif action == "hang":
            time.sleep(3600)
        elif action == "garbage":
            raise GarbageFault()
