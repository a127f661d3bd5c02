//! The generated `crd()`: the CustomResourceDefinition of one version.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::Names;
use crate::attrs::Attrs;
use crate::schema::structural_fn;

/// `impl Root { pub fn crd() ... }`.
pub(crate) fn crd_impl(attrs: &Attrs, names: &Names, spec: &Ident) -> TokenStream {
    let root = format_ident!("{}", attrs.kind);
    let crd_ty = quote!(
        ::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition
    );
    let (group, version, kind) = (&attrs.group, &attrs.version, &attrs.kind);
    let (plural, singular) = (&names.plural, &names.singular);
    let name = format!("{plural}.{group}");
    let list_kind = format!("{kind}List");
    let scope = if attrs.namespaced {
        "Namespaced"
    } else {
        "Cluster"
    };
    let shortnames = &attrs.shortnames;
    let categories = &attrs.categories;
    let structural = structural_fn();
    let generator = quote! {
        ::schemars::generate::SchemaSettings::openapi3()
            .with(|s| {
                s.inline_subschemas = true;
                s.meta_schema = ::core::option::Option::None;
            })
            .into_generator()
    };
    let status_schema = attrs.status.as_ref().map(|status| {
        quote! {
            let mut status = ::k8s_openapi::serde_json::Value::from(
                #generator.into_root_schema_for::<#status>(),
            );
            structural(&mut status);
            if let ::k8s_openapi::serde_json::Value::Object(s) = &mut status {
                s.remove("title");
                s.remove("nullable");
            }
            properties.insert("status".into(), status);
        }
    });
    let rules = attrs.validations.iter().map(|r| {
        let rule = &r.rule;
        match &r.message {
            Some(m) => quote!({ "rule": #rule, "message": #m }),
            None => quote!({ "rule": #rule }),
        }
    });
    let rules = if attrs.validations.is_empty() {
        quote!()
    } else {
        quote! {
            if let ::k8s_openapi::serde_json::Value::Object(s) = &mut spec {
                s.insert(
                    "x-kubernetes-validations".into(),
                    ::k8s_openapi::serde_json::json!([#(#rules),*]),
                );
            }
        }
    };
    let columns = attrs.printcolumns.iter().map(|c| {
        let (n, t, p) = (&c.name, &c.type_, &c.json_path);
        let mut extra = Vec::new();
        if let Some(d) = &c.description {
            extra.push(quote!(col.insert("description".into(), #d.into());));
        }
        if let Some(f) = &c.format {
            extra.push(quote!(col.insert("format".into(), #f.into());));
        }
        if let Some(p) = c.priority {
            extra.push(quote!(col.insert("priority".into(), #p.into());));
        }
        quote! {{
            let mut col = ::k8s_openapi::serde_json::Map::new();
            col.insert("name".into(), #n.into());
            col.insert("type".into(), #t.into());
            col.insert("jsonPath".into(), #p.into());
            #(#extra)*
            ::k8s_openapi::serde_json::Value::Object(col)
        }}
    });
    let selectable = &attrs.selectable;
    let mut subresources = Vec::new();
    if attrs.status.is_some() {
        subresources
            .push(quote!(sub.insert("status".into(), ::k8s_openapi::serde_json::json!({}));));
    }
    if let Some(scale) = &attrs.scale {
        let (spec_path, status_path) = (&scale.spec_replicas_path, &scale.status_replicas_path);
        let selector = scale
            .label_selector_path
            .as_ref()
            .map(|p| quote!(scale.insert("labelSelectorPath".into(), #p.into());));
        subresources.push(quote! {
            let mut scale = ::k8s_openapi::serde_json::Map::new();
            scale.insert("specReplicasPath".into(), #spec_path.into());
            scale.insert("statusReplicasPath".into(), #status_path.into());
            #selector
            sub.insert("scale".into(), ::k8s_openapi::serde_json::Value::Object(scale));
        });
    }
    let crd_doc = format!(
        "The CustomResourceDefinition of `{kind}`: `{name}`, version `{version}` (served and \
         storage), its names, scope, subresources, printer columns, selectable fields and a \
         structural schema generated from [`{spec}`].\n\n\
         # Panics\n\nIf a hand-written `JsonSchema` impl of a field's type returns a schema \
         that is not an OpenAPI v3 schema object."
    );
    quote! {
        impl #root {
            #[doc = #crd_doc]
            pub fn crd() -> #crd_ty {
                #structural
                let mut spec = ::k8s_openapi::serde_json::Value::from(
                    #generator.into_root_schema_for::<#spec>(),
                );
                structural(&mut spec);
                if let ::k8s_openapi::serde_json::Value::Object(s) = &mut spec {
                    s.remove("title");
                }
                #rules
                let mut properties = ::k8s_openapi::serde_json::Map::new();
                properties.insert("spec".into(), spec);
                #status_schema
                let mut sub = ::k8s_openapi::serde_json::Map::new();
                #(#subresources)*
                let columns: ::std::vec::Vec<::k8s_openapi::serde_json::Value> = ::std::vec![#(#columns),*];
                let selectable: &[&str] = &[#(#selectable),*];
                let selectable: ::std::vec::Vec<::k8s_openapi::serde_json::Value> = selectable
                    .iter()
                    .map(|p| ::k8s_openapi::serde_json::json!({ "jsonPath": p }))
                    .collect();
                let mut version = ::k8s_openapi::serde_json::json!({
                    "name": #version,
                    "served": true,
                    "storage": true,
                    "schema": { "openAPIV3Schema": {
                        "type": "object",
                        "description": ::core::concat!("The ", #kind, " custom resource."),
                        "properties": properties,
                        "required": ["spec"],
                    }},
                });
                if let ::k8s_openapi::serde_json::Value::Object(v) = &mut version {
                    if !sub.is_empty() {
                        v.insert("subresources".into(), ::k8s_openapi::serde_json::Value::Object(sub));
                    }
                    if !columns.is_empty() {
                        v.insert("additionalPrinterColumns".into(), columns.into());
                    }
                    if !selectable.is_empty() {
                        v.insert("selectableFields".into(), selectable.into());
                    }
                }
                let short_names: &[&str] = &[#(#shortnames),*];
                let categories: &[&str] = &[#(#categories),*];
                let mut names = ::k8s_openapi::serde_json::json!({
                    "plural": #plural,
                    "singular": #singular,
                    "kind": #kind,
                    "listKind": #list_kind,
                });
                if let ::k8s_openapi::serde_json::Value::Object(n) = &mut names {
                    if !short_names.is_empty() {
                        n.insert("shortNames".into(), short_names.into());
                    }
                    if !categories.is_empty() {
                        n.insert("categories".into(), categories.into());
                    }
                }
                let crd = ::k8s_openapi::serde_json::json!({
                    "apiVersion": "apiextensions.k8s.io/v1",
                    "kind": "CustomResourceDefinition",
                    "metadata": { "name": #name },
                    "spec": {
                        "group": #group,
                        "names": names,
                        "scope": #scope,
                        "versions": [version],
                    },
                });
                match ::k8s_openapi::serde_json::from_value(crd) {
                    ::core::result::Result::Ok(crd) => crd,
                    ::core::result::Result::Err(err) => ::core::panic!(
                        "the generated CustomResourceDefinition of {} is not one: {}",
                        #kind,
                        err
                    ),
                }
            }
        }
    }
}
