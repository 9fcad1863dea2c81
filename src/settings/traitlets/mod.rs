//! The part of traitlets the installer's command line and configuration go through, recreated
//! for the one application we are: the `Config` tree, how our traits take values, how the
//! command line becomes config, and the order in which an application loads it all.

pub mod app;
pub mod argv;
pub mod config;
pub mod traits;
