"""Rendering many charts at once, in parallel, by the native batch engine.

Both functions check every argument and borrow every dataset's columns before any chart is
drawn, then release the GIL for the whole batch: a pool of native worker threads draws the
charts (and encodes or writes each as soon as it is drawn) while the calling thread waits,
calls the progress callback and lets Ctrl-C through. Results are in input order and are the
same, bit for bit, whatever the number of workers and as drawing the charts one by one.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .. import _native
from ._arguments import ohlc_columns
from ._image import to_image
from ._paths import checked_output_path
from .output import _NATIVE_FORMATS, SPEEDS
from .raster import (
    _candle_arguments,
    _line_arguments,
    _ohlc_bar_arguments,
    _pnf_arguments,
    _renko_arguments,
    render_hollow_candles,
    render_line_chart,
    render_ohlc_bars,
    render_ohlcv_chart,
    render_pnf_chart,
    render_renko_chart,
)

__all__ = ["render_charts_parallel", "render_ohlcv_charts"]

_EXECUTOR_TYPES = ("auto", "thread", "process")

ProgressCallback = Callable[[int, int], Any]


@dataclass(frozen=True)
class _ChartType:
    """How to batch one chart type: its public renderer (whose signature gives the keyword
    arguments and their defaults), the function that normalises them, and the native spec
    they build (which names the columns each dataset gives)."""

    renderer: Callable[..., Any]
    arguments: Callable[..., dict[str, Any]]
    spec: Callable[..., Any]

    def keywords(self, given: dict[str, Any]) -> dict[str, Any]:
        """``given`` completed with the renderer's defaults; unknown names raise TypeError."""
        parameters = inspect.signature(self.renderer).parameters
        accepted = [name for name in parameters if name not in ("ohlc", "volume")]
        unknown = sorted(set(given) - set(accepted))
        if unknown:
            raise TypeError(
                f"{self.renderer.__name__}() got unexpected keyword arguments {unknown}; "
                f"it takes {accepted}."
            )
        return {name: given.get(name, parameters[name].default) for name in accepted}

    def build_spec(self, given: dict[str, Any]) -> Any:
        """The native spec of this chart type with the keyword arguments ``given``."""
        return self.spec(**self.arguments(**self.keywords(given)))


_CANDLE = _ChartType(
    render_ohlcv_chart, _candle_arguments, partial(_native.candle_spec, hollow=False)
)
_HOLLOW = _ChartType(
    render_hollow_candles, _candle_arguments, partial(_native.candle_spec, hollow=True)
)
_PNF = _ChartType(render_pnf_chart, _pnf_arguments, _native.pnf_spec)

# The chart type names of the original's plot(type=...).
_CHART_TYPES: dict[str, _ChartType] = {
    "candle": _CANDLE,
    "hollow": _HOLLOW,
    "hollow_and_filled": _HOLLOW,
    "ohlc": _ChartType(render_ohlc_bars, _ohlc_bar_arguments, _native.ohlc_bars_spec),
    "line": _ChartType(render_line_chart, _line_arguments, _native.line_spec),
    "renko": _ChartType(render_renko_chart, _renko_arguments, _native.renko_spec),
    "pnf": _PNF,
    "pointandfigure": _PNF,
}


def render_ohlcv_charts(
    datasets: Sequence[Mapping[str, Any]],
    *,
    chart_type: str = "candle",
    num_workers: int | None = None,
    progress: ProgressCallback | None = None,
    show_progress: bool = False,
    **common_render_kwargs: Any,
) -> list[Any]:
    """Draws one chart per dataset and returns them as PIL images, in input order.

    Each dataset is a mapping with an ``"ohlc"`` entry (as for :func:`render_ohlcv_chart`)
    and a ``"volume"`` entry; ``common_render_kwargs`` are the keyword arguments of the
    renderer of ``chart_type`` and apply to every chart. The images are exactly those of
    calling the renderer once per dataset. ``[]`` gives ``[]``.

    Additions to the original (which drew the charts one after the other):

    * ``chart_type``: ``"candle"`` (default, :func:`render_ohlcv_chart`), ``"hollow"`` or
      ``"hollow_and_filled"`` (:func:`render_hollow_candles`), ``"ohlc"``
      (:func:`render_ohlc_bars`), ``"line"`` (:func:`render_line_chart`), ``"renko"``
      (:func:`render_renko_chart`), ``"pnf"`` or ``"pointandfigure"``
      (:func:`render_pnf_chart`).
    * ``num_workers``: native worker threads (default: one per available core; more than 256
      are lowered to 256).
    * ``progress``: called as ``progress(done, total)`` from the calling thread while the
      charts are drawn, ending with ``(total, total)``; counts reached while it runs are
      reported together as the latest. An exception it raises stops the batch and propagates.
    * ``show_progress``: draws a tqdm progress bar; raises ``ImportError`` before any work when
      tqdm is not installed.

    All charts are kept in memory until the batch ends; to write many charts to files use
    :func:`render_charts_parallel` with ``output_paths``, which keeps only one per worker.

    Errors: a dataset without an ``"ohlc"`` or ``"volume"`` key raises ``KeyError`` (as in the
    original) and a bad column ``DataValidationError`` or ``TypeError``, each naming the
    dataset's index, before any chart is drawn. A chart that fails while drawing (for example
    a Renko box size that gives too many bricks) stops the batch with an exception of the same
    class as the single renderer's, whose message starts with ``"dataset N: "``. Ctrl-C is
    checked at least every 0.1 s and stops the batch once each worker's current chart is done.
    """
    workers = _worker_count(num_workers)
    chart = _chart_type(chart_type)
    _check_progress(progress, show_progress)
    datasets = list(datasets)
    if not datasets:
        return []

    spec = chart.build_spec(common_render_kwargs)
    columns = _dataset_columns(datasets, spec.columns)
    with _progress_reporter(progress, show_progress, len(columns)) as report:
        pixels = _native.render_batch_pixels(spec, columns, num_workers=workers, progress=report)
    return [to_image(array) for array in pixels]


def render_charts_parallel(
    datasets: Sequence[Mapping[str, Any]],
    output_paths: Sequence[Any] | None = None,
    num_workers: int | None = None,
    speed: str = "fast",
    executor_type: str = "auto",
    *,
    chart_type: str = "candle",
    output_format: str | None = None,
    progress: ProgressCallback | None = None,
    show_progress: bool = False,
    **common_render_kwargs: Any,
) -> list[str | bytes]:
    """Draws one chart per dataset in parallel and writes them to files or returns their bytes.

    Datasets, ``chart_type``, ``progress``, ``show_progress`` and ``common_render_kwargs`` are
    as for :func:`render_ohlcv_charts`. With ``output_paths`` (one per dataset) each chart is
    encoded and written atomically as soon as it is drawn, in the format of its file's
    extension (png, webp, jpeg/jpg, bmp, tif/tiff), and the paths are returned as
    ``str(path)`` in input order; memory use depends on ``num_workers``, not on the number of
    charts. Each file is flushed to disk before its worker starts the next chart, so on slow
    disks more workers than cores pay off. Without ``output_paths`` the encoded images are
    returned as ``bytes``, in ``output_format`` (default ``"png"``; also ``"webp"``,
    ``"jpeg"``, ``"bmp"``, ``"tiff"``).
    ``speed`` (``"fast"``, ``"balanced"``, ``"best"``) trades encoding time for size, as in
    :func:`save_chart`; WebP is always lossless.

    ``num_workers`` is the number of native worker threads (default: one per available core;
    more than 256 are lowered to 256; fewer than 1 raise ``ValueError``). ``executor_type``
    (``"auto"``, ``"thread"`` or ``"process"``) is accepted for compatibility with the
    original, which picked a Python executor with it; every value uses the same native
    threads, which draw without the GIL. Any other value raises ``ValueError``.

    Differences from the original: any chart type can be batched; the bytes are encoded by the
    native core (the same pixels as Pillow's PNG, not the same bytes); an unknown
    ``executor_type`` raises ``ValueError`` instead of meaning "process"; files go through the
    same path checks as :func:`save_chart`, all before the first chart is drawn, and formats
    that only Pillow writes (gif, ...) raise ``ValueError``.

    When a chart fails, or Ctrl-C or the progress callback stops the batch, no file is left
    half-written, but the charts already finished stay in their files.
    """
    if executor_type not in _EXECUTOR_TYPES:
        raise ValueError(
            f"executor_type must be one of {list(_EXECUTOR_TYPES)}, got {executor_type!r}."
        )
    if speed not in SPEEDS:
        raise ValueError(f"speed must be one of {list(SPEEDS)}, got {speed!r}.")
    workers = _worker_count(num_workers)
    datasets = list(datasets)
    if output_paths is not None:
        output_paths = list(output_paths)
        if len(output_paths) != len(datasets):
            raise ValueError(
                f"Length mismatch: datasets has {len(datasets)} items, but output_paths has "
                f"{len(output_paths)} items."
            )
        if output_format is not None:
            raise ValueError(
                "output_format sets the format of returned bytes; with output_paths each "
                f"file's extension decides its format (got output_format={output_format!r})."
            )
    encoding = _bytes_format(output_format) if output_paths is None else None
    chart = _chart_type(chart_type)
    _check_progress(progress, show_progress)
    if not datasets:
        return []

    spec = chart.build_spec(common_render_kwargs)
    columns = _dataset_columns(datasets, spec.columns)
    if output_paths is None:
        with _progress_reporter(progress, show_progress, len(columns)) as report:
            return _native.render_batch_bytes(
                spec, columns, format=encoding, speed=speed, num_workers=workers, progress=report
            )

    targets = [
        checked_output_path(path, f"output_paths[{index}]")
        for index, path in enumerate(output_paths)
    ]
    formats = [_file_format(index, path) for index, path in enumerate(targets)]
    with _progress_reporter(progress, show_progress, len(columns)) as report:
        _native.render_batch_files(
            spec,
            columns,
            [str(path) for path in targets],
            formats,
            speed=speed,
            num_workers=workers,
            progress=report,
        )
    return [str(path) for path in output_paths]


def _chart_type(chart_type: Any) -> _ChartType:
    chart = _CHART_TYPES.get(chart_type) if isinstance(chart_type, str) else None
    if chart is None:
        raise ValueError(f"chart_type must be one of {sorted(_CHART_TYPES)}, got {chart_type!r}.")
    return chart


def _worker_count(num_workers: Any) -> int | None:
    if num_workers is None:
        return None
    if isinstance(num_workers, bool):
        raise TypeError(f"num_workers must be a whole number or None, got {num_workers!r}.")
    try:
        count = operator.index(num_workers)
    except TypeError:
        raise TypeError(
            f"num_workers must be a whole number or None, got {num_workers!r}."
        ) from None
    if count < 1:
        raise ValueError(f"num_workers must be at least 1, got {count}.")
    return count


def _bytes_format(output_format: Any) -> str:
    if output_format is None:
        return "png"
    native = _NATIVE_FORMATS.get(output_format.lower()) if isinstance(output_format, str) else None
    if native is None:
        raise ValueError(
            f"output_format must be one of png, webp, jpeg, bmp, tiff, got {output_format!r}."
        )
    return native


def _file_format(index: int, path: Path) -> str:
    """The native format of ``path`` from its extension, as :func:`save_chart` picks it."""
    extension = path.suffix[1:].lower()
    native = _NATIVE_FORMATS.get(extension)
    if native is None:
        raise ValueError(
            f"output_paths[{index}] {str(path)!r}: batch rendering writes .png, .webp, .jpg, "
            f".jpeg, .bmp, .tif and .tiff files; give the file one of these extensions."
        )
    return native


def _dataset_columns(datasets: list[Any], names: list[str]) -> list[tuple[Any, ...]]:
    """The columns ``names`` of every dataset, in that order (borrowed, not copied)."""
    price_keys = tuple(name for name in names if name != "volume")
    columns = []
    for index, dataset in enumerate(datasets):
        try:
            ohlc = dataset["ohlc"]
            volume = dataset["volume"]
        except KeyError as error:
            raise KeyError(
                f"dataset {index} has no {error.args[0]!r} key; each dataset is a dict with "
                "'ohlc' and 'volume'."
            ) from None
        except (TypeError, IndexError):
            raise TypeError(
                f"dataset {index} must be a dict with 'ohlc' and 'volume' keys, got "
                f"{type(dataset).__name__}."
            ) from None
        try:
            prices = dict(zip(price_keys, ohlc_columns(ohlc, price_keys)))
        except (TypeError, ValueError) as error:
            raise type(error)(f"dataset {index}: {error}") from None
        columns.append(tuple(volume if name == "volume" else prices[name] for name in names))
    return columns


def _check_progress(progress: Any, show_progress: Any) -> None:
    if progress is not None and not callable(progress):
        raise TypeError(
            f"progress must be a callable taking (done, total) or None, got {progress!r}."
        )
    if show_progress:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            raise ImportError(
                "show_progress=True draws a tqdm progress bar, but tqdm is not installed: "
                "pip install tqdm, or pass progress=callable(done, total) instead."
            ) from None


@contextmanager
def _progress_reporter(
    progress: ProgressCallback | None, show_progress: bool, total: int
) -> Iterator[ProgressCallback | None]:
    """The callback to hand to the native batch: ``progress``, a tqdm bar, both, or None."""
    if not show_progress:
        yield progress
        return

    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="chart")

    def report(done: int, total: int) -> None:
        bar.update(done - bar.n)
        if progress is not None:
            progress(done, total)

    try:
        yield report
    finally:
        bar.close()
