//! Prepares the files under `templates/` for embedding. Code that several installed files need
//! (the Python launchers' shared half, run.sh's word splitter) lives once under
//! `templates/common/`; each installed file must still be self-contained, so a line
//! `# @include RELATIVE_PATH ...` is replaced here by that file's text. The expanded tree is
//! written to `$OUT_DIR/templates`, which `src/assets.rs` embeds.

use std::fs;
use std::path::{Path, PathBuf};

const DIRECTIVE: &str = "# @include ";

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("templates");
    println!("cargo:rerun-if-changed=templates");
    if let Err(e) = expand_tree(&root.join("templates"), &out) {
        panic!("cannot prepare templates: {e}");
    }
}

fn expand_tree(src: &Path, dst: &Path) -> Result<(), String> {
    fs::create_dir_all(dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    let mut entries: Vec<_> = fs::read_dir(src)
        .map_err(|e| format!("{}: {e}", src.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", src.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let target = dst.join(entry.file_name());
        if path.is_dir() {
            expand_tree(&path, &target)?;
        } else {
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let expanded = expand(&path, &text)?;
            fs::write(&target, expanded).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// Replaces each include line with the named file, framed by comments naming it.
fn expand(path: &Path, text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(rest) = line.strip_prefix(DIRECTIVE) else {
            out.push_str(line);
            continue;
        };
        let rel = rest.split_whitespace().next().ok_or_else(|| format!("{}: empty include", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let included = dir.join(rel);
        let body =
            fs::read_to_string(&included).map_err(|e| format!("{}: {}: {e}", path.display(), included.display()))?;
        if body.lines().any(|l| l.starts_with(DIRECTIVE)) {
            return Err(format!("{}: nested include", included.display()));
        }
        let name = Path::new(rel).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push_str(&format!("# ----- begin shared part ({name}) -----\n"));
        out.push_str(&body);
        out.push_str(&format!("# ----- end shared part ({name}) -----\n"));
    }
    Ok(out)
}
