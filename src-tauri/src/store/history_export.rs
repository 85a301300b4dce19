//! The rotation record an auditor asks for (PCI DSS v4 8.6.3): the history as a CSV file
//! that Excel opens in either language (UTF-8 with a BOM; `;` for Portuguese, `,` for
//! English), and as a printable page. Prefixes only: the history never held a secret. The
//! export's words are Rust's own (`rules::rust_words`), in both languages: it is a document,
//! not the window.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use crate::rules::rust_words::{fill, rust_words, RustWords};
use crate::store::history::{HistoryEntry, Rollout, RotationOutcome};
use crate::store::private_files::{new_file, replace_whole};

/// How many columns a row has.
const COLUMNS: usize = 10;

/// The header's columns, in the language's words.
fn columns(words: &RustWords) -> [&'static str; COLUMNS] {
    [
        words.column_profile,
        words.column_email,
        words.column_when,
        words.column_utc_offset,
        words.column_old_key,
        words.column_new_key,
        words.column_outcome,
        words.column_went_to,
        words.column_failed_for,
        words.column_outage,
    ]
}

/// The field separator Excel expects in the language (`,` or `;`).
fn separator(words: &RustWords) -> char {
    words.export_separator.chars().next().unwrap_or(',')
}

/// One row's fields as text, in the language's words and the zone's local time.
fn fields<Tz: TimeZone>(entry: &HistoryEntry, words: &RustWords, zone: &Tz) -> [String; COLUMNS]
where
    Tz::Offset: std::fmt::Display,
{
    let local = entry.time.with_timezone(zone);
    let offset = local.format("%:z").to_string();
    let outcome = match entry.outcome {
        RotationOutcome::Rotated => words.export_rotated,
        RotationOutcome::RotatedSecretLost => words.export_rotated_secret_lost,
        RotationOutcome::NotRotated => words.export_not_rotated,
        RotationOutcome::Unknown => words.export_unknown,
    };
    // Each destination that has the key, then the clipboard when the key went there for a
    // failed one, or for want of any.
    let mut went_to: Vec<&str> = entry.delivered_to().collect();
    let failed: Vec<&str> = entry.not_delivered_to().collect();
    if entry.outcome == RotationOutcome::Rotated && (went_to.is_empty() || !failed.is_empty()) {
        went_to.push(words.export_clipboard);
    }
    let outage = match entry.rollout {
        Some(Rollout::InUseAfter { seconds }) => seconds.to_string(),
        Some(Rollout::NotSeenWithin { minutes }) => fill(words.export_not_seen_within, &[("minutes", &minutes)]),
        None => String::new(),
    };
    [
        entry.profile.clone(),
        entry.email.clone(),
        local.format(words.export_date_format).to_string(),
        offset,
        entry.old_prefix.clone(),
        entry.new_prefix.clone().unwrap_or_default(),
        outcome.to_string(),
        went_to.join(", "),
        failed.join(", "),
        outage,
    ]
}

/// Which columns hold text from outside the app (typed by a person or sent by the server):
/// profile, e-mail, the prefixes, the destinations' names.
const OUTSIDE_TEXT: [bool; COLUMNS] = [true, true, false, false, true, true, false, true, true, false];

/// A field as CSV writes it: quoted when it holds either language's separator (`,` or `;`: an
/// English export opened by a Portuguese spreadsheet splits on `;`, and a part after it could
/// start a formula), a quote or a line break. Text from outside that a spreadsheet would run as
/// a formula (`=`, `+`, `-`, `@`, a tab) is led by `'`.
fn csv_field(text: &str, separator: char, outside: bool) -> String {
    let mut text = text.to_string();
    if outside && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        text.insert(0, '\'');
    }
    if text.contains([separator, ',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The CSV text, oldest rotation first, with its BOM: one header line, one line per rotation.
pub fn rotation_csv<Tz: TimeZone>(oldest_first: &[HistoryEntry], language: &str, zone: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let words = rust_words(language);
    let separator = separator(words);
    let line = |cells: Vec<String>| cells.join(&separator.to_string()) + "\r\n";
    let mut text = String::from('\u{feff}');
    text += &line(columns(words).iter().map(|c| csv_field(c, separator, false)).collect());
    for entry in oldest_first {
        let row = fields(entry, words, zone);
        text += &line(row.iter().zip(OUTSIDE_TEXT).map(|(field, outside)| csv_field(field, separator, outside)).collect());
    }
    text
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The same record as a page to print: a title, the period, the profiles, the rows. No
/// script, no outside resource.
pub fn rotation_page<Tz: TimeZone>(oldest_first: &[HistoryEntry], language: &str, zone: &Tz, now: DateTime<Utc>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let words = rust_words(language);
    let day = |time: DateTime<Utc>| time.with_timezone(zone).format(words.export_day_format).to_string();
    let period = match (oldest_first.first(), oldest_first.last()) {
        (Some(first), Some(last)) => format!("{} – {}", day(first.time), day(last.time)),
        _ => day(now),
    };
    let mut profiles: Vec<&str> = oldest_first.iter().map(|e| e.profile.as_str()).collect();
    profiles.sort_unstable();
    profiles.dedup();
    let head: String = columns(words).iter().map(|c| format!("<th scope=\"col\">{}</th>", html_escape(c))).collect();
    let rows: String = oldest_first
        .iter()
        .map(|entry| {
            let cells: String = fields(entry, words, zone).iter().map(|f| format!("<td>{}</td>", html_escape(f))).collect();
            format!("<tr>{cells}</tr>\n")
        })
        .collect();
    let table = if oldest_first.is_empty() {
        format!("<p>{}</p>", words.export_empty)
    } else {
        format!("<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{title}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 2em; color: #111; }}\n\
         table {{ border-collapse: collapse; width: 100%; font-size: 0.85em; }}\n\
         th, td {{ border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; }}\n\
         th {{ background: #eee; }}\n@media print {{ body {{ margin: 0; }} }}\n</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p><strong>{period_word}:</strong> {period}</p>\n\
         <p><strong>{profiles_word}:</strong> {profiles}</p>\n{table}\n</body>\n</html>\n",
        lang = if language == "pt-BR" { "pt-BR" } else { "en" },
        title = html_escape(words.export_title),
        period_word = words.export_period,
        profiles_word = words.export_profiles,
        profiles = html_escape(&profiles.join(", ")),
    )
}

/// Writes a file where the user chose: whole or not at all. The folder is the user's: its
/// permissions are left as they are, and the file is made as that folder makes files.
pub fn write_export(path: &Path, text: &str) -> std::io::Result<()> {
    replace_whole(path, text.as_bytes(), |temp| new_file().open(temp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::history::DestinationOutcome;
    use chrono::FixedOffset;

    fn entry(profile: &str, outcome: RotationOutcome, rollout: Option<Rollout>, delivered_to: Option<&str>) -> HistoryEntry {
        HistoryEntry {
            time: "2026-11-29T19:29:05Z".parse().unwrap(),
            profile: profile.into(),
            email: "ana@loja.example".into(),
            old_prefix: "sk_live_ab12cd34...".into(),
            new_prefix: Some("sk_live_ef56gh78...".into()),
            outcome,
            rollout,
            deliveries: delivered_to.map(|name| DestinationOutcome { name: name.into(), delivered: true }).into_iter().collect(),
        }
    }

    #[test]
    fn each_language_writes_its_own_separator_dates_and_words() {
        let sao_paulo = FixedOffset::west_opt(3 * 3600).unwrap();
        let rows = [
            entry("Produção; São Paulo", RotationOutcome::Rotated, Some(Rollout::InUseAfter { seconds: 42 }), None),
            entry("=HYPERLINK(\"x\")", RotationOutcome::NotRotated, None, None),
        ];
        let pt = rotation_csv(&rows, "pt-BR", &sao_paulo);
        assert!(pt.starts_with('\u{feff}'), "a BOM for Excel");
        let lines: Vec<&str> = pt.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Perfil;E-mail;Quando;Fuso (UTC);Chave antiga;Chave nova;Resultado;Chave nova foi para;Entrega falhou para;Interrupção (s)"
        );
        assert_eq!(
            lines[1],
            "\"Produção; São Paulo\";ana@loja.example;29/11/2026 16:29:05;-03:00;sk_live_ab12cd34...;sk_live_ef56gh78...;Trocada;Área de transferência;;42"
        );
        assert!(lines[2].starts_with("\"'=HYPERLINK(\"\"x\"\")\";"), "a formula is text: {}", lines[2]);
        let en = rotation_csv(&rows[..1], "en", &sao_paulo);
        // Either language's separator is quoted in both: this file may be opened by the other's.
        assert!(en.contains("\r\n\"Produção; São Paulo\",ana@loja.example,11/29/2026 16:29:05,-03:00,"), "{en}");
        assert!(en.trim_end().ends_with(",Rotated,Clipboard,,42"), "{en}");
    }

    #[test]
    fn each_destinations_outcome_has_its_column_in_both_languages() {
        let utc = Utc;
        let mut row = entry("Loja", RotationOutcome::Rotated, None, None);
        row.deliveries = [("Servidor 1", true), ("Servidor 2", false), ("Vault", true)]
            .map(|(name, delivered)| DestinationOutcome { name: name.into(), delivered })
            .to_vec();
        let en = rotation_csv(std::slice::from_ref(&row), "en", &utc);
        assert!(en.contains(",Rotated,\"Servidor 1, Vault, Clipboard\",Servidor 2,\r\n"), "{en}");
        let pt = rotation_csv(std::slice::from_ref(&row), "pt-BR", &utc);
        assert!(pt.contains(";Trocada;\"Servidor 1, Vault, Área de transferência\";Servidor 2;\r\n"), "{pt}");
        // All delivered: the clipboard had no part in it.
        row.deliveries[1].delivered = true;
        let en = rotation_csv(std::slice::from_ref(&row), "en", &utc);
        assert!(en.contains(",Rotated,\"Servidor 1, Servidor 2, Vault\",,\r\n"), "{en}");
    }

    #[test]
    fn a_server_field_with_either_separator_is_one_quoted_field_in_both_languages() {
        let utc = Utc;
        let mut row = entry("Loja", RotationOutcome::Rotated, None, None);
        // A prefix as a hostile server might send it: a Portuguese Excel opening the English
        // file would split it at `;` into a live formula.
        row.new_prefix = Some("sk_live_ab;=1+1".into());
        row.old_prefix = "sk_live_cd,=2+2".into();
        for language in ["en", "pt-BR"] {
            let csv = rotation_csv(std::slice::from_ref(&row), language, &utc);
            assert!(csv.contains("\"sk_live_ab;=1+1\""), "{language}: {csv}");
            assert!(csv.contains("\"sk_live_cd,=2+2\""), "{language}: {csv}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_export_never_follows_a_link_planted_for_its_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "the user's own file").unwrap();
        // Links under every name a temporary file of this process could have had, as someone
        // sharing the folder would plant them.
        for write in 0..2000 {
            let planted = dir.path().join(format!(".rotations.csv.{}.{write}.tmp", std::process::id()));
            std::os::unix::fs::symlink(&victim, planted).unwrap();
        }
        write_export(&dir.path().join("rotations.csv"), "a,b\r\n").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's own file");
        assert_eq!(std::fs::read_to_string(dir.path().join("rotations.csv")).unwrap(), "a,b\r\n");
    }

    #[test]
    fn the_page_has_a_title_the_period_the_profiles_and_escaped_rows() {
        let utc = Utc;
        let rows = [entry("<b>Loja</b>", RotationOutcome::Rotated, Some(Rollout::NotSeenWithin { minutes: 30 }), Some("Servidor"))];
        let page = rotation_page(&rows, "en", &utc, Utc::now());
        assert!(page.contains("<h1>CertoPay Keys: API key rotations</h1>"));
        assert!(page.contains("11/29/20"), "{page}");
        assert!(page.contains("&lt;b&gt;Loja&lt;/b&gt;") && !page.contains("<b>Loja"));
        assert!(page.contains("<td>not seen in use within 30 min</td>") && page.contains("<td>Servidor</td>"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn an_export_is_written_whole_beside_the_users_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rotations.csv");
        write_export(&path, "a,b\r\n").unwrap();
        write_export(&path, "c,d\r\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c,d\r\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        assert!(write_export(&dir.path().join("missing/x.csv"), "x").is_err());
    }
}
