//! Python `str` values held in Rust `String`s.
//!
//! Python turns the bytes of argv, the environment and file names that are not UTF-8 into lone
//! surrogates U+DC80..U+DCFF (the `surrogateescape` error handler), carries them through every
//! string operation, and turns them back into the same bytes when it touches the file system.
//! `json.dumps` writes them as `\udcff`, and `sys.stderr` shows them as `\udcff`.
//!
//! A Rust `String` cannot hold a surrogate, so we hold each such byte `b` as the code point
//! U+10FF00 + `b` (U+10FF80..U+10FFFF, the last code points of Supplementary Private Use
//! Area-B). Text that already contains one of these code points is refused where it enters
//! ([`Reserved`]), so the mapping is one to one: every string in the program is a Python `str`,
//! and [`to_os`] gives back exactly the bytes it came from.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Where the escaped bytes live: U+10FF00 + byte.
const BASE: u32 = 0x10_FF00;

/// Text that contains one of the code points we hold undecodable bytes in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("contains the character U+{code:04X}, which this tool reserves for bytes that are not UTF-8")]
pub struct Reserved {
    pub code: u32,
}

/// The byte an escape character stands for.
pub fn escaped_byte(c: char) -> Option<u8> {
    let v = u32::from(c);
    (v >= BASE + 0x80).then(|| (v - BASE) as u8)
}

/// The escape character for a byte that is not part of valid UTF-8 (0x80..=0xFF).
pub fn escape(byte: u8) -> char {
    debug_assert!(byte >= 0x80);
    char::from_u32(BASE + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The code point Python sees for a character: a lone surrogate U+DC80..U+DCFF for an escape.
pub fn code_point(c: char) -> u32 {
    match escaped_byte(c) {
        Some(b) => 0xDC00 + u32::from(b),
        None => u32::from(c),
    }
}

/// The character for a code point Python may hold: an escape for U+DC80..U+DCFF; `None` for any
/// other surrogate (which has no bytes to stand for) and for our reserved code points.
pub fn from_code_point(cp: u32) -> Option<char> {
    match cp {
        0xDC80..=0xDCFF => Some(escape((cp - 0xDC00) as u8)),
        _ if cp >= BASE + 0x80 => None,
        _ => char::from_u32(cp),
    }
}

/// Whether text may hold an escape: every reserved code point is encoded starting with 0xF4.
fn may_hold_escapes(s: &str) -> bool {
    s.as_bytes().contains(&0xF4)
}

/// Checks text read from elsewhere (a config file, a JSON string) for reserved code points.
pub fn check(s: &str) -> Result<(), Reserved> {
    if !may_hold_escapes(s) {
        return Ok(());
    }
    match s.chars().find(|c| escaped_byte(*c).is_some()) {
        Some(c) => Err(Reserved { code: u32::from(c) }),
        None => Ok(()),
    }
}

/// `bytes.decode('utf-8', 'surrogateescape')`.
pub fn decode(bytes: &[u8]) -> Result<String, Reserved> {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        check(chunk.valid())?;
        out.push_str(chunk.valid());
        out.extend(chunk.invalid().iter().map(|&b| escape(b)));
    }
    Ok(out)
}

/// `str.encode('utf-8', 'surrogateescape')`.
pub fn encode(s: &str) -> Vec<u8> {
    if !may_hold_escapes(s) {
        return s.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match escaped_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// `os.fsdecode`: an argument, environment value or file name as Python sees it.
pub fn from_os(s: &OsStr) -> Result<String, Reserved> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        decode(s.as_bytes())
    }
    #[cfg(not(unix))]
    {
        let text = s.to_string_lossy();
        check(&text)?;
        Ok(text.into_owned())
    }
}

/// `os.fsencode`: the exact bytes a string stands for.
pub fn to_os(s: &str) -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(encode(s))
    }
    #[cfg(not(unix))]
    {
        OsString::from(s)
    }
}

/// A path from a string, byte for byte.
pub fn to_path(s: &str) -> PathBuf {
    PathBuf::from(to_os(s))
}

/// A path as a string, byte for byte (see [`from_os`]).
pub fn from_path(p: &Path) -> Result<String, Reserved> {
    from_os(p.as_os_str())
}

/// How `sys.stderr` (errors=`backslashreplace`) prints a string: escapes as `\udcff`.
pub fn backslashreplace(s: &str) -> Cow<'_, str> {
    if !may_hold_escapes(s) || !s.chars().any(|c| escaped_byte(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match escaped_byte(c) {
            Some(b) => out.push_str(&format!("\\udc{b:02x}")),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip() {
        let raw: &[u8] = b"/x/p\xff/\xc3\xa9\xed\xb3\xbf";
        let s = decode(raw).unwrap();
        // Valid UTF-8 stays, each undecodable byte is one escape (surrogates encoded in UTF-8
        // are not valid UTF-8, for Python either).
        assert_eq!(s.chars().count(), 4 + 1 + 1 + 1 + 3);
        assert_eq!(encode(&s), raw);
        let cps: Vec<u32> = s.chars().map(code_point).collect();
        assert_eq!(&cps[4..], &[0xdcff, 0x2f, 0xe9, 0xdced, 0xdcb3, 0xdcbf]);
        assert_eq!(backslashreplace(&s), "/x/p\\udcff/é\\udced\\udcb3\\udcbf");
        assert_eq!(to_os(&s).len(), raw.len());
    }

    #[test]
    fn reserved_code_points_are_refused() {
        let e = decode("a\u{10FFFF}".as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "contains the character U+10FFFF, which this tool reserves for bytes that are not UTF-8"
        );
        assert!(decode("a\u{10FF7F}".as_bytes()).is_ok());
        assert_eq!(from_code_point(0xdcff), Some(escape(0xff)));
        assert_eq!(from_code_point(0xd800), None);
        assert_eq!(from_code_point(0x10FFFF), None);
        assert_eq!(from_code_point(0x41), Some('A'));
    }
}
