//! Turns Python column objects into borrowed [`Column`] views, copying only when unavoidable.
//!
//! numpy arrays of the common numeric dtypes are read in place, strided or not. Objects with a
//! `to_numpy()` method (polars and pandas Series) are asked for their numpy view, which those
//! libraries give without copying when their memory allows. Lists and tuples are converted
//! once into a `Vec<f64>`. Rarer numeric dtypes (float16, non-native byte order) are converted
//! once to float64.

use numpy::{
    dtype, PyArray1, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::errors::{Error, Result};
use crate::input::Column;

/// Keeps a Python column borrowed (or its one-time conversion alive) for the length of a call.
pub enum ColumnHolder<'py> {
    /// A borrowed float64 array.
    F64(PyReadonlyArray1<'py, f64>),
    /// A borrowed float32 array.
    F32(PyReadonlyArray1<'py, f32>),
    /// A borrowed int64 array.
    I64(PyReadonlyArray1<'py, i64>),
    /// A borrowed int32 array.
    I32(PyReadonlyArray1<'py, i32>),
    /// A borrowed int16 array.
    I16(PyReadonlyArray1<'py, i16>),
    /// A borrowed int8 array.
    I8(PyReadonlyArray1<'py, i8>),
    /// A borrowed uint64 array.
    U64(PyReadonlyArray1<'py, u64>),
    /// A borrowed uint32 array.
    U32(PyReadonlyArray1<'py, u32>),
    /// A borrowed uint16 array.
    U16(PyReadonlyArray1<'py, u16>),
    /// A borrowed uint8 array.
    U8(PyReadonlyArray1<'py, u8>),
    /// Values converted once from a list or tuple.
    Owned(Vec<f64>),
}

impl ColumnHolder<'_> {
    /// A view of the held values; valid while `self` lives.
    pub fn view(&self) -> Column<'_> {
        match self {
            ColumnHolder::F64(array) => Column::F64(array.as_array()),
            ColumnHolder::F32(array) => Column::F32(array.as_array()),
            ColumnHolder::I64(array) => Column::I64(array.as_array()),
            ColumnHolder::I32(array) => Column::I32(array.as_array()),
            ColumnHolder::I16(array) => Column::I16(array.as_array()),
            ColumnHolder::I8(array) => Column::I8(array.as_array()),
            ColumnHolder::U64(array) => Column::U64(array.as_array()),
            ColumnHolder::U32(array) => Column::U32(array.as_array()),
            ColumnHolder::U16(array) => Column::U16(array.as_array()),
            ColumnHolder::U8(array) => Column::U8(array.as_array()),
            ColumnHolder::Owned(values) => Column::from_slice(values),
        }
    }
}

/// Borrows the Python object `value`, passed as the column called `name`.
pub fn extract_column<'py>(name: &str, value: &Bound<'py, PyAny>) -> Result<ColumnHolder<'py>> {
    if let Ok(array) = value.cast::<PyUntypedArray>() {
        return borrow_array(name, array);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let values: Vec<f64> = value.extract().map_err(|_| {
            Error::wrong_type(format!(
                "{name} must contain only numbers, got {}.",
                describe(value)
            ))
        })?;
        return Ok(ColumnHolder::Owned(values));
    }
    if value.hasattr("to_numpy").unwrap_or(false) {
        let array = value.call_method0("to_numpy").map_err(|error| {
            Error::wrong_type(format!(
                "{name} could not be read as a numeric array: {error}."
            ))
        })?;
        if let Ok(array) = array.cast::<PyUntypedArray>() {
            return borrow_array(name, array);
        }
    }
    Err(Error::wrong_type(format!(
        "{name} must be a numpy array, a polars or pandas Series, a list or a tuple, got {}.",
        type_name(value)
    )))
}

fn borrow_array<'py>(name: &str, array: &Bound<'py, PyUntypedArray>) -> Result<ColumnHolder<'py>> {
    if array.ndim() != 1 {
        return Err(Error::data(format!(
            "{name} must be one-dimensional, got an array of shape {:?}.",
            array.shape()
        )));
    }
    let py = array.py();
    let descr = array.dtype();

    macro_rules! borrow_as {
        ($($variant:ident => $ty:ty),+ $(,)?) => {
            $(
                if descr.is_equiv_to(&dtype::<$ty>(py)) {
                    let typed = array.cast::<PyArray1<$ty>>().map_err(|error| {
                        Error::wrong_type(format!("{name}: {error}"))
                    })?;
                    let borrowed = typed.try_readonly().map_err(|error| {
                        Error::invalid(format!("{name} is being written by Rust code: {error}."))
                    })?;
                    return Ok(ColumnHolder::$variant(borrowed));
                }
            )+
        };
    }
    borrow_as!(
        F64 => f64, F32 => f32, I64 => i64, I32 => i32, I16 => i16, I8 => i8,
        U64 => u64, U32 => u32, U16 => u16, U8 => u8,
    );

    // Numeric kinds we do not read in place (float16, long double, byte-swapped) are converted
    // once; bools, strings, dates and objects are not numbers.
    let kind = descr.kind();
    if matches!(kind, b'f' | b'i' | b'u') {
        let converted = array
            .call_method1("astype", ("float64",))
            .and_then(|converted| converted.extract::<Vec<f64>>())
            .map_err(|error| {
                Error::wrong_type(format!("{name} could not be converted: {error}."))
            })?;
        return Ok(ColumnHolder::Owned(converted));
    }
    Err(Error::wrong_type(format!(
        "{name} must have a numeric dtype (float or integer), got dtype {}.",
        descr
            .str()
            .map(|text| text.to_string())
            .unwrap_or_else(|_| format!("of kind {:?}", kind as char))
    )))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "an unknown type".to_owned())
}

fn describe(value: &Bound<'_, PyAny>) -> String {
    let text = value
        .repr()
        .map(|repr| repr.to_string())
        .unwrap_or_default();
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    } else {
        text
    }
}
