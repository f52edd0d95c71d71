//! The one error type of the native core, and the one place where it becomes a Python exception.
//!
//! Every fallible function in the crate returns [`Result<T>`]. Only [`From<Error> for PyErr`]
//! knows about Python; the rest of the core stays testable from plain Rust.

use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::PyErr;

// The exception classes are defined in Python (`kimsfinance.core.exceptions`) so that they can
// inherit from several bases (DataValidationError is also a ValueError). They are imported
// lazily, once, the first time an error of that kind is raised.
pyo3::import_exception!(kimsfinance.core.exceptions, DataValidationError);
pyo3::import_exception!(kimsfinance.core.exceptions, EngineError);
pyo3::import_exception!(kimsfinance.core.exceptions, GPUNotAvailableError);
pyo3::import_exception!(kimsfinance.core.exceptions, OperationNotSupportedError);
pyo3::import_exception!(kimsfinance.core.exceptions, ConfigurationError);

/// Everything that can go wrong in the native core.
///
/// Messages are complete sentences that name the argument and the bad value, e.g.
/// "high has 99 values but open has 100.".
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument has a value outside what is allowed (Python `ValueError`).
    #[error("{0}")]
    InvalidValue(String),
    /// The data itself is unusable: lengths differ, empty, negative volume
    /// (Python `DataValidationError`, which is also a `ValueError`).
    #[error("{0}")]
    DataValidation(String),
    /// An argument has the wrong type or dtype (Python `TypeError`).
    #[error("{0}")]
    WrongType(String),
    /// An image encoder failed (Python `EngineError`).
    #[error("{0}")]
    Encode(String),
    /// Reading or writing a file failed (Python `OSError`).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A GPU was asked for but none is usable (Python `GPUNotAvailableError`).
    #[error("{0}")]
    GpuNotAvailable(String),
    /// CUDA failed while running a GPU computation (Python `EngineError`; under
    /// `engine="auto"` the bindings fall back to the CPU instead).
    #[error("{0}")]
    GpuFailed(String),
    /// An engine failed while computing (Python `EngineError`).
    #[error("{0}")]
    Engine(String),
    /// The operation is not supported for these arguments (Python `OperationNotSupportedError`).
    #[error("{0}")]
    NotSupported(String),
    /// A configuration key or value is invalid (Python `ConfigurationError`).
    #[error("{0}")]
    Configuration(String),
}

/// The crate-wide result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidValue`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidValue(message.into())
    }

    /// Shorthand for [`Error::DataValidation`].
    pub fn data(message: impl Into<String>) -> Self {
        Error::DataValidation(message.into())
    }

    /// Shorthand for [`Error::WrongType`].
    pub fn wrong_type(message: impl Into<String>) -> Self {
        Error::WrongType(message.into())
    }

    /// Wraps an I/O error with what was being done when it happened.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<Error> for PyErr {
    fn from(error: Error) -> PyErr {
        let message = error.to_string();
        match error {
            Error::InvalidValue(_) => PyValueError::new_err(message),
            Error::DataValidation(_) => DataValidationError::new_err(message),
            Error::WrongType(_) => PyTypeError::new_err(message),
            Error::Encode(_) | Error::Engine(_) | Error::GpuFailed(_) => {
                EngineError::new_err(message)
            }
            Error::Io { source, .. } => {
                PyOSError::new_err((source.raw_os_error().unwrap_or(0), message))
            }
            Error::GpuNotAvailable(_) => GPUNotAvailableError::new_err(message),
            Error::NotSupported(_) => OperationNotSupportedError::new_err(message),
            Error::Configuration(_) => ConfigurationError::new_err(message),
        }
    }
}
