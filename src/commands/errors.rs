//! What can go wrong in each command, as one typed error each (the layers below have theirs;
//! these gather them). `exit_codes` says which status each ends with; each command reports
//! its own.

use std::io;
use std::path::PathBuf;

use crate::cli::clap_model::UsageError;
use crate::commands::rbac_manifest::RequestError;
use crate::install::{InstallError, NameError};
use crate::launch::simulate::LaunchError;
use crate::py::repr::str_repr;
use crate::py::text::Reserved;
use crate::render::pod_template::PodError;
use crate::render::validate::Problems;
use crate::settings::initialize::{self, InitError};
use crate::settings::jupyter_app::GenerateError;
use crate::settings::log::Logger;
use crate::settings::resolve::BadConfig;
use crate::variant::decision::VariantError;

/// Standard output could not be written (for another reason than a reader that is gone).
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub struct OutputError(pub io::Error);

/// Why an install did not happen (or, for the last ones, did not finish).
#[derive(Debug, thiserror::Error)]
pub enum InstallFailure {
    #[error(
        "environment variable {0} contains one of the characters U+10FF80..U+10FFFF, which this tool reserves for bytes that are not UTF-8"
    )]
    Environment(String),
    #[error("{}: {reserved}", .path.display())]
    Path { path: PathBuf, reserved: Reserved },
    /// Reported by `initialize` as it happened.
    #[error(transparent)]
    Init(#[from] InitError),
    #[error("Bad config encountered during initialization: {0}")]
    BadConfig(#[from] BadConfig),
    #[error("Can't specify both user and prefix. Please choose one or the other.")]
    UserAndPrefix,
    #[error(transparent)]
    Variant(#[from] VariantError),
    #[error(transparent)]
    KernelName(#[from] NameError),
    #[error(transparent)]
    PodOptions(#[from] PodError),
    /// The reference's words, on stderr rather than the log.
    #[error("A kernel specification exists at '{0}' and '--replace' has not been specified.  Terminating.")]
    Exists(String),
    #[error(transparent)]
    Invalid(#[from] Problems),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    GenerateConfig(#[from] GenerateError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl InstallFailure {
    /// Reports the failure as the reference would: most as an error on the log; some with the
    /// application's exit line; a few in the reference's own words on stderr.
    pub fn report(&self, log: &Logger) {
        match self {
            InstallFailure::Init(_) => {}
            InstallFailure::BadConfig(_) => {
                log.fatal_critical(&self.to_string());
                initialize::log_exit(log);
            }
            InstallFailure::UserAndPrefix => {
                log.fatal(&self.to_string());
                initialize::log_exit(log);
            }
            InstallFailure::Exists(_) | InstallFailure::Install(InstallError::Exists(_)) => eprintln!("{self}"),
            InstallFailure::Invalid(Problems(lines)) => {
                for line in lines {
                    log.fatal(&format!("--validate: {line}"));
                }
            }
            InstallFailure::GenerateConfig(GenerateError::Stdout { .. }) | InstallFailure::Output(_) => {
                eprintln!("error: {self}")
            }
            _ => log.fatal(&self.to_string()),
        }
    }
}

/// Why a preview printed nothing, or found problems.
#[derive(Debug, thiserror::Error)]
pub enum PreviewFailure {
    #[error(transparent)]
    Launch(#[from] LaunchError),
    /// `KERNELSPEC` is neither the name of a kernelspec on the Jupyter path nor a directory.
    #[error("no kernelspec named {} in {searched}, and no directory of that name", str_repr(name))]
    NotFound { name: String, searched: String },
    /// `--validate` found problems (listed on stderr before the summary this is).
    #[error("the {what} does not validate: {count} problem{}", if *count == 1 { "" } else { "s" })]
    Invalid { what: String, count: usize },
}

/// A command line `rbac` cannot work from: one line, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RbacUsage {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(transparent)]
    Name(#[from] RequestError),
}
