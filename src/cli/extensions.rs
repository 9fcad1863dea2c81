//! The `install` options of ours that the reference does not have (the entries of
//! `options::OPTIONS` with `Origin::Ours` for `install`: `--dry-run`, `--json`, `--validate`,
//! and the pod options that `render::pod_template` checks and applies). They are taken out of
//! the command line before the reference's parser (`argparse`) sees it, so everything else is
//! parsed exactly as before.

use crate::cli::options::{self, Action, Cmd, Opt, Origin};
pub use crate::cli::options::{
    DRY_RUN, HELP_EXTENSIONS, IMAGE_PULL_SECRET, JSON, KERNEL_POD_TEMPLATE, NODE_SELECTOR, POD_ANNOTATION, POD_LABEL,
    TOLERATION, VALIDATE,
};

/// What the extension flags ask of `install`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct InstallExtensions {
    /// Check and report what would be installed; write nothing.
    pub dry_run: bool,
    /// Print a JSON description of the (would-be) installed kernelspec on stdout.
    pub json: bool,
    /// Render what would be installed as a launch would and check it against the Kubernetes
    /// schema before writing anything.
    pub validate: bool,
}

/// Our options of `install` that take a value (the pod options), in table order.
pub fn pod_options() -> impl Iterator<Item = &'static Opt> {
    options::of(Cmd::Install).filter(|o| o.origin == Origin::Ours && o.action == Action::Value)
}

/// Removes the extension flags from `args` and returns what they ask for. Only these exact
/// words count, and only before a `--` (after it every word is a positional argument). The
/// reference's argparse treats both words as options wherever they appear, never as the value
/// of another option, so removing them changes how no other word is read.
pub fn take(args: &[String]) -> (Vec<String>, InstallExtensions) {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let mut ext = InstallExtensions::default();
    let mut rest = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        match arg.as_str() {
            DRY_RUN if i < end => ext.dry_run = true,
            JSON if i < end => ext.json = true,
            VALIDATE if i < end => ext.validate = true,
            _ => rest.push(arg.clone()),
        }
    }
    (rest, ext)
}

/// Whether `--help-extensions` was asked for.
pub fn wants_help(args: &[String]) -> bool {
    args.iter().take_while(|a| *a != "--").any(|a| a == HELP_EXTENSIONS)
}

// ----- the pod options (checked and applied by `render::pod_template`) -------------------------

/// The options as given: `(option, value)` in command-line order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PodArgs {
    pub given: Vec<(&'static str, String)>,
}

impl PodArgs {
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }
}

/// A pod option at the end of the words, or followed by an option instead of its value: a
/// one-line usage error (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("argument {option}: expected one argument ({metavar})")]
pub struct PodOptionWithoutValue {
    pub option: &'static str,
    pub metavar: &'static str,
}

/// Removes the pod options and their values from `args`: `--opt=VALUE`, or `--opt VALUE`
/// when the next word is a value (not `--` and not starting with `-`; no accepted value starts
/// with `-`, use `--opt=VALUE` for a file name that does). Only these exact option words count,
/// and only before a `--`. The reference would take each of them for an unknown option, so
/// removing them (and their values) changes how no other word is read.
pub fn take_pod_options(args: &[String]) -> Result<(Vec<String>, PodArgs), PodOptionWithoutValue> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let mut rest = Vec::with_capacity(args.len());
    let mut given = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if i < end {
            if let Some(o) = pod_options().find(|o| arg == o.long) {
                match args.get(i + 1) {
                    Some(value) if i + 1 < end && !value.starts_with('-') => {
                        given.push((o.long, value.clone()));
                        i += 2;
                        continue;
                    }
                    _ => return Err(PodOptionWithoutValue { option: o.long, metavar: o.metavar }),
                }
            }
            let with_value =
                pod_options().find_map(|o| Some((o.long, arg.strip_prefix(o.long)?.strip_prefix('=')?.to_string())));
            if let Some(pair) = with_value {
                given.push(pair);
                i += 1;
                continue;
            }
        }
        rest.push(arg.clone());
        i += 1;
    }
    Ok((rest, PodArgs { given }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn only_exact_words_before_double_dash() {
        let (rest, ext) = take(&words(&["--user", "--dry-run", "--json", "--", "--json", "--dry-run"]));
        assert_eq!(rest, words(&["--user", "--", "--json", "--dry-run"]));
        assert_eq!(ext, InstallExtensions { dry_run: true, json: true, validate: false });
        let (rest, ext) = take(&words(&["--validate", "--", "--validate"]));
        assert_eq!(rest, words(&["--", "--validate"]));
        assert_eq!(ext, InstallExtensions { validate: true, ..InstallExtensions::default() });
        let (rest, ext) = take(&words(&["--dry-run=1", "--json=x", "--dry", "--JSON", "dry-run", "--validate=1"]));
        assert_eq!(rest, words(&["--dry-run=1", "--json=x", "--dry", "--JSON", "dry-run", "--validate=1"]));
        assert_eq!(ext, InstallExtensions::default());
        assert!(wants_help(&words(&["--user", "--help-extensions"])));
        assert!(!wants_help(&words(&["--", "--help-extensions"])));
    }

    #[test]
    fn take_removes_options_and_values_before_double_dash() {
        let (rest, pod) = take_pod_options(&words(&[
            "--user",
            "--toleration",
            "gpu:NoSchedule",
            "--node-selector=disk=ssd",
            "--image-pull-secret",
            "regcred",
            "--pod-annotation=a=b=c",
            "--pod-label",
            "team=x",
            "--kernel-pod-template=-odd.j2",
            "--",
            "--toleration",
            "x",
        ]))
        .unwrap();
        assert_eq!(rest, words(&["--user", "--", "--toleration", "x"]));
        assert_eq!(
            pod.given,
            vec![
                (TOLERATION, "gpu:NoSchedule".to_string()),
                (NODE_SELECTOR, "disk=ssd".into()),
                (IMAGE_PULL_SECRET, "regcred".into()),
                (POD_ANNOTATION, "a=b=c".into()),
                (POD_LABEL, "team=x".into()),
                (KERNEL_POD_TEMPLATE, "-odd.j2".into()),
            ]
        );
        // Other spellings are left to the reference's parser.
        let (rest, pod) =
            take_pod_options(&words(&["--tolerations=x", "--Toleration", "--pod-label-x=1", "toleration"])).unwrap();
        assert_eq!(rest, words(&["--tolerations=x", "--Toleration", "--pod-label-x=1", "toleration"]));
        assert!(pod.is_empty());
        // An empty value is a value (and fails its check later).
        let (_, pod) = take_pod_options(&words(&["--pod-label="])).unwrap();
        assert_eq!(pod.given, vec![(POD_LABEL, String::new())]);
    }

    #[test]
    fn take_missing_values() {
        let cases: [(&[&str], &str); 5] = [
            (&["--toleration"], "argument --toleration: expected one argument (KEY[=VALUE]:EFFECT)"),
            (&["--node-selector", "--user"], "argument --node-selector: expected one argument (KEY=VALUE)"),
            (&["--image-pull-secret", "--", "x"], "argument --image-pull-secret: expected one argument (NAME)"),
            (&["--pod-annotation", "-x"], "argument --pod-annotation: expected one argument (KEY=VALUE)"),
            (&["--user", "--kernel-pod-template"], "argument --kernel-pod-template: expected one argument (FILE)"),
        ];
        for (w, e) in cases {
            assert_eq!(take_pod_options(&words(w)).unwrap_err().to_string(), e, "{w:?}");
        }
        assert_eq!(
            take_pod_options(&words(&["--pod-label"])).unwrap_err().to_string(),
            "argument --pod-label: expected one argument (KEY=VALUE)"
        );
    }
}
