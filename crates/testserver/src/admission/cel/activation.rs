//! The variables of one admission request (`activation.go` `newActivation`) and the evaluation
//! of expressions over them (`evaluationActivation.Evaluate`, `composition.go` for
//! `variables`).

use std::collections::HashMap;
use std::fmt;

use cel::objects::Key;
use cel::{Context, ExecutionError, Program};
use serde_json::Value;

use super::authorizer::Shared;
use super::request::{self, Request};
use crate::admission::{Attributes, Lookup, UserInfo};
use crate::cel::{go_error, to_cel};
use crate::validation::go_quote;

/// How many times an expression is evaluated again for authorizer answers it lacked (each
/// round answers every check the previous one reached, so only checks depending on earlier
/// answers need another).
const ROUNDS: usize = 16;

/// What the expressions of one request see.
#[derive(Clone, Copy)]
pub(crate) struct Input<'a> {
    /// The request.
    pub(crate) attrs: &'a Attributes<'a>,
    /// The request's resources, dry run and options.
    pub(crate) request: Request<'a>,
    /// The new object (`None` for a delete).
    pub(crate) object: Option<&'a Value>,
    /// The stored object (`None` for a create).
    pub(crate) old_object: Option<&'a Value>,
    /// The parameter object, if the policy has a paramKind.
    pub(crate) params: Option<&'a Value>,
    /// The request's Namespace as stored (`None` for a cluster-scoped resource, and in match
    /// conditions).
    pub(crate) namespace: Option<&'a Value>,
    /// The server's objects and authorizer.
    pub(crate) lookup: &'a dyn Lookup,
}

/// Why an expression has no value: Go's `cel.Error` detail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum EvalError {
    /// The expression does not compile.
    Compile {
        /// cel-go's issues.
        issues: String,
    },
    /// The evaluation failed.
    Runtime {
        /// The expression.
        expression: String,
        /// cel-go's error.
        error: String,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Compile { issues } => write!(f, "compilation error: {issues}"),
            EvalError::Runtime { expression, error } => {
                write!(f, "expression '{expression}' resulted in error: {error}")
            }
        }
    }
}

impl std::error::Error for EvalError {}

/// The variables of one request; expressions evaluate over it.
pub(crate) struct Activation<'a> {
    bindings: Vec<(&'static str, cel::Value)>,
    /// The policy's variables in order: a value, or the error reported where it is used.
    variables: Vec<(String, Result<cel::Value, String>)>,
    answers: Shared,
    lookup: &'a dyn Lookup,
    user: Option<UserInfo<'a>>,
}

impl fmt::Debug for Activation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activation")
            .field("variables", &self.variables.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Activation<'a> {
    /// The variables of `input`.
    pub(crate) fn new(input: &Input<'a>) -> Self {
        let cel = |v: Option<&Value>| v.map_or(cel::Value::Null, |v| to_cel(&Value::Null, v));
        let attrs = input.attrs;
        let answers = Shared::default();
        let requested = input.request.requested;
        let request_resource = answers.request_resource([
            requested.group,
            requested.resource,
            requested.subresource,
            attrs.namespace,
            attrs.name,
        ]);
        let namespace = input.namespace.map(request::namespace_object);
        let bindings = vec![
            ("object", cel(input.object)),
            ("oldObject", cel(input.old_object)),
            ("params", cel(input.params)),
            (
                "request",
                to_cel(&Value::Null, &request::value(attrs, &input.request)),
            ),
            ("namespaceObject", cel(namespace.as_ref())),
            ("authorizer", answers.authorizer()),
            ("authorizer.requestResource", request_resource),
        ];
        Activation {
            bindings,
            variables: Vec::new(),
            answers,
            lookup: input.lookup,
            user: attrs.user,
        }
    }

    /// Defines `variables.<name>` as the value of `expression` (which may use the variables
    /// defined before it).
    pub(crate) fn define(&mut self, name: &str, expression: &str) {
        let value = match super::compile(expression) {
            Err(issues) => Err(format!(
                "composited variable {} fails to compile: {issues}",
                go_quote(name)
            )),
            Ok(program) => self.execute(&program).map_err(|error| {
                format!(
                    "composited variable {} fails to evaluate: {error}",
                    go_quote(name)
                )
            }),
        };
        self.variables.push((name.to_owned(), value));
    }

    /// The value of `expression`.
    ///
    /// # Errors
    /// It does not compile, or its evaluation fails.
    pub(crate) fn evaluate(&self, expression: &str) -> Result<cel::Value, EvalError> {
        let program = super::compile(expression).map_err(|issues| EvalError::Compile { issues })?;
        self.run(&program, expression)
    }

    /// The value of a compiled `expression`.
    ///
    /// # Errors
    /// Its evaluation fails.
    pub(crate) fn run(&self, program: &Program, expression: &str) -> Result<cel::Value, EvalError> {
        self.execute(program).map_err(|error| EvalError::Runtime {
            expression: expression.to_owned(),
            error,
        })
    }

    /// Evaluates `program` until the authorizer answered every check it reached; the error is
    /// cel-go's text.
    fn execute(&self, program: &Program) -> Result<cel::Value, String> {
        let mut result = self.execute_once(program);
        for _ in 0..ROUNDS {
            if !self.answers.answer_pending(self.lookup, self.user.as_ref()) {
                break;
            }
            result = self.execute_once(program);
        }
        result.map_err(|err| self.error_text(&err))
    }

    fn execute_once(&self, program: &Program) -> Result<cel::Value, ExecutionError> {
        let mut context = Context::with_env(super::env().clone());
        for (name, value) in &self.bindings {
            context.add_variable_from_value(*name, value.clone());
        }
        let variables: HashMap<Key, cel::Value> = self
            .variables
            .iter()
            .filter_map(|(name, value)| {
                let value = value.as_ref().ok()?;
                Some((Key::String(name.clone().into()), value.clone()))
            })
            .collect();
        context.add_variable_from_value("variables", variables);
        program.execute(&context)
    }

    /// cel-go's text of an error; a failed variable's own error where it is used.
    fn error_text(&self, err: &ExecutionError) -> String {
        if let ExecutionError::NoSuchKey(key) = err {
            let failed = self
                .variables
                .iter()
                .find_map(|(name, value)| (**name == **key).then_some(value.as_ref().err())?);
            if let Some(message) = failed {
                return message.clone();
            }
        }
        go_error(err)
    }
}
