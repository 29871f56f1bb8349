import * as openpgp from 'openpgp';

/**
 * Synthetic mail written to RFC 5322 (folded headers), RFC 2045-2049 (multipart, base64, quoted-printable,
 * charsets), RFC 2047 (encoded words), RFC 2231 (parameter values), RFC 4155 (mbox) and RFC 3156 (PGP/MIME).
 * Keys are generated at test time; people and domains are made up.
 */
export const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

export interface TestKeys {
  alice: { privateKey: string; publicKey: string; passphrase: string };
  other: { privateKey: string; publicKey: string };
}

export async function generateTestKeys(): Promise<TestKeys> {
  const passphrase = 'synthetic-test-passphrase-7f3a';
  const alice = await openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'Alice Test', email: 'alice@pgp.example' }],
    passphrase,
    format: 'armored',
  });
  const other = await openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'Other Test', email: 'other@pgp.example' }],
    format: 'armored',
  });
  return {
    alice: { privateKey: alice.privateKey, publicKey: alice.publicKey, passphrase },
    other: { privateKey: other.privateKey, publicKey: other.publicKey },
  };
}

export async function encryptTo(
  publicKey: string,
  text: string,
  options: { compress?: boolean; binary?: Uint8Array } = {},
): Promise<string> {
  const key = await openpgp.readKey({ armoredKey: publicKey });
  const message = options.binary
    ? await openpgp.createMessage({ binary: options.binary })
    : await openpgp.createMessage({ text });
  return openpgp.encrypt({
    message,
    encryptionKeys: key,
    config: options.compress ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib } : undefined,
  }) as Promise<string>;
}

/** A plain message: folded headers, encoded words, quoted-printable Latin-1 body. */
export const plainLatin1 = crlf(`Return-Path: <bob@mail.example>
Received: from relay.mail.example (relay.mail.example [192.0.2.7])
\tby mx.mail.example with ESMTP id 4A2B; Tue, 03 Mar 2020 10:15:07 +0100
From: =?ISO-8859-1?Q?Bj=F6rn_B=F8b?= <Bob@Mail.Example>
To: "Carol, C." <carol@mail.example>,
 dave@mail.example
Cc: undisclosed-recipients:;
Subject: =?UTF-8?B?${Buffer.from('Levering 🚚').toString('base64')}?=
 =?UTF-8?Q?_morgen?=
Date: Tue, 3 Mar 2020 10:15:00 +0100 (CET)
Message-ID: <plain-1@mail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 om drie uur, neem =80 500 mee.
>From nu af aan bellen we niet meer.
From the harbour we go by boat.
`);

/** multipart/mixed: UTF-8 base64 text (RTL and emoji) and a PDF attachment named with RFC 2231. */
export const pdfBytes = Buffer.from(
  '%PDF-1.4\n% synthetic test document\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n',
);
export const multipart = crlf(`From: Carol <carol@mail.example>
To: bob@mail.example
Date: Wed, 4 Mar 2020 08:00:00 -0500
Message-ID: <multi-2@mail.example>
In-Reply-To: <plain-1@mail.example>
Subject: Re: Levering
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==b1=="

This is a multi-part message in MIME format.
--==b1==
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

${Buffer.from('مرحبا — שלום — ok 👍\nTweede regel.\n').toString('base64')}
--==b1==
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''factuur%20%E2%82%AC.pdf
Content-Transfer-Encoding: base64

${pdfBytes.toString('base64')}
--==b1==--
`);

/** HTML only, no Date (the mbox envelope date is used), no Message-ID. */
export const htmlOnly = crlf(`From: dave@mail.example
To: bob@mail.example
Subject: html
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style></head><body><p>Hallo&nbsp;Bob &amp; co</p><p>Regel&#233; 2</p></body></html>
`);

export const noSender = crlf(`To: bob@mail.example
Date: Thu, 5 Mar 2020 09:00:00 +0000
Subject: anonymous

who am I
`);

/** RFC 3156 PGP/MIME: the encrypted part is a MIME entity with its own text and attachment. */
export function pgpMime(armored: string, id: string, from = 'bob@mail.example', to = 'alice@pgp.example') {
  return crlf(`From: ${from}
To: ${to}
Date: Fri, 6 Mar 2020 12:00:00 +0000
Subject: ...
Message-ID: <${id}@mail.example>
MIME-Version: 1.0
Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";
 boundary="enc-boundary"

This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)
--enc-boundary
Content-Type: application/pgp-encrypted
Content-Description: PGP/MIME version identification

Version: 1

--enc-boundary
Content-Type: application/octet-stream; name="encrypted.asc"
Content-Description: OpenPGP encrypted message
Content-Disposition: inline; filename="encrypted.asc"

${armored.trim()}

--enc-boundary--
`);
}

export const secretPhoto = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9,
]);
export const pgpMimeInner = crlf(`Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Geheim: de sleutel ligt onder de mat. =F0=9F=94=91
--inner
Content-Type: image/jpeg; name="mat.jpg"
Content-Disposition: attachment; filename="mat.jpg"
Content-Transfer-Encoding: base64

${secretPhoto.toString('base64')}
--inner--
`);

/** Inline PGP: an armored block in a text/plain body, between clear lines. */
export function inlinePgp(armored: string, id: string) {
  return crlf(`From: bob@mail.example
To: alice@pgp.example
Date: Sat, 07 Mar 20 23:59:59 GMT
Subject: inline
Message-ID: <${id}@mail.example>
Content-Type: text/plain; charset=us-ascii

voor:
${armored.trim()}
na.
`);
}

/** An mbox (RFC 4155, mboxrd quoting) of the given messages with their envelope lines. */
export function mbox(messages: { envelope: string; text: string }[]): string {
  return messages
    .map(({ envelope, text }) => {
      const quoted = text.replace(/(^|\n)(>*From )/g, '$1>$2');
      return `From ${envelope}\n${quoted.replace(/\r\n/g, '\n')}\n`;
    })
    .join('\n');
}

/**
 * A ciphertext damaged where only the integrity check can tell: one character of its last base64 line
 * (inside the encrypted data, after the key packets) changed, and the optional armor checksum dropped.
 */
export function damage(armored: string): string {
  const lines = armored.trim().split('\n');
  const end = lines.findIndex((l) => l.startsWith('-----END'));
  const body = lines.slice(0, end).filter((l) => !l.startsWith('='));
  const last = body.length - 1;
  const line = body[last] as string;
  const at = Math.min(10, line.replace(/=+$/, '').length - 2);
  body[last] = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
  return [...body, ...lines.slice(end)].join('\n');
}
