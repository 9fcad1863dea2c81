

class LaunchError(Exception):
    """A launch failure reported as one 'ERROR - ...' line on stderr (exit 1)."""


def _show(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# KERNEL_UID / KERNEL_GID end up as runAsUser / runAsGroup: accept only plain decimal integers so that
# spellings such as "00", "+0" or "0x0" cannot slip past the provisioner's prohibited-id check.
_PLAIN_ID = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def check_ids(environ):
    for name in ("KERNEL_UID", "KERNEL_GID"):
        if name in environ and not _PLAIN_ID.match(environ[name]):
            raise LaunchError(
                f"{name} must be a plain decimal integer, got {_show(environ[name])}"
                " - kernel launch terminating!"
            )


def yaml_typed(raw):
    """Parse an env value as a YAML document (as the reference does, so templates see ints,
    lists, ...).  A value that does not parse is kept as the raw string: an unrelated malformed
    KERNEL_* variable must not make every launch fail."""
    try:
        return yaml.safe_load(raw)
    except Exception:  # YAML errors, impossible dates, excessive nesting, ...
        return raw


def template_variables(environ):
    """kernel_<name> for every KERNEL_<NAME> environment variable, YAML-typed."""
    return {
        name.lower(): yaml_typed(value)
        for name, value in environ.items()
        if name.startswith("KERNEL_")
    }


def extend_env(entries, environ):
    """Env stanza rule: listed entries take the process value when the process has that variable,
    then every other process variable is appended in process-environment order."""
    entries = list(entries or [])
    handled = set()
    for item in entries:
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name in environ:
            item["value"] = environ[name]
            handled.add(name)
    entries.extend(
        {"name": name, "value": value} for name, value in environ.items() if name not in handled
    )
    return entries


# --- YAML-safe rendering -------------------------------------------------------------------------
# Every {{ expression }} of a template is rewritten to pass through _ks_yaml, which knows from the
# surrounding template text where the value lands:
#   dq      inside a double-quoted scalar ("{{ x }}", also used inside comments): escaped in place
#   sq      inside a single-quoted scalar: quotes doubled, line breaks refused
#   node    the expression is a whole plain value (`key: {{ x }}`, `- {{ x }}`): strings become
#           double-quoted scalars, lists/dicts JSON-like flow collections, numbers stay numbers
#   frag    part of a longer plain scalar (`name: kernel-{{ x }}`): only harmless characters allowed
#   block   inside a literal/folded block scalar: line breaks re-indented so the block cannot end
# so no value can close its scalar and add or change other fields.

# Characters YAML accepts verbatim and never reads as a line break (\x85, \u2028 and \u2029 are
# line breaks for YAML 1.1; a byte order mark is only kept out to be safe).
# (Range tests rather than a character-class regex: compiling that costs a launch 12 ms of CPU.)
def _yaml_printable(ch):
    code = ord(ch)
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0x2027
        or 0x202A <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFEFE
        or 0xFF00 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_FRAGMENT_OK = re.compile(r"[\w./+=~@%:-]*\Z")
_MAX_RENDERED = 1 << 20


def _as_text(value):
    if isinstance(value, Undefined):
        return ""
    return str(value)  # None -> 'None', True -> 'True', as Jinja would print them


def _dq_escape(text):
    out = []
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif _yaml_printable(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    return "".join(out)


def _node(value, depth=0):
    if depth > 64:
        raise LaunchError("template value is nested too deeply")
    if isinstance(value, Undefined):
        return ""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text:  # YAML 1.1 floats need a dot in the mantissa
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        items = (f"{_node(k, depth + 1)}: {_node(v, depth + 1)}" for k, v in value.items())
        text = "{" + ", ".join(items) + "}"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_node(v, depth + 1) for v in value) + "]"
    else:
        text = '"' + _dq_escape(str(value)) + '"'
    if len(text) > _MAX_RENDERED:
        raise LaunchError("template value is too large")
    return text


def _render_value(value, kind, lineno, extra=0):
    """Text for a value in context `kind` (see above); `extra` is the line indentation for
    "block" and 1 for a "frag" that starts its scalar."""
    if kind == "dq":
        return _dq_escape(_as_text(value))
    if kind == "node":
        return _node(value)
    where = f"template line {lineno}"
    if kind == "sq":
        text = _as_text(value)
        if not all(_yaml_printable(ch) for ch in text):
            raise LaunchError(f"value {_show(text)} cannot be placed in the single-quoted scalar at {where}")
        return text.replace("'", "''")
    if kind == "block":
        text = _as_text(value)
        if not all(ch in "\n\t" or _yaml_printable(ch) for ch in text):
            raise LaunchError(f"value {_show(text)} cannot be placed in the block scalar at {where}")
        return text.replace("\n", "\n" + " " * extra)
    # kind == "frag": a piece of a plain scalar; quoting is impossible here, so be strict.
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, Undefined)):
        return _as_text(value)
    if (
        isinstance(value, str)
        and _FRAGMENT_OK.match(value)
        and all(_yaml_printable(ch) for ch in value)
        and not value.endswith(":")
        and not (extra and value[:1] in "-:@%")
    ):
        return value
    raise LaunchError(
        f"value {_show(value)} cannot be placed unquoted at {where}; quote the placeholder in the template"
    )


def _strict_int(value, default=None, base=10):
    """Replacement for Jinja's int filter, which turns anything unparsable into 0 (e.g. a UID of
    'abc' became runAsUser 0).  Only real integers convert; otherwise the explicit default, if the
    template gave one, or a launch error."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value
        if base == 10 and re.fullmatch(r"-?(?:0|[1-9][0-9]*)", text):
            return int(text)
        if base != 10:
            try:
                return int(text, base)
            except ValueError:
                pass
    if default is not None:
        return default
    raise LaunchError(f"value {_show(value)} is not an integer - kernel launch terminating!")


class _YamlScanner:
    """Follows the YAML quoting state of a template's literal text, in source order."""

    def __init__(self):
        self.mode = "plain"  # plain | dq | sq | comment | block
        self.line = ""  # current line so far; "\0" marks where an expression was
        self.flow = 0  # depth of [ ] / { } flow collections
        self.escaped = False  # previous character was a backslash inside "..."
        self.sq_closed = False  # previous character closed '...' (a second ' means a literal ')
        self.block_pending = None  # indentation of a line ending in a block scalar indicator
        self.block_indent = 0

    def indentation(self):
        return len(self.line) - len(self.line.lstrip(" "))

    def at_node_start(self):
        s = self.line
        if not s.strip():
            return True
        if self.flow and re.search(r"[\[{,]\s*\Z", s):
            return True
        return re.search(r"(?:^|\s)[-?]\s+\Z|:\s+\Z", s) is not None

    def _settle_block(self):
        # The first non-blank character of a line decides whether a block scalar goes on.
        if self.mode == "block" and not self.line.strip() and self.indentation() <= self.block_indent:
            self.mode = "plain"

    def feed(self, text):
        for ch in text:
            if ch == "\n":
                if self.mode in ("plain", "comment"):
                    self.mode = "plain"
                    if self.block_pending is not None:
                        self.mode, self.block_indent = "block", self.block_pending
                self.block_pending = None
                self.line = ""
                continue
            if ch != " ":
                self._settle_block()
            reopen, self.sq_closed = self.sq_closed, False
            if self.mode == "dq":
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.mode = "plain"
            elif self.mode == "sq":
                if ch == "'":
                    self.mode, self.sq_closed = "plain", True
            elif self.mode == "plain":
                if ch == "'" and reopen:
                    self.mode = "sq"
                else:
                    self._plain_char(ch)
            self.line += ch

    def _plain_char(self, ch):
        start = self.at_node_start()
        if ch == "#" and (not self.line or self.line[-1] in " \t"):
            self.mode = "comment"
        elif ch == '"' and start:
            self.mode = "dq"
        elif ch == "'" and start:
            self.mode = "sq"
        elif ch in "[{" and start:
            self.flow += 1
        elif ch in "]}" and self.flow:
            self.flow -= 1
        elif ch in "|>" and start and not self.flow:
            self.block_pending = self.indentation()

    def classify(self, after, line_complete):
        """Context of an expression at the current position: (kind, extra) for _render_value."""
        self._settle_block()
        self.sq_closed = False
        if self.mode in ("dq", "comment"):
            return "dq", 0
        if self.mode == "sq":
            return "sq", 0
        if self.mode == "block":
            return "block", self.indentation()
        start = self.at_node_start()
        ends = (
            (line_complete and not after.strip())
            or re.match(r"[ \t]+#", after)
            or re.match(r":(?:[ \t]|\Z)", after)
            or (self.flow and re.match(r"[ \t]*[,\]}]", after))
        )
        if start and ends:
            return "node", 0
        return "frag", int(start)


class YamlSafeExtension(Extension):
    """Wraps every {{ expression }} in the _ks_yaml filter with the context found by _YamlScanner."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["_ks_yaml"] = _render_value
        environment.filters["int"] = _strict_int

    def filter_stream(self, stream):
        tokens = list(stream)
        scanner = _YamlScanner()
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "data":
                scanner.feed(tok.value)
            if tok.type != "variable_begin":
                yield tok
                i += 1
                continue
            end = i + 1
            while end < len(tokens) and tokens[end].type != "variable_end":
                end += 1
            if end == len(tokens):  # a "{{" never closed: left as it is for the parser to report
                yield from tokens[i:]
                return
            following = tokens[end + 1] if end + 1 < len(tokens) else None
            if following is None:
                after, complete = "", True
            else:
                # The text after the expression on its line.  A tag right after it counts as text
                # by its opening ("{{", "{%"), which is neither blank nor a comment, a ':' or a flow
                # indicator: the value is then part of a longer scalar.
                after = following.value.split("\n", 1)[0]
                complete = "\n" in following.value or end + 2 >= len(tokens)
            kind, extra = scanner.classify(after, complete)
            scanner.line += "\0"
            n = tok.lineno
            yield tok
            yield Token(n, "lparen", "(")
            yield from tokens[i + 1 : end]
            yield Token(n, "rparen", ")")
            for piece in (("pipe", "|"), ("name", "_ks_yaml"), ("lparen", "("), ("string", kind),
                          ("comma", ","), ("integer", n), ("comma", ","), ("integer", extra),
                          ("rparen", ")")):
                yield Token(n, *piece)
            yield tokens[end]
            i = end + 1


def render_template(directory, name, variables):
    environment = Environment(
        loader=FileSystemLoader(directory),
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        extensions=[YamlSafeExtension],
    )
    try:
        return environment.get_template(name).render(**variables)
    except TemplateError as exc:
        raise LaunchError(f"cannot render template '{name}': {exc}") from exc


def yaml_problem(exc):
    """One-line description of a YAML parse error."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    return f"{getattr(exc, 'problem', None) or exc}{where}"


def required_variable(variables, name, allow_empty=False):
    """Text of a template variable the launch cannot do without (e.g. for API paths)."""
    if name not in variables:
        raise LaunchError(f"{name.upper()} is not set - kernel launch terminating!")
    value = variables[name]
    if not allow_empty and (value is None or value == ""):
        raise LaunchError(f"{name.upper()} is empty - kernel launch terminating!")
    return str(value)


