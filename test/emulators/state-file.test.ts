/**
 * The emulators' state file: loaded at start, saved atomically and debounced, once more on close,
 * never rewritten when nothing changed; the file of a run that was killed is restored as such (the
 * emulator then invalidates cursors); an unreadable, unparsable, unrestorable or other-version file
 * is set aside with a log line and the emulator starts empty.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StateFile, type PersistedState } from '../../devstack/emulators/shared/state-file';

const DELAY_MS = 30;
const settle = () => new Promise((resolve) => setTimeout(resolve, DELAY_MS * 4));

/** An emulator stand-in: a counter whose snapshots, restores and resets are recorded. */
function counter() {
  const emulator = { value: 0, snapshots: 0, restored: [] as unknown[], stoppedCleanly: [] as boolean[], resets: 0 };
  const state: PersistedState<{ value: number }> = {
    version: 1,
    snapshot: () => {
      emulator.snapshots += 1;
      return { value: emulator.value };
    },
    restore: (saved, stoppedCleanly) => {
      emulator.restored.push(saved);
      emulator.stoppedCleanly.push(stoppedCleanly);
      if (typeof saved.value !== 'number') throw new Error('value is not a number');
      emulator.value = saved.value;
    },
    reset: () => {
      emulator.resets += 1;
      emulator.value = 0;
    },
  };
  return { emulator, state };
}

describe('emulator state file', () => {
  let dir: string;
  let file: string;
  let lines: string[];
  const log = (line: string) => lines.push(line);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-file-'));
    file = path.join(dir, 'nested', 'emulator.json');
    lines = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const written = () => JSON.parse(fs.readFileSync(file, 'utf8'));
  const files = () => fs.readdirSync(path.dirname(file)).sort();

  it('starts empty without a file, then saves changes once per delay, atomically, and on close', async () => {
    const { emulator, state } = counter();
    const stateFile = new StateFile(file, state, log, DELAY_MS);
    stateFile.load();
    expect(emulator.restored).toEqual([]);
    expect(lines).toEqual([]);
    expect(files()).toEqual(['emulator.json.running']); // in use from now on

    for (let i = 1; i <= 20; i++) {
      emulator.value = i;
      stateFile.changed();
    }
    expect(fs.existsSync(file)).toBe(false); // not before the delay
    await settle();
    expect(written()).toEqual({ version: 1, state: { value: 20 } });
    expect(emulator.snapshots).toBe(1); // twenty changes, one save
    expect(files()).toEqual(['emulator.json', 'emulator.json.running']); // the temporary file was renamed, not left behind

    emulator.value = 21;
    stateFile.changed();
    stateFile.close(); // saves at once, without waiting for the delay
    expect(written()).toEqual({ version: 1, state: { value: 21 } });
    expect(files()).toEqual(['emulator.json']); // a clean stop
    emulator.value = 22;
    stateFile.changed();
    await settle();
    expect(written().state.value).toBe(21); // nothing after close
  });

  it('writes nothing when the state is what the file already holds', async () => {
    const { emulator, state } = counter();
    const stateFile = new StateFile(file, state, log, DELAY_MS);
    emulator.value = 5;
    stateFile.changed();
    await settle();
    fs.rmSync(file);
    stateFile.changed(); // a read-only request, say
    await settle();
    expect(fs.existsSync(file)).toBe(false);
    stateFile.close();
  });

  it('restores a saved state, and a restored one is not written back unchanged', async () => {
    const first = counter();
    first.emulator.value = 7;
    new StateFile(file, first.state, log, DELAY_MS).close();

    const second = counter();
    const stateFile = new StateFile(file, second.state, log, DELAY_MS);
    stateFile.load();
    expect(second.emulator.value).toBe(7);
    expect(second.emulator.stoppedCleanly).toEqual([true]);
    expect(lines).toEqual([`state restored from ${file}`]);
    const before = fs.statSync(file).mtimeMs;
    stateFile.close();
    expect(fs.statSync(file).mtimeMs).toBe(before);
  });

  it('restores the file of a run that was killed as such, and a clean stop after it is clean again', async () => {
    const first = counter();
    const running = new StateFile(file, first.state, log, DELAY_MS);
    running.load();
    first.emulator.value = 8;
    running.changed();
    await settle();
    first.emulator.value = 9; // changed, not yet saved: the kill loses it

    // A kill: no last save, the marker stays.
    const second = counter();
    const restarted = new StateFile(file, second.state, log, DELAY_MS);
    restarted.load();
    expect(second.emulator.value).toBe(8);
    expect(second.emulator.stoppedCleanly).toEqual([false]);
    expect(lines).toEqual([`state restored from ${file}; the last run did not stop cleanly: changes after its last save are lost, and sync cursors start over`]);
    restarted.close();

    const third = counter();
    new StateFile(file, third.state, log, DELAY_MS).load();
    expect(third.emulator.stoppedCleanly).toEqual([true]);
  });

  it.each([
    ['not JSON', '{"version":1,\n"state":{"val', /JSON/],
    ['another version', '{"version":99,"state":{"value":1}}', /version 99, this emulator reads version 1/],
    ['a state the emulator cannot restore', '{"version":1,"state":{"value":"many"}}', /value is not a number/],
  ])('sets aside a file holding %s, says so, and starts empty', (_what, content, reason) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    const { emulator, state } = counter();
    new StateFile(file, state, log, DELAY_MS).load();

    expect(emulator.value).toBe(0);
    const [aside] = files().filter((name) => name.includes('.corrupt-'));
    expect(aside).toMatch(/^emulator\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(fs.readFileSync(path.join(path.dirname(file), aside!), 'utf8')).toBe(content);
    expect(fs.existsSync(file)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toContain(`saved state ${file} is unreadable (`);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toContain(`starting empty; the file is kept as ${path.join(path.dirname(file), aside!)}`);
    // A restore that got half-way is undone.
    expect(emulator.resets).toBe(emulator.restored.length);
  });

  it('logs a save that fails and keeps serving', async () => {
    fs.mkdirSync(file, { recursive: true }); // a directory where the file should go: rename fails
    const { emulator, state } = counter();
    const stateFile = new StateFile(file, state, log, DELAY_MS);
    emulator.value = 3;
    stateFile.changed();
    await settle();
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^could not save state to ${file}: `))]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['emulator.json']); // no temporary file left
  });
});
