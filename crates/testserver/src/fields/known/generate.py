#!/usr/bin/env python3
"""Writes `fields.txt`: the JSON field names of every built-in Kubernetes type, read from
k8s-openapi's generated sources (which are generated from kube-apiserver's OpenAPI document).

Usage: generate.py <path to k8s-openapi-X.Y.Z/src/v1_NN> > fields.txt

Line formats (one per line, sorted):
  @<apiVersion>/<Kind> <type>          the type of a served kind
  <type> <field>[=<ref>] ...           a struct and its fields; <ref> is another struct's name,
                                       prefixed with `[` per list level and `{` per map level
                                       (`labels={`: a map of scalars); a field without `=`
                                       holds a scalar or JSON the decoder does not look into
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


def main(root):
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
            structs[rust] = (short(m.group(1)), fields, json)
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
    for rust, (name, fields, json) in structs.items():
        out = [name]
        for field, ty in fields.items():
            r = ref(ty)
            out.append(json.get(field, field) + ("=" + r if r else ""))
        for r, j in json.items():
            if r not in fields:  # apiVersion and kind of top-level types
                out.append(j)
        lines.append(" ".join(out))
    print("\n".join(sorted(kinds) + sorted(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
