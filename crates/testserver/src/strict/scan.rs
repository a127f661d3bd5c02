//! A walk over the bytes of a JSON document with the decoder's view of its type, finding the
//! unknown and duplicate fields in the order sigs.k8s.io/json's `UnmarshalStrict` does
//! (`object()`, `objectInterface()`, `arrayInterface()` and their strict field stack).

use std::collections::HashSet;

use super::{Collected, StrictError};
use crate::fields::known::Node;

/// The strict errors of `json` decoded as `root`. A document that is not valid JSON gives the
/// errors found before the fault (the caller has already refused such bodies).
pub(crate) fn scan(json: &[u8], root: Node) -> Vec<StrictError> {
    let mut s = Scanner {
        b: json,
        i: 0,
        path: String::new(),
        errs: Collected::default(),
    };
    s.value(root);
    s.errs.into_vec()
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    /// The strict field stack joined: `spec.containers[0]`.
    path: String,
    errs: Collected,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// The path of field `key` below the current one (`newFieldError`).
    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn value(&mut self, node: Node) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(node),
            b'[' => self.array(node),
            b'"' => self.string().map(drop),
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// A string literal at the cursor, unescaped.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.i += 1;
        loop {
            match self.b.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => break,
                _ => self.i += 1,
            }
        }
        self.i += 1;
        serde_json::from_slice(&self.b[start..self.i]).ok()
    }

    fn object(&mut self, node: Node) -> Option<()> {
        self.i += 1;
        let mut seen = HashSet::new();
        // a struct field or map key whose value is checked, and whether keys may repeat
        let checks_duplicates = !matches!(node, Node::Leaf);
        loop {
            match self.peek()? {
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = self.string()?;
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            let child = match node {
                Node::Struct(s) => match s.field(&key) {
                    Some(child) => Some(child),
                    None => {
                        self.errs.push(StrictError::UnknownField {
                            path: self.field_path(&key),
                        });
                        None
                    }
                },
                Node::Map(_) | Node::Any => Some(node.items()),
                Node::List(_) | Node::Leaf => None,
            };
            let Some(child) = child else {
                self.value(Node::Leaf)?;
                continue;
            };
            if checks_duplicates && !seen.insert(key.clone()) {
                self.errs.push(StrictError::DuplicateField {
                    path: self.field_path(&key),
                });
            }
            let len = self.path.len();
            self.path = self.field_path(&key);
            self.value(child)?;
            self.path.truncate(len);
        }
    }

    fn array(&mut self, node: Node) -> Option<()> {
        self.i += 1;
        let items = match node {
            Node::List(_) | Node::Any => node.items(),
            Node::Struct(_) | Node::Map(_) | Node::Leaf => Node::Leaf,
        };
        let mut index = 0;
        loop {
            match self.peek()? {
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let len = self.path.len();
            self.path.push_str(&format!("[{index}]"));
            self.value(items)?;
            self.path.truncate(len);
            index += 1;
        }
    }
}
