//! Standard output, written the same way by every command: the whole text, then a flush. A
//! reader that has gone away (`EPIPE`, as in `jupyter-k8s-spec install --help-all | head -1`)
//! ends the writing quietly and the command keeps the status it would have had, as ripgrep
//! does; any other failure (`>/dev/full`, a closed descriptor) is an error on stderr and status
//! 1, so output that was lost is never reported as a success. Commands that write as they go
//! (the prompt of `generate_config`) write through [`Stdout`], which applies the same policy.

use std::io::{self, Write};

use crate::commands::errors::OutputError;
use crate::commands::exit_codes::ExitCode;

/// Writes `text` to stdout and returns `status` once it is written (or its reader is gone);
/// otherwise reports the failure on stderr and returns its status.
pub fn print(text: impl AsRef<[u8]>, status: ExitCode) -> ExitCode {
    match write(text.as_ref()) {
        Ok(()) => status,
        Err(e) => report(&e),
    }
}

/// Writes `bytes` to stdout; a reader that has gone away is not an error.
pub fn write(bytes: &[u8]) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(OutputError(e)),
        _ => Ok(()),
    }
}

/// Says on stderr that the output was lost; the command's status.
pub fn report(e: &OutputError) -> ExitCode {
    let _ = writeln!(io::stderr().lock(), "error: {e}");
    ExitCode::from(e)
}

/// Standard output for a command that writes as it goes: a reader that has gone away makes
/// every write succeed without writing.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match io::stdout().lock().write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(buf.len()),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match io::stdout().lock().flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// The width of the terminal on standard output, if it is one (Python's
/// `shutil.get_terminal_size` asks stdout; argparse wraps its usage block to it).
#[cfg(unix)]
pub fn columns() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(io::stdout()).ok()?;
    (size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
pub fn columns() -> Option<usize> {
    None
}
