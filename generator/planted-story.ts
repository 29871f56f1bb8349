import type { PlantedMessage, PlantedParty } from './plant.ts';

/**
 * A small story planted into a Sky ECC-style and an EncroChat-style seizure (the demo's, and the tests'), so
 * that what the lake must reveal is known: three handles on Sky ECC and three on EncroChat talking in pairs;
 * a phone number written on both platforms in two notations (+31 6 2000 0001 and 0031 6 2000 0001); an IBAN
 * mentioned by two Sky ECC handles; one EncroChat handset used under two handles; and among the real
 * entities, look-alikes that must not be taken for any (an order number, an IMEI, a version, an IBAN with a
 * bad check digit, dates, a transaction hash, a SHA-1, a mention). All of it synthetic: the IBAN is the
 * standard example account, the addresses are made from fixed bytes, the numbers are in unassigned ranges.
 */
const kx7rt2: PlantedParty = { handle: 'KX7RT2', device: '356000000000011' };
const qm4zl9: PlantedParty = { handle: 'QM4ZL9', device: '356000000000029' };
const vb2wd8: PlantedParty = { handle: 'VB2WD8', device: '356000000000037' };

const falcon: PlantedParty = { handle: 'planted-falcon', device: '351111111111116' };
const viper: PlantedParty = { handle: 'planted-viper', device: '351111111111124' };
/** The same handset as viper, under a new handle. */
const cobra: PlantedParty = { handle: 'planted-cobra', device: '351111111111124' };

export const plantedStory: { skyecc: readonly PlantedMessage[]; encrochat: readonly PlantedMessage[] } = {
  skyecc: [
    {
      at: '2020-04-01T10:00:00Z',
      from: kx7rt2,
      to: [qm4zl9],
      body: 'new number for the boss: +31 6 2000 0001, only call after ten',
    },
    {
      at: '2020-04-01T10:05:00Z',
      from: qm4zl9,
      to: [kx7rt2],
      body: 'ok. the money goes to NL91 ABNA 0417 1643 00, not the old account',
    },
    {
      at: '2020-04-01T10:20:00Z',
      from: kx7rt2,
      to: [qm4zl9],
      body: 'order 123456789 is late, the phone with imei 356938035643809 is dead, update to version 2.10.1 and never use NL91 ABNA 0417 1643 01 again',
    },
    {
      at: '2020-04-02T08:00:00Z',
      from: vb2wd8,
      to: [qm4zl9],
      body: 'pay the rest into NL91ABNA0417164300 today and meet me at 51.9244, 4.4777',
    },
    { at: '2020-04-02T08:01:00Z', from: qm4zl9, to: [vb2wd8], body: 'ok' },
    {
      at: '2020-04-03T09:00:00Z',
      from: vb2wd8,
      to: [qm4zl9],
      body: 'the coins go to bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4pg as agreed',
    },
  ],
  encrochat: [
    {
      at: '2020-04-05T12:00:00Z',
      from: falcon,
      to: [viper],
      body: 'the boss has a new line 0031 6 2000 0001, write to falcon.planted@example.org',
    },
    {
      at: '2020-04-05T12:30:00Z',
      from: viper,
      to: [falcon],
      body: `meet at 52°22'12.8"N 4°53'42.6"E, the car is GB-123-X, pay 0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe`,
    },
    {
      at: '2020-04-08T09:00:00Z',
      from: cobra,
      to: [falcon],
      body: `new handle, same phone. dates 12.05.2020, 14.30; tx 0x${'ab'.repeat(32)} and sha de0b295669a9fd93d5f28d9ec85e40f4cb697bae are no addresses, ask @falcon`,
    },
    { at: '2020-04-08T09:10:00Z', from: cobra, to: [falcon], body: 'still here' },
  ],
};
