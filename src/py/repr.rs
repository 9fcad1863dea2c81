//! Python's `repr()` of the value shapes the reference prints in its messages (strings, lists
//! of strings, floats, bytes), so our messages read exactly the same.

/// `repr(s)` for a Python `str` (undecodable bytes held as escapes, see [`super::text`], show
/// as the lone surrogates Python holds: `'\udcff'`).
pub fn str_repr(s: &str) -> String {
    let cps: Vec<u32> = s.chars().map(super::text::code_point).collect();
    code_points_repr(&cps)
}

/// `repr(list_of_str)`.
pub fn list_repr<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| str_repr(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// `repr()` of a Python `str` given as code points, which may include lone surrogates (how
/// Python sees undecodable bytes in a path).
pub fn code_points_repr(cps: &[u32]) -> String {
    let has = |q: char| cps.contains(&u32::from(q));
    let quote = if has('\'') && !has('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(cps.len() + 2);
    out.push(quote);
    for &c in cps {
        match char::from_u32(c) {
            Some(ch) if ch == quote || ch == '\\' => {
                out.push('\\');
                out.push(ch);
            }
            Some('\t') => out.push_str("\\t"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some(ch) if is_printable(c) => out.push(ch),
            _ if c < 0x100 => out.push_str(&format!("\\x{c:02x}")),
            _ if c < 0x10000 => out.push_str(&format!("\\u{c:04x}")),
            _ => out.push_str(&format!("\\U{c:08x}")),
        }
    }
    out.push(quote);
    out
}

/// `str.isprintable()` of CPython 3.11 (Unicode 14) for every assigned code point, the
/// noncharacters and the large blocks still unassigned in Unicode 15.1; other unassigned code
/// points are treated as printable (Python escapes them, depending on its Unicode version).
pub fn is_printable(c: u32) -> bool {
    const NOT_PRINTABLE: &[(u32, u32)] = &[
        (0x0, 0x1f),
        (0x7f, 0xa0),
        (0xad, 0xad),
        (0x600, 0x605),
        (0x61c, 0x61c),
        (0x6dd, 0x6dd),
        (0x70f, 0x70f),
        (0x890, 0x891),
        (0x8e2, 0x8e2),
        (0x1680, 0x1680),
        (0x180e, 0x180e),
        (0x2000, 0x200f),
        (0x2028, 0x202f),
        (0x205f, 0x2064),
        (0x2066, 0x206f),
        (0x3000, 0x3000),
        (0xd800, 0xf8ff),
        (0xfdd0, 0xfdef),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x13438),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0x323b0, 0xdffff), // unassigned up to Unicode 15.1
        (0xe0001, 0xe0001),
        (0xe0020, 0xe00ff),
        (0xe01f0, 0x10ffff),
    ];
    c & 0xfffe != 0xfffe && !NOT_PRINTABLE.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// `repr(f)` for a Python `float`: the shortest digits that read back as the same number, in
/// exponent form outside 1e-4 <= |f| < 1e16 (`1e+16`, `1e-05`), `nan`, `inf`, `-0.0`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    // Rust prints the shortest round-trip digits too; only the layout differs.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let body = if (-4..16).contains(&exp) {
        if exp < 0 {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        } else if exp >= n - 1 {
            format!("{digits}{}.0", "0".repeat((exp - n + 1) as usize))
        } else {
            let (a, b) = digits.split_at(exp as usize + 1);
            format!("{a}.{b}")
        }
    } else {
        let (a, b) = digits.split_at(1);
        let dot = if b.is_empty() { String::new() } else { format!(".{b}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{a}{dot}e{esign}{:02}", exp.abs())
    };
    format!("{sign}{body}")
}

/// `repr(b)` for a Python `bytes`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { '"' } else { '\'' };
    let mut out = format!("b{quote}");
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if char::from(c) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(c)),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprs_match_python() {
        let cases = [
            ("abc", "'abc'"),
            ("it's", "\"it's\""),
            ("both ' and \"", "'both \\' and \"'"),
            ("back\\slash", "'back\\\\slash'"),
            ("new\nline\ttab", "'new\\nline\\ttab'"),
            ("\u{1}\u{7f}", "'\\x01\\x7f'"),
            ("é ünï", "'é ünï'"),
            ("nb\u{a0}sp", "'nb\\xa0sp'"),
            ("zw\u{200b}", "'zw\\u200b'"),
            ("", "''"),
            ("\u{110bd}\u{fdd0}\u{1f600}", "'\\U000110bd\\ufdd0\u{1f600}'"),
        ];
        for (input, want) in cases {
            assert_eq!(str_repr(input), want, "{input:?}");
        }
        assert_eq!(list_repr(&["a", "b"]), "['a', 'b']");
        assert_eq!(list_repr::<&str>(&[]), "[]");
        assert_eq!(code_points_repr(&[0x61, 0xdcff]), "'a\\udcff'");
        assert_eq!(str_repr(&super::super::text::decode(b"a\xff").unwrap()), "'a\\udcff'");
    }

    #[test]
    fn floats_as_python_prints_them() {
        // Values printed by CPython 3.11's repr().
        let cases: &[(f64, &str)] = &[
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (9999999999999998.0, "9999999999999998.0"),
            (45.0, "45.0"),
            (45.5, "45.5"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (1.5e300, "1.5e+300"),
            (2.5e-320, "2.5e-320"),
            (123456789.125, "123456789.125"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(*f), *want);
        }
    }

    #[test]
    fn bytes_as_python_prints_them() {
        assert_eq!(bytes_repr(b"ab"), "b'ab'");
        assert_eq!(bytes_repr(b"it's"), "b\"it's\"");
        assert_eq!(bytes_repr(b"'\"\\\n\x00\xff"), "b'\\'\"\\\\\\n\\x00\\xff'");
    }

    #[test]
    fn float_repr_matches_python() {
        for (f, want) in [
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (123.0, "123.0"),
            (-2.5e-7, "-2.5e-07"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(float_repr(f), want);
        }
    }
}
