"""``python -m hospital_analytics.exports.hyper_child PATH``: an Arrow IPC stream on stdin to a Hyper extract.

The export's child process for big tables (see ``fanout``): pantab holds the GIL while it inserts, so in a
process of its own it runs beside the other formats' writers. A failure prints one line on stderr, exit 1.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import pyarrow as pa

    from hospital_analytics.exports import writers

    try:
        reader = pa.ipc.open_stream(sys.stdin.buffer)
        writers.import_pantab().frame_to_hyper(reader, argv[0], table=writers.HYPER_TABLE)
    except Exception as exc:  # one line for the parent's error message
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(text[:200], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
