//! The `install` options of ours that the reference does not have (`--dry-run`, `--json`,
//! `--validate`, and the pod options that `render::pod_template` checks and applies), and the
//! text of `install --help-extensions`. They are taken out of the command line before the
//! reference's parser (`argparse`) sees it, so everything else is parsed exactly as before.

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

pub const DRY_RUN: &str = "--dry-run";
pub const JSON: &str = "--json";
pub const VALIDATE: &str = "--validate";
pub const HELP_EXTENSIONS: &str = "--help-extensions";

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

/// Whether `install --help-extensions` was asked for.
pub fn wants_help(args: &[String]) -> bool {
    args.iter().take_while(|a| *a != "--").any(|a| a == HELP_EXTENSIONS)
}

/// The text of `jupyter-k8s-spec install --help-extensions`.
pub const HELP: &str = "\
Extensions of `jupyter-k8s-spec install` (not in gateway-provisioners 0.5.0)
=============================================================================

--dry-run
    Resolve and check everything a real install does (options, environment,
    config files, kernel name, an existing kernelspec without --replace, the
    destination), then print what would be written instead of writing it: the
    destination, each file with its mode and size, and the kernel.json text.
    Nothing is created, changed or removed, not even parent directories.
--json
    After a successful install print one JSON object on stdout:
    kernel_name, display_name, destination, variant, language, provisioner,
    replaced, dry_run and files (a list of {path, mode, bytes}). With
    --dry-run, describes what would be installed (instead of the text above).
--validate
    Before writing anything, render the kernelspec that would be installed
    (its kernel.json and templates, with the options below applied) as its
    launcher renders it for a launch with default values (those of
    `jupyter-k8s-spec preview`), and check the Pod (for Spark kernelspecs its
    pod template; with --crd the SparkApplication) and any other object it
    creates against the Kubernetes schema shipped with this tool. Each problem
    is logged as an error with its field path, and the install fails (exit
    status 1) with nothing written; an existing kernelspec is left as it is.
    With --dry-run, validates, then prints what would be written.

All three are recognised only as these exact words before any `--`. With
them, errors and log lines on stderr are unchanged (a dry run does not log the
'Removing' and 'Installed' lines of an install that did not happen).

The kernel's pod (each option repeatable, as --opt VALUE or --opt=VALUE):

--toleration KEY[=VALUE]:EFFECT
    Tolerate a node taint, in kubectl's taint syntax: KEY=VALUE:EFFECT gives
    operator Equal, KEY:EFFECT operator Exists. EFFECT is NoSchedule,
    PreferNoSchedule or NoExecute; KEY is a label key ([PREFIX/]NAME), VALUE
    a label value.
--node-selector KEY=VALUE
    Run the kernel only on nodes with this label.
--image-pull-secret NAME
    Pull the kernel image with this Secret (in the kernel's namespace).
--pod-annotation KEY=VALUE
    Annotate the pod; VALUE is any text. The key
    cluster-autoscaler.kubernetes.io/safe-to-evict replaces the template's
    \"false\".
--pod-label KEY=VALUE
    Label the pod. kernel_id, app, component and source are the template's
    own (the provisioner finds the pod by them) and cannot be given.

    These are written into the installed scripts/kernel-pod.yaml.j2 as fixed
    entries, each value a quoted YAML string that neither YAML nor Jinja can
    read as anything else. With --crd they go into the SparkApplication
    template: labels, annotations, tolerations and nodeSelector of the driver
    and of the executors, and the application's imagePullSecrets (the Spark
    operator applies tolerations only with its mutating webhook). With
    --spark alone they are refused: spark-submit creates those pods without
    the template (pass Spark's spark.kubernetes.* settings with
    --extra-spark-opts).

--kernel-pod-template FILE
    Install FILE as scripts/kernel-pod.yaml.j2 instead of ours. It must be
    UTF-8 and a Jinja template that, rendered exactly as the launcher renders
    it for a launch with default values (as `jupyter-k8s-spec preview` does;
    a placeholder the launcher refuses is refused here), gives YAML documents
    the launcher accepts (Pod, Secret, PersistentVolumeClaim,
    PersistentVolume) with exactly one Pod, labelled
    kernel_id: \"{{ kernel_id }}\" and component: kernel, with a first
    container. Otherwise the install fails naming the problem, and nothing is
    written. Not with --spark or --crd, and not together with the options
    above (write those fields into FILE).

A missing value is an error (exit status 2); a bad value or FILE fails the
install (exit status 1) before anything is written. Without any of these
options, install behaves exactly as the reference.

Other extensions: `jupyter-k8s-spec preview --help` (the Pod or SparkApplication
a kernel of an installed kernelspec would be launched as, optionally validated)
and `jupyter-k8s-spec rbac --help` (RBAC objects for the server).
";

// ----- the pod options (checked and applied by `render::pod_template`) -------------------------

pub const TOLERATION: &str = "--toleration";
pub const NODE_SELECTOR: &str = "--node-selector";
pub const IMAGE_PULL_SECRET: &str = "--image-pull-secret";
pub const POD_ANNOTATION: &str = "--pod-annotation";
pub const POD_LABEL: &str = "--pod-label";
pub const KERNEL_POD_TEMPLATE: &str = "--kernel-pod-template";

/// Every option of this module with the form of its value, in the order help texts list them.
pub const OPTIONS: [(&str, &str); 6] = [
    (TOLERATION, "KEY[=VALUE]:EFFECT"),
    (NODE_SELECTOR, "KEY=VALUE"),
    (IMAGE_PULL_SECRET, "NAME"),
    (POD_ANNOTATION, "KEY=VALUE"),
    (POD_LABEL, "KEY=VALUE"),
    (KERNEL_POD_TEMPLATE, "FILE"),
];

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

/// Removes this module's options and their values from `args`: `--opt=VALUE`, or `--opt VALUE`
/// when the next word is a value (not `--` and not starting with `-`; no accepted value starts
/// with `-`, use `--opt=VALUE` for a file name that does). Only these exact option words count,
/// and only before a `--`. The reference would take each of them for an unknown option, so
/// removing them (and their values) changes how no other word is read. The error is the text of
/// a one-line usage error.
pub fn take_pod_options(args: &[String]) -> Result<(Vec<String>, PodArgs), String> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let mut rest = Vec::with_capacity(args.len());
    let mut given = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if i < end {
            if let Some((opt, metavar)) = OPTIONS.iter().find(|(o, _)| arg == o) {
                match args.get(i + 1) {
                    Some(value) if i + 1 < end && !value.starts_with('-') => {
                        given.push((*opt, value.clone()));
                        i += 2;
                        continue;
                    }
                    _ => return Err(format!("argument {opt}: expected one argument ({metavar})")),
                }
            }
            let with_value =
                OPTIONS.iter().find_map(|(o, _)| Some((*o, arg.strip_prefix(o)?.strip_prefix('=')?.to_string())));
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
            assert_eq!(take_pod_options(&words(w)).unwrap_err(), e, "{w:?}");
        }
        assert_eq!(
            take_pod_options(&words(&["--pod-label"])).unwrap_err(),
            "argument --pod-label: expected one argument (KEY=VALUE)"
        );
    }
}
