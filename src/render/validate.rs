//! `install --validate`: the kernelspec about to be installed, rendered as a launch with default
//! values renders it (`launch::simulate`), and checked against the Kubernetes schema.

use crate::launch::simulate::{render_kernelspec, validate, Kernelspec, LaunchError};
use crate::py::value::Value;
use crate::variant::assets::File;

/// What `install --validate` found: each problem with its field path, then a summary line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct Problems(pub Vec<String>);

/// `install --validate`: the kernelspec about to be installed (its kernel.json `kernel_json`,
/// directory name `name`, and `files`) rendered as a launch with default values renders it,
/// then checked against the Kubernetes schema.
pub fn validate_install(kernel_json: &serde_json::Value, name: &str, files: &[File]) -> Result<(), Problems> {
    let file = |wanted: &str| files.iter().find(|f| f.path.strip_prefix("scripts/") == Some(wanted));
    let template = |wanted: &str| {
        let f = file(wanted).ok_or_else(|| LaunchError::Refused(format!("the kernelspec has no scripts/{wanted}")))?;
        String::from_utf8(f.bytes.to_vec())
            .map_err(|_| LaunchError::Refused(format!("scripts/{wanted} is not UTF-8 text")))
    };
    let kernelspec = Kernelspec {
        kernel_json,
        json_path: "kernel.json",
        shown: name,
        name,
        template: &template,
        has_pod_template: file("kernel-pod.yaml.j2").is_some(),
        inspect: None,
    };
    let preview = render_kernelspec(&kernelspec, &[], &|_| None).map_err(|e| {
        Problems(vec![format!(
            "rendering the kernelspec as a launch would failed: {}",
            e.to_string().replace(['\n', '\r'], " ")
        )])
    })?;
    let mut problems = validate(&preview.objects);
    if problems.is_empty() {
        return Ok(());
    }
    let what = preview.objects.first().and_then(|o| o.get("kind")).and_then(Value::as_str).unwrap_or("object");
    let n = problems.len();
    problems.push(format!(
        "the {what} of a launch with default values does not validate: {n} problem{}; nothing was written",
        if n == 1 { "" } else { "s" }
    ));
    Err(Problems(problems))
}
