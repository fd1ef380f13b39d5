/**
 * What the end-to-end bench and the chaos run read from /proc: the machine, the load average, and per-process memory
 * (VmRSS) and CPU time (utime + stime) of the service's processes and of PostgreSQL's.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryMb: number;
  node: string;
}

export function machine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 1_048_576),
    node: process.version,
  };
}

export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg();
  return [one!, five!, fifteen!].map((value) => Math.round(value * 100) / 100) as [number, number, number];
}

/** VmRSS of `pid` in KB, or undefined when the process is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, close), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** CPU ms used so far by each process in the set, keyed by pid. */
export type CpuSample = Map<number, number>;

export function sampleCpu(pids: Iterable<number>): CpuSample {
  const sample: CpuSample = new Map();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) sample.set(pid, stat.cpuMs);
  }
  return sample;
}

/**
 * CPU ms spent between two samples. A process that started in between counts from zero; one that
 * ended in between is lost (its last ticks cannot be read any more).
 */
export function cpuBetween(before: CpuSample, after: CpuSample): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const stats = allPids()
    .map(readStat)
    .filter((stat): stat is ProcStat => stat !== undefined);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const stat of stats) if (stat.ppid === tree[i]) tree.push(stat.pid);
  }
  return tree.filter((p) => stats.some((stat) => stat.pid === p));
}

/** Live children of `parent` whose command line matches. */
export function childrenMatching(parent: number, pattern: RegExp): number[] {
  return allPids().filter((pid) => readStat(pid)?.ppid === parent && pattern.test(cmdline(pid)));
}

/**
 * A local PostgreSQL server's processes that work for `database`: its backends for that database
 * (`postgres: … <user> <database> <client> …`) and the shared ones (postmaster, checkpointer, WAL
 * writer, …), which also work for every other database of the server. `exclude`: backends of the
 * bench's own probe connection.
 */
export function postgresProcesses(database: string, exclude: number[]): number[] {
  return allPids().filter((pid) => {
    if (exclude.includes(pid) || readStat(pid)?.comm !== 'postgres') return false;
    const line = cmdline(pid);
    const backend = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(line);
    return !backend || line.split(/\s+/).includes(database);
  });
}
