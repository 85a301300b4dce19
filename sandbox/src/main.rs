//! `certopay-sandbox [--port N] [--token-ttl SECONDS] [--seed N] [--faults] [--rate-window SECONDS]`
//!
//! The first stdout line is machine-readable: `CERTOPAY_SANDBOX_URL=http://127.0.0.1:PORT`.
//!
//! `certopay-sandbox --host [--port N]` serves no sandbox itself: it starts one for each test
//! that asks (the Windows tests under Wine; see the library's `host` module). Its first line is
//! `CERTOPAY_SANDBOX_HOST=127.0.0.1:PORT`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use certopay_sandbox::{demo_accounts, start, Options, DEMO_PASSWORD};

const USAGE: &str = "usage: certopay-sandbox [--port N] [--token-ttl SECONDS] [--seed N] [--faults] [--rate-window SECONDS]\n       certopay-sandbox --host [--port N]";

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { port: 8787, log_requests: true, ..Options::default() };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let value = args.next().ok_or(format!("{name} needs a value"))?;
            value.parse().map_err(|_| format!("{name}: not a whole number: {value}"))
        };
        match flag.as_str() {
            "--port" => options.port = u16::try_from(number("--port")?).map_err(|_| "--port: out of range")?,
            "--token-ttl" => options.token_ttl = Duration::from_secs(number("--token-ttl")?.max(1)),
            "--seed" => options.seed = Some(number("--seed")?),
            "--rate-window" => options.rate_window = Duration::from_secs(number("--rate-window")?.max(1)),
            "--faults" => options.faults = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--host") {
        args.remove(at);
        return host(&args).await;
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match start(options.clone()).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("certopay-sandbox: cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "CERTOPAY_SANDBOX_URL={}", sandbox.url());
    let _ = writeln!(out, "CertoPay sandbox (for demos and tests; state is in memory, a restart resets it)");
    let _ = writeln!(out, "Token lifetime: {} s{}", options.token_ttl.as_secs(), if options.faults { "; fault injection on" } else { "" });
    let _ = writeln!(out, "Demo accounts, all with the password {DEMO_PASSWORD:?}:");
    for account in demo_accounts() {
        let _ = writeln!(out, "  {:<26} {:<6} {}", account.email, account.role, account.shows);
    }
    let _ = out.flush();
    drop(out);
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

/// `--host`: sandboxes on request, until the process is stopped.
async fn host(args: &[String]) -> ExitCode {
    let port = match args {
        [] => 0,
        [flag, port] if flag == "--port" => match port.parse::<u16>() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("--port: not a port: {port}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("certopay-sandbox: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().expect("a bound listener has an address");
    println!("CERTOPAY_SANDBOX_HOST={addr}");
    match certopay_sandbox::host::serve(listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certopay-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
