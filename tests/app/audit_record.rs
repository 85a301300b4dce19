//! The rotation record an auditor asks for, with no window: the history exported as CSV and
//! read back by Python's csv module in both languages (Excel's separators, a BOM, accents
//! intact, one row per rotation, never a secret), and as a page to print.

use crate::support;

use std::process::Command;

use certopay_keys::wire::ExportKind;
use certopay_sandbox::Options;
use serde_json::{json, Value};
use support::app::LIVE;
use support::harness::harness;

/// The CSV file as Python's csv module reads it (UTF-8 with its BOM, this separator): its rows.
fn python_reads(path: &std::path::Path, separator: &str) -> Vec<Vec<String>> {
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n\
                  \x20   print(json.dumps(list(csv.reader(f, delimiter=sys.argv[2]))))";
    let output = Command::new("python3").args(["-c", script]).arg(path).arg(separator).output().expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_csv_reads_back_in_both_languages_with_accents_one_row_per_rotation_and_no_secret() {
    let h = harness(Options::default()).await;
    // A name with accents and the Portuguese separator in it.
    let saved: Value = json!({"id": h.profile_id, "name": "Loja São João; Centro", "baseUrl": h.sb.url()});
    h.state.save_profile(serde_json::from_value(saved).unwrap()).unwrap();
    h.log_in(LIVE).await;
    let mut secrets = Vec::new();
    let mut prefixes = Vec::new();
    for _ in 0..2 {
        let result = h.rotate().await.unwrap();
        secrets.push(h.clipboard.text().unwrap());
        prefixes.push(result.new_prefix.unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "pt-BR",
            ";",
            [
                "Perfil",
                "E-mail",
                "Quando",
                "Fuso (UTC)",
                "Chave antiga",
                "Chave nova",
                "Resultado",
                "Chave nova foi para",
                "Entrega falhou para",
                "Interrupção (s)",
            ],
            "Trocada",
            "Área de transferência",
        ),
        (
            "en",
            ",",
            [
                "Profile",
                "E-mail",
                "When",
                "UTC offset",
                "Old key",
                "New key",
                "Outcome",
                "New key went to",
                "Delivery failed for",
                "Outage (s)",
            ],
            "Rotated",
            "Clipboard",
        ),
    ];
    for (language, separator, header, rotated, clipboard) in cases {
        let path = dir.path().join(format!("rotações-{language}.csv"));
        let done = h.state.export_rotation_history(&path, ExportKind::Csv, language).unwrap();
        assert_eq!(done.rows, 2, "{language}");
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{language}: a BOM, for Excel");
        let text = String::from_utf8(bytes).unwrap();
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{language}: a secret is in the export");
        }
        let rows = python_reads(&path, separator);
        assert_eq!(rows[0], header, "{language}");
        assert_eq!(rows.len(), 3, "{language}: one row per rotation: {rows:?}");
        for (row, new_prefix) in rows[1..].iter().zip(&prefixes) {
            assert_eq!(row[0], "Loja São João; Centro", "{language}: accents and the separator intact");
            assert_eq!(row[1], LIVE);
            assert_eq!(row[5], *new_prefix, "{language}: oldest first");
            assert_eq!((row[6].as_str(), row[7].as_str()), (rotated, clipboard), "{language}");
            let offset = &row[3];
            assert!(offset.len() == 6 && (offset.starts_with('+') || offset.starts_with('-')), "{language}: {offset}");
        }
        // The date as the language writes it: day first in Portuguese, month first in English.
        let today = chrono::Local::now();
        let written = if language == "pt-BR" { today.format("%d/%m/%Y") } else { today.format("%m/%d/%Y") }.to_string();
        assert!(rows[1][2].starts_with(&written), "{language}: {}", rows[1][2]);
        assert_eq!(rows[2][4], rows[1][5], "{language}: the second rotation's old key is the first's new one");
    }

    let page = dir.path().join("rotations.html");
    h.state.export_rotation_history(&page, ExportKind::Page, "pt-BR").unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<h1>CertoPay Keys: trocas de chave de API</h1>") && html.contains("Loja São João; Centro"));
    assert_eq!(html.matches("<tr><td>").count(), 2, "one row per rotation");
    assert!(secrets.iter().all(|s| !html.contains(s.as_str())));

    // A place that cannot be written: the sentence names it, and nothing is left behind.
    let nowhere = dir.path().join("missing-folder/rotations.csv");
    let refused = h.state.export_rotation_history(&nowhere, ExportKind::Csv, "en").unwrap_err();
    assert!(matches!(refused, certopay_keys::rules::app_error::AppError::ExportFailed { .. }), "{refused:?}");
}
