//! The exit statuses of `jupyter-k8s-spec`, and which failure ends with which: one place, which
//! the manual page's EXIT STATUS section is written from. The statuses are the reference's: 0
//! for success and help, 1 when the command fails (argparse's and traitlets' `exit(1)`), 2 when
//! the command line cannot be parsed (argparse's `error()`).

use crate::cli::argparse::UsageError as ArgparseUsage;
use crate::cli::clap_model::UsageError as OurUsage;
use crate::cli::extensions::PodOptionWithoutValue;

/// How a command ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// It did what it was asked, or printed its help.
    Success,
    /// It failed, and said why on stderr: nothing was installed or changed, a preview or a
    /// validation found problems, no subcommand was given, or its output could not be written.
    Failure,
    /// The command line could not be parsed.
    Usage,
}

impl ExitCode {
    /// The process's exit status.
    pub const fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Usage => 2,
        }
    }

    /// Every status with what it means, as the manual page lists them.
    pub const DOCUMENTED: &'static [(ExitCode, &'static str)] = &[
        (ExitCode::Success, "Success, or help printed."),
        (
            ExitCode::Failure,
            "The command failed and said why on standard error (nothing was installed or changed, \
             a preview or a validation found problems, standard output could not be written), \
             or no subcommand was given.",
        ),
        (ExitCode::Usage, "The command line could not be parsed."),
    ];
}

// Which error ends with which status. Every error of a layer below is a failure of the command
// (status 1), except those of the command line (status 2).

impl From<&ArgparseUsage> for ExitCode {
    fn from(_: &ArgparseUsage) -> ExitCode {
        ExitCode::Usage
    }
}

impl From<&PodOptionWithoutValue> for ExitCode {
    fn from(_: &PodOptionWithoutValue) -> ExitCode {
        ExitCode::Usage
    }
}

impl From<&OurUsage> for ExitCode {
    fn from(_: &OurUsage) -> ExitCode {
        ExitCode::Usage
    }
}

impl From<&crate::commands::errors::RbacUsage> for ExitCode {
    fn from(_: &crate::commands::errors::RbacUsage) -> ExitCode {
        ExitCode::Usage
    }
}

impl From<&crate::commands::errors::InstallFailure> for ExitCode {
    fn from(_: &crate::commands::errors::InstallFailure) -> ExitCode {
        ExitCode::Failure
    }
}

impl From<&crate::commands::errors::PreviewFailure> for ExitCode {
    fn from(_: &crate::commands::errors::PreviewFailure) -> ExitCode {
        ExitCode::Failure
    }
}

impl From<&crate::commands::errors::OutputError> for ExitCode {
    fn from(_: &crate::commands::errors::OutputError) -> ExitCode {
        ExitCode::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statuses_are_the_references() {
        assert_eq!(ExitCode::DOCUMENTED.iter().map(|(c, _)| c.code()).collect::<Vec<_>>(), [0, 1, 2]);
    }
}
