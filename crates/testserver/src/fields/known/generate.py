#!/usr/bin/env python3
"""Writes `fields.txt`: the JSON field names of every built-in Kubernetes type, read from
k8s-openapi's generated sources (which are generated from kube-apiserver's OpenAPI document),
with the Go type of each field read from the Go sources of the same release.

Usage: generate.py <path to k8s-openapi-X.Y.Z/src/v1_NN> <module>=<dir> ... > fields.txt

where each <module>=<dir> is a Go module checked out at the served release:
  k8s.io/api=... k8s.io/apimachinery=... k8s.io/apiextensions-apiserver=...
  k8s.io/kube-aggregator=...

Line formats (one per line, sorted):
  @<apiVersion>/<Kind> <type>          the type of a served kind
  <type> <field>[=<ref>]:<go> ...      a struct and its fields; <ref> is another struct's name,
                                       prefixed with `[` per list level and `{` per map level
                                       (`labels={`: a map of scalars); a field without `=`
                                       holds a scalar or JSON the decoder does not look into;
                                       <go> is the field's Go type (see `go_type`)

A Go type is written as reflect's `Type.String()` shows it, with what decoding needs to know
about named types (pointers are dropped: the decoder reports the type pointed to):
  string, int32, ... , uint8              predeclared types (`byte` is `uint8`)
  []<go>, map[<go>]<go>                   lists and maps
  <pkg>.<Name>~<go>                       a named type and its underlying type
  <pkg>.<Name>~struct                     a struct
  !<pkg>.<Name>                           a type with its own UnmarshalJSON
  interface{}                             anything
"""
import os
import re
import sys

PREFIXES = [
    ("io.k8s.api.", ""),
    ("io.k8s.apimachinery.pkg.apis.", ""),
    ("io.k8s.apiextensions-apiserver.pkg.apis.", ""),
    ("io.k8s.kube-aggregator.pkg.apis.", ""),
]


def short(definition):
    for prefix, repl in PREFIXES:
        if definition.startswith(prefix):
            return repl + definition[len(prefix):]
    return definition


BUILTIN = {"string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint16",
           "uint32", "uint64", "uint8", "float32", "float64", "byte", "rune"}


class GoPackages:
    """The Go type declarations of the given modules: named types, struct fields with their
    JSON names (embedded `,inline` structs flattened), and which types unmarshal themselves."""

    def __init__(self, modules):
        self.types = {}  # (import path, name) -> type expression text
        self.imports = {}  # (import path, name) -> {alias: import path} of its file
        self.unmarshalers = set()  # (import path, name)
        self.aliases = {}  # (import path, name) -> (import path, name) of `type X = Y`
        for module, root in modules:
            for dirpath, _, files in os.walk(root):
                for f in files:
                    if not f.endswith(".go") or f.endswith("_test.go"):
                        continue
                    rel = os.path.relpath(dirpath, root)
                    path = module if rel == "." else module + "/" + rel.replace(os.sep, "/")
                    self.read(path, open(os.path.join(dirpath, f)).read())

    def read(self, path, text):
        imports = {}
        for alias, imp in re.findall(r'^(?:import\s+|\s*)(\w+\s+)?"([^"]+)"$', text, re.M):
            imports[alias.strip() or imp.rsplit("/", 1)[-1]] = imp
        for name in re.findall(r"^func \(\w+ \*?(\w+)\) UnmarshalJSON\(", text, re.M):
            self.unmarshalers.add((path, name))
        for name, body in re.findall(r"^type (\w+) struct \{\n(.*?)^\}", text, re.M | re.S):
            self.types[(path, name)] = ("struct", body)
            self.imports[(path, name)] = imports
        for name in re.findall(r"^type (\w+) struct\s*\{\s*\}", text, re.M):
            self.types[(path, name)] = ("struct", "")
            self.imports[(path, name)] = imports
        for name, target in re.findall(r"^type (\w+) = ([\w.]+)\s*$", text, re.M):
            self.aliases[(path, name)] = self.resolve(path, target, imports)
        for name, expr in re.findall(r"^type (\w+) ([^{=\n]+?)\s*$", text, re.M):
            if not expr.startswith("struct") and not expr.startswith("interface"):
                self.types[(path, name)] = ("named", expr.strip())
                self.imports[(path, name)] = imports

    def resolve(self, path, ident, imports):
        """The import path and name of identifier `ident` (`T` or `pkg.T`) used in `path`."""
        if "." in ident:
            alias, name = ident.split(".", 1)
            found = (imports.get(alias, alias), name)
        else:
            found = (path, ident)
        while found in self.aliases:
            found = self.aliases[found]
        return found

    def go_type(self, expr, path, imports):
        expr = expr.strip()
        if expr.startswith("*"):
            return self.go_type(expr[1:], path, imports)
        if expr.startswith("[]"):
            return "[]" + self.go_type(expr[2:], path, imports)
        if expr.startswith("map["):
            depth, i = 0, 3
            for i in range(3, len(expr)):
                depth += {"[": 1, "]": -1}.get(expr[i], 0)
                if depth == 0:
                    break
            return "map[%s]%s" % (self.go_type(expr[4:i], path, imports),
                                  self.go_type(expr[i + 1:], path, imports))
        if expr in ("interface{}", "any"):
            return "interface{}"
        if expr in BUILTIN:
            return {"byte": "uint8", "rune": "int32"}.get(expr, expr)
        pkg, name = self.resolve(path, expr, imports)
        shown = "%s.%s" % (pkg.rsplit("/", 1)[-1], name)
        if (pkg, name) in self.unmarshalers:
            return "!" + shown
        kind, decl = self.types.get((pkg, name), ("named", None))
        if kind == "struct" or (kind == "named" and self.fields(pkg, name) is not None):
            return shown + "~struct"
        if decl is None:
            return shown + "~interface{}"
        return shown + "~" + self.go_type(decl, pkg, self.imports[(pkg, name)])

    def fields(self, path, name):
        """{json name: go type} of struct `name` in `path`, embedded inline structs
        flattened; None when the struct is unknown."""
        kind, body = self.types.get((path, name), (None, None))
        if kind == "named":  # `type MatchCondition v1.MatchCondition`: the same fields
            return self.fields(*self.resolve(path, body, self.imports[(path, name)]))
        if kind != "struct":
            return None
        imports = self.imports[(path, name)]
        out = {}
        for line in body.split("\n"):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            m = re.match(r"^(\w+)\s+([^`]+?)\s*`json:\"([^\"]*)\"", line)
            if m:
                tag = m.group(3).split(",")[0]
                if tag != "-":
                    out[tag or m.group(1)] = self.go_type(m.group(2), path, imports)
                continue
            m = re.match(r"^(\*?[\w.]+)\s*(`json:\"([^\"]*)\")?", line)
            if m:  # embedded: its fields are promoted (`,inline` or no JSON name)
                tag = (m.group(3) or "").split(",")[0]
                pkg, inner = self.resolve(path, m.group(1).lstrip("*"), imports)
                promoted = self.fields(pkg, inner) if not tag else None
                if promoted is not None:
                    out.update(promoted)
                elif tag:
                    out[tag] = self.go_type(m.group(1), path, imports)
        return out


GO_PACKAGES = [
    ("io.k8s.api.", "k8s.io/api/"),
    ("io.k8s.apimachinery.pkg.", "k8s.io/apimachinery/pkg/"),
    ("io.k8s.apiextensions-apiserver.pkg.apis.", "k8s.io/apiextensions-apiserver/pkg/apis/"),
    ("io.k8s.kube-aggregator.pkg.apis.", "k8s.io/kube-aggregator/pkg/apis/"),
]


def go_struct(definition):
    """The Go import path and type name of an OpenAPI definition."""
    for prefix, module in GO_PACKAGES:
        if definition.startswith(prefix):
            rest = definition[len(prefix):].split(".")
            return module + "/".join(rest[:-1]), rest[-1]
    return None, None


def main(root, modules):
    go = GoPackages(modules)
    structs = {}  # rust path -> (name, {rust field: type text}, {rust field: json name})
    kinds = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs") or f == "mod.rs":
                continue
            text = open(os.path.join(dirpath, f)).read()
            m = re.search(r"^// Generated from definition (\S+)", text, re.M)
            s = re.search(r"^pub struct (\w+) \{\n(.*?)^\}", text, re.M | re.S)
            if not m or not s:
                continue
            rel = os.path.relpath(dirpath, root).replace(os.sep, "::")
            rust = "crate::%s::%s" % (rel, s.group(1))
            fields = dict(re.findall(r"^    pub (\w+): (.+),$", s.group(2), re.M))
            json = {r: j for j, r in re.findall(r'"([^"]+)" => Field::Key_(\w+),', text)}
            structs[rust] = (short(m.group(1)), fields, json, m.group(1))
            r = re.search(r'impl crate::Resource for \w+ \{\n\s*const API_VERSION: &\'static str = "([^"]*)";'
                          r'.*?const KIND: &\'static str = "([^"]*)";', text, re.S)
            if r:
                kinds.append("@%s/%s %s" % (r.group(1), r.group(2), short(m.group(1))))

    def ref(ty):
        ty = ty.strip()
        inner = re.fullmatch(r"Option<(.+)>", ty)
        if inner:
            return ref(inner.group(1))
        inner = re.fullmatch(r"std::vec::Vec<(.+)>", ty)
        if inner:
            return "[" + (ref(inner.group(1)) or "")
        inner = re.fullmatch(r"std::collections::BTreeMap<std::string::String, (.+)>", ty)
        if inner:
            return "{" + (ref(inner.group(1)) or "")
        if ty in structs:
            return structs[ty][0]
        return None

    lines = []
    missing = []
    for rust, (name, fields, json, definition) in structs.items():
        go_fields = go.fields(*go_struct(definition)) or {}
        out = [name]
        for field, ty in fields.items():
            r = ref(ty)
            key = json.get(field, field)
            go_type = go_fields.get(key)
            if go_type is None:
                missing.append("%s.%s" % (name, key))
                go_type = "interface{}"
            out.append(key + ("=" + r if r else "") + ":" + go_type)
        for r, j in json.items():
            if r not in fields:  # apiVersion and kind of top-level types
                out.append(j + ":string")
        lines.append(" ".join(out))
    print("\n".join(sorted(kinds) + sorted(lines)))
    if missing:
        print("no Go type for %d fields: %s" % (len(missing), " ".join(sorted(missing)[:20])),
              file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], [arg.split("=", 1) for arg in sys.argv[2:]])
