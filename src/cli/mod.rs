//! The command line: the options, the parser of the reference's `install`, and the texts of
//! its help.

pub mod argparse;
pub mod clap_model;
pub mod extensions;
pub mod help;
pub mod options;
