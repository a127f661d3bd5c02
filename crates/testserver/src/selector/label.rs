//! Label selectors: `k8s.io/apimachinery/pkg/labels` syntax and error texts.

use serde_json::{Map, Value};

use super::SelectorError;
use crate::validation::{go_quote, names};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exists,
    DoesNotExist,
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

impl Requirement {
    fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let value = labels
            .and_then(|l| l.get(&self.key))
            .and_then(Value::as_str);
        match self.op {
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
            Op::Equals | Op::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Op::GreaterThan | Op::LessThan => {
                let (Some(v), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|b| b.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.op == Op::GreaterThan {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    NotExists,
    Equals,
    DoubleEquals,
    NotEquals,
    Greater,
    Less,
    Open,
    Close,
    Comma,
    In,
    NotIn,
    End,
}

impl Token {
    fn literal(&self) -> String {
        match self {
            Token::Ident(s) => s.clone(),
            Token::NotExists => "!".into(),
            Token::Equals => "=".into(),
            Token::DoubleEquals => "==".into(),
            Token::NotEquals => "!=".into(),
            Token::Greater => ">".into(),
            Token::Less => "<".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::Comma => ",".into(),
            Token::In => "in".into(),
            Token::NotIn => "notin".into(),
            Token::End => String::new(),
        }
    }
}

fn is_special(c: char) -> bool {
    matches!(c, '!' | '=' | '(' | ')' | ',' | '>' | '<')
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_special(c) {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (token, len) = match (c, two.as_str()) {
                (_, "==") => (Token::DoubleEquals, 2),
                (_, "!=") => (Token::NotEquals, 2),
                ('!', _) => (Token::NotExists, 1),
                ('=', _) => (Token::Equals, 1),
                ('(', _) => (Token::Open, 1),
                (')', _) => (Token::Close, 1),
                (',', _) => (Token::Comma, 1),
                ('>', _) => (Token::Greater, 1),
                _ => (Token::Less, 1),
            };
            tokens.push(token);
            i += len;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !is_special(chars[i]) {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        tokens.push(match word.as_str() {
            "in" => Token::In,
            "notin" => Token::NotIn,
            _ => Token::Ident(word),
        });
    }
    tokens.push(Token::End);
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

fn err(msg: String) -> SelectorError {
    SelectorError::new(msg)
}

impl Parser {
    /// In value position `in`/`notin` are plain identifiers.
    fn as_value(t: Token) -> Token {
        match t {
            Token::In => Token::Ident("in".into()),
            Token::NotIn => Token::Ident("notin".into()),
            t => t,
        }
    }

    fn peek(&self) -> Token {
        Self::as_value(self.tokens.get(self.pos).cloned().unwrap_or(Token::End))
    }

    fn next(&mut self) -> Token {
        let t = self.peek();
        self.pos += 1;
        t
    }

    fn next_operator(&mut self) -> Token {
        let t = self.tokens.get(self.pos).cloned().unwrap_or(Token::End);
        self.pos += 1;
        t
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let mut op = None;
        let mut tok = self.next();
        if tok == Token::NotExists {
            op = Some(Op::DoesNotExist);
            tok = self.next();
        }
        let Token::Ident(key) = tok else {
            return Err(format!("found '{}', expected: identifier", tok.literal()));
        };
        let key_errors = names::qualified_name(&key);
        if !key_errors.is_empty() {
            return Err(format!(
                "key: Invalid value: {}: {}",
                go_quote(&key),
                key_errors.join("; ")
            ));
        }
        if op == Some(Op::DoesNotExist) {
            return Ok(Requirement {
                key,
                op: Op::DoesNotExist,
                values: Vec::new(),
            });
        }
        if matches!(self.peek(), Token::End | Token::Comma) {
            return Ok(Requirement {
                key,
                op: Op::Exists,
                values: Vec::new(),
            });
        }
        let op_token = self.next_operator();
        let op = match op_token {
            Token::In => Op::In,
            Token::NotIn => Op::NotIn,
            Token::Equals | Token::DoubleEquals => Op::Equals,
            Token::NotEquals => Op::NotEquals,
            Token::Greater => Op::GreaterThan,
            Token::Less => Op::LessThan,
            t => {
                return Err(format!(
                    "found '{}', expected: in, notin, =, ==, !=, gt, lt",
                    t.literal()
                ));
            }
        };
        let mut values = match op {
            Op::In | Op::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        // The parser collects the values in a set: sorted, without duplicates.
        values.sort();
        values.dedup();
        // NewRequirement's checks, aggregated like a field.ErrorList.
        let mut errs = Vec::new();
        if matches!(op, Op::GreaterThan | Op::LessThan) {
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(format!(
                        "values[{i}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
                        go_quote(v)
                    ));
                }
            }
        }
        for (i, v) in values.iter().enumerate() {
            let problems = names::label_value(v);
            if !problems.is_empty() {
                errs.push(format!(
                    "values[{i}][{key}]: Invalid value: {}: {}",
                    go_quote(v),
                    problems.join("; ")
                ));
            }
        }
        match errs.len() {
            0 => {}
            1 => return Err(errs.remove(0)),
            _ => return Err(format!("[{}]", errs.join(", "))),
        }
        Ok(Requirement { key, op, values })
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        let t = self.next();
        if t != Token::Open {
            return Err(format!("found '{}' expected: '('", t.literal()));
        }
        match self.peek() {
            Token::Ident(_) | Token::Comma => {
                let list = self.identifiers()?;
                let t = self.next();
                if t != Token::Close {
                    return Err(format!("found '{}', expected: ')'", t.literal()));
                }
                Ok(list)
            }
            Token::Close => {
                self.next();
                Ok(vec![String::new()])
            }
            t => Err(format!(
                "found '{}', expected: ',', ')' or identifier",
                t.literal()
            )),
        }
    }

    fn identifiers(&mut self) -> Result<Vec<String>, String> {
        let mut set: Vec<String> = Vec::new();
        let insert = |set: &mut Vec<String>, v: String| {
            if !set.contains(&v) {
                set.push(v);
            }
        };
        loop {
            match self.next() {
                Token::Ident(v) => {
                    insert(&mut set, v);
                    match self.peek() {
                        Token::Comma => {}
                        Token::Close => return Ok(set),
                        t => return Err(format!("found '{}', expected: ',' or ')'", t.literal())),
                    }
                }
                Token::Comma => {
                    if set.is_empty() {
                        insert(&mut set, String::new());
                    }
                    match self.peek() {
                        Token::Close => {
                            insert(&mut set, String::new());
                            return Ok(set);
                        }
                        Token::Comma => {
                            self.next();
                            insert(&mut set, String::new());
                        }
                        _ => {}
                    }
                }
                t => {
                    return Err(format!(
                        "found '{}', expected: ',', or identifier",
                        t.literal()
                    ));
                }
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        if matches!(self.peek(), Token::End | Token::Comma) {
            return Ok(vec![String::new()]);
        }
        match self.next() {
            Token::Ident(v) => Ok(vec![v]),
            t => Err(format!("found '{}', expected: identifier", t.literal())),
        }
    }
}

impl LabelSelector {
    /// Parses `selector` (e.g. `app=web,tier!=db,env in (a,b),!canary`).
    ///
    /// # Errors
    /// [`SelectorError`] with the real message, e.g.
    /// `unable to parse requirement: found 'web' expected: '('`.
    pub(crate) fn parse(selector: &str) -> Result<Self, SelectorError> {
        let mut parser = Parser {
            tokens: lex(selector),
            pos: 0,
        };
        let mut requirements = Vec::new();
        loop {
            match parser.peek() {
                Token::Ident(_) | Token::NotExists => {
                    let r = parser
                        .requirement()
                        .map_err(|e| err(format!("unable to parse requirement: {e}")))?;
                    requirements.push(r);
                    match parser.next() {
                        Token::End => break,
                        Token::Comma => {
                            let t = parser.peek();
                            if !matches!(t, Token::Ident(_) | Token::NotExists) {
                                return Err(err(format!(
                                    "found '{}', expected: identifier after ','",
                                    t.literal()
                                )));
                            }
                        }
                        t => {
                            return Err(err(format!(
                                "found '{}', expected: ',' or 'end of string'",
                                t.literal()
                            )));
                        }
                    }
                }
                Token::End => break,
                t => {
                    return Err(err(format!(
                        "found '{}', expected: !, identifier, or 'end of string'",
                        t.literal()
                    )));
                }
            }
        }
        Ok(LabelSelector { requirements })
    }

    /// `metav1.LabelSelectorAsSelector`: a structured selector (`matchLabels`,
    /// `matchExpressions`, as in Deployments and PodDisruptionBudgets). `{}` matches everything.
    ///
    /// # Errors
    /// [`SelectorError`] for an unknown operator (`"Foo" is not a valid label selector
    /// operator`) or an invalid key or value.
    pub(crate) fn from_object(selector: &Value) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        let labels = selector.get("matchLabels").and_then(Value::as_object);
        for (key, value) in labels.into_iter().flatten() {
            let value = value.as_str().unwrap_or("").to_owned();
            requirements.push(Requirement {
                key: key.clone(),
                op: Op::Equals,
                values: vec![value],
            });
        }
        let expressions = selector.get("matchExpressions").and_then(Value::as_array);
        for expr in expressions.into_iter().flatten() {
            let key = expr
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let mut values: Vec<String> = expr
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            values.sort();
            values.dedup();
            let op = match expr.get("operator").and_then(Value::as_str).unwrap_or("") {
                "In" => Op::In,
                "NotIn" => Op::NotIn,
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                other => {
                    return Err(err(format!(
                        "{} is not a valid label selector operator",
                        go_quote(other)
                    )));
                }
            };
            let key_errors = names::qualified_name(&key);
            if !key_errors.is_empty() {
                return Err(err(format!(
                    "key: Invalid value: {}: {}",
                    go_quote(&key),
                    key_errors.join("; ")
                )));
            }
            requirements.push(Requirement { key, op, values });
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether the selector selects nothing-in-particular (matches everything).
    pub(crate) fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether `labels` (a `metadata.labels` map, or `None`) satisfies every requirement.
    pub(crate) fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether the object's `metadata.labels` satisfy the selector.
    pub(crate) fn matches_object(&self, obj: &Value) -> bool {
        self.matches(
            obj.get("metadata")
                .and_then(|m| m.get("labels"))
                .and_then(Value::as_object),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(selector: &str, labels: Value, expected: bool) {
        let s = LabelSelector::parse(selector).unwrap();
        assert_eq!(
            s.matches(labels.as_object()),
            expected,
            "{selector} on {labels}"
        );
    }

    #[track_caller]
    fn check_err(selector: &str, message: &str) {
        assert_eq!(
            LabelSelector::parse(selector).unwrap_err().message,
            message,
            "{selector}"
        );
    }

    #[test]
    fn operators() {
        let web = json!({"app": "web", "tier": "fe"});
        check("", web.clone(), true);
        check("app=web", web.clone(), true);
        check("app==web", web.clone(), true);
        check("app!=web", web.clone(), false);
        check("app!=web", json!({}), true);
        check("app in (web,db)", web.clone(), true);
        check("app notin (web)", web.clone(), false);
        check("app notin (web)", json!({"x": "y"}), true);
        check("tier", web.clone(), true);
        check("!tier", web.clone(), false);
        check("app=web,tier=be", web.clone(), false);
        check("app=", json!({"app": ""}), true);
        check("n>3", json!({"n": "5"}), true);
        check("n<3", json!({"n": "5"}), false);
    }

    #[test]
    fn structured_selectors() {
        let s = LabelSelector::from_object(&json!({"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}, {"key": "canary", "operator": "DoesNotExist"}]}))
        .unwrap();
        assert!(s.matches(json!({"app": "web", "tier": "fe"}).as_object()));
        assert!(!s.matches(json!({"app": "web", "tier": "fe", "canary": "1"}).as_object()));
        assert!(
            LabelSelector::from_object(&json!({}))
                .unwrap()
                .matches(None)
        );
        assert_eq!(
            LabelSelector::from_object(
                &json!({"matchExpressions": [{"key": "a", "operator": "Foo"}]})
            )
            .unwrap_err()
            .message,
            "\"Foo\" is not a valid label selector operator"
        );
    }

    #[test]
    fn parse_errors() {
        check_err(
            "app in web",
            "unable to parse requirement: found 'web' expected: '('",
        );
        check_err(
            "app in (web",
            "unable to parse requirement: found '', expected: ',' or ')'",
        );
        check_err("app=web,", "found '', expected: identifier after ','");
        check_err(
            "=web",
            "found '=', expected: !, identifier, or 'end of string'",
        );
        check_err(
            "app web",
            "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt",
        );
        check_err("!a=b", "found '=', expected: ',' or 'end of string'");
        check_err(
            "a/b/c=x",
            "unable to parse requirement: key: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        );
        check_err(
            "n>x",
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
        );
    }
}
