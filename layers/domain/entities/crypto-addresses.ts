import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { base58xmr, bech32, bech32m, createBase58check } from '@scure/base';
import type { Findings } from './findings.ts';

const base58check = createBase58check(sha256);
const B58 = '1-9A-HJ-NP-Za-km-z';

/**
 * Candidates of every supported currency in one pass; each is then checked the way its wallet software checks
 * it, so a string that merely looks like an address (a hash, a random token) does not pass:
 * - Bitcoin: Bech32/Bech32m (bc1…, SegWit v0 and Taproot) or Base58Check (1…, 3…) with its 4-byte checksum;
 * - Ethereum: 0x and 40 hex digits; in mixed case the EIP-55 checksum must hold (all one case carries none);
 * - Monero: 95 (or, integrated, 106) Base58 characters with the Keccak checksum and a main-net prefix;
 * - Tron (USDT on TRC-20, common in laundering): T… Base58Check with the 0x41 prefix.
 */
const CANDIDATE = new RegExp(
  `(?<![\\w])(?:(?<bech>bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87})|(?<eth>0x[0-9a-fA-F]{40})|(?<b58>[13T48][${B58}]{25,105}))(?![\\w])`,
  'g',
);

export function findCryptoAddresses(text: string, found: Findings): void {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const raw = m[0];
    const g = m.groups as { bech?: string; eth?: string; b58?: string };
    let kind: 'bitcoin' | 'ethereum' | 'monero' | 'tron' | undefined;
    let value = raw;
    if (g.bech) {
      if (isSegwitAddress(raw.toLowerCase())) {
        kind = 'bitcoin';
        value = raw.toLowerCase();
      }
    } else if (g.eth) {
      if (isEthereumAddress(raw)) {
        kind = 'ethereum';
        value = raw.toLowerCase();
      }
    } else {
      kind = base58Kind(raw);
    }
    if (kind) found.add(kind, value, text, m.index, m.index + raw.length);
  }
}

/** A main-net SegWit address: witness v0 with Bech32 and a 20- or 32-byte program, v1+ with Bech32m. */
export function isSegwitAddress(address: string): boolean {
  if (address.length > 90) return false;
  for (const coder of [bech32, bech32m]) {
    const decoded = coder.decodeUnsafe(address, 90);
    if (decoded?.prefix !== 'bc' || decoded.words.length < 1) continue;
    const version = decoded.words[0] as number;
    if ((version === 0) !== (coder === bech32) || version > 16) return false;
    const program = coder.fromWordsUnsafe(decoded.words.slice(1));
    if (!program) return false;
    if (version === 0) return program.length === 20 || program.length === 32;
    return program.length >= 2 && program.length <= 40;
  }
  return false;
}

/** 0x + 40 hex; mixed case must carry a valid EIP-55 checksum. */
export function isEthereumAddress(address: string): boolean {
  const hex = address.slice(2);
  const lower = hex.toLowerCase();
  if (hex === lower || hex === hex.toUpperCase()) return true;
  const hash = keccak_256(new TextEncoder().encode(lower));
  for (let i = 0; i < 40; i++) {
    const c = hex.charCodeAt(i);
    if (c < 65) continue; // a digit carries no case
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    const upper = c <= 70;
    if (upper !== nibble >= 8) return false;
  }
  return true;
}

const MONERO_PREFIXES = new Set([18, 19, 42]); // standard, integrated, subaddress (main net)

function base58Kind(raw: string): 'bitcoin' | 'monero' | 'tron' | undefined {
  const first = raw[0];
  if ((first === '4' || first === '8') && (raw.length === 95 || raw.length === 106))
    return isMoneroAddress(raw) ? 'monero' : undefined;
  if (raw.length < 26 || raw.length > 35) return undefined;
  let payload: Uint8Array;
  try {
    payload = base58check.decode(raw);
  } catch {
    return undefined;
  }
  if (payload.length !== 21) return undefined;
  const version = payload[0];
  if (first === 'T') return version === 0x41 ? 'tron' : undefined;
  if (first === '1') return version === 0x00 ? 'bitcoin' : undefined;
  if (first === '3') return version === 0x05 ? 'bitcoin' : undefined;
  return undefined;
}

export function isMoneroAddress(raw: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = base58xmr.decode(raw);
  } catch {
    return false;
  }
  if (bytes.length !== 69 && bytes.length !== 77) return false;
  if (!MONERO_PREFIXES.has(bytes[0] as number)) return false;
  if ((bytes[0] === 19) !== (bytes.length === 77)) return false;
  const body = bytes.subarray(0, bytes.length - 4);
  const check = keccak_256(body);
  for (let i = 0; i < 4; i++) if (check[i] !== bytes[body.length + i]) return false;
  return true;
}
