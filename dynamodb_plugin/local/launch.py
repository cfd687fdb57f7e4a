"""Start a program as a recorded local DynamoDB: write its record, then become it.

``python -m dynamodb_plugin.local.launch --record FILE --port N --endpoint URL --log FILE
[--data DIR] -- PROGRAM ARGS...`` writes the record naming this very process (its
pid and start time do not change across ``exec``) and the program's command line, then
``exec``s the program. So a server exists only once its record does, even if ``local start``
is killed right after spawning it. Used for Amazon's DynamoDB Local jar, which cannot write a
record itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamodb_plugin.local.launch")
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--log", default="")
    parser.add_argument("--data")
    parser.add_argument("program", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    program = args.program[1:] if args.program[:1] == ["--"] else args.program
    if not program:
        parser.error("give the program to run after --")

    from dynamodb_plugin.local import state

    record = state.own_record(
        port=args.port,
        endpoint=args.endpoint,
        backend="jar",
        persist=args.data is not None,
        log=args.log,
        data=args.data,
        argv=program,
    )
    folder = args.record.parent
    try:
        state.write(folder, record)
        os.execv(program[0], program)
    except Exception as exc:
        state.remove(folder, pid=os.getpid())
        print(f"[dynamodb-local] error: cannot start {program[0]}: {exc}", flush=True)
    return 127


if __name__ == "__main__":
    sys.exit(main())
