//! The `kernel.json` document, built as a JSON value (never by pasting text into JSON, so any
//! value round-trips), and written byte for byte the way Python's `json.dump(indent=2)` does.

use std::collections::BTreeSet;
use std::io;

use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{json, Map, Value};

use crate::settings::resolve::Settings;
use crate::variant::decision::{Language, Plan, Variant};

/// Builds the kernel.json document for a kernelspec installed in `install_dir`.
pub fn document(plan: &Plan, settings: &Settings, install_dir: &str) -> Value {
    let variant = plan.variant;
    let mut spec = Map::new();
    spec.insert("argv".into(), Value::from(argv(plan, install_dir)));
    spec.insert("env".into(), env(plan, settings));
    spec.insert("display_name".into(), Value::from(plan.display_name.clone()));
    spec.insert("language".into(), Value::from(variant.language().spec_name()));
    spec.insert("interrupt_mode".into(), Value::from("signal"));

    let mut metadata = Map::new();
    if variant == Variant::Container(Language::Python) {
        metadata.insert("supported_encryption".into(), json!(["curve"]));
    }
    if !matches!(variant, Variant::Spark(Language::R | Language::Scala)) {
        metadata.insert("debugger".into(), Value::Bool(true));
    }
    let mut config = Map::new();
    config.insert("image_name".into(), Value::from(plan.image_name.clone()));
    if let Some(exec) = &plan.executor_image_name {
        config.insert("executor_image_name".into(), Value::from(exec.clone()));
    }
    add_optional_entries(&mut config, settings);
    metadata.insert(
        "kernel_provisioner".into(),
        json!({ "provisioner_name": variant.provisioner_name(), "config": Value::Object(config) }),
    );
    spec.insert("metadata".into(), Value::Object(metadata));
    spec.insert("kernel_protocol_version".into(), Value::from(""));
    Value::Object(spec)
}

fn argv(plan: &Plan, install_dir: &str) -> Vec<String> {
    let mut argv: Vec<String> = Vec::new();
    let mut push = |items: &[&str]| argv.extend(items.iter().map(|s| s.to_string()));
    let variant = plan.variant;
    match variant {
        Variant::Spark(_) => push(&[&format!("{install_dir}/bin/run.sh")]),
        _ => push(&["python", &format!("{install_dir}/scripts/{}", variant.launcher_name())]),
    }
    push(&["--kernel-id", "{kernel_id}"]);
    // The reference's Python Spark spec has no --port-range; we keep its argv as is.
    if variant != Variant::Spark(Language::Python) {
        push(&["--port-range", "{port_range}"]);
    }
    push(&["--response-address", "{response_address}", "--public-key", "{public_key}"]);
    if let Variant::Spark(_) = variant {
        push(&["--spark-context-initialization-mode", &plan.spark_init_mode]);
    }
    if matches!(variant, Variant::Container(Language::Python) | Variant::SparkOperator) {
        push(&["--transport-encryption", "{transport_encryption}"]);
    }
    if variant.language() == Language::Python {
        push(&["--kernel-class-name", &plan.ipykernel_subclass_name]);
    }
    argv
}

/// The Spark options template; `${...}` references stay literal and are resolved at launch.
fn spark_opts(language: Language, extra: &str) -> String {
    let mut opts = vec![
        "--master k8s://https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}",
        "--deploy-mode cluster",
        "--name ${KERNEL_USERNAME}-${KERNEL_ID}",
        "--conf spark.kubernetes.namespace=${KERNEL_NAMESPACE}",
    ];
    if language == Language::Scala {
        opts.push("--driver-memory 2G");
    }
    opts.extend([
        "--conf spark.kubernetes.driver.label.app=kubernetes-kernel-provider",
        "--conf spark.kubernetes.driver.label.kernel_id=${KERNEL_ID}",
        "--conf spark.kubernetes.driver.label.component=kernel",
        "--conf spark.kubernetes.executor.label.app=kubernetes-kernel-provider",
        "--conf spark.kubernetes.executor.label.kernel_id=${KERNEL_ID}",
        "--conf spark.kubernetes.executor.label.component=worker",
        "--conf spark.kubernetes.driver.container.image=${KERNEL_IMAGE}",
        "--conf spark.kubernetes.executor.container.image=${KERNEL_EXECUTOR_IMAGE}",
        "--conf spark.kubernetes.authenticate.driver.serviceAccountName=${KERNEL_SERVICE_ACCOUNT_NAME}",
        "--conf spark.kubernetes.submission.waitAppCompletion=false",
    ]);
    if language == Language::Python {
        opts.push("--conf spark.kubernetes.pyspark.pythonVersion=3");
    }
    format!("{} {extra} ${{KERNEL_EXTRA_SPARK_OPTS}}", opts.join(" "))
}

fn env(plan: &Plan, settings: &Settings) -> Value {
    let Variant::Spark(language) = plan.variant else { return json!({}) };
    let opts = spark_opts(language, &plan.extra_spark_opts);
    let mut env = Map::new();
    env.insert("SPARK_HOME".into(), Value::from(settings.spark_home.clone()));
    if language == Language::Scala {
        env.insert("__TOREE_SPARK_OPTS__".into(), Value::from(opts));
        env.insert("__TOREE_OPTS__".into(), Value::from("--alternate-sigint USR2"));
        env.insert("LAUNCH_OPTS".into(), Value::from(""));
        env.insert("DEFAULT_INTERPRETER".into(), Value::from("Scala"));
    } else {
        env.insert("SPARK_OPTS".into(), Value::from(opts));
        env.insert("LAUNCH_OPTS".into(), Value::from(""));
    }
    Value::Object(env)
}

/// The provisioner settings written only when they differ from what the provisioner would
/// assume anyway. User lists are written sorted, so the output is reproducible.
fn add_optional_entries(config: &mut Map<String, Value>, s: &Settings) {
    let list = |set: &BTreeSet<String>| Value::from(set.iter().cloned().collect::<Vec<_>>());
    if !s.authorized_users.is_empty() {
        config.insert("authorized_users".into(), list(&s.authorized_users));
    }
    if !s.unauthorized_users.is_empty() && s.unauthorized_users != s.unauthorized_users_default {
        config.insert("unauthorized_users".into(), list(&s.unauthorized_users));
    }
    if let Some(range) = &s.port_range {
        if !range.is_empty() && range != "0..0" {
            config.insert("port_range".into(), Value::from(range.clone()));
        }
    }
    if !s.launch_timeout.is_zero() {
        // Settings keep it within what a JSON number in kernel.json can carry here.
        let n = match (s.launch_timeout.to_i64(), s.launch_timeout.to_u64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(u)) => Value::from(u),
            (None, None) => Value::from(u64::MAX),
        };
        config.insert("launch_timeout".into(), n);
    }
}

/// Serialises like Python's `json.dump(value, indent=2)` followed by a newline: two-space
/// indentation, `": "` between key and value, every non-ASCII character as `\uXXXX`.
pub fn to_python_json(value: &Value) -> String {
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, PythonFormatter(PrettyFormatter::with_indent(b"  ")));
    serde::Serialize::serialize(value, &mut ser).expect("serialising a JSON value into memory cannot fail");
    out.push(b'\n');
    String::from_utf8(out).expect("the output is ASCII")
}

/// `PrettyFormatter` plus Python's `ensure_ascii` escaping.
struct PythonFormatter<'a>(PrettyFormatter<'a>);

impl Formatter for PythonFormatter<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        // serde_json escapes quotes, backslashes and control characters itself; the rest is
        // written as Python's json module writes it (`py::json`): every non-ASCII character
        // as `\uXXXX`, a byte that is not UTF-8 as its lone surrogate `\udcXX`.
        let mut text = String::with_capacity(fragment.len());
        crate::py::json::push_escaped_str(&mut text, fragment);
        w.write_all(text.as_bytes())
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_style_output() {
        let v = json!({"a": [], "b": {}, "c": ["x"], "d": "é\u{1F600}\u{7f}\"\\\n\u{1}/", "e": 3, "f": true});
        let want = "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    \"x\"\n  ],\n  \"d\": \"\\u00e9\\ud83d\\ude00\\u007f\\\"\\\\\\n\\u0001/\",\n  \"e\": 3,\n  \"f\": true\n}\n";
        assert_eq!(to_python_json(&v), want);
        // Bytes that are not UTF-8 are written as Python writes its surrogate escapes.
        let path = crate::py::text::decode(b"/x/p\xff/k").unwrap();
        assert_eq!(to_python_json(&json!([path])), "[\n  \"/x/p\\udcff/k\"\n]\n");
    }
}
