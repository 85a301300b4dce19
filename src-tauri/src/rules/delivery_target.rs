//! Where a profile's new keys go: its delivery target (a command that receives the secret on its
//! standard input and nothing else), the presets that write one, why a delivery failed, and
//! how its output is screened before the window sees it. The command line is split as a shell
//! splits words, and never run through a shell. Running it is `platform::command_runner`.

use serde::{Deserialize, Serialize};

use crate::rules::app_error::{AppError, InputField, InputProblem};

/// How long a delivery may take unless the profile says otherwise.
pub const DEFAULT_TIMEOUT_S: u32 = 30;
/// The longest timeout a profile may set.
pub const MAX_TIMEOUT_S: u32 = 600;
/// The line a command prints once it can take the key (the SSH preset: the connection is up and
/// the temporary file made). A command line that contains it is waited for until it is printed.
pub const READY_MARKER: &str = "certopay-ready";
/// The line a command prints once the key is where the shop reads it, followed by where that is
/// (the SSH preset: the file's path). Said in the result; never shown as output.
pub const DELIVERED_MARKER: &str = "certopay-delivered";
/// The line the SSH preset prints when the new file cannot keep the existing one's owner, group
/// or mode (followed by which), before it is ready: nothing is rotated.
pub const KEEP_MARKER: &str = "certopay-cannot-keep";
/// The longest wait for a command to be ready, whatever its timeout: an SSH connection that
/// takes longer is not going to work.
pub const MAX_READY_S: u32 = 30;
/// The most of a command's output that is read, each stream: it only goes to a details line.
pub const MAX_OUTPUT: usize = 16 * 1024;

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_S
}

/// Where a profile's new keys go, besides (or instead of) the clipboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryTarget {
    /// What the person calls it: "Servidor da loja".
    pub name: String,
    /// The command line; the secret arrives on its standard input, then end of input.
    pub command: String,
    #[serde(default = "default_timeout")]
    pub timeout_s: u32,
    /// Put the new key on the clipboard too, even when the delivery works.
    #[serde(default)]
    pub also_copy: bool,
}

fn invalid(field: InputField, reason: InputProblem) -> AppError {
    AppError::invalid(field, reason)
}

impl DeliveryTarget {
    /// Checks the fields and returns the command's words.
    pub fn words(&self) -> Result<Vec<String>, AppError> {
        if self.name.trim().is_empty() {
            return Err(invalid(InputField::DeliveryName, InputProblem::Required));
        }
        if !(1..=MAX_TIMEOUT_S).contains(&self.timeout_s) {
            return Err(invalid(InputField::DeliveryTimeout, InputProblem::OutOfRange));
        }
        let words =
            split_command_line(&self.command).ok_or_else(|| invalid(InputField::DeliveryCommand, InputProblem::UnbalancedQuotes))?;
        if words.is_empty() {
            return Err(invalid(InputField::DeliveryCommand, InputProblem::Required));
        }
        Ok(words)
    }

    /// The words of a command that may run: a batch file may not (a target saved before this
    /// rule still loads, and is refused when set or run).
    pub fn runnable_words(&self) -> Result<Vec<String>, AppError> {
        let words = self.words()?;
        if is_batch_file(&words[0]) {
            return Err(invalid(InputField::DeliveryCommand, InputProblem::BatchFile));
        }
        Ok(words)
    }

    /// How long the delivery may take once the secret is written.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.timeout_s))
    }

    /// How long the command may take to be ready, before the regenerate.
    pub fn ready_limit(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.timeout_s.min(MAX_READY_S)))
    }

    /// All a delivery may take: ready, then the secret read and the command ended.
    pub fn whole_span(&self) -> std::time::Duration {
        self.ready_limit() + self.timeout()
    }
}

/// A Windows batch file (`.bat`, `.cmd`) runs through cmd.exe, a shell that would read its
/// arguments its own way: never a delivery command. Caught under the names Windows resolves to
/// one too: trailing dots and spaces (`deliver.cmd.`, `deliver.bat `) and the file's data
/// stream (`deliver.cmd::$DATA`).
pub fn is_batch_file(program: &str) -> bool {
    let mut name = program.to_ascii_lowercase();
    loop {
        let before = name.len();
        name = name.trim_end_matches(['.', ' ']).to_string();
        if let Some(stripped) = name.strip_suffix("::$data") {
            name = stripped.to_string();
        }
        if name.len() == before {
            break;
        }
    }
    name.ends_with(".bat") || name.ends_with(".cmd")
}

/// The longest secret given to a command: CertoPay's keys are some tens of bytes; anything far
/// longer is not a key, and would not fit a pipe's guaranteed room.
pub const MAX_SECRET_BYTES: usize = 512;

/// Whether a secret looks like a key a command may be given: not empty, at most
/// `MAX_SECRET_BYTES`, no control characters (a line break would end the key early for a
/// reader of lines). Anything else goes to the clipboard only.
pub fn plausible_secret(secret: &str) -> bool {
    !secret.is_empty() && secret.len() <= MAX_SECRET_BYTES && !secret.chars().any(char::is_control)
}

/// The output as the window may see it: never the secret, a token, a key or a word `hidden`
/// refuses, each line short.
pub fn screened(output: &str, secret: &str, hidden: &dyn Fn(&str) -> bool) -> String {
    let mut text = output.trim().to_string();
    if secret.len() >= 8 {
        text = text.replace(secret, "[hidden]");
    }
    // Anything that looks like a key or a token, whoever printed it.
    let refused = |word: &str| ["sk_live_", "sk_test_", "eyJ"].iter().any(|p| word.contains(p)) || hidden(word);
    text.split('\n')
        .map(|line| line.split(' ').map(|word| if refused(word) { "[hidden]" } else { word }).collect::<Vec<_>>().join(" "))
        .filter(|line| !line.trim().is_empty())
        .take(20)
        .map(|line| line.chars().take(200).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The presets of the profile form: the documented way to give each tool a secret on standard
/// input. The window fills the names in; these say the shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Preset {
    /// OpenSSH runs the remote command with the session's standard input (ssh(1): "the command
    /// is executed on the remote host"; stdin is forwarded). BatchMode: never a password prompt.
    Ssh,
    /// One variable's line in an environment file (`.env`) on a server, over SSH, as the SSH
    /// preset writes a file; every other line kept.
    EnvLine,
    /// `gh secret set NAME`: without `--body` the value is read from standard input
    /// (cli/cli, `gh secret set --help`: "Read secret value from a file: gh secret set MYSECRET < myfile.txt").
    GithubActions,
    /// `vault kv put -mount=secret PATH api_key=-`: "it can be read from stdin using the '-'
    /// symbol" (developer.hashicorp.com/vault/docs/commands/kv/put).
    VaultKv,
    /// `doppler secrets set NAME --silent`: set "via an interactive mode, key-value pairs, or
    /// stdin" (docs.doppler.com/docs/setting-secrets); --silent keeps the value out of its output.
    Doppler,
}
// AWS Secrets Manager is left out: its CLI documents `--secret-string` and `file://` only, no
// standard-input form that works on Windows too.

/// Splits a command line as this system's programs split theirs: on Windows by Windows' rules
/// (a path keeps its backslashes), elsewhere as a POSIX shell splits words. `None`: a quote is
/// left open.
fn split_command_line(line: &str) -> Option<Vec<String>> {
    #[cfg(windows)]
    return split_windows(line);
    #[cfg(not(windows))]
    return shell_words::split(line).ok();
}

/// Quotes one word for the command line so that `split_command_line` gives it back whole.
fn quoted(word: &str) -> String {
    #[cfg(windows)]
    return quote_windows(word);
    #[cfg(not(windows))]
    return shell_words::quote(word).into_owned();
}

/// Quotes one word for a POSIX shell on another machine (the SSH preset's remote command).
fn remote_quoted(word: &str) -> String {
    shell_words::quote(word).into_owned()
}

/// Windows' splitting (the Microsoft C runtime's, as CommandLineToArgvW): spaces and tabs part
/// words outside double quotes; the program's name takes backslashes as they are; in the other
/// words, 2n backslashes before a quote are n and the quote opens or closes, 2n+1 are n and a
/// literal quote, and backslashes before anything else are literal; `""` inside quotes is a
/// quote.
pub fn split_windows(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        if chars.peek().is_none() {
            return Some(words);
        }
        let (mut word, mut quoted) = (String::new(), false);
        let program = words.is_empty();
        while let Some(c) = chars.next() {
            match c {
                ' ' | '\t' if !quoted => break,
                '"' if quoted && !program && chars.peek() == Some(&'"') => {
                    chars.next();
                    word.push('"');
                }
                '"' => quoted = !quoted,
                '\\' if !program => {
                    let mut count = 1;
                    while chars.next_if_eq(&'\\').is_some() {
                        count += 1;
                    }
                    if chars.peek() == Some(&'"') {
                        word.extend(std::iter::repeat_n('\\', count / 2));
                        if count % 2 == 1 {
                            chars.next();
                            word.push('"');
                        }
                    } else {
                        word.extend(std::iter::repeat_n('\\', count));
                    }
                }
                other => word.push(other),
            }
        }
        if quoted {
            return None;
        }
        words.push(word);
    }
}

/// Quotes one word so that `split_windows` gives it back whole.
pub fn quote_windows(word: &str) -> String {
    if !word.is_empty() && !word.contains([' ', '\t', '"']) {
        return word.to_string();
    }
    let mut quoted = String::from('"');
    let mut backslashes = 0;
    for c in word.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                quoted.extend(std::iter::repeat_n('\\', 2 * backslashes + 1));
                quoted.push('"');
                backslashes = 0;
            }
            other => {
                quoted.extend(std::iter::repeat_n('\\', backslashes));
                quoted.push(other);
                backslashes = 0;
            }
        }
    }
    quoted.extend(std::iter::repeat_n('\\', 2 * backslashes));
    quoted.push('"');
    quoted
}

/// The variable the `.env` preset sets unless the person names another.
pub const DEFAULT_VARIABLE: &str = "CERTOPAY_API_KEY";

/// The line the `.env` preset prints about the file, followed by a word: `badName`, `missing`,
/// `repeated` (each before it is ready: nothing is rotated) or `appended` (the variable was not
/// there and was added at the end).
pub const ENV_MARKER: &str = "certopay-env";

/// The awk program of the `.env` preset. Its first input is the key (one record), then the file;
/// it prints the file with the first line that sets `name` given the key as its value, keeping
/// every other byte: leading blanks, `export `, the spaces around `=`, the value's quotes, what
/// follows a quoted value or a bare one's ` # comment`, a line's `\r`, and the final newline
/// only if the file had one (`final`). A file that never sets it gets the line at the end.
/// Written without a single quote (it travels inside one) and on one line (a command line is
/// one line, in the window's field too).
const ENV_REWRITE: &str = concat!(
    r#"FNR == NR { key = key (NR > 1 ? "\n" : "") $0; next } "#,
    r#"{ line = $0; cr = ""; if (sub(/\r$/, "", line)) cr = "\r"; "#,
    r#"if (!done && match(line, "^[ \t]*(export[ \t]+)?" name "[ \t]*=")) { "#,
    r#"head = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1); lead = ""; "#,
    r#"if (match(rest, /^[ \t]+/)) { lead = substr(rest, 1, RLENGTH); rest = substr(rest, RLENGTH + 1) } "#,
    r#"q = substr(rest, 1, 1); "#,
    r#"if (q == "\"" || q == "\047") { end = index(substr(rest, 2), q); tail = end ? substr(rest, end + 2) : ""; value = q key q } "#,
    r#"else { tail = match(rest, /[ \t]+#/) ? substr(rest, RSTART) : ""; value = key } "#,
    r#"line = head lead value tail; done = 1 } "#,
    r#"printf "%s%s%s", (lines++ ? "\n" : ""), line, cr; style = cr } "#,
    r#"END { if (!done) printf "%s%s=%s%s", (lines++ ? "\n" : ""), name, key, style; if (final) printf "\n" }"#,
);

/// What the SSH presets do before their ready line to the temporary file `$t`: give it the
/// owner, group and mode of the file `$f` the shop reads, if there is one, or say which it
/// could not (`KEEP_MARKER`).
fn keep_attributes() -> String {
    format!(
        "if [ -e \"$f\" ]; then u=$(stat -c %u \"$f\") && g=$(stat -c %g \"$f\") && m=$(stat -c %a \"$f\") \
         && {{ chown \"$u\" \"$t\" 2>/dev/null || {{ echo {KEEP_MARKER} owner; false; }}; }} \
         && {{ chgrp \"$g\" \"$t\" 2>/dev/null || {{ echo {KEEP_MARKER} group; false; }}; }} \
         && {{ chmod \"$m\" \"$t\" 2>/dev/null || {{ echo {KEEP_MARKER} mode; false; }}; }}; fi"
    )
}

/// An SSH preset's command line: the remote script (then the reload command, if any), which
/// removes its temporary file `$t` when any step fails. The remote command is read by the
/// server's POSIX shell: quoted for it, whatever this system is; the whole of it is then one
/// word of the local command line.
fn ssh_command(host: &str, remote: &str, reload: &str) -> String {
    let mut remote = remote.to_string();
    if !reload.is_empty() {
        remote.push_str(&format!(" && {reload}"));
    }
    let remote = format!("{{ {remote}; }} || {{ rm -f \"$t\"; exit 1; }}");
    format!("ssh -o BatchMode=yes {} {}", quoted(host), quoted(&remote))
}

/// The command line of a preset, from the names the person fills in.
pub fn preset_command(preset: Preset, fields: &[&str]) -> String {
    let field = |i: usize| fields.get(i).copied().unwrap_or("").trim();
    match preset {
        Preset::Ssh => {
            // user@host, the file, an optional reload command. The key is written to a
            // temporary file beside the file the shop reads (through a symlink, beside its
            // target) and renamed over it only when it arrived whole: a killed delivery ends the
            // remote `cat` with an empty file, which is removed, so that file is never truncated
            // or half-written. The temporary file first takes the existing file's owner, group
            // and mode (0600 by umask for a new one), before the ready line: what the SSH user
            // may not give it is said (`KEEP_MARKER`) and nothing is rotated.
            let file = remote_quoted(field(1));
            let remote = format!(
                "umask 077 && f=$(readlink -f {file}) && t=$(mktemp \"${{f%/*}}/.${{f##*/}}.XXXXXX\") && exec 3>\"$t\" && {} \
                 && echo {READY_MARKER} && cat >&3 && exec 3>&- && test -s \"$t\" && mv -f \"$t\" \"$f\" && echo {DELIVERED_MARKER} {file}",
                keep_attributes()
            );
            ssh_command(field(0), &remote, field(2))
        }
        Preset::EnvLine => {
            // user@host, the environment file, the variable (CERTOPAY_API_KEY unless named), an
            // optional reload command. Before the ready line: the name is a variable's, the file
            // exists, names it at most once, and a temporary file beside it (through a symlink,
            // beside its target) can take its owner, group and mode. Then the key is read whole
            // into the remote shell, and awk writes the file again with only that value changed
            // (its quotes, an `export `, a comment after it, CRLF and the final newline or its
            // absence kept), or the line added at the end; the temporary file is renamed over
            // the real one.
            let file = remote_quoted(field(1));
            let name = if field(2).is_empty() { DEFAULT_VARIABLE } else { field(2) };
            let name = remote_quoted(name);
            let remote = format!(
                "umask 077 && case {name} in ''|[0-9]*|*[!A-Za-z0-9_]*) echo {ENV_MARKER} badName; false;; esac \
                 && f=$(readlink -f {file}) && {{ test -f \"$f\" || {{ echo {ENV_MARKER} missing; false; }}; }} \
                 && n=$(grep -c -E \"^[[:space:]]*(export[[:space:]]+)?\"{name}\"[[:space:]]*=\" \"$f\"; true) \
                 && {{ test \"$n\" -le 1 || {{ echo {ENV_MARKER} repeated; false; }}; }} \
                 && t=$(mktemp \"${{f%/*}}/.${{f##*/}}.XXXXXX\") && {} && echo {READY_MARKER} && key=$(cat) && test -n \"$key\" \
                 && if test -z \"$(tail -c 1 \"$f\")\"; then e=1; else e=0; fi \
                 && printf %s \"$key\" | awk -v name={name} -v final=\"$e\" {} - \"$f\" > \"$t\" && mv -f \"$t\" \"$f\" \
                 && echo {DELIVERED_MARKER} {file} && {{ test \"$n\" -gt 0 || echo {ENV_MARKER} appended; }}",
                keep_attributes(),
                remote_quoted(ENV_REWRITE)
            );
            ssh_command(field(0), &remote, field(3))
        }
        Preset::GithubActions => format!("gh secret set {} --repo {}", quoted(field(0)), quoted(field(1))),
        Preset::VaultKv => format!("vault kv put -mount={} {} {}", quoted(field(0)), quoted(field(1)), quoted(&format!("{}=-", field(2)))),
        Preset::Doppler => format!("doppler secrets set {} --silent", quoted(field(0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(command: &str) -> DeliveryTarget {
        DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 5, also_copy: false }
    }

    #[test]
    fn a_windows_command_line_keeps_its_backslashes_and_its_quoted_spaces() {
        let split = |line: &str| split_windows(line).unwrap();
        assert_eq!(split(r#"C:\tools\deliver.exe --to loja"#), [r"C:\tools\deliver.exe", "--to", "loja"]);
        assert_eq!(split(r#"\\srv\share\x.exe"#), [r"\\srv\share\x.exe"]);
        assert_eq!(
            split(r#""C:\Program Files\loja\deliver.exe" --name "Servidor da loja""#),
            [r"C:\Program Files\loja\deliver.exe", "--name", "Servidor da loja"]
        );
        assert_eq!(split(r#"x a\\\"b "c\\" d\e "say ""hi""""#), ["x", r#"a\"b"#, r"c\", r"d\e", r#"say "hi""#]);
        assert_eq!(split_windows(r#"x "open"#), None);
        for word in ["", "plain", "two words", r#"a "quote""#, r"ends\", r"C:\Program Files\", r#"\"x\\"#, "tab\there"] {
            assert_eq!(split(&format!("x {}", quote_windows(word))), ["x", word], "{word:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_command_line_splits_as_a_shell_would_and_is_never_run_by_one() {
        let words = target(r#"ssh -o BatchMode=yes ana@loja 'umask 077 && cat > /etc/loja/certopay.key'"#).words().unwrap();
        assert_eq!(words, ["ssh", "-o", "BatchMode=yes", "ana@loja", "umask 077 && cat > /etc/loja/certopay.key"]);
        assert!(target("ssh 'unbalanced").words().is_err());
        assert!(target("   ").words().is_err());
        assert!(DeliveryTarget { timeout_s: 0, ..target("true") }.words().is_err());
        // A batch file would run through cmd.exe, a shell.
        for batch in ["C:/tools/deliver.cmd --to loja", "DELIVER.BAT", "'c:/Program Files/loja/entrega.Cmd'"] {
            assert_eq!(
                target(batch).runnable_words().unwrap_err(),
                invalid(InputField::DeliveryCommand, InputProblem::BatchFile),
                "{batch}"
            );
            assert!(target(batch).words().is_ok(), "{batch}: a saved one still loads");
        }
        assert!(target("deliver.exe --cmd x.bat").runnable_words().is_ok(), "only the program itself counts");
    }

    #[test]
    fn the_names_windows_resolves_to_a_batch_file_are_refused_too() {
        for name in ["deliver.cmd.", "deliver.bat ", "deliver.bat. .", "C:/loja/deliver.CMD::$DATA", "deliver.cmd::$data.", "x.bat::$DATA "]
        {
            assert!(is_batch_file(name), "{name:?}");
        }
        for name in ["deliver.exe", "deliver.cmd.exe", "batch", "deliver.exe::$DATA", "cmd"] {
            assert!(!is_batch_file(name), "{name:?}");
        }
    }

    #[test]
    fn only_a_plausible_key_is_given_to_a_command() {
        assert!(plausible_secret("sk_live_4f9a0b1c2d3e4f5a6b7c8d9e"));
        assert!(plausible_secret(&"k".repeat(MAX_SECRET_BYTES)));
        assert!(!plausible_secret(&"k".repeat(MAX_SECRET_BYTES + 1)));
        assert!(!plausible_secret(""));
        for odd in ["sk_live_abc\n", "sk_live_abc\r\nrm -rf /", "sk_live_\u{0}abc", "sk_live_\u{1b}[2J", "sk_live_\tx"] {
            assert!(!plausible_secret(odd), "{odd:?}");
        }
    }

    #[test]
    fn presets_give_the_documented_stdin_forms() {
        // Quoted for this system's splitting: the words come back the same on every system.
        let words = |line: &str| target(line).words().unwrap();
        let ssh = preset_command(Preset::Ssh, &["deploy@loja.example", "/srv/loja/certopay key", "systemctl reload loja"]);
        assert_eq!(
            words(&ssh),
            [
                "ssh",
                "-o",
                "BatchMode=yes",
                "deploy@loja.example",
                "{ umask 077 && f=$(readlink -f '/srv/loja/certopay key') && t=$(mktemp \"${f%/*}/.${f##*/}.XXXXXX\") && exec 3>\"$t\" \
                 && if [ -e \"$f\" ]; then u=$(stat -c %u \"$f\") && g=$(stat -c %g \"$f\") && m=$(stat -c %a \"$f\") \
                 && { chown \"$u\" \"$t\" 2>/dev/null || { echo certopay-cannot-keep owner; false; }; } \
                 && { chgrp \"$g\" \"$t\" 2>/dev/null || { echo certopay-cannot-keep group; false; }; } \
                 && { chmod \"$m\" \"$t\" 2>/dev/null || { echo certopay-cannot-keep mode; false; }; }; fi \
                 && echo certopay-ready && cat >&3 && exec 3>&- && test -s \"$t\" && mv -f \"$t\" \"$f\" \
                 && echo certopay-delivered '/srv/loja/certopay key' && systemctl reload loja; } || { rm -f \"$t\"; exit 1; }"
            ]
        );
        // The `.env` line: the variable defaults to CERTOPAY_API_KEY, the reload comes last.
        let env = words(&preset_command(Preset::EnvLine, &["deploy@loja.example", "/var/www/loja/.env", "", "php artisan config:cache"]));
        assert_eq!(env[..4], ["ssh", "-o", "BatchMode=yes", "deploy@loja.example"]);
        assert!(env[4].starts_with("{ umask 077 && case CERTOPAY_API_KEY in "), "{}", env[4]);
        assert!(env[4].contains("-v name=CERTOPAY_API_KEY") && env[4].contains("readlink -f /var/www/loja/.env"), "{}", env[4]);
        assert!(env[4].ends_with(" && php artisan config:cache; } || { rm -f \"$t\"; exit 1; }"), "{}", env[4]);
        assert!(!env[4].contains('\n'), "one line: the window's field holds one");
        let named = words(&preset_command(Preset::EnvLine, &["deploy@loja.example", "/srv/.env", "LOJA_KEY", ""]));
        assert!(named[4].contains("-v name=LOJA_KEY") && !named[4].contains("CERTOPAY_API_KEY"), "{}", named[4]);
        assert_eq!(
            preset_command(Preset::GithubActions, &["CERTOPAY_API_KEY", "loja/site"]),
            "gh secret set CERTOPAY_API_KEY --repo loja/site"
        );
        assert_eq!(
            words(&preset_command(Preset::GithubActions, &["KEY", "loja/meu site"])),
            ["gh", "secret", "set", "KEY", "--repo", "loja/meu site"]
        );
        let vault = preset_command(Preset::VaultKv, &["secret", "loja/certopay", "api_key"]);
        assert_eq!(words(&vault), ["vault", "kv", "put", "-mount=secret", "loja/certopay", "api_key=-"]);
        assert_eq!(preset_command(Preset::Doppler, &["CERTOPAY_API_KEY"]), "doppler secrets set CERTOPAY_API_KEY --silent");
    }

    #[test]
    fn output_never_shows_a_secret_or_a_token() {
        let shown = screened(
            "wrote sk_live_abcdef123456\nBearer eyJhbGciOi.x.y\n\nok: the-real-secret-value\npassword certopay-demo",
            "the-real-secret-value",
            &|word| word == "certopay-demo",
        );
        assert_eq!(shown, "wrote [hidden]\nBearer [hidden]\nok: [hidden]\npassword [hidden]");
    }
}
