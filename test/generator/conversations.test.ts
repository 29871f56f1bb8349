import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populationSize } from '#generator/population.ts';
import { type ReadRecord, readStrict } from './strict-reader.ts';
import { generateTemp, readData, removeTempSeizures } from './temp-seizure.ts';

afterAll(removeTempSeizures);

const MESSAGES = 30_000;
let records: ReadRecord[];

beforeAll(async () => {
  const result = await generateTemp({ platform: 'skyecc', messages: MESSAGES, seed: 'talk' });
  const all = result.files.flatMap((f) => readStrict(readData(result.out, f.path), 'skyecc').valid);
  const seen = new Set<string>();
  records = all.filter((r) => !seen.has(r.id) && seen.add(r.id));
});

const conversationOf = (r: ReadRecord) =>
  (r.fields.group as string | null) ?? [r.fields.from, ...(r.fields.to as string[])].sort().join('+');

describe('who talks to whom', () => {
  it('scales the number of handles with the dump: about one per 200 messages, 50 to 20,000', () => {
    expect(populationSize(1_000)).toBe(50);
    expect(populationSize(1_000_000)).toBe(5_000);
    expect(populationSize(100_000_000)).toBe(20_000);
    const handles = new Set(records.flatMap((r) => [r.fields.from, ...(r.fields.to as string[])]));
    expect(handles.size).toBeGreaterThan(populationSize(MESSAGES) * 0.9);
    expect(handles.size).toBeLessThanOrEqual(populationSize(MESSAGES));
  });

  it('gives every handle one device', () => {
    const devices = new Map<unknown, Set<unknown>>();
    for (const r of records)
      devices.set(r.fields.from, (devices.get(r.fields.from) ?? new Set()).add(r.fields.from_imei));
    expect([...devices.values()].every((d) => d.size === 1)).toBe(true);
    expect(new Set([...devices.values()].map((d) => [...d][0])).size).toBe(devices.size);
  });

  it('has one-to-one chats and group chats of 3 to 12 members', () => {
    const groups = records.filter((r) => r.fields.group !== null);
    expect(groups.length / records.length).toBeGreaterThan(0.15);
    expect(groups.length / records.length).toBeLessThan(0.5);
    for (const r of groups) {
      const members = (r.fields.to as string[]).length + 1;
      expect(members).toBeGreaterThanOrEqual(3);
      expect(members).toBeLessThanOrEqual(12);
    }
  });

  it('takes turns: the next message in a one-to-one chat mostly comes from the other side, soon after', () => {
    const last = new Map<string, ReadRecord>();
    let replies = 0;
    let followUps = 0;
    const gaps: number[] = [];
    for (const r of records) {
      if (r.fields.group !== null) continue;
      const key = conversationOf(r);
      const previous = last.get(key);
      if (previous) {
        if (previous.fields.from === r.fields.from) followUps++;
        else replies++;
        gaps.push(
          Date.parse(String(r.fields.sent).replace(' ', 'T')) -
            Date.parse(String(previous.fields.sent).replace(' ', 'T')),
        );
      }
      last.set(key, r);
    }
    expect(replies / (replies + followUps)).toBeGreaterThan(0.7);
    gaps.sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)] as number;
    expect(median).toBeGreaterThan(5_000);
    expect(median).toBeLessThan(30 * 60_000);
  });

  it('writes each user mostly in one language', () => {
    const marker: [string, RegExp][] = [
      ['nl', /\b(mattie|ff|spullen|koerier|morgen|geen|niet|bel)\b/],
      ['fr', /\b(wesh|frérot|matos|demain|ça|c'est|t'es)\b/],
      ['es', /(tío|mercancía|mañana|vale|¿)/],
      ['en', /\b(bro|package|tomorrow|the|you)\b/],
    ];
    const byUser = new Map<unknown, Map<string, number>>();
    for (const r of records) {
      const found = marker.find(([, re]) => re.test(String(r.fields.text)));
      if (!found) continue;
      const counts = byUser.get(r.fields.from) ?? new Map<string, number>();
      counts.set(found[0], (counts.get(found[0]) ?? 0) + 1);
      byUser.set(r.fields.from, counts);
    }
    const dominance = [...byUser.values()]
      .filter((c) => [...c.values()].reduce((a, b) => a + b, 0) >= 20)
      .map((c) => Math.max(...c.values()) / [...c.values()].reduce((a, b) => a + b, 0));
    expect(dominance.length).toBeGreaterThan(20);
    const mostlyOne = dominance.filter((d) => d > 0.7).length;
    expect(mostlyOne / dominance.length).toBeGreaterThan(0.8);
  });
});

describe('when', () => {
  it('spans about six months from 1 March 2020, in time order', () => {
    const sent = records.map((r) => String(r.fields.sent));
    expect(sent[0]?.startsWith('2020-03-01')).toBe(true);
    expect((sent.at(-1) as string) > '2020-08-15').toBe(true);
    expect((sent.at(-1) as string) < '2020-09-15').toBe(true);
    expect([...sent].sort()).toEqual(sent);
  });

  it('follows a day and night rhythm', () => {
    const byHour = new Array(24).fill(0);
    for (const r of records) byHour[Number(String(r.fields.sent).slice(11, 13))]++;
    const night = byHour[3] + byHour[4] + byHour[5];
    const evening = byHour[19] + byHour[20] + byHour[21];
    expect(evening).toBeGreaterThan(night * 4);
  });
});
