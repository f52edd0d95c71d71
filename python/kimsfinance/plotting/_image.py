"""Wrapping native pixel arrays as PIL images, and getting pixels back out of images."""

from __future__ import annotations

from typing import Any

import numpy as np

# Attribute under which an image keeps the numpy array that owns its pixels.
_PIXELS_ATTRIBUTE = "_kimsfinance_pixels"


def to_image(pixels: np.ndarray) -> Any:
    """A PIL image over ``pixels`` (an ``(H, W, 3|4)`` uint8 array owned by Rust).

    RGBA images share the array's memory (no copy); Pillow marks them read-only and copies
    on the first write. Pillow stores RGB images with four bytes a pixel, so RGB costs one copy.
    """
    from PIL import Image

    height, width, channels = pixels.shape
    mode = "RGBA" if channels == 4 else "RGB"
    image = Image.frombuffer(mode, (width, height), pixels, "raw", mode, 0, 1)
    if image.readonly:
        setattr(image, _PIXELS_ATTRIBUTE, pixels)
    return image


def pixels_of(image: Any) -> np.ndarray:
    """The pixels of a PIL image as a C-contiguous ``(H, W, 3|4)`` uint8 array.

    Images made by kimsfinance and not modified since give back their own array (no copy);
    other images are converted once.
    """
    cached = getattr(image, _PIXELS_ATTRIBUTE, None)
    if cached is not None and image.readonly:
        return cached
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return np.ascontiguousarray(np.asarray(image))
