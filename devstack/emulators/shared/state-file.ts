/**
 * An emulator's state kept in one JSON file across restarts: loaded at start, saved at most
 * `delayMs` after the first unsaved change and once more on close. A save writes a temporary file
 * and renames it over the old one, so a crash leaves the previous file or the new one, never half of
 * one. A file that cannot be read, parsed or restored is set aside as `<file>.corrupt-<time>`, said
 * so in the log, and the emulator starts empty: a bad file never stops a start, and never vanishes.
 * A `<file>.running` marker exists while an emulator uses the file. Found at start, it says the last
 * run was killed: its file is restored, but what changed after its last save is gone, and cursors
 * handed out meanwhile may point past it, so the emulator invalidates them (clients read again
 * rather than silently skip the changes that come to reuse those positions).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';

/** What an emulator hands its state file: how to take its state, put it back, and empty it. */
export interface PersistedState<State> {
  /** The shape's version: a file written for another shape is set aside, not misread. */
  version: number;
  /** The whole state as plain JSON values. */
  snapshot(): State;
  /**
   * Replaces the emulator's state with a saved one; throws on one it cannot use. After a run that was
   * killed (`stoppedCleanly` false), invalidates the cursors (sync tokens, delta links) of every calendar.
   */
  restore(state: State, stoppedCleanly: boolean): void;
  /** Empties the emulator again after a restore that failed half-way. */
  reset(): void;
}

interface FileContent<State> {
  version: number;
  state: State;
}

const DEFAULT_DELAY_MS = 250;

export class StateFile<State> {
  private timer: NodeJS.Timeout | undefined;
  /** The text last written (or read back unchanged): a save with nothing new writes nothing. */
  private saved: string | undefined;
  private closed = false;
  private readonly runningMarker: string;

  constructor(
    readonly file: string,
    private readonly state: PersistedState<State>,
    private readonly log: (line: string) => void,
    private readonly delayMs = DEFAULT_DELAY_MS,
  ) {
    this.runningMarker = `${file}.running`;
  }

  /**
   * Restores the saved state, if there is a file; starts empty (and says why) if it is unusable.
   * Then marks the file in use, before anything is served.
   */
  load(): void {
    const stoppedCleanly = !fs.existsSync(this.runningMarker);
    this.restoreFrom(stoppedCleanly);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.runningMarker, `${process.pid}\n`);
    } catch (error) {
      this.log(`cannot write in ${path.dirname(this.file)} (${(error as Error).message}): the state will not be saved`);
    }
  }

  private restoreFrom(stoppedCleanly: boolean): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      return this.setAside(error as Error);
    }
    let content: FileContent<State>;
    try {
      content = JSON.parse(text) as FileContent<State>;
      if (content?.version !== this.state.version) throw new Error(`version ${String(content?.version)}, this emulator reads version ${this.state.version}`);
    } catch (error) {
      return this.setAside(error as Error);
    }
    try {
      this.state.restore(content.state, stoppedCleanly);
    } catch (error) {
      this.state.reset();
      return this.setAside(error as Error);
    }
    this.saved = text;
    if (stoppedCleanly) this.log(`state restored from ${this.file}`);
    else this.log(`state restored from ${this.file}; the last run did not stop cleanly: changes after its last save are lost, and sync cursors start over`);
  }

  /** Something may have changed: save soon. Changes coming faster share one save. */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.delayMs).unref(); // never what keeps a test run or a stopping process alive
  }

  /**
   * Every answered request may have changed the state (the provider's API, OAuth, the control API);
   * reads cost one snapshot per save, which writes nothing when nothing changed. Control calls made
   * in process (tests, the users `npm start` creates) are saved with the next request, or on close.
   */
  readonly afterEachRequest: RequestHandler = (_request, response, next) => {
    response.once('close', () => this.changed()); // answered or cut off: either may follow a change
    next();
  };

  /** The last save; nothing is saved after it. Only a save that succeeds makes the stop a clean one. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.save()) fs.rmSync(this.runningMarker, { force: true });
    this.closed = true;
  }

  /** Whether the file now holds the state. */
  private save(): boolean {
    if (this.closed) return false;
    const content: FileContent<State> = { version: this.state.version, state: this.state.snapshot() };
    const text = JSON.stringify(content);
    if (text === this.saved) return true;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const fd = fs.openSync(temporary, 'w', 0o600);
      try {
        fs.writeFileSync(fd, text);
        fs.fsyncSync(fd); // on disk before the rename makes it the state file
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temporary, this.file);
      this.saved = text;
      return true;
    } catch (error) {
      // The emulator keeps serving; the next change tries again.
      fs.rmSync(temporary, { force: true });
      this.log(`could not save state to ${this.file}: ${(error as Error).message}`);
      return false;
    }
  }

  private setAside(reason: Error): void {
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // One log line, however much of the file a JSON error quotes.
    const why = reason.message.replace(/\s+/g, ' ').slice(0, 200);
    try {
      fs.renameSync(this.file, aside);
      this.log(`saved state ${this.file} is unreadable (${why}): starting empty; the file is kept as ${aside}`);
    } catch (error) {
      this.log(`saved state ${this.file} is unreadable (${why}) and could not be set aside (${(error as Error).message}): starting empty`);
    }
  }
}
