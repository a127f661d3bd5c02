//! kubeset-transport (work in progress).
