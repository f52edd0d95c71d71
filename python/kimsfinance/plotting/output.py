"""Saving charts: image files and binary streams, encoded by the native core."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .. import _native
from ._image import pixels_of
from ._paths import checked_output_path
from .raster import render_to_array

__all__ = ["save_chart", "render_and_save"]

SPEEDS = ("fast", "balanced", "best")

# Formats the native core encodes, by the names and extensions users write.
_NATIVE_FORMATS = {
    "png": "png",
    "webp": "webp",
    "jpeg": "jpeg",
    "jpg": "jpeg",
    "bmp": "bmp",
    "tif": "tiff",
    "tiff": "tiff",
}

# Pillow parameters per speed preset, used only when extra Pillow options are passed.
_PILLOW_PRESETS = {
    "fast": {"webp": {"quality": 75, "method": 4}, "png": {"compress_level": 1}},
    "balanced": {"webp": {"quality": 85, "method": 5}, "png": {"compress_level": 6}},
    "best": {"webp": {"quality": 100, "method": 6}, "png": {"compress_level": 9}},
}


def save_chart(
    img: Any,
    output_path: Any,
    format: str | None = None,
    speed: str = "balanced",
    quality: int | None = None,
    **kwargs: Any,
) -> None:
    """Saves a chart image to a file path or a writable binary file object.

    The format comes from ``format`` when given, else from the file name's extension: ``webp``
    (always lossless; ``speed`` trades encoding time for size), ``png``, ``jpeg``/``jpg``
    (RGBA is composited on white), ``bmp``, ``tif``/``tiff``; other Pillow formats such as
    ``gif`` go through Pillow. ``quality`` is checked for WebP (1..100) and JPEG (1..95).
    Extra keyword arguments are Pillow save options and route the save through Pillow.

    Files are written atomically: the image goes to a temporary file in the same directory,
    which then replaces the target, so a failed save leaves no partial file and keeps any
    file that was there.
    """
    if speed not in SPEEDS:
        raise ValueError(f"speed must be one of {list(SPEEDS)}, got {speed!r}.")

    stream = output_path if hasattr(output_path, "write") else None
    path = None if stream is not None else checked_output_path(output_path)
    fmt = _format_of(format, path if path is not None else getattr(stream, "name", None))
    _check_quality(fmt, quality)

    if fmt in ("svg", "svgz"):
        raise ValueError(
            "SVG output needs the chart's vector data: use render_candlestick_svg() or the "
            "other render_*_svg() functions instead of save_chart()."
        )
    native = _NATIVE_FORMATS.get(fmt)
    if native is not None and not kwargs:
        pixels = pixels_of(img)
        if path is not None:
            _native.save_image(pixels, str(path), native, speed, quality)
        else:
            stream.write(_native.encode_image(pixels, native, speed, quality))
        return

    data = _pillow_bytes(img, fmt, speed, quality, kwargs)
    if path is not None:
        _native.write_file_atomic(str(path), data)
    else:
        stream.write(data)


def render_and_save(
    ohlc: Any,
    volume: Any,
    output_path: Any,
    format: str | None = None,
    speed: str = "balanced",
    quality: int | None = None,
    **render_kwargs: Any,
) -> None:
    """Renders a candlestick chart and saves it, encoding straight from the native buffer.

    No PIL image is built. Arguments are those of :func:`render_ohlcv_chart` and
    :func:`save_chart`.
    """
    if speed not in SPEEDS:
        raise ValueError(f"speed must be one of {list(SPEEDS)}, got {speed!r}.")
    path = checked_output_path(output_path)
    fmt = _format_of(format, path)
    _check_quality(fmt, quality)
    native = _NATIVE_FORMATS.get(fmt)
    pixels = render_to_array(ohlc, volume, **render_kwargs)
    if native is None:
        from ._image import to_image

        save_chart(to_image(pixels), path, fmt, speed, quality)
        return
    _native.save_image(pixels, str(path), native, speed, quality)


def _format_of(format: str | None, path: Path | str | None) -> str:
    if format is not None:
        if not isinstance(format, str) or not format.strip():
            raise ValueError(f"format must be a format name such as 'png', got {format!r}.")
        return format.strip().lower().lstrip(".")
    suffix = Path(path).suffix if path else ""
    if not suffix:
        raise ValueError(
            f"Cannot tell the image format from {str(path)!r}: give the file an extension "
            "such as .webp or .png, or pass format=."
        )
    return suffix[1:].lower()


def _check_quality(fmt: str, quality: int | None) -> None:
    if quality is None:
        return
    limits = {"webp": 100, "jpeg": 95, "jpg": 95}
    top = limits.get(fmt)
    if top is None:
        return
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= top:
        raise ValueError(f"quality for {fmt} must be an integer from 1 to {top}, got {quality!r}.")


def _pillow_bytes(img: Any, fmt: str, speed: str, quality: int | None, extra: dict) -> bytes:
    """Encodes with Pillow, for formats the native core lacks or Pillow-specific options."""
    params: dict[str, Any] = {}
    image = img
    if fmt == "webp":
        params = {"lossless": True, **_PILLOW_PRESETS[speed]["webp"]}
    elif fmt == "png":
        params = dict(_PILLOW_PRESETS[speed]["png"])
    elif fmt in ("jpeg", "jpg"):
        params = {"quality": 95, "optimize": True, "progressive": True}
        if image.mode == "RGBA":
            from PIL import Image

            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
    if quality is not None:
        params["quality"] = quality
    params.update(extra)
    buffer = io.BytesIO()
    pillow_name = {"jpg": "JPEG", "tif": "TIFF"}.get(fmt, fmt.upper())
    try:
        image.save(buffer, pillow_name, **params)
    except KeyError:
        raise ValueError(f"Unknown image format {fmt!r}.") from None
    return buffer.getvalue()
