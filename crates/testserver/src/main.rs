//! `kubeset-testserver --port P --kubeconfig-out F`: runs the test server until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: kubeset-testserver [--port PORT] [--kubeconfig-out FILE]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut port = 0u16;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => return usage(),
            },
            "--kubeconfig-out" => match args.next() {
                Some(f) => out = Some(PathBuf::from(f)),
                None => return usage(),
            },
            "-h" | "--help" => {
                let _ = usage();
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    let server = match kubeset_testserver::TestServer::builder()
        .port(port)
        .start()
        .await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kubeset-testserver: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &out {
        if let Err(e) = server.write_kubeconfig(path) {
            eprintln!("kubeset-testserver: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!(
            "kubeset-testserver: listening on {}, kubeconfig in {}",
            server.url(),
            path.display()
        );
    } else {
        eprintln!("kubeset-testserver: listening on {}", server.url());
        print!("{}", server.kubeconfig());
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
