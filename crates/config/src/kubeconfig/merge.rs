//! Merging several kubeconfig files the way clientcmd does.
//!
//! For clusters, users, contexts and extensions the first file that defines a name wins.
//! `current-context` comes from the first file that sets it; each preference field likewise
//! (so `colors: true` anywhere wins over `colors: false`, which is the unset value).

use super::model::{Extensions, Kubeconfig};

/// Merges files in precedence order (first wins).
pub(crate) fn merge(files: impl IntoIterator<Item = Kubeconfig>) -> Kubeconfig {
    let mut merged = Kubeconfig::default();
    for file in files {
        for (name, cluster) in file.clusters {
            merged.clusters.entry(name).or_insert(cluster);
        }
        for (name, user) in file.users {
            merged.users.entry(name).or_insert(user);
        }
        for (name, context) in file.contexts {
            merged.contexts.entry(name).or_insert(context);
        }
        if merged.current_context.is_empty() {
            merged.current_context = file.current_context;
            merged.current_context_origin = file.current_context_origin;
        }
        merged.preferences.colors |= file.preferences.colors;
        merge_extensions(
            &mut merged.preferences.extensions,
            file.preferences.extensions,
        );
        merge_extensions(&mut merged.extensions, file.extensions);
        merged.files.extend(file.files);
    }
    merged
}

fn merge_extensions(into: &mut Extensions, from: Extensions) {
    for (name, value) in from {
        into.entry(name).or_insert(value);
    }
}
