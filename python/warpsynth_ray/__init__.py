"""The Ray side of `warpsynth generate --ray` (launch.py): thin on purpose; the C++ binary does the work."""
