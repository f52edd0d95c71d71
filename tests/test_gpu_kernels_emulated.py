"""The CUDA kernels, run on the CPU under a model of CUDA's execution, give the CPU path's bars.

``tests/cuda_emulator/emulate.cpp`` includes ``src/gpu/kernels.cu`` as plain C++ (blocks and
threads run in turn, a block's threads at once where they synchronise) and repeats the launch
plan of ``src/gpu/bars.rs``. This checks the kernels' logic (bar boundaries, the exactness check
behind volume bars and its slow path, window arithmetic at the ends of the timestamp range,
the scans across more chunks than scan threads) on machines without a GPU. It cannot check
the CUDA driver, NVRTC's code generation or the device's arithmetic: ``tests/test_gpu.py`` does,
where a GPU is at hand. Skipped without a C++20 compiler.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kimsfinance import _native

SOURCE = Path(__file__).parent / "cuda_emulator" / "emulate.cpp"
COMPILER = shutil.which("g++") or shutil.which("clang++")
pytestmark = pytest.mark.skipif(COMPILER is None, reason="needs a C++20 compiler (g++ or clang++)")

NAMES = ("timestamp", "price", "volume")
I64 = np.iinfo(np.int64)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> Path:
    binary = tmp_path_factory.mktemp("emulator") / "emulate"
    command = [COMPILER, "-std=c++20", "-O2", "-ffp-contract=off", "-pthread"]
    result = subprocess.run(
        [*command, "-o", str(binary), str(SOURCE)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"the compiler could not build the emulator: {result.stderr[-500:]}")
    return binary


def emulate(emulator: Path, tmp_path: Path, mode: str, parameter, times, *columns):
    """The emulated kernels' bars (six arrays) and what the emulator printed."""
    data, out = tmp_path / "input.bin", tmp_path / "output.bin"
    with open(data, "wb") as file:
        file.write(np.ascontiguousarray(times, dtype=np.int64).tobytes())
        file.writelines(
            np.ascontiguousarray(column, dtype=np.float64).tobytes() for column in columns
        )
    result = subprocess.run(
        [str(emulator), mode, str(len(times)), repr(parameter), str(data), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    if not result.stdout.startswith("ok"):
        return None, result.stdout.strip()
    raw = out.read_bytes()
    bars = int(np.frombuffer(raw[:8], dtype=np.uint64)[0])
    stamps = np.frombuffer(raw[8 : 8 + 8 * bars], dtype=np.int64)
    rest = np.frombuffer(raw[8 + 8 * bars :], dtype=np.float64).reshape(5, bars)
    return (stamps, *rest), result.stdout.strip()


def assert_bars_equal(emulated, cpu) -> None:
    for name, got, expected in zip(
        ("timestamp", "open", "high", "low", "close", "volume"), emulated, cpu, strict=True
    ):
        np.testing.assert_array_equal(got, expected, err_msg=name)


def walk(count: int, seed: int, fractional: bool = False):
    rng = np.random.default_rng(seed)
    times = 1_700_000_000_000 + np.cumsum(rng.integers(0, 3, count)) * 250
    price = 100 + np.cumsum(rng.normal(0, 0.05, count))
    volume = rng.integers(1, 50, count).astype(np.float64)
    return times.astype(np.int64), price, volume * 0.1 if fractional else volume


# Around the widths of the launch plan: 32 rows per chunk, 256 threads per block, 1,024 scan
# threads (32,768 rows give each scan thread one chunk; 65,541 give each several).
SIZES = [1, 2, 31, 32, 33, 255, 257, 1_025, 32_768, 65_541]


@pytest.mark.parametrize("count", SIZES)
def test_emulated_tick_bars_equal_cpu_bars(emulator, tmp_path, count):
    times, price, volume = walk(count, seed=count)
    for size in (1, 7, 32, 1_000):
        emulated, _ = emulate(emulator, tmp_path, "tick", size, times, price, volume)
        cpu = _native.tick_bars(
            times, price, volume, tick_size=size, assume_sorted=True, names=NAMES
        )
        assert_bars_equal(emulated, cpu)


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("fractional", [False, True], ids=["whole", "fractional"])
def test_emulated_volume_bars_equal_cpu_bars(emulator, tmp_path, count, fractional):
    times, price, volume = walk(count, seed=count, fractional=fractional)
    for size in (1.0, 25.0, 99.9, 1e6):
        emulated, said = emulate(emulator, tmp_path, "volume", size, times, price, volume)
        cpu = _native.volume_bars(
            times, price, volume, volume_size=size, assume_sorted=True, names=NAMES
        )
        assert_bars_equal(emulated, cpu)
        # Whole volumes add up exactly, so the parallel totals are used; tenths round, so the
        # in-order pass must have run (once there is more than one row to add).
        assert ("slow-path" in said) == (fractional and count > 2), said


@pytest.mark.parametrize("count", SIZES)
def test_emulated_time_bars_equal_cpu_bars(emulator, tmp_path, count):
    times, price, volume = walk(count, seed=count)
    high, low, close = price + 0.05, price - 0.05, price[::-1].copy()
    for every, width in (("1s", 1_000), ("7s", 7_000), ("1m", 60_000), ("1h", 3_600_000)):
        emulated, _ = emulate(
            emulator, tmp_path, "resample", width, times, price, high, low, close, volume
        )
        cpu = _native.resample_bars(
            times, price, high, low, close, volume, every=every,
            unit_nanoseconds=1_000_000, assume_sorted=True, timestamp_name="timestamp",
        )  # fmt: skip
        assert_bars_equal(emulated, cpu)
    emulated, _ = emulate(emulator, tmp_path, "resample4", 60_000, times, price, high, low, close)
    cpu = _native.resample_bars(
        times, price, high, low, close, None, every="1m",
        unit_nanoseconds=1_000_000, assume_sorted=True, timestamp_name="timestamp",
    )  # fmt: skip
    assert_bars_equal(emulated, cpu)


@pytest.mark.parametrize(
    "times",
    [
        np.array([I64.max - 5, I64.max - 1, I64.max - 1, I64.max, I64.max]),
        np.array([I64.min + 1, I64.min + 2, I64.min + 3_600_000_000_000, 0, 5]),
        np.array([-7_200_000_000_001, -3_600_000_000_000, -1, 0, 3_599_999_999_999]),
    ],
    ids=["last_times", "earliest_times", "around_the_epoch"],
)
def test_emulated_windows_at_the_ends_of_the_time_range_equal_cpu_windows(
    emulator, tmp_path, times
):
    # Hour windows in nanoseconds: windows are cut at the last representable time and their
    # starts clamped at the earliest, as on the CPU.
    prices = np.arange(1.0, len(times) + 1.0)
    emulated, _ = emulate(
        emulator, tmp_path, "resample4", 3_600_000_000_000, times, prices, prices, prices, prices
    )
    cpu = _native.resample_bars(
        times, prices, prices, prices, prices, None, every="1h",
        unit_nanoseconds=1, assume_sorted=True, timestamp_name="t",
    )  # fmt: skip
    assert_bars_equal(emulated, cpu)


def test_emulated_validation_finds_the_first_bad_row(emulator, tmp_path):
    times, price, volume = walk(5_000, seed=1)
    volume[4_321] = -0.5
    volume[4_999] = np.nan
    _, said = emulate(emulator, tmp_path, "volume", 10.0, times, price, volume)
    assert said == "invalid 1 4321"
    price[77] = np.inf
    _, said = emulate(emulator, tmp_path, "tick", 10, times, price, volume)
    assert said == "invalid 0 77"
