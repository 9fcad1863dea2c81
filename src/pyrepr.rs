//! Python's `repr()`; the implementation lives in [`crate::py::repr`] (kept under this name for
//! the modules that use it).

pub use crate::py::repr::{code_points_repr, is_printable, list_repr, str_repr};
