//! What Windows shows while a shutdown waits for the app (its shutdown block reason): the key
//! rotation under way, in the app's language.

pub fn shutdown_wait_reason(language: &str) -> &'static str {
    crate::rules::rust_words::rust_words(language).shutdown_wait
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_what_the_shutdown_waits_for_in_both_languages() {
        assert_eq!(super::shutdown_wait_reason("en"), "Waiting for the key rotation under way to get its answer");
        assert_eq!(super::shutdown_wait_reason("pt-BR"), "Aguardando a resposta da troca de chave em andamento");
    }
}
