//! Unit tests of the admission CEL environment: each variable as `activation.go` binds it, the
//! authorizer library (`authz.go`), variables (`composition.go`) and match conditions
//! (`matcher.go`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Activation, FailurePolicy, Input, Request, Resource, match_conditions};
use crate::admission::testing::MemLookup;
use crate::admission::{Attributes, Operation, UserInfo};

fn deployments() -> Resource<'static> {
    Resource {
        group: "apps",
        version: "v1",
        resource: "deployments",
        subresource: "",
        kind: "Deployment",
    }
}

struct Case {
    groups: Vec<String>,
    extra: BTreeMap<String, Vec<String>>,
    lookup: MemLookup,
    object: Option<Value>,
    old: Option<Value>,
    params: Option<Value>,
    operation: Operation,
    anonymous: bool,
}

impl Case {
    fn new() -> Self {
        Case {
            groups: vec!["system:authenticated".into()],
            extra: BTreeMap::new(),
            lookup: MemLookup::namespace("ns"),
            object: Some(json!({"metadata": {"name": "d", "namespace": "ns"},
                "spec": {"replicas": 3, "ratio": 0.5}})),
            old: None,
            params: None,
            operation: Operation::Create,
            anonymous: false,
        }
    }

    /// `f` run over the activation of this case (a create of a Deployment by `alice` in `ns`).
    fn with<T>(&self, f: impl FnOnce(&mut Activation<'_>) -> T) -> T {
        let user = UserInfo {
            name: "alice",
            uid: "u-1",
            groups: &self.groups,
            extra: &self.extra,
        };
        let attrs = Attributes {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            resource: "deployments",
            subresource: "",
            namespace: "ns",
            name: if self.operation == Operation::Create {
                ""
            } else {
                "d"
            },
            operation: self.operation,
            user: (!self.anonymous).then_some(user),
        };
        let namespace = self.lookup.get_namespace("ns");
        let input = Input {
            attrs: &attrs,
            request: Request {
                matched: deployments(),
                requested: deployments(),
                dry_run: false,
                options: None,
            },
            object: self.object.as_ref(),
            old_object: self.old.as_ref(),
            params: self.params.as_ref(),
            namespace: namespace.as_ref(),
            lookup: &self.lookup,
        };
        let mut activation = Activation::new(&input);
        f(&mut activation)
    }

    /// `expr`'s value shown as JSON-like text, or its error.
    #[track_caller]
    fn eval(&self, expr: &str) -> String {
        self.with(|a| show(a.evaluate(expr)))
    }
}

fn show(result: Result<cel::Value, super::EvalError>) -> String {
    match result {
        Ok(cel::Value::Bool(b)) => b.to_string(),
        Ok(cel::Value::Int(i)) => i.to_string(),
        Ok(cel::Value::String(s)) => format!("{s:?}"),
        Ok(cel::Value::Null) => "null".into(),
        Ok(other) => format!("{other:?}"),
        Err(e) => format!("error: {e}"),
    }
}

trait NamespaceOf {
    fn get_namespace(&self, name: &str) -> Option<Value>;
}

impl NamespaceOf for MemLookup {
    fn get_namespace(&self, name: &str) -> Option<Value> {
        crate::admission::Lookup::get(self, "", "namespaces", None, name)
    }
}

/// `activation.go` `newActivation`: object, oldObject (null on a create), params (null
/// without a paramKind), namespaceObject; schemaless ints and doubles.
#[test]
fn objects_are_bound_as_activation_go_binds_them() {
    let case = Case::new();
    for (expr, want) in [
        ("object.spec.replicas == 3", "true"),
        ("object.spec.ratio == 0.5", "true"),
        ("oldObject == null", "true"),
        ("params == null", "true"),
        ("namespaceObject.metadata.name", "\"ns\""),
        ("namespaceObject.status.phase", "\"Active\""),
        ("has(namespaceObject.metadata.managedFields)", "false"),
        (
            "object.spec.nope",
            "error: expression 'object.spec.nope' resulted in error: no such key: nope",
        ),
    ] {
        assert_eq!(case.eval(expr), want, "{expr}");
    }
    let mut delete = Case::new();
    delete.operation = Operation::Delete;
    delete.old = delete.object.take();
    delete.params = Some(json!({"data": {"max": "2"}}));
    assert_eq!(
        delete.eval("object == null && oldObject.spec.replicas == 3"),
        "true"
    );
    assert_eq!(delete.eval("params.data.max"), "\"2\"");
}

/// `CreateAdmissionRequest`: the request's fields as `admission/v1` names them, empty
/// `omitempty` fields left out.
#[test]
fn request_is_create_admission_request() {
    let case = Case::new();
    for (expr, want) in [
        ("request.operation", "\"CREATE\""),
        ("request.namespace", "\"ns\""),
        ("has(request.name)", "false"),
        ("has(request.subResource)", "false"),
        (
            "request.kind.kind + '/' + request.kind.version",
            "\"Deployment/v1\"",
        ),
        (
            "request.resource.group + '/' + request.resource.resource",
            "\"apps/deployments\"",
        ),
        ("request.requestKind.group", "\"apps\""),
        ("request.userInfo.username", "\"alice\""),
        ("request.userInfo.uid", "\"u-1\""),
        (
            "request.userInfo.groups == ['system:authenticated']",
            "true",
        ),
        ("has(request.userInfo.extra)", "false"),
        ("request.dryRun", "false"),
        ("request.options.kind", "\"CreateOptions\""),
    ] {
        assert_eq!(case.eval(expr), want, "{expr}");
    }
    let mut scoped = Case::new();
    scoped.extra.insert("scopes".into(), vec!["a".into()]);
    assert_eq!(
        scoped.eval("request.userInfo.extra.scopes == ['a']"),
        "true"
    );
    let mut update = Case::new();
    update.operation = Operation::Update;
    assert_eq!(
        update.eval("request.operation + ' ' + request.name"),
        "\"UPDATE d\""
    );
}

/// `authz.go`: checks answered by the server's authorizer for the requesting user, or for a
/// ServiceAccount; `authorizer.requestResource` checks the request's own resource.
#[test]
fn authorizer_checks_ask_the_servers_authorizer() {
    let mut case = Case::new();
    case.lookup = MemLookup::namespace("ns")
        .allow("alice", "create", "deployments", "")
        .allow("alice", "use", "signers", "s")
        .allow("system:serviceaccount:ns:robot", "get", "secrets", "");
    for (expr, want) in [
        (
            "authorizer.group('apps').resource('deployments').check('create').allowed()",
            "true",
        ),
        (
            "authorizer.group('apps').resource('deployments').check('delete').allowed()",
            "false",
        ),
        (
            "authorizer.group('certificates.k8s.io').resource('signers').name('s').check('use').allowed()",
            "true",
        ),
        // a check that depends on another's answer is answered too
        (
            "authorizer.group('apps').resource('deployments').check('create').allowed() ? \
             authorizer.group('').resource('signers').name('s').check('use').allowed() : false",
            "true",
        ),
        (
            "authorizer.requestResource.check('create').allowed()",
            "true",
        ),
        (
            "authorizer.requestResource.check('patch').allowed()",
            "false",
        ),
        (
            "authorizer.serviceAccount('ns', 'robot').group('').resource('secrets').check('get').allowed()",
            "true",
        ),
        (
            "authorizer.group('').resource('secrets').check('get').allowed()",
            "false",
        ),
        (
            "authorizer.group('apps').resource('deployments').namespace('ns').subresource('scale')\
             .fieldSelector('a=b').labelSelector('c=d').check('create').allowed()",
            "true",
        ),
        ("authorizer.path('/healthz').check('get').reason()", "\"\""),
        (
            "authorizer.path('/healthz').check('get').errored()",
            "false",
        ),
        ("authorizer.path('/healthz').check('get').error()", "\"\""),
        (
            "authorizer.path(' ').check('get').allowed()",
            "error: expression 'authorizer.path(' ').check('get').allowed()' resulted in error: path must not be empty",
        ),
        (
            "authorizer.group('').resource('').check('get').allowed()",
            "error: expression 'authorizer.group('').resource('').check('get').allowed()' resulted in error: resource must not be empty",
        ),
        (
            "authorizer.serviceAccount('ns', 'Bad_Name').path('/x').check('get').allowed()",
            "error: expression 'authorizer.serviceAccount('ns', 'Bad_Name').path('/x').check('get').allowed()' resulted in error: Invalid service account name",
        ),
    ] {
        assert_eq!(case.eval(expr), want, "{expr}");
    }
    // the server's own writes are allowed everything
    case.anonymous = true;
    assert_eq!(
        case.eval("authorizer.group('').resource('secrets').check('delete').allowed()"),
        "true"
    );
}

/// `composition.go`: variables in order, each seeing those before it; a failed one is
/// reported where it is used, and only there.
#[test]
fn variables_compose_in_order() {
    let case = Case::new();
    let result = case.with(|a| {
        a.define("replicas", "object.spec.replicas");
        a.define("double", "variables.replicas * 2");
        a.define("broken", "object.spec.nope");
        a.define("unparsable", "1 +");
        [
            "variables.double == 6",
            "variables.replicas > 0 || variables.broken",
            "variables.broken == 1",
            "variables.unparsable",
        ]
        .map(|e| show(a.evaluate(e)))
    });
    assert_eq!(result[0], "true");
    assert_eq!(result[1], "true");
    assert_eq!(
        result[2],
        "error: expression 'variables.broken == 1' resulted in error: composited variable \
         \"broken\" fails to evaluate: no such key: nope"
    );
    assert!(
        result[3].starts_with(
            "error: expression 'variables.unparsable' resulted in error: composited variable \
             \"unparsable\" fails to compile: ERROR: <input>:1:"
        ),
        "{}",
        result[3]
    );
}

/// `compile.go`: an expression that does not parse is a compilation error with cel-go's
/// snippet.
#[test]
fn compile_errors_carry_cel_go_snippets() {
    let got = Case::new().eval("object.spec.replicas >");
    assert!(
        got.starts_with("error: compilation error: ERROR: <input>:1:"),
        "{got}"
    );
    assert!(got.contains("\n | object.spec.replicas >\n | "), "{got}");
}

/// `matcher.go` `Match`: a false condition wins even after errors; errors fail under `Fail`
/// (aggregated, each once) and do not match under `Ignore`.
#[test]
fn match_conditions_follow_matcher_go() {
    let case = Case::new();
    let conditions = |exprs: &[&str]| -> Vec<Value> {
        exprs
            .iter()
            .enumerate()
            .map(|(i, e)| json!({"name": format!("c{i}"), "expression": e}))
            .collect()
    };
    let run = |exprs: &[&str], policy: FailurePolicy| {
        case.with(|a| match_conditions(&conditions(exprs), policy, a))
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        run(&["true", "object.spec.replicas == 3"], FailurePolicy::Fail),
        Ok(true)
    );
    assert_eq!(run(&[], FailurePolicy::Fail), Ok(true));
    assert_eq!(
        run(&["object.nope", "false"], FailurePolicy::Fail),
        Ok(false)
    );
    assert_eq!(
        run(&["object.nope"], FailurePolicy::Fail),
        Err("expression 'object.nope' resulted in error: no such key: nope".to_owned())
    );
    assert_eq!(
        run(
            &["object.nope", "object.nope", "object.other"],
            FailurePolicy::Fail
        ),
        Err(
            "[expression 'object.nope' resulted in error: no such key: nope, expression \
             'object.other' resulted in error: no such key: other]"
                .to_owned()
        )
    );
    assert_eq!(run(&["object.nope"], FailurePolicy::Ignore), Ok(false));
    assert_eq!(
        FailurePolicy::of(Some(&json!("Ignore"))),
        FailurePolicy::Ignore
    );
    assert_eq!(FailurePolicy::of(None), FailurePolicy::Fail);
}
