import cliProgress from 'cli-progress';

export interface ProgressLine {
  update(values: { phase: string; records: number; bytes: number; totalBytes: number }): void;
  stop(): void;
}

/**
 * A progress line on stderr for people at a terminal (records, MB/s); nothing at all when stderr is a
 * pipe or a file, so scripts and logs stay clean.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {phase} |{bar}| {percentage}% | {records} records | {mb} MB | {rate} MB/s',
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update({ phase, records, bytes, totalBytes }) {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const payload = {
        phase: phase.padEnd(9),
        records: records.toLocaleString('en'),
        mb: (bytes / 1e6).toFixed(1),
        rate: (bytes / 1e6 / seconds).toFixed(1),
      };
      if (!begun) {
        bar.start(Math.max(totalBytes, 1), bytes, payload);
        begun = true;
      } else {
        bar.setTotal(Math.max(totalBytes, 1));
        bar.update(bytes, payload);
      }
    },
    stop() {
      if (begun) bar.stop();
    },
  };
}
