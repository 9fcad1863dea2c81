//! What `install --dry-run` and `install --json` print on stdout: a description of the
//! kernelspec that was (or would be) installed.

use serde_json::json;

use crate::variant::assets::File;
use crate::variant::decision::Plan;

/// One file of the kernelspec as installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub mode: u32,
    pub bytes: usize,
}

/// A kernelspec that was installed, or would be.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub kernel_name: String,
    pub display_name: String,
    pub destination: String,
    pub variant: String,
    pub language: String,
    pub provisioner: String,
    pub replaced: bool,
    pub dry_run: bool,
    /// Every file, kernel.json included, sorted by path.
    pub files: Vec<Entry>,
    pub kernel_json: String,
}

impl Report {
    pub fn new(
        kernel_name: &str,
        plan: &Plan,
        destination: &str,
        files: &[File],
        kernel_json: &str,
        replaced: bool,
        dry_run: bool,
    ) -> Report {
        let mut entries: Vec<Entry> =
            files.iter().map(|f| Entry { path: f.path.to_string(), mode: f.mode, bytes: f.bytes.len() }).collect();
        entries.push(Entry { path: "kernel.json".into(), mode: 0o644, bytes: kernel_json.len() });
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Report {
            kernel_name: kernel_name.to_string(),
            display_name: plan.display_name.clone(),
            destination: destination.to_string(),
            variant: plan.variant.name(),
            language: plan.variant.language().spec_name().to_string(),
            provisioner: plan.variant.provisioner_name().to_string(),
            replaced,
            dry_run,
            files: entries,
            kernel_json: kernel_json.to_string(),
        }
    }

    /// One JSON object on one line (keys in a fixed order), newline-terminated.
    pub fn to_json(&self) -> String {
        let files: Vec<_> =
            self.files.iter().map(|f| json!({"path": f.path, "mode": mode(f.mode), "bytes": f.bytes})).collect();
        let value = json!({
            "kernel_name": self.kernel_name,
            "display_name": self.display_name,
            "destination": self.destination,
            "variant": self.variant,
            "language": self.language,
            "provisioner": self.provisioner,
            "replaced": self.replaced,
            "dry_run": self.dry_run,
            "files": files,
        });
        format!("{value}\n")
    }

    /// The human-readable dry-run text: destination, files, then kernel.json verbatim.
    pub fn to_text(&self) -> String {
        let mut out = format!("would install kernelspec {} in {}", self.kernel_name, self.destination);
        if self.replaced {
            out.push_str(" (replacing the existing one)");
        }
        out.push('\n');
        let width = self.files.iter().map(|f| f.bytes.to_string().len()).max().unwrap_or(1);
        for f in &self.files {
            out.push_str(&format!("  {}  {:>width$}  {}\n", mode(f.mode), f.bytes, f.path));
        }
        out.push_str("--- kernel.json ---\n");
        out.push_str(&self.kernel_json);
        if !self.kernel_json.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// A file mode as four octal digits, e.g. `0644`.
fn mode(m: u32) -> String {
    format!("{:04o}", m & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::decision::{Language, Variant};

    fn plan() -> Plan {
        Plan {
            variant: Variant::Spark(Language::R),
            kernel_name: "K".into(),
            display_name: "R \"x\"".into(),
            image_name: "i".into(),
            executor_image_name: None,
            spark_init_mode: "lazy".into(),
            extra_spark_opts: String::new(),
            ipykernel_subclass_name: String::new(),
            warnings: vec![],
        }
    }

    #[test]
    fn text_and_json() {
        let files = [
            File { path: "bin/run.sh", bytes: b"#!/bin/sh\n", mode: 0o755 },
            File { path: "a.png", bytes: &[0; 1234], mode: 0o644 },
        ];
        let r = Report::new("k", &plan(), "/d/k", &files, "{\n}\n", true, true);
        assert_eq!(
            r.to_text(),
            "would install kernelspec k in /d/k (replacing the existing one)\n\
             \x20 0644  1234  a.png\n\
             \x20 0755    10  bin/run.sh\n\
             \x20 0644     4  kernel.json\n\
             --- kernel.json ---\n{\n}\n"
        );
        assert_eq!(
            r.to_json(),
            concat!(
                r#"{"kernel_name":"k","display_name":"R \"x\"","destination":"/d/k","variant":"spark-r","#,
                r#""language":"R","provisioner":"kubernetes-provisioner","replaced":true,"dry_run":true,"#,
                r#""files":[{"path":"a.png","mode":"0644","bytes":1234},{"path":"bin/run.sh","mode":"0755","bytes":10},"#,
                r#"{"path":"kernel.json","mode":"0644","bytes":4}]}"#,
                "\n"
            )
        );
    }
}
