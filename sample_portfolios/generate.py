"""Rebuild the sample portfolios, deterministically: two runs give byte-identical files.

    python sample_portfolios/generate.py              # rebuild the samples in place
    python sample_portfolios/generate.py --output DIR # write them under DIR instead

Needs python-docx, python-pptx, openpyxl, pypdf, Pillow and imageio-ffmpeg (``pip install ".[test]"``
installs them all); see README.md in this folder for what each sample is and the verdict it should get.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from samplegen.samples import SAMPLES, build_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=HERE,
                        help="folder to write the samples into (default: this folder)")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    for path in build_all(args.output):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["SAMPLES", "main"]
