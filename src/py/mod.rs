//! Python compatibility, in one place: the pieces of CPython's behaviour the reference's output
//! depends on (string repr, float repr, `int()` parsing, the `json` module, `%`-formatting,
//! `os.path`, undecodable bytes in strings). A leaf: it uses nothing else of the crate.

pub mod difflib;
pub mod int;
pub mod json;
pub mod literal;
pub mod ntpath;
pub mod percent;
pub mod posixpath;
pub mod pprint;
pub mod repr;
pub mod text;
pub mod textwrap;
pub mod time;
pub mod value;
