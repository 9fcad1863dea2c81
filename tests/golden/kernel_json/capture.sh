#!/usr/bin/env bash
# Regenerates the golden kernel.json files from the reference installer
# (gateway-provisioners 0.5.0). Usage: capture.sh /path/to/reference/bin/jupyter-k8s-spec
# The reference is installed in a scratch venv with the pins of REFERENCE_REQUIREMENTS in
# ../shared/conformance/conformance.py:
#   python3 -m venv /tmp/ref && /tmp/ref/bin/pip install 'gateway-provisioners[k8s]==0.5.0' \
#     traitlets==5.16.1 jupyter_core==5.9.1 jupyter_client==8.10.0 tornado==6.6.1
#
# cases.txt: each line is "<name> <args...>" (plain values); the install directory is replaced
# by {INSTALL_DIR} so that tests can compare files installed anywhere (tests/cli.rs).
# value_cases.json: hard values (non-ASCII, quotes, backslashes, control characters) in every
# value; its "about" says how each golden file is made (tests/kernel_json_values.rs).
set -euo pipefail
ref=${1:?path to the reference jupyter-k8s-spec}
here=$(cd "$(dirname "$0")" && pwd)
while read -r name args; do
  [ -z "$name" ] || [ "${name#\#}" != "$name" ] && continue
  tmp=$(mktemp -d)
  # shellcheck disable=SC2086 # word splitting of the case's arguments is intended
  env -i PATH=/usr/bin:/bin HOME="$tmp/home" PYTHONHASHSEED=0 "$ref" install --prefix="$tmp/p" $args 2>/dev/null
  dir=$(ls -d "$tmp"/p/share/jupyter/kernels/*)
  sed "s#$dir#{INSTALL_DIR}#g" "$dir/kernel.json" > "$here/$name.json"
  rm -rf "$tmp"
done < "$here/cases.txt"

python3 - "$ref" "$here" <<'PY'
import json, os, shutil, subprocess, sys, tempfile

ref, here = sys.argv[1], sys.argv[2]


def reference_install(case, args):
    """The reference's kernel.json for `case` run with `args`, its temporary directory as {ROOT}."""
    tmp = tempfile.mkdtemp()
    try:
        for d in ("home", "work"):
            os.mkdir(os.path.join(tmp, d))
        for name, text in case.get("files", {}).items():
            with open(os.path.join(tmp, "work", name), "w", encoding="utf-8") as f:
                f.write(text)
        env = {"PATH": "/usr/bin:/bin", "HOME": os.path.join(tmp, "home"), "PYTHONHASHSEED": "0",
               **case.get("env", {})}
        prefix = os.path.join(tmp, case.get("prefix", "p"))
        proc = subprocess.run([ref, "install", f"--prefix={prefix}", *args], env=env,
                              cwd=os.path.join(tmp, "work"), capture_output=True, text=True)
        assert proc.returncode == 0, (case["name"], proc.stderr)
        kernels = os.path.join(prefix, "share", "jupyter", "kernels")
        (spec,) = os.listdir(kernels)
        with open(os.path.join(kernels, spec, "kernel.json"), encoding="utf-8") as f:
            return f.read().replace(tmp, "{ROOT}")
    finally:
        shutil.rmtree(tmp)


def well_formed(name, text):
    """What json.dump(indent=2) wrote from a substituted template."""
    doc = json.loads(text)
    assert json.dumps(doc, indent=2) + "\n" == text, name
    assert doc["language"] != "${language}", f"{name}: the reference left its template unsubstituted"


with open(os.path.join(here, "value_cases.json"), encoding="utf-8") as f:
    cases = json.load(f)["cases"]
for case in cases:
    name, args = case["name"], case["args"]
    if "corrected" not in case:
        text = reference_install(case, args)
        well_formed(name, text)
    else:
        values = case["corrected"]["values"]
        text = reference_install(case, args)
        well_formed(name, text)
        real_args = list(args)
        for placeholder, value in values.items():
            assert json.dumps(placeholder)[1:-1] in text, (name, placeholder)
            text = text.replace(json.dumps(placeholder)[1:-1], json.dumps(value)[1:-1])
            real_args = [a.replace(placeholder, value) for a in real_args]
        well_formed(name, text)
        # Keep the label honest: the reference itself must get these values wrong.
        assert reference_install(case, real_args) != text, f"{name}: the reference writes it right"
    with open(os.path.join(here, f"{name}.json"), "w", encoding="ascii") as f:
        f.write(text)
    print(f"captured {name}.json" + (" (corrected)" if "corrected" in case else ""))
PY
