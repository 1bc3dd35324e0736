"""warpsynth's thin bridge to NVIDIA Warp.

The C++ driver starts ``python -m warpsynth_worker`` and speaks line-delimited JSON with it
(see ``protocol.py``). Everything that touches Warp's private ``warp._src`` API lives in
``warp_bridge.py``; the rest of the worker only loads sources and shapes replies.
"""

__version__ = "0.1.0"
