//! Help, long-help and usage texts of `jupyter-k8s-spec`.
//!
//! These texts are interface: they reproduce what the reference prints (its layout comes from
//! traitlets and argparse), with the documented fixes (`--launch-timeout` description, the quotes of
//! the third example). The long texts live in `help/*.txt`; only a few values are filled in at run
//! time: the interpreter prefix shown by `--sys-prefix` and the `--spark-home` default.

/// The run-time values that show up in the install help.
#[derive(Debug, Clone, Default)]
pub struct HelpContext {
    /// Prefix that `--sys-prefix` installs into; printed verbatim in its "Equivalent to" line.
    pub sys_prefix: String,
    /// `SPARK_HOME` as read at start-up; the help shows it as the `--spark-home` default.
    pub spark_home: Option<String>,
}

const DISPATCHER: &str = include_str!("help/dispatcher.txt");
const INSTALL: &str = include_str!("help/install.txt");
const EXAMPLES: &str = include_str!("help/examples.txt");
const CLASS_OPTIONS: &str = include_str!("help/class_options.txt");
const APPLICATION: &str = include_str!("help/classes/application.txt");
const JUPYTER_APP: &str = include_str!("help/classes/jupyter_app.txt");
const MIXIN: &str = include_str!("help/classes/remote_provisioner_config_mixin.txt");
const BASE_SPEC_APP: &str = include_str!("help/classes/base_spec_app.txt");
const BASE_SPEC_SPARK_APP: &str = include_str!("help/classes/base_spec_spark_app.txt");
const K8S_SPEC_INSTALLER: &str = include_str!("help/classes/k8s_spec_installer.txt");

const SEE_ALL: &str = "To see all available configurables, use `--help-all`.\n\n";
const NO_SUBCOMMAND: &str = "No subcommand specified. Must specify one of: ['install']\n\n";
const DEFAULT_SPARK_HOME: &str = "/opt/spark";

const PROG: &str = "jupyter-k8s-spec";
const USAGE_PREFIX: &str = "usage: ";
/// The install parser's options, in the order argparse lists them (flags first, then aliases,
/// each alias naming its most-derived target).
const INSTALL_OPTIONALS: &[&str] = &[
    "[-h]",
    "[--spark]",
    "[--user]",
    "[--replace]",
    "[--sys-prefix]",
    "[--debug]",
    "[--tensorflow]",
    "[--crd]",
    "[--image-name K8sSpecInstaller.image_name]",
    "[--executor-image-name K8sSpecInstaller.executor_image_name]",
    "[--spark-home K8sSpecInstaller.spark_home]",
    "[--spark-init-mode K8sSpecInstaller.spark_init_mode]",
    "[--extra-spark-opts K8sSpecInstaller.extra_spark_opts]",
    "[--prefix K8sSpecInstaller.prefix]",
    "[--kernel-name K8sSpecInstaller.kernel_name]",
    "[--display-name K8sSpecInstaller.display_name]",
    "[--language K8sSpecInstaller.language]",
    "[--authorized-users K8sSpecInstaller.authorized_users]",
    "[--unauthorized-users K8sSpecInstaller.unauthorized_users]",
    "[--port-range K8sSpecInstaller.port_range]",
    "[--launch-timeout K8sSpecInstaller.launch_timeout]",
    "[--ipykernel-subclass-name K8sSpecInstaller.ipykernel_subclass_name]",
    "[--log-level K8sSpecInstaller.log_level]",
    "[--config K8sSpecInstaller.config_file]",
];
const DISPATCHER_OPTIONALS: &[&str] = &["[-h]"];
const POSITIONALS: &[&str] = &["[extra_args ...]"];

/// `--help`, `-h` and `help` at top level.
pub fn dispatcher_help() -> String {
    format!("{DISPATCHER}{SEE_ALL}")
}

/// `--help-all` at top level: the dispatcher's own classes only.
pub fn dispatcher_help_all() -> String {
    let mut out = format!("{DISPATCHER}{CLASS_OPTIONS}");
    out += &section("Application(SingletonConfigurable)", APPLICATION);
    out += &jupyter_app_section("JupyterApp", "Application");
    out += &jupyter_app_section("K8sProvisionerApp", "JupyterApp");
    out
}

/// Printed on stdout (exit 1) when the first argument is not a subcommand.
pub fn no_subcommand() -> String {
    format!("{NO_SUBCOMMAND}{DISPATCHER}")
}

/// `install --help` (also `-h`, `help install`).
pub fn install_help(ctx: &HelpContext) -> String {
    format!("{}{EXAMPLES}{SEE_ALL}", install_options(ctx))
}

/// `install --help-all`: the install help with every class's options before the examples.
pub fn install_help_all(ctx: &HelpContext) -> String {
    let spark_home = spark_home_default(ctx);
    let spark = |body: &str| fill(body, &[("spark_home_default", &spark_home)]);
    let mut out = install_options(ctx);
    out += CLASS_OPTIONS;
    out += &section("Application(SingletonConfigurable)", APPLICATION);
    out += &jupyter_app_section("JupyterApp", "Application");
    out += &jupyter_app_section("BaseApp", "JupyterApp");
    out += &section("RemoteProvisionerConfigMixin(Configurable)", MIXIN);
    out += &section("BaseSpecApp(RemoteProvisionerConfigMixin, BaseApp)", BASE_SPEC_APP);
    out += &section("BaseSpecSparkApp(BaseSpecApp)", &spark(BASE_SPEC_SPARK_APP));
    out += &section("K8sSpecInstaller(BaseSpecSparkApp)", &spark(K8S_SPEC_INSTALLER));
    out += EXAMPLES;
    out
}

/// The argparse usage block printed on stderr before `jupyter-k8s-spec: error: ...` when the
/// install arguments cannot be parsed. `columns` is the terminal width argparse would use
/// (`COLUMNS` if a positive integer, else the terminal's width, else 80); `None` means 80.
pub fn usage(columns: Option<usize>) -> String {
    argparse_usage(columns, INSTALL_OPTIONALS, POSITIONALS)
}

/// The same block for the dispatcher's own parse errors (`jupyter-k8s-spec --debug`).
pub fn dispatcher_usage(columns: Option<usize>) -> String {
    argparse_usage(columns, DISPATCHER_OPTIONALS, POSITIONALS)
}

/// The terminal width argparse takes from a `COLUMNS` value: Python `int()` syntax (surrounding
/// whitespace, sign, `_` between digits), used only when positive. `None` means the caller must
/// fall back to the terminal's width, then 80. (Non-ASCII digits, which `int()` accepts, are not.)
pub fn columns_from_env(value: Option<&str>) -> Option<usize> {
    let text = value?.trim_matches(py_isspace);
    let digits = text.strip_prefix('+').unwrap_or(text);
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !well_formed {
        return None; // includes negative values, which Python rejects as <= 0 too
    }
    // A huge value only means "everything fits on one line".
    let n = digits
        .chars()
        .filter(char::is_ascii_digit)
        .fold(0usize, |n, c| n.saturating_mul(10).saturating_add(c as usize - '0' as usize));
    (n > 0).then_some(n)
}

fn install_options(ctx: &HelpContext) -> String {
    let sys_prefix = traitlets_continuation(&ctx.sys_prefix);
    let spark_home = spark_home_default(ctx);
    fill(INSTALL, &[("sys_prefix", &sys_prefix), ("spark_home_default", &spark_home)])
}

/// traitlets shows a default as its repr, cut to 61 characters plus `...` when longer than 64.
fn spark_home_default(ctx: &HelpContext) -> String {
    let repr = crate::py::repr::str_repr(ctx.spark_home.as_deref().unwrap_or(DEFAULT_SPARK_HOME));
    if repr.chars().count() > 64 {
        repr.chars().take(61).chain("...".chars()).collect()
    } else {
        repr
    }
}

/// A "Class options" section: title, underline, entries, blank line.
fn section(title: &str, body: &str) -> String {
    let title = format!("{title} options");
    let rule = "-".repeat(title.chars().count());
    format!("{title}\n{rule}\n{body}\n")
}

/// `JupyterApp` and its subclasses without traits of their own share one entry list.
fn jupyter_app_section(class: &str, base: &str) -> String {
    section(&format!("{class}({base})"), &fill(JUPYTER_APP, &[("cls", class)]))
}

/// Replaces `{key}` placeholders in one pass (values are not rescanned); other braces are text.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out += &rest[..start];
        rest = &rest[start..];
        let found = values.iter().find(|(key, _)| rest[1..].starts_with(key) && rest[1 + key.len()..].starts_with('}'));
        match found {
            Some((key, value)) => {
                out += value;
                rest = &rest[key.len() + 2..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out + rest
}

/// The sys.prefix sits inside a flag's "Equivalent to" line, which traitlets passes through
/// `textwrap.dedent` and `textwrap.indent(.., "    ")`: on a multi-line value, `[ \t]`-only lines
/// are emptied and every later line that is not blank gets four spaces.
fn traitlets_continuation(value: &str) -> String {
    let dedented: Vec<&str> = value
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let blank = !line.is_empty() && line.chars().all(|c| c == ' ' || c == '\t');
            if i > 0 && blank {
                ""
            } else {
                line
            }
        })
        .collect();
    let dedented = dedented.join("\n");
    let mut out = String::with_capacity(dedented.len());
    for (i, line) in py_splitlines_keepends(&dedented).into_iter().enumerate() {
        // The first piece continues "Equivalent to: [..." and is indented with it.
        if i > 0 && !line.chars().all(py_isspace) {
            out += "    ";
        }
        out += line;
    }
    out
}

/// `str.splitlines(keepends=True)`.
fn py_splitlines_keepends(s: &str) -> Vec<&str> {
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

/// `str.isspace()` for one character (Unicode White_Space plus the ASCII separators 0x1c-0x1f).
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// argparse's `HelpFormatter._format_usage` for a parser without groups, as printed by
/// `print_usage` (one trailing newline).
fn argparse_usage(columns: Option<usize>, optionals: &[&str], positionals: &[&str]) -> String {
    // HelpFormatter keeps two columns free; a tiny terminal gives a negative width.
    let width = i64::try_from(columns.unwrap_or(80)).unwrap_or(i64::MAX) - 2;
    let prefix_len = USAGE_PREFIX.len();
    let all: Vec<&str> = optionals.iter().chain(positionals).copied().collect();
    let one_line = format!("{PROG} {}", all.join(" "));
    let fits = |len: usize| i64::try_from(len).is_ok_and(|len| len <= width);
    if fits(prefix_len + one_line.len()) {
        return format!("{USAGE_PREFIX}{one_line}\n");
    }
    let lines = if 4 * (prefix_len + PROG.len()) as i64 <= 3 * width {
        // Short program name: the parts continue after it, aligned under the first one.
        let indent = prefix_len + PROG.len() + 1;
        let first: Vec<&str> = std::iter::once(PROG).chain(optionals.iter().copied()).collect();
        let mut lines = wrap_parts(&first, indent, Some(prefix_len), width);
        lines.extend(wrap_parts(positionals, indent, None, width));
        lines
    } else {
        // Otherwise the program name stands alone and the parts go below, under "usage: ".
        let mut lines = wrap_parts(&all, prefix_len, None, width);
        if lines.len() > 1 {
            lines = wrap_parts(optionals, prefix_len, None, width);
            lines.extend(wrap_parts(positionals, prefix_len, None, width));
        }
        lines.insert(0, PROG.to_string());
        lines
    };
    format!("{USAGE_PREFIX}{}\n", lines.join("\n"))
}

/// argparse's `get_lines`: greedy filling; a line already holding a part is closed when the next
/// part would pass `width`. With `first_len`, the first line starts after that many characters
/// and is not indented.
fn wrap_parts(parts: &[&str], indent: usize, first_len: Option<usize>, width: i64) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut line: Vec<&str> = Vec::new();
    let mut line_len = first_len.unwrap_or(indent) as i64 - 1;
    for part in parts {
        if line_len + 1 + part.len() as i64 > width && !line.is_empty() {
            lines.push(format!("{pad}{}", line.join(" ")));
            line.clear();
            line_len = indent as i64 - 1;
        }
        line.push(part);
        line_len += part.len() as i64 + 1;
    }
    if !line.is_empty() {
        lines.push(format!("{pad}{}", line.join(" ")));
    }
    if let (Some(_), Some(first)) = (first_len, lines.first_mut()) {
        first.drain(..indent);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Golden files captured from the reference (fixes applied) by tests/golden/help/capture.sh.
    fn golden(name: &str) -> String {
        let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/help").join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The goldens spell the reference's sys.prefix as `{PREFIX}`.
    fn ctx(spark_home: Option<&str>) -> HelpContext {
        HelpContext { sys_prefix: "{PREFIX}".into(), spark_home: spark_home.map(str::to_string) }
    }

    fn assert_text(actual: &str, expected: &str, what: &str) {
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .map_or(String::new(), |i| format!(" (first difference on line {})", i + 1));
            panic!("{what} differs{line}\n--- actual ---\n{actual}\n--- expected ---\n{expected}");
        }
    }

    #[test]
    fn dispatcher_texts() {
        assert_text(&dispatcher_help(), &golden("dispatcher_help.txt"), "--help");
        assert_text(&dispatcher_help_all(), &golden("dispatcher_help_all.txt"), "--help-all");
        assert_text(&no_subcommand(), &golden("no_subcommand.txt"), "no subcommand");
    }

    #[test]
    fn install_texts_without_spark_home() {
        assert_text(&install_help(&ctx(None)), &golden("install_help.txt"), "install --help");
        let all = install_help_all(&ctx(None));
        assert_text(&all, &golden("install_help_all.txt"), "install --help-all");
    }

    #[test]
    fn install_texts_show_spark_home_as_default() {
        let cases = [
            ("/srv/spark-3.5", "spark_plain"),
            ("/srv/it's spark", "spark_quote"),
            ("", "spark_empty"),
            ("/data/tab\there/\u{e9}\u{200b}/\\x", "spark_escapes"),
            ("/very/long/spark/home/that/is/longer/than/sixty/four/characters/x", "spark_long"),
        ];
        for (spark_home, name) in cases {
            let ctx = ctx(Some(spark_home));
            let help = golden(&format!("install_help_{name}.txt"));
            assert_text(&install_help(&ctx), &help, name);
            let all = golden(&format!("install_help_all_{name}.txt"));
            assert_text(&install_help_all(&ctx), &all, name);
        }
    }

    #[test]
    fn fixes_are_applied() {
        let help = install_help(&HelpContext::default());
        assert!(help.contains(
            "    Number of seconds to wait for the kernel to start before its launch fails\n    (GP_LAUNCH_TIMEOUT env var)\n"
        ));
        assert!(help.contains("--display-name='Python SparkOperator'\n"));
        assert!(!help.contains("Number of ports"));
        assert_eq!(install_help_all(&HelpContext::default()).matches("Number of seconds").count(), 5);
    }

    #[test]
    fn sys_prefix_is_shown_verbatim() {
        let ctx = HelpContext { sys_prefix: "/opt/conda envs/x".into(), spark_home: None };
        let line = "    Equivalent to: [--BaseSpecApp.prefix=/opt/conda envs/x]\n--debug\n";
        assert!(install_help(&ctx).contains(line));
        assert!(install_help_all(&ctx).contains(line));
    }

    #[test]
    fn multi_line_sys_prefix_is_indented_like_traitlets() {
        // Observed with the reference and sys.prefix = '/a\n  \n\tb\n x'.
        let ctx = HelpContext { sys_prefix: "/a\n  \n\tb\n x".into(), spark_home: None };
        let expected = "    Equivalent to: [--BaseSpecApp.prefix=/a\n\n    \tb\n     x]\n--debug\n";
        assert!(install_help(&ctx).contains(expected));
    }

    #[test]
    fn usage_blocks_wrap_like_argparse() {
        for columns in [1, 2, 10, 30, 32, 33, 40, 79, 80, 81, 120, 200, 1000] {
            let expected = golden(&format!("usage_install_{columns}.txt"));
            assert_text(&usage(Some(columns)), &expected, &format!("usage {columns}"));
        }
        for columns in [1, 10, 30, 33, 40, 80] {
            let expected = golden(&format!("usage_dispatcher_{columns}.txt"));
            assert_text(&dispatcher_usage(Some(columns)), &expected, &format!("dispatcher {columns}"));
        }
        assert_eq!(usage(None), usage(Some(80)));
        assert_eq!(usage(Some(usize::MAX)).lines().count(), 1);
    }

    #[test]
    fn columns_follow_python_int_syntax() {
        let cases = [
            (None, None),
            (Some("80"), Some(80)),
            (Some(" 40\n"), Some(40)),
            (Some("+7"), Some(7)),
            (Some("1_000"), Some(1000)),
            (Some("0"), None),
            (Some("-5"), None),
            (Some(""), None),
            (Some("abc"), None),
            (Some("1__0"), None),
            (Some("_1"), None),
            (Some("8 0"), None),
            (Some("99999999999999999999999"), Some(usize::MAX)),
        ];
        for (value, want) in cases {
            assert_eq!(columns_from_env(value), want, "{value:?}");
        }
    }

    #[test]
    fn repr_matches_python() {
        let cases = [
            ("/opt/spark", "'/opt/spark'"),
            ("", "''"),
            ("it's", "\"it's\""),
            ("say \"hi\"", "'say \"hi\"'"),
            ("both ' and \"", "'both \\' and \"'"),
            ("a\\b", "'a\\\\b'"),
            ("t\tn\nr\r", "'t\\tn\\nr\\r'"),
            ("\u{0}\u{1b}\u{7f}\u{85}\u{a0}\u{ad}", "'\\x00\\x1b\\x7f\\x85\\xa0\\xad'"),
            ("é ü 日本 😀", "'é ü 日本 😀'"),
            ("\u{200b}\u{2028}\u{feff}\u{3000}", "'\\u200b\\u2028\\ufeff\\u3000'"),
            ("\u{e000}\u{e0001}\u{10ff7f}", "'\\ue000\\U000e0001\\U0010ff7f'"),
        ];
        for (input, want) in cases {
            assert_eq!(crate::py::repr::str_repr(input), want, "{input:?}");
        }
    }
}
