//! Standard output, written the same way by every command: the whole text, then a flush. A
//! reader that has gone away (`EPIPE`, as in `jupyter-k8s-spec install --help-all | head -1`)
//! ends the command quietly with the status it would have had, as ripgrep does; any other
//! failure (`>/dev/full`, a closed descriptor) is an error on stderr and status 1, so output
//! that was lost is never reported as a success.

use std::io::{self, Write};

/// The exit status of a command whose output failed to be written.
pub const WRITE_FAILED: i32 = 1;

/// Writes `text` to stdout and returns the exit status: `status` once it is written (or its
/// reader is gone), else [`WRITE_FAILED`] after a one-line error on stderr.
pub fn print(text: impl AsRef<[u8]>, status: i32) -> i32 {
    match write_stdout(text.as_ref()) {
        Ok(()) => status,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => status,
        Err(e) => {
            let _ = writeln!(io::stderr().lock(), "error: cannot write to standard output: {e}");
            WRITE_FAILED
        }
    }
}

fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}
