//! Input stage: borrowed, dtype-agnostic views of the caller's columns.
//!
//! A [`Column`] reads a one-dimensional numeric array in place, whatever its element type and
//! stride. Nothing here copies the caller's data or knows about Python; the bindings build the
//! views from numpy arrays (or from a list converted once) and hand them to the later stages.
//!
//! Contract: a view is only valid while the caller's buffer is alive and not resized. The
//! bindings hold the numpy borrow for the whole call, so Rust code cannot mutate it; Python code
//! in another thread could still write to the array while we draw, exactly as with any other
//! extension that releases the GIL. Such writes give a chart of mixed values, never a crash.

use numpy::ndarray::ArrayView1;

use crate::errors::{Error, Result};

/// A borrowed one-dimensional column of numbers of any supported element type.
#[derive(Debug, Clone)]
pub enum Column<'a> {
    /// `float64`
    F64(ArrayView1<'a, f64>),
    /// `float32`
    F32(ArrayView1<'a, f32>),
    /// `int64`
    I64(ArrayView1<'a, i64>),
    /// `int32`
    I32(ArrayView1<'a, i32>),
    /// `int16`
    I16(ArrayView1<'a, i16>),
    /// `int8`
    I8(ArrayView1<'a, i8>),
    /// `uint64`
    U64(ArrayView1<'a, u64>),
    /// `uint32`
    U32(ArrayView1<'a, u32>),
    /// `uint16`
    U16(ArrayView1<'a, u16>),
    /// `uint8`
    U8(ArrayView1<'a, u8>),
}

/// Applies `$body` to the typed view inside a [`Column`], whatever its element type.
macro_rules! with_view {
    ($column:expr, $view:ident => $body:expr) => {
        match $column {
            Column::F64($view) => $body,
            Column::F32($view) => $body,
            Column::I64($view) => $body,
            Column::I32($view) => $body,
            Column::I16($view) => $body,
            Column::I8($view) => $body,
            Column::U64($view) => $body,
            Column::U32($view) => $body,
            Column::U16($view) => $body,
            Column::U8($view) => $body,
        }
    };
}

impl<'a> Column<'a> {
    /// Wraps a slice of `f64` (for example a list the bindings converted once).
    pub fn from_slice(values: &'a [f64]) -> Self {
        Column::F64(ArrayView1::from(values))
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        with_view!(self, view => view.len())
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `index` as `f64`. Integers above 2^53 lose their lowest bits, as in numpy.
    #[inline(always)]
    pub fn get(&self, index: usize) -> f64 {
        with_view!(self, view => view[index] as f64)
    }

    /// Converts the values `start..start + out.len()` into `out`, with one type dispatch for
    /// the whole stretch rather than one per value.
    pub fn read_into(&self, start: usize, out: &mut [f64]) {
        let end = start + out.len();
        with_view!(self, view => {
            // Contiguous columns (the usual case) convert as a plain slice loop, which the
            // compiler vectorises; strided views step through ndarray's iterator.
            if let Some(values) = view.as_slice() {
                for (slot, value) in out.iter_mut().zip(&values[start..end]) {
                    *slot = *value as f64;
                }
            } else {
                let values = view.slice(numpy::ndarray::s![start..end]);
                for (slot, value) in out.iter_mut().zip(values) {
                    *slot = *value as f64;
                }
            }
        })
    }

    /// Values `start..end` in place when the column is contiguous `float64`, so that readers
    /// need not convert them.
    fn f64_slice(&self, start: usize, end: usize) -> Option<&[f64]> {
        match self {
            Column::F64(view) => view.as_slice().map(|values| &values[start..end]),
            _ => None,
        }
    }

    /// Calls `visit(index, value)` for every value in order, without per-value dispatch.
    pub fn for_each(&self, mut visit: impl FnMut(usize, f64)) {
        with_view!(self, view => {
            if let Some(values) = view.as_slice() {
                for (index, value) in values.iter().enumerate() {
                    visit(index, *value as f64);
                }
            } else {
                for (index, value) in view.iter().enumerate() {
                    visit(index, *value as f64);
                }
            }
        })
    }
}

/// Candles converted at a time by [`Ohlcv::for_each_chunk`]: small enough for the stack, large
/// enough that the per-stretch dispatch does not matter.
pub const CHUNK: usize = 256;

/// Calls `visit(start, values)` for consecutive stretches of up to [`CHUNK`] rows of
/// `columns` (all of one length). Contiguous `float64` columns are lent in place; the others
/// are converted to `f64` with one type dispatch per column and stretch, into buffers on the
/// stack.
pub fn for_each_chunk_of<const N: usize>(
    columns: [&Column<'_>; N],
    mut visit: impl FnMut(usize, [&[f64]; N]),
) {
    let rows = columns.first().map_or(0, |column| column.len());
    debug_assert!(columns.iter().all(|column| column.len() == rows));
    let mut buffers = [[0.0f64; CHUNK]; N];
    let mut start = 0;
    while start < rows {
        let length = CHUNK.min(rows - start);
        let end = start + length;
        for (buffer, column) in buffers.iter_mut().zip(columns) {
            if column.f64_slice(start, end).is_none() {
                column.read_into(start, &mut buffer[..length]);
            }
        }
        // Contiguous float64 columns are handed over in place; the others from their buffer.
        visit(
            start,
            std::array::from_fn(|index| {
                columns[index]
                    .f64_slice(start, end)
                    .unwrap_or(&buffers[index][..length])
            }),
        );
        start = end;
    }
}

/// The four price columns and the volume column of a chart, checked to have one common length.
#[derive(Debug, Clone)]
pub struct Ohlcv<'a> {
    /// Opening prices.
    pub open: Column<'a>,
    /// Highest prices.
    pub high: Column<'a>,
    /// Lowest prices.
    pub low: Column<'a>,
    /// Closing prices.
    pub close: Column<'a>,
    /// Traded volume; never negative.
    pub volume: Column<'a>,
}

impl<'a> Ohlcv<'a> {
    /// [`Ohlcv::new`] over slices of `f64`: open, high, low, close and volume.
    pub fn from_slices(columns: [&'a [f64]; 5]) -> Result<Self> {
        let [open, high, low, close, volume] = columns.map(Column::from_slice);
        Ohlcv::new(open, high, low, close, volume)
    }

    /// Checks that all columns have the same, non-zero length and that no volume is negative.
    ///
    /// NaN and infinite prices are allowed here: the layout skips such candles.
    pub fn new(
        open: Column<'a>,
        high: Column<'a>,
        low: Column<'a>,
        close: Column<'a>,
        volume: Column<'a>,
    ) -> Result<Self> {
        let expected = open.len();
        for (name, column) in [
            ("high", &high),
            ("low", &low),
            ("close", &close),
            ("volume", &volume),
        ] {
            if column.len() != expected {
                return Err(Error::data(format!(
                    "{name} has {} values but open has {expected}.",
                    column.len()
                )));
            }
        }
        if expected == 0 {
            return Err(Error::data("The OHLC data is empty: open has 0 values."));
        }
        let data = Ohlcv {
            open,
            high,
            low,
            close,
            volume,
        };
        check_not_negative("volume", &data.volume)?;
        Ok(data)
    }

    /// Number of candles.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Always false: [`Ohlcv::new`] rejects empty input.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The candle at `index` as (open, high, low, close).
    #[inline]
    pub fn prices(&self, index: usize) -> [f64; 4] {
        [
            self.open.get(index),
            self.high.get(index),
            self.low.get(index),
            self.close.get(index),
        ]
    }

    /// Calls `visit(start, [open, high, low, close, volume])` for consecutive stretches of up to
    /// [`CHUNK`] candles, as [`for_each_chunk_of`] lends them.
    pub fn for_each_chunk(&self, visit: impl FnMut(usize, [&[f64]; 5])) {
        let columns = [&self.open, &self.high, &self.low, &self.close, &self.volume];
        for_each_chunk_of(columns, visit);
    }
}

/// Checks that every column in `columns` has as many values as the first one, and that there
/// is at least one value; returns that length. Messages name the columns, as [`Ohlcv::new`]'s do.
pub fn check_same_length(columns: &[(&str, &Column<'_>)]) -> Result<usize> {
    let Some(&(first_name, first)) = columns.first() else {
        return Ok(0);
    };
    let expected = first.len();
    for &(name, column) in &columns[1..] {
        if column.len() != expected {
            return Err(Error::data(format!(
                "{name} has {} values but {first_name} has {expected}.",
                column.len()
            )));
        }
    }
    if expected == 0 {
        return Err(Error::data(format!(
            "The data is empty: {first_name} has 0 values."
        )));
    }
    Ok(expected)
}

/// Checks that no value of the column called `name` is negative (NaN is allowed).
pub fn check_not_negative(name: &str, column: &Column<'_>) -> Result<()> {
    let mut first_negative = None;
    column.for_each(|index, value| {
        if value < 0.0 && first_negative.is_none() {
            first_negative = Some((index, value));
        }
    });
    match first_negative {
        Some((index, value)) => Err(Error::data(format!(
            "{name} must not be negative; {name}[{index}] is {value}."
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod column_check_tests {
    use super::*;

    #[test]
    fn lengths_are_compared_with_the_first_column() {
        let (two, three) = ([1.0, 2.0], [1.0, 2.0, 3.0]);
        let (two, three) = (Column::from_slice(&two), Column::from_slice(&three));
        let error = check_same_length(&[("close", &three), ("low", &two)]).unwrap_err();
        assert_eq!(error.to_string(), "low has 2 values but close has 3.");
        assert_eq!(
            check_same_length(&[("close", &three), ("high", &three)]).unwrap(),
            3
        );
        let empty: [f64; 0] = [];
        assert!(check_same_length(&[("close", &Column::from_slice(&empty))]).is_err());
    }

    #[test]
    fn negative_values_are_named_with_their_index() {
        let values = [1.0, f64::NAN, -2.0];
        let error = check_not_negative("volume", &Column::from_slice(&values)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "volume must not be negative; volume[2] is -2."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use numpy::ndarray::{s, Array1};

    #[test]
    fn strided_and_typed_views_read_the_same_values() {
        let wide = Array1::from(vec![1i32, 99, 2, 99, 3, 99]);
        let strided = Column::I32(wide.slice(s![..;2]));
        let plain = [1.0, 2.0, 3.0];
        let contiguous = Column::from_slice(&plain);

        assert_eq!(strided.len(), 3);
        for index in 0..3 {
            assert_eq!(strided.get(index), contiguous.get(index));
        }
    }

    #[test]
    fn length_mismatch_names_the_column() {
        let four = [1.0, 2.0, 3.0, 4.0];
        let three = [1.0, 2.0, 3.0];
        let error = Ohlcv::new(
            Column::from_slice(&four),
            Column::from_slice(&three),
            Column::from_slice(&four),
            Column::from_slice(&four),
            Column::from_slice(&four),
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "high has 3 values but open has 4.");
    }

    #[test]
    fn negative_volume_is_rejected_with_its_index() {
        let prices = [1.0, 2.0];
        let volume = [5.0, -1.0];
        let error = Ohlcv::new(
            Column::from_slice(&prices),
            Column::from_slice(&prices),
            Column::from_slice(&prices),
            Column::from_slice(&prices),
            Column::from_slice(&volume),
        )
        .unwrap_err();
        assert!(matches!(error, Error::DataValidation(_)));
        assert!(error.to_string().contains("volume[1] is -1"));
    }

    #[test]
    fn empty_input_is_rejected() {
        let empty: [f64; 0] = [];
        let column = || Column::from_slice(&empty);
        let error = Ohlcv::new(column(), column(), column(), column(), column()).unwrap_err();
        assert!(matches!(error, Error::DataValidation(_)));
    }
}
