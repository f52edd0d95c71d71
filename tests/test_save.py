"""Saving charts: every format, lossless round trips, atomic writes, path and argument checks."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from kimsfinance.plotting import render_and_save, render_ohlcv_chart, render_to_array, save_chart

SIZE = {"width": 400, "height": 300}


@pytest.fixture
def chart(sample):
    ohlc, volume = sample
    return render_ohlcv_chart(ohlc, volume, **SIZE)


@pytest.mark.parametrize("ext", ["webp", "png", "bmp", "tif", "tiff"])
@pytest.mark.parametrize("speed", ["fast", "balanced", "best"])
def test_lossless_formats_decode_to_the_rendered_pixels(tmp_path, chart, ext, speed):
    path = tmp_path / f"chart.{ext}"
    save_chart(chart, path, speed=speed)
    decoded = np.asarray(Image.open(path).convert("RGBA"))
    np.testing.assert_array_equal(decoded, np.asarray(chart))


@pytest.mark.parametrize("ext", ["webp", "png", "bmp", "tiff"])
def test_rgb_charts_round_trip_too(tmp_path, sample, ext):
    ohlc, volume = sample
    image = render_ohlcv_chart(ohlc, volume, enable_antialiasing=False, **SIZE)
    path = tmp_path / f"chart.{ext}"
    save_chart(image, path)
    decoded = Image.open(path)
    np.testing.assert_array_equal(np.asarray(decoded.convert("RGB")), np.asarray(image))


def test_webp_speeds_trade_time_for_size(tmp_path, sample):
    ohlc, volume = sample
    image = render_ohlcv_chart(ohlc, volume, width=1200, height=800)
    sizes = {}
    for speed in ("fast", "best"):
        path = tmp_path / f"{speed}.webp"
        save_chart(image, path, speed=speed)
        sizes[speed] = path.stat().st_size
    assert sizes["best"] <= sizes["fast"]


def test_jpeg_composites_rgba_on_white(tmp_path, sample):
    ohlc, volume = sample
    image = render_ohlcv_chart(ohlc, volume, show_grid=True, **SIZE)
    path = tmp_path / "chart.jpg"
    save_chart(image, path, quality=95)
    decoded = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert Image.open(path).format == "JPEG"
    # Far from any candle the background is black; a classic grid pixel (51,51,51,64)
    # on white becomes (204,204,204).
    grid_row = int(300 * 0.7) // 10
    assert np.abs(decoded[grid_row, -3] - 204).max() <= 8
    assert np.abs(decoded[int(300 * 0.7) + 2, -3]).max() <= 8


def test_format_argument_wins_over_extension(tmp_path, chart):
    path = tmp_path / "chart.png"
    save_chart(chart, path, format="webp")
    assert Image.open(path).format == "WEBP"


def test_dot_in_a_folder_name_does_not_confuse_format_detection(tmp_path, chart):
    path = tmp_path / "v1.2" / "chart.png"
    save_chart(chart, path)
    assert Image.open(path).format == "PNG"
    with pytest.raises(ValueError, match="Cannot tell the image format"):
        save_chart(chart, tmp_path / "v1.2" / "chart")


def test_binary_streams_receive_the_file_bytes(chart):
    for fmt, name in [("webp", "WEBP"), ("png", "PNG"), ("jpeg", "JPEG"), ("bmp", "BMP")]:
        stream = io.BytesIO()
        save_chart(chart, stream, format=fmt)
        stream.seek(0)
        assert Image.open(stream).format == name


def test_pillow_formats_and_options_still_work(tmp_path, chart):
    save_chart(chart, tmp_path / "chart.gif")
    assert Image.open(tmp_path / "chart.gif").format == "GIF"
    save_chart(chart, tmp_path / "lossy.webp", lossless=False, quality=50)
    assert Image.open(tmp_path / "lossy.webp").format == "WEBP"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"speed": "turbo"}, "speed must be one of"),
        ({"quality": 0}, "quality for webp must be an integer from 1 to 100"),
        ({"quality": 101}, "quality for webp"),
    ],
)
def test_bad_save_arguments(tmp_path, chart, kwargs, message):
    with pytest.raises(ValueError, match=message):
        save_chart(chart, tmp_path / "chart.webp", **kwargs)
    assert not any(tmp_path.iterdir())


def test_jpeg_quality_limit(tmp_path, chart):
    with pytest.raises(ValueError, match="quality for jpeg must be an integer from 1 to 95"):
        save_chart(chart, tmp_path / "chart.jpeg", quality=96)


def test_svg_through_save_chart_points_to_the_svg_renderers(tmp_path, chart):
    with pytest.raises(ValueError, match="render_candlestick_svg"):
        save_chart(chart, tmp_path / "chart.svg")


@pytest.mark.parametrize("path", ["", None])
def test_empty_path_is_rejected(chart, path):
    with pytest.raises(ValueError, match="output_path must not be empty"):
        save_chart(chart, path)


def test_parent_traversal_and_system_folders_are_rejected(chart):
    with pytest.raises(ValueError, match=r"'\.\.'"):
        save_chart(chart, "out/../chart.png")
    with pytest.raises(ValueError, match="system directory '/etc'"):
        save_chart(chart, "/etc/kimsfinance-test.png")
    with pytest.raises(ValueError, match="system directory '/proc'"):
        save_chart(chart, "/proc/chart.png")


def test_parent_folders_are_created(tmp_path, chart):
    path = tmp_path / "a" / "b" / "chart.webp"
    save_chart(chart, path)
    assert path.exists()


def test_failed_save_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, sample):
    """A write that fails half-way (file size limit) leaves the previous file as it was."""
    target = tmp_path / "chart.bmp"
    target.write_bytes(b"previous contents")
    script = textwrap.dedent(
        f"""
        import resource, signal
        import numpy as np
        from kimsfinance.plotting import render_and_save
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
        ohlc = {{k: np.linspace(1, 2, 50) for k in ("open", "high", "low", "close")}}
        try:
            render_and_save(ohlc, np.ones(50), {str(target)!r}, width=800, height=600)
        except OSError as error:
            print("OSError", error)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "OSError" in result.stdout, result.stderr
    assert str(target) in result.stdout
    assert target.read_bytes() == b"previous contents"
    assert sorted(os.listdir(tmp_path)) == ["chart.bmp"]


def test_save_into_a_directory_path_fails_cleanly(tmp_path, chart):
    target = tmp_path / "chart.png"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(OSError):
        save_chart(chart, target)
    assert (target / "keep").read_text() == "x"
    assert sorted(os.listdir(tmp_path)) == ["chart.png"]


def test_render_and_save_writes_the_rendered_pixels(tmp_path, sample):
    ohlc, volume = sample
    path = tmp_path / "chart.png"
    render_and_save(ohlc, volume, path, theme="light", **SIZE)
    expected = render_to_array(ohlc, volume, theme="light", **SIZE)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), expected)


def test_modified_images_save_their_new_pixels(tmp_path, chart):
    chart.putpixel((5, 5), (1, 2, 3, 255))
    path = tmp_path / "chart.png"
    save_chart(chart, path)
    assert Image.open(path).getpixel((5, 5)) == (1, 2, 3, 255)


def test_non_rgb_images_are_converted(tmp_path):
    grey = Image.new("L", (120, 110), 77)
    path = tmp_path / "grey.png"
    save_chart(grey, path)
    assert Image.open(path).convert("L").getpixel((3, 3)) == 77
