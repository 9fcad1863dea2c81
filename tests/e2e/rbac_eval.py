"""An RBAC authorizer for recorded API requests: does a set of RBAC objects (the output of
`jupyter-k8s-spec rbac`) allow what a service account asked the API server?

What it does is what the API server does with a resource request (RequestInfoFactory and the RBAC
authorizer of Kubernetes, restated):

* request attributes from the HTTP method, path and query: verb (get, list, watch, create,
  update, patch, delete, deletecollection), API group, resource and subresource, namespace
  (a namespace object is in its own namespace; POST /api/v1/namespaces is cluster-scoped) and
  name (for list and watch, the name an exact `metadata.name` field selector asks for);
* the rules that apply: those of ClusterRoles bound by a ClusterRoleBinding, and of Roles or
  ClusterRoles bound by a RoleBinding in the request's namespace, to this service account;
* a rule allows when its verbs, apiGroups, resources (`*` wildcards) and resourceNames (if any;
  never matching a create, which has no name yet) match;
* creating a RoleBinding or ClusterRoleBinding also needs the `bind` verb on the role it refers to
  (the API server's escalation check; the alternative, holding every permission of the role, is
  not considered).
"""

from urllib.parse import parse_qs

# /api/v1/namespaces/{ns}/{subresource} of a namespace itself (not a resource in it)
NAMESPACE_SUBRESOURCES = {"status", "finalize"}
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


class Attributes:
    def __init__(self, verb, group, resource, subresource, namespace, name):
        self.verb, self.group, self.resource, self.subresource = verb, group, resource, subresource
        self.namespace, self.name = namespace, name

    def key(self):
        return (self.verb, self.group, self.resource + (f"/{self.subresource}" if self.subresource else ""))

    def __repr__(self):
        return (f"{self.verb} {self.group or 'core'}/{self.resource}"
                f"{'/' + self.subresource if self.subresource else ''}"
                f" namespace={self.namespace or '-'} name={self.name or '-'}")


def attributes(method, path, query):
    """The request attributes of a resource request; query as parse_qs returns it (or a string)."""
    if isinstance(query, str):
        query = parse_qs(query)
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, rest = "", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
    else:
        raise ValueError(f"not a resource request: {path}")
    namespace = ""
    if rest[:1] == ["namespaces"] and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
    if not rest:
        raise ValueError(f"no resource in {path}")
    resource, name, subresource = rest[0], rest[1] if len(rest) > 1 else "", rest[2] if len(rest) > 2 else ""
    if method == "GET":
        verb = "get"
        if not name:
            verb = "watch" if query.get("watch", [""])[0] in ("true", "1") else "list"
            for term in query.get("fieldSelector", [""])[0].split(","):
                key, _, value = term.partition("=")
                if key == "metadata.name" and value and not value.startswith("="):
                    name = value
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = VERBS[method]
    return Attributes(verb, group, resource, subresource, namespace, name)


def _bound_to(binding, account, account_namespace):
    return any(s.get("kind") == "ServiceAccount" and s.get("name") == account
               and s.get("namespace") == account_namespace for s in binding.get("subjects") or [])


def rules_for(objects, account, account_namespace, namespace):
    """The rules of every role bound to the account that apply in `namespace` ("" = cluster-scoped)."""
    roles = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o.get("rules") or []
             for o in objects if o["kind"] in ("Role", "ClusterRole")}
    rules = []
    for b in objects:
        if b["kind"] not in ("RoleBinding", "ClusterRoleBinding") or not _bound_to(b, account, account_namespace):
            continue
        if b["kind"] == "RoleBinding" and (not namespace or b["metadata"]["namespace"] != namespace):
            continue
        ref = b["roleRef"]
        role_namespace = b["metadata"].get("namespace", "") if ref["kind"] == "Role" else ""
        rules += roles.get((ref["kind"], role_namespace, ref["name"]), [])
    return rules


def _matches(values, wanted):
    return "*" in values or wanted in values


def rule_allows(rule, attrs):
    resource = attrs.resource + (f"/{attrs.subresource}" if attrs.subresource else "")
    names = rule.get("resourceNames") or []
    return (_matches(rule.get("verbs") or [], attrs.verb)
            and _matches(rule.get("apiGroups") or [], attrs.group)
            and _matches(rule.get("resources") or [], resource)
            and (not names or (attrs.name and attrs.name in names)))


def allows(objects, account, account_namespace, attrs):
    return any(rule_allows(r, attrs) for r in rules_for(objects, account, account_namespace, attrs.namespace))


def denied(objects, account, account_namespace, method, path, query, body):
    """None when RBAC lets the account make this request, else why not."""
    attrs = attributes(method, path, query)
    if not allows(objects, account, account_namespace, attrs):
        return f"{method} {path} ({attrs}) is not allowed"
    if attrs.verb == "create" and attrs.group == "rbac.authorization.k8s.io" and attrs.resource in (
            "rolebindings", "clusterrolebindings"):
        ref = (body or {}).get("roleRef") or {}
        bind = Attributes("bind", "rbac.authorization.k8s.io", "clusterroles" if ref.get("kind") == "ClusterRole"
                          else "roles", "", attrs.namespace, ref.get("name", ""))
        if not allows(objects, account, account_namespace, bind):
            return f"{method} {path}: binding {ref.get('kind')} {ref.get('name')!r} needs {bind}"
    return None
