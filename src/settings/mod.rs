//! What the installer was asked to do: the command line as traitlets config, config files,
//! environment defaults and Jupyter's paths, resolved into `Settings`.

pub mod config_file;
pub mod initialize;
pub mod jupyter_app;
pub mod log;
pub mod passwd;
pub mod paths;
pub mod resolve;
pub mod traitlets;
