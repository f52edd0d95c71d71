//! Reading rows in timestamp order, straight from the caller's columns.
//!
//! [`Rows`] pairs a timestamp column with `N` value columns and hands them to a closure in
//! ascending time, as [`Chunk`]s of plain slices. Already sorted timestamps (ties allowed) are
//! detected in one pass and read in place; otherwise a permutation is sorted once (stable:
//! equal timestamps keep their input order) and rows are gathered through it, unless the
//! caller forbids sorting. The permutation holds each row's timestamp beside its index (16
//! bytes a row): sorting bare indices by looking their timestamps up missed the cache on every
//! comparison and was about eight times slower. That is still less than the copy of every
//! column the original made to sort.
//!
//! Values are read a chunk of [`CHUNK`] rows at a time: contiguous float64 columns in input
//! order are read directly, every other column (another dtype, a stride, or a permutation) is
//! converted into a fixed scratch block. Each chunk is validated as it is read, so the data is
//! checked and aggregated in the same pass, and an error names the column and the caller's row.
//!
//! Limitations: timestamps are plain `i64` (numpy datetime64 viewed as integers, in whatever
//! unit the caller uses); `i64::MIN` is numpy's NaT and is rejected as a missing value. More
//! than 2^32 rows cannot be reordered (the permutation stores `u32` indices); sorted input has
//! no limit.

use numpy::ndarray::{s, ArrayView1};
use rayon::slice::ParallelSliceMut;

use crate::errors::{Error, Result};
use crate::input::Column;

/// Rows converted or gathered per step: big enough to amortise the per-chunk dispatch, small
/// enough that the scratch stays in the L1/L2 cache.
pub const CHUNK: usize = 1024;

/// Below this many rows a permutation is sorted on the calling thread; above, with rayon.
const PARALLEL_SORT_ROWS: usize = 100_000;

/// What the values of a column must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A price: a finite number.
    Price,
    /// A volume: a finite number, not negative.
    Volume,
}

/// A named value column and the rule its values must satisfy.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    /// The caller's name for the column, used in error messages.
    pub name: &'a str,
    /// The values, borrowed.
    pub values: Column<'a>,
    /// What every value must satisfy.
    pub rule: Rule,
}

impl<'a> Field<'a> {
    /// A price column.
    pub fn price(name: &'a str, values: Column<'a>) -> Self {
        Field {
            name,
            values,
            rule: Rule::Price,
        }
    }

    /// A volume column.
    pub fn volume(name: &'a str, values: Column<'a>) -> Self {
        Field {
            name,
            values,
            rule: Rule::Volume,
        }
    }
}

/// The timestamp column: integers in the caller's unit (numpy datetime64 viewed as `i64`).
#[derive(Debug, Clone)]
pub struct Timestamps<'a> {
    /// The caller's name for the column, used in error messages.
    pub name: &'a str,
    /// The values, borrowed.
    pub values: ArrayView1<'a, i64>,
}

/// What to do when the timestamps are not in ascending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sorting {
    /// Sort once (through a permutation), keeping equal timestamps in input order.
    SortIfNeeded,
    /// Refuse unsorted input with an error.
    RequireSorted,
}

/// A timestamp column and `N` value columns of one common length, read in timestamp order.
#[derive(Debug)]
pub struct Rows<'a, const N: usize> {
    timestamps: Timestamps<'a>,
    fields: [Field<'a>; N],
    /// (timestamp, input row) of each sorted position, or `None` when the input is already
    /// sorted.
    order: Option<Vec<(i64, u32)>>,
}

/// Applies `$body` to the typed view inside a [`Column`], whatever its element type.
macro_rules! with_typed_view {
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

impl<'a, const N: usize> Rows<'a, N> {
    /// Checks lengths and timestamps, and sorts (or refuses) out-of-order input.
    ///
    /// Errors: columns of different lengths, no rows, a missing timestamp (NaT), or unsorted
    /// timestamps with [`Sorting::RequireSorted`].
    pub fn new(
        timestamps: Timestamps<'a>,
        fields: [Field<'a>; N],
        sorting: Sorting,
    ) -> Result<Self> {
        let count = timestamps.values.len();
        for field in &fields {
            if field.values.len() != count {
                return Err(Error::data(format!(
                    "Column '{}' has {} values but column '{}' has {count}.",
                    field.name,
                    field.values.len(),
                    timestamps.name
                )));
            }
        }
        if count == 0 {
            return Err(Error::data(format!(
                "The data is empty: column '{}' has no rows.",
                timestamps.name
            )));
        }

        let order = match first_out_of_order(&timestamps)? {
            None => None,
            Some(row) if sorting == Sorting::RequireSorted => {
                return Err(Error::data(format!(
                    "Column '{}' is not in ascending order: row {row} ({}) is earlier than \
                     row {} ({}). Sort the data first, or let the function sort it.",
                    timestamps.name,
                    timestamps.values[row],
                    row - 1,
                    timestamps.values[row - 1]
                )));
            }
            Some(_) => Some(sorted_order(&timestamps.values)?),
        };
        Ok(Rows {
            timestamps,
            fields,
            order,
        })
    }

    /// Number of rows (never zero).
    pub fn len(&self) -> usize {
        self.timestamps.values.len()
    }

    /// Always false: [`Rows::new`] rejects empty input.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The timestamps and columns as whole slices in time order, when every one of them can be
    /// read in place (contiguous, float64 values, no reordering); `None` otherwise. The values
    /// are not checked: [`Rows::for_each_chunk`] checks them as it reads.
    pub fn in_place(&self) -> Option<(&'a [i64], [&'a [f64]; N])> {
        if self.order.is_some() {
            return None;
        }
        // A view is a pointer and a shape; the clone hands out the slice for the data's lifetime.
        let times = self.timestamps.values.clone().to_slice()?;
        let mut columns = [&[][..]; N];
        for (slot, field) in columns.iter_mut().zip(&self.fields) {
            *slot = contiguous_f64(&field.values)?;
        }
        Some((times, columns))
    }

    /// The rule each column's values must satisfy.
    pub fn rules(&self) -> [Rule; N] {
        std::array::from_fn(|field| self.fields[field].rule)
    }

    /// Whether the rows had to be reordered.
    pub fn was_reordered(&self) -> bool {
        self.order.is_some()
    }

    /// Calls `visit` with consecutive runs of rows in ascending time, each checked against
    /// its fields' rules first. Chunks cover every row once, in order.
    ///
    /// Stops at the first value that breaks its field's rule and returns that error; `visit`
    /// has then seen only the chunks before the one holding it.
    pub fn for_each_chunk(&self, mut visit: impl FnMut(&Chunk<'_, N>)) -> Result<()> {
        let count = self.len();
        let width = CHUNK.min(count);
        let in_place = self.order.is_none();
        let direct: [Option<&[f64]>; N] = std::array::from_fn(|field| {
            if in_place {
                contiguous_f64(&self.fields[field].values)
            } else {
                None
            }
        });
        let direct_times = if in_place {
            self.timestamps.values.as_slice()
        } else {
            None
        };
        let mut value_scratch = vec![0.0f64; N * width];
        let mut time_scratch = vec![0i64; if direct_times.is_some() { 0 } else { width }];

        let mut start = 0;
        while start < count {
            let end = (start + CHUNK).min(count);
            let len = end - start;
            let rows = self.order.as_deref().map(|order| &order[start..end]);

            let times: &[i64] = match direct_times {
                Some(all) => &all[start..end],
                None => {
                    gather_times(
                        &self.timestamps.values,
                        start,
                        rows,
                        &mut time_scratch[..len],
                    );
                    &time_scratch[..len]
                }
            };
            for (field, block) in value_scratch.chunks_mut(width).enumerate() {
                if direct[field].is_none() {
                    gather_values(&self.fields[field].values, start, rows, &mut block[..len]);
                }
            }
            let columns: [&[f64]; N] = std::array::from_fn(|field| match direct[field] {
                Some(all) => &all[start..end],
                None => &value_scratch[field * width..field * width + len],
            });
            for (field, values) in self.fields.iter().zip(columns) {
                check_chunk(field, values, start, rows)?;
            }

            visit(&Chunk {
                start,
                times,
                columns,
            });
            start = end;
        }
        Ok(())
    }
}

/// A run of consecutive rows in time order, as plain slices of equal length.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'c, const N: usize> {
    /// Position, in time order, of the chunk's first row.
    pub start: usize,
    /// Timestamps.
    pub times: &'c [i64],
    /// The `N` value columns, converted to `f64`.
    pub columns: [&'c [f64]; N],
}

impl<const N: usize> Chunk<'_, N> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Always false: chunks hold at least one row.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}

/// The whole column as a slice when it is float64 and contiguous.
fn contiguous_f64<'a>(column: &Column<'a>) -> Option<&'a [f64]> {
    match column {
        Column::F64(view) => view.to_slice(),
        _ => None,
    }
}

/// The first row whose timestamp is earlier than the row before it, after checking that no
/// timestamp is missing.
fn first_out_of_order(timestamps: &Timestamps<'_>) -> Result<Option<usize>> {
    let values = &timestamps.values;
    // The common case (contiguous, sorted, complete) is one vectorised pass; rows are only
    // searched one by one when something may be wrong. In ascending order no value can be
    // i64::MIN (NaT) unless the first is.
    if let Some(slice) = values.as_slice() {
        if slice.first() != Some(&i64::MIN) && surely_ascending(slice) {
            return Ok(None);
        }
    }
    let (mut previous, mut out_of_order) = (i64::MIN, None);
    for (row, &time) in values.iter().enumerate() {
        if time == i64::MIN {
            return Err(Error::data(format!(
                "Column '{}' has a missing timestamp (null or NaT) at row {row}.",
                timestamps.name
            )));
        }
        if time < previous && out_of_order.is_none() {
            out_of_order = Some(row);
        }
        previous = time;
    }
    Ok(out_of_order)
}

/// True when `values` is certainly in ascending order (ties allowed); false when it is not, or
/// (rarely) when it cannot tell cheaply.
///
/// Baseline x86-64 has no vector compare of 64-bit integers, so the test uses additions and
/// bit operations only: a descent shows as a negative `after - before`, or, when that
/// difference wraps around, as a negative value following a non-negative one. An ascent of
/// more than 2^63 also looks negative: a false alarm that only sends the caller to its exact
/// row-by-row check.
fn surely_ascending(values: &[i64]) -> bool {
    const LANES: usize = 8;
    let Some(after_first) = values.get(1..) else {
        return true;
    };
    let mut signs = [0i64; LANES];
    let pairs = values
        .chunks_exact(LANES)
        .zip(after_first.chunks_exact(LANES));
    for (before, after) in pairs {
        for lane in 0..LANES {
            signs[lane] |= after[lane].wrapping_sub(before[lane]) | (after[lane] & !before[lane]);
        }
    }
    let checked = values.len().saturating_sub(1) / LANES * LANES;
    let tail = values[checked..].windows(2).all(|pair| pair[1] >= pair[0]);
    tail && signs.iter().fold(0, |all, &lane| all | lane) >= 0
}

/// (timestamp, input row) pairs in ascending timestamp order, ties in input order.
fn sorted_order(timestamps: &ArrayView1<'_, i64>) -> Result<Vec<(i64, u32)>> {
    let count = u32::try_from(timestamps.len()).map_err(|_| {
        Error::data(format!(
            "Cannot sort {} rows (at most {} can be reordered); sort the data first.",
            timestamps.len(),
            u32::MAX
        ))
    })?;
    let mut order: Vec<(i64, u32)> = timestamps.iter().copied().zip(0..count).collect();
    // Pairs compare by time, then row: the unstable sort gives the stable order without the
    // extra half-length buffer a stable sort needs.
    if order.len() >= PARALLEL_SORT_ROWS {
        order.par_sort_unstable();
    } else {
        order.sort_unstable();
    }
    Ok(order)
}

fn gather_times(
    values: &ArrayView1<'_, i64>,
    start: usize,
    rows: Option<&[(i64, u32)]>,
    out: &mut [i64],
) {
    match rows {
        None => {
            let source = values.slice(s![start..start + out.len()]);
            for (slot, value) in out.iter_mut().zip(source.iter()) {
                *slot = *value;
            }
        }
        Some(rows) => {
            for (slot, &(time, _)) in out.iter_mut().zip(rows) {
                *slot = time;
            }
        }
    }
}

// The same body serves every dtype; for float64 the cast is a no-op.
#[allow(clippy::unnecessary_cast)]
fn gather_values(column: &Column<'_>, start: usize, rows: Option<&[(i64, u32)]>, out: &mut [f64]) {
    with_typed_view!(column, view => match rows {
        None => {
            let source = view.slice(s![start..start + out.len()]);
            for (slot, value) in out.iter_mut().zip(source.iter()) {
                *slot = *value as f64;
            }
        }
        Some(rows) => {
            for (slot, &(_, row)) in out.iter_mut().zip(rows) {
                *slot = view[row as usize] as f64;
            }
        }
    })
}

/// Whether every value is finite and (for volumes) not negative.
///
/// Eight independent lanes let the compiler vectorise the pass: `x - x` is 0 for a finite `x`
/// and NaN for NaN or infinity, and NaN stays NaN once added.
#[allow(clippy::eq_op)] // `x - x` is the finiteness test itself
fn all_valid(values: &[f64], rule: Rule) -> bool {
    const LANES: usize = 8;
    let mut not_finite = [0.0f64; LANES];
    let mut lowest = [0.0f64; LANES];
    let blocks = values.chunks_exact(LANES);
    let rest = blocks.remainder();
    for block in blocks {
        for lane in 0..LANES {
            not_finite[lane] += block[lane] - block[lane];
            lowest[lane] = if block[lane] < lowest[lane] {
                block[lane]
            } else {
                lowest[lane]
            };
        }
    }
    let finite = not_finite.iter().chain(rest).all(|value| value.is_finite());
    let not_negative = lowest.iter().chain(rest).all(|&value| value >= 0.0);
    match rule {
        Rule::Price => finite,
        Rule::Volume => finite && not_negative,
    }
}

/// Checks one chunk of a field against its rule.
fn check_chunk(
    field: &Field<'_>,
    values: &[f64],
    start: usize,
    rows: Option<&[(i64, u32)]>,
) -> Result<()> {
    if all_valid(values, field.rule) {
        return Ok(());
    }
    let is_valid = |value: f64| match field.rule {
        Rule::Price => value.is_finite(),
        Rule::Volume => value.is_finite() && value >= 0.0,
    };
    let Some(offset) = values.iter().position(|&value| !is_valid(value)) else {
        return Ok(());
    };
    let row = rows.map_or(start + offset, |rows| rows[offset].1 as usize);
    let requirement = match field.rule {
        Rule::Price => "prices must be finite numbers",
        Rule::Volume => "volumes must be finite and not negative",
    };
    Err(Error::data(format!(
        "Column '{}' has the value {} at row {row}; {requirement}.",
        field.name, values[offset]
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use numpy::ndarray::Array1;

    fn timestamps(values: &[i64]) -> Timestamps<'_> {
        Timestamps {
            name: "timestamp",
            values: ArrayView1::from(values),
        }
    }

    fn collect<const N: usize>(rows: &Rows<'_, N>) -> Result<Vec<(usize, i64, [f64; N])>> {
        let mut seen = Vec::new();
        rows.for_each_chunk(|chunk| {
            for offset in 0..chunk.len() {
                let values = std::array::from_fn(|field| chunk.columns[field][offset]);
                seen.push((chunk.start + offset, chunk.times[offset], values));
            }
        })?;
        Ok(seen)
    }

    #[test]
    fn sorted_input_is_read_in_place_and_in_order() {
        let times = [1, 2, 2, 5];
        let prices = [10.0, 11.0, 12.0, 13.0];
        let rows = Rows::new(
            timestamps(&times),
            [Field::price("price", Column::from_slice(&prices))],
            Sorting::RequireSorted,
        )
        .unwrap();
        assert!(!rows.was_reordered());
        let seen = collect(&rows).unwrap();
        assert_eq!(seen[2], (2, 2, [12.0]));
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn unsorted_input_is_sorted_stably() {
        let times = [3, 1, 2, 1];
        let prices = [30.0, 10.0, 20.0, 11.0];
        let rows = Rows::new(
            timestamps(&times),
            [Field::price("price", Column::from_slice(&prices))],
            Sorting::SortIfNeeded,
        )
        .unwrap();
        assert!(rows.was_reordered());
        let seen: Vec<(i64, f64)> = collect(&rows)
            .unwrap()
            .into_iter()
            .map(|(_, time, [price])| (time, price))
            .collect();
        assert_eq!(seen, [(1, 10.0), (1, 11.0), (2, 20.0), (3, 30.0)]);
    }

    #[test]
    fn unsorted_input_is_refused_when_sorting_is_not_allowed() {
        let times = [1, 3, 2];
        let prices = [1.0, 2.0, 3.0];
        let error = Rows::new(
            timestamps(&times),
            [Field::price("price", Column::from_slice(&prices))],
            Sorting::RequireSorted,
        )
        .unwrap_err();
        assert!(error
            .to_string()
            .contains("row 2 (2) is earlier than row 1 (3)"));
    }

    #[test]
    fn the_fast_order_check_never_calls_a_descent_ascending() {
        let ascending: Vec<i64> = (0..100).map(|value| value * 3 - 150).collect();
        assert!(surely_ascending(&ascending));
        assert!(surely_ascending(&[]) && surely_ascending(&[5]));
        for position in 1..ascending.len() {
            let mut broken = ascending.clone();
            broken[position] = broken[position - 1] - 1;
            assert!(!surely_ascending(&broken), "descent at {position}");
        }
        // Descents whose difference wraps around, at every lane and in the tail.
        for position in 1..20 {
            let mut wrapping = vec![i64::MAX - 10; 20];
            for value in &mut wrapping[position..] {
                *value = i64::MIN + 5;
            }
            wrapping[..position]
                .iter_mut()
                .for_each(|value| *value = i64::MAX / 2 + 7);
            assert!(
                !surely_ascending(&wrapping),
                "wrapping descent at {position}"
            );
        }
        // An ascent of more than 2^63 is a false alarm, and the exact check settles it.
        let mut huge_ascent = [i64::MIN + 1; 16];
        huge_ascent[8..].fill(i64::MAX);
        assert!(!surely_ascending(&huge_ascent));
        let times = Timestamps {
            name: "t",
            values: ArrayView1::from(&huge_ascent),
        };
        assert_eq!(first_out_of_order(&times).unwrap(), None);
    }

    #[test]
    fn many_chunks_of_strided_other_dtypes_read_the_same_values() {
        let count = 3 * CHUNK + 17;
        let times: Vec<i64> = (0..count as i64).map(|row| 10 * row).collect();
        let wide = Array1::from_iter((0..2 * count as i32).map(|value| value / 2));
        let strided = wide.slice(s![..;2]);
        let rows = Rows::new(
            timestamps(&times),
            [Field::volume("volume", Column::I32(strided))],
            Sorting::RequireSorted,
        )
        .unwrap();
        let seen = collect(&rows).unwrap();
        assert_eq!(seen.len(), count);
        assert!(seen
            .iter()
            .all(|&(position, time, [value])| time == 10 * position as i64
                && value == position as f64));
    }

    #[test]
    fn bad_values_name_the_column_and_the_input_row() {
        let times = [5, 1, 3];
        let volumes = [1.0, 2.0, -4.0];
        let rows = Rows::new(
            timestamps(&times),
            [Field::volume("size", Column::from_slice(&volumes))],
            Sorting::SortIfNeeded,
        )
        .unwrap();
        let error = collect(&rows).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Column 'size' has the value -4 at row 2; volumes must be finite and not negative."
        );

        let prices = [1.0, f64::NAN, 2.0];
        let rows = Rows::new(
            timestamps(&times),
            [Field::price("price", Column::from_slice(&prices))],
            Sorting::SortIfNeeded,
        )
        .unwrap();
        assert!(collect(&rows)
            .unwrap_err()
            .to_string()
            .contains("value NaN at row 1"));
    }

    #[test]
    fn missing_timestamps_lengths_and_empty_input_are_errors() {
        let prices = [1.0, 2.0];
        let with_nat = [1, i64::MIN];
        let error = Rows::new(
            timestamps(&with_nat),
            [Field::price("price", Column::from_slice(&prices))],
            Sorting::SortIfNeeded,
        )
        .unwrap_err();
        assert!(error
            .to_string()
            .contains("missing timestamp (null or NaT) at row 1"));

        let one = [1];
        let error = Rows::new(
            timestamps(&one),
            [Field::price("price", Column::from_slice(&prices))],
            Sorting::SortIfNeeded,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Column 'price' has 2 values but column 'timestamp' has 1."
        );

        let none: [i64; 0] = [];
        let no_prices: [f64; 0] = [];
        let error = Rows::new(
            timestamps(&none),
            [Field::price("price", Column::from_slice(&no_prices))],
            Sorting::SortIfNeeded,
        )
        .unwrap_err();
        assert!(matches!(error, Error::DataValidation(_)));
    }
}
