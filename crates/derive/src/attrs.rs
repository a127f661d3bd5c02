//! The `#[kubeset(...)]` attribute: parsed once into [`Attrs`], every mistake a `syn::Error`
//! spanned on the key (or value) that is wrong.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Ident, LitInt, LitStr, Path};

/// One additional printer column (`printcolumn(name = "...", type = "...", json_path = "...")`).
pub(crate) struct PrinterColumn {
    pub(crate) name: String,
    pub(crate) type_: String,
    pub(crate) json_path: String,
    pub(crate) description: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) priority: Option<i32>,
}

/// The scale subresource's paths (`scale(spec_replicas_path = "...", ...)`).
pub(crate) struct Scale {
    pub(crate) spec_replicas_path: String,
    pub(crate) status_replicas_path: String,
    pub(crate) label_selector_path: Option<String>,
}

/// One CEL rule on the spec (`validation = "rule"` or `validation(rule = "...", message = "...")`).
pub(crate) struct Rule {
    pub(crate) rule: String,
    pub(crate) message: Option<String>,
}

/// Everything `#[kubeset(...)]` said, checked.
pub(crate) struct Attrs {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) kind: String,
    pub(crate) namespaced: bool,
    pub(crate) status: Option<Path>,
    pub(crate) plural: Option<String>,
    pub(crate) singular: Option<String>,
    pub(crate) shortnames: Vec<String>,
    pub(crate) categories: Vec<String>,
    pub(crate) printcolumns: Vec<PrinterColumn>,
    pub(crate) selectable: Vec<String>,
    pub(crate) scale: Option<Scale>,
    pub(crate) validations: Vec<Rule>,
}

/// Sets `slot` once; a second time is an error on the repeated key.
fn once<T>(slot: &mut Option<T>, value: T, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!(
            "`{}` is given twice",
            meta.path
                .get_ident()
                .map_or_else(String::new, Ident::to_string)
        )));
    }
    *slot = Some(value);
    Ok(())
}

fn string(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    meta.value()?.parse::<LitStr>()
}

fn key(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map_or_else(|| "?".to_owned(), Ident::to_string)
}

/// Parses every `#[kubeset(...)]` of the item; `span` marks the derive when a required key is
/// missing.
pub(crate) fn parse(attrs: &[Attribute], span: Span) -> syn::Result<Attrs> {
    let mut group = None;
    let mut version = None;
    let mut kind = None;
    let mut namespaced = None;
    let mut status = None;
    let mut plural = None;
    let mut singular = None;
    let mut scale = None;
    let mut shortnames = Vec::new();
    let mut categories = Vec::new();
    let mut printcolumns = Vec::new();
    let mut selectable = Vec::new();
    let mut validations = Vec::new();
    let mut seen_attr = None;
    let mut scale_span = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("kubeset")) {
        seen_attr.get_or_insert(attr.path().get_ident().map_or(span, Ident::span));
        attr.parse_nested_meta(|meta| match key(&meta).as_str() {
            "group" => {
                let lit = string(&meta)?;
                check_group(&lit)?;
                once(&mut group, lit.value(), &meta)
            }
            "version" => {
                let lit = string(&meta)?;
                check_version(&lit)?;
                once(&mut version, lit.value(), &meta)
            }
            "kind" => {
                let lit = string(&meta)?;
                if syn::parse_str::<Ident>(&lit.value()).is_err() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`kind` must be a Rust identifier: it names the generated type",
                    ));
                }
                once(&mut kind, lit.value(), &meta)
            }
            "namespaced" => once(&mut namespaced, (), &meta),
            "status" => {
                let lit = string(&meta)?;
                let path = lit.parse::<Path>().map_err(|_| {
                    syn::Error::new(lit.span(), "`status` must name a type, as \"FooStatus\"")
                })?;
                once(&mut status, path, &meta)
            }
            "plural" => once(&mut plural, lowercase_name(&meta)?, &meta),
            "singular" => once(&mut singular, lowercase_name(&meta)?, &meta),
            "shortname" => {
                shortnames.push(lowercase_name(&meta)?);
                Ok(())
            }
            "category" => {
                categories.push(lowercase_name(&meta)?);
                Ok(())
            }
            "selectable" => {
                selectable.push(json_path(&meta)?);
                Ok(())
            }
            "printcolumn" => {
                printcolumns.push(printcolumn(&meta)?);
                Ok(())
            }
            "scale" => {
                let parsed = parse_scale(&meta)?;
                scale_span = meta.path.get_ident().map(Ident::span);
                once(&mut scale, parsed, &meta)
            }
            "validation" => {
                validations.push(rule(&meta)?);
                Ok(())
            }
            other => Err(meta.error(format!(
                "unknown kubeset attribute `{other}`; expected one of group, version, kind, \
                     namespaced, status, plural, singular, shortname, category, printcolumn, \
                     selectable, scale, validation"
            ))),
        })?;
    }
    let at = seen_attr.unwrap_or(span);
    let missing = |what: &str| {
        syn::Error::new(
            at,
            format!("#[derive(CustomResource)] needs #[kubeset({what} = \"...\")]"),
        )
    };
    let group = group.ok_or_else(|| missing("group"))?;
    let version = version.ok_or_else(|| missing("version"))?;
    let kind = kind.ok_or_else(|| missing("kind"))?;
    if scale.is_some() && status.is_none() {
        return Err(syn::Error::new(
            scale_span.unwrap_or(at),
            "`scale` needs a status subresource: add `status = \"...\"`",
        ));
    }
    Ok(Attrs {
        group,
        version,
        kind,
        namespaced: namespaced.is_some(),
        status,
        plural,
        singular,
        shortnames,
        categories,
        printcolumns,
        selectable,
        scale,
        validations,
    })
}

/// A DNS subdomain with at least one dot, as the API server demands of a CRD's group.
fn check_group(lit: &LitStr) -> syn::Result<()> {
    let group = lit.value();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !group.contains('.') || !group.split('.').all(label_ok) {
        return Err(syn::Error::new(
            lit.span(),
            "`group` must be a lowercase DNS subdomain with at least one dot, as \"example.com\"",
        ));
    }
    Ok(())
}

/// A DNS-1035 label (`v1`, `v1beta2`), as the API server demands of a version name.
fn check_version(lit: &LitStr) -> syn::Result<()> {
    let v = lit.value();
    let ok = v.len() <= 63
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.ends_with('-');
    if !ok {
        return Err(syn::Error::new(
            lit.span(),
            "`version` must be a DNS-1035 label, as \"v1\" or \"v1beta1\"",
        ));
    }
    Ok(())
}

fn lowercase_name(meta: &ParseNestedMeta<'_>) -> syn::Result<String> {
    let lit = string(meta)?;
    let v = lit.value();
    let ok = !v.is_empty()
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`{}` must be a lowercase name (letters, digits, `-`)",
                key(meta)
            ),
        ));
    }
    Ok(v)
}

fn json_path(meta: &ParseNestedMeta<'_>) -> syn::Result<String> {
    let lit = string(meta)?;
    if !lit.value().starts_with('.') {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{}` must be a JSON path starting with `.`", key(meta)),
        ));
    }
    Ok(lit.value())
}

fn printcolumn(meta: &ParseNestedMeta<'_>) -> syn::Result<PrinterColumn> {
    let (mut name, mut type_, mut path) = (None, None, None);
    let (mut description, mut format, mut priority) = (None, None, None);
    meta.parse_nested_meta(|m| match key(&m).as_str() {
        "name" => once(&mut name, string(&m)?.value(), &m),
        "type" => {
            let lit = string(&m)?;
            let v = lit.value();
            if !["integer", "number", "string", "boolean", "date"].contains(&v.as_str()) {
                return Err(syn::Error::new(
                    lit.span(),
                    "printcolumn `type` must be integer, number, string, boolean or date",
                ));
            }
            once(&mut type_, v, &m)
        }
        "json_path" => once(&mut path, json_path(&m)?, &m),
        "description" => once(&mut description, string(&m)?.value(), &m),
        "format" => once(&mut format, string(&m)?.value(), &m),
        "priority" => once(
            &mut priority,
            m.value()?.parse::<LitInt>()?.base10_parse()?,
            &m,
        ),
        other => Err(m.error(format!(
            "unknown printcolumn key `{other}`; expected name, type, json_path, description, \
             format or priority"
        ))),
    })?;
    let need = |what: &str| meta.error(format!("printcolumn needs `{what} = \"...\"`"));
    Ok(PrinterColumn {
        name: name.ok_or_else(|| need("name"))?,
        type_: type_.ok_or_else(|| need("type"))?,
        json_path: path.ok_or_else(|| need("json_path"))?,
        description,
        format,
        priority,
    })
}

fn parse_scale(meta: &ParseNestedMeta<'_>) -> syn::Result<Scale> {
    let (mut spec, mut status, mut selector) = (None, None, None);
    meta.parse_nested_meta(|m| match key(&m).as_str() {
        "spec_replicas_path" => once(&mut spec, json_path(&m)?, &m),
        "status_replicas_path" => once(&mut status, json_path(&m)?, &m),
        "label_selector_path" => once(&mut selector, json_path(&m)?, &m),
        other => Err(m.error(format!(
            "unknown scale key `{other}`; expected spec_replicas_path, status_replicas_path or \
             label_selector_path"
        ))),
    })?;
    let need = |what: &str| meta.error(format!("scale needs `{what} = \".path\"`"));
    Ok(Scale {
        spec_replicas_path: spec.ok_or_else(|| need("spec_replicas_path"))?,
        status_replicas_path: status.ok_or_else(|| need("status_replicas_path"))?,
        label_selector_path: selector,
    })
}

fn rule(meta: &ParseNestedMeta<'_>) -> syn::Result<Rule> {
    if meta.input.peek(syn::Token![=]) {
        return Ok(Rule {
            rule: string(meta)?.value(),
            message: None,
        });
    }
    let (mut rule, mut message) = (None, None);
    meta.parse_nested_meta(|m| match key(&m).as_str() {
        "rule" => once(&mut rule, string(&m)?.value(), &m),
        "message" => once(&mut message, string(&m)?.value(), &m),
        other => Err(m.error(format!(
            "unknown validation key `{other}`; expected rule or message"
        ))),
    })?;
    Ok(Rule {
        rule: rule.ok_or_else(|| meta.error("validation needs `rule = \"...\"`"))?,
        message,
    })
}
