//! The decoder's type errors: a JSON value the Go type of its field cannot hold, as
//! sigs.k8s.io/json (Go's `encoding/json` with kube's options) reports it while decoding a body
//! into a built-in type.
//!
//! Guarantees, from `decode.go`: a mismatch (`number` into a `string`, `string` into an
//! `int32`, an `object` into a list, a number out of an integer's range) is an
//! `UnmarshalTypeError` naming the innermost struct, the path of struct fields from the root
//! (list indexes and map keys are not part of it) and the Go type: `json: cannot unmarshal
//! number into Go struct field ObjectMeta.metadata.name of type string`. The first one is kept
//! and decoding goes on; an error of a type that decodes itself (a quantity that does not
//! parse, an `IntOrString` holding a `bool`, a time that is not RFC 3339) ends decoding at
//! once and wins. Unknown fields are skipped without a look at their values. `null` fits
//! everything.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::fields::known::{GoType, Node, Shape};
use crate::shared::quantity::Quantity;

/// `ErrFormatWrong` of `resource.ParseQuantity`.
pub(crate) const QUANTITY_ERROR: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// The decoding error of `json` (valid JSON, an object) decoded into the struct `root`, if it
/// has one: the whole text the server puts after `cannot be handled as a Pod: `.
pub(crate) fn type_error(json: &[u8], root: Node) -> Option<String> {
    let mut d = Decoder {
        b: json,
        i: 0,
        context: None,
        fields: Vec::new(),
        saved: None,
    };
    let Node::Struct(_) = root else {
        return None;
    };
    match d.value(root, GoType::new("root~struct")) {
        Err(fatal) => Some(fatal),
        Ok(()) => d.saved,
    }
}

/// The `UnmarshalJSON` error of a self-decoding type `name` (`resource.Quantity`) for the JSON
/// `raw`, without a field path (as the unstructured converter calls it).
pub(crate) fn unmarshal_error(name: &str, raw: &[u8]) -> Option<String> {
    let mut d = Decoder {
        b: raw,
        i: 0,
        context: None,
        fields: Vec::new(),
        saved: None,
    };
    d.unmarshal(name, raw).err()
}

struct Decoder<'a> {
    b: &'a [u8],
    i: usize,
    /// The struct whose field is being decoded (`errorContext.Struct`).
    context: Option<&'static str>,
    /// The JSON names of the struct fields from the root (`errorContext.FieldStack`).
    fields: Vec<String>,
    /// The first `UnmarshalTypeError` (`savedError`).
    saved: Option<String>,
}

/// What a JSON value is called in `UnmarshalTypeError.Value`.
fn describe(c: u8) -> &'static str {
    match c {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        b'n' => "null",
        _ => "number",
    }
}

impl Decoder<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// `UnmarshalTypeError.Error()` with the current context.
    fn type_error(&self, value: &str, ty: GoType) -> String {
        match self.context {
            Some(name) => format!(
                "json: cannot unmarshal {value} into Go struct field {name}.{} of type {}",
                self.fields.join("."),
                ty.display()
            ),
            None => format!(
                "json: cannot unmarshal {value} into Go value of type {}",
                ty.display()
            ),
        }
    }

    /// `saveError`: keeps the first error.
    fn save(&mut self, error: String) {
        if self.saved.is_none() {
            self.saved = Some(error);
        }
    }

    /// Skips the value at the cursor; its bytes.
    fn skip(&mut self) -> &[u8] {
        self.ws();
        let start = self.i;
        let mut depth = 0usize;
        let mut in_string = false;
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            if in_string {
                match c {
                    b'\\' => self.i += 1,
                    b'"' => {
                        in_string = false;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match c {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ if depth == 0
                    && self.b.get(self.i).is_none_or(|n| {
                        matches!(n, b',' | b'}' | b']') || n.is_ascii_whitespace()
                    }) =>
                {
                    break;
                }
                _ => {}
            }
        }
        &self.b[start..self.i]
    }

    /// Decodes the value at the cursor into `ty` (`node` for its fields); `Err` is the
    /// error that ends decoding.
    fn value(&mut self, node: Node, ty: GoType) -> Result<(), String> {
        let Some(c) = self.peek() else {
            return Ok(());
        };
        if c == b'n' {
            // null leaves every type alone, except the self-decoding ones that look at it
            if let Shape::Unmarshaler(name) = ty.shape() {
                return self.unmarshal(name, b"null");
            }
            self.skip();
            return Ok(());
        }
        match (ty.shape(), c) {
            (Shape::Any, _) => {
                self.skip();
            }
            (Shape::Unmarshaler(name), _) => {
                let raw = self.skip().to_vec();
                self.unmarshal(name, &raw)?;
            }
            (Shape::Struct, b'{') => self.object(node)?,
            (Shape::Map(values), b'{') => self.map(node, values)?,
            (Shape::List(items), b'[') => self.array(node, items)?,
            (Shape::Bytes, b'[') => self.array(Node::Leaf, GoType::new("uint8"))?,
            (Shape::Bytes, b'"') => {
                let raw = self.skip().to_vec();
                let text: String = serde_json::from_slice(&raw).unwrap_or_default();
                if let Err(e) = STANDARD.decode(&text) {
                    self.save(base64_error(&text, &e));
                }
            }
            (Shape::String, b'"') | (Shape::Bool, b't' | b'f') => {
                self.skip();
            }
            (Shape::Float, b'-' | b'0'..=b'9') => {
                self.skip();
            }
            (Shape::Int { bits }, b'-' | b'0'..=b'9') => {
                let text = String::from_utf8_lossy(self.skip()).into_owned();
                if !fits_int(&text, bits) {
                    let e = self.type_error(&format!("number {text}"), ty);
                    self.save(e);
                }
            }
            (Shape::Uint { bits }, b'-' | b'0'..=b'9') => {
                let text = String::from_utf8_lossy(self.skip()).into_owned();
                if !fits_uint(&text, bits) {
                    let e = self.type_error(&format!("number {text}"), ty);
                    self.save(e);
                }
            }
            (_, c) => {
                let e = self.type_error(describe(c), ty);
                self.save(e);
                self.skip();
            }
        }
        Ok(())
    }

    /// A self-decoding type's `UnmarshalJSON` of `raw`.
    fn unmarshal(&mut self, name: &str, raw: &[u8]) -> Result<(), String> {
        let first = raw.first().copied().unwrap_or(b'n');
        match name {
            "resource.Quantity" => {
                if raw == b"null" {
                    return Ok(());
                }
                // the quotes are cut, not unescaped
                let text = String::from_utf8_lossy(raw);
                let text = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or(&text);
                match Quantity::parse(text.trim()) {
                    Some(_) => Ok(()),
                    None => Err(QUANTITY_ERROR.to_owned()),
                }
            }
            // `json.Unmarshal` into `IntVal` (an `int32`) unless it is a string; the error
            // gets the field's context on its way out
            "intstr.IntOrString" => match first {
                b'"' | b'n' => Ok(()),
                b'-' | b'0'..=b'9' => {
                    let text = String::from_utf8_lossy(raw);
                    if fits_int(&text, 32) {
                        Ok(())
                    } else {
                        Err(self.type_error(&format!("number {text}"), GoType::new("int32")))
                    }
                }
                c => Err(self.type_error(describe(c), GoType::new("int32"))),
            },
            // `json.Unmarshal` into a string, then `time.Parse(time.RFC3339, ...)`, or
            // `metav1.RFC3339Micro` (exactly six fractional digits) for a MicroTime
            "v1.Time" | "v1.MicroTime" => match first {
                b'n' => Ok(()),
                b'"' => {
                    let text: String = serde_json::from_slice(raw).unwrap_or_default();
                    let error = match name {
                        "v1.MicroTime" => crate::shared::gotime::rfc3339_micro_error(&text),
                        _ => crate::shared::gotime::rfc3339_error(&text),
                    };
                    match error {
                        None => Ok(()),
                        Some(why) => Err(format!(
                            "parsing time {}{why}",
                            serde_json::Value::from(text.as_str())
                        )),
                    }
                }
                c => Err(self.type_error(describe(c), GoType::new("string"))),
            },
            "v1.Duration" => match first {
                b'"' | b'n' => Ok(()),
                c => Err(self.type_error(describe(c), GoType::new("string"))),
            },
            // RawExtension, FieldsV1, JSON and the JSONSchemaProps unions take any JSON
            _ => Ok(()),
        }
    }

    fn object(&mut self, node: Node) -> Result<(), String> {
        self.i += 1;
        loop {
            match self.peek() {
                None => return Ok(()),
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let key: String = serde_json::from_slice(self.skip()).unwrap_or_default();
            if self.peek() == Some(b':') {
                self.i += 1;
            }
            let field = match node {
                Node::Struct(s) => s
                    .field(&key)
                    .zip(s.field_type(&key))
                    .map(|f| (f, s.go_name())),
                _ => None,
            };
            let Some(((child, ty), name)) = field else {
                // unknown: skipped without a look
                self.skip();
                continue;
            };
            let outer = self.context.replace(name);
            self.fields.push(key);
            // an error that ends decoding keeps the context it was met in
            self.value(child, ty)?;
            self.fields.pop();
            self.context = outer;
        }
    }

    fn map(&mut self, node: Node, values: GoType) -> Result<(), String> {
        self.i += 1;
        loop {
            match self.peek() {
                None => return Ok(()),
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            self.skip();
            if self.peek() == Some(b':') {
                self.i += 1;
            }
            self.value(node.items(), values)?;
        }
    }

    fn array(&mut self, node: Node, items: GoType) -> Result<(), String> {
        self.i += 1;
        loop {
            match self.peek() {
                None => return Ok(()),
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            self.value(node.items(), items)?;
        }
    }
}

/// `strconv.ParseInt(text, 10, 64)` succeeds and the value fits `bits` bits.
fn fits_int(text: &str, bits: u32) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(n) = text.parse::<i64>() else {
        return false;
    };
    bits >= 64 || (-(1i64 << (bits - 1))..(1i64 << (bits - 1))).contains(&n)
}

/// `strconv.ParseUint(text, 10, 64)` succeeds and the value fits `bits` bits.
fn fits_uint(text: &str, bits: u32) -> bool {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(n) = text.parse::<u64>() else {
        return false;
    };
    bits >= 64 || n < (1u64 << bits)
}

/// `base64.CorruptInputError.Error()` of Go's standard decoder for `text`.
pub(crate) fn base64_error(text: &str, e: &base64::DecodeError) -> String {
    let offset = match *e {
        base64::DecodeError::InvalidByte(offset, _)
        | base64::DecodeError::InvalidLastSymbol(offset, _) => offset,
        base64::DecodeError::InvalidLength(len) => len - len % 4,
        base64::DecodeError::InvalidPadding => text.len(),
    };
    format!("illegal base64 data at input byte {offset}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::known::root;

    #[track_caller]
    fn check(kind: (&str, &str), json: &str, expected: Option<&str>) {
        let node = root(kind.0, kind.1).expect("a built-in kind");
        assert_eq!(
            type_error(json.as_bytes(), node).as_deref(),
            expected,
            "{json}"
        );
    }

    const POD: (&str, &str) = ("v1", "Pod");

    #[test]
    fn scalars_of_the_wrong_type() {
        check(POD, r#"{"metadata":{"name":"a","labels":{"x":"y"}}}"#, None);
        check(
            ("v1", "ConfigMap"),
            r#"{"metadata":{"name":5}}"#,
            Some(
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string",
            ),
        );
        // list indexes and map keys are not part of the path; the innermost struct is named
        check(
            POD,
            r#"{"spec":{"containers":[{"name":"a"},{"name":"b","ports":[{"containerPort":"80"}]}]}}"#,
            Some(
                "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
            ),
        );
        check(
            POD,
            r#"{"metadata":{"labels":{"a":1}}}"#,
            Some(
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string",
            ),
        );
        // named types are shown by their names
        check(
            POD,
            r#"{"spec":{"restartPolicy":true}}"#,
            Some(
                "json: cannot unmarshal bool into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy",
            ),
        );
        // `null` fits everything
        check(
            POD,
            r#"{"spec":{"restartPolicy":null,"containers":null,"priority":null}}"#,
            None,
        );
    }

    #[test]
    fn numbers_out_of_range_show_their_text() {
        check(
            ("apps/v1", "Deployment"),
            r#"{"spec":{"replicas":3000000000}}"#,
            Some(
                "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
        );
        check(
            ("apps/v1", "Deployment"),
            r#"{"spec":{"replicas":1.5}}"#,
            Some(
                "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
        );
        check(
            POD,
            r#"{"spec":{"activeDeadlineSeconds":9223372036854775807}}"#,
            None,
        );
    }

    #[test]
    fn containers_of_the_wrong_kind() {
        check(
            POD,
            r#"{"spec":{"containers":{"name":"a"}}}"#,
            Some(
                "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container",
            ),
        );
        check(
            POD,
            r#"{"spec":[]}"#,
            Some("json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec"),
        );
        check(
            POD,
            r#"{"spec":{"containers":[{"command":"sleep"}]}}"#,
            Some(
                "json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string",
            ),
        );
    }

    /// The first type error is kept and decoding goes on; an unmarshaler's error ends it and
    /// wins; unknown fields are not looked into.
    #[test]
    fn which_error_wins() {
        check(
            POD,
            r#"{"metadata":{"name":1,"namespace":2}}"#,
            Some(
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string",
            ),
        );
        check(
            POD,
            r#"{"metadata":{"name":1},"spec":{"overhead":{"cpu":"1x"}}}"#,
            Some(QUANTITY_ERROR),
        );
        check(POD, r#"{"metadata":{"nosuch":1}}"#, None);
    }

    #[test]
    fn self_decoding_types() {
        let svc = ("v1", "Service");
        check(
            svc,
            r#"{"spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]}}"#,
            None,
        );
        check(
            svc,
            r#"{"spec":{"ports":[{"port":80,"targetPort":true}]}}"#,
            Some(
                "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32",
            ),
        );
        check(
            svc,
            r#"{"spec":{"ports":[{"port":80,"targetPort":70000000000}]}}"#,
            Some(
                "json: cannot unmarshal number 70000000000 into Go struct field ServicePort.spec.ports.targetPort of type int32",
            ),
        );
        check(
            POD,
            r#"{"spec":{"containers":[{"resources":{"limits":{"cpu":2,"memory":"1Gi"}}}]}}"#,
            None,
        );
        check(
            POD,
            r#"{"spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}}"#,
            Some(QUANTITY_ERROR),
        );
        check(
            POD,
            r#"{"metadata":{"creationTimestamp":5}}"#,
            Some(
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string",
            ),
        );
        check(
            POD,
            r#"{"metadata":{"creationTimestamp":"yesterday"}}"#,
            Some(
                "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\"",
            ),
        );
        // a MicroTime takes exactly six fractional digits (metav1.RFC3339Micro)
        let event = ("events.k8s.io/v1", "Event");
        check(
            event,
            r#"{"eventTime":"2024-01-01T00:00:00.000001Z"}"#,
            None,
        );
        check(
            event,
            r#"{"eventTime":"2024-01-01T00:00:00Z"}"#,
            Some(
                "parsing time \"2024-01-01T00:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\"",
            ),
        );
    }

    #[test]
    fn bytes_are_base64() {
        let secret = ("v1", "Secret");
        check(secret, r#"{"data":{"a":"YQ=="}}"#, None);
        check(
            secret,
            r#"{"data":{"a":"a!bc"}}"#,
            Some("illegal base64 data at input byte 1"),
        );
        check(
            secret,
            r#"{"data":{"a":5}}"#,
            Some("json: cannot unmarshal number into Go struct field Secret.data of type []uint8"),
        );
    }
}
