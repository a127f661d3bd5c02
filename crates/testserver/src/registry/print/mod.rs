//! Go's formatting helpers of kube-apiserver's printers (`pkg/printers/internalversion/
//! printers.go` and the apimachinery functions it calls), over JSON objects: what the table
//! columns of the strategies format their cells with.
//!
//! Every function is pure except [`since`] and [`age`], which read the server clock. A missing
//! field reads as Go's zero value (`""`, `0`, `false`, an empty list or map), as it does in the
//! typed object the Go printer sees.

mod duration;
mod selectors;
mod values;

pub(crate) use duration::{age, human_duration, since, timestamp};
pub(crate) use selectors::{format_label_selector, format_labels, label_selector_string};
pub(crate) use values::{
    boolean, condition_status, containers, deleting, int, items, len, list_with_more, or, quantity,
    text,
};
