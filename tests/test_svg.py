"""SVG charts: document structure, geometry, colours, files, validation, and a real renderer."""

from __future__ import annotations

import gzip
import inspect
import io
import math
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import oracle
import pytest
from helpers import random_ohlcv

from kimsfinance import DataValidationError
from kimsfinance.data import calculate_pnf_columns, calculate_renko_bricks
from kimsfinance.plotting import (
    render_candlestick_svg,
    render_hollow_candles_svg,
    render_line_chart,
    render_line_chart_svg,
    render_ohlc_bars,
    render_ohlc_bars_svg,
    render_ohlcv_chart,
    render_pnf_chart_svg,
    render_renko_chart_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
DECLARATION = '<?xml version="1.0" encoding="utf-8" ?>\n'
SMALL = {"width": 400, "height": 300}

# Every SVG renderer, called the way a user would with volume.
ALL_CHARTS = {
    "candles": render_candlestick_svg,
    "hollow": render_hollow_candles_svg,
    "ohlc": render_ohlc_bars_svg,
    "line": render_line_chart_svg,
    "renko": render_renko_chart_svg,
    "pnf": render_pnf_chart_svg,
}
CONTENT_GROUP = {
    "candles": "candles",
    "hollow": "candles",
    "ohlc": "ohlc_bars",
    "line": "line",
    "renko": "bricks",
    "pnf": "pnf_symbols",
}


def parse(document: str) -> ET.Element:
    return ET.fromstring(document)


def group(root: ET.Element, group_id: str) -> ET.Element | None:
    for child in root:
        if child.tag == f"{SVG}g" and child.get("id") == group_id:
            return child
    return None


def children(element: ET.Element, tag: str) -> list[ET.Element]:
    return [child for child in element if child.tag == f"{SVG}{tag}"]


def number(element: ET.Element, name: str) -> float:
    return float(element.get(name))


def spread_grid_columns(n: int, slot: float) -> list[int]:
    """The spec's vertical grid: k = min(20, n//10 + 1) lines at int(i * (n/k) * slot), if k > 1."""
    k = min(20, n // 10 + 1)
    return [int(i * (n / k) * slot) for i in range(k)] if k > 1 else []


def test_signatures_keep_the_original_defaults():
    common = {
        "volume": None,
        "width": 1920,
        "height": 1080,
        "theme": "classic",
        "show_grid": True,
        "output_path": None,
    }
    extra = {
        "line": {"line_color": None, "line_width": 2, "fill_area": False, "bg_color": None},
        "renko": {"box_size": None, "reversal_boxes": 1, "up_color": None, "down_color": None},
        "pnf": {"box_size": None, "reversal_boxes": 3, "up_color": None, "down_color": None},
    }
    for name, function in ALL_CHARTS.items():
        parameters = inspect.signature(function).parameters
        assert next(iter(parameters)) == "ohlc"
        expected = {**common, **extra.get(name, {"up_color": None, "down_color": None})}
        for key, default in expected.items():
            assert parameters[key].default == default, (name, key)
        assert list(parameters)[-1] == "output_path"


def test_candlestick_document_structure(sample):
    ohlc, volume = sample
    n = len(volume)
    document = render_candlestick_svg(ohlc, volume)
    assert not document.startswith("<?xml")
    root = parse(document)

    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "1920" and root.get("height") == "1080"
    assert root.get("version") == "1.1" and root.get("baseProfile") == "full"
    assert 'xmlns:ev="http://www.w3.org/2001/xml-events"' in document
    assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in document
    tags = [(child.tag.removeprefix(SVG), child.get("id")) for child in root]
    assert tags == [
        ("defs", None),
        ("rect", None),
        ("g", "grid"),
        ("g", "candles"),
        ("g", "volume"),
    ]
    background = root[1]
    assert background.get("width") == "100%" and background.get("height") == "100%"
    assert background.get("fill") == "#000000"

    candles = group(root, "candles")
    assert len(children(candles, "line")) == n
    assert len(children(candles, "rect")) == n
    # Wick then body, candle after candle.
    assert [child.tag.removeprefix(SVG) for child in candles[:4]] == ["line", "rect"] * 2
    assert len(children(group(root, "volume"), "rect")) == np.count_nonzero(volume)


def test_grid_lines_follow_the_spec_formulas(sample):
    ohlc, volume = sample
    n = len(volume)
    width, height = 1000, 600
    root = parse(render_candlestick_svg(ohlc, volume, width=width, height=height))
    grid = group(root, "grid")
    assert grid.get("opacity") == "0.25" and grid.get("stroke-width") == "1.0"
    lines = children(grid, "line")
    ch = int(height * 0.7)
    horizontal = [line for line in lines if line.get("y1") == line.get("y2")]
    vertical = [line for line in lines if line.get("x1") == line.get("x2")]
    assert [int(line.get("y1")) for line in horizontal] == [int(i * ch / 10) for i in range(1, 10)]
    assert all(line.get("x1") == "0" and line.get("x2") == str(width) for line in horizontal)
    expected = spread_grid_columns(n, width / (n + 1))
    assert len(expected) == 13
    assert [int(line.get("x1")) for line in vertical] == expected
    assert all(line.get("y1") == "0" and line.get("y2") == str(height) for line in vertical)
    assert len(lines) == 9 + len(expected)


def test_candle_coordinates_come_from_the_shared_geometry(sample):
    ohlc, volume = sample
    n = len(volume)
    width, height = 1200, 800
    ch, vh = int(height * 0.7), int(height * 0.3)
    root = parse(render_candlestick_svg(ohlc, volume, width=width, height=height))
    wicks = children(group(root, "candles"), "line")
    bodies = children(group(root, "candles"), "rect")

    top = [number(wick, "y1") for wick in wicks]
    bottom = [number(wick, "y2") for wick in wicks]
    assert top[int(np.argmax(ohlc["high"]))] == 0.0
    assert bottom[int(np.argmin(ohlc["low"]))] == ch
    # The raster charts truncate the same expression: int(y) is the raster's batch row.
    price_min, price_range = oracle.price_scale(ohlc["low"], ohlc["high"])
    rows = oracle.y_batch(ohlc["high"], price_min, price_range, ch)
    assert [int(y) for y in top] == rows.tolist()
    expected = ch - (ohlc["low"] - price_min) / price_range * ch
    np.testing.assert_allclose(bottom, expected, rtol=0, atol=1e-9)

    slot = width / (n + 1)
    for index in (0, 57, n - 1):
        body, wick = bodies[index], wicks[index]
        assert number(body, "x") == pytest.approx(index * slot + 0.1 * slot)
        assert number(body, "width") == pytest.approx(0.8 * slot)
        assert number(wick, "x1") == pytest.approx((index + 0.5) * slot)
        assert number(wick, "stroke-width") == pytest.approx(max(1.0, 0.08 * slot))
        y_open, y_close = (
            ch - (ohlc[key][index] - price_min) / price_range * ch for key in ("open", "close")
        )
        assert number(body, "y") == pytest.approx(min(y_open, y_close))
        assert number(body, "height") == pytest.approx(max(abs(y_open - y_close), 1.0))

    bars = children(group(root, "volume"), "rect")
    heights = volume / volume.max() * vh
    np.testing.assert_allclose([number(bar, "height") for bar in bars], heights, atol=1e-9)
    np.testing.assert_allclose([number(bar, "y") for bar in bars], height - heights, atol=1e-9)
    assert all(bar.get("opacity") == "0.5" for bar in bars)


def test_candle_colours_follow_the_direction(sample):
    ohlc, volume = sample
    root = parse(render_candlestick_svg(ohlc, volume, theme="modern"))
    rising = ohlc["close"] >= ohlc["open"]
    fills = [body.get("fill") for body in children(group(root, "candles"), "rect")]
    assert fills == ["#26A69A" if up else "#EF5350" for up in rising]
    strokes = [wick.get("stroke") for wick in children(group(root, "candles"), "line")]
    assert strokes == fills
    assert [bar.get("fill") for bar in children(group(root, "volume"), "rect")] == fills


@pytest.mark.parametrize("theme", sorted(oracle.THEMES))
@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
def test_every_chart_and_theme_is_well_formed(sample, chart, theme):
    ohlc, volume = sample
    document = ALL_CHARTS[chart](ohlc, volume, theme=theme, **SMALL)
    root = parse(document)
    colours = oracle.THEMES[theme]
    assert root[1].get("fill") == colours["bg"]
    assert group(root, "grid").get("stroke") == colours["grid"]
    content = group(root, CONTENT_GROUP[chart])
    assert content is not None and len(content) > 0
    used = {element.get(key) for element in content for key in ("fill", "stroke")} - {None}
    assert used - {"none"} <= {colours["up"], colours["down"]}
    # Every number is finite and written the Python way.
    assert "nan" not in document and "inf" not in document


def test_colour_overrides_accept_what_the_raster_charts_accept(sample):
    ohlc, volume = sample
    root = parse(
        render_candlestick_svg(
            ohlc, volume, bg_color="white", up_color=(1, 2, 3), down_color="#11223380", **SMALL
        )
    )
    assert root[1].get("fill") == "#FFFFFF" and root[1].get("fill-opacity") is None
    rising = ohlc["close"] >= ohlc["open"]
    bodies = children(group(root, "candles"), "rect")
    wicks = children(group(root, "candles"), "line")
    for up, body, wick in zip(rising, bodies, wicks):
        if up:
            assert body.get("fill") == "#010203" and body.get("fill-opacity") is None
        else:
            assert body.get("fill") == "#112233"
            assert float(body.get("fill-opacity")) == 128 / 255
            assert wick.get("stroke") == "#112233"
            assert float(wick.get("stroke-opacity")) == 128 / 255
    # The grid colour cannot be overridden.
    assert group(root, "grid").get("stroke") == "#333333"

    with pytest.raises(ValueError, match="up_color"):
        render_candlestick_svg(ohlc, volume, up_color="#12345", **SMALL)
    with pytest.raises(TypeError, match="bg_color"):
        render_candlestick_svg(ohlc, volume, bg_color=12, **SMALL)


def test_unknown_theme_warns_and_draws_classic(sample):
    ohlc, volume = sample
    with pytest.warns(UserWarning, match="Unknown theme 'neon'"):
        document = render_candlestick_svg(ohlc, volume, theme="neon", **SMALL)
    assert document == render_candlestick_svg(ohlc, volume, theme="classic", **SMALL)


def test_without_volume_the_prices_use_the_full_height(sample):
    ohlc, _ = sample
    height = 500
    for function in (render_candlestick_svg, render_ohlc_bars_svg, render_line_chart_svg):
        root = parse(function(ohlc, None, width=400, height=height))
        assert group(root, "volume") is None
        rows = [int(line.get("y1")) for line in children(group(root, "grid"), "line")[:9]]
        assert rows == [int(i * height / 10) for i in range(1, 10)]
    root = parse(render_candlestick_svg(ohlc, width=400, height=height))
    bottoms = [number(wick, "y2") for wick in children(group(root, "candles"), "line")]
    assert max(bottoms) == height


def test_show_grid_false_leaves_out_the_grid(sample):
    ohlc, volume = sample
    for name, function in ALL_CHARTS.items():
        root = parse(function(ohlc, volume, show_grid=False, **SMALL))
        assert group(root, "grid") is None, name
        assert group(root, CONTENT_GROUP[name]) is not None


def test_hollow_candles_outline_rising_bodies(sample):
    ohlc, volume = sample
    root = parse(render_hollow_candles_svg(ohlc, volume, **SMALL))
    rising = ohlc["close"] >= ohlc["open"]
    for up, body in zip(rising, children(group(root, "candles"), "rect")):
        if up:
            assert body.get("fill") == "none"
            assert body.get("stroke") == "#00FF00" and body.get("stroke-width") == "1"
        else:
            assert body.get("fill") == "#FF0000" and body.get("stroke") is None


def test_ohlc_bars_have_three_lines_and_half_slot_volume(sample):
    ohlc, volume = sample
    n = len(volume)
    width = 800
    root = parse(render_ohlc_bars_svg(ohlc, volume, width=width, height=400))
    lines = children(group(root, "ohlc_bars"), "line")
    assert len(lines) == 3 * n
    slot = width / (n + 1)
    vertical, open_tick, close_tick = lines[3 * 10 : 3 * 10 + 3]
    center = 10.5 * slot
    assert number(vertical, "x1") == number(vertical, "x2") == pytest.approx(center)
    assert number(open_tick, "x1") == pytest.approx(center - 0.4 * slot)
    assert number(close_tick, "x2") == pytest.approx(center + 0.4 * slot)
    assert all(line.get("stroke-width") == "1" for line in lines)
    bars = children(group(root, "volume"), "rect")
    assert len(bars) == n
    assert number(bars[10], "x") == pytest.approx(10.25 * slot)
    assert number(bars[10], "width") == pytest.approx(0.5 * slot)


def test_line_chart_points_area_and_gaps(sample):
    ohlc, volume = sample
    n = len(volume)
    ohlc = {key: values.copy() for key, values in ohlc.items()}
    ohlc["close"][5] = np.nan
    root = parse(
        render_line_chart_svg(
            ohlc, volume, line_color="#0000FF", line_width=3.5, fill_area=True, **SMALL
        )
    )
    line = group(root, "line")
    (polygon,) = children(line, "polygon")
    (polyline,) = children(line, "polyline")
    points = [tuple(map(float, pair.split(","))) for pair in polyline.get("points").split()]
    assert len(points) == n - 1
    slot = SMALL["width"] / (n + 1)
    assert points[5][0] == pytest.approx(6.5 * slot)
    assert polyline.get("stroke") == "#0000FF" and polyline.get("stroke-width") == "3.5"
    assert polyline.get("stroke-linejoin") == "round" and polyline.get("fill") == "none"
    area = polygon.get("points").split()
    assert len(area) == n - 1 + 2
    ch = int(SMALL["height"] * 0.7)
    assert area[-1] == f"{points[0][0]!r},{float(ch)!r}"
    assert polygon.get("opacity") == "0.2"
    assert len(children(group(root, "volume"), "rect")) == n - 1

    single = parse(render_line_chart_svg({k: v[:1] for k, v in ohlc.items()}, volume[:1]))
    assert children(group(single, "line"), "polyline") == []
    with pytest.raises(ValueError, match="line_width"):
        render_line_chart_svg(ohlc, volume, line_width=25)


def test_renko_bricks_come_from_the_transform(sample):
    ohlc, volume = sample
    bricks = calculate_renko_bricks(ohlc, box_size=0.5)
    assert len(bricks) > 10
    root = parse(render_renko_chart_svg(ohlc, volume, box_size=0.5, **SMALL))
    rects = children(group(root, "bricks"), "rect")
    assert len(rects) == len(bricks)
    assert [rect.get("fill") for rect in rects] == [
        "#00FF00" if brick["direction"] == 1 else "#FF0000" for brick in bricks
    ]
    prices = [brick["price"] for brick in bricks]
    ch = int(SMALL["height"] * 0.7)
    low, high = min(prices) - 0.5, max(prices) + 0.5
    brick_height = max(0.5 / (high - low) * ch, 1.0)
    for rect, brick in zip(rects, bricks):
        edge = ch - (brick["price"] - low) / (high - low) * ch
        top = edge if brick["direction"] == 1 else edge - brick_height
        assert number(rect, "y") == pytest.approx(top)
        assert number(rect, "height") == pytest.approx(brick_height)
    # Placeholder volume bars, half the volume panel tall.
    bars = children(group(root, "volume"), "rect")
    assert len(bars) == len(bricks)
    assert {number(bar, "height") for bar in bars} == {float(int(SMALL["height"] * 0.3) // 2)}

    no_volume = parse(render_renko_chart_svg(ohlc, box_size=0.5, **SMALL))
    assert group(no_volume, "volume") is None
    flat = {key: np.full(20, 5.0) for key in ohlc}
    background_only = parse(render_renko_chart_svg(flat, box_size=1.0))
    assert [child.tag.removeprefix(SVG) for child in background_only] == ["defs", "rect"]
    with pytest.raises(ValueError, match="box_size"):
        render_renko_chart_svg(ohlc, volume, box_size=-1)
    with pytest.raises(ValueError, match="reversal_boxes"):
        render_renko_chart_svg(ohlc, volume, box_size=1, reversal_boxes=11)
    with pytest.raises(DataValidationError, match="volume has 3 values"):
        render_renko_chart_svg(ohlc, volume[:3], box_size=1)


def test_pnf_marks_come_from_the_transform(sample):
    ohlc, volume = sample
    columns = calculate_pnf_columns(ohlc, box_size=1.0)
    root = parse(render_pnf_chart_svg(ohlc, volume, box_size=1.0, width=600, height=400))
    symbols = group(root, "pnf_symbols")
    x_boxes = sum(len(c["boxes"]) for c in columns if c["type"] == "X")
    o_boxes = sum(len(c["boxes"]) for c in columns if c["type"] == "O")
    assert len(children(symbols, "path")) == x_boxes
    assert len(children(symbols, "circle")) == o_boxes
    assert group(root, "volume") is None
    slot = 600 / (len(columns) + 1)
    circle = children(symbols, "circle")[0]
    assert number(circle, "r") == pytest.approx(0.4 * slot)
    assert circle.get("stroke-width") == "2" and circle.get("fill") == "none"
    vertical = [
        line for line in children(group(root, "grid"), "line") if line.get("x1") == line.get("x2")
    ]
    assert len(vertical) == len(columns) + 1
    assert render_pnf_chart_svg(ohlc, volume, box_size=1.0) == render_pnf_chart_svg(
        ohlc, None, box_size=1.0
    )


def test_nan_candles_are_skipped_and_flat_prices_sit_in_the_middle(sample):
    ohlc, volume = sample
    ohlc = {key: values.copy() for key, values in ohlc.items()}
    ohlc["high"][[3, 50]] = np.nan
    root = parse(render_candlestick_svg(ohlc, volume, **SMALL))
    assert len(children(group(root, "candles"), "rect")) == len(volume) - 2
    assert len(children(group(root, "volume"), "rect")) == len(volume) - 2

    flat = {key: np.full(10, 7.0) for key in ohlc}
    root = parse(render_candlestick_svg(flat, np.zeros(10), width=400, height=300))
    ch = int(300 * 0.7)
    for body in children(group(root, "candles"), "rect"):
        assert number(body, "y") == ch / 2 and number(body, "height") == 1.0
    # All-zero volume: a volume group with no bars.
    assert children(group(root, "volume"), "rect") == []


@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
def test_svg_and_svgz_files_hold_the_returned_document(tmp_path, sample, chart):
    ohlc, volume = sample
    function = ALL_CHARTS[chart]
    plain_path = tmp_path / "out" / "chart.svg"
    document = function(ohlc, volume, output_path=plain_path, **SMALL)
    assert plain_path.read_text(encoding="utf-8") == DECLARATION + document

    packed_path = tmp_path / "chart.svgz"
    assert function(ohlc, volume, output_path=str(packed_path), **SMALL) == document
    packed = packed_path.read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed).decode("utf-8") == document
    assert len(packed) < len(document)


def test_failed_write_leaves_no_file_behind(tmp_path, sample):
    ohlc, volume = sample
    # A directory where the file should go: the final rename fails.
    blocker = tmp_path / "chart.svg"
    blocker.mkdir()
    with pytest.raises(OSError):
        render_candlestick_svg(ohlc, volume, output_path=blocker, **SMALL)
    assert [path.name for path in tmp_path.iterdir()] == ["chart.svg"]
    assert blocker.is_dir() and list(blocker.iterdir()) == []

    existing = tmp_path / "kept.svgz"
    existing.write_bytes(b"old")
    with pytest.raises(DataValidationError):
        render_candlestick_svg(ohlc, volume[:5], output_path=existing, **SMALL)
    assert existing.read_bytes() == b"old"


def test_bad_output_paths_are_rejected_before_drawing(tmp_path, sample):
    ohlc, volume = sample
    with pytest.raises(ValueError, match=r"'\.\.'"):
        render_candlestick_svg(ohlc, volume, output_path=str(tmp_path / ".." / "x.svg"))
    with pytest.raises(ValueError, match="system directory"):
        render_ohlc_bars_svg(ohlc, volume, output_path="/etc/kimsfinance-test.svg")
    # An empty path means "do not write", as in the original.
    assert render_candlestick_svg(ohlc, volume, output_path="", **SMALL).startswith("<svg")


RASTER_TWINS = {
    "candles": render_ohlcv_chart,
    "hollow": render_ohlcv_chart,
    "ohlc": render_ohlc_bars,
    "line": render_line_chart,
}


@pytest.mark.parametrize("chart", sorted(RASTER_TWINS))
def test_bad_input_raises_what_the_raster_charts_raise(sample, chart):
    ohlc, volume = sample
    n = len(volume)
    function = ALL_CHARTS[chart]
    cases = [
        (({**ohlc, "low": ohlc["low"][:-1]}, volume), DataValidationError),
        (({**ohlc, "close": np.array(["x"] * n)}, volume), TypeError),
        (({key: np.array([]) for key in ohlc}, np.array([])), DataValidationError),
        ((ohlc, -volume), DataValidationError),
        ((ohlc, volume[:-1]), DataValidationError),
        (({key: ohlc[key] for key in ("open", "high")}, volume), DataValidationError),
    ]
    for (data, vol), error in cases:
        with pytest.raises(error) as svg_error:
            function(data, vol, **SMALL)
        raster = RASTER_TWINS[chart]
        with pytest.raises(error) as raster_error:
            raster(data, vol, **SMALL)
        assert str(svg_error.value) == str(raster_error.value)


@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
@pytest.mark.parametrize("size", [(99, 500), (500, 8193), (0, 100)])
def test_sizes_are_validated_like_the_raster_charts(sample, chart, size):
    ohlc, volume = sample
    width, height = size
    side, value = ("width", width) if not 100 <= width <= 8192 else ("height", height)
    with pytest.raises(ValueError) as error:
        ALL_CHARTS[chart](ohlc, volume, width=width, height=height)
    assert str(error.value) == f"{side} must be between 100 and 8192 pixels, got {value}."


def test_accepts_lists_polars_and_pandas(sample):
    ohlc, volume = sample
    expected = render_candlestick_svg(ohlc, volume, **SMALL)
    as_lists = {key: values.tolist() for key, values in ohlc.items()}
    assert render_candlestick_svg(as_lists, volume.tolist(), **SMALL) == expected
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({**ohlc, "volume": volume})
    assert render_candlestick_svg(frame, frame["volume"], **SMALL) == expected
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({**ohlc, "volume": volume})
    assert render_candlestick_svg(frame, frame["volume"], **SMALL) == expected


@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
def test_every_number_is_written_as_python_repr_writes_it(chart):
    """Floats (coordinates, sizes, point lists, path data) read back to the same double and
    are spelled exactly as ``repr`` spells them, ties between shortest forms included."""
    ohlc, volume = random_ohlcv(np.random.default_rng(11), 3_000)
    # Tiny prices give coordinates with many digits.
    ohlc = {key: values * 1e-3 for key, values in ohlc.items()}
    options = {"box_size": 0.0005} if chart in ("renko", "pnf") else {}
    root = parse(ALL_CHARTS[chart](ohlc, volume, width=1917, height=1079, **options))
    floats = 0
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in ("id", "version", "baseProfile") or value.startswith(("#", "http")):
                continue
            for token in value.replace(",", " ").split():
                if token in ("M", "L", "none", "round", "100%", "full"):
                    continue
                if "." in token or "e" in token:
                    assert repr(float(token)) == token, (name, token)
                    floats += 1
                else:
                    assert str(int(token)) == token, (name, token)
    assert floats > 1_000


def test_a_real_svg_renderer_draws_the_chart():
    """resvg (a browser-grade renderer) rasterises the document: background and candle colours
    appear where the geometry puts them."""
    resvg = pytest.importorskip("resvg_py")
    from PIL import Image

    n = 20
    open_ = np.arange(n, dtype=float) + 10
    close = open_ + np.where(np.arange(n) % 2 == 0, 3.0, -3.0)
    ohlc = {
        "open": open_,
        "high": np.maximum(open_, close) + 1,
        "low": np.minimum(open_, close) - 1,
        "close": close,
    }
    width, height = 420, 300
    document = render_candlestick_svg(
        ohlc, np.full(n, 5.0), width=width, height=height, theme="light", show_grid=False
    )
    png = bytes(resvg.svg_to_bytes(svg_string=document))
    image = np.array(Image.open(io.BytesIO(png)).convert("RGB"))
    assert image.shape == (height, width, 3)

    assert tuple(image[2, width - 3]) == (255, 255, 255)
    root = parse(document)
    ch = int(height * 0.7)
    for index, body in enumerate(children(group(root, "candles"), "rect")):
        x = math.floor(number(body, "x") + number(body, "width") / 2) - 3
        y = math.floor(number(body, "y") + number(body, "height") / 2)
        expected = (38, 166, 154) if index % 2 == 0 else (239, 83, 80)
        assert tuple(image[y, x]) == expected, index
        # The volume bar under it, half transparent over white.
        blended = tuple(round((c + 255) / 2) for c in expected)
        pixel = image[height - 3, x]
        assert np.abs(pixel.astype(int) - blended).max() <= 1, (index, pixel)
    # Nothing is drawn in the empty right-most slot.
    assert (image[:ch, width - 5] == 255).all()


def test_the_returned_document_has_no_declaration_and_is_deterministic(sample):
    ohlc, volume = sample
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = render_line_chart_svg(ohlc, volume, fill_area=True)
    assert first == render_line_chart_svg(ohlc, volume, fill_area=True)
    assert first.startswith("<svg ") and first.endswith("</svg>")


def test_many_rows_render_quickly():
    """10,000 candles at 1920x1080 stay well inside interactive time (about 10 ms measured)."""
    import time

    ohlc, volume = random_ohlcv(np.random.default_rng(7), 10_000)
    render_candlestick_svg(ohlc, volume)
    started = time.perf_counter()
    document = render_candlestick_svg(ohlc, volume)
    elapsed = time.perf_counter() - started
    assert document.count("<rect ") == 1 + 10_000 + np.count_nonzero(volume)
    assert elapsed < 1.0
