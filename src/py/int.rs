//! Python integers: `int(text)` as Python parses it (any Unicode decimal digits, Python's
//! whitespace, `_` between digits), and integers of any size kept as canonical decimal text.

use std::cmp::Ordering;

/// A Python `int` of any size: canonical decimal text (`-` for negatives, no leading zeros).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Int(String);

impl Int {
    /// From canonical or non-canonical decimal digits with an optional leading `-`.
    pub fn from_decimal(text: &str) -> Option<Int> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = digits.trim_start_matches('0');
        Some(match (neg, digits.is_empty()) {
            (_, true) => Int("0".into()),
            (true, false) => Int(format!("-{digits}")),
            (false, false) => Int(digits.into()),
        })
    }

    pub fn from_i64(v: i64) -> Int {
        Int(v.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn to_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    pub fn from_i128(v: i128) -> Int {
        Int(v.to_string())
    }

    pub fn to_i128(&self) -> Option<i128> {
        self.0.parse().ok()
    }

    pub fn to_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The nearest float (Python's `float(int)`, for comparisons with floats).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    pub fn is_zero(&self) -> bool {
        self.0 == "0"
    }

    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }

    pub fn negate(&self) -> Int {
        match self.0.strip_prefix('-') {
            Some(pos) => Int(pos.into()),
            None if self.is_zero() => self.clone(),
            None => Int(format!("-{}", self.0)),
        }
    }

    /// The integer a float holds exactly, when it is one (`45.0` -> 45, `1e16` -> 10**16).
    pub fn from_f64_exact(f: f64) -> Option<Int> {
        if !f.is_finite() || f.fract() != 0.0 {
            return None;
        }
        // `{:.0}` prints every digit of an integral float.
        Int::from_decimal(&format!("{f:.0}"))
    }
}

impl std::fmt::Display for Int {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Int) -> Ordering {
        match (self.is_negative(), other.is_negative()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (neg, _) => {
                let (a, b) = (self.0.trim_start_matches('-'), other.0.trim_start_matches('-'));
                let magnitude = a.len().cmp(&b.len()).then_with(|| a.cmp(b));
                if neg {
                    magnitude.reverse()
                } else {
                    magnitude
                }
            }
        }
    }
}

/// `str.isspace()` (Unicode 14, CPython 3.11).
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The first code point of every run of ten Unicode decimal digits (category Nd, Unicode 14:
/// what CPython 3.11's `int()` accepts).
const DIGIT_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
    0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620,
    0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0,
    0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60,
    0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/// `unicodedata.decimal(c)`: the value of a decimal digit of any script.
pub fn decimal_value(c: char) -> Option<u8> {
    let v = u32::from(c);
    let i = DIGIT_ZEROS.partition_point(|&zero| zero <= v);
    let zero = DIGIT_ZEROS[i.checked_sub(1)?];
    (v - zero < 10).then(|| (v - zero) as u8)
}

/// `int(text)` (base 10): Python's whitespace around, an optional sign, decimal digits of any
/// script with single underscores between them. `None` where Python raises `ValueError`.
pub fn parse(text: &str) -> Option<Int> {
    let t = text.trim_matches(is_space);
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut digits = String::with_capacity(body.len());
    let mut prev_underscore = true; // no leading underscore
    for c in body.chars() {
        if c == '_' {
            if prev_underscore {
                return None;
            }
            prev_underscore = true;
            continue;
        }
        digits.push(char::from(b'0' + decimal_value(c)?));
        prev_underscore = false;
    }
    if digits.is_empty() || prev_underscore {
        return None;
    }
    let n = Int::from_decimal(&digits)?;
    Some(if neg { n.negate() } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_of_text_as_python_parses_it() {
        // Results of CPython 3.11's int(text).
        let ok = [
            ("42", "42"),
            (" 1_000 ", "1000"),
            ("-0", "0"),
            ("+7", "7"),
            ("007", "7"),
            ("\u{664}\u{660}", "40"),
            ("\u{664}0000", "40000"),
            ("\u{ff14}\u{ff15}", "45"),
            ("\u{1d7ce}\u{1d7cf}", "1"),
            ("\u{3000}9\u{a0}", "9"),
            ("9223372036854775808", "9223372036854775808"),
            ("-123456789012345678901234567890", "-123456789012345678901234567890"),
        ];
        for (text, want) in ok {
            assert_eq!(parse(text).map(|i| i.to_string()).as_deref(), Some(want), "{text:?}");
        }
        for bad in ["", " ", "_1", "1_", "1__0", "1.0", "0x10", "abc", "--1", "\u{b2}", "\u{2155}", "1 2", "+"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn big_integers() {
        let big = Int::from_decimal("100000000000000000000").unwrap();
        assert_eq!(big.to_i64(), None);
        assert!(big > Int::from_i64(i64::MAX));
        assert!(Int::from_i64(-5) < Int::from_i64(3));
        assert!(Int::from_i64(-50) < Int::from_i64(-5));
        assert_eq!(Int::from_f64_exact(1e16).unwrap().as_str(), "10000000000000000");
        assert_eq!(Int::from_f64_exact(-0.0).unwrap().as_str(), "0");
        assert_eq!(Int::from_f64_exact(45.5), None);
        assert_eq!(Int::from_f64_exact(f64::NAN), None);
        assert_eq!(Int::from_decimal("-000").unwrap().as_str(), "0");
    }
}
