import { describe, expect, it } from 'vitest';
import { entitiesIn } from './entity-harness.ts';

// Synthetic addresses with valid checksums (made from fixed bytes, owned by no one), and BIP 173's test vector.
const xmr = '42ofBEPuJqaSCYYMYncAMS63q32mnbcfnUtNcGKTGZmn8jf6wYTGMa4XaCgB66TKPiBRVArK7w6ULaG2k5kDbE9i9sFXDej';
const xmrSubaddress =
  '84pCuSxNMqVXQToBR439ThBFkHre5WvYKa6Hs65BB4DhDwaMmQkBfSbcn7vVxfmJbMGdQRgBQrQLsfTunvrrc8LjDNsyTUt';

describe('crypto addresses', () => {
  it.each([
    ['bitcoin', 'bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4pg', 'bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4pg'],
    ['bitcoin', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
    [
      'bitcoin',
      'bc1pm840krqa9cl4qctjsw22tdk8mr5l5zcu95ly7cr3s2f6fdwx6l5q822den',
      'bc1pm840krqa9cl4qctjsw22tdk8mr5l5zcu95ly7cr3s2f6fdwx6l5q822den',
    ],
    ['bitcoin', '19X2DQ1gft8TbigtCvV1fRrxnTY4pvVZf3', '19X2DQ1gft8TbigtCvV1fRrxnTY4pvVZf3'],
    ['bitcoin', '3D3bNFZ8tTFK9uxHJse4mM8GLdDzRRPyZZ', '3D3bNFZ8tTFK9uxHJse4mM8GLdDzRRPyZZ'],
    ['ethereum', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae'],
    ['ethereum', '0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae'],
    ['ethereum', '0xDE0B295669A9FD93D5F28D9EC85E40F4CB697BAE', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae'],
    ['monero', xmr, xmr],
    ['monero', xmrSubaddress, xmrSubaddress],
    ['tron', 'TQALg5VS9mC7Mru75fkj75Ruob54cdnmG7', 'TQALg5VS9mC7Mru75fkj75Ruob54cdnmG7'],
  ])('finds a %s address: %s', (kind, raw, value) => {
    expect(entitiesIn(`stuur naar ${raw}, thx`)).toEqual([[kind, value, raw]]);
  });

  it.each([
    ['a Bech32 address with one character changed', 'bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4ph'],
    [
      'a Taproot address with a Bech32 (not Bech32m) checksum',
      'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx',
    ],
    ['a test-net address', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx'],
    ['a Base58 address with a bad checksum', '19X2DQ1gft8TbigtCvV1fRrxnTY4pvVZf4'],
    [
      'an Ethereum address in mixed case with a bad EIP-55 checksum',
      '0xdE0B295669a9FD93d5F28D9Ec85E40f4cb697BAe',
    ],
    ['a 32-byte hex hash (a transaction id)', `0x${'9f'.repeat(32)}`],
    ['a 40-hex SHA-1 without 0x', 'de0b295669a9fd93d5f28d9ec85e40f4cb697bae'],
    ['41 hex digits', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae1'],
    ['a Monero address with a bad checksum', `${xmr.slice(0, -1)}A`],
    ['a Tron address with a bad checksum', 'TQALg5VS9mC7Mru75fkj75Ruob54cdnmG8'],
    ['a long word made of Base58 letters', 'Thequickbrownfoxjumpsverycarefully'],
  ])('rejects %s', (_, raw) => {
    expect(entitiesIn(`stuur naar ${raw} ok`)).toEqual([]);
  });
});
