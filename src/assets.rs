//! The files a kernelspec carries besides kernel.json, embedded at build time from
//! `templates/` and `assets/`, with the modes they are installed with.

use crate::variant::{Language, Variant};

/// One file of a kernelspec: its path inside the kernelspec directory, its bytes, its mode.
#[derive(Debug, Clone, Copy)]
pub struct File {
    pub path: &'static str,
    pub bytes: &'static [u8],
    pub mode: u32,
}

macro_rules! embed {
    ($path:literal, $src:literal, $mode:literal) => {
        File { path: $path, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $src)), mode: $mode }
    };
}

const LAUNCH_KUBERNETES: File =
    embed!("scripts/launch_kubernetes.py", "templates/kubernetes/scripts/launch_kubernetes.py", 0o644);
const KERNEL_POD: File = embed!("scripts/kernel-pod.yaml.j2", "templates/kubernetes/scripts/kernel-pod.yaml.j2", 0o644);
const LAUNCH_CUSTOM_RESOURCE: File =
    embed!("scripts/launch_custom_resource.py", "templates/operators/scripts/launch_custom_resource.py", 0o644);
const SPARK_APPLICATION: File = embed!(
    "scripts/sparkoperator.k8s.io-v1beta2.yaml.j2",
    "templates/operators/scripts/sparkoperator.k8s.io-v1beta2.yaml.j2",
    0o644
);
const RUN_PYTHON: File = embed!("bin/run.sh", "templates/spark/python/bin/run.sh", 0o755);
const RUN_R: File = embed!("bin/run.sh", "templates/spark/r/bin/run.sh", 0o755);
const RUN_SCALA: File = embed!("bin/run.sh", "templates/spark/scala/bin/run.sh", 0o755);
const LOGO_PYTHON: File = embed!("logo-64x64.png", "assets/python/logo-64x64.png", 0o644);
const LOGO_R: File = embed!("logo-64x64.png", "assets/r/logo-64x64.png", 0o644);
const LOGO_SCALA: File = embed!("logo-64x64.png", "assets/scala/logo-64x64.png", 0o644);
const KERNEL_JS_R: File = embed!("kernel.js", "assets/r/kernel.js", 0o644);

/// The files of a variant (kernel.json excluded). The Spark variants also carry the pod
/// launcher and template, as the reference's do.
pub fn files(variant: Variant) -> Vec<File> {
    let mut out = match variant {
        Variant::SparkOperator => vec![LAUNCH_CUSTOM_RESOURCE, SPARK_APPLICATION],
        _ => vec![LAUNCH_KUBERNETES, KERNEL_POD],
    };
    match variant.language() {
        Language::Python => out.push(LOGO_PYTHON),
        Language::R => out.extend([LOGO_R, KERNEL_JS_R]),
        Language::Scala => out.push(LOGO_SCALA),
    }
    match variant {
        Variant::Spark(Language::Python) => out.push(RUN_PYTHON),
        Variant::Spark(Language::R) => out.push(RUN_R),
        Variant::Spark(Language::Scala) => out.push(RUN_SCALA),
        _ => {}
    }
    out
}
