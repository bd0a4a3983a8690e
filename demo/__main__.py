"""`python -m demo OUT_DIR [SEED]`: write a demo inbox and its manifest beside it."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from demo.inbox import generate_demo_inbox


def main(arguments: list[str]) -> None:
    target = Path(arguments[0]) if arguments else Path("var/demo-inbox")
    seed = int(arguments[1]) if len(arguments) > 1 else 2017
    files = generate_demo_inbox(target, seed, manifest_path=True)
    print(len(files), "files in", target, dict(Counter(demo_file.expected_status for demo_file in files)))


if __name__ == "__main__":
    main(sys.argv[1:])
