//! The files a kernelspec carries besides kernel.json, embedded at build time from
//! `templates/` (as `build.rs` prepared them, shared parts pasted in) and `assets/`, with the
//! modes they are installed with.

use crate::variant::decision::{Language, Variant};

/// One file of a kernelspec: its path inside the kernelspec directory, its bytes, its mode. The
/// bytes are embedded ones, or (for a template changed by `pod_options`) borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct File<'a> {
    pub path: &'static str,
    pub bytes: &'a [u8],
    pub mode: u32,
}

macro_rules! embed {
    ($path:literal, $src:literal, $mode:literal) => {
        File { path: $path, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $src)), mode: $mode }
    };
}

/// A file from `templates/`, after `build.rs` has expanded its includes.
macro_rules! template {
    ($path:literal, $src:literal, $mode:literal) => {
        File { path: $path, bytes: include_bytes!(concat!(env!("OUT_DIR"), "/templates/", $src)), mode: $mode }
    };
}

const LAUNCH_KUBERNETES: File<'static> =
    template!("scripts/launch_kubernetes.py", "kubernetes/scripts/launch_kubernetes.py", 0o644);
const KERNEL_POD: File<'static> =
    template!("scripts/kernel-pod.yaml.j2", "kubernetes/scripts/kernel-pod.yaml.j2", 0o644);
const LAUNCH_CUSTOM_RESOURCE: File<'static> =
    template!("scripts/launch_custom_resource.py", "operators/scripts/launch_custom_resource.py", 0o644);
const SPARK_APPLICATION: File<'static> = template!(
    "scripts/sparkoperator.k8s.io-v1beta2.yaml.j2",
    "operators/scripts/sparkoperator.k8s.io-v1beta2.yaml.j2",
    0o644
);
const RUN_PYTHON: File<'static> = template!("bin/run.sh", "spark/python/bin/run.sh", 0o755);
const RUN_R: File<'static> = template!("bin/run.sh", "spark/r/bin/run.sh", 0o755);
const RUN_SCALA: File<'static> = template!("bin/run.sh", "spark/scala/bin/run.sh", 0o755);
const LOGO_PYTHON: File<'static> = embed!("logo-64x64.png", "assets/python/logo-64x64.png", 0o644);
const LOGO_R: File<'static> = embed!("logo-64x64.png", "assets/r/logo-64x64.png", 0o644);
const LOGO_SCALA: File<'static> = embed!("logo-64x64.png", "assets/scala/logo-64x64.png", 0o644);
const KERNEL_JS_R: File<'static> = embed!("kernel.js", "assets/r/kernel.js", 0o644);

/// The files of a variant (kernel.json excluded). The Spark variants also carry the pod
/// launcher and template, as the reference's do.
pub fn files(variant: Variant) -> Vec<File<'static>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_are_self_contained() {
        let shared_py = include_str!("../../templates/common/launcher_shared.py").as_bytes();
        let api_py = include_str!("../../templates/common/launcher_api.py").as_bytes();
        let shared_sh = include_str!("../../templates/common/run_shared.sh").as_bytes();
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        for f in
            [LAUNCH_KUBERNETES, LAUNCH_CUSTOM_RESOURCE, KERNEL_POD, SPARK_APPLICATION, RUN_PYTHON, RUN_R, RUN_SCALA]
        {
            assert!(!contains(f.bytes, b"# @include"), "{}", f.path);
        }
        for f in [LAUNCH_KUBERNETES, LAUNCH_CUSTOM_RESOURCE] {
            assert!(contains(f.bytes, shared_py), "{}", f.path);
            assert!(contains(f.bytes, api_py), "{}", f.path);
        }
        for f in [RUN_PYTHON, RUN_R, RUN_SCALA] {
            assert!(contains(f.bytes, shared_sh), "{}", f.path);
        }
    }
}
