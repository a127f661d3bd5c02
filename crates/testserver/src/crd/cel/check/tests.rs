//! The checker against cel-go's texts (`checker/checker.go`, `checker/errors.go`).

use serde_json::json;

use super::*;

fn issues(rule: &str, schema: &Value, is_root: bool) -> String {
    let program = crate::cel::env::compile(rule).unwrap();
    super::check(&program, rule, schema, is_root, false).issues
}

/// cel-go's checker (`checker/checker.go` `checkSelect`): `undefined field`, at the `.`.
#[test]
fn undefined_fields_are_found_where_cel_go_finds_them() {
    let spec = json!({"type": "object", "properties": {
        "replicas": {"type": "integer"},
        "max-surge": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object",
            "properties": {"port": {"type": "integer"}}}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
    }});
    assert_eq!(
        issues("self.noSuchField == 1", &spec, false),
        "ERROR: <input>:1:5: undefined field 'noSuchField'\n | self.noSuchField == 1\n | ....^"
    );
    assert_eq!(
        issues(
            "self.items.all(i, i.prot > 0) && self.items[0].port > 0",
            &spec,
            false
        ),
        "ERROR: <input>:1:20: undefined field 'prot'\n | self.items.all(i, i.prot > 0) && self.items[0].port > 0\n | ...................^"
    );
    for fine in [
        "self.replicas > 0 && self.max__dash__surge >= 0",
        "self.labels.anything == 'x' && self.free.whatever == 1",
        "has(self.nope) || self.items.map(i, i.port).size() > 0",
        "oldSelf.replicas == self.replicas",
    ] {
        assert_eq!(issues(fine, &spec, false), "", "{fine}");
    }
    let root = json!({"type": "object", "properties": {"spec": spec}});
    assert_eq!(
        issues(
            "self.metadata.name == 'x' && self.kind == 'K' && self.spec.replicas > 0",
            &root,
            true
        ),
        ""
    );
    assert_eq!(
        issues("self.spec.x == 1\n  && self.status.y", &root, true),
        "ERROR: <input>:1:10: undefined field 'x'\n | self.spec.x == 1\n | .........^\nERROR: <input>:2:10: undefined field 'status'\n |   && self.status.y\n | .........^"
    );
}

fn spec() -> Value {
    json!({"type": "object", "properties": {
        "name": {"type": "string"},
        "replicas": {"type": "integer"},
        "ratio": {"type": "number"},
        "enabled": {"type": "boolean"},
        "ports": {"type": "array", "items": {"type": "integer"}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "size": {"x-kubernetes-int-or-string": true},
        "timeout": {"type": "string", "format": "duration"},
    }})
}

/// `checkCall`'s `noMatchingOverload`: the operator's name and the argument types, at the
/// operator; a receiver call shows `target.(args)`.
#[test]
fn operators_on_the_wrong_types_are_refused() {
    let spec = spec();
    for (rule, want) in [
        (
            "self.name + 1 == 'x'",
            "ERROR: <input>:1:11: found no matching overload for '_+_' applied to '(string, int)'\n | self.name + 1 == 'x'\n | ..........^",
        ),
        (
            "self.replicas == 'three'",
            "ERROR: <input>:1:15: found no matching overload for '_==_' applied to '(int, string)'\n | self.replicas == 'three'\n | ..............^",
        ),
        (
            "self.enabled > 1",
            "ERROR: <input>:1:14: found no matching overload for '_>_' applied to '(bool, int)'\n | self.enabled > 1\n | .............^",
        ),
        (
            "self.replicas.startsWith('1')",
            "ERROR: <input>:1:25: found no matching overload for 'startsWith' applied to 'int.(string)'\n | self.replicas.startsWith('1')\n | ........................^",
        ),
        (
            "size(self.enabled) > 0",
            "ERROR: <input>:1:5: found no matching overload for 'size' applied to '(bool)'\n | size(self.enabled) > 0\n | ....^",
        ),
        (
            "self.tags[0] == 1",
            "ERROR: <input>:1:14: found no matching overload for '_==_' applied to '(string, int)'\n | self.tags[0] == 1\n | .............^",
        ),
        (
            "self.name in self.ports",
            "ERROR: <input>:1:11: found no matching overload for '@in' applied to '(string, list(int))'\n | self.name in self.ports\n | ..........^",
        ),
        (
            "self.enabled && self.replicas",
            "ERROR: <input>:1:14: found no matching overload for '_&&_' applied to '(bool, int)'\n | self.enabled && self.replicas\n | .............^",
        ),
    ] {
        assert_eq!(issues(rule, &spec, false), want, "{rule}");
    }
}

/// Undeclared names (`checkIdent`), mixed list literals (`HomogeneousAggregateLiterals`) and
/// comprehension ranges (`notAComprehensionRange`).
#[test]
fn names_aggregates_and_ranges() {
    let spec = spec();
    assert_eq!(
        issues("self.replicas > minimum", &spec, false),
        "ERROR: <input>:1:17: undeclared reference to 'minimum' (in container '')\n | self.replicas > minimum\n | ................^"
    );
    assert_eq!(
        issues("self.name in [1, 'a']", &spec, false),
        "ERROR: <input>:1:18: type 'string' does not match previous type 'int' in aggregate. Use 'dyn(x)' to make the aggregate dynamic.\n | self.name in [1, 'a']\n | .................^"
    );
    assert_eq!(
        issues("self.replicas.all(r, r > 0)", &spec, false),
        "ERROR: <input>:1:5: expression of type 'int' cannot be range of a comprehension (must be list, map, or dynamic)\n | self.replicas.all(r, r > 0)\n | ....^"
    );
}

/// What cel-go accepts is never refused: dynamic values, numbers compared across types,
/// macros, the libraries this checker does not model, `null`, types as values.
#[test]
fn valid_rules_pass() {
    let spec = spec();
    for rule in [
        "self.replicas >= 0 && self.ratio < 1 && self.replicas < self.ratio",
        "self.free.anything == 'x' && self.free.count + 1 > 2",
        "self.size == 1 || self.size == '50%'",
        "self.ports.all(p, p > 0 && p < 65536) && self.tags.exists(t, t.startsWith('a'))",
        "self.ports.map(p, p * 2).filter(q, q > 10).size() >= 0",
        "self.labels.all(k, k.size() < 64 && self.labels[k] != '')",
        "'app' in self.labels && self.labels.app == 'web'",
        "self.tags.exists_one(t, t == 'x') || size(self.tags) == 0",
        "self.name.matches('^[a-z]+$') && matches(self.name, 'a')",
        "quantity('1Gi').isGreaterThan(quantity('1Mi')) && isURL('https://x')",
        "sets.contains(self.ports, [1]) && self.tags.join(',') != ''",
        "self.timeout > duration('1s')",
        "type(self.replicas) == int && self.name != null",
        "self.ports.sum() + 1 > 0 && [1, 2] + self.ports != []",
        "has(self.free.x) ? self.free.x : true",
        "self.enabled ? self.replicas > 0 : self.replicas == 0",
        "self.tags.all(i, t, i >= 0 && t != '')",
        "cel.bind(n, self.name, n.size() > 0)",
        "int(self.name) > 0 && string(self.replicas) == '1'",
    ] {
        assert_eq!(issues(rule, &spec, false), "", "{rule}");
    }
}

/// `ast.OutputType() != cel.BoolType`: a known non-bool result, `dyn` included.
#[test]
fn results_that_are_no_bool() {
    let spec = spec();
    let not_bool = |rule: &str| {
        let program = crate::cel::env::compile(rule).unwrap();
        super::check(&program, rule, &spec, false, false).not_bool()
    };
    for rule in [
        "self.replicas + 1",
        "self.name",
        "self.free.flag",
        "self.ports",
    ] {
        assert!(not_bool(rule), "{rule}");
    }
    for rule in [
        "self.replicas > 1",
        "self.free.flag == true",
        "sets.contains(self.ports, [1])",
        "self.ports.all(p, p > 0)",
        "has(self.name)",
    ] {
        assert!(!not_bool(rule), "{rule}");
    }
}
