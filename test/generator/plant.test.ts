import { afterAll, describe, expect, it } from 'vitest';
import type { PlantedMessage } from '#generator/plant.ts';
import { plantedStory } from '#generator/planted-story.ts';
import { generateTemp, readData, removeTempSeizures } from './temp-seizure.ts';

afterAll(removeTempSeizures);

const lines = (text: string) => text.split(/\r?\n/).filter(Boolean);

describe('planted messages', () => {
  it.each(['skyecc', 'encrochat'] as const)(
    '%s: come first, and leave every generated record as it was without them',
    async (platform) => {
      const options = { platform, messages: 2000, seed: 'plant-check', malformedRate: 0.01 };
      const plain = await generateTemp(options);
      const planted = await generateTemp({ ...options, plant: plantedStory[platform] });
      const before = lines(readData(plain.out, plain.files[0]!.path).toString('latin1'));
      const after = lines(readData(planted.out, planted.files[0]!.path).toString('latin1'));
      const header = platform === 'encrochat' ? 1 : 0;
      const plantedRecords = after.length - before.length;
      // EncroChat keeps a one-to-one message on both handsets: two records per planted message.
      expect(plantedRecords).toBe(plantedStory[platform].length * (platform === 'encrochat' ? 2 : 1));
      expect(after.slice(0, header)).toEqual(before.slice(0, header));
      expect(after.slice(header + plantedRecords)).toEqual(before.slice(header));
      expect(after.slice(header, header + plantedRecords).join('\n')).toContain(
        platform === 'skyecc' ? '"from":"KX7RT2"' : 'planted-falcon',
      );
      expect(planted.messages).toBe(plain.messages + plantedStory[platform].length);
    },
  );

  it('refuses a planted message it cannot write', async () => {
    const bad = (m: Partial<PlantedMessage>) =>
      generateTemp({
        platform: 'skyecc',
        messages: 10,
        seed: 1,
        plant: [
          {
            at: '2020-04-01T10:00:00Z',
            from: { handle: 'A', device: '1' },
            to: [{ handle: 'B', device: '2' }],
            body: 'x',
            ...m,
          },
        ],
      });
    await expect(bad({ at: '2020-04-01 10:00' })).rejects.toThrow(
      /"at" must be an ISO 8601 time with a zone/,
    );
    await expect(bad({ to: [] })).rejects.toThrow(/"to" must list recipients/);
    await expect(
      bad({
        to: [
          { handle: 'B', device: '2' },
          { handle: 'C', device: '3' },
        ],
      }),
    ).rejects.toThrow(/several recipients need a group/);
  });
});
