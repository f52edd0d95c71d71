//! Indicators computed from borrowed columns: moving averages for now.
//!
//! Every function reads its input through [`crate::input::Column`] (no copy) and returns one
//! freshly allocated `Vec<f64>` of the same length: the output, never a temporary.

pub mod moving_average;
