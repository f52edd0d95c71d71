"""Batch and parallel rendering: the same pixels as one-by-one renders for every chart type and
thread count, bytes and files, errors naming the dataset, progress, cancellation (Ctrl-C and
callbacks) and concurrent use from many Python threads."""

from __future__ import annotations

import io
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from helpers import random_ohlcv
from PIL import Image

import kimsfinance
from kimsfinance import DataValidationError, _native
from kimsfinance.api import render_charts_parallel as api_render_charts_parallel
from kimsfinance.api import render_ohlcv_charts as api_render_ohlcv_charts
from kimsfinance.plotting import (
    render_charts_parallel,
    render_hollow_candles,
    render_line_chart,
    render_ohlc_bars,
    render_ohlcv_chart,
    render_ohlcv_charts,
    render_pnf_chart,
    render_renko_chart,
)

SMALL = {"width": 240, "height": 160}

# chart_type -> (single-chart renderer, options passed to both)
CHART_TYPES = {
    "candle": (render_ohlcv_chart, {"theme": "modern", "wick_width_ratio": 0.3}),
    "hollow": (render_hollow_candles, {"up_color": "#1565C0", "enable_antialiasing": False}),
    "ohlc": (render_ohlc_bars, {"theme": "light", "show_grid": False}),
    "line": (render_line_chart, {"line_width": 3, "fill_area": True}),
    "renko": (render_renko_chart, {"reversal_boxes": 2}),
    "pnf": (render_pnf_chart, {"box_size": 1.0, "antialias": True}),
}


def datasets(count: int, seed: int = 11) -> list[dict]:
    """``count`` different random walks of different lengths (40 to 160 candles)."""
    rng = np.random.default_rng(seed)
    result = []
    for index in range(count):
        ohlc, volume = random_ohlcv(rng, 40 + (index * 37) % 121)
        result.append({"ohlc": ohlc, "volume": volume})
    return result


def one_by_one(renderer, data: list[dict], **kwargs) -> list[np.ndarray]:
    return [np.asarray(renderer(d["ohlc"], d["volume"], **kwargs)) for d in data]


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file())


def assert_no_temporary_files(folder: Path) -> None:
    leftovers = [path.name for path in folder.iterdir() if path.name.endswith(".tmp")]
    assert leftovers == []


# ---------------------------------------------------------------------------------------------
# Same pixels as one by one


@pytest.mark.parametrize("threads", [1, 2, 8])
@pytest.mark.parametrize("chart_type", sorted(CHART_TYPES))
def test_images_equal_one_by_one_renders(chart_type, threads):
    renderer, options = CHART_TYPES[chart_type]
    data = datasets(12)
    expected = one_by_one(renderer, data, **SMALL, **options)

    images = render_ohlcv_charts(
        data, chart_type=chart_type, num_workers=threads, **SMALL, **options
    )

    assert len(images) == len(expected)
    for index, (image, pixels) in enumerate(zip(images, expected)):
        assert np.array_equal(np.asarray(image), pixels), f"chart {index} differs"


def test_default_is_candles_with_the_original_defaults():
    data = datasets(3)
    images = render_ohlcv_charts(data)
    assert images[0].size == (1920, 1080) and images[0].mode == "RGBA"
    for image, pixels in zip(images, one_by_one(render_ohlcv_chart, data)):
        assert np.array_equal(np.asarray(image), pixels)


def test_chart_type_aliases_match():
    data = datasets(2)
    for alias, renderer in [
        ("hollow_and_filled", render_hollow_candles),
        ("pointandfigure", render_pnf_chart),
    ]:
        images = render_ohlcv_charts(data, chart_type=alias, **SMALL)
        for image, pixels in zip(images, one_by_one(renderer, data, **SMALL)):
            assert np.array_equal(np.asarray(image), pixels)


def test_order_is_kept_with_many_workers():
    data = datasets(40, seed=5)
    expected = one_by_one(render_ohlcv_chart, data, **SMALL)
    images = render_ohlcv_charts(data, num_workers=8, **SMALL)
    assert [np.asarray(image).tobytes() for image in images] == [
        pixels.tobytes() for pixels in expected
    ]


def test_datasets_accept_lists_polars_and_other_dtypes():
    pl = pytest.importorskip("polars")
    first = datasets(1)[0]
    ohlc, volume = first["ohlc"], first["volume"]
    variants = [
        {"ohlc": {k: v.tolist() for k, v in ohlc.items()}, "volume": volume.tolist()},
        {"ohlc": pl.DataFrame(ohlc), "volume": pl.Series(volume)},
        {
            "ohlc": {k.capitalize(): v.astype(np.float32) for k, v in ohlc.items()},
            "volume": volume.astype(np.int64),
        },
    ]
    images = render_ohlcv_charts(variants, **SMALL)
    for variant, image in zip(variants, images):
        single = render_ohlcv_chart(variant["ohlc"], variant["volume"], **SMALL)
        assert np.array_equal(np.asarray(image), np.asarray(single))


def test_empty_batches_give_empty_lists():
    assert render_ohlcv_charts([]) == []
    assert render_charts_parallel([]) == []
    assert render_charts_parallel([], output_paths=[]) == []


def test_api_module_exports_the_same_functions():
    assert api_render_ohlcv_charts is render_ohlcv_charts
    assert api_render_charts_parallel is render_charts_parallel
    assert {"render_ohlcv_charts", "render_charts_parallel"} <= set(kimsfinance.plotting.__all__)


# ---------------------------------------------------------------------------------------------
# Bytes and files


@pytest.mark.parametrize("output_format", [None, "png", "webp", "bmp", "tiff", "TIF"])
@pytest.mark.parametrize("threads", [1, 2, 8])
def test_bytes_decode_to_the_rendered_pixels(output_format, threads):
    data = datasets(6)
    expected = one_by_one(render_ohlcv_chart, data, **SMALL)

    encoded = render_charts_parallel(
        data, num_workers=threads, output_format=output_format, **SMALL
    )

    assert all(isinstance(item, bytes) for item in encoded)
    for item, pixels in zip(encoded, expected):
        decoded = Image.open(io.BytesIO(item))
        if output_format is None:
            assert decoded.format == "PNG"
        assert np.array_equal(np.asarray(decoded.convert("RGBA")), pixels)


def test_jpeg_bytes_decode_to_an_image_of_the_right_size():
    encoded = render_charts_parallel(datasets(2), output_format="jpeg", **SMALL)
    for item in encoded:
        decoded = Image.open(io.BytesIO(item))
        assert decoded.format == "JPEG" and decoded.size == (240, 160)


@pytest.mark.parametrize("chart_type", sorted(CHART_TYPES))
def test_every_chart_type_can_be_saved(tmp_path, chart_type):
    renderer, options = CHART_TYPES[chart_type]
    data = datasets(4)
    paths = [tmp_path / f"chart{index}.webp" for index in range(len(data))]

    written = render_charts_parallel(data, paths, chart_type=chart_type, **SMALL, **options)

    assert written == [str(path) for path in paths]
    for path, pixels in zip(paths, one_by_one(renderer, data, **SMALL, **options)):
        mode = "RGBA" if pixels.shape[2] == 4 else "RGB"
        assert np.array_equal(np.asarray(Image.open(path).convert(mode)), pixels)


def test_files_take_their_format_from_the_extension_and_paths_come_back_as_given(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    data = datasets(5)
    paths = ["out/a.png", Path("out/b.webp"), "out/c.BMP", "out/d.tif", "out/e.jpg"]

    written = render_charts_parallel(data, paths, num_workers=2, speed="best", **SMALL)

    assert written == ["out/a.png", "out/b.webp", "out/c.BMP", "out/d.tif", "out/e.jpg"]
    formats = [Image.open(path).format for path in paths]
    assert formats == ["PNG", "WEBP", "BMP", "TIFF", "JPEG"]
    expected = one_by_one(render_ohlcv_chart, data, **SMALL)
    for path, pixels in zip(paths[:4], expected):
        assert np.array_equal(np.asarray(Image.open(path).convert("RGBA")), pixels)
    assert_no_temporary_files(tmp_path / "out")


def test_output_paths_are_checked_before_any_chart(tmp_path):
    data = datasets(3)
    good = [tmp_path / "a.png", tmp_path / "b.png"]
    with pytest.raises(ValueError, match=r"output_paths\[2\].*extension"):
        render_charts_parallel(data, [*good, tmp_path / "c.gif"], **SMALL)
    with pytest.raises(ValueError, match=r"output_paths\[1\].*'\.\.'"):
        render_charts_parallel(data, [good[0], "x/../y.png", good[1]], **SMALL)
    assert files_in(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Argument checks


@pytest.mark.parametrize("executor_type", ["auto", "thread", "process"])
def test_every_original_executor_type_is_accepted(executor_type):
    data = datasets(2)
    encoded = render_charts_parallel(data, executor_type=executor_type, **SMALL)
    assert len(encoded) == 2


@pytest.mark.parametrize("executor_type", ["threads", "Process", None, 3])
def test_unknown_executor_types_raise(executor_type):
    with pytest.raises(ValueError, match="executor_type") as raised:
        render_charts_parallel(datasets(1), executor_type=executor_type)
    assert repr(executor_type) in str(raised.value)


def test_length_mismatch_names_both_lengths():
    with pytest.raises(ValueError, match="datasets has 3 items, but output_paths has 2 items"):
        render_charts_parallel(datasets(3), ["a.png", "b.png"])


@pytest.mark.parametrize(
    "num_workers, error",
    [(0, ValueError), (-2, ValueError), ("2", TypeError), (True, TypeError), (1.5, TypeError)],
)
def test_bad_worker_counts_raise(num_workers, error):
    with pytest.raises(error, match="num_workers"):
        render_charts_parallel(datasets(1), num_workers=num_workers)
    with pytest.raises(error, match="num_workers"):
        render_ohlcv_charts(datasets(1), num_workers=num_workers)


def test_numpy_worker_counts_and_more_workers_than_charts_work():
    data = datasets(2)
    assert len(render_ohlcv_charts(data, num_workers=np.int64(3), **SMALL)) == 2
    assert len(render_ohlcv_charts(data, num_workers=64, **SMALL)) == 2


def test_other_bad_arguments_raise_clear_errors(tmp_path):
    data = datasets(2)
    with pytest.raises(ValueError, match="chart_type.*'candlestick'"):
        render_ohlcv_charts(data, chart_type="candlestick")
    with pytest.raises(TypeError, match=r"render_line_chart\(\).*\['wick_width_ratio'\]"):
        render_ohlcv_charts(data, chart_type="line", wick_width_ratio=0.2)
    with pytest.raises(TypeError, match=r"\['ohlc'\]"):
        render_ohlcv_charts(data, ohlc={})
    with pytest.raises(ValueError, match="speed.*'quick'"):
        render_charts_parallel(data, speed="quick")
    with pytest.raises(ValueError, match="output_format.*'gif'"):
        render_charts_parallel(data, output_format="gif")
    with pytest.raises(ValueError, match="output_format"):
        render_charts_parallel(data, [tmp_path / "a.png", tmp_path / "b.png"], output_format="png")
    with pytest.raises(TypeError, match="progress"):
        render_ohlcv_charts(data, progress="yes")
    with pytest.raises(ValueError, match="width must be between 100 and 8192 pixels, got 50"):
        render_ohlcv_charts(data, width=50)
    with pytest.raises(ValueError, match="line_width"):
        render_ohlcv_charts(data, chart_type="line", line_width=50)


def test_unknown_theme_warns_once_per_batch():
    with pytest.warns(UserWarning, match="Unknown theme 'neon'") as caught:
        render_ohlcv_charts(datasets(3), theme="neon", **SMALL)
    assert len(caught) == 1


# ---------------------------------------------------------------------------------------------
# Errors name the dataset


def test_missing_keys_raise_key_error_naming_the_dataset():
    data = datasets(3)
    data[1] = {"ohlc": data[1]["ohlc"]}
    with pytest.raises(KeyError, match="dataset 1 has no 'volume' key"):
        render_ohlcv_charts(data)
    with pytest.raises(KeyError, match="dataset 0 has no 'ohlc' key"):
        render_charts_parallel([{"volume": [1.0]}])
    with pytest.raises(TypeError, match="dataset 0 must be a dict"):
        render_ohlcv_charts([("ohlc", "volume")])


def test_bad_columns_raise_their_usual_errors_naming_the_dataset():
    data = datasets(5)
    ohlc = dict(data[3]["ohlc"])
    ohlc["high"] = ohlc["high"][:-1]
    data[3] = {"ohlc": ohlc, "volume": data[3]["volume"]}
    length = len(ohlc["open"])
    with pytest.raises(
        DataValidationError,
        match=rf"^dataset 3: high has {length - 1} values but open has {length}\.$",
    ):
        render_ohlcv_charts(data, **SMALL)

    data = datasets(3)
    del data[2]["ohlc"]["open"]
    with pytest.raises(DataValidationError, match="^dataset 2: ohlc has no 'open' column"):
        render_ohlcv_charts(data)
    # Line charts do not read the open price.
    assert len(render_ohlcv_charts(data, chart_type="line", **SMALL)) == 3

    data = datasets(2)
    data[1]["ohlc"]["close"] = np.array(["x"] * len(data[1]["ohlc"]["open"]))
    with pytest.raises(TypeError, match="^dataset 1: close must have a numeric dtype"):
        render_ohlcv_charts(data)


def test_bad_datasets_fail_before_any_file_is_written(tmp_path):
    data = datasets(30)
    data[29]["volume"] = -data[29]["volume"]
    paths = [tmp_path / f"c{index}.png" for index in range(30)]
    with pytest.raises(DataValidationError, match="^dataset 29: "):
        render_charts_parallel(data, paths, **SMALL)
    assert files_in(tmp_path) == []


def a_batch_where_dataset_fails_while_drawing(count: int, failing: int) -> list[dict]:
    """Renko data where only dataset ``failing`` spans a price range so wide that a box size
    of 0.5 would make more than ten million bricks, which the renderer refuses."""
    data = datasets(count)
    ohlc = {key: values.copy() for key, values in data[failing]["ohlc"].items()}
    for values in ohlc.values():
        values[-1] = 1e8
    data[failing] = {"ohlc": ohlc, "volume": data[failing]["volume"]}
    return data


@pytest.mark.parametrize("threads", [1, 2, 8])
def test_a_chart_failing_while_drawing_names_its_index_and_keeps_its_class(tmp_path, threads):
    data = a_batch_where_dataset_fails_while_drawing(60, failing=7)
    paths = [tmp_path / f"c{index:02}.webp" for index in range(60)]

    with pytest.raises(ValueError, match=r"^dataset 7: box_size 0\.5 is too small") as raised:
        render_charts_parallel(
            data, paths, chart_type="renko", box_size=0.5, num_workers=threads, **SMALL
        )
    assert type(raised.value) is ValueError

    written = files_in(tmp_path)
    assert tmp_path / "c07.webp" not in written
    assert len(written) < 60
    for path in written:  # charts finished before the failure stay, complete
        assert Image.open(path).size == (240, 160)
    assert_no_temporary_files(tmp_path)


def test_a_failing_chart_raises_for_bytes_and_images_too():
    data = a_batch_where_dataset_fails_while_drawing(10, failing=4)
    with pytest.raises(ValueError, match="^dataset 4: "):
        render_charts_parallel(data, chart_type="renko", box_size=0.5, **SMALL)
    with pytest.raises(ValueError, match="^dataset 4: "):
        render_ohlcv_charts(data, chart_type="renko", box_size=0.5, **SMALL)


def test_a_failed_write_raises_os_error_naming_the_dataset(tmp_path):
    (tmp_path / "taken.png").mkdir()
    paths = [tmp_path / "a.png", tmp_path / "b.png", tmp_path / "taken.png"]
    with pytest.raises(OSError, match=r"dataset 2: Could not write .*taken\.png"):
        render_charts_parallel(datasets(3), paths, num_workers=1, **SMALL)
    assert (tmp_path / "taken.png").is_dir()
    assert_no_temporary_files(tmp_path)


# ---------------------------------------------------------------------------------------------
# Progress and cancellation


def test_progress_counts_up_to_the_total_on_the_calling_thread():
    calls = []
    caller = threading.get_ident()

    def progress(done, total):
        calls.append((done, total, threading.get_ident()))

    render_ohlcv_charts(datasets(25), progress=progress, num_workers=2, **SMALL)

    assert calls, "progress was never called"
    assert calls[-1][:2] == (25, 25)
    dones = [done for done, _, _ in calls]
    assert dones == sorted(set(dones)), "counts must strictly increase"
    assert all(total == 25 and thread == caller for _, total, thread in calls)


def test_progress_for_bytes_and_files(tmp_path):
    seen = []
    render_charts_parallel(datasets(7), progress=lambda d, t: seen.append((d, t)), **SMALL)
    assert seen[-1] == (7, 7)
    seen.clear()
    paths = [tmp_path / f"{index}.png" for index in range(7)]
    render_charts_parallel(
        datasets(7), paths, progress=lambda d, t: seen.append((d, t)), num_workers=1, **SMALL
    )
    assert seen[-1] == (7, 7)


class StopRendering(Exception):
    pass


def test_an_exception_from_the_callback_stops_the_batch_and_propagates(tmp_path):
    data = datasets(1)[:1] * 400
    paths = [tmp_path / f"c{index:03}.png" for index in range(400)]
    calls = []

    def progress(done, total):
        calls.append(done)
        raise StopRendering(f"stopped at {done}")

    with pytest.raises(StopRendering, match="stopped at"):
        render_charts_parallel(data, paths, progress=progress, num_workers=2, **SMALL)

    assert len(calls) == 1
    assert 1 <= len(files_in(tmp_path)) < 100
    assert_no_temporary_files(tmp_path)


def test_keyboard_interrupt_from_the_callback_stops_a_large_batch_promptly(tmp_path):
    data = datasets(1)[:1] * 2_000
    paths = [tmp_path / f"c{index:04}.webp" for index in range(2_000)]

    def progress(done, total):
        raise KeyboardInterrupt

    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        render_charts_parallel(data, paths, progress=progress, num_workers=2, **SMALL)
    elapsed = time.perf_counter() - started

    assert len(files_in(tmp_path)) < 100, "far fewer than all charts should be written"
    assert elapsed < 5
    assert_no_temporary_files(tmp_path)


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signals are only delivered to the main thread",
)
def test_ctrl_c_stops_a_batch_without_a_progress_callback(tmp_path):
    import _thread

    data = datasets(1)[:1] * 3_000
    paths = [tmp_path / f"c{index:04}.png" for index in range(3_000)]

    def press_ctrl_c_after_the_first_file():
        deadline = time.monotonic() + 30
        while not any(path.suffix == ".png" for path in tmp_path.iterdir()):
            if time.monotonic() > deadline:
                return
            time.sleep(0.005)
        _thread.interrupt_main()

    presser = threading.Thread(target=press_ctrl_c_after_the_first_file)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            render_charts_parallel(data, paths, num_workers=2, **SMALL)
    finally:
        presser.join()

    assert 1 <= len(files_in(tmp_path)) < 1_000
    assert_no_temporary_files(tmp_path)
    # The process is still usable afterwards.
    assert len(render_ohlcv_charts(datasets(2), **SMALL)) == 2


def test_show_progress_draws_a_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    render_ohlcv_charts(datasets(5), show_progress=True, **SMALL)
    assert "5/5" in capsys.readouterr().err


def test_show_progress_without_tqdm_raises_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    calls = []
    with pytest.raises(ImportError, match="pip install tqdm"):
        render_charts_parallel(
            datasets(2),
            [tmp_path / "a.png", tmp_path / "b.png"],
            show_progress=True,
            progress=lambda d, t: calls.append(d),
        )
    assert calls == [] and files_in(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Statistics


def test_each_chart_reports_its_render_and_encode_and_the_batch_one_event():
    stats = _native.global_stats()
    was_tracking = _native.is_tracking()
    _native.set_tracking(True)
    try:
        stats.reset()
        render_charts_parallel(datasets(4), output_format="webp", **SMALL)
        operations = stats.get_stats()["operations"]
    finally:
        _native.set_tracking(was_tracking)
        stats.reset()
    assert operations["render"]["count"] == 4
    assert operations["encode"]["count"] == 4
    assert operations["batch"]["count"] == 1


# ---------------------------------------------------------------------------------------------
# Many Python threads at once


def test_eight_python_threads_get_the_serial_results():
    data = datasets(6, seed=21)
    expected_pixels = one_by_one(render_ohlcv_chart, data, **SMALL)
    expected_bytes = render_charts_parallel(data, output_format="bmp", num_workers=1, **SMALL)

    def work(worker: int) -> None:
        for round_ in range(4):
            kind = (worker + round_) % 3
            if kind == 0:
                got = [
                    np.asarray(render_ohlcv_chart(d["ohlc"], d["volume"], **SMALL)) for d in data
                ]
                assert all(np.array_equal(a, b) for a, b in zip(got, expected_pixels))
            elif kind == 1:
                images = render_ohlcv_charts(data, num_workers=1 + worker % 3, **SMALL)
                assert all(
                    np.array_equal(np.asarray(a), b) for a, b in zip(images, expected_pixels)
                )
            else:
                encoded = render_charts_parallel(
                    data, output_format="bmp", num_workers=1 + worker % 4, **SMALL
                )
                assert encoded == expected_bytes

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(work, worker) for worker in range(8)]
        for future in futures:
            future.result(timeout=120)
