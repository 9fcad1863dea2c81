//! Extensions of `install` that shape the kernel's pod: `--toleration`, `--node-selector`,
//! `--image-pull-secret`, `--pod-annotation` and `--pod-label` write fixed entries into the
//! installed template, and `--kernel-pod-template FILE` installs an operator's own pod template
//! after checking that it renders into a Pod the provisioner can find.
//!
//! The options are taken out of the command line before the reference's parser sees them
//! (`cli::extensions::take_pod_options`); their values are checked here once the kernelspec
//! variant is known (`prepare`). The entries are pure text edits of our own templates at
//! fixed lines, every value a YAML double-quoted scalar in which no `{` survives, so neither YAML
//! nor Jinja can read a value as anything but text. Without these options nothing changes.

use std::path::Path;

use crate::cli::extensions::PodArgs;
use crate::cli::options::{
    IMAGE_PULL_SECRET, KERNEL_POD_TEMPLATE, NODE_SELECTOR, POD_ANNOTATION, POD_LABEL, PRIORITY_CLASS_NAME, TOLERATION,
};
use crate::py::repr::str_repr;
use crate::variant::decision::{Plan, Variant};

/// The labels our templates set themselves; the provisioner finds the kernel's pod by
/// `kernel_id` and `component`, and `app` / `source` are part of the contract of the template.
pub const RESERVED_LABELS: [&str; 4] = ["kernel_id", "app", "component", "source"];

/// The annotation both templates set; `--pod-annotation` with this key replaces its value.
const SAFE_TO_EVICT: &str = "cluster-autoscaler.kubernetes.io/safe-to-evict";

/// Kubernetes' limit on the total size of an object's annotations (keys and values).
const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

/// `--kernel-pod-template` files larger than this are refused (ours is 3 KiB).
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// One `--toleration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    /// `Some` for `KEY=VALUE:EFFECT` (operator `Equal`), `None` for `KEY:EFFECT` (`Exists`).
    pub value: Option<String>,
    pub effect: String,
}

/// The checked options.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PodOptions {
    pub tolerations: Vec<Toleration>,
    pub node_selector: Vec<(String, String)>,
    pub image_pull_secrets: Vec<String>,
    pub annotations: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    /// `--priority-class-name`.
    pub priority_class: Option<String>,
    /// `--kernel-pod-template`, as given.
    pub template: Option<String>,
}

impl PodOptions {
    /// Checks every value; the error is one line naming the option and the value.
    pub fn parse(args: &PodArgs) -> Result<PodOptions, PodError> {
        let mut o = PodOptions::default();
        for (opt, value) in &args.given {
            let shown = str_repr(value);
            match *opt {
                TOLERATION => {
                    let t = parse_toleration(value).map_err(|e| PodError::Value(format!("{opt} {shown}: {e}")))?;
                    if o.tolerations.contains(&t) {
                        return Err(PodError::Value(format!("{opt} {shown} is given twice")));
                    }
                    o.tolerations.push(t);
                }
                NODE_SELECTOR | POD_LABEL => {
                    let (k, v) = split_pair(value).map_err(|e| PodError::Value(format!("{opt} {shown}: {e}")))?;
                    check_qualified_name(k)
                        .map_err(|e| PodError::Value(format!("{opt} {shown}: invalid key {}: {e}", str_repr(k))))?;
                    check_label_value(v)
                        .map_err(|e| PodError::Value(format!("{opt} {shown}: invalid value {}: {e}", str_repr(v))))?;
                    if *opt == POD_LABEL && RESERVED_LABELS.contains(&k) {
                        return Err(PodError::Value(format!(
                            "{opt} {shown}: the label {} is set by the kernelspec's template \
                             (kernel_id, app, component and source are reserved)",
                            str_repr(k)
                        )));
                    }
                    let list = if *opt == POD_LABEL { &mut o.labels } else { &mut o.node_selector };
                    if list.iter().any(|(have, _)| have == k) {
                        return Err(PodError::Value(format!("{opt}: the key {} is given twice", str_repr(k))));
                    }
                    list.push((k.to_string(), v.to_string()));
                }
                IMAGE_PULL_SECRET => {
                    check_dns_subdomain(value)
                        .map_err(|e| PodError::Value(format!("{opt} {shown}: not a valid Secret name: it {e}")))?;
                    if o.image_pull_secrets.contains(value) {
                        return Err(PodError::Value(format!("{opt} {shown} is given twice")));
                    }
                    o.image_pull_secrets.push(value.clone());
                }
                POD_ANNOTATION => {
                    let (k, v) =
                        split_pair(value).map_err(|e| PodError::Value(format!("{opt} {}: {e}", str_repr(value))))?;
                    check_qualified_name(k)
                        .map_err(|e| PodError::Value(format!("{opt} {shown}: invalid key {}: {e}", str_repr(k))))?;
                    if o.annotations.iter().any(|(have, _)| have == k) {
                        return Err(PodError::Value(format!("{opt}: the key {} is given twice", str_repr(k))));
                    }
                    o.annotations.push((k.to_string(), v.to_string()));
                }
                PRIORITY_CLASS_NAME => {
                    check_dns_subdomain(value).map_err(|e| {
                        PodError::Value(format!("{opt} {shown}: not a valid PriorityClass name: it {e}"))
                    })?;
                    if o.priority_class.is_some() {
                        return Err(PodError::Value(format!("{opt} is given twice")));
                    }
                    o.priority_class = Some(value.clone());
                }
                KERNEL_POD_TEMPLATE => {
                    if o.template.is_some() {
                        return Err(PodError::Value(format!("{opt} is given twice")));
                    }
                    if value.is_empty() {
                        return Err(PodError::Value(format!("{opt} '': expected a file name")));
                    }
                    o.template = Some(value.clone());
                }
                // An option of the table without its effect here; `every_pod_option_has_its_effect`
                // keeps this from happening.
                other => return Err(PodError::Value(format!("{other} is not applied to the pod"))),
            }
        }
        let total: usize = o.annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
        if total > MAX_ANNOTATIONS_BYTES {
            return Err(PodError::Value(format!(
                "{POD_ANNOTATION}: the annotations add up to {total} bytes; Kubernetes allows at most {MAX_ANNOTATIONS_BYTES}"
            )));
        }
        Ok(o)
    }

    fn has_entries(&self) -> bool {
        !(self.tolerations.is_empty()
            && self.node_selector.is_empty()
            && self.image_pull_secrets.is_empty()
            && self.annotations.is_empty()
            && self.labels.is_empty()
            && self.priority_class.is_none())
    }
}

/// What the options change in a kernelspec: the new text of one of its files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Customisation {
    /// `(path inside the kernelspec, new bytes)`.
    pub replaced: Option<(&'static str, Vec<u8>)>,
}

impl Customisation {
    /// `files` with the replaced file's bytes swapped in.
    pub fn apply<'a>(
        &'a self,
        files: Vec<crate::variant::assets::File<'static>>,
    ) -> Vec<crate::variant::assets::File<'a>> {
        files
            .into_iter()
            .map(|f| match &self.replaced {
                Some((path, bytes)) if *path == f.path => crate::variant::assets::File { bytes: bytes.as_slice(), ..f },
                _ => f,
            })
            .collect()
    }
}

const POD_TEMPLATE_PATH: &str = "scripts/kernel-pod.yaml.j2";
const SPARK_APPLICATION_PATH: &str = "scripts/sparkoperator.k8s.io-v1beta2.yaml.j2";

/// Why the pod options cannot be applied to the kernelspec being installed: one line for the
/// log, naming the option (and the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PodError {
    /// A value the option does not take, one given twice, or annotations too large in all.
    #[error("{0}")]
    Value(String),
    #[error(
        "{option} has no effect with --spark: spark-submit creates the kernel's pods and does not \
         use scripts/kernel-pod.yaml.j2 (pass Spark's spark.kubernetes.* settings with --extra-spark-opts)"
    )]
    Spark { option: &'static str },
    #[error(
        "{KERNEL_POD_TEMPLATE}: a Spark operator kernelspec (--crd) has no pod template \
         (its scripts/sparkoperator.k8s.io-v1beta2.yaml.j2 describes a SparkApplication)"
    )]
    TemplateOnCrd,
    #[error("{KERNEL_POD_TEMPLATE} cannot be combined with {other}: write those fields into the template")]
    TemplateWithOthers { other: &'static str },
    /// The `--kernel-pod-template` file cannot be read, or is not a template the launcher takes.
    #[error("{KERNEL_POD_TEMPLATE} {file}: {problem}")]
    Template { file: String, problem: String },
}

/// Checks the options against the kernelspec being installed (`plan`, directory name `name`,
/// its kernel.json `kernel_json`) and produces the changed template. `cwd` resolves a relative
/// `--kernel-pod-template`.
pub fn prepare(
    args: &PodArgs,
    plan: &Plan,
    name: &str,
    kernel_json: &serde_json::Value,
    cwd: &Path,
) -> Result<Customisation, PodError> {
    let Some((first, _)) = args.given.first() else {
        return Ok(Customisation::default());
    };
    if let Variant::Spark(_) = plan.variant {
        return Err(PodError::Spark { option: first });
    }
    let template_given = args.given.iter().any(|(o, _)| *o == KERNEL_POD_TEMPLATE);
    if template_given {
        if plan.variant == Variant::SparkOperator {
            return Err(PodError::TemplateOnCrd);
        }
        if let Some((other, _)) = args.given.iter().find(|(o, _)| *o != KERNEL_POD_TEMPLATE) {
            return Err(PodError::TemplateWithOthers { other });
        }
    }
    let options = PodOptions::parse(args)?;
    if let Some(file) = &options.template {
        let problem = |problem| PodError::Template { file: file.clone(), problem };
        let bytes = read_template(file, cwd).map_err(problem)?;
        check_pod_template(&bytes, kernel_json, name).map_err(problem)?;
        return Ok(Customisation { replaced: Some((POD_TEMPLATE_PATH, bytes)) });
    }
    if !options.has_entries() {
        return Ok(Customisation::default());
    }
    let replaced = match plan.variant {
        Variant::SparkOperator => {
            let stock = find_stock(plan.variant, SPARK_APPLICATION_PATH);
            (SPARK_APPLICATION_PATH, edit_spark_application(stock, &options).into_bytes())
        }
        _ => {
            let stock = find_stock(plan.variant, POD_TEMPLATE_PATH);
            (POD_TEMPLATE_PATH, edit_kernel_pod(stock, &options).into_bytes())
        }
    };
    Ok(Customisation { replaced: Some(replaced) })
}

fn find_stock(variant: Variant, path: &str) -> &'static str {
    let file = crate::variant::assets::files(variant)
        .into_iter()
        .find(|f| f.path == path)
        .expect("the variant ships the file");
    std::str::from_utf8(file.bytes).expect("our templates are UTF-8")
}

// ----- values -------------------------------------------------------------------------------------

fn split_pair(value: &str) -> Result<(&str, &str), String> {
    value.split_once('=').ok_or_else(|| "expected KEY=VALUE".to_string())
}

fn parse_toleration(value: &str) -> Result<Toleration, String> {
    const FORM: &str = "expected KEY[=VALUE]:EFFECT";
    let (left, effect) = value.rsplit_once(':').ok_or_else(|| FORM.to_string())?;
    if !EFFECTS.contains(&effect) {
        return Err(format!("the effect must be NoSchedule, PreferNoSchedule or NoExecute, not {}", str_repr(effect)));
    }
    let (key, val) = match left.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (left, None),
    };
    check_qualified_name(key).map_err(|e| format!("invalid key {}: {e}", str_repr(key)))?;
    if let Some(v) = val {
        check_label_value(v).map_err(|e| format!("invalid value {}: {e}", str_repr(v)))?;
    }
    Ok(Toleration { key: key.to_string(), value: val.map(str::to_string), effect: effect.to_string() })
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label or annotation key (Kubernetes' "qualified name"): an optional DNS subdomain prefix and
/// `/`, then a name of at most 63 characters.
fn check_qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if key.is_empty() {
        return Err("it must not be empty".into());
    }
    if name.contains('/') {
        return Err("it must be NAME or PREFIX/NAME, with one '/'".into());
    }
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err("the prefix before '/' must not be empty".into());
        }
        check_dns_subdomain(p).map_err(|e| format!("the prefix {}: it {e}", str_repr(p)))?;
    }
    if name.is_empty() {
        return Err("the name must not be empty".into());
    }
    if name.len() > 63 {
        return Err("the name must be at most 63 characters".into());
    }
    if !is_label_name(name) {
        return Err("the name must consist of letters, digits, '-', '_' or '.', \
                    and start and end with a letter or digit"
            .into());
    }
    Ok(())
}

/// A label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends.
fn check_label_value(value: &str) -> Result<(), String> {
    if value.len() > 63 {
        return Err("it must be at most 63 characters".into());
    }
    if !value.is_empty() && !is_label_name(value) {
        return Err("it must consist of letters, digits, '-', '_' or '.', \
                    and start and end with a letter or digit (or be empty)"
            .into());
    }
    Ok(())
}

/// A DNS-1123 subdomain (names of Secrets, label key prefixes). The error continues "it ...".
fn check_dns_subdomain(s: &str) -> Result<(), String> {
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    };
    if s.is_empty() || s.len() > 253 || !s.split('.').all(label_ok) {
        return Err("must be a DNS subdomain: at most 253 characters, lower-case letters, digits, '-' and '.', \
                    starting and ending with a letter or digit"
            .into());
    }
    Ok(())
}

// ----- template text --------------------------------------------------------------------------------

/// `s` as a YAML double-quoted scalar that is also plain Jinja text: escaped as the launcher
/// escapes values (`kernel_template::dq_escape`), and every `{` written `\x7B`, so no `{{`, `{%`
/// or `{#` can start Jinja syntax. YAML reads the original string back.
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", crate::launch::template::dq_escape(s).replace('{', "\\x7B"))
}

fn map_entries(indent: usize, entries: &[(String, String)]) -> String {
    let pad = " ".repeat(indent);
    entries.iter().map(|(k, v)| format!("{pad}{}: {}\n", quoted(k), quoted(v))).collect()
}

/// `tolerations:` and `nodeSelector:` of a pod spec (or a Spark operator pod section).
fn scheduling(indent: usize, o: &PodOptions) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    if !o.tolerations.is_empty() {
        out.push_str(&format!("{pad}tolerations:\n"));
        for t in &o.tolerations {
            out.push_str(&format!("{pad}- key: {}\n", quoted(&t.key)));
            match &t.value {
                Some(v) => {
                    out.push_str(&format!("{pad}  operator: \"Equal\"\n"));
                    out.push_str(&format!("{pad}  value: {}\n", quoted(v)));
                }
                None => out.push_str(&format!("{pad}  operator: \"Exists\"\n")),
            }
            out.push_str(&format!("{pad}  effect: {}\n", quoted(&t.effect)));
        }
    }
    if !o.node_selector.is_empty() {
        out.push_str(&format!("{pad}nodeSelector:\n"));
        out.push_str(&map_entries(indent + 2, &o.node_selector));
    }
    if let Some(name) = &o.priority_class {
        out.push_str(&format!("{pad}priorityClassName: {}\n", quoted(name)));
    }
    out
}

/// Inserts `lines` after the line `anchor` (which must occur exactly once, as a whole line).
fn insert_after(text: &mut String, anchor: &str, lines: &str) {
    let at = line_position(text, anchor) + anchor.len();
    text.insert_str(at, lines);
}

fn replace_line(text: &mut String, old: &str, new: &str) {
    let at = line_position(text, old);
    text.replace_range(at..at + old.len(), new);
}

fn line_position(text: &str, line: &str) -> usize {
    let found: Vec<usize> =
        text.match_indices(line).map(|(i, _)| i).filter(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n').collect();
    assert_eq!(found.len(), 1, "the template has the line {line:?} exactly once");
    found[0]
}

/// The annotations in a map that already holds the safe-to-evict annotation at `indent`: a
/// given safe-to-evict replaces its value, the others follow it.
fn annotate(text: &mut String, indent: usize, annotations: &[(String, String)]) {
    let pad = " ".repeat(indent);
    let stock = format!("{pad}{SAFE_TO_EVICT}: \"false\"\n");
    let (evict, others): (Vec<_>, Vec<_>) = annotations.iter().cloned().partition(|(k, _)| k == SAFE_TO_EVICT);
    insert_after(text, &stock, &map_entries(indent, &others));
    if let Some((_, v)) = evict.first() {
        replace_line(text, &stock, &format!("{pad}{SAFE_TO_EVICT}: {}\n", quoted(v)));
    }
}

/// Our `kernel-pod.yaml.j2` with the options' entries: labels and annotations added to the maps
/// under `metadata`, `tolerations`, `nodeSelector` and `imagePullSecrets` after
/// `restartPolicy` (outside every Jinja block, so they are there whatever the launch variables).
pub fn edit_kernel_pod(stock: &str, o: &PodOptions) -> String {
    let mut text = stock.to_string();
    let mut spec = scheduling(2, o);
    if !o.image_pull_secrets.is_empty() {
        spec.push_str("  imagePullSecrets:\n");
        for s in &o.image_pull_secrets {
            spec.push_str(&format!("  - name: {}\n", quoted(s)));
        }
    }
    insert_after(&mut text, "  restartPolicy: Never\n", &spec);
    annotate(&mut text, 4, &o.annotations);
    insert_after(&mut text, "    source: kernel-pod.yaml\n", &map_entries(4, &o.labels));
    text
}

/// Our SparkApplication template with the options' entries, in the Spark operator's v1beta2
/// fields: labels, annotations, `tolerations` and `nodeSelector` of both `driver` and
/// `executor`, and `imagePullSecrets` (a list of names) of the application.
pub fn edit_spark_application(stock: &str, o: &PodOptions) -> String {
    let mut text = stock.to_string();
    // Executor first: its anchor follows the driver's, whose insertions would not move it anyway.
    let mut executor = map_entries(6, &o.labels);
    if !o.annotations.is_empty() {
        executor.push_str("    annotations:\n");
        executor.push_str(&map_entries(6, &o.annotations));
    }
    executor.push_str(&scheduling(4, o));
    insert_after(&mut text, "      component: worker\n", &executor);
    let driver = map_entries(6, &o.labels) + &scheduling(4, o);
    insert_after(&mut text, "      component: kernel\n", &driver);
    annotate(&mut text, 6, &o.annotations);
    if !o.image_pull_secrets.is_empty() {
        let mut secrets = "  imagePullSecrets:\n".to_string();
        for s in &o.image_pull_secrets {
            secrets.push_str(&format!("  - {}\n", quoted(s)));
        }
        insert_after(&mut text, "  image: \"{{ kernel_image }}\"\n", &secrets);
    }
    text
}

// ----- --kernel-pod-template ------------------------------------------------------------------------

fn read_template(file: &str, cwd: &Path) -> Result<Vec<u8>, String> {
    let path = cwd.join(file);
    let meta = std::fs::metadata(&path).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(format!("{} bytes is too large for a pod template (at most {MAX_TEMPLATE_BYTES})", meta.len()));
    }
    std::fs::read(&path).map_err(|e| format!("cannot read it: {e}"))
}

/// The kernel id a template is tried with: one no template writes by itself, so a Pod labelled
/// with it got the label from `{{ kernel_id }}`.
pub const SAMPLE_KERNEL_ID: &str = "0d7a5e2c-4f1b-4c8e-9a3d-6b2f8e1c5a70";

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks an operator's pod template for the kernelspec whose kernel.json is `kernel_json`
/// (directory name `name`): UTF-8, and, rendered exactly as our launcher renders it at a launch
/// with default values (`preview::render_kernelspec`: the launch environment, YAML-typed
/// variables, per-context escaping, the env list of the kernel container), YAML documents the
/// launcher accepts, exactly one of them a Pod that carries the labels the provisioner finds it
/// by and has a first container. A template the launcher refuses is refused here.
fn check_pod_template(bytes: &[u8], kernel_json: &serde_json::Value, name: &str) -> Result<(), String> {
    use crate::launch::simulate::{Documents, LaunchError};
    let source = std::str::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (invalid bytes at offset {})", e.valid_up_to()))?;
    let file = POD_TEMPLATE_PATH.trim_start_matches("scripts/");
    let template = |wanted: &str| {
        if wanted == file {
            Ok(source.to_string())
        } else {
            Err(LaunchError::Refused(format!("the kernelspec renders scripts/{wanted}, not {POD_TEMPLATE_PATH}")))
        }
    };
    // The checks of ours run on the parsed documents, before the launcher's; their errors are
    // reported as they are, the launcher's as "rendering it failed".
    let inspect = |documents: &Documents| check_pod_documents(documents).map_err(LaunchError::Inspected);
    let kernelspec = crate::launch::simulate::Kernelspec {
        kernel_json,
        json_path: "kernel.json",
        shown: name,
        name,
        template: &template,
        has_pod_template: true,
        inspect: Some(&inspect),
    };
    let given = [("KERNEL_ID".to_string(), SAMPLE_KERNEL_ID.to_string())];
    match crate::launch::simulate::render_kernelspec(&kernelspec, &given, &|_| None) {
        Ok(_) => Ok(()),
        Err(LaunchError::Inspected(problem)) => Err(problem),
        Err(LaunchError::NotYaml { error, .. }) => {
            Err(format!("rendered with sample values, it is not valid YAML: {}", one_line(&error.to_string())))
        }
        Err(e @ LaunchError::Refused(_)) => Err(format!("rendering it failed: {}", one_line(&e.to_string()))),
    }
}

/// The checks of `check_pod_template` on the rendered documents (numbered from 1).
fn check_pod_documents(documents: &crate::launch::simulate::Documents) -> Result<(), String> {
    use crate::launch::yaml::py_str;
    use crate::py::value::Value;
    let mut pods = Vec::new();
    for (n, doc) in documents {
        let Some(kind) = doc.get("kind").filter(|k| k.truthy()) else {
            return Err(format!("rendered with sample values, its YAML document {n} has no kind"));
        };
        let kind = py_str(kind).unwrap_or_default();
        match kind.as_str() {
            "Pod" => pods.push(doc),
            "Secret" | "PersistentVolumeClaim" | "PersistentVolume" => {}
            other => {
                return Err(format!(
                    "rendered with sample values, its YAML document {n} is a {}; the launcher creates \
                     only Pod, Secret, PersistentVolumeClaim and PersistentVolume objects",
                    str_repr(other)
                ))
            }
        }
    }
    let pod = match pods.as_slice() {
        [pod] => *pod,
        [] => return Err("rendered with sample values, it has no Pod (kind: Pod)".into()),
        _ => return Err(format!("rendered with sample values, it has {} Pods; the launcher expects one", pods.len())),
    };
    let label =
        |key: &str| pod.get("metadata").and_then(|m| m.get("labels")).and_then(|l| l.get(key)).and_then(Value::as_str);
    if label("kernel_id") != Some(SAMPLE_KERNEL_ID) {
        return Err("the Pod must have the label kernel_id: \"{{ kernel_id }}\" \
                    (the provisioner finds the kernel's pod by it)"
            .into());
    }
    if label("component") != Some("kernel") {
        return Err(
            "the Pod must have the label component: kernel (the provisioner finds the kernel's pod by it)".into()
        );
    }
    let containers = pod.get("spec").and_then(|s| s.get("containers"));
    if !matches!(containers, Some(Value::List(items)) if matches!(items.first(), Some(Value::Dict(_)))) {
        return Err(
            "the Pod has no spec.containers[0] (the kernel container, which the launcher gives its environment)".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::decision::Language;

    fn args(pairs: &[(&'static str, &str)]) -> PodArgs {
        PodArgs { given: pairs.iter().map(|(o, v)| (*o, v.to_string())).collect() }
    }

    fn err(pairs: &[(&'static str, &str)]) -> String {
        PodOptions::parse(&args(pairs)).unwrap_err().to_string()
    }

    #[test]
    fn valid_values() {
        let o = PodOptions::parse(&args(&[
            (TOLERATION, "dedicated=jupyter:NoSchedule"),
            (TOLERATION, "example.com/gpu:NoExecute"),
            (TOLERATION, "k=:PreferNoSchedule"),
            (NODE_SELECTOR, "kubernetes.io/arch=amd64"),
            (NODE_SELECTOR, "empty="),
            (IMAGE_PULL_SECRET, "regcred"),
            (IMAGE_PULL_SECRET, "a.b-c"),
            (POD_ANNOTATION, "note=any \"text\"\n{{ x }}=é"),
            (POD_LABEL, "team=data_science-1.0"),
            (POD_LABEL, "a.example/app=x"),
        ]))
        .unwrap();
        let t = |k: &str, v: Option<&str>, e: &str| Toleration {
            key: k.into(),
            value: v.map(str::to_string),
            effect: e.into(),
        };
        assert_eq!(
            o.tolerations,
            vec![
                t("dedicated", Some("jupyter"), "NoSchedule"),
                t("example.com/gpu", None, "NoExecute"),
                t("k", Some(""), "PreferNoSchedule")
            ]
        );
        assert_eq!(o.node_selector, vec![("kubernetes.io/arch".into(), "amd64".into()), ("empty".into(), "".into())]);
        assert_eq!(o.image_pull_secrets, vec!["regcred".to_string(), "a.b-c".into()]);
        assert_eq!(o.annotations, vec![("note".into(), "any \"text\"\n{{ x }}=é".into())]);
        assert_eq!(o.labels, vec![("team".into(), "data_science-1.0".into()), ("a.example/app".into(), "x".into())]);
        let long = "a".repeat(63);
        assert!(PodOptions::parse(&args(&[(POD_LABEL, &format!("{long}={long}"))])).is_ok());
        let prefix = format!("{}.example", "b".repeat(60));
        assert!(PodOptions::parse(&args(&[(POD_LABEL, &format!("{prefix}/x=1"))])).is_ok());
    }

    #[test]
    fn bad_values_are_one_line_errors() {
        let name_rule =
            "the name must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
        let value_rule = "it must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (or be empty)";
        let dns_rule = "must be a DNS subdomain: at most 253 characters, lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
        let cases: Vec<(Vec<(&'static str, String)>, String)> = vec![
            (vec![(TOLERATION, "gpu".into())], "--toleration 'gpu': expected KEY[=VALUE]:EFFECT".into()),
            (
                vec![(TOLERATION, "gpu:noschedule".into())],
                "--toleration 'gpu:noschedule': the effect must be NoSchedule, PreferNoSchedule or NoExecute, not 'noschedule'".into(),
            ),
            (
                vec![(TOLERATION, ":NoSchedule".into())],
                "--toleration ':NoSchedule': invalid key '': it must not be empty".into(),
            ),
            (
                vec![(TOLERATION, "a b=c:NoSchedule".into())],
                format!("--toleration 'a b=c:NoSchedule': invalid key 'a b': {name_rule}"),
            ),
            (
                vec![(TOLERATION, "k=a b:NoSchedule".into())],
                format!("--toleration 'k=a b:NoSchedule': invalid value 'a b': {value_rule}"),
            ),
            (
                vec![(TOLERATION, "k:NoSchedule".into()), (TOLERATION, "k:NoSchedule".into())],
                "--toleration 'k:NoSchedule' is given twice".into(),
            ),
            (vec![(NODE_SELECTOR, "disk".into())], "--node-selector 'disk': expected KEY=VALUE".into()),
            (
                vec![(NODE_SELECTOR, "-disk=ssd".into())],
                format!("--node-selector '-disk=ssd': invalid key '-disk': {name_rule}"),
            ),
            (
                vec![(NODE_SELECTOR, format!("k={}", "v".repeat(64)))],
                format!("--node-selector 'k={}': invalid value '{}': it must be at most 63 characters", "v".repeat(64), "v".repeat(64)),
            ),
            (
                vec![(NODE_SELECTOR, "a=1".into()), (NODE_SELECTOR, "a=2".into())],
                "--node-selector: the key 'a' is given twice".into(),
            ),
            (
                vec![(NODE_SELECTOR, "Example.com/x=1".into())],
                format!("--node-selector 'Example.com/x=1': invalid key 'Example.com/x': the prefix 'Example.com': it {dns_rule}"),
            ),
            (
                vec![(NODE_SELECTOR, "/x=1".into())],
                "--node-selector '/x=1': invalid key '/x': the prefix before '/' must not be empty".into(),
            ),
            (
                vec![(NODE_SELECTOR, "a/b/c=1".into())],
                "--node-selector 'a/b/c=1': invalid key 'a/b/c': it must be NAME or PREFIX/NAME, with one '/'".into(),
            ),
            (
                vec![(NODE_SELECTOR, "a/=1".into())],
                "--node-selector 'a/=1': invalid key 'a/': the name must not be empty".into(),
            ),
            (
                vec![(POD_LABEL, format!("{}=1", "n".repeat(64)))],
                format!("--pod-label '{}=1': invalid key '{}': the name must be at most 63 characters", "n".repeat(64), "n".repeat(64)),
            ),
            (
                vec![(POD_LABEL, "component=x".into())],
                "--pod-label 'component=x': the label 'component' is set by the kernelspec's template (kernel_id, app, component and source are reserved)".into(),
            ),
            (
                vec![(POD_LABEL, "team=a\"b".into())],
                format!("--pod-label 'team=a\"b': invalid value 'a\"b': {value_rule}"),
            ),
            (vec![(POD_LABEL, "".into())], "--pod-label '': expected KEY=VALUE".into()),
            (
                vec![(IMAGE_PULL_SECRET, "RegCred".into())],
                format!("--image-pull-secret 'RegCred': not a valid Secret name: it {dns_rule}"),
            ),
            (
                vec![(IMAGE_PULL_SECRET, "a..b".into())],
                format!("--image-pull-secret 'a..b': not a valid Secret name: it {dns_rule}"),
            ),
            (
                vec![(IMAGE_PULL_SECRET, "r".into()), (IMAGE_PULL_SECRET, "r".into())],
                "--image-pull-secret 'r' is given twice".into(),
            ),
            (vec![(POD_ANNOTATION, "note".into())], "--pod-annotation 'note': expected KEY=VALUE".into()),
            (
                vec![(POD_ANNOTATION, "no te=x".into())],
                format!("--pod-annotation 'no te=x': invalid key 'no te': {name_rule}"),
            ),
            (
                vec![(POD_ANNOTATION, "a=1".into()), (POD_ANNOTATION, "a=2".into())],
                "--pod-annotation: the key 'a' is given twice".into(),
            ),
            (
                vec![(POD_ANNOTATION, format!("a={}", "x".repeat(200_000))), (POD_ANNOTATION, format!("b={}", "x".repeat(100_000)))],
                "--pod-annotation: the annotations add up to 300002 bytes; Kubernetes allows at most 262144".into(),
            ),
            (
                vec![(KERNEL_POD_TEMPLATE, "a".into()), (KERNEL_POD_TEMPLATE, "b".into())],
                "--kernel-pod-template is given twice".into(),
            ),
            (vec![(KERNEL_POD_TEMPLATE, "".into())], "--kernel-pod-template '': expected a file name".into()),
        ];
        for (given, expected) in cases {
            let pairs: Vec<(&'static str, &str)> = given.iter().map(|(o, v)| (*o, v.as_str())).collect();
            let e = err(&pairs);
            assert_eq!(e, expected);
            assert!(!e.contains('\n'), "{e}");
        }
        // A newline in a value is shown escaped, never as a line break.
        assert_eq!(err(&[(NODE_SELECTOR, "a\nb")]), "--node-selector 'a\\nb': expected KEY=VALUE");
    }

    #[test]
    fn priority_class_name() {
        let o = PodOptions::parse(&args(&[(PRIORITY_CLASS_NAME, "interactive-high")])).unwrap();
        assert_eq!(o.priority_class.as_deref(), Some("interactive-high"));
        assert_eq!(
            err(&[(PRIORITY_CLASS_NAME, "High")]),
            "--priority-class-name 'High': not a valid PriorityClass name: it must be a DNS subdomain: at most 253 \
             characters, lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
        );
        assert_eq!(
            err(&[(PRIORITY_CLASS_NAME, "a"), (PRIORITY_CLASS_NAME, "b")]),
            "--priority-class-name is given twice"
        );
        // In the pod spec after the other scheduling fields; in the driver and the executor.
        let text =
            prepared(Variant::Container(Language::Python), &[(NODE_SELECTOR, "d=s"), (PRIORITY_CLASS_NAME, "p")]);
        assert!(text
            .unwrap()
            .contains("  restartPolicy: Never\n  nodeSelector:\n    \"d\": \"s\"\n  priorityClassName: \"p\"\n"));
        let pod = rendered(
            Variant::Container(Language::Python),
            &prepared(Variant::Container(Language::Python), &[(PRIORITY_CLASS_NAME, "p")]).unwrap(),
            &[],
        );
        assert_eq!(pod["spec"]["priorityClassName"].as_str(), Some("p"));
        let app = prepared(Variant::SparkOperator, &[(PRIORITY_CLASS_NAME, "p")]).unwrap();
        let app = rendered(Variant::SparkOperator, &app, &[]);
        for section in ["driver", "executor"] {
            assert_eq!(app["spec"][section]["priorityClassName"].as_str(), Some("p"), "{section}");
        }
        assert!(prepared(Variant::Spark(Language::Python), &[(PRIORITY_CLASS_NAME, "p")]).is_err());
    }

    /// Each pod option of the option table (`cli::extensions::pod_options`) changes the
    /// template: an option added to the table without its effect fails here.
    #[test]
    fn every_pod_option_has_its_effect() {
        let sample = |metavar: &str| match metavar {
            "KEY[=VALUE]:EFFECT" => "k=v:NoSchedule",
            "KEY=VALUE" => "team=ds",
            "FILE" => "t.j2",
            _ => "name-1",
        };
        for o in crate::cli::extensions::pod_options() {
            let parsed =
                PodOptions::parse(&args(&[(o.long, sample(o.metavar))])).unwrap_or_else(|e| panic!("{}: {e}", o.long));
            assert!(parsed.has_entries() || parsed.template.is_some(), "{}: no effect", o.long);
        }
    }

    #[test]
    fn quoting_is_yaml_and_not_jinja() {
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted("l1\nl2\tx\r"), r#""l1\nl2\tx\r""#);
        assert_eq!(quoted("{{ x }} {% if %} {# c #}"), r#""\x7B\x7B x }} \x7B% if %} \x7B# c #}""#);
        assert_eq!(quoted("\u{1}\u{7f}\u{85}\u{2028}\u{feff}é😀"), r#""\x01\x7F\x85\u2028\uFEFFé😀""#);
        let v = "\u{10ffff}";
        assert_eq!(quoted(v), format!("\"{v}\""));
    }

    fn plan(variant: Variant) -> Plan {
        Plan {
            variant,
            kernel_name: "k".into(),
            display_name: "K".into(),
            image_name: "elyra/kernel-py:0.5.0".into(),
            executor_image_name: None,
            spark_init_mode: "lazy".into(),
            extra_spark_opts: String::new(),
            ipykernel_subclass_name: "ipykernel.ipkernel.IPythonKernel".into(),
            warnings: vec![],
        }
    }

    fn prepared(variant: Variant, pairs: &[(&'static str, &str)]) -> Result<String, String> {
        let c = prepare(&args(pairs), &plan(variant), "k", &kernel_json(variant), Path::new("/"))
            .map_err(|e| e.to_string())?;
        Ok(c.replaced.map(|(_, b)| String::from_utf8(b).unwrap()).unwrap_or_default())
    }

    #[test]
    fn variant_rules() {
        let py = Variant::Container(Language::Python);
        assert_eq!(
            prepare(&PodArgs::default(), &plan(py), "k", &kernel_json(py), Path::new("/")).unwrap(),
            Customisation::default()
        );
        assert_eq!(
            prepared(Variant::Spark(Language::R), &[(POD_LABEL, "bad")]).unwrap_err(),
            "--pod-label has no effect with --spark: spark-submit creates the kernel's pods and does not use \
             scripts/kernel-pod.yaml.j2 (pass Spark's spark.kubernetes.* settings with --extra-spark-opts)"
        );
        assert_eq!(
            prepared(Variant::SparkOperator, &[(KERNEL_POD_TEMPLATE, "t.j2")]).unwrap_err(),
            "--kernel-pod-template: a Spark operator kernelspec (--crd) has no pod template \
             (its scripts/sparkoperator.k8s.io-v1beta2.yaml.j2 describes a SparkApplication)"
        );
        assert_eq!(
            prepared(py, &[(KERNEL_POD_TEMPLATE, "t.j2"), (NODE_SELECTOR, "a=b")]).unwrap_err(),
            "--kernel-pod-template cannot be combined with --node-selector: write those fields into the template"
        );
        assert_eq!(
            prepared(py, &[(KERNEL_POD_TEMPLATE, "/nonexistent/t.j2")]).unwrap_err(),
            "--kernel-pod-template /nonexistent/t.j2: cannot read it: No such file or directory (os error 2)"
        );
    }

    const ALL: &[(&str, &str)] = &[
        (TOLERATION, "dedicated=jupyter:NoSchedule"),
        (TOLERATION, "example.com/gpu:NoExecute"),
        (NODE_SELECTOR, "disktype=ssd"),
        (IMAGE_PULL_SECRET, "regcred"),
        (IMAGE_PULL_SECRET, "other"),
        (POD_ANNOTATION, "note={{ x }} {% if %}\"\\\n"),
        (POD_ANNOTATION, "cluster-autoscaler.kubernetes.io/safe-to-evict=true"),
        (POD_LABEL, "team=ds"),
    ];

    #[test]
    fn kernel_pod_text() {
        let text = prepared(Variant::Container(Language::R), ALL).unwrap();
        let stock = find_stock(Variant::Container(Language::R), POD_TEMPLATE_PATH);
        let expected = stock
            .replace(
                "    source: kernel-pod.yaml\n  annotations:\n    cluster-autoscaler.kubernetes.io/safe-to-evict: \"false\"\n",
                concat!(
                    "    source: kernel-pod.yaml\n",
                    "    \"team\": \"ds\"\n",
                    "  annotations:\n",
                    "    cluster-autoscaler.kubernetes.io/safe-to-evict: \"true\"\n",
                    "    \"note\": \"\\x7B\\x7B x }} \\x7B% if %}\\\"\\\\\\n\"\n",
                ),
            )
            .replace(
                "  restartPolicy: Never\n",
                concat!(
                    "  restartPolicy: Never\n",
                    "  tolerations:\n",
                    "  - key: \"dedicated\"\n",
                    "    operator: \"Equal\"\n",
                    "    value: \"jupyter\"\n",
                    "    effect: \"NoSchedule\"\n",
                    "  - key: \"example.com/gpu\"\n",
                    "    operator: \"Exists\"\n",
                    "    effect: \"NoExecute\"\n",
                    "  nodeSelector:\n",
                    "    \"disktype\": \"ssd\"\n",
                    "  imagePullSecrets:\n",
                    "  - name: \"regcred\"\n",
                    "  - name: \"other\"\n",
                ),
            );
        assert_ne!(expected, stock);
        assert_eq!(text, expected);
    }

    /// A kernel.json of `variant` as far as a launch reads it.
    fn kernel_json(variant: Variant) -> serde_json::Value {
        let launcher = match variant {
            Variant::Spark(_) => "/k/bin/run.sh".to_string(),
            _ => format!("/k/scripts/{}", variant.launcher_name()),
        };
        serde_json::json!({
            "argv": ["python", launcher, "--kernel-id", "{kernel_id}", "--port-range", "{port_range}",
                     "--response-address", "{response_address}", "--public-key", "{public_key}"],
            "display_name": "K",
            "language": variant.language().spec_name(),
            "metadata": {"kernel_provisioner": {
                "provisioner_name": variant.provisioner_name(),
                "config": {"image_name": "elyra/kernel-py:0.5.0"}
            }}
        })
    }

    /// Renders a template of `variant` as a launch with the variables `extra` does and parses
    /// the first object.
    fn rendered(variant: Variant, text: &str, extra: &[(&str, &str)]) -> yaml_rust2::Yaml {
        let doc = kernel_json(variant);
        let template = |_: &str| Ok(text.to_string());
        let kernelspec = crate::launch::simulate::Kernelspec {
            kernel_json: &doc,
            json_path: "kernel.json",
            shown: "k",
            name: "k",
            template: &template,
            has_pod_template: true,
            inspect: None,
        };
        let given: Vec<(String, String)> = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let getenv = |k: &str| (k == "GP_MIRROR_WORKING_DIRS").then(|| "true".to_string());
        let out = crate::launch::simulate::render_kernelspec(&kernelspec, &given, &getenv).unwrap().text;
        let mut docs = yaml_rust2::YamlLoader::load_from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
        docs.remove(0)
    }

    #[test]
    fn edited_kernel_pod_renders_with_every_combination_of_blocks() {
        let text = prepared(Variant::Container(Language::Python), ALL).unwrap();
        let plain = |v: &yaml_rust2::Yaml| v.as_str().unwrap().to_string();
        let variable_sets: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("KERNEL_CPUS", "1"), ("KERNEL_MEMORY_LIMIT", "2Gi")],
            vec![("KERNEL_WORKING_DIR", "/w")],
        ];
        for extra in variable_sets {
            let pod = rendered(Variant::Container(Language::Python), &text, &extra);
            let meta = &pod["metadata"];
            assert_eq!(plain(&meta["labels"]["team"]), "ds");
            assert_eq!(plain(&meta["labels"]["source"]), "kernel-pod.yaml");
            assert_eq!(plain(&meta["annotations"]["note"]), "{{ x }} {% if %}\"\\\n");
            assert_eq!(plain(&meta["annotations"]["cluster-autoscaler.kubernetes.io/safe-to-evict"]), "true");
            let spec = &pod["spec"];
            assert_eq!(spec["tolerations"].as_vec().unwrap().len(), 2);
            assert_eq!(plain(&spec["tolerations"][1]["operator"]), "Exists");
            assert!(spec["tolerations"][1]["value"].is_badvalue());
            assert_eq!(plain(&spec["nodeSelector"]["disktype"]), "ssd");
            assert_eq!(plain(&spec["imagePullSecrets"][1]["name"]), "other");
            assert_eq!(plain(&spec["restartPolicy"]), "Never");
            assert_eq!(spec["securityContext"]["runAsUser"].as_i64(), Some(1000));
            assert_eq!(plain(&spec["containers"][0]["image"]), "elyra/kernel-py:0.5.0");
        }
        // Every option on its own, too.
        for one in ALL {
            let text = prepared(Variant::Container(Language::Python), &[*one]).unwrap();
            check_pod_template(text.as_bytes(), &kernel_json(Variant::Container(Language::Python)), "k")
                .unwrap_or_else(|e| panic!("{one:?}: {e}"));
        }
    }

    #[test]
    fn spark_application_text_renders() {
        let text = prepared(Variant::SparkOperator, ALL).unwrap();
        let app = rendered(Variant::SparkOperator, &text, &[]);
        let plain = |v: &yaml_rust2::Yaml| v.as_str().unwrap().to_string();
        let spec = &app["spec"];
        assert_eq!(
            spec["imagePullSecrets"].as_vec().unwrap().iter().map(plain).collect::<Vec<_>>(),
            ["regcred", "other"]
        );
        for (section, component) in [("driver", "kernel"), ("executor", "worker")] {
            let s = &spec[section];
            assert_eq!(plain(&s["labels"]["component"]), component);
            assert_eq!(plain(&s["labels"]["team"]), "ds");
            assert_eq!(plain(&s["annotations"]["note"]), "{{ x }} {% if %}\"\\\n");
            assert_eq!(plain(&s["annotations"]["cluster-autoscaler.kubernetes.io/safe-to-evict"]), "true");
            assert_eq!(s["tolerations"].as_vec().unwrap().len(), 2);
            assert_eq!(plain(&s["tolerations"][0]["value"]), "jupyter");
            assert_eq!(plain(&s["nodeSelector"]["disktype"]), "ssd");
            assert_eq!(plain(&s["coreLimit"]), "1000m");
        }
        assert_eq!(app["spec"]["driver"]["annotations"].as_hash().unwrap().len(), 2);
        // Only the executor's annotations are new: without them it has none.
        let text = prepared(Variant::SparkOperator, &[(POD_LABEL, "team=ds")]).unwrap();
        assert!(rendered(Variant::SparkOperator, &text, &[])["spec"]["executor"]["annotations"].is_badvalue());
    }

    fn python() -> serde_json::Value {
        kernel_json(Variant::Container(Language::Python))
    }

    #[test]
    fn our_own_templates_pass_the_template_check() {
        for v in
            [Variant::Container(Language::Python), Variant::Container(Language::Scala), Variant::Spark(Language::R)]
        {
            let stock = find_stock(v, POD_TEMPLATE_PATH);
            check_pod_template(stock.as_bytes(), &kernel_json(v), "k").unwrap();
        }
    }

    #[test]
    fn template_problems() {
        let stock = find_stock(Variant::Container(Language::Python), POD_TEMPLATE_PATH);
        let check = |t: &str| check_pod_template(t.as_bytes(), &python(), "k").unwrap_err();
        assert_eq!(
            check_pod_template(b"kind: Pod\xff", &python(), "k").unwrap_err(),
            "not UTF-8 text (invalid bytes at offset 9)"
        );
        assert_eq!(
            check("{% if x %}\nkind: Pod\n"),
            "rendering it failed: cannot render template 'kernel-pod.yaml.j2': unexpected end of input, expected end of block (line 2)"
        );
        assert_eq!(
            check("{{ kernel_x.y }}"),
            "rendering it failed: cannot render template 'kernel-pod.yaml.j2': undefined value (line 1)"
        );
        assert_eq!(
            check("a: \"x\nb: [\n"),
            "rendered with sample values, it is not valid YAML: invalid indentation in quoted scalar (line 1, column 4)"
        );
        // Stricter than plain Jinja: what the launcher refuses, e.g. text that cannot be placed
        // unquoted where it lands.
        let unquoted = stock.replace(
            "    source: kernel-pod.yaml\n",
            "    source: kernel-pod.yaml\n    note: made by {{ kernel_name | replace('k', 'a k') }}\n",
        );
        assert_eq!(
            check(&unquoted),
            "rendering it failed: value 'a k' cannot be placed unquoted at template line 22; quote the placeholder in the template"
        );
        // A whole unquoted value is quoted by the launcher, and accepted.
        check_pod_template(stock.replace("\"{{ kernel_image }}\"", "{{ kernel_image }}").as_bytes(), &python(), "k")
            .unwrap();
        assert_eq!(check("apiVersion: v1\n"), "rendered with sample values, its YAML document 1 has no kind");
        assert_eq!(
            check(&format!("{stock}\n---\nkind: Service\n")),
            "rendered with sample values, its YAML document 2 is a 'Service'; the launcher creates only Pod, \
             Secret, PersistentVolumeClaim and PersistentVolume objects"
        );
        assert_eq!(check("kind: Secret\n"), "rendered with sample values, it has no Pod (kind: Pod)");
        assert_eq!(
            check(&format!("{stock}\n---\n{stock}")),
            "rendered with sample values, it has 2 Pods; the launcher expects one"
        );
        assert_eq!(
            check(&stock.replace("kernel_id: \"{{ kernel_id }}\"", "kernel_id: \"{{ kernel_pod_name }}\"")),
            "the Pod must have the label kernel_id: \"{{ kernel_id }}\" (the provisioner finds the kernel's pod by it)"
        );
        assert_eq!(
            check(&stock.replace("component: kernel", "component: worker")),
            "the Pod must have the label component: kernel (the provisioner finds the kernel's pod by it)"
        );
        assert_eq!(
            check("kind: Pod\nmetadata:\n  labels: {kernel_id: \"{{ kernel_id }}\", component: kernel}\nspec: {}\n"),
            "the Pod has no spec.containers[0] (the kernel container, which the launcher gives its environment)"
        );
        // Accepted: other documents first, a trailing empty document, Jinja the launcher uses.
        let ok = format!(
            "kind: Secret\n---\n{{% set n = kernel_name | upper %}}\n{}\n---\n",
            stock.replace("app: gateway-provisioners", "app: \"{{ n }}\"")
        );
        check_pod_template(ok.as_bytes(), &python(), "k").unwrap();
    }
}
