"""The Python side of `warpsynth dataset`: writing Parquet through pyarrow (Arrow C++ is not in
Debian) and the plots of `warpsynth stats --report`. The driver computes everything else."""
