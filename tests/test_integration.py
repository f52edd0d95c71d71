"""Configuration and the mplfinance hooks."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import weakref

import numpy as np
import pytest

import kimsfinance
from kimsfinance import ConfigurationError  # noqa: F401  (part of the public API)
from kimsfinance.integration import hooks


@pytest.fixture(autouse=True)
def restore_config():
    saved = kimsfinance.get_config()
    yield
    if kimsfinance.is_active():
        kimsfinance.deactivate()
    kimsfinance.configure(**saved)


def test_configure_validates_every_key_before_applying_any():
    before = kimsfinance.get_config()
    with pytest.raises(ValueError, match="Unknown configuration key 'bogus'"):
        kimsfinance.configure(default_engine="cpu", bogus=1)
    assert kimsfinance.get_config() == before
    with pytest.raises(ValueError, match="gpu_min_rows"):
        kimsfinance.configure(gpu_min_rows=-1)
    with pytest.raises(ValueError, match="engine must be one of"):
        kimsfinance.configure(default_engine="tpu")
    kimsfinance.configure(default_engine="cpu", gpu_min_rows=5)
    assert kimsfinance.get_config()["default_engine"] == "cpu"
    assert kimsfinance.get_config()["gpu_min_rows"] == 5


def test_get_config_is_a_copy():
    kimsfinance.configure(default_engine="cpu")
    config = kimsfinance.get_config()
    config["default_engine"] = "gpu"
    assert kimsfinance.get_config()["default_engine"] == "cpu"


def test_activate_rejects_unknown_engines():
    with pytest.raises(ValueError, match="engine must be one of"):
        kimsfinance.activate(engine="quantum")
    assert not kimsfinance.is_active()


def test_quiet_by_default(capsys):
    pytest.importorskip("mplfinance")
    kimsfinance.activate()
    kimsfinance.deactivate()
    assert capsys.readouterr().out == ""
    kimsfinance.activate(verbose=True)
    assert "activated" in capsys.readouterr().out


def test_without_mplfinance_activate_raises_import_error():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["mplfinance"] = None  # makes "import mplfinance" fail
        import kimsfinance
        try:
            kimsfinance.activate()
        except ImportError as error:
            print("ImportError", error)
        print(kimsfinance.is_active())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "ImportError" in result.stdout and "mplfinance" in result.stdout
    assert result.stdout.strip().endswith("False")


def _frame(n=120):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(4)
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    return pd.DataFrame(
        {
            "Open": close + rng.normal(0, 0.3, n),
            "High": close + 1.5,
            "Low": close - 1.5,
            "Close": close,
            "Volume": rng.uniform(100, 1000, n),
        },
        index=pd.date_range("2024-01-01", periods=n, freq="D"),
    )


def _plot_lines(**kwargs):
    # mplfinance itself fails to return calculated values for a dict ``mav``.
    calculated = {} if not isinstance(kwargs.get("mav"), dict) else None
    mpf = pytest.importorskip("mplfinance")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if calculated is not None:
        kwargs["return_calculated_values"] = calculated
    figure, axes = mpf.plot(_frame(), type="candle", returnfig=True, **kwargs)
    lines = [np.asarray(line.get_ydata(), dtype=float) for line in axes[0].get_lines()]
    colours = [line.get_color() for line in axes[0].get_lines()]
    plt.close(figure)
    return lines, colours, calculated


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mav": (5, 10)},
        {"ema": (3, 12)},
        {"mav": (7,), "ema": (4,)},
        {"mav": {"period": (5, 10), "shift": (2, -3)}},
    ],
    ids=["mav", "ema", "both", "shifted"],
)
def test_hooked_mplfinance_draws_the_same_lines(kwargs):
    expected_lines, expected_colours, expected_values = _plot_lines(**kwargs)
    kimsfinance.activate()
    import mplfinance.plotting

    assert mplfinance.plotting._plot_mav.__name__ == "kimsfinance_plot_mav"
    try:
        with _no_fallback_warning():
            lines, colours, values = _plot_lines(**kwargs)
    finally:
        kimsfinance.deactivate()
    assert len(lines) == len(expected_lines) > 0
    for line, expected in zip(lines, expected_lines):
        np.testing.assert_allclose(line, expected, rtol=1e-12, equal_nan=True)
    assert colours == expected_colours
    assert (values is None) == (expected_values is None)
    for key in values or {}:
        np.testing.assert_allclose(values[key], expected_values[key], rtol=1e-12, equal_nan=True)


class _no_fallback_warning:
    """Fails if a replacement fell back to mplfinance's own code."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self._records = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        fallbacks = [r for r in self._records if "kimsfinance could not draw" in str(r.message)]
        assert not fallbacks, fallbacks


def test_deactivate_restores_originals_and_keeps_no_references():
    mpf_plotting = pytest.importorskip("mplfinance.plotting")
    original_mav, original_ema = mpf_plotting._plot_mav, mpf_plotting._plot_ema
    kimsfinance.activate()
    replacement = weakref.ref(mpf_plotting._plot_mav)
    assert mpf_plotting._plot_mav is not original_mav
    kimsfinance.deactivate()
    assert mpf_plotting._plot_mav is original_mav and mpf_plotting._plot_ema is original_ema
    gc.collect()
    assert replacement() is None
    assert hooks._originals == {}


def test_strict_mode_raises_instead_of_falling_back(monkeypatch):
    pytest.importorskip("mplfinance")

    def broken(*args, **kwargs):
        raise RuntimeError("native failure")

    monkeypatch.setattr(hooks, "_plot_averages", broken)
    kimsfinance.activate()
    with pytest.warns(RuntimeWarning, match="using mplfinance's"):
        lines, _, _ = _plot_lines(mav=(5,))
    assert len(lines) == 1
    kimsfinance.deactivate()
    kimsfinance.activate(strict=True)
    with pytest.raises(RuntimeError, match="native failure"):
        _plot_lines(mav=(5,))


def test_native_moving_averages_match_pandas():
    pd = pytest.importorskip("pandas")
    from kimsfinance import _native

    values = np.random.default_rng(9).normal(100, 5, 500)
    values[[17, 200, 201]] = np.nan
    for window in (1, 3, 20):
        np.testing.assert_allclose(
            _native.sma(values, window),
            pd.Series(values).rolling(window).mean().to_numpy(),
            rtol=1e-12,
            equal_nan=True,
        )
        # Bit-identical on gap-free data (mplfinance passes closing prices); see the Rust
        # docs for how a NaN gap is carried.
        finite = np.nan_to_num(values, nan=100.0)
        np.testing.assert_array_equal(
            _native.ema(finite, window),
            pd.Series(finite).ewm(span=window, adjust=False).mean().to_numpy(),
        )
    with pytest.raises(ValueError, match="window must be at least 1"):
        _native.sma(values, 0)
