/**
 * The corrupt-state case both emulators' persistence tests share: a file that cannot be used is set
 * aside under a name the one log line gives, the emulator starts empty, and saves its new state as usual.
 */
import fs from 'node:fs';

interface PersistingEmulator {
  control: { users(): { email: string }[] };
  stop(): Promise<void>;
}

export const CORRUPT_STATE_LINE = /^saved state \S+ is unreadable \(.+\): starting empty; the file is kept as \S+\.corrupt-\S+$/;

export async function expectCorruptStateSetAside<E extends PersistingEmulator>(
  start: (options: { stateFile: string; log: (line: string) => void }) => Promise<E>,
  file: string,
  content: string,
  addUser: (emulator: E, email: string) => Promise<unknown>,
  email: string,
): Promise<void> {
  fs.writeFileSync(file, content);
  const lines: string[] = [];
  const emulator = await start({ stateFile: file, log: (line) => lines.push(line) });

  expect(emulator.control.users()).toEqual([]);
  expect(lines).toEqual([expect.stringMatching(CORRUPT_STATE_LINE)]);
  const aside = lines[0]!.slice(lines[0]!.lastIndexOf(' ') + 1);
  expect(aside.startsWith(`${file}.corrupt-`)).toBe(true);
  expect(fs.readFileSync(aside, 'utf8')).toBe(content);

  await addUser(emulator, email);
  await emulator.stop();
  const next = await start({ stateFile: file, log: () => undefined });
  expect(next.control.users().map((u) => u.email)).toEqual([email]);
}
