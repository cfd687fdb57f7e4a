"""``getdotenv`` and ``python -m host_cli``: run the host CLI and exit with its code."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    from host_cli.app import run

    sys.exit(run(argv))


if __name__ == "__main__":
    main()
