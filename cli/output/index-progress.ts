import cliProgress from 'cli-progress';

export interface IndexProgress {
  update(values: { read: number; indexed: number; failed: number }): void;
  stop(): void;
}

/** A progress line on stderr while messages are indexed (messages, per second); nothing off a terminal. */
export function indexProgress(total: number, stream: NodeJS.WriteStream = process.stderr): IndexProgress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' index     |{bar}| {percentage}% | {indexed} indexed | {failed} refused | {rate} messages/s',
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { indexed: 0, failed: 0, rate: 0 });
  return {
    update({ read, indexed, failed }) {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(Math.min(read, Math.max(total, 1)), {
        indexed: indexed.toLocaleString('en'),
        failed: failed.toLocaleString('en'),
        rate: Math.round(indexed / seconds).toLocaleString('en'),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
