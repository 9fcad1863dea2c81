//! Python's `textwrap` (`fill`, `dedent`, `indent`, with `TextWrapper`'s defaults) and the two
//! helpers traitlets builds on it (`traitlets.utils.text`: `_dedent`, `wrap_paragraphs`), which
//! lay out every help text and the generated config file of the reference from the traits' own
//! help strings. Lengths are counted in characters, as Python counts `str`.

/// `textwrap.fill(text, width)`: the lines of `wrap`, joined.
pub fn fill(text: &str, width: usize) -> String {
    wrap(text, width).join("\n")
}

/// `textwrap.wrap(text, width)` with `TextWrapper`'s defaults: tabs expanded, every whitespace
/// character a space, words broken after hyphens and, when longer than a line, anywhere.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let munged: Vec<char> = expand_tabs(text).chars().map(|c| if is_ws(c) { ' ' } else { c }).collect();
    wrap_chunks(split(&munged), width.max(1))
}

/// `textwrap.dedent`: lines of only blanks emptied, then the margin every other line shares
/// removed.
pub fn dedent(text: &str) -> String {
    let lines: Vec<&str> =
        text.split('\n').map(|l| if l.chars().all(|c| c == ' ' || c == '\t') { "" } else { l }).collect();
    let mut margin: Option<&str> = None;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        margin = Some(match margin {
            None => indent,
            Some(m) if indent.starts_with(m) => m,
            Some(m) if m.starts_with(indent) => indent,
            Some(m) => {
                let common = m.bytes().zip(indent.bytes()).take_while(|(a, b)| a == b).count();
                &m[..common]
            }
        });
    }
    let margin = margin.unwrap_or("");
    lines.iter().map(|l| l.strip_prefix(margin).unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

/// `textwrap.indent(text, prefix)`: `prefix` before every line (as `str.splitlines` cuts
/// them) that is not blank.
pub fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in splitlines_keepends(text) {
        if !line.chars().all(is_py_space) {
            out.push_str(prefix);
        }
        out.push_str(line);
    }
    out
}

/// `str.splitlines(keepends=True)`.
pub fn splitlines_keepends(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break =
            matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if is_break {
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().map(|&(_, n)| n) == Some('\n') {
                chars.next();
                end += 1;
            }
            lines.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// traitlets' `_dedent`: `dedent`, but an unindented first line does not count.
pub fn traitlets_dedent(text: &str) -> String {
    match text.split_once('\n') {
        Some((first, rest)) if !text.starts_with('\n') => format!("{first}\n{}", dedent(rest)),
        _ => dedent(text),
    }
}

/// traitlets' `wrap_paragraphs(text, ncols)`: paragraphs are separated by blank lines; each is
/// filled to `ncols`, unless an indented line (code, a list) asks that it be kept as written.
pub fn wrap_paragraphs(text: &str, ncols: usize) -> Vec<String> {
    let text = traitlets_dedent(text);
    let text = text.trim_matches(is_py_space);
    split_paragraphs(text)
        .into_iter()
        .map(|p| if has_indented_line(p) { p.to_string() } else { fill(p, ncols) })
        .collect()
}

/// `re.split(r"\n(\s*\n)+", text)[::2]`.
fn split_paragraphs(text: &str) -> Vec<&str> {
    let b: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i].1 == '\n' {
            // The separator runs to the last newline of the whitespace that follows.
            let mut last_nl = None;
            let mut j = i + 1;
            while j < b.len() && is_py_space(b[j].1) {
                if b[j].1 == '\n' {
                    last_nl = Some(j);
                }
                j += 1;
            }
            if let Some(end) = last_nl {
                out.push(&text[start..b[i].0]);
                start = b[end].0 + 1;
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// `re.search(r"\n\s+", p)`.
fn has_indented_line(p: &str) -> bool {
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' && chars.peek().is_some_and(|n| is_py_space(*n)) {
            return true;
        }
    }
    false
}

/// `str.isspace()` for one character (Unicode White_Space plus the separators 0x1c-0x1f).
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// textwrap's whitespace: `'\t\n\x0b\x0c\r '`.
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// `str.expandtabs()` (tab size 8; the column restarts after `\n` and `\r`).
fn expand_tabs(text: &str) -> String {
    if !text.contains('\t') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', n));
                column += n;
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// `\w` of Python's `re` for `str` patterns.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// textwrap's `letter`: `[^\d\W]`.
fn is_letter(c: char) -> bool {
    is_word(c) && !c.is_numeric()
}

/// textwrap's `word_punct`: `[\w!"'&.,?]`.
fn is_word_punct(c: char) -> bool {
    is_word(c) || matches!(c, '!' | '"' | '\'' | '&' | '.' | ',' | '?')
}

/// `TextWrapper._split` with `break_on_hyphens`: the text (whitespace already spaces) cut into
/// runs of spaces, words, the parts of hyphenated words (`non-` `bracketed`) and em-dashes, as
/// textwrap's `wordsep_re` cuts it.
fn split(text: &[char]) -> Vec<String> {
    let at = |i: usize| text.get(i).copied();
    let hyphens_then_word = |i: usize| {
        let mut j = i;
        while at(j) == Some('-') {
            j += 1;
        }
        j - i >= 2 && at(j).is_some_and(is_word)
    };
    let mut chunks = Vec::new();
    let mut p = 0;
    while p < text.len() {
        let end = if text[p] == ' ' {
            text[p..].iter().position(|&c| c != ' ').map_or(text.len(), |n| p + n)
        } else if p > 0 && is_word_punct(text[p - 1]) && hyphens_then_word(p) {
            // An em-dash between words.
            p + text[p..].iter().position(|&c| c != '-').unwrap_or(0)
        } else {
            // A word: the shortest run of non-spaces that ends at a hyphen between letters,
            // before a space or the end, or before an em-dash.
            let mut e = p + 1;
            loop {
                if e >= text.len() || text[e] == ' ' {
                    break e;
                }
                if text[e - 1] == '-' {
                    let before_two = e >= 3 && is_letter(text[e - 3]) && is_letter(text[e - 2]);
                    let letter_hyphen_letter =
                        e >= 4 && is_letter(text[e - 4]) && text[e - 3] == '-' && is_letter(text[e - 2]);
                    let after = at(e).is_some_and(is_letter)
                        && (at(e + 1).is_some_and(is_letter)
                            || (at(e + 1) == Some('-') && at(e + 2).is_some_and(is_letter)));
                    if (before_two || letter_hyphen_letter) && after {
                        break e;
                    }
                }
                if is_word_punct(text[e - 1]) && hyphens_then_word(e) {
                    break e;
                }
                e += 1;
            }
        };
        chunks.push(text[p..end].iter().collect());
        p = end;
    }
    chunks
}

/// `TextWrapper._wrap_chunks` (no indents, no `max_lines`).
fn wrap_chunks(mut chunks: Vec<String>, width: usize) -> Vec<String> {
    let len = |s: &str| s.chars().count();
    let blank = |s: &str| s.trim().is_empty();
    let mut lines = Vec::new();
    chunks.reverse();
    while !chunks.is_empty() {
        let mut line: Vec<String> = Vec::new();
        let mut line_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(next) = chunks.last() {
            let l = len(next);
            if line_len + l > width {
                break;
            }
            line_len += l;
            line.push(chunks.pop().unwrap_or_default());
        }
        if chunks.last().is_some_and(|c| len(c) > width) {
            // A word longer than a line: as much as fits, cut after its last hyphen if any.
            let chunk: Vec<char> = chunks.pop().unwrap_or_default().chars().collect();
            let space_left = width.saturating_sub(line_len).max(1);
            let mut end = space_left;
            if chunk.len() > space_left {
                if let Some(h) = chunk[..space_left].iter().rposition(|&c| c == '-') {
                    if h > 0 && chunk[..h].iter().any(|&c| c != '-') {
                        end = h + 1;
                    }
                }
            }
            line.push(chunk[..end].iter().collect());
            chunks.push(chunk[end..].iter().collect());
        }
        if line.last().is_some_and(|c| blank(c)) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(line.concat());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_as_python_fills() {
        // Results of CPython 3.11's textwrap.fill with the same width.
        let text = "List of user names against which KERNEL_USERNAME will be compared. To specify \
                    multiple names via the CLI, separate options must be provided for each entry. \
                    (GP_UNAUTHORIZED_USERS env var - non-bracketed, just comma-separated)";
        assert_eq!(
            fill(text, 76),
            "List of user names against which KERNEL_USERNAME will be compared. To\n\
             specify multiple names via the CLI, separate options must be provided for\n\
             each entry. (GP_UNAUTHORIZED_USERS env var - non-bracketed, just comma-\n\
             separated)"
        );
        assert_eq!(
            fill("see: https://docs.python.org/3/library/logging.config.html#logging-config-dictschema", 76),
            "see: https://docs.python.org/3/library/logging.config.html#logging-config-\ndictschema"
        );
        assert_eq!(fill("Look, goof-ball -- use the -b option!", 8), "Look,\ngoof-\nball --\nuse the\n-b\noption!");
        assert_eq!(fill("a\tb  c\n d", 80), "a       b  c  d");
        assert_eq!(fill("abcdefghij", 4), "abcd\nefgh\nij");
        assert_eq!(fill("", 10), "");
    }

    #[test]
    fn chunks_as_wordsep_re_cuts_them() {
        let cut = |s: &str| split(&s.chars().collect::<Vec<_>>());
        assert_eq!(
            cut("Look, goof-ball -- use the -b option!"),
            ["Look,", " ", "goof-", "ball", " ", "--", " ", "use", " ", "the", " ", "-b", " ", "option!"]
        );
        assert_eq!(
            cut("non-bracketed e-mail a-b-c x--y"),
            ["non-", "bracketed", " ", "e-mail", " ", "a-b-c", " ", "x", "--", "y"]
        );
        assert_eq!(cut("--crd, 33245..34245 port-range"), ["--crd,", " ", "33245..34245", " ", "port-", "range"]);
    }

    #[test]
    fn dedent_and_indent_as_python() {
        assert_eq!(dedent("    a\n      b\n  \n    c"), "a\n  b\n\nc");
        assert_eq!(dedent("\ta\n  b"), "\ta\n  b");
        assert_eq!(traitlets_dedent("first\n    second\n      third"), "first\nsecond\n  third");
        assert_eq!(indent("a\n\n b\n", "    "), "    a\n\n     b\n");
    }

    #[test]
    fn paragraphs_as_traitlets_wraps_them() {
        let help = "\n            Configure it.\n\n            A long paragraph that goes on and on\n            over lines.\n\n            .. code-block:: python\n\n               c.X = {\n                   \"a\": 1,\n               }\n\n        ";
        assert_eq!(
            wrap_paragraphs(help, 20),
            [
                "Configure it.",
                "A long paragraph\nthat goes on and on\nover lines.",
                ".. code-block::\npython",
                "   c.X = {\n       \"a\": 1,\n   }"
            ]
        );
        assert_eq!(wrap_paragraphs("one\n  \n\ntwo", 80), ["one", "two"]);
    }
}
