"""``python -m warpsynth_dataset.write_parquet COLUMNS.json IN.jsonl OUT.parquet [IN OUT ...]``

Each IN is a file of dataset rows (one JSON object a line, the columns of COLUMNS.json, written by
the driver, src/dataset_build); each becomes OUT, a zstd-compressed Parquet file with those columns
and types, rows in the order given. The same rows give the same bytes (no timestamps in Parquet).
"""

import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

TYPES = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_()}


def schema(columns: list) -> pa.Schema:
    return pa.schema([pa.field(c["name"], TYPES[c["dtype"]]) for c in columns])


def convert(columns: list, rows_path: str, out_path: str) -> int:
    names = [c["name"] for c in columns]
    values = {name: [] for name in names}
    with open(rows_path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for name in names:
                values[name].append(row.get(name))
    table = pa.table(values, schema=schema(columns))
    pq.write_table(table, out_path, compression="zstd", row_group_size=1000, write_statistics=True)
    return table.num_rows


def main(argv: list) -> int:
    if len(argv) < 3 or len(argv) % 2 != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        columns = json.load(f)
    for rows_path, out_path in zip(argv[1::2], argv[2::2]):
        convert(columns, rows_path, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
