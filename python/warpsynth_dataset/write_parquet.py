"""``python -m warpsynth_dataset.write_parquet COLUMNS.json IN.jsonl OUT.parquet [IN OUT ...]``

Each IN is a file of dataset rows (one JSON object a line, the columns of COLUMNS.json, written by
the driver, src/dataset_build); each becomes OUT, a zstd-compressed Parquet file with those columns
and types, rows in the order given, written a row group (1,000 rows) at a time. The same rows give
the same bytes (no timestamps in Parquet).
"""

import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

TYPES = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_()}


def schema(columns: list) -> pa.Schema:
    return pa.schema([pa.field(c["name"], TYPES[c["dtype"]]) for c in columns])


ROW_GROUP = 1000  # rows; also how many rows are held at once (a row is tens of KB: whole modules)


def convert(columns: list, rows_path: str, out_path: str) -> int:
    names = [c["name"] for c in columns]
    table_schema = schema(columns)
    written = 0
    with open(rows_path, encoding="utf-8") as f, pq.ParquetWriter(out_path, table_schema, compression="zstd",
                                                                  write_statistics=True) as writer:
        values = {name: [] for name in names}
        for line in f:
            row = json.loads(line)
            for name in names:
                values[name].append(row.get(name))
            if len(values[names[0]]) == ROW_GROUP:
                writer.write_table(pa.table(values, schema=table_schema), row_group_size=ROW_GROUP)
                written += ROW_GROUP
                values = {name: [] for name in names}
        if values[names[0]] or written == 0:
            writer.write_table(pa.table(values, schema=table_schema), row_group_size=ROW_GROUP)
            written += len(values[names[0]])
    return written


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
