//! What starts the app with the computer, in each system's words, the program's path always
//! quoted so that a path with a space (or a quote, or a `$`) starts this program and nothing
//! else: Linux's autostart entry (a Desktop Entry file, quoted as its specification says) and
//! Windows' `Run` value (quoted as Windows splits a command line).

use crate::rules::delivery_target::quote_windows;

/// The `Exec` value: each word in double quotes, with `"`, `` ` ``, `$` and `\` escaped by a
/// backslash inside them, then (the value being a string) every backslash doubled, and `%`
/// written `%%` (a field code otherwise).
pub fn exec_value(program: &str, args: &[&str]) -> String {
    std::iter::once(program)
        .chain(args.iter().copied())
        .map(|word| {
            let mut quoted = String::from('"');
            for c in word.chars() {
                if matches!(c, '"' | '`' | '$' | '\\') {
                    quoted.push('\\');
                }
                quoted.push(c);
            }
            quoted.push('"');
            quoted.replace('\\', "\\\\").replace('%', "%%")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Windows' `Run` value: the program's path in double quotes (unquoted, Windows would try
/// `C:\Program` first), then each argument as Windows splits it back.
pub fn windows_run_value(program: &str, args: &[&str]) -> String {
    std::iter::once(format!("\"{program}\"")).chain(args.iter().map(|arg| quote_windows(arg))).collect::<Vec<_>>().join(" ")
}

/// An `Exec` value read back as a desktop reads it: the string's escapes undone, then each word
/// taken from its double quotes with their backslash escapes. A word outside quotes is an error
/// (`exec_value` never writes one): the tests read the entry with this.
pub fn exec_words(value: &str) -> Result<Vec<String>, String> {
    let unescaped = value.replace("\\\\", "\\").replace("%%", "%");
    let (mut words, mut word, mut chars) = (Vec::new(), None::<String>, unescaped.chars());
    while let Some(c) = chars.next() {
        match (c, word.as_mut()) {
            ('"', None) => word = Some(String::new()),
            ('"', Some(_)) => words.extend(word.take()),
            ('\\', Some(w)) => w.extend(chars.next()),
            (c, Some(w)) => w.push(c),
            (' ', None) => {}
            (c, None) => return Err(format!("an unquoted {c:?} in Exec={value}")),
        }
    }
    Ok(words)
}

/// The whole Desktop Entry for `name`, started by `program` with `args`.
pub fn desktop_entry(name: &str, program: &str, args: &[&str]) -> String {
    // A name is one line: a line break would start another key.
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    format!(
        "[Desktop Entry]\nType=Application\nVersion=1.0\nName={name}\nExec={}\nStartupNotify=false\nTerminal=false\n",
        exec_value(program, args)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programs_path_is_quoted_so_spaces_quotes_and_dollars_stay_in_it() {
        for path in
            ["/usr/bin/certopay-keys", "/home/ana/Meus Apps/CertoPay Keys/certopay-keys", "/opt/it's \"here\"/$HOME/`id`/100%/back\\slash"]
        {
            let value = exec_value(path, &["--minimized"]);
            assert!(value.starts_with('"'), "{value}");
            assert_eq!(exec_words(&value).unwrap(), [path, "--minimized"], "{value}");
        }
        assert_eq!(exec_value("/a b/c", &["--minimized"]), r#""/a b/c" "--minimized""#);
    }

    #[test]
    fn the_windows_run_value_quotes_the_path_even_without_a_space() {
        let program = r"C:\Program Files\CertoPay Keys\certopay-keys.exe";
        let value = windows_run_value(program, &["--minimized"]);
        assert_eq!(value, r#""C:\Program Files\CertoPay Keys\certopay-keys.exe" --minimized"#);
        assert_eq!(crate::rules::delivery_target::split_windows(&value).unwrap(), [program, "--minimized"]);
        assert_eq!(windows_run_value(r"C:\Apps\keys.exe", &[]), r#""C:\Apps\keys.exe""#);
    }

    #[test]
    fn the_entry_is_one_key_per_line() {
        let entry = desktop_entry("CertoPay Keys\nExec=/bin/evil", "/a b/certopay-keys", &["--minimized"]);
        assert_eq!(entry.lines().filter(|l| l.starts_with("Exec=")).count(), 1, "{entry}");
        assert!(entry.contains("\nExec=\"/a b/certopay-keys\" \"--minimized\"\n"), "{entry}");
    }
}
