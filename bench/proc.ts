import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { round } from './stats';

/** The stack's processes by role, found among the launcher's children by their command line. */
export type Role = 'temporal' | 'simulator' | 'worker' | 'api';
export const ROLES: readonly Role[] = ['api', 'worker', 'temporal', 'simulator'];

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function findRoles(children: readonly number[]): Record<Role, number> {
  const found: Partial<Record<Role, number>> = {};
  for (const pid of children) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (/\bstart-dev\b/.test(cmd)) found.temporal ??= pid;
    else if (cmd.includes('simulator/main.js')) found.simulator ??= pid;
    else if (cmd.includes('worker/main.js')) found.worker ??= pid;
    else if (cmd.includes('api/main.js')) found.api ??= pid;
  }
  for (const r of ROLES) if (found[r] === undefined) throw new Error(`no ${r} process among ${children}`);
  return found as Record<Role, number>;
}

/** User + system CPU time the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Resident set size in MiB. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}

export function cpuSnapshot(roles: Record<Role, number>): Record<Role, number> {
  return Object.fromEntries(ROLES.map((r) => [r, cpuMs(roles[r])])) as Record<Role, number>;
}

export function rssSnapshot(roles: Record<Role, number>): Record<Role, number> {
  return Object.fromEntries(ROLES.map((r) => [r, rssMb(roles[r])])) as Record<Role, number>;
}

/** CPU time the whole machine has been busy (all cores), in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) /
    CLK_TCK
  );
}
