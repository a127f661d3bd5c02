//! kubeset-clientset (work in progress).
