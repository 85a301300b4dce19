// Says each error on standard input (a JSON array, as Rust sends errors to the window) the way
// the window says it, with the window's errors.js (its folder is the first argument, marked as
// ES modules), in English and then in Portuguese, and prints the ones that came out as a
// fallback (a catalogue lacks the sentence) as a JSON array. Run by tests/core/error_sentences.rs.

import { pathToFileURL } from 'node:url';

// i18n.js marks the page's language: the only part of the page it touches.
globalThis.document = { documentElement: {} };
const ui = pathToFileURL(`${process.argv[2]}/`);
const { en } = await import(new URL('catalogues/en.js', ui));
const { setLanguage, t } = await import(new URL('i18n.js', ui));
const { errorText } = await import(new URL('errors.js', ui));

let input = '';
for await (const chunk of process.stdin) input += chunk;
const errors = JSON.parse(input);

// Portuguese falls back to English where it lacks a sentence: with every English sentence
// replaced by this mark, such a fallback shows.
const FROM_ENGLISH = '\u0000from English';
const fallbacks = [];
for (const language of ['en', 'pt-BR']) {
  await setLanguage(language);
  if (language !== 'en') for (const key of Object.keys(en)) en[key] = FROM_ENGLISH;
  for (const error of errors) {
    const text = errorText(error);
    const fallback =
      text.includes(FROM_ENGLISH) ||
      /^[a-zA-Z]+(\.[a-zA-Z]+)+$/.test(text) ||
      text === t('error.unknown', { message: error.message || error.kind }) ||
      text === t('invalid.other', { field: error.field });
    if (fallback) fallbacks.push(`${language}: ${JSON.stringify(error)} is said as ${JSON.stringify(text)}`);
  }
}
console.log(JSON.stringify(fallbacks));
