//! `jupyter-k8s-spec`: writes Jupyter kernel specifications for kernels run as Kubernetes pods.

fn main() {
    // Jupyter's tab completion runs subcommands with _ARGCOMPLETE set and expects the
    // argcomplete protocol; we do not speak it, and must not install anything instead.
    if std::env::var_os("_ARGCOMPLETE").is_some() {
        std::process::exit(0);
    }
    // Arguments as Python sees them: bytes that are not UTF-8 are kept (as escapes, see
    // `py::text`) and reach the file system and kernel.json unchanged.
    let mut args = Vec::new();
    for a in std::env::args_os().skip(1) {
        match k8s_spec::py::text::from_os(&a) {
            Ok(s) => args.push(s),
            Err(e) => {
                eprintln!("jupyter-k8s-spec: error: argument {:?} {e}", a.to_string_lossy());
                std::process::exit(k8s_spec::commands::exit_codes::ExitCode::Usage.code());
            }
        }
    }
    std::process::exit(k8s_spec::commands::run(&args).code());
}
