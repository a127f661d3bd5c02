#!/usr/bin/env python3
"""Writes `shapes.txt`: what field management needs to know of every served built-in kind,
read from the Go sources of k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver
and k8s.io/kube-aggregator (the markers and struct tags kube-apiserver's OpenAPI models are
generated from), plus which kinds have a `status` subresource (from the server's catalog).

Usage: shapes.py <path to k8s-openapi-X.Y.Z/src/v1_NN> <catalog.json> <module>=<dir> ... > shapes.txt

with the same modules as `generate.py` (which this reuses to read Go declarations). The table
in this tree was written from k8s.io/api, apimachinery and apiextensions-apiserver v0.36.3 and
kube-aggregator v0.36.2 (the newest v0.36 tags), k8s-openapi 0.29.0 (v1_36).

What is read, per struct field (markers are the `// +name=value` lines of the field's doc
comment; a named type's own markers apply where the field has none):
  +listType=atomic|set|map, +listMapKey=k (in order)   the list type and keys of a list
  +default="v" on a key field of the element struct     the key's default (string values only)
  +mapType=atomic, +structType=atomic (field or type)    owned and replaced as a whole
  patchStrategy:"merge|retainKeys|..." patchMergeKey:"k" strategic merge patch metadata
  the JSON tag's `omitempty`                            whether Go writes the zero value

Line formats:
  @<apiVersion>/<Kind> <struct> <status> <zero>   a kind the catalog serves: its root struct, 1 when it
                                                  has a status subresource, and the JSON the
                                                  Go zero value of the type encodes to
                                                  (without apiVersion, kind and metadata)
  <struct> <field>=<shape> ...                     the fields of a struct whose shape is not
                                                  a plain scalar, where <shape> is one of
    atomic                                        an atomic struct or map
    map                                           a granular Go map
    struct:<struct>[:<strategy>]                  a granular struct (`strategy`: its
                                                  patchStrategy, `retainKeys`)
    list:<type>:<keys>:<defaults>:<strategy>:<mergeKey>:<elem>
                                                  a list: `type` atomic|set|map, `keys` the
                                                  map keys (`,`-separated), `defaults`
                                                  `key=value` pairs, `strategy` the
                                                  patchStrategy with `+` for `,`, `elem` a
                                                  granular struct's name, `atomic`, or empty
                                                  for scalars
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import BUILTIN, GoPackages, go_struct  # noqa: E402

NAME_PREFIXES = ["k8s.io/api/", "k8s.io/apimachinery/pkg/apis/", "k8s.io/apimachinery/pkg/",
                 "k8s.io/apiextensions-apiserver/pkg/apis/", "k8s.io/kube-aggregator/pkg/apis/"]

# The JSON the zero value of a type with its own MarshalJSON encodes to.
MARSHALED_ZERO = {"Quantity": "0", "IntOrString": 0, "Duration": "0s"}

MARKER = re.compile(r"^//\s*\+([\w:.-]+)(?:=(.*))?$")
TAG = re.compile(r'(\w+):"([^"]*)"')


def short_name(path, name):
    for prefix in NAME_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix):].replace("/", ".") + "." + name
    return path.replace("/", ".") + "." + name


def markers(lines):
    out = {}
    for line in lines:
        m = MARKER.match(line.strip())
        if m:
            out.setdefault(m.group(1), []).append((m.group(2) or "").strip())
    return out


class Field:
    def __init__(self, name, expr, path, imports, marks, tags):
        self.name, self.expr, self.path, self.imports = name, expr, path, imports
        self.markers, self.tags = marks, tags
        json_tag = tags.get("json", "").split(",")
        self.omitempty = "omitempty" in json_tag[1:]


class Types:
    """Go declarations with the doc-comment markers of types and struct fields."""

    def __init__(self, modules):
        self.go = GoPackages(modules)
        self.type_markers = {}
        for module, root in modules:
            for dirpath, _, files in os.walk(root):
                for f in files:
                    if not f.endswith(".go") or f.endswith("_test.go"):
                        continue
                    rel = os.path.relpath(dirpath, root)
                    path = module if rel == "." else module + "/" + rel.replace(os.sep, "/")
                    text = open(os.path.join(dirpath, f)).read()
                    for m in re.finditer(r"((?:^//[^\n]*\n)*)^type (\w+) ", text, re.M):
                        self.type_markers[(path, m.group(2))] = markers(m.group(1).split("\n"))

    def resolve(self, path, ident, imports):
        return self.go.resolve(path, ident, imports)

    def fields(self, path, name):
        """The fields of struct `name` in `path` (embedded inline structs flattened), or
        None when it is not a struct."""
        kind, body = self.go.types.get((path, name), (None, None))
        if kind == "named":
            target = self.resolve(path, body, self.go.imports[(path, name)])
            return self.fields(*target) if target in self.go.types else None
        if kind != "struct":
            return None
        imports = self.go.imports[(path, name)]
        out = []
        comments = []
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        for line in body.split("\n"):
            line = line.strip()
            if not line:
                comments = []
                continue
            if line.startswith("//"):
                comments.append(line)
                continue
            marks, comments = markers(comments), []
            m = re.match(r"^(\w+)\s+([^`]+?)\s*(`.*`)?$", line)
            if m and not m.group(2).startswith("`"):
                tags = dict(TAG.findall(m.group(3) or ""))
                json_name = tags.get("json", "").split(",")[0]
                if json_name == "-":
                    continue
                out.append(Field(json_name or m.group(1), m.group(2), path, imports, marks, tags))
                continue
            m = re.match(r"^(\*?[\w.]+)\s*(`.*`)?$", line)
            if m:
                tags = dict(TAG.findall(m.group(2) or ""))
                json_name = tags.get("json", "").split(",")[0]
                target = self.resolve(path, m.group(1).lstrip("*"), imports)
                promoted = None if json_name else self.fields(*target)
                if promoted is not None:
                    out.extend(promoted)
                elif json_name and json_name != "-":
                    out.append(Field(json_name, m.group(1), path, imports, marks, tags))
        return out

    def kind_of(self, expr, path, imports):
        """(kind, detail, type markers) of a Go type expression: kind is `ptr`, `slice`,
        `map`, `struct` (detail: (path, name)), `custom` (detail: name), or `scalar`."""
        expr = expr.strip()
        if expr.startswith("*"):
            return ("ptr", (expr[1:], path, imports), {})
        if expr.startswith("[]"):
            if expr[2:] in ("byte", "uint8"):
                return ("scalar", None, {})
            return ("slice", (expr[2:], path, imports), {})
        if expr.startswith("map["):
            depth = 0
            for i in range(3, len(expr)):
                depth += {"[": 1, "]": -1}.get(expr[i], 0)
                if depth == 0:
                    break
            return ("map", (expr[i + 1:], path, imports), {})
        if expr in BUILTIN or expr in ("interface{}", "any"):
            return ("scalar", None, {})
        target = self.resolve(path, expr, imports)
        marks = self.type_markers.get(target, {})
        if target in self.go.unmarshalers:
            return ("custom", target[1], marks)
        kind, decl = self.go.types.get(target, (None, None))
        if kind == "struct":
            return ("struct", target, marks)
        if kind == "named":
            inner = self.kind_of(decl, target[0], self.go.imports[target])
            if inner[0] == "struct" and self.fields(*target) is not None:
                return ("struct", target, {**inner[2], **marks})
            return (inner[0], inner[1], {**inner[2], **marks})
        return ("scalar", None, marks)

    def deref(self, expr, path, imports):
        kind, detail, marks = self.kind_of(expr, path, imports)
        if kind == "ptr":
            return self.deref(*detail)
        return kind, detail, marks


class Writer:
    def __init__(self, types):
        self.types = types
        self.lines = {}  # struct name -> line
        self.todo = []

    def struct_ref(self, target):
        name = short_name(*target)
        if name not in self.lines:
            self.lines[name] = None
            self.todo.append(target)
        return name

    def atomic_struct(self, marks):
        return marks.get("structType", [""])[-1] == "atomic"

    def shape(self, field):
        kind, detail, type_marks = self.types.deref(field.expr, field.path, field.imports)
        marks = {**type_marks, **field.markers}
        strategy = field.tags.get("patchStrategy", "").replace(",", "+")
        if kind == "slice":
            ekind, edetail, emarks = self.types.deref(*detail)
            elem = ""
            if ekind == "struct":
                elem = "atomic" if self.atomic_struct(emarks) else self.struct_ref(edetail)
            elif ekind == "map":
                elem = "atomic" if marks.get("mapType", [""])[-1] == "atomic" else ""
            list_type = marks.get("listType", ["atomic"])[-1]
            if list_type == "atomic" and not strategy:
                return None  # replaced and owned whole, as any undescribed list
            keys = marks.get("listMapKey", []) if list_type == "map" else []
            defaults = []
            if keys and ekind == "struct":
                for f in self.types.fields(*edetail) or []:
                    default = f.markers.get("default", [None])[-1]
                    if f.name in keys and default is not None:
                        try:
                            value = json.loads(default)
                        except ValueError:
                            continue
                        if isinstance(value, str):
                            defaults.append("%s=%s" % (f.name, value))
            return "list:%s:%s:%s:%s:%s:%s" % (list_type, ",".join(keys), ",".join(defaults),
                                              strategy, field.tags.get("patchMergeKey", ""),
                                              elem)
        if kind == "map":
            if marks.get("mapType", [""])[-1] == "atomic":
                return "atomic"
            return "map"
        if kind == "struct":
            if self.atomic_struct(marks) or marks.get("mapType", [""])[-1] == "atomic":
                return "atomic"
            return "struct:%s%s" % (self.struct_ref(detail), ":" + strategy if strategy else "")
        return None

    def run(self):
        while self.todo:
            target = self.todo.pop()
            out = [short_name(*target)]
            for f in self.types.fields(*target) or []:
                shape = self.shape(f)
                if shape:
                    out.append("%s=%s" % (f.name, shape))
            self.lines[out[0]] = " ".join(out)

    def zero(self, expr, path, imports, omitempty):
        """The JSON the zero value of a field of type `expr` encodes to, or `...` (Ellipsis)
        when the field is omitted."""
        kind, detail, _ = self.types.kind_of(expr, path, imports)
        if kind in ("ptr", "slice", "map"):
            return ... if omitempty else None
        if kind == "custom":
            return MARSHALED_ZERO.get(detail)
        if kind == "struct":
            return self.struct_zero(detail)
        if omitempty:
            return ...
        base = expr
        while True:  # the underlying predeclared type of a named scalar
            if base in BUILTIN or base in ("interface{}", "any"):
                break
            target = self.types.resolve(path, base, imports)
            k, decl = self.types.go.types.get(target, (None, None))
            if k != "named":
                return None
            base, path, imports = decl, target[0], self.types.go.imports[target]
        if base == "string":
            return ""
        if base == "bool":
            return False
        if base in ("interface{}", "any"):
            return None
        return 0

    def struct_zero(self, target, skip=()):
        out = {}
        for f in self.types.fields(*target) or []:
            if f.name in skip:
                continue
            value = self.zero(f.expr, f.path, f.imports, f.omitempty)
            if value is not ...:
                out[f.name] = value
        return out


def served_kinds(catalog):
    """({apiVersion/Kind} the catalog serves, including subresources' kinds,
    {apiVersion/Kind} of its resources with a `status` subresource)."""
    out, served = set(), set()
    groups = [{"name": "", "versions": [{"version": "v1", "resources": catalog["core"]}]}]
    for group in groups + catalog["groups"]:
        for version in group["versions"]:
            api_version = (group["name"] + "/" if group["name"] else "") + version["version"]
            resources = version["resources"]
            with_status = {r["name"].split("/")[0] for r in resources
                           if r["name"].endswith("/status")}
            for r in resources:
                if r["name"] in with_status:
                    out.add("%s/%s" % (api_version, r["kind"]))
                group_version = "/".join(
                    p for p in (r.get("group", group["name"]), r.get("version", version["version"])) if p)
                served.add("%s/%s" % (group_version, r["kind"]))
    return served, out


def main(root, catalog, modules):
    types = Types(modules)
    writer = Writer(types)
    served, with_status = served_kinds(json.load(open(catalog)))
    kinds = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs") or f == "mod.rs":
                continue
            text = open(os.path.join(dirpath, f)).read()
            m = re.search(r"^// Generated from definition (\S+)", text, re.M)
            r = re.search(r'impl crate::Resource for \w+ \{\n\s*const API_VERSION: &\'static str = "([^"]*)";'
                          r'.*?const KIND: &\'static str = "([^"]*)";', text, re.S)
            if not m or not r:
                continue
            target = go_struct(m.group(1))
            if target[0] is None or types.fields(*target) is None:
                print("no Go struct for %s" % m.group(1), file=sys.stderr)
                continue
            kind = "%s/%s" % (r.group(1), r.group(2))
            if kind not in served:
                continue
            zero = writer.struct_zero(target, skip=("apiVersion", "kind", "metadata"))
            kinds.append("@%s %s %d %s" % (kind, writer.struct_ref(target), kind in with_status,
                                           json.dumps(zero, separators=(",", ":"))))
    writer.run()
    print("\n".join(sorted(kinds) + sorted(line for line in writer.lines.values())))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [arg.split("=", 1) for arg in sys.argv[3:]])
