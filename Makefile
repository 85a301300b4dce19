# The README's commands. Each installs the system packages it needs when they are missing.
.PHONY: demo test sandbox bench soak bundle fuzz windows windows-test

# Open the app against a local sandbox server: no CertoPay account needed.
demo:
	scripts/install-deps.sh build
	cargo build --workspace --bins
	scripts/demo.sh

# Run every test: sandbox, client, commands and the real window under Xvfb.
test:
	scripts/test.sh

# Speed and memory figures: the client over loopback, the window driven through WebDriver
# (debug build), and the release binary against a hello-world Tauri app (bench/hello) built
# with the same profile, started alternately.
bench:
	scripts/install-deps.sh bench
	cargo build --release --bin certopay-keys
	cd bench/hello && CARGO_TARGET_DIR="$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)" cargo build --release
	cargo build --workspace --tests --bins --features certopay-keys/webdriver
	scripts/with-desktop.sh cargo test --features webdriver --test bench
	cargo test --features webdriver --test outage_bench

# What the app costs at rest for weeks in the tray: both release builds hidden side by side
# (CertoPay Keys in the tray, hello world), read from /proc each minute for
# CERTOPAY_SOAK_MINUTES (5) at the login screen, then as long logged in and back in the tray
# after 100 show/hide cycles; then 31 hours of the app's time in as many minutes, its clock run
# faster (the release build with feature fast-clock: at its own speed it is the shipped app).
# Prints CPU, wake-ups, PSS, threads and open files, and the day's reminders and update checks,
# with the goals.
soak:
	scripts/install-deps.sh bench
	cargo build --release --features fast-clock --bin certopay-keys
	cd bench/hello && CARGO_TARGET_DIR="$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)" cargo build --release
	scripts/with-desktop.sh cargo test --features webdriver --test soak

# The parsers of everything from outside, fed 1,000,000 generated inputs each (make test feeds
# a few thousand); FUZZ_SEED picks another sequence. Prints a table of inputs and acceptances.
FUZZ_CASES ?= 1000000
FUZZ_SEED ?= 20261129
fuzz:
	CERTOPAY_FUZZ_CASES=$(FUZZ_CASES) CERTOPAY_FUZZ_SEED=$(FUZZ_SEED) cargo test --test core fuzz:: -- --nocapture

# The sandbox alone, in the foreground (ARGS="--port 0 --faults --token-ttl 120").
sandbox:
	cargo run -p certopay-sandbox -- $(ARGS)

# Installable packages (.deb and .rpm) under target/release/bundle, with the Tauri CLI from
# npm, then the .deb checked as a person would use it (scripts/bundle.sh).
bundle:
	scripts/bundle.sh

# The Windows app (release profile, GUI subsystem) and its per-user installer, from Debian's
# packages (rustc-web, mingw-w64, NSIS), under target/windows/release.
windows:
	scripts/windows-package.sh release

# The Windows tests alone (make test runs them too): unit tests and tests/app/app_state.rs built for
# Windows and run under Wine against a native sandbox, and the installer's silent install and
# uninstall in a private Wine prefix.
windows-test:
	scripts/windows-test.sh
