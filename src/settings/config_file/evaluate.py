# Evaluates a traitlets Python config file the way a traitlets application loads it, without
# needing traitlets: the file is executed with `c`, `get_config()`, `load_subconfig()` and
# `__file__` in its namespace, `c` behaving as traitlets' Config (sections for names starting
# with an upper-case letter, lazy container values for the others). The resulting config is
# printed on stdout as tagged JSON for k8s-spec to read.
#
# Usage: python3 -c <this script> FILE DIR   (DIR: where load_subconfig() searches)
# Output: {"config": <config>} or {"error": {"type": ..., "message": ..., "file": ..., "line": N}}
# Whatever the config file itself prints goes to stderr.
import json
import os
import sys
import traceback


def is_section_key(key):
    return bool(key and key[0].upper() == key[0] and not key.startswith("_"))


class LazyValue:
    """A container operation recorded on a trait that has no value yet (c.A.b.append(x))."""

    def __init__(self):
        self.extend_ = []
        self.prepend_ = []
        self.inserts_ = []
        self.update_ = None

    def append(self, obj):
        self.extend_.append(obj)

    def extend(self, other):
        self.extend_.extend(other)

    def prepend(self, other):
        self.prepend_[:0] = other

    def insert(self, index, other):
        if not isinstance(index, int):
            raise TypeError("An integer is required")
        self.inserts_.append((index, other))

    def update(self, other):
        if self.update_ is None:
            self.update_ = {} if isinstance(other, dict) else set()
        self.update_.update(other)

    def add(self, obj):
        self.update({obj})

    def merge_into(self, other):
        if isinstance(other, LazyValue):
            other.extend_.extend(self.extend_)
            self.extend_ = other.extend_
            self.prepend_.extend(other.prepend_)
            other.inserts_.extend(self.inserts_)
            self.inserts_ = other.inserts_
            if self.update_:
                other.update(self.update_)
                self.update_ = other.update_
            return self
        value = other
        if isinstance(value, list):
            value = list(value)
            for idx, obj in self.inserts_:
                value.insert(idx, obj)
            value[:0] = self.prepend_
            value.extend(self.extend_)
        elif isinstance(value, (dict, set)) and self.update_:
            value = type(value)(value)
            value.update(self.update_)
        return value


class Config(dict):
    """traitlets' Config: attribute access, sections created on first use."""

    def __init__(self, *args, **kwds):
        dict.__init__(self, *args, **kwds)
        for key in list(self):
            obj = dict.__getitem__(self, key)
            if is_section_key(key) and isinstance(obj, dict) and not isinstance(obj, Config):
                dict.__setitem__(self, key, Config(obj))

    def merge(self, other):
        to_update = {}
        for k, v in other.items():
            if k not in self:
                to_update[k] = v
            elif isinstance(v, Config) and isinstance(dict.__getitem__(self, k), Config):
                dict.__getitem__(self, k).merge(v)
            elif isinstance(v, LazyValue):
                dict.__setitem__(self, k, v.merge_into(dict.__getitem__(self, k)))
            else:
                to_update[k] = v
        self.update(to_update)

    def __contains__(self, key):
        if "." in key:
            first, remainder = key.split(".", 1)
            if not dict.__contains__(self, first):
                return False
            return remainder in dict.__getitem__(self, first)
        return dict.__contains__(self, key)

    def __getitem__(self, key):
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            if is_section_key(key):
                c = Config()
                dict.__setitem__(self, key, c)
                return c
            if not key.startswith("_"):
                v = LazyValue()
                dict.__setitem__(self, key, v)
                return v
            raise

    def __setitem__(self, key, value):
        if is_section_key(key):
            if isinstance(value, dict) and type(value).__name__ == "Config" and not isinstance(value, Config):
                value = Config(value)  # a Config imported from traitlets itself
            if not isinstance(value, Config):
                raise ValueError(
                    "values whose keys begin with an uppercase "
                    f"char must be Config instances: {key!r}, {value!r}"
                )
        dict.__setitem__(self, key, value)

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self.__getitem__(key)
        except KeyError as e:
            raise AttributeError(e) from e

    def __setattr__(self, key, value):
        if key.startswith("__"):
            return dict.__setattr__(self, key, value)
        try:
            self.__setitem__(key, value)
        except KeyError as e:
            raise AttributeError(e) from e

    def __delattr__(self, key):
        if key.startswith("__"):
            return dict.__delattr__(self, key)
        try:
            dict.__delitem__(self, key)
        except KeyError as e:
            raise AttributeError(e) from e


def find_file(name, path):
    """traitlets' filefind for load_subconfig()."""
    name = name.strip('"').strip("'")
    if os.path.isabs(name) and os.path.isfile(name):
        return name
    for directory in [path] if isinstance(path, str) else path:
        if directory == ".":
            directory = os.getcwd()
        test = os.path.expandvars(os.path.expanduser(os.path.join(directory, name)))
        if os.path.isfile(test):
            return os.path.abspath(test)
    return None


LOADED = []


def load(filename, path):
    LOADED.append(filename)
    config = Config()

    def get_config():
        return config

    def load_subconfig(fname, path=None):
        if path is None:
            path = search_path
        found = find_file(fname, path)
        if found is not None:
            config.merge(load(found, path))

    search_path = path
    namespace = dict(c=config, load_subconfig=load_subconfig, get_config=get_config, __file__=filename)
    with open(filename, "rb") as f:
        exec(compile(f.read(), filename, "exec"), namespace, namespace)
    return config


def tag(value):
    """A value as JSON that says which Python type it had."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"int": str(int(value))}
    if isinstance(value, float):
        return {"float": repr(float(value))}
    if isinstance(value, Config):
        return {"config": [[str(k), tag(v)] for k, v in value.items()]}
    if isinstance(value, LazyValue):
        return {
            "lazy": {
                "extend": [tag(v) for v in value.extend_],
                "prepend": [tag(v) for v in value.prepend_],
                "inserts": [[tag(i), tag(v)] for i, v in value.inserts_],
                "update": None if value.update_ is None else tag(value.update_),
            }
        }
    if isinstance(value, bytes):
        return {"bytes": list(value)}
    if isinstance(value, tuple):
        return {"tuple": [tag(v) for v in value]}
    if isinstance(value, list):
        return {"list": [tag(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"set": [tag(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[tag(k), tag(v)] for k, v in value.items()]}
    return {"object": [type(value).__name__, repr(value)]}


def main():
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="surrogateescape")
    os.dup2(2, 1)  # what the config file prints goes to stderr
    filename, path = sys.argv[1], sys.argv[2]
    try:
        result = {"config": tag(load(filename, path))}
    except BaseException as e:  # noqa: B036 - every failure of the file is reported
        line, where = 0, filename
        if isinstance(e, SyntaxError) and e.filename:
            line, where = e.lineno or 0, e.filename
        else:
            for frame in traceback.extract_tb(e.__traceback__):
                if frame.filename in LOADED:
                    line, where = frame.lineno or 0, frame.filename
        message = str(e)
        result = {"error": {"type": type(e).__name__, "message": message, "file": where, "line": line}}
    out.write(json.dumps(result))
    out.flush()


main()
