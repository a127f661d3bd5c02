//! `kctl`: a small kubectl built on kubeset.

fn main() {
    eprintln!("kctl: no commands yet");
    std::process::exit(2);
}
