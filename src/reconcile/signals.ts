// SIGTERM/SIGINT (pod eviction, Airflow task kill): outside a write, stop at once; during apply,
// finish the write in flight, write nothing more, report, exit 5.
import { ExitCode } from '../errors.js';

export interface StopSignal {
  requested(): boolean;
  /** While true, a signal only asks the applier to stop after the write in flight. */
  setApplying(applying: boolean): void;
  dispose(): void;
}

export function watchSignals(
  onImmediateStop: (signal: string) => void,
  onStopAfterWrite: (signal: string) => void,
): StopSignal {
  let requested = false;
  let applying = false;
  const handler = (signal: NodeJS.Signals) => {
    if (applying && !requested) {
      requested = true;
      onStopAfterWrite(signal);
      return;
    }
    onImmediateStop(signal);
    process.exit(ExitCode.ApplyIncomplete);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    requested: () => requested,
    setApplying: (value) => {
      applying = value;
    },
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
