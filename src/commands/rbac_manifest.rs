//! The RBAC objects a Jupyter server needs to launch kernels with gateway-provisioners
//! (`jupyter-k8s-spec rbac`), written as a multi-document YAML stream for `kubectl apply -f -`.
//!
//! The rules follow what the provisioners and the launchers we install call (the launch contract
//! in `../shared/spec/launchers.md`, and gateway-provisioners' notes on deploying to Kubernetes):
//!
//! * the provisioner lists kernel pods by label, reads and deletes them; the launchers create
//!   them, watch them until they run, and delete them when they cannot start; `spark-submit`
//!   (Spark kernelspecs, run on the server) creates the driver pod with its config map and service;
//! * a customised pod template may also create Secrets, PersistentVolumeClaims and (cluster-wide)
//!   PersistentVolumes, which the launcher creates, never reads, and deletes again when the
//!   launch fails;
//! * the Spark operator kernelspec creates, reads and deletes `sparkapplications`;
//! * the automatic namespace mode creates and deletes a namespace per kernel and creates a
//!   RoleBinding in it to the ClusterRole named by `GP_KERNEL_CLUSTER_ROLE`, which needs the
//!   `bind` verb on that ClusterRole.

use std::fmt::Write;

/// Where kernels run (`GP_SHARED_NAMESPACE`, `KERNEL_NAMESPACE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// In the server's own namespace (`GP_NAMESPACE`).
    Shared,
    /// In existing namespaces the clients name (`KERNEL_NAMESPACE`).
    Byo,
    /// In a namespace created for each kernel.
    Auto,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = crate::cli::options::NAMESPACE_MODES;

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "shared" => Some(Mode::Shared),
            "byo" => Some(Mode::Byo),
            "auto" => Some(Mode::Auto),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Byo => "byo",
            Mode::Auto => "auto",
        }
    }
}

/// The ClusterRole bound to each kernel's service account in the automatic mode. The server
/// must name it in `GP_KERNEL_CLUSTER_ROLE`, whose default (`cluster-admin`) we do not grant.
pub const KERNEL_CLUSTER_ROLE: &str = "kernel-controller";
pub const DEFAULT_NAMESPACE: &str = "default";
pub const DEFAULT_SERVICE_ACCOUNT: &str = "gateway-provisioners";

/// What to generate. Construct it with [`Request::new`], which validates the names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    mode: Mode,
    namespace: String,
    service_account: String,
}

/// A name Kubernetes would refuse; the message names the option and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error(
        "invalid --namespace {}: a namespace is 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit",
        crate::py::repr::str_repr(.0)
    )]
    Namespace(String),
    #[error(
        "invalid --service-account {}: a service account name is at most 253 characters of dot-separated parts of lower-case letters, digits or '-', each starting and ending with a letter or digit",
        crate::py::repr::str_repr(.0)
    )]
    ServiceAccount(String),
}

impl Request {
    /// Checks that `namespace` is a DNS-1123 label and `service_account` a DNS-1123 subdomain,
    /// as Kubernetes requires.
    pub fn new(mode: Mode, namespace: &str, service_account: &str) -> Result<Request, RequestError> {
        if !is_dns1123_label(namespace) {
            return Err(RequestError::Namespace(namespace.to_string()));
        }
        if !is_dns1123_subdomain(service_account) {
            return Err(RequestError::ServiceAccount(service_account.to_string()));
        }
        Ok(Request { mode, namespace: namespace.to_string(), service_account: service_account.to_string() })
    }
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| alnum(c) || c == '-')
        && s.starts_with(alnum)
        && s.ends_with(alnum)
}

/// Dot-separated DNS-1123 labels, at most 253 characters in all.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// One policy rule, with the reason it exists (written as a comment).
struct Rule {
    why: &'static str,
    api_group: &'static str,
    resources: &'static [&'static str],
    verbs: &'static [&'static str],
    resource_names: &'static [&'static str],
}

const fn rule(
    why: &'static str,
    api_group: &'static str,
    resources: &'static [&'static str],
    verbs: &'static [&'static str],
) -> Rule {
    Rule { why, api_group, resources, verbs, resource_names: &[] }
}

const ALL: &[&str] = &["get", "list", "watch", "create", "delete"];

/// What the server does in the namespaces kernels run in.
const KERNEL_NAMESPACE_RULES: &[Rule] = &[
    rule(
        "kernel pods: created by the launchers and spark-submit, found by label, deleted at shutdown",
        "",
        &["pods"],
        ALL,
    ),
    rule("spark-submit creates the Spark driver's config map and service", "", &["configmaps", "services"], ALL),
    rule(
        "objects a customised kernel-pod.yaml.j2 may add; the launcher creates them (never reads them) and deletes them when the launch fails",
        "",
        &["persistentvolumeclaims", "secrets"],
        &["create", "delete"],
    ),
    rule(
        "Spark operator kernels: the SparkApplication is created, polled and deleted",
        "sparkoperator.k8s.io",
        &["sparkapplications"],
        ALL,
    ),
];

const PERSISTENT_VOLUMES: Rule = rule(
    "cluster-wide PersistentVolumes a customised kernel-pod.yaml.j2 may add; created, and deleted when the launch fails",
    "",
    &["persistentvolumes"],
    &["create", "delete"],
);

const AUTO_NAMESPACE_RULES: &[Rule] = &[
    rule("a namespace per kernel, deleted with the kernel", "", &["namespaces"], &["create", "delete"]),
    rule(
        "the RoleBinding of the kernel's service account in its namespace",
        "rbac.authorization.k8s.io",
        &["rolebindings"],
        &["create"],
    ),
    Rule {
        why: "binding GP_KERNEL_CLUSTER_ROLE needs 'bind' on it (or holding all of its rules)",
        api_group: "rbac.authorization.k8s.io",
        resources: &["clusterroles"],
        verbs: &["bind"],
        resource_names: &[KERNEL_CLUSTER_ROLE],
    },
];

/// What a kernel's service account may do in its own namespace: a Spark driver creates and
/// manages its executor pods.
const KERNEL_RULES: &[Rule] = &[
    rule("Spark executors, created and deleted by the driver", "", &["pods"], ALL),
    rule("Spark driver configuration", "", &["configmaps"], &["list", "create"]),
    rule("listed by the Spark driver", "", &["persistentvolumeclaims", "services"], &["list"]),
];

const RBAC_API: &str = "rbac.authorization.k8s.io/v1";

/// The manifest for `req`: comments explaining the mode and the server settings it assumes,
/// then one YAML document per object. The output depends on nothing but `req`.
pub fn manifest(req: &Request) -> String {
    let mut out = header(req);
    let ns = req.namespace.as_str();
    let sa = req.service_account.as_str();
    // Cluster-scoped names must not collide between servers in different namespaces.
    let cluster_name = format!("{ns}:{sa}");
    service_account(&mut out, req);
    match req.mode {
        Mode::Shared => {
            role(&mut out, "Role", sa, Some(ns), "server", KERNEL_NAMESPACE_RULES.iter());
            binding(&mut out, "RoleBinding", sa, Some(ns), "Role", sa, req);
            role(&mut out, "ClusterRole", &cluster_name, None, "server", [&PERSISTENT_VOLUMES].into_iter());
            binding(&mut out, "ClusterRoleBinding", &cluster_name, None, "ClusterRole", &cluster_name, req);
        }
        Mode::Byo | Mode::Auto => {
            let mut rules: Vec<&Rule> = KERNEL_NAMESPACE_RULES.iter().collect();
            rules.push(&PERSISTENT_VOLUMES);
            if req.mode == Mode::Auto {
                rules.extend(AUTO_NAMESPACE_RULES.iter());
            }
            role(&mut out, "ClusterRole", &cluster_name, None, "server", rules.into_iter());
            binding(&mut out, "ClusterRoleBinding", &cluster_name, None, "ClusterRole", &cluster_name, req);
            if req.mode == Mode::Auto {
                role(&mut out, "ClusterRole", KERNEL_CLUSTER_ROLE, None, "kernel", KERNEL_RULES.iter());
            }
        }
    }
    out
}

fn header(req: &Request) -> String {
    let ns = &req.namespace;
    let sa = &req.service_account;
    let mut lines = vec![
        "# RBAC for a Jupyter server (or Enterprise Gateway) launching kernels with gateway-provisioners.".to_string(),
        format!(
            "# Generated by: jupyter-k8s-spec rbac --namespace-mode {} --namespace {ns} --service-account {sa}",
            req.mode.name()
        ),
        format!("# Run the server's pod in namespace {ns} with serviceAccountName: {sa}."),
    ];
    if req.mode == Mode::Shared {
        lines.push("# Mode shared: kernels run in the server's namespace.".to_string());
        lines.push(format!("# Server environment: GP_SHARED_NAMESPACE=True (the default), GP_NAMESPACE={ns}."));
    }
    let mode_lines: &[&str] = match req.mode {
        Mode::Shared => &[
            "# Spark kernelspecs: the driver runs as KERNEL_SERVICE_ACCOUNT_NAME (default: the namespace's",
            "# 'default' account) and creates its executor pods; grant that account pod rights yourself.",
        ],
        Mode::Byo => &[
            "# Mode byo: kernels run in existing namespaces that clients name in KERNEL_NAMESPACE, as the",
            "# service account they name in KERNEL_SERVICE_ACCOUNT_NAME; both must exist.",
            "# Server environment: GP_SHARED_NAMESPACE=False.",
            "# The ClusterRoleBinding below lets the server act in every namespace. To confine it to a",
            "# known set of namespaces, bind the ClusterRole with a RoleBinding in each of them instead",
            "# (PersistentVolumes are cluster-scoped and still need the ClusterRoleBinding).",
            "# Spark kernelspecs: the driver's service account needs pod rights in its namespace.",
        ],
        Mode::Auto => &[
            "# Mode auto: each kernel gets a namespace of its own, deleted when the kernel stops, with a",
            "# RoleBinding of ClusterRole kernel-controller to the kernel's service account.",
            "# Server environment: GP_SHARED_NAMESPACE=False, GP_KERNEL_CLUSTER_ROLE=kernel-controller",
            "# (its default, cluster-admin, is not granted here). gateway-provisioners 0.5.0 needs the",
            "# kubernetes Python client <29 on the server for this mode.",
        ],
    };
    lines.extend(mode_lines.iter().map(|l| l.to_string()));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A YAML double-quoted scalar. The values here are validated names, but quoting keeps words
/// like `true`, `null` or `0x1` strings.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn flow(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| q(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn metadata(out: &mut String, name: &str, namespace: Option<&str>, component: &str) {
    out.push_str("metadata:\n");
    let _ = writeln!(out, "  name: {}", q(name));
    if let Some(ns) = namespace {
        let _ = writeln!(out, "  namespace: {}", q(ns));
    }
    out.push_str("  labels:\n    app: gateway-provisioners\n");
    let _ = writeln!(out, "    component: {component}");
}

fn service_account(out: &mut String, req: &Request) {
    out.push_str("---\napiVersion: v1\nkind: ServiceAccount\n");
    metadata(out, &req.service_account, Some(&req.namespace), "server");
}

fn role<'a>(
    out: &mut String,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    component: &str,
    rules: impl Iterator<Item = &'a Rule>,
) {
    let _ = write!(out, "---\napiVersion: {RBAC_API}\nkind: {kind}\n");
    metadata(out, name, namespace, component);
    out.push_str("rules:\n");
    for r in rules {
        let _ = writeln!(out, "  # {}", r.why);
        let _ = writeln!(out, "  - apiGroups: {}", flow(&[r.api_group]));
        let _ = writeln!(out, "    resources: {}", flow(r.resources));
        if !r.resource_names.is_empty() {
            let _ = writeln!(out, "    resourceNames: {}", flow(r.resource_names));
        }
        let _ = writeln!(out, "    verbs: {}", flow(r.verbs));
    }
}

fn binding(
    out: &mut String,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    role_kind: &str,
    role_name: &str,
    req: &Request,
) {
    let _ = write!(out, "---\napiVersion: {RBAC_API}\nkind: {kind}\n");
    metadata(out, name, namespace, "server");
    out.push_str("roleRef:\n  apiGroup: rbac.authorization.k8s.io\n");
    let _ = writeln!(out, "  kind: {role_kind}\n  name: {}", q(role_name));
    out.push_str("subjects:\n  - kind: ServiceAccount\n");
    let _ = writeln!(out, "    name: {}\n    namespace: {}", q(&req.service_account), q(&req.namespace));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["default", "a", "team-1", "0", "null", "true", &"a".repeat(63)] {
            assert!(is_dns1123_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a.b", "a_b", "é", "a b", "a\n", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        assert!(is_dns1123_subdomain("jupyter.server-1"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(!is_dns1123_subdomain(".a"));
        assert!(!is_dns1123_subdomain(&format!(
            "{}.{}.{}.{}",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63)
        )));
    }

    #[test]
    fn request_errors_name_the_option() {
        let e = Request::new(Mode::Shared, "Team", "sa").unwrap_err().to_string();
        assert!(e.starts_with("invalid --namespace 'Team': "), "{e}");
        let e = Request::new(Mode::Shared, "ns", "a\nb").unwrap_err().to_string();
        assert!(e.starts_with("invalid --service-account 'a\\nb': "), "{e}");
    }

    #[test]
    fn quoting() {
        assert_eq!(q("true"), "\"true\"");
        assert_eq!(q("a\"b\\c\n"), "\"a\\\"b\\\\c\\x0a\"");
        assert_eq!(flow(&["", "x"]), "[\"\", \"x\"]");
    }

    #[test]
    fn kinds_per_mode() {
        let kinds = |m| {
            let text = manifest(&Request::new(m, "ns", "sa").unwrap());
            text.lines().filter_map(|l| l.strip_prefix("kind: ")).map(String::from).collect::<Vec<_>>()
        };
        assert_eq!(kinds(Mode::Shared), ["ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]);
        assert_eq!(kinds(Mode::Byo), ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"]);
        assert_eq!(kinds(Mode::Auto), ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ClusterRole"]);
    }
}
