/** Synthetic exports in the shapes WhatsApp writes them (Android and iOS, several locales). */
export const androidUs = [
  '12/31/19, 11:58 PM - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.',
  '12/31/19, 11:59 PM - Alice: Happy new year 🎉',
  '12/31/19, 11:59 PM - Alice: Happy new year 🎉',
  '1/1/20, 12:00 AM - Bob: Thanks!',
  'Multiple lines',
  '',
  'with a blank line',
  '1/1/20, 12:01 AM - Bob: IMG-20200101-WA0001.jpg (file attached)',
  'look at this',
  '1/1/20, 12:02 AM - Alice: <Media omitted>',
  '1/13/20, 9:05 AM - Alice: location: https://maps.google.com/?q=52.370216,4.895168',
  '1/13/20, 9:06 PM - Alice changed the subject from "a: b" to "c"',
].join('\n');

export const iosGerman = [
  '[31.12.19, 23:59:59] Alice: \u200eNachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.',
  '[01.01.20, 00:00:05] Alice: \u200e<attached: 00000012-PHOTO-2020-01-01-00-00-05.jpg>',
  '[01.01.20, 00:01:00] \u200e+49 151 23456789: مرحبا يا أصدقاء',
  '[01.01.20, 00:02:00] ~\u202fCarol: Zeile 1',
  'Zeile 2',
  '[13.01.20, 14:15:16] Alice: \u200eimage omitted',
].join('\r\n');
