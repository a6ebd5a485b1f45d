"""The ``medreward`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from medreward.demo import demo_table, format_table
    from medreward.samples import load_samples

    table = demo_table()
    if args.json:
        print(json.dumps(table, indent=2))
        return 0
    print(f"medreward demo: mean reward per completion kind over {len(load_samples())} built-in questions")
    print("(check_answer against the short answer; check_answer_long_ref against the long reference;")
    print(" total = the three default rewards against the short answer)\n")
    print(format_table(table))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medreward`` command."""
    parser = argparse.ArgumentParser(prog="medreward", description="Medical reasoning rewards for GRPO.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="score built-in completions with every reward (offline)")
    demo.add_argument("--json", action="store_true", help="print the table as JSON")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
