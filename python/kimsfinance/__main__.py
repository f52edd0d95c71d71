"""Command line: ``python -m kimsfinance demo chart.webp`` renders a demo chart."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m kimsfinance")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="render a chart of built-in sample data")
    demo.add_argument("output", help="file to write; the extension picks the format")
    demo.add_argument("--candles", type=int, default=200)
    demo.add_argument("--width", type=int, default=1920)
    demo.add_argument("--height", type=int, default=1080)
    demo.add_argument("--theme", default="tradingview")
    demo.add_argument("--speed", default="fast", choices=["fast", "balanced", "best"])
    args = parser.parse_args(argv)

    from ._sample import sample_ohlcv
    from .plotting import render_and_save

    ohlc, volume = sample_ohlcv(args.candles)
    render_and_save(
        ohlc,
        volume,
        args.output,
        speed=args.speed,
        width=args.width,
        height=args.height,
        theme=args.theme,
    )
    sys.stdout.write(f"wrote {args.output} ({args.candles} candles)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
